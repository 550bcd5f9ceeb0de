"""The acr plugin through the real binary, against an emulated Azure Container Registry.

The registry is reached by its real name, https://test.azurecr.io, through
--resolve and a certificate for that name (port 443 of a loopback address
when it can be bound), so identification from the URL is tested for real.
Behind the emulated ACR data plane (tests/e2e/emulators/acr_registry.py)
sits a real distribution registry holding the images pushed here; Entra ID
and the Instance Metadata Service are emulated too (acr_identity.py).
"""
import base64
import json
import os
import re
import secrets
import tempfile
import unittest

from emulators import acr_https
from emulators.acr_identity import AzureDirectory, EntraEmulator, ImdsEmulator
from emulators import acr_registry
from emulators.acr_registry import AcrEmulator
from harness import case, certs, content, oci_layout as oci, osv_db, push, registry

LOGIN_SERVER = "test.azurecr.io"
ADMIN = ("test", "Admin-" + secrets.token_hex(12))
CLIENT_SECRET = "Sp~" + secrets.token_hex(16)
WRONG_SECRET = "Wrong~" + secrets.token_hex(16)
# Four repositories and a three-tag one: with pages of two, both listings page.
IMAGES = {("base/alpine", "3.19"): "2023-12-07T10:00:00Z",
          ("team/app", "1.0"): "2019-01-01T01:29:27Z",
          ("team/app", "1.1"): "2020-02-02T02:02:02.25Z",
          ("team/app", "2.0"): "2021-06-07T08:09:10.5+01:00",
          ("tools/jq", "1.7"): "2022-02-02T02:02:02Z",
          ("web/site", "latest"): "2024-02-29T23:59:59Z"}
REPOSITORIES = sorted({repo for repo, _ in IMAGES})
# Neither a build time nor a push time of anything above: a report showing
# these would have taken ACR's tag times for build times.
TAG_TIMES = {key: ("2001-01-01T00:00:00.1234567Z", "2002-02-02T00:00:00.7654321Z") for key in IMAGES}
AZURE_ENV = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_AUTHORITY_HOST", "AZURE_IMDS_ENDPOINT")


class AcrPlugin(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-acr-")
        cls.addClassCleanup(directory.cleanup)
        cls.workdir = directory.name
        cls.ca = certs.CertificateAuthority(directory.name, names=f"DNS:{LOGIN_SERVER},IP:127.0.0.1",
                                            common_name=LOGIN_SERVER)

        cls.upstream = registry.Registry()
        cls.addClassCleanup(cls.upstream.stop)
        cls.upstream.start()
        push.skopeo_push(cls.upstream, {f"{r}:{t}": oci.image(c) for (r, t), c in IMAGES.items()})

        cls.azure = AzureDirectory()
        cls.client_id, sp_object = cls.azure.add_app(CLIENT_SECRET)
        cls.identity_client_id, identity_object = cls.azure.add_identity()
        cls.azure.system_identity = "system-" + secrets.token_hex(4)
        cls.stranger_client_id, _ = cls.azure.add_identity()  # no role on the registry

        cls.entra = EntraEmulator(cls.azure, cls.ca).start()
        cls.addClassCleanup(cls.entra.stop)
        cls.imds = ImdsEmulator(cls.azure).start()
        cls.addClassCleanup(cls.imds.stop)
        cls.acr = AcrEmulator(cls.upstream, cls.ca, cls.azure, login_server=LOGIN_SERVER, admin=ADMIN,
                              pull_principals={sp_object, identity_object, cls.azure.system_identity},
                              page_size=2, tag_times=TAG_TIMES).start()
        cls.addClassCleanup(cls.acr.stop)

        cls.inventory = content.Inventory(cls.acr.authority)
        for (repo, tag), created in IMAGES.items():
            cls.inventory.add(repo, tag, {"": created})

    def setUp(self):
        self.acr.reset()
        self.entra.server.clear()
        self.entra.grants.clear()
        self.imds.asked.clear()

    # -- helpers ------------------------------------------------------------

    def scan(self, *args, env=None, **kwargs):
        base_env = {name: "" for name in AZURE_ENV}
        base_env.update(AZURE_AUTHORITY_HOST=self.entra.url, AZURE_IMDS_ENDPOINT=self.imds.url)
        base_env.update(env or {})
        return self.dry_run(self.acr.url, self.acr.resolve, f"--ca-cert={self.ca.ca_cert}", *args,
                            env=base_env, **kwargs)

    def as_service_principal(self, secret=CLIENT_SECRET, *args, **kwargs):
        env = dict(kwargs.pop("env", {}), AZURE_TENANT_ID=self.azure.tenant)
        return self.scan(f"--username={self.client_id}", f"--password={secret}", *args, env=env, **kwargs)

    def assertScanned(self, result, **kwargs):
        self.assertInventory(result, self.acr.authority, self.inventory.rows(**kwargs),
                             repositories_failed=len(kwargs.get("missing", ())))
        self.assertLogged(result, "^Identified registry as: ACR$", "info")
        self.assertNoSecrets(result)

    def all_secrets(self):
        return [ADMIN[1], CLIENT_SECRET, WRONG_SECRET, *self.azure.issued, *self.acr.issued]

    def assertNoSecrets(self, result):
        report = ""
        if os.path.exists(result.report_path(self.acr.authority)):
            with open(result.report_path(self.acr.authority)) as f:
                report = f.read()
        for secret in self.all_secrets():
            for name, text in (("stdout", result.stdout), ("stderr", result.stderr), ("report", report)):
                self.assertNotIn(secret, text, f"a secret or token leaked into {name}")

    def listing_requests(self):
        """(route, query) of every /acr/v1 request the registry answered 200."""
        return [(path.partition("?")[0], path.partition("?")[2])
                for method, path, status in self.acr.server.requests("GET")
                if path.startswith("/acr/v1/") and status == 200]

    def scopes_granted(self, how):
        return sorted(s for h, scopes in self.acr.token_grants if h == how for s in scopes)

    # -- identification and listing ----------------------------------------

    def test_identified_from_the_real_host_name(self):
        result = self.scan(f"--username={ADMIN[0]}", f"--password={ADMIN[1]}")
        self.assertScanned(result)
        expected = ("test-azurecr-io-report.csv" if self.acr.port == 443
                    else f"test-azurecr-io-{self.acr.port}-report.csv")
        self.assertEqual(result.output_files(), [expected])
        self.assertTrue(all(row[0].startswith(self.acr.authority + "/") for row in result.rows(self.acr.authority)[1]))

    def test_listing_pages_through_the_acr_api(self):
        result = self.scan(f"--username={ADMIN[0]}", f"--password={ADMIN[1]}")
        self.assertScanned(result)
        requests = self.listing_requests()
        catalog = [q for r, q in requests if r == "/acr/v1/_catalog"]
        self.assertEqual(len(catalog), (len(REPOSITORIES) + 1) // 2, requests)
        self.assertTrue(any("last=" in q for q in catalog), catalog)
        for repo in REPOSITORIES:
            tags = sum(1 for r, _ in requests if r == f"/acr/v1/{repo}/_tags")
            expected_pages = (sum(1 for r, _ in IMAGES if r == repo) + 1) // 2
            self.assertEqual(tags, expected_pages, f"{repo}: {requests}")
        self.assertEqual(self.acr.server.requests(route="/v2/_catalog"), [])

    # -- admin user (Basic) --------------------------------------------------

    def test_admin_user(self):
        result = self.scan(f"--username={ADMIN[0]}", f"--password={ADMIN[1]}")
        self.assertScanned(result)
        self.assertLogged(result, r"Signed in to test\.azurecr\.io as 'test' \(admin user or repository-scoped token\)")
        # Basic credentials bought the scoped tokens; Entra ID was never asked.
        scopes = self.scopes_granted("basic")
        self.assertEqual(scopes.count("registry:catalog:*"), 1)  # cached across the catalog's pages
        for repo in REPOSITORIES:
            self.assertIn(f"repository:{repo}:metadata_read", scopes)
            self.assertIn(f"repository:{repo}:pull", scopes)
        self.assertEqual(self.scopes_granted("refresh"), [])
        self.assertEqual((self.entra.grants, self.imds.asked, self.acr.exchanges), ([], [], []))

    def test_wrong_admin_password_without_a_tenant(self):
        result = self.scan(f"--username={ADMIN[0]}", "--password=" + WRONG_SECRET)
        self.assertExit(result, 4)
        self.assertLogged(result, r"refused 'test' as an admin user or token \(HTTP 401 UNAUTHORIZED.*"
                                  r"needs its tenant: set AZURE_TENANT_ID or --acr-tenant")
        self.assertNoSecrets(result)

    # -- service principal ---------------------------------------------------

    def test_access_tokens_are_fetched_again_when_due(self):
        """An access token past its `exp` is not reused: the emulator issues them
        already expired (its registry tolerating the clock skew), so each page
        of the catalog (2 repositories a page) needs a new token, where
        test_admin_user's run asks once."""
        self.acr.access_lifetime, self.acr.signer.clock_skew = -60, 3600
        self.addCleanup(setattr, self.acr, "access_lifetime", acr_registry.ACCESS_LIFETIME)
        self.addCleanup(setattr, self.acr.signer, "clock_skew", 0)
        result = self.scan(f"--username={ADMIN[0]}", f"--password={ADMIN[1]}")
        self.assertScanned(result)
        pages = len(self.acr.server.requests("GET", "/acr/v1/_catalog"))
        self.assertGreater(pages, 1)
        self.assertEqual(self.scopes_granted("basic").count("registry:catalog:*"), pages)

    def test_service_principal(self):
        result = self.as_service_principal()
        self.assertScanned(result)
        self.assertLogged(result, f"Signed in to Entra ID as service principal {self.client_id} "
                                  f"\\(tenant {self.azure.tenant}\\)")
        # One client-credentials grant, one exchange, then one access token per
        # listing scope: every token was cached and reused.
        self.assertEqual(self.entra.grants,
                         [(self.azure.tenant, self.client_id, "https://management.azure.com/.default")])
        self.assertEqual(len(self.acr.exchanges), 1)
        self.assertEqual(self.acr.exchanges[0][0], self.azure.tenant)
        listing = [s for s in self.scopes_granted("refresh") if not s.endswith(":pull")]
        self.assertEqual(listing, sorted(["registry:catalog:*"] +
                                         [f"repository:{r}:metadata_read" for r in REPOSITORIES]))
        pulls = {s for s in self.scopes_granted("refresh") if s.endswith(":pull")}
        self.assertEqual(pulls, {f"repository:{r}:pull" for r in REPOSITORIES})

    def test_service_principal_with_options_instead_of_environment(self):
        result = self.scan(f"--username={self.client_id}", f"--password={CLIENT_SECRET}",
                           f"--acr-tenant={self.azure.tenant}", f"--azure-authority-host={self.entra.url}",
                           "--acr-auth=service-principal", env={"AZURE_AUTHORITY_HOST": "https://127.0.0.1:9"})
        self.assertScanned(result)
        # Told it is a service principal, the plugin never tried Basic.
        self.assertEqual(self.acr.server.requests("GET", "/oauth2/token"), [])
        self.assertEqual(len(self.entra.grants), 1)

    def test_unknown_auth_mode_is_a_bad_argument(self):
        result = self.scan(f"--username={self.client_id}", f"--password={CLIENT_SECRET}", "--acr-auth=kerberos")
        self.assertExit(result, 2)
        self.assertLogged(result, r"--acr-auth must be auto, basic, service-principal or managed-identity, "
                                  r"not 'kerberos'")
        self.assertEqual(self.entra.grants, [])

    def test_wrong_client_secret(self):
        result = self.as_service_principal(WRONG_SECRET)
        self.assertExit(result, 4)
        self.assertLogFormat(result)
        self.assertLogged(result, f"Entra ID .* for service principal {self.client_id} in tenant "
                                  f"{self.azure.tenant} refused the sign-in: HTTP 401 invalid_client: "
                                  "AADSTS7000215: Invalid client secret provided")
        self.assertEqual(self.acr.exchanges, [])
        self.assertFalse(os.path.exists(result.report_path(self.acr.authority)))
        self.assertNoSecrets(result)

    # -- managed identity ----------------------------------------------------

    def test_system_assigned_managed_identity(self):
        result = self.scan()
        self.assertScanned(result)
        self.assertLogged(result, r"^Signed in with the managed identity \(system-assigned\)")
        self.assertEqual(self.imds.asked, [(None, "https://management.azure.com/", "true")])
        # The exchange names the tenant the identity's token carries.
        self.assertEqual(self.acr.exchanges, [(self.azure.tenant, self.azure.system_identity)])

    def test_user_assigned_managed_identity(self):
        result = self.scan(env={"AZURE_CLIENT_ID": self.identity_client_id})
        self.assertScanned(result)
        self.assertEqual(self.imds.asked, [(self.identity_client_id, "https://management.azure.com/", "true")])
        self.assertEqual(len(self.acr.exchanges), 1)

    def test_managed_identity_not_found(self):
        result = self.scan("--azure-client-id=" + "0" * 8 + "-dead-beef-0000-" + "0" * 12)
        self.assertExit(result, 4)
        self.assertLogged(result, r"no --username/--password given; managed identity sign-in failed: .*"
                                  r"HTTP 400 invalid_request: Identity not found")
        self.assertNoSecrets(result)

    def test_managed_identity_without_a_role(self):
        result = self.scan(f"--azure-client-id={self.stranger_client_id}")
        self.assertExit(result, 4)
        self.assertLogged(result, r"/oauth2/exchange .*HTTP 401 UNAUTHORIZED: principal '[^']+' has no role")
        self.assertNoSecrets(result)

    # -- scan mode -----------------------------------------------------------

    def test_scan_mode_reads_every_layer_with_pull_tokens(self):
        db = osv_db.make_db(self.workdir)
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        result = self.regscan("registry", self.acr.url, self.acr.resolve, f"--ca-cert={self.ca.ca_cert}",
                              f"--username={self.client_id}", f"--password={CLIENT_SECRET}", "--mode=scan",
                              "--db", db, "--state", state, "--format=json", "--no-progress",
                              env={"AZURE_TENANT_ID": self.azure.tenant, "AZURE_AUTHORITY_HOST": self.entra.url,
                                   "AZURE_CLIENT_ID": "", "AZURE_IMDS_ENDPOINT": ""})
        self.assertExit(result, 0)
        report_path = os.path.join(result.output_dir, self.acr.authority.replace(".", "-").replace(":", "-")
                                   + "-report.json")
        with open(report_path) as f:
            report = json.load(f)
        self.assertEqual(sorted((i["repository"], i["tag"], i["status"], i["build_time"]) for i in report["images"]),
                         sorted((r, t, "scanned", content.utc_second(c)) for (r, t), c in IMAGES.items()))
        self.assertTrue(all(i["registry"] == self.acr.authority for i in report["images"]))
        # Every layer came through the emulated ACR, authorised by the plugin's pull tokens.
        for repo in REPOSITORIES:
            blobs = [s for m, p, s in self.acr.server.requests("GET") if p.startswith(f"/v2/{repo}/blobs/")]
            self.assertTrue(blobs and all(status == 200 for status in blobs), (repo, blobs))
        self.assertEqual({s for s in self.scopes_granted("refresh") if s.endswith(":pull")},
                         {f"repository:{r}:pull" for r in REPOSITORIES})
        self.assertNoSecrets(result)

    # -- fallback and failures -----------------------------------------------

    def test_falls_back_to_v2_catalog_without_the_acr_api(self):
        self.acr.acr_api = False
        result = self.as_service_principal()
        self.assertScanned(result)
        self.assertLogged(result, r"no ACR listing API \(GET https://test\.azurecr\.io\S*/acr/v1/_catalog\?n=100: "
                                  r"HTTP 404.*listing through /v2/_catalog")
        self.assertEqual(len(self.acr.server.requests("GET", "/acr/v1/_catalog")), 1)
        self.assertTrue(any(status == 200 for _, _, status in self.acr.server.requests("GET", "/v2/_catalog")))
        for repo in REPOSITORIES:
            self.assertTrue(self.acr.server.requests("GET", f"/v2/{repo}/tags/list"), repo)
        self.assertIn("registry:catalog:*", self.scopes_granted("refresh"))

    def test_one_repository_failing_leaves_the_others(self):
        self.acr.failing_tags["tools/jq"] = acr_https.json_reply(
            403, {"errors": [{"code": "DENIED", "message": "requested access to the resource is denied",
                              "detail": None}]})
        result = self.as_service_principal()
        self.assertScanned(result, missing={"tools/jq"})
        self.assertExit(result, 6)
        self.assertLogged(result, r"^Failed to list tags repository=tools/jq error=.*/acr/v1/tools/jq/_tags\?n=100: "
                                  r"HTTP 403 DENIED: requested access to the resource is denied", "error")

    # -- docker's identity token (az acr login) --------------------------------

    def docker_identity_token(self, principal):
        """An ACR refresh token for `principal`, as `az acr login` leaves one in
        docker's config.json; the environment pointing regscan at that config."""
        token = self.acr.signer.mint({"iss": "Azure Container Registry", "aud": LOGIN_SERVER, "sub": principal,
                                      "tenant": self.azure.tenant, "version": "1.0", "grant_type": "refresh_token",
                                      "permissions": {"actions": ["pull", "metadata_read"], "notActions": []},
                                      "roles": []}, acr_registry.REFRESH_LIFETIME)
        self.acr.issued.append(token)
        directory = tempfile.mkdtemp(prefix="docker-", dir=self.workdir)
        null_user = base64.b64encode(b"00000000-0000-0000-0000-000000000000:").decode()
        with open(os.path.join(directory, "config.json"), "w") as f:
            json.dump({"auths": {self.acr.authority: {"auth": null_user, "identitytoken": token}}}, f)
        return token, {"DOCKER_CONFIG": directory}

    def test_docker_identity_token(self):
        token, env = self.docker_identity_token(self.azure.system_identity)
        result = self.scan("--log-level=trace", env=env)
        self.assertScanned(result)
        self.assertNotIn(token, result.stdout + result.stderr)
        # Exchanged at the registry's own /oauth2/token; no Basic sign-in (the
        # placeholder user) and no Entra ID or IMDS call.
        self.assertIn("registry:catalog:*", self.scopes_granted("refresh"))
        self.assertEqual(self.scopes_granted("basic"), [])
        self.assertEqual((self.entra.grants, self.imds.asked, self.acr.exchanges), ([], [], []))
        self.assertEqual(self.acr.server.requests("GET", "/oauth2/token"), [], "a Basic token request was made")

    def test_docker_identity_token_without_a_role_exits_4(self):
        token, env = self.docker_identity_token("stranger-" + secrets.token_hex(4))
        result = self.scan("--log-level=trace", env=env)
        self.assertExit(result, 4)
        self.assertLogged(result, r"the identity token from docker config .*config\.json \(auths: " +
                          re.escape(self.acr.authority) + r"\) was refused", "error")
        self.assertNotIn(token, result.stdout + result.stderr)

    def test_no_secret_or_token_in_trace_output(self):
        for result in (self.as_service_principal(CLIENT_SECRET, "--log-level=trace"),
                       self.scan(f"--username={ADMIN[0]}", f"--password={ADMIN[1]}", "--log-level=trace"),
                       self.scan("--log-level=trace")):
            self.assertScanned(result)
        self.assertGreater(len(self.azure.issued), 1)
        self.assertGreater(len(self.acr.issued), 3)
        self.assertTrue(any(" trace " in line or " debug " in line for line in result.log_lines), result)


class AcrListingCut(case.RegscanCase):
    """A listing cut at --max-listing-pages keeps what was read (docs/limits.md): the repository, or `<catalog>`,
    is reported failed and the tags or repositories of the pages read stay in the inventory. Its own registry,
    pages of 2 (the plugin asks n=100, the emulator caps it): four one-tag repositories, then one whose tags take
    more pages than the catalog, so one bound cuts the catalog or that repository alone. Each listing's first
    request is the access token for its scope (the admin user's Basic credentials buy it), then its pages.
    A token or sign-in request the bound refuses is a cut like a page's: what was read before it is kept."""
    SMALL = [f"lib/r{i}" for i in range(1, 5)]
    MANY = "many/images"

    @classmethod
    def setUpClass(cls):
        directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-acr-cut-")
        cls.addClassCleanup(directory.cleanup)
        cls.ca = certs.CertificateAuthority(directory.name, names=f"DNS:{LOGIN_SERVER},IP:127.0.0.1",
                                            common_name=LOGIN_SERVER)
        cls.upstream = registry.Registry()
        cls.addClassCleanup(cls.upstream.stop)
        cls.upstream.start()
        keys = [(repo, "1.0") for repo in cls.SMALL] + [(cls.MANY, f"v{i}") for i in range(7)]
        cls.created = {key: f"{2010 + number}-03-04T05:06:07Z" for number, key in enumerate(keys)}
        pusher = push.ApiPusher(cls.upstream)
        for (repo, tag), created in cls.created.items():
            pusher.push(repo, tag, oci.image(created))
        pusher.close()
        cls.azure = AzureDirectory()
        cls.client_id, sp_object = cls.azure.add_app(CLIENT_SECRET)
        cls.entra = EntraEmulator(cls.azure, cls.ca).start()
        cls.addClassCleanup(cls.entra.stop)
        cls.acr = AcrEmulator(cls.upstream, cls.ca, cls.azure, login_server=LOGIN_SERVER, admin=ADMIN,
                              pull_principals={sp_object}, page_size=2).start()
        cls.addClassCleanup(cls.acr.stop)

    def setUp(self):
        self.acr.reset()
        self.entra.grants.clear()

    def scan(self, *args, user=ADMIN, env=None):
        return self.dry_run(self.acr.url, self.acr.resolve, f"--ca-cert={self.ca.ca_cert}",
                            f"--username={user[0]}", f"--password={user[1]}", *args,
                            env=dict({name: "" for name in AZURE_ENV}, **(env or {})))

    def as_service_principal(self, *args):
        return self.scan(*args, user=(self.client_id, CLIENT_SECRET),
                         env={"AZURE_TENANT_ID": self.azure.tenant, "AZURE_AUTHORITY_HOST": self.entra.url})

    def tokens_due(self, *signers):
        """Every token the emulators issue is already expired (they accept it, tolerating the skew): the plugin
        asks a new one for each page. Access tokens, and the lifetimes of `signers` too ("refresh", "entra")."""
        def expire(owner, attribute, signer):
            self.addCleanup(setattr, owner, attribute, getattr(owner, attribute))
            self.addCleanup(setattr, signer, "clock_skew", signer.clock_skew)
            setattr(owner, attribute, -60)
            signer.clock_skew = 3600
        expire(self.acr, "access_lifetime", self.acr.signer)
        if "refresh" in signers:
            expire(self.acr, "refresh_lifetime", self.acr.signer)
        if "entra" in signers:
            expire(self.azure, "lifetime", self.azure.signer)

    def inventory(self, cut=()):
        """Every image pushed but the (repository, tag) keys in `cut`."""
        inventory = content.Inventory(self.acr.authority)
        for (repo, tag), created in self.created.items():
            if (repo, tag) not in cut:
                inventory.add(repo, tag, {"": created})
        return inventory

    def pages(self, items):
        return -(-items // self.acr.page_size)

    def served(self, route):
        return [status for _, _, status in self.acr.server.requests("GET", route)]

    def tokens_for(self, scope):
        return [scopes for _, scopes in self.acr.token_grants if scope in scopes]

    def test_tag_listing_cut_keeps_the_pages_read(self):
        names = sorted(self.SMALL + [self.MANY])
        catalog_requests = 1 + self.pages(len(names))
        self.assertLess(catalog_requests, 1 + self.pages(sum(1 for repo, _ in self.created if repo == self.MANY)))
        result = self.scan(f"--max-listing-pages={catalog_requests}")
        self.assertEqual(self.served("/acr/v1/_catalog"), [200] * (catalog_requests - 1))
        self.assertEqual(len(self.tokens_for("registry:catalog:*")), 1)
        # The tags of the pages the emulator served, in its order (by name); the next page was never asked.
        self.assertEqual(len(self.tokens_for(f"repository:{self.MANY}:metadata_read")), 1)
        self.assertEqual(self.served(f"/acr/v1/{self.MANY}/_tags"), [200] * (catalog_requests - 1))
        tags = sorted(tag for repo, tag in self.created if repo == self.MANY)
        kept = tags[:(catalog_requests - 1) * self.acr.page_size]
        cut = [tag for tag in tags if tag not in kept]
        self.assertTrue(cut)
        for repo in self.SMALL:
            self.assertEqual(self.served(f"/acr/v1/{repo}/_tags"), [200], repo)
        self.assertInventory(result, self.acr.authority, self.inventory(cut={(self.MANY, tag) for tag in cut}).rows(),
                             repositories_failed=1)
        self.assertOnlyTagListingCut(result, self.MANY, catalog_requests, len(kept))

    def test_catalog_cut_keeps_the_repositories_read(self):
        names = sorted(self.SMALL + [self.MANY])
        self.assertEqual(names[-1], self.MANY)
        cut_after = self.pages(len(names)) - 1
        result = self.scan(f"--max-listing-pages={1 + cut_after}")
        self.assertEqual(len(self.tokens_for("registry:catalog:*")), 1)
        self.assertEqual(self.served("/acr/v1/_catalog"), [200] * cut_after)
        read = names[:cut_after * self.acr.page_size]
        self.assertEqual(read, self.SMALL)
        self.assertEqual([repo for repo in names if self.served(f"/acr/v1/{repo}/_tags")], read)
        self.assertInventory(result, self.acr.authority, self.inventory().rows(missing={self.MANY}),
                             repositories_failed=1)
        self.assertLogged(result, r"^Repository listing cut short error=more than " + str(1 + cut_after) +
                          r" requests \(--max-listing-pages\); " + str(len(read)) + " repositories read are kept$",
                          "error")
        self.assertLogged(result, f"^Found repositories count={len(read)}$", "info")

    def test_token_refused_mid_tag_listing_keeps_the_pages_read(self):
        self.tokens_due()
        # Every listing's requests: a token, a page, a token, a page... The whole catalog's are the bound, so the
        # long tag listing reaches it on the token before a page.
        names = sorted(self.SMALL + [self.MANY])
        bound = 2 * self.pages(len(names))
        tags = sorted(tag for repo, tag in self.created if repo == self.MANY)
        self.assertLess(bound, 2 * self.pages(len(tags)))
        result = self.scan(f"--max-listing-pages={bound}", "--log-level=debug")
        self.assertEqual(self.served("/acr/v1/_catalog"), [200] * (bound // 2))
        # Pages and their tokens alternate; the token the next page needed was never asked.
        self.assertEqual(self.served(f"/acr/v1/{self.MANY}/_tags"), [200] * (bound // 2))
        self.assertEqual(len(self.tokens_for(f"repository:{self.MANY}:metadata_read")), bound // 2)
        kept = tags[:bound // 2 * self.acr.page_size]
        cut = {(self.MANY, tag) for tag in tags if tag not in kept}
        self.assertTrue(cut)
        self.assertInventory(result, self.acr.authority, self.inventory(cut=cut).rows(), repositories_failed=1)
        self.assertOnlyTagListingCut(result, self.MANY, bound, len(kept))
        self.assertLogged(result, r"^GET https://\S+/oauth2/token: listing limit: more than " + str(bound) +
                          r" requests \(--max-listing-pages\)", "debug")

    def test_sign_in_refused_mid_catalog_keeps_the_repositories_read(self):
        """A service principal whose every token is due: each catalog page is preceded by its sign-in to Entra ID,
        the exchange for an ACR refresh token and the access token. The bound refuses the second sign-in."""
        self.tokens_due("refresh", "entra")
        bound = 4
        result = self.as_service_principal("--acr-auth=service-principal", f"--max-listing-pages={bound}",
                                           "--log-level=debug")
        self.assertEqual(self.served("/acr/v1/_catalog"), [200])
        self.assertEqual(len(self.tokens_for("registry:catalog:*")), 1)
        read = sorted(self.SMALL + [self.MANY])[:self.acr.page_size]
        self.assertInventory(result, self.acr.authority,
                             self.inventory().rows(missing={repo for repo, _ in self.created if repo not in read}),
                             repositories_failed=1)
        self.assertLogged(result, r"^Repository listing cut short error=more than 4 requests \(--max-listing-pages\); "
                          + str(len(read)) + " repositories read are kept$", "error")
        self.assertLogged(result, r"^POST " + re.escape(self.entra.url) + "/" + self.azure.tenant +
                          r"/oauth2/v2\.0/token: listing limit: more than 4 requests \(--max-listing-pages\)",
                          "debug")
        self.assertNotIn("refused the sign-in", result.stderr)

    def test_sign_in_refused_before_any_page_is_a_cut_with_nothing_read(self):
        """The bound, not the credentials, stopped the listing: reported cut (exit 6), no sign-in failure (exit 4).
        The admin-user attempt of --acr-auth=auto is its one request; the service principal's sign-in is refused."""
        result = self.as_service_principal("--max-listing-pages=1")
        self.assertEqual(self.served("/oauth2/token"), [401])
        self.assertEqual((self.entra.grants, self.served("/acr/v1/_catalog")), ([], []))
        self.assertInventory(result, self.acr.authority, [], repositories_failed=1)
        self.assertLogged(result, r"^Repository listing cut short error=more than 1 requests \(--max-listing-pages\); "
                          r"0 repositories read are kept$", "error")
        self.assertLogged(result, "^Found repositories count=0$", "info")

    def test_token_refused_on_the_v2_catalog_is_a_cut_with_nothing_read(self):
        """Without the ACR API the catalog is /v2/'s, whose 401 the plugin's authorize() answers with a token:
        the bound refuses that token request, made for the registry request the core let through."""
        self.tokens_due()
        self.acr.acr_api = False
        result = self.scan("--max-listing-pages=3")
        # The token for /acr/v1/_catalog, its 404, then /v2/_catalog answered 401: its token was never asked.
        self.assertEqual(self.served("/acr/v1/_catalog"), [404])
        self.assertEqual(self.served("/v2/_catalog"), [401])
        self.assertEqual(len(self.tokens_for("registry:catalog:*")), 1)
        self.assertInventory(result, self.acr.authority, [], repositories_failed=1)
        self.assertLogged(result, r"^Repository listing cut short error=more than 3 requests \(--max-listing-pages\); "
                          r"0 repositories read are kept$", "error")


if __name__ == "__main__":
    unittest.main()
