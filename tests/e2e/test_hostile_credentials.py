"""Credentials and origins: a hostile registry tries to send regscan, and the
registry's credentials, somewhere else.

Other hosts are more hostile registries on other loopback addresses (or
ports); each records every request, so "received nothing" is a count of
zero and "no credentials" is the absence of an Authorization header. The
password is searched for, in clear and in Basic form, in everything regscan
wrote: stdout, stderr (at trace level where the point is the log), report
names and contents.
"""
import base64
import re
import unittest

from harness import certs, crafted, measured_run
from harness.hostile_case import HostileCase, other_address
from harness.hostile_registry import API_VERSION, error
from harness.http_server import Reply, json_reply

ALL_FORMATS = "table,json,csv,sarif,cyclonedx"


def basic(user, password):
    return base64.b64encode(f"{user}:{password}".encode())


def layer_image(text):
    layer = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE, "etc/marker": text})
    return layer, crafted.image([layer])


class Credentials(HostileCase):
    @classmethod
    def setUpClass(cls):
        cls.ca = certs.CertificateAuthority(measured_run.temp_dir())

    def assertNowhere(self, result, *secrets):
        everything = result.everything()
        for secret in secrets:
            secret = secret if isinstance(secret, bytes) else secret.encode()
            self.assertNotIn(secret, everything, f"{secret!r} found in regscan's output\n{result!r}")

    def assertNoAuthorization(self, server):
        sent = [s for s in server.requests() if "authorization" in s.headers]
        self.assertEqual(sent, [], f"{server.host} received credentials")

    # -- point 5 ---------------------------------------------------------------

    def test_challenge_of_a_blob_redirect_target_is_not_answered(self):
        password = "Hunter2-redirect-pw"
        registry = self.registry(basic=("bob", password))
        storage = self.registry(address=other_address())
        realm = self.registry(address=other_address())
        layer, image = layer_image(b"redirected")
        registry.push("team/app", "1", image)
        self.good_image(registry)
        registry.on(f"/v2/team/app/blobs/{layer.blob.digest}", lambda request: Reply(
            302, b"", {"Location": f"{storage.url}/bucket/{layer.blob.digest}?sig=abc"}))
        storage.on(re.compile(r"/bucket/.*"), lambda request: error(
            401, "UNAUTHORIZED", "who are you",
            {"WWW-Authenticate": f'Bearer realm="{realm.url}/token",service="storage"'}))
        result = self.scan(registry, "--username=bob", f"--password={password}", "--log-level=debug",
                           formats=ALL_FORMATS)
        self.assertFinished(result, 6)
        self.assertTrue(storage.requests(), f"the redirect was not followed\n{result!r}")
        self.assertNoAuthorization(storage)
        self.assertEqual(realm.requests(), [], f"the redirect target's realm was asked\n{result!r}")
        self.assertImageFailed(result, registry.host, "team/app:1")
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        self.assertTrue(any(s.headers.get("authorization") == "Basic " + basic("bob", password).decode()
                            for s in registry.requests()), "the registry itself never got the credentials")
        self.assertNowhere(result, password, basic("bob", password))

    def test_a_registry_that_says_it_is_acr_or_ecr_gets_none_of_this_machines_cloud_credentials(self):
        """A registry whose /v2/ challenge names an ACR realm or ECR's service is not taken for ACR or ECR
        (a managed identity or the machine's AWS keys would get it a token); with --type forced on its name,
        the cloud plugin refuses the machine's credentials. The metadata service and the cloud APIs (all one
        catcher here) are never asked."""
        cloud = self.registry(address=other_address())
        claims = {"ACR": 'Bearer realm="https://contoso.azurecr.io/oauth2/token",service="contoso.azurecr.io"',
                  "ECR": 'Basic realm="https://registry.example/",service="ecr.amazonaws.com"'}
        env = {"AZURE_IMDS_ENDPOINT": cloud.url, "AZURE_AUTHORITY_HOST": cloud.url,
               "AWS_ACCESS_KEY_ID": "AKIAMACHINEKEY000001", "AWS_SECRET_ACCESS_KEY": "machine-secret-key",
               "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": cloud.url,
               "AWS_EC2_METADATA_SERVICE_ENDPOINT": cloud.url}
        for claimed, challenge in claims.items():
            with self.subTest(claimed=claimed):
                registry = self.registry()
                self.good_image(registry)
                registry.on("/v2/", lambda request, c=challenge: error(401, "UNAUTHORIZED", "sign in",
                                                                       {"WWW-Authenticate": c}))
                result = self.dry(registry, "--log-level=debug", env=env)
                self.assertFinished(result, 0)
                self.assertRegex(result.stderr + result.stdout, r"Identified registry as: DEFAULT_V2")
                self.assertRegex(result.stderr + result.stdout, rf"it is not taken for {claimed}.*--type {claimed}")
                self.assertIn(b"good/app,1.0", result.everything())
                forced = self.dry(registry, f"--type={claimed}", env=env)
                self.assertFinished(forced, 4)
                why = "is not an ACR login server name" if claimed == "ACR" else "is not an ECR host name"
                self.assertIn(why, forced.stderr + forced.stdout)
                self.assertEqual(registry.requests(route="/oauth2/exchange"), [])
        self.assertEqual(cloud.requests(), [], "the cloud's endpoints were asked")

    # -- point 6 ---------------------------------------------------------------

    def test_tags_list_link_to_another_origin_is_refused(self):
        for where in ("address", "port"):
            with self.subTest(other=where):
                registry = self.registry()
                other = self.registry(address=other_address() if where == "address" else registry.address)
                _, image = layer_image(b"team")
                registry.push("team/app", "1.0", image)
                self.good_image(registry)
                for tag in ("evil-1", "evil-2"):
                    other.push("team/app", tag, image)
                registry.on("/v2/team/app/tags/list", lambda request, other=other: json_reply(
                    200, {"name": "team/app", "tags": ["1.0"]},
                    dict(API_VERSION, Link=f'<{other.url}/v2/team/app/tags/list?last=1.0&n=1000>; rel="next"')))
                result = self.dry(registry)
                self.assertFinished(result, 6)
                self.assertEqual(other.requests(), [], f"the other origin was asked\n{result!r}")
                self.assertRepositoryFailed(result, "team/app", "another origin")
                _, rows = result.rows(registry.host)
                self.assertFalse([row for row in rows if row[1].startswith("evil")], f"{result!r}")
                self.assertIn((f"{registry.host}/good/app", "1.0", "2023-03-03T03:03:03Z", "false"), rows)

    def test_a_link_or_redirect_that_url_parsers_read_differently_is_not_followed(self):
        """'http://other#@registry/...': regscan's origin checks read the registry's host, curl would connect
        to the other one. A tags-list Link and a blob redirect of that form, from a registry that wants
        Basic credentials: neither reaches the other host, the repository and the image fail saying why."""
        password = "Hunter2-fragment-pw"
        registry = self.registry(basic=("bob", password))
        other = self.registry(address=other_address())
        _, listed_image = layer_image(b"listed")
        redirected, redirected_image = layer_image(b"redirected")
        registry.push("team/app", "1.0", listed_image)
        registry.push("team/blob", "1.0", redirected_image)
        self.good_image(registry)
        registry.on("/v2/team/app/tags/list", lambda request: json_reply(
            200, {"name": "team/app", "tags": ["1.0"]},
            dict(API_VERSION, Link=f'<{other.url}#@{registry.host}/v2/team/app/tags/list?last=1.0>; rel="next"')))
        registry.on(f"/v2/team/blob/blobs/{redirected.blob.digest}", lambda request: Reply(
            307, b"", {"Location": f"{other.url}#@{registry.host}/v2/team/blob/blobs/{redirected.blob.digest}"}))
        result = self.scan(registry, "--username=bob", f"--password={password}", formats=ALL_FORMATS)
        self.assertFinished(result, 6)
        self.assertEqual(other.requests(), [], f"the other host was asked\n{result!r}")
        self.assertRepositoryFailed(result, "team/app", "curl would connect to another origin")
        self.assertImageFailed(result, registry.host, "team/blob:1.0", "curl would connect to another origin")
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        self.assertNowhere(result, password, basic("bob", password))

    # -- point 7 ---------------------------------------------------------------

    def test_https_registry_with_an_http_token_realm_is_refused(self):
        registry = self.registry(tls=self.ca)
        realm = self.registry(address=other_address())
        self.good_image(registry)
        registry.on(re.compile(r"/v2/.*"), lambda request: error(
            401, "UNAUTHORIZED", "token required",
            {"WWW-Authenticate": f'Bearer realm="{realm.url}/token",service="hostile",scope="registry:catalog:*"'}))
        password = "Tls-Downgrade-pw-9"
        for trust in (f"--ca-cert={self.ca.ca_cert}", "--insecure"):
            with self.subTest(trust=trust):
                result = self.dry(registry, trust, "--username=dave", f"--password={password}")
                self.assertFinished(result, 4, 6)
                self.assertTrue(registry.requests(), f"{result!r}")
                self.assertEqual(realm.requests(), [], f"the http realm was asked\n{result!r}")
                self.assertTrue(any("downgrade" in m.lower() for m in result.messages()), f"{result!r}")
                self.assertNowhere(result, password, basic("dave", password))

    def test_https_blob_redirect_to_http_is_refused(self):
        registry = self.registry(tls=self.ca)
        plain = self.registry(address=other_address())
        layer, image = layer_image(b"downgraded")
        registry.push("team/app", "1", image)
        plain.push("team/app", "1", image)
        self.good_image(registry)
        registry.on(f"/v2/team/app/blobs/{layer.blob.digest}", lambda request: Reply(
            302, b"", {"Location": f"{plain.url}/v2/team/app/blobs/{layer.blob.digest}"}))
        for trust in (f"--ca-cert={self.ca.ca_cert}", "--insecure"):
            with self.subTest(trust=trust):
                result = self.scan(registry, trust)
                self.assertFinished(result, 6)
                self.assertEqual(plain.requests(), [], f"the http host was asked\n{result!r}")
                self.assertImageFailed(result, registry.host, "team/app:1", "downgrade")
                self.assertImageScanned(result, registry.host, "good/app:1.0")

    # -- point 8 ---------------------------------------------------------------

    def test_credentials_in_the_url_are_used_and_never_written(self):
        registry = self.registry(basic=("alice", "Secret123"))
        self.good_image(registry)
        result = self.scan(registry, "--log-level=trace", url=f"http://alice:Secret123@{registry.host}",
                           formats=ALL_FORMATS)
        self.assertFinished(result, 0)
        self.assertTrue(any(s.headers.get("authorization") == "Basic " + basic("alice", "Secret123").decode()
                            for s in registry.requests("/v2/_catalog")), "the catalog was not asked with them")
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        self.assertTrue(result.messages("trace") or result.messages("debug"), f"no trace output\n{result!r}")
        self.assertNowhere(result, "Secret123", basic("alice", "Secret123"))


    def test_an_answer_that_echoes_the_credentials_never_reaches_a_report(self):
        """The registry quotes the request's Authorization header in its error answers: the image and the
        repository fail with the answer's text, the credentials in it masked in every report and log."""
        password = "Hunter2-echo-pw"
        registry = self.registry(basic=("alice", password))
        self.good_image(registry)
        _, image = layer_image(b"echoed")
        registry.push("echo/manifest", "1", image)
        registry.push("echo/tags", "1", image)

        def echo(request):
            return error(400, "MANIFEST_INVALID", "you sent " + request.headers.get("Authorization", "nothing"))

        registry.on("/v2/echo/manifest/manifests/1", echo, methods=("GET",))
        registry.on("/v2/echo/tags/tags/list", echo)
        result = self.scan(registry, "--username=alice", f"--password={password}", formats=ALL_FORMATS)
        self.assertFinished(result, 6)
        self.assertImageFailed(result, registry.host, "echo/manifest:1", "you sent")
        self.assertRepositoryFailed(result, "echo/tags", "you sent")
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        self.assertTrue(registry.requests("/v2/echo/manifest/manifests/1", "GET"), f"{result!r}")
        self.assertNowhere(result, password, basic("alice", password))

if __name__ == "__main__":
    unittest.main()
