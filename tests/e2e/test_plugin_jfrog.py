"""The jfrog plugin through the real binary, against an emulated JFrog Artifactory.

The emulator (tests/e2e/emulators/jfrog_artifactory.py) serves Artifactory's
REST API and its Docker API in every access method, with the quirks real
servers show (a next-page Link without the repository path, the tags' numeric
`last`), and passes image reads through to a real distribution registry that
holds what is pushed here. It answers for acme.jfrog.io (a JFrog Cloud name)
and artifacts.corp.test (a neutral name), and every subdomain of both, through
--resolve and a certificate for those names.

Pages hold 2 entries: every repository catalog and the three-tag image page.
"""
import base64
import json
import os
import secrets
import tempfile
import unittest

from emulators.jfrog_artifactory import Artifactory
from emulators.jfrog_model import User
from harness import case, certs, content, oci_layout as oci, osv_db, push, registry

CLOUD = "acme.jfrog.io"
NEUTRAL = "artifacts.corp.test"
ADMIN_PW = "Admin-" + secrets.token_hex(10)
READER_PW = "Reader-" + secrets.token_hex(10)
READER_KEY = "AKCp8" + secrets.token_hex(24)
READER_TOKEN = "cmVmdGtu" + secrets.token_hex(24)
PARTIAL_PW = "Partial-" + secrets.token_hex(10)
WRONG_PW = "Wrong-" + secrets.token_hex(10)

# (repoKey, image, tag): created
IMAGES = {
    ("docker-local", "team/app", "1.0"): "2019-01-01T01:29:27Z",
    ("docker-local", "team/app", "1.1"): "2020-02-02T02:02:02.25Z",
    ("docker-local", "team/app", "2.0"): "2021-06-07T08:09:10.5+01:00",
    ("docker-local", "team/api", "1.0"): "2021-07-07T07:07:07Z",
    ("docker-local", "base/alpine", "3.19"): "2023-12-07T10:00:00Z",
    ("docker-prod", "web/site", "latest"): "2024-02-29T23:59:59Z",
    ("docker-prod", "web/site", "v2"): "2024-03-01T00:00:01Z",
    ("docker-prod", "web/admin", "0.1"): "2018-08-08T08:08:08Z",
    ("docker-prod", "tools/jq", "1.7"): "2022-02-02T02:02:02Z",
    ("docker-sandbox", "play/ground", "0.1"): "2017-07-07T07:07:07Z",
    ("docker-remote", "library/alpine", "3.19"): "2023-12-08T10:00:00Z",
    ("docker-remote", "library/alpine", "3.20"): "2024-05-22T10:00:00Z",
}
LOCAL_KEYS = ("docker-local", "docker-prod", "docker-sandbox")


def basic(user, secret):
    return base64.b64encode(f"{user}:{secret}".encode()).decode()


class JfrogPlugin(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-jfrog-")
        cls.addClassCleanup(directory.cleanup)
        cls.workdir = directory.name
        names = ",".join(f"DNS:{n},DNS:*.{n}" for n in (CLOUD, NEUTRAL))
        cls.ca = certs.CertificateAuthority(directory.name, names=f"{names},IP:127.0.0.1", common_name=CLOUD)

        cls.upstream = registry.Registry()
        cls.addClassCleanup(cls.upstream.stop)
        cls.upstream.start()
        push.skopeo_push(cls.upstream, {f"{key}/{image}:{tag}": oci.image(created)
                                        for (key, image, tag), created in IMAGES.items()})

        cls.art = Artifactory(cls.upstream, cls.ca, [CLOUD, NEUTRAL], page_size=2).start()
        cls.addClassCleanup(cls.art.stop)
        model = cls.art.model
        model.add_repository("docker-local", "LOCAL")
        model.add_repository("docker-prod", "LOCAL")
        model.add_repository("docker-sandbox", "LOCAL")
        model.add_repository("docker-remote", "REMOTE")
        model.add_repository("docker", "VIRTUAL", members=["docker-local", "docker-remote"])
        model.add_repository("npm-local", "LOCAL", package_type="npm")
        model.add_user(User("admin", ADMIN_PW, admin=True))
        everything = {key: [] for key in ("docker-local", "docker-prod", "docker-sandbox", "docker-remote", "docker",
                                          "npm-local")}
        model.add_user(User("reader", READER_PW, api_key=READER_KEY, tokens=[READER_TOKEN], read=everything))
        # Permission targets excluding tools/** (the catalog shows tools/jq, reading it is
        # denied) and everything of docker-sandbox (listed, its catalog denied).
        model.add_user(User("partial", PARTIAL_PW, read={"docker-local": [], "docker-prod": ["tools"],
                                                         "docker-sandbox": ["**"]}))
        cls.art.refresh_images()
        cls.port_key = None

    def setUp(self):
        self.art.clear()
        self.art.hide_unauthorized = False
        self.first_issued = len(self.art.model.issued)

    # -- helpers ------------------------------------------------------------

    def run_jfrog(self, url, *args, host_names=(), **kwargs):
        return self.dry_run(url, *self.art.resolve(*host_names), f"--ca-cert={self.ca.ca_cert}", *args, **kwargs)

    def as_reader(self, url=None, *args, **kwargs):
        return self.run_jfrog(url or self.art.url(CLOUD), "--username=reader", f"--password={READER_PW}",
                              *args, **kwargs)

    def inventory(self, authority, keys=LOCAL_KEYS, prefix=None):
        """Expected rows of the images in repositories `keys` (named prefix/image when given)."""
        inventory = content.Inventory(authority)
        for (key, image, tag), created in IMAGES.items():
            if key in keys:
                inventory.add(f"{prefix or key}/{image}", tag, {"": created})
        return inventory

    def assertScanned(self, result, authority, rows, repositories_failed=0):
        self.assertInventory(result, authority, rows, repositories_failed=repositories_failed)
        self.assertLogged(result, "^Identified registry as: JFROG$", "info")
        self.assertNoSecrets(result, authority)

    def secrets_in_play(self):
        passwords = [ADMIN_PW, READER_PW, READER_KEY, READER_TOKEN, PARTIAL_PW, WRONG_PW]
        return passwords + [basic("reader", p) for p in (READER_PW, READER_KEY, READER_TOKEN, WRONG_PW)] + \
            [basic("partial", PARTIAL_PW), basic("admin", ADMIN_PW)] + self.art.model.issued[self.first_issued:]

    def assertNoSecrets(self, result, authority):
        report = ""
        if os.path.exists(result.report_path(authority)):
            with open(result.report_path(authority)) as f:
                report = f.read()
        for secret in self.secrets_in_play():
            for name, text in (("stdout", result.stdout), ("stderr", result.stderr), ("report", report)):
                self.assertNotIn(secret, text, f"a secret or token leaked into {name}")

    def rest_requests(self, prefix="/artifactory/api/"):
        return [entry for entry in self.art.all_requests() if entry[1].startswith(prefix)]

    # -- identification -------------------------------------------------------

    def test_identified_from_a_jfrog_io_url(self):
        result = self.as_reader()
        self.assertScanned(result, self.art.authority(CLOUD), self.inventory(self.art.authority(CLOUD)).rows())
        # The URL decided: no probe of the system ping.
        self.assertEqual(self.art.requests(route="/artifactory/api/system/ping"), [])

    def test_identified_by_the_vendor_headers_of_the_v2_ping(self):
        url = self.art.url(NEUTRAL)
        result = self.as_reader(url)
        self.assertScanned(result, self.art.authority(NEUTRAL), self.inventory(self.art.authority(NEUTRAL)).rows())
        self.assertEqual(self.art.requests(route="/artifactory/api/system/ping"), [])

    def test_identified_by_probing_a_neutral_host(self):
        """https://<host>/docker: the ping of /docker/v2/ gets the web server's bare
        404, so the second identification pass asks /artifactory/api/system/ping,
        once and without credentials. `docker` names the virtual repository: only
        it is walked, and it shows its members' images under its own name."""
        authority = self.art.authority(NEUTRAL)
        result = self.as_reader(self.art.url(NEUTRAL) + "/docker")
        rows = self.inventory(authority, keys=("docker-local", "docker-remote"), prefix="docker")
        self.assertScanned(result, authority, rows.rows())
        pings = self.art.requests(route="/artifactory/api/system/ping")
        self.assertEqual([(method, status, scheme) for method, _, status, _, scheme in pings], [("GET", 200, "")])
        catalogs = {path.split("/")[4] for _, path, _, _, _ in self.rest_requests("/artifactory/api/docker/")}
        self.assertEqual(catalogs, {"docker"})

    def test_type_forces_the_plugin(self):
        result = self.as_reader(self.art.url(NEUTRAL) + "/docker", "--type=JFROG")
        self.assertExit(result, 0)
        self.assertEqual(self.art.requests(route="/artifactory/api/system/ping"), [])

    def test_least_privilege_account_cannot_use_the_v2_catalog(self):
        """What the plugin is for: the generic V2 plugin needs /v2/_catalog,
        which Artifactory keeps for admins; the plugin never asks it."""
        forced = self.as_reader(None, "--type=DEFAULT_V2")
        self.assertNotEqual(forced.code, 0, forced)
        self.assertTrue(any(status == 403 for _, _, status, _, _ in self.art.requests("GET", "/v2/_catalog")))
        self.art.clear()
        result = self.as_reader()
        self.assertExit(result, 0)
        self.assertEqual(self.art.requests(route="/v2/_catalog"), [])

    # -- listing ----------------------------------------------------------------

    def test_listing_pages_through_every_level(self):
        result = self.as_reader()
        self.assertExit(result, 0)
        rest = self.rest_requests()
        repositories = [p for _, p, s, _, _ in rest if p.startswith("/artifactory/api/repositories")]
        self.assertEqual(len(repositories), 1, rest)
        self.assertIn("packageType=docker", repositories[0])
        for key in LOCAL_KEYS:
            catalog = [p for _, p, s, _, _ in rest
                       if p.startswith(f"/artifactory/api/docker/{key}/v2/_catalog") and s == 200]
            images = {i for k, i, _ in IMAGES if k == key}
            self.assertEqual(len(catalog), (len(images) + 1) // 2, catalog)
            self.assertEqual(any("last=" in p for p in catalog), len(images) > 2, catalog)
        tags = [p for _, p, s, _, _ in rest if "/v2/team/app/tags/list" in p and s == 200]
        self.assertEqual(len(tags), 2, tags)
        self.assertTrue(any("last=2" in p for p in tags), tags)  # the position the Link gave
        # The next-page Links lack the repository path (RTFACT-18971): never followed as given.
        self.assertEqual([e for e in self.art.all_requests()
                          if e[1].startswith(("/v2/_catalog", "/v2/team/", "/v2/base/", "/v2/web/"))], [])
        self.assertEqual([e for e in rest if e[2] != 200], [])

    def test_remote_and_virtual_repositories_are_skipped_unless_asked(self):
        result = self.as_reader()
        self.assertExit(result, 0)
        self.assertLogged(result, r"docker-remote \(remote\).*cache")
        self.assertLogged(result, r"docker \(virtual\).*members")
        authority = self.art.authority(CLOUD)
        result = self.as_reader(None, "--jfrog-repository-type=local", "--jfrog-repository-type=remote")
        self.assertScanned(result, authority,
                           self.inventory(authority, keys=LOCAL_KEYS + ("docker-remote",)).rows())

    def test_jfrog_repository_limits_the_walk(self):
        authority = self.art.authority(CLOUD)
        result = self.as_reader(None, "--jfrog-repository=docker-prod", "--jfrog-repository=docker-remote")
        self.assertScanned(result, authority,
                           self.inventory(authority, keys=("docker-prod", "docker-remote")).rows())
        keys = {path.split("/")[4] for _, path, _, _, _ in self.rest_requests("/artifactory/api/docker/")}
        self.assertEqual(keys, {"docker-prod", "docker-remote"})

    def test_unknown_jfrog_repository_is_a_bad_argument(self):
        result = self.as_reader(None, "--jfrog-repository=nope")
        self.assertExit(result, 2)
        self.assertLogged(result, r"nope.*not a Docker repository")

    def test_artifactory_url_forms(self):
        """https://<host>/artifactory/api/docker/<key> names one repository;
        https://<host>/artifactory names the server."""
        authority = self.art.authority(CLOUD)
        result = self.as_reader(self.art.url(CLOUD) + "/artifactory/api/docker/docker-prod")
        self.assertScanned(result, authority, self.inventory(authority, keys=("docker-prod",)).rows())
        result = self.as_reader(self.art.url(CLOUD) + "/artifactory/")
        self.assertScanned(result, authority, self.inventory(authority).rows())

    def test_listing_cut_at_max_listing_pages_lists_no_further_repository(self):
        """The catalog is one listing: the repository list, then each repository's catalog pages. Cut inside
        docker-local (its second page), the page read is kept and no later repository is listed (SDK 1.3.2:
        a cut listing starts no further listing), nor logged as listed with 0 images."""
        authority = self.art.authority(CLOUD)
        result = self.as_reader(None, "--max-listing-pages=2")
        kept = ["docker-local/base/alpine", "docker-local/team/api"]
        self.assertLogged(result, r"^Repository listing cut short error=more than 2 requests "
                                  r"\(--max-listing-pages\); 2 repositories read are kept$", "error")
        self.assertLogged(result, r"^Artifactory repository docker-local \(local\): 2 images read before the listing "
                                  r"was cut short", "info")
        inventory = self.inventory(authority, keys=("docker-local",))
        self.assertInventory(result, authority, [row for row in inventory.rows()
                                                 if row[0].split("/", 1)[1] in kept], repositories_failed=1)
        for later in ("docker-prod", "docker-sandbox"):
            self.assertFalse([m for m in result.messages() if f"repository {later}" in m], result)
            self.assertEqual(self.rest_requests(f"/artifactory/api/docker/{later}/"), [])
        catalog = [p for _, p, _, _, _ in self.rest_requests("/artifactory/api/docker/docker-local/v2/_catalog")]
        self.assertEqual(len(catalog), 1, catalog)

    # -- credentials ------------------------------------------------------------

    def test_api_key_as_the_password(self):
        authority = self.art.authority(CLOUD)
        result = self.run_jfrog(self.art.url(CLOUD), "--username=reader", f"--password={READER_KEY}")
        self.assertScanned(result, authority, self.inventory(authority).rows())

    def test_access_token_alone_is_sent_as_bearer(self):
        authority = self.art.authority(CLOUD)
        result = self.run_jfrog(self.art.url(CLOUD), f"--password={READER_TOKEN}")
        self.assertScanned(result, authority, self.inventory(authority).rows())
        rest = self.rest_requests()
        self.assertTrue(rest)
        self.assertEqual({scheme for _, _, _, _, scheme in rest}, {"Bearer"})
        tokens = self.art.requests("GET", "/v2/token")
        self.assertTrue(tokens)
        self.assertEqual({(status, scheme) for _, _, status, _, scheme in tokens}, {(200, "Bearer")})

    def test_wrong_password_ends_the_run(self):
        result = self.run_jfrog(self.art.url(CLOUD), "--username=reader", f"--password={WRONG_PW}")
        self.assertExit(result, 4)
        self.assertLogFormat(result)
        self.assertLogged(result, r"/artifactory/api/repositories.*HTTP 401.*Bad credentials")
        self.assertNoSecrets(result, self.art.authority(CLOUD))

    def test_no_credentials_without_anonymous_access(self):
        result = self.run_jfrog(self.art.url(CLOUD))
        self.assertExit(result, 4)
        self.assertLogged(result, r"HTTP 401")

    def test_anonymous_access_sees_what_anonymous_may_read(self):
        self.art.model.anonymous_read = {"docker-prod": []}
        self.addCleanup(setattr, self.art.model, "anonymous_read", None)
        authority = self.art.authority(CLOUD)
        result = self.run_jfrog(self.art.url(CLOUD))
        self.assertScanned(result, authority, self.inventory(authority, keys=("docker-prod",)).rows())
        self.assertLogged(result, r"1 Docker repository readable anonymously")
        self.assertEqual({scheme for _, _, _, _, scheme in self.rest_requests()}, {""})

    def test_forbidden_image_is_reported_while_the_rest_goes_on(self):
        authority = self.art.authority(CLOUD)
        for hide in (False, True):
            self.art.hide_unauthorized = hide
            result = self.run_jfrog(self.art.url(CLOUD), "--username=partial", f"--password={PARTIAL_PW}")
            inventory = self.inventory(authority, keys=("docker-local", "docker-prod"))
            self.assertScanned(result, authority, inventory.rows(missing={"docker-prod/tools/jq"}),
                               repositories_failed=1)
            self.assertLogged(result, r"^Failed to list tags repository=docker-prod/tools/jq error=.*"
                                      r"/artifactory/api/docker/docker-prod/v2/tools/jq/tags/list.*HTTP "
                                      + ("404" if hide else "403"), "error")
            # The repository it cannot list at all is a discovery note, and the summary lists it.
            self.assertLogged(result, r"docker-sandbox \(local\) could not be listed.*HTTP "
                                      + ("404" if hide else "403"), "warning")
            self.assertEqual(result.summary().get("Discovery notes"), "1", result)
            self.assertIn("docker-sandbox", result.stdout)

    def test_no_secret_or_token_in_trace_output(self):
        runs = [self.run_jfrog(self.art.url(CLOUD), "--username=reader", f"--password={READER_PW}",
                               "--log-level=trace"),
                self.run_jfrog(self.art.url(CLOUD), f"--password={READER_TOKEN}", "--log-level=trace"),
                self.run_jfrog(self.art.url(NEUTRAL) + "/docker", "--username=reader", f"--password={READER_KEY}",
                               "--log-level=trace"),
                self.run_jfrog(self.art.url(CLOUD), "--username=reader", f"--password={WRONG_PW}",
                               "--log-level=trace")]
        self.assertGreater(len(self.art.model.issued) - self.first_issued, 3)
        for result in runs:
            self.assertTrue(any(" debug " in line or " trace " in line for line in result.log_lines), result)
            self.assertNoSecrets(result, self.art.authority(CLOUD))
            self.assertNoSecrets(result, self.art.authority(NEUTRAL))

    # -- access methods -------------------------------------------------------

    def test_subdomain_access_method(self):
        authority = self.art.authority(CLOUD)
        subdomains = [f"{key}.{CLOUD}" for key in LOCAL_KEYS]
        result = self.as_reader(None, "--jfrog-docker-access=subdomain", host_names=(CLOUD, *subdomains))
        inventory = content.Inventory(authority)
        for (key, image, tag), created in IMAGES.items():
            if key in LOCAL_KEYS:
                inventory.add(f"{key}/{image}", tag, {"": created})
        # The report names each image as clients pull it: <key>.<host>/<image>.
        expected = [(f"{row[0].split('/', 2)[1]}.{CLOUD}:{self.art.port}/{row[0].split('/', 2)[2]}", *row[1:])
                    for row in inventory.rows()]
        self.assertScanned(result, authority, sorted(expected))
        manifests = [e for e in self.art.all_requests() if "/manifests/" in e[1]]
        self.assertTrue(manifests)
        self.assertEqual({host for _, _, _, host, _ in manifests},
                         {f"{key}.{CLOUD}:{self.art.port}" for key in LOCAL_KEYS})

    def test_api_access_method(self):
        authority = self.art.authority(CLOUD)
        # Set by its environment variable this time.
        result = self.as_reader(None, env={"REGSCAN_JFROG_DOCKER_ACCESS": "api"})
        self.assertScanned(result, authority, self.inventory(authority).rows())
        manifests = [p for _, p, s, _, _ in self.art.requests("GET") if "/manifests/" in p]
        self.assertTrue(manifests)
        self.assertTrue(all(p.startswith("/artifactory/api/docker/") for p in manifests), manifests)
        tokens = self.art.requests("GET")
        self.assertTrue(any(p.startswith("/artifactory/api/docker/") and "/v2/token" in p and s == 200
                            for _, p, s, _, _ in tokens))

    def test_port_access_method(self):
        port = self.art.port_servers.get("docker-prod")
        port = port.port if port else self.art.add_port("docker-prod")
        authority = self.art.authority(CLOUD)
        result = self.as_reader(None, "--jfrog-repository=docker-prod", "--jfrog-docker-access=port",
                                f"--jfrog-repository-port=docker-prod={port}",
                                f"--resolve={CLOUD}:{port}:127.0.0.1")
        expected = sorted((f"{CLOUD}:{port}/{image}", tag, content.utc_second(created), "false")
                          for (key, image, tag), created in IMAGES.items() if key == "docker-prod")
        self.assertScanned(result, authority, expected)
        served = self.art.port_servers["docker-prod"].requests("GET")
        self.assertTrue(any("/manifests/" in path for _, path, _, _, _ in served), served)

    # -- scan mode ----------------------------------------------------------------

    def test_scan_mode_reads_every_layer_through_artifactory(self):
        db = osv_db.make_db(self.workdir)
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        authority = self.art.authority(CLOUD)
        result = self.regscan("registry", self.art.url(CLOUD), *self.art.resolve(), f"--ca-cert={self.ca.ca_cert}",
                              "--username=reader", f"--password={READER_PW}", "--mode=scan", "--db", db,
                              "--state", state, "--format=json", "--no-progress")
        self.assertExit(result, 0)
        with open(os.path.join(result.output_dir, authority.replace(".", "-").replace(":", "-")
                               + "-report.json")) as f:
            report = json.load(f)
        self.assertEqual(sorted((i["repository"], i["tag"], i["status"], i["build_time"]) for i in report["images"]),
                         sorted((f"{key}/{image}", tag, "scanned", content.utc_second(created))
                                for (key, image, tag), created in IMAGES.items() if key in LOCAL_KEYS))
        # Every blob of every image came through the repository path; a 401 is only
        # the challenge before the token (reads run in parallel), each blob was served.
        for key, image in {(k, i) for k, i, _ in IMAGES if k in LOCAL_KEYS}:
            blobs = {}
            for _, path, status, _, _ in self.art.requests("GET"):
                if path.startswith(f"/v2/{key}/{image}/blobs/"):
                    blobs.setdefault(path, set()).add(status)
            self.assertTrue(blobs, (key, image))
            self.assertTrue(all(200 in statuses and statuses <= {200, 401} for statuses in blobs.values()),
                            (key, image, blobs))
        self.assertNoSecrets(result, authority)


if __name__ == "__main__":
    unittest.main()
