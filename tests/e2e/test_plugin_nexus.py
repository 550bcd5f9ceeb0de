"""The nexus plugin through the real binary, against an emulated Sonatype Nexus Repository 3.

The emulator (tests/e2e/emulators/nexus.py) answers Nexus's REST API and the
Docker API of each docker repository, path-based (/repository/<name>/v2/) and
through connector ports of their own; behind it a real distribution registry
holds the images pushed here. Components come two to a page, so every
repository's listing (and one image's tags) spans several pages.

Repositories: docker-hosted (hosted, connector port), docker-proxy (proxy, a
cache of Docker Hub, path-based only), docker-extra (hosted, path-based),
docker-group (group of hosted and proxy, connector port), maven-releases (not
docker). Accounts: admin, reader (browse/read on the docker repositories,
nothing else: no repositorySettings, no /v2/_catalog), a user token of admin,
and anonymous (browse/read on docker-proxy only).
"""
import base64
import http.client
import json
import os
import secrets
import tempfile
import unittest

from emulators.nexus import NexusEmulator, NexusModel, Repo, User
from harness import case, content, oci_layout as oci, osv_db, push, registry

ADMIN = ("admin", "Adm1n-" + secrets.token_hex(12))
READER = ("ci-reader", "Rd-" + secrets.token_hex(12))
WRONG = "Wrong-" + secrets.token_hex(12)
MULTI = {"linux/amd64": "2024-03-01T10:00:00Z", "linux/arm64": "2024-03-02T11:00:00Z"}
# (nexus repository, image, tag) -> created; MULTI marks a two-platform index.
IMAGES = {("docker-hosted", "team/app", "1.0"): "2019-01-01T01:29:27Z",
          ("docker-hosted", "team/app", "1.1"): "2020-02-02T02:02:02.25Z",
          ("docker-hosted", "team/app", "2.0"): "2021-06-07T08:09:10.5+01:00",
          ("docker-hosted", "base/alpine", "3.19"): "2023-12-07T10:00:00Z",
          ("docker-hosted", "multi/tool", "1.0"): MULTI,
          ("docker-proxy", "library/alpine", "3.19"): "2023-11-30T23:00:00Z",
          ("docker-proxy", "library/busybox", "1.36"): "2023-05-19T20:00:00Z",
          ("docker-proxy", "library/busybox", "latest"): "2023-05-19T20:00:00Z",
          ("docker-extra", "tools/jq", "1.7"): "2022-02-02T02:02:02Z"}
PAGE_SIZE = 2


def build(created):
    if created is MULTI:
        return oci.index([(oci.image(MULTI["linux/amd64"]), {"os": "linux", "architecture": "amd64"}),
                          (oci.image(MULTI["linux/arm64"], arch="arm64"),
                           {"os": "linux", "architecture": "arm64"})])
    return oci.image(created)


def build_time(created):
    return content.utc_second(created["linux/amd64"] if created is MULTI else created)


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class NexusPlugin(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-nexus-")
        cls.addClassCleanup(directory.cleanup)
        cls.workdir = directory.name
        cls.upstream = registry.Registry()
        cls.addClassCleanup(cls.upstream.stop)
        cls.upstream.start()
        push.skopeo_push(cls.upstream, {f"{r}/{i}:{t}": build(c) for (r, i, t), c in IMAGES.items()})

        docker = ["docker-hosted", "docker-proxy", "docker-extra", "docker-group"]
        cls.model = NexusModel(cls.upstream, [
            Repo("maven-releases", "hosted", format_="maven2"),
            Repo("docker-group", "group", connector=True, members=["docker-hosted", "docker-proxy"]),
            Repo("docker-hosted", "hosted", connector=True),
            Repo("docker-proxy", "proxy", remote="https://registry-1.docker.io"),
            Repo("docker-extra", "hosted"),
        ], page_size=PAGE_SIZE)
        cls.model.add_user(*ADMIN, User(browse={"*"}, read={"*"}, admin=True))
        cls.model.add_user(*READER, User(browse=docker, read=docker))
        cls.token = cls.model.add_user_token(ADMIN[0])
        cls.model.anonymous = User(browse={"docker-proxy"}, read={"docker-proxy"})
        cls.nexus = NexusEmulator(cls.model).start()
        cls.addClassCleanup(cls.nexus.stop)

    def setUp(self):
        self.nexus.reset()

    # -- helpers ------------------------------------------------------------

    def run_nexus(self, *args, creds=ADMIN, **kwargs):
        if creds:
            args = (f"--username={creds[0]}", f"--password={creds[1]}", *args)
        return self.dry_run(self.nexus.url, *args, **kwargs)

    def prefix(self, repository, via_connector):
        """How the report names a repository's images: the connector's host:port, else the
        main authority and the Nexus repository name (Nexus's path-based form)."""
        if via_connector:
            return f"127.0.0.1:{self.model.repositories[repository].http_port}"
        return f"{self.nexus.authority}/{repository}"

    def expected(self, repositories, connectors=(), as_repository=None):
        """Rows in the report's order: by Nexus repository, image and tag."""
        keyed = [((as_repository or r, i, t), (f"{self.prefix(as_repository or r, (as_repository or r) in connectors)}/{i}",
                                               t, build_time(c), "false"))
                 for (r, i, t), c in IMAGES.items() if r in repositories]
        return [row for _, row in sorted(keyed)]

    def assertNoSecrets(self, result):
        report = ""
        if os.path.exists(result.report_path(self.nexus.authority)):
            with open(result.report_path(self.nexus.authority)) as f:
                report = f.read()
        secrets_ = [ADMIN[1], READER[1], WRONG, self.token[1], basic(*ADMIN).split()[1],
                    basic(*READER).split()[1], basic(*self.token).split()[1]]
        for secret in secrets_:
            for name, text in (("stdout", result.stdout), ("stderr", result.stderr), ("report", report)):
                self.assertNotIn(secret, text, f"a credential leaked into {name}")

    def assertWalked(self, result, repositories, connectors=(), **kwargs):
        self.assertInventory(result, self.nexus.authority, self.expected(repositories, connectors), **kwargs)
        self.assertLogged(result, "^Identified registry as: NEXUS$", "info")
        self.assertNoSecrets(result)

    def component_pages(self, repository):
        return [p for m, p, s, a in self.nexus.requests("/service/rest/v1/components")
                if f"repository={repository}" in p and s == 200]

    # -- identification -----------------------------------------------------

    def test_identified_by_the_server_header(self):
        result = self.run_nexus()
        self.assertWalked(result, {"docker-hosted", "docker-proxy", "docker-extra"}, {"docker-hosted"})
        # The Server header decided in the first pass: no probe was needed.
        self.assertEqual(self.nexus.requests("/service/rest/v1/status"), [])

    def test_identified_by_the_status_probe_when_a_proxy_strips_the_server_header(self):
        self.nexus.server_header = False
        result = self.run_nexus()
        self.assertWalked(result, {"docker-hosted", "docker-proxy", "docker-extra"}, {"docker-hosted"})
        probes = self.nexus.requests("/service/rest/v1/status")
        self.assertEqual(len(probes), 1, probes)
        self.assertIsNone(probes[0][3], "the probe carried credentials")
        # No credentials went to the server before the probe had identified it.
        log = self.nexus.requests("")
        first_credentialed = next(i for i, e in enumerate(log) if e[3])
        self.assertLess(log.index(probes[0]), first_credentialed)

    def test_neutral_host_name_behind_a_header_stripping_proxy(self):
        """A DNS name that says nothing about Nexus, reached through --resolve: the probe
        identifies it, and the connector is reached under the same name."""
        self.nexus.server_header = False
        name = "registry.internal.test"
        connector = self.model.repositories["docker-hosted"].http_port
        result = self.dry_run(f"http://{name}:{self.nexus.server.port}", f"--username={ADMIN[0]}",
                              f"--password={ADMIN[1]}", f"--resolve={name}:{self.nexus.server.port}:127.0.0.1",
                              f"--resolve={name}:{connector}:127.0.0.1")
        authority = f"{name}:{self.nexus.server.port}"
        rows = [(row[0].replace(self.nexus.authority, authority).replace("127.0.0.1:", f"{name}:"), *row[1:])
                for row in self.expected({"docker-hosted", "docker-proxy", "docker-extra"}, {"docker-hosted"})]
        self.assertInventory(result, authority, rows)
        self.assertLogged(result, "^Identified registry as: NEXUS$", "info")
        self.assertEqual(len(self.nexus.requests("/service/rest/v1/status")), 1)

    def test_type_forces_nexus_without_probing(self):
        self.nexus.server_header = False
        result = self.run_nexus("--type=NEXUS")
        self.assertWalked(result, {"docker-hosted", "docker-proxy", "docker-extra"}, {"docker-hosted"})
        self.assertEqual(self.nexus.requests("/service/rest/v1/status"), [])

    # -- the walk -----------------------------------------------------------

    def test_walk_pages_components_and_says_what_it_scans(self):
        result = self.run_nexus()
        self.assertWalked(result, {"docker-hosted", "docker-proxy", "docker-extra"}, {"docker-hosted"})
        # docker-hosted holds 7 components (3 + 1 tags, an index and its 2 images): 4 pages of 2.
        pages = self.component_pages("docker-hosted")
        self.assertEqual(len(pages), 4, pages)
        self.assertEqual(sum("continuationToken=" in p for p in pages), 3, pages)
        self.assertEqual(len(self.component_pages("docker-proxy")), 2)
        self.assertEqual(self.component_pages("docker-group"), [])
        self.assertEqual(self.component_pages("maven-releases"), [])
        self.assertLogged(result, r"docker-group.*group.*(skipped|not scanned).*docker-hosted, docker-proxy", "info")
        self.assertLogged(result, r"docker-proxy.*proxy.*cache", "info")
        self.assertLogged(result, r"docker-hosted.*connector port " + str(self.model.repositories["docker-hosted"].http_port))
        self.assertLogged(result, r"docker-extra.*/repository/docker-extra/v2/")
        # The catalog is never asked; images came through the connector and the path-based route.
        self.assertEqual([e for s in [self.nexus.server, *self.nexus.connectors.values()]
                          for e in self.nexus.requests("/v2/_catalog", s)], [])
        hosted = self.nexus.requests("/v2/team/app/manifests/", self.nexus.connectors["docker-hosted"])
        self.assertTrue(hosted and all(e[2] == 200 for e in hosted if e[3]), hosted)
        proxy = self.nexus.requests("/repository/docker-proxy/v2/library/busybox/manifests/")
        self.assertTrue(any(e[2] == 200 for e in proxy), proxy)

    def test_nexus_repository_limits_the_walk_and_a_named_group_is_scanned(self):
        result = self.run_nexus("--nexus-repository=docker-group", "--nexus-repository=docker-extra")
        rows = self.expected({"docker-extra"}) + self.expected({"docker-hosted", "docker-proxy"}, {"docker-group"},
                                                               as_repository="docker-group")
        self.assertInventory(result, self.nexus.authority, rows)
        self.assertEqual(self.component_pages("docker-hosted"), [])
        self.assertLogged(result, r"docker-group.*group.*named by --nexus-repository", "info")
        self.assertNoSecrets(result)

    def test_unknown_nexus_repository_is_an_error(self):
        result = self.run_nexus("--nexus-repository=nope", "--nexus-repository=maven-releases")
        self.assertExit(result, 2)  # bad arguments
        self.assertLogged(result, r"nope.*(not found|no such|cannot browse)")
        self.assertLogged(result, r"maven-releases.*(maven2|not a docker)")

    def test_a_connector_port_url_says_what_to_give_instead(self):
        port = self.model.repositories["docker-hosted"].http_port
        result = self.dry_run(f"http://127.0.0.1:{port}", f"--username={ADMIN[0]}", f"--password={ADMIN[1]}")
        self.assertNotEqual(result.code, 0)
        self.assertLogged(result, "^Identified registry as: NEXUS$", "info")
        self.assertLogged(result, r"no Nexus REST API here; give the Nexus server's own URL")
        self.assertNoSecrets(result)

    def test_a_refused_repository_is_reported_and_the_rest_goes_on(self):
        self.nexus.refuse_components["docker-extra"] = 403
        result = self.run_nexus()
        rows = self.expected({"docker-hosted", "docker-proxy"}, {"docker-hosted"})
        self.assertInventory(result, self.nexus.authority, rows, repositories_failed=1)
        self.assertLogged(result, r"docker-extra.*HTTP 403", "error")
        self.assertNoSecrets(result)

    def test_hostile_components_are_left_out(self):
        evil = self.model.component("docker-extra", "tools/jq", "1.7", b"{}", "application/json")
        evil.update(name="evil\x1b[31m/x", id="e1")
        traversal = dict(self.model.component("docker-extra", "tools/jq", "../../etc/passwd", b"{}", "x"), id="e2")
        wrong_format = dict(self.model.component("docker-extra", "lib", "1", b"{}", "x"), id="e3", format="maven2")
        self.model.injected["docker-extra"] = [evil, traversal, wrong_format]
        result = self.run_nexus()
        self.assertWalked(result, {"docker-hosted", "docker-proxy", "docker-extra"}, {"docker-hosted"})
        self.assertLogged(result, r"docker-extra: 2 components with a name or version that is not a valid image "
                                  r"name or tag: skipped", "warning")
        self.assertNotIn("\x1b", result.stderr)

    def test_repository_names_the_core_refuses_are_reported_once_and_count_to_no_bound(self):
        """Nexus allows "Docker-Upper" and "docker..dots"; no image of them can be named, so the plugin
        hands each name to the core, which refuses it once, and reads none of their components. Listed
        before the good repositories, they must not spend --max-repositories: the 6 good images are
        exactly the bound. A name outside Nexus's own rule (a control character) is never shown."""
        refused = ["Docker-Upper", "docker..dots"]
        hostile = "evil\x1b[31m"
        original = self.model.repositories
        self.addCleanup(setattr, self.model, "repositories", original)
        self.model.repositories = {name: Repo(name, "hosted") for name in [*refused, hostile]} | original
        for name in refused:
            self.model.injected[name] = [self.model.component(name, "app", "1", b"{}", "x")]
        result = self.run_nexus("--max-repositories=6")
        good = {"docker-hosted", "docker-proxy", "docker-extra"}
        self.assertInventory(result, self.nexus.authority, self.expected(good, {"docker-hosted"}),
                             repositories_failed=len(refused))  # exit 6: docs/cli.md, "Exit codes"
        for name in refused:
            self.assertEqual([m for m in result.messages() if name in m and m.startswith("Refused repository")],
                             [f"Refused repository repository={name} error=invalid repository name '{name}': "
                              f"not in the distribution spec's grammar, not requested"], result)
            self.assertEqual(self.component_pages(name), [])
        self.assertLogged(result, r"^Nexus: 2 repositories \(Docker-Upper, docker\.\.dots\) named with what is not a "
                                  r"lowercase path component of the distribution grammar", "warning")
        self.assertLogged(result, r"^1 Nexus repository listed with a name Nexus does not give .*: skipped", "info")
        self.assertFalse([m for m in result.messages() if "more than 6 repositories" in m or "stopped once" in m],
                         result)
        self.assertNotIn("\x1b", result.stderr + result.stdout)
        self.assertFalse([e for e in self.nexus.requests("/service/rest/v1/components") if "evil" in e[1]])
        self.assertNoSecrets(result)

    def test_refused_on_the_first_page_at_401_too(self):
        self.nexus.refuse_components["docker-proxy"] = 401
        result = self.run_nexus()
        rows = self.expected({"docker-hosted", "docker-extra"}, {"docker-hosted"})
        self.assertInventory(result, self.nexus.authority, rows, repositories_failed=1)
        self.assertLogged(result, r"docker-proxy.*HTTP 401", "error")

    # -- listing bounds -----------------------------------------------------

    def test_max_repositories_stops_the_component_walk_at_one_image_more(self):
        """40 more images, two to a page: the walk stops on the page that brings the 4th image."""
        self.model.injected["docker-extra"] = [self.model.component("docker-extra", f"many/i{k:02d}", "1", b"{}", "x")
                                               for k in range(40)]
        result = self.run_nexus("--nexus-repository=docker-extra", "--max-repositories=3")
        self.assertExit(result, 6)
        self.assertEqual(len(self.component_pages("docker-extra")), 2)
        self.assertLogged(result, r"more than 3 repositories listed; the first 3 are kept \(--max-repositories\)")
        self.assertLogged(result, r"^Nexus repository docker-extra: its listing stopped once the walk held 4 images",
                          "warning")

    def test_max_listed_tags_cuts_that_image_only_and_the_walk_goes_on(self):
        """big reaches 3 tags on page 2 of 4; late's only tag is on page 4, early's second on page 3."""
        self.model.repositories["docker-paged"] = Repo("docker-paged", "hosted")
        self.addCleanup(self.model.repositories.pop, "docker-paged")
        created = {("big", "v0"): "2020-01-01T00:00:00Z", ("big", "v1"): "2020-01-02T00:00:00Z",
                   ("big", "v2"): "2020-01-03T00:00:00Z", ("big", "v3"): "2020-01-04T00:00:00Z",
                   ("early", "v0"): "2021-01-01T00:00:00Z", ("early", "v2"): "2021-01-02T00:00:00Z",
                   ("late", "1.0"): "2022-01-01T00:00:00Z"}
        push.skopeo_push(self.upstream, {f"docker-paged/{i}:{t}": build(c) for (i, t), c in created.items()})
        # The emulator's order (by component id hash) is what this test is about: check it holds.
        order = [(c["name"], c["version"]) for c in self.model.components_of("docker-paged")]
        self.assertEqual(order, [("big", "v0"), ("early", "v2"), ("big", "v1"), ("big", "v2"),
                                 ("big", "v3"), ("early", "v0"), ("late", "1.0")])

        result = self.run_nexus("--nexus-repository=docker-paged", "--max-listed-tags=2")
        self.assertEqual(len(self.component_pages("docker-paged")), 4)
        kept = [("big", "v0"), ("big", "v1"), ("early", "v0"), ("early", "v2"), ("late", "1.0")]
        rows = [(f"{self.nexus.authority}/docker-paged/{i}", t, build_time(created[(i, t)]), "false") for i, t in kept]
        self.assertInventory(result, self.nexus.authority, rows, repositories_failed=1)
        self.assertLogged(result, r"^Failed to list tags repository=docker-paged/big error=more than 2 tags listed; "
                                  r"the first 2 are kept \(--max-listed-tags\)$", "error")
        self.assertEqual([m for m in result.messages("error") if m.startswith("Failed to list tags")],
                         [m for m in result.messages("error") if "repository=docker-paged/big " in m], result)
        self.assertLogged(result, r"^Nexus repository docker-paged: the tags of image big were cut at 3, one more "
                                  r"than the core keeps \(--max-listed-tags\), and 1 later tag of it was not taken; "
                                  r"the other images keep every tag read", "warning")

    def test_a_listing_cut_by_the_host_starts_no_further_repository(self):
        # docker-hosted's 4th page is refused: docker-proxy and docker-extra are not started.
        result = self.run_nexus("--max-listing-pages=3")
        self.assertExit(result, 6)
        self.assertEqual(len(self.component_pages("docker-hosted")), 3)
        self.assertLogged(result, r"Repository listing cut short error=more than 3 requests", "error")
        self.assertLogged(result, r"^Nexus repository docker-hosted \(.*: \d+ images?, \d+ tags? read before the "
                                  r"listing was cut short", "info")
        self.assertLogged(result, r"^Nexus: the listing was cut short; 2 repositories not listed: docker-proxy, "
                                  r"docker-extra", "info")
        self.assertFalse([m for m in result.messages() if m.startswith(("Nexus repository docker-proxy (",
                                                                         "Nexus repository docker-extra ("))],
                         result)

    def test_an_over_long_continuation_token_ends_that_listing_only(self):
        self.model.token_size["docker-hosted"] = 5000
        result = self.run_nexus()
        self.assertEqual(len(self.component_pages("docker-hosted")), 1)
        self.assertEqual(len(self.component_pages("docker-proxy")), 2)
        self.assertEqual(len(self.component_pages("docker-extra")), 1)
        self.assertLogged(result, r"^Nexus repository docker-hosted: its components listing's continuationToken "
                                  r"after 1 page is 5000 bytes long \(at most 4096\): the listing ends there",
                          "warning")
        self.assertNoSecrets(result)

    # -- credentials --------------------------------------------------------

    def test_least_privilege_reader_uses_path_based_routes(self):
        result = self.run_nexus(creds=READER)
        # Without repositorySettings (administrators only) no connector port is known.
        self.assertWalked(result, {"docker-hosted", "docker-proxy", "docker-extra"})
        settings = self.nexus.requests("/service/rest/v1/repositorySettings")
        self.assertEqual([e[2] for e in settings], [403])
        self.assertLogged(result, r"repositorySettings.*403.*path-based")
        self.assertEqual(self.nexus.requests("/v2/_catalog"), [])
        for connector in self.nexus.connectors.values():
            self.assertEqual(connector.log, [])
        # The account really cannot list the catalog: a client relying on it would find nothing.
        self.nexus.reset()
        status, _, _ = self.catalog_as(READER, "/repository/docker-hosted/v2/_catalog")
        self.assertEqual(status, 403)

    def catalog_as(self, creds, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.nexus.server.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Authorization": basic(*creds)})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def test_nexus_pull_path_reads_every_image_path_based(self):
        result = self.run_nexus("--nexus-pull=path")
        self.assertWalked(result, {"docker-hosted", "docker-proxy", "docker-extra"})
        # Told to use paths, it needs no repositorySettings and touches no connector.
        self.assertEqual(self.nexus.requests("/service/rest/v1/repositorySettings"), [])
        for connector in self.nexus.connectors.values():
            self.assertEqual(connector.log, [])

    def test_user_token(self):
        result = self.run_nexus(creds=self.token)
        self.assertWalked(result, {"docker-hosted", "docker-proxy", "docker-extra"}, {"docker-hosted"})
        self.assertTrue(any(e[3] == basic(*self.token) for e in self.nexus.requests("/service/rest/v1/")))

    def test_anonymous_sees_what_anonymous_may_browse(self):
        result = self.run_nexus(creds=None)
        self.assertWalked(result, {"docker-proxy"})
        self.assertLogged(result, r"anonymous", "info")
        self.assertTrue(all(e[3] is None for s in [self.nexus.server, *self.nexus.connectors.values()]
                            for e in self.nexus.requests("", s)))

    def test_wrong_password(self):
        result = self.run_nexus(creds=(ADMIN[0], WRONG))
        self.assertExit(result, 4)
        self.assertLogFormat(result)
        self.assertLogged(result, r"Nexus refused the credentials of 'admin'.*HTTP 401")
        self.assertNoSecrets(result)

    def test_no_credentials_in_trace_output(self):
        for creds in (ADMIN, READER, self.token, None):
            result = self.run_nexus("--log-level=trace", creds=creds)
            self.assertExit(result, 0)
            self.assertNoSecrets(result)
            self.assertTrue(any(" trace " in line for line in result.log_lines), result)

    # -- scan mode ----------------------------------------------------------

    def test_scan_mode_reads_every_layer(self):
        db = osv_db.make_db(self.workdir)
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        result = self.regscan("registry", self.nexus.url, f"--username={READER[0]}", f"--password={READER[1]}",
                              "--mode=scan", "--db", db, "--state", state, "--format=json", "--no-progress")
        self.assertExit(result, 0)
        with open(os.path.join(result.output_dir, self.nexus.authority.replace(".", "-").replace(":", "-")
                               + "-report.json")) as f:
            report = json.load(f)
        expected = sorted((f"{r}/{i}", t, "scanned", build_time(c)) for (r, i, t), c in IMAGES.items())
        self.assertEqual(sorted((i["repository"], i["tag"], i["status"], i["build_time"]) for i in report["images"]),
                         expected)
        for (r, i, t) in IMAGES:
            blobs = [e for e in self.nexus.requests(f"/repository/{r}/v2/{i}/blobs/") if e[0] == "GET"]
            self.assertTrue(blobs and any(e[2] == 200 for e in blobs), (r, i, blobs))
        self.assertNoSecrets(result)


if __name__ == "__main__":
    unittest.main()
