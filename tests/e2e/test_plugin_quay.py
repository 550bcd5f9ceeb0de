"""The quay plugin through the real binary, against an emulator of Quay's API and
registry endpoints (tests/e2e/emulators/quay*.py) whose /v2/ traffic reaches a
real distribution registry holding the images built here.

Every listing pages: repositories 2 per page (next_page tokens), tags 2 per
page (page + has_additional), the /v2/_catalog fallback 2 per page (Link with
next_page). The emulator serves https://quay.io:<port> and
https://127.0.0.1:<port> (a host name that says nothing) from one origin.
"""
import base64
import json
import os
import re
import secrets
import shutil
import tempfile
import unittest
import urllib.parse

from emulators import quay
from harness import case, content, osv_db, oci_layout as oci

READER = "acme+reader"
READER_TOKEN = "R" + secrets.token_hex(16).upper()
PULLER = "acme+puller"
PULLER_TOKEN = "P" + secrets.token_hex(16).upper()
OAUTH_TOKEN = "oauth" + secrets.token_hex(18)
WRONG = "W" + secrets.token_hex(16).upper()

AMD64 = {"os": "linux", "architecture": "amd64"}
ARM64 = {"os": "linux", "architecture": "arm64", "variant": "v8"}

# (namespace, repository, tag, {platform: created} or {"": created}, start_ts, public)
IMAGES = [
    ("acme", "api", "1.0", {"": "2019-01-01T01:29:27Z"}, 1704880800, False),
    ("acme", "api", "1.1", {"": "2020-02-02T02:02:02.5Z"}, 1707559200, False),
    ("acme", "api", "latest", {"linux/amd64": "2021-03-03T03:03:03Z", "linux/arm64/v8": "2021-03-04T04:04:04Z"},
     1710064800, False),
    ("acme", "web", "2.0", {"": "2022-05-05T05:05:05+02:00"}, 1703440800, True),
    ("acme", "worker", "0.9", {"": "2017-07-07T07:07:07Z"}, 1640995200, False),
    ("acme", "locked", "v1", {"": "2018-08-08T08:08:08Z"}, 1711929600, False),
    ("acme", "internal", "v2", {"": "2016-06-06T06:06:06Z"}, 1622937600, False),
    ("beta", "tool", "0.1", {"": "2015-05-05T05:05:05Z"}, 1620172800, False),
    ("hidden", "vault", "1", {"": "2014-04-04T04:04:04Z"}, 1586000000, False),
]


def build_manifest(created):
    if "" in created:
        return oci.image(created[""])
    children = []
    for platform, when in created.items():
        os_name, arch, *variant = platform.split("/")
        children.append((oci.image(when, os_name=os_name, arch=arch, variant=variant[0] if variant else None),
                         AMD64 if arch == "amd64" else ARM64))
    return oci.index(children)


def expected_rows(host, namespaces, missing=()):
    inventory = content.Inventory(host)
    for ns, repo, tag, created, _, _ in IMAGES:
        if ns in namespaces and f"{ns}/{repo}" not in missing:
            inventory.add(f"{ns}/{repo}", tag, created)
    return inventory.rows()


class QuayPlugin(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.quay = quay.Quay(repos_per_page=2, tag_page_cap=2, catalog_page_cap=2).start()
        cls.addClassCleanup(cls.quay.stop)
        cls.quay.publish([(ns, repo, tag, build_manifest(created), ts, public)
                          for ns, repo, tag, created, ts, public in IMAGES])
        model = cls.quay.model
        model.add_robot(READER, READER_TOKEN)
        model.add_robot(PULLER, PULLER_TOKEN)
        model.add_oauth_token(OAUTH_TOKEN, "alice")
        for who in (READER, PULLER, "alice"):
            model.grant_read(who, "acme")
        model.grant_read("alice", "beta")
        model.grant_read(READER, "beta")
        cls.host = f"quay.io:{cls.quay.port}"

    def setUp(self):
        self.quay.reset()
        self.first_issued = len(self.quay.model.issued)

    # -- helpers -------------------------------------------------------------------
    def run_quay(self, *args, url=None, mode="dry-run", **kwargs):
        return self.regscan("registry", url or self.quay.url(), f"--mode={mode}", *self.quay.args(), *args,
                            **kwargs)

    def robot(self, name=READER, token=READER_TOKEN):
        return [f"--username={name}", f"--password={token}"]

    def api_requests(self):
        with self.quay.api.lock:
            return list(self.quay.api.requests)

    def registry_requests(self):
        with self.quay.front.lock:
            return list(self.quay.front.requests)

    def auth_requests(self):
        with self.quay.front.lock:
            return list(self.quay.front.auth_requests)

    def secrets_in_play(self):
        issued = self.quay.model.issued[self.first_issued:]
        basics = [base64.b64encode(f"{user}:{secret}".encode()).decode()
                  for user, secret in ((READER, READER_TOKEN), (PULLER, PULLER_TOKEN), ("$oauthtoken", OAUTH_TOKEN),
                                       (READER, WRONG))]
        return [READER_TOKEN, PULLER_TOKEN, OAUTH_TOKEN, WRONG] + basics + issued + \
            [token.rsplit(".", 1)[1] for token in issued]

    def assertNoSecrets(self, result, host=None):
        texts = [("stdout", result.stdout), ("stderr", result.stderr)]
        for name in result.output_files():
            with open(os.path.join(result.output_dir, name), errors="replace") as f:
                texts.append((name, f.read()))
        for secret in self.secrets_in_play():
            for name, text in texts:
                self.assertNotIn(secret, text, f"a secret leaked into {name}")

    # -- identification --------------------------------------------------------------
    def test_quay_io_url_with_oauth_token_and_robot(self):
        result = self.run_quay(*self.robot(), f"--quay-token={OAUTH_TOKEN}")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}))
        self.assertLogged(result, r"^Identified registry as: QUAY$", "info")
        api = self.api_requests()
        self.assertFalse([r for r in api if r[0] == "GET" and r[1].startswith("/api/v1/discovery")],
                         "quay.io is known from its URL: no probe")
        listings = [r for r in api if r[1].startswith("/api/v1/repository")]
        self.assertTrue(listings)
        # The OAuth token, and only it, authenticates the API: never the robot's Basic.
        self.assertEqual({(caller, scheme) for _, _, caller, scheme, _ in listings}, {("alice", "Bearer")})
        paths = [urllib.parse.urlsplit(r[1]) for r in listings]
        repo_pages = [p for p in paths if p.path == "/api/v1/repository"]
        self.assertEqual(len(repo_pages), 3, "5 acme repositories, 2 per page")
        self.assertTrue(all(urllib.parse.parse_qs(p.query)["namespace"] == ["acme"] for p in repo_pages))
        self.assertEqual(sum(1 for p in repo_pages if "next_page" in urllib.parse.parse_qs(p.query)), 2)
        api_tags = [urllib.parse.parse_qs(p.query) for p in paths if p.path == "/api/v1/repository/acme/api/tag/"]
        self.assertEqual([q.get("page") for q in api_tags], [["1"], ["2"]])
        self.assertTrue(all(q["onlyActiveTags"] == ["true"] and q["limit"] == ["100"] for q in api_tags))
        # Discovery never touched the catalog; pulls went with the robot through /v2/auth.
        self.assertFalse([r for r in self.registry_requests() if r[1].startswith("/v2/_catalog")])
        self.assertEqual({user for user, _, _ in self.auth_requests()}, {READER})
        self.assertNoSecrets(result)

    def test_web_address_names_the_namespace(self):
        result = self.run_quay(*self.robot(), f"--quay-token={OAUTH_TOKEN}",
                               url=f"{self.quay.url()}/organization/beta?tab=repos")
        self.assertInventory(result, self.host, expected_rows(self.host, {"beta"}))
        # The API and /v2/ are at the root of Quay's origin, whatever the web address's path.
        self.assertTrue(self.api_requests())
        self.assertTrue(all(r[1].startswith("/api/v1/") for r in self.api_requests()))
        self.assertTrue(all(r[1].startswith("/v2/") for r in self.registry_requests()))

    def test_neutral_host_identified_by_probing_discovery(self):
        host = f"127.0.0.1:{self.quay.port}"
        result = self.run_quay(*self.robot(), f"--quay-token={OAUTH_TOKEN}", url=f"https://{host}")
        self.assertInventory(result, host, expected_rows(host, {"acme"}))
        self.assertLogged(result, r"^Identified registry as: QUAY$", "info")
        probes = [r for r in self.api_requests() if r[1] == "/api/v1/discovery"]
        self.assertEqual(len(probes), 1, self.api_requests())
        self.assertIsNone(probes[0][3], "the probe carries no credentials")

    def test_type_forces_quay_where_nothing_identifies_it(self):
        self.quay.api.discovery = False  # a proxy in front that hides the API's discovery
        host = f"quay-neutral.test:{self.quay.port}"
        unforced = self.run_quay(*self.robot(), f"--quay-token={OAUTH_TOKEN}", url=f"https://{host}")
        self.assertLogged(unforced, r"^Identified registry as: DEFAULT_V2$", "info")
        self.quay.reset()
        self.quay.api.discovery = False
        result = self.run_quay(*self.robot(), f"--quay-token={OAUTH_TOKEN}", "--type=QUAY", url=f"https://{host}")
        self.assertInventory(result, host, expected_rows(host, {"acme"}))
        self.assertLogged(result, r"^Identified registry as: QUAY$", "info")
        self.assertFalse([r for r in self.api_requests() if r[1] == "/api/v1/discovery"])

    # -- credentials -------------------------------------------------------------------
    def test_least_privilege_robot_that_cannot_list_the_catalog(self):
        self.quay.front.catalog_refused = {PULLER}
        result = self.run_quay(*self.robot(PULLER, PULLER_TOKEN), f"--quay-token={OAUTH_TOKEN}")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}))
        self.assertFalse([r for r in self.registry_requests() if r[1].startswith("/v2/_catalog")])
        self.assertEqual({user for user, _, _ in self.auth_requests()}, {PULLER})
        self.assertNoSecrets(result)

        # Without the OAuth token the catalog is all that is left, and this robot may not read it.
        self.quay.reset()
        self.quay.front.catalog_refused = {PULLER}
        refused = self.run_quay(*self.robot(PULLER, PULLER_TOKEN))
        self.assertNotEqual(refused.code, 0, f"{refused!r}")
        self.assertLogged(refused, r"/v2/_catalog.*--quay-token")
        self.assertNoSecrets(refused)

    def test_robot_without_oauth_token_lists_through_the_catalog(self):
        result = self.run_quay(*self.robot())
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}))
        self.assertLogged(result, r"no --quay-token.*/v2/_catalog", "warning")
        # Quay's API ignores a robot's Basic credentials: the plugin never sends them there.
        self.assertFalse([r for r in self.api_requests() if r[1].startswith("/api/v1/repository")])
        catalog = [r for r in self.registry_requests() if r[1].startswith("/v2/_catalog")]
        self.assertEqual(len(catalog), 3, "6 readable repositories (acme and beta), 2 per page")
        self.assertTrue(all(subject == READER and status == 200 for _, _, subject, status in catalog), catalog)
        # Quay's token endpoint refuses registry:catalog:*; the catalog token is asked without a scope.
        self.assertIn((READER, [], 200), self.auth_requests())
        self.assertFalse([a for a in self.auth_requests() if "registry:catalog:*" in a[1]])
        self.assertNoSecrets(result)

    def test_oauth_token_alone_also_pulls(self):
        # --password without --username is a token for every registry: here, the OAuth token.
        for token_args in ([f"--quay-token={OAUTH_TOKEN}"], [f"--password={OAUTH_TOKEN}"]):
            with self.subTest(token=token_args[0].split("=")[0]):
                self.quay.reset()
                result = self.run_quay(*token_args, "--namespace=acme", "--namespace=beta")
                self.assertInventory(result, self.host, expected_rows(self.host, {"acme", "beta"}))
                self.assertEqual({user for user, _, _ in self.auth_requests()}, {"$oauthtoken"})
                self.assertEqual({r[2] for r in self.api_requests()}, {"alice"})
                self.assertNoSecrets(result)

    def test_no_credentials_lists_public_repositories_anonymously(self):
        result = self.run_quay("--namespace=acme")
        public = [(ns, repo) for ns, repo, _, _, _, is_public in IMAGES if is_public]
        self.assertEqual(public, [("acme", "web")])
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}, missing={
            f"{ns}/{repo}" for ns, repo, _, _, _, is_public in IMAGES if not is_public}))
        self.assertTrue(all(r[3] is None for r in self.api_requests()), "nothing to authenticate with")
        self.assertEqual({user for user, _, _ in self.auth_requests()}, {None})

    def test_oauth_token_from_the_environment(self):
        result = self.run_quay(*self.robot(), "--namespace=beta", "--log-level=trace",
                               env={"REGSCAN_QUAY_TOKEN": OAUTH_TOKEN})
        self.assertInventory(result, self.host, expected_rows(self.host, {"beta"}))
        listings = [r for r in self.api_requests() if r[1].startswith("/api/v1/repository")]
        self.assertTrue(listings)
        self.assertTrue(all(r[2] == "alice" for r in listings))
        self.assertNoSecrets(result)

    def test_wrong_robot_token_exits_4(self):
        result = self.run_quay(*self.robot(READER, WRONG), f"--quay-token={OAUTH_TOKEN}")
        self.assertExit(result, 4)
        self.assertLogged(result, rf"Quay refused the robot credentials of '{re.escape(READER)}'.*HTTP 401")
        self.assertFalse([r for r in self.api_requests() if r[1].startswith("/api/v1/repository")],
                         "refused credentials end the run before discovery")
        self.assertNoSecrets(result)

    def test_token_quay_does_not_accept_on_a_private_instance_exits_4(self):
        self.quay.api.anonymous_access = False  # self-hosted: FEATURE_ANONYMOUS_ACCESS off
        result = self.run_quay(*self.robot(), f"--quay-token={WRONG}")
        self.assertExit(result, 4)
        self.assertLogged(result, r"Quay refused the OAuth token")
        self.assertNoSecrets(result)

    def test_no_secret_at_trace_level(self):
        for args in ([*self.robot(), f"--quay-token={OAUTH_TOKEN}"], self.robot(),
                     [f"--quay-token={OAUTH_TOKEN}", "--namespace=acme"]):
            with self.subTest(args=[a.split("=")[0] for a in args]):
                self.first_issued = len(self.quay.model.issued)
                result = self.run_quay("--log-level=trace", *args)
                self.assertExit(result, 0)
                self.assertTrue(self.quay.model.issued[self.first_issued:])
                if any(a.startswith("--quay-token") for a in args):
                    self.assertLogged(result, r"^Quay GET https://quay\.io:\d+/api/v1/repository/acme/api/tag/", "trace")
                self.assertNoSecrets(result)

    # -- failures that cost one part ----------------------------------------------------
    def test_refused_namespace_and_repository_are_reported_and_the_rest_goes_on(self):
        self.quay.api.forbidden_namespaces = {"hidden"}
        self.quay.api.forbidden_repositories = {("acme", "locked")}
        result = self.run_quay(*self.robot(), f"--quay-token={OAUTH_TOKEN}", "--namespace=hidden,acme,beta")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme", "beta"}, missing={"acme/locked"}),
                             repositories_failed=1)
        self.assertLogged(result, r"Quay namespace hidden could not be listed.*: HTTP 403 \(Unauthorized\) plugin=quay$", "warning")
        self.assertLogged(result, r"Quay repository acme/locked: GET \S+/tag/\S+: HTTP 403 \(Unauthorized\)")

    def test_a_403_quoting_http_401_in_its_body_costs_that_namespace_only(self):
        """The status decides, not the text: a namespace's 403 whose message reads ": HTTP 401" (a proxy's words,
        or a registry's choosing) is that namespace's note; only a 401 means Quay refused the OAuth token."""
        self.quay.api.forbidden_namespaces = {"hidden"}
        self.quay.api.forbidden_message = "upstream answered: HTTP 401 Unauthorized"
        result = self.run_quay(*self.robot(), f"--quay-token={OAUTH_TOKEN}", "--namespace=hidden,acme,beta")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme", "beta"}))
        self.assertLogged(result, r"Quay namespace hidden could not be listed.*: "
                                  r"HTTP 403 \(upstream answered: HTTP 401", "warning")
        self.assertFalse([m for m in result.messages() if "refused the OAuth token" in m], result)
        self.assertEqual(result.summary().get("Discovery notes"), "1", result)

    # -- hostile answers -------------------------------------------------------------------
    def test_a_realm_token_no_header_may_carry_is_refused(self):
        """The robot's realm token becomes the Authorization header of every /v2/_catalog request: a CR/LF in it
        would add header lines of Quay's choosing, a huge one would ride on every request."""
        for name, token in (("CR/LF", "eyJhbGciOi.x\r\nX-Injected: yes"), ("over-long", "e" * 8193)):
            with self.subTest(token=name):
                self.quay.reset()
                self.quay.front.issued_token = token
                result = self.run_quay(*self.robot())
                self.assertExit(result, 5)  # the plugin could not open the registry
                self.assertLogged(result, r"/v2/auth.*: the token Quay answered (holds a control|is 8193 bytes)")
                self.assertEqual([r for r in self.registry_requests() if r[1].startswith("/v2/_catalog")], [],
                                 "a token that was refused is never sent")
                self.assertNotIn("X-Injected", result.stderr)
                self.assertNoSecrets(result)

    def test_an_over_long_next_page_token_ends_that_namespace_keeping_its_pages(self):
        """A next_page token goes back in the next URL, and every URL read is kept: past 4 KiB the namespace's
        listing ends with a note; the repositories of the page read are scanned, the other namespaces listed."""
        self.quay.api.next_page_padding = 4097
        result = self.run_quay(f"--quay-token={OAUTH_TOKEN}", "--namespace=acme,beta")
        acme = [r for r in self.api_requests() if urllib.parse.urlsplit(r[1]).path == "/api/v1/repository"
                and urllib.parse.parse_qs(urllib.parse.urlsplit(r[1]).query)["namespace"] == ["acme"]]
        self.assertEqual(len(acme), 1, acme)
        first_page = {f"acme/{r.name}" for r in self.quay.model.visible("alice", "acme")[:2]}
        self.assertEqual(len(first_page), 2)
        acme_all = {f"{ns}/{repo}" for ns, repo, *_ in IMAGES if ns == "acme"}
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme", "beta"},
                                                               missing=acme_all - first_page))
        self.assertLogged(result, r"^Quay namespace acme: its listing's next_page token is \d+ bytes "
                                  r"\(at most 4096\), so it ends after 1 page; the repositories of the pages read "
                                  r"are kept", "warning")
        self.assertEqual(result.summary().get("Discovery notes"), "1", result)

    # -- scan ----------------------------------------------------------------------------
    def test_scan_mode_with_a_multi_arch_tag(self):
        workdir = tempfile.mkdtemp(prefix="regscan-e2e-quay-scan-")
        self.addCleanup(shutil.rmtree, workdir, True)
        result = self.run_quay(*self.robot(), f"--quay-token={OAUTH_TOKEN}", "--allowList=acme/api:*",
                               "--platform=all", "--db", osv_db.make_db(workdir),
                               "--state", os.path.join(workdir, "state.db"), "--format=json", "--no-progress",
                               mode="scan")
        self.assertExit(result, 0)
        with open(osv_db.report_json_path(result.output_dir, self.host)) as f:
            images = json.load(f)["images"]
        latest = {(i["platform"], i["status"]) for i in images if i["tag"] == "latest"}
        self.assertEqual(latest, {("linux/amd64", "scanned"), ("linux/arm64/v8", "scanned")})
        single = {(i["tag"], i["status"]) for i in images if i["tag"] != "latest"}
        self.assertEqual(single, {("1.0", "scanned"), ("1.1", "scanned")})
        index = self.quay.model.repositories[("acme", "api")].tags["latest"]
        self.assertTrue(index.is_manifest_list)
        self.assertTrue(all(i["repository"] == "acme/api" for i in images))
        self.assertNoSecrets(result)


if __name__ == "__main__":
    unittest.main()
