"""The harbor plugin through the real binary, against an emulated Harbor.

The emulator (tests/e2e/emulators/harbor*.py) serves Harbor's REST API, its
token service and the /v2/ front on one HTTPS origin, in front of a real
distribution registry holding every image pushed here. It reproduces Harbor's
quirks: page_size above 100 is a 422, repository names inside API paths need
"/" encoded twice (%252F), X-Total-Count and Link on every listing, robot
accounts named robot$... that may not list /v2/_catalog (nor, some, the
projects), artifacts' media_type being the config's.

Listings are read in pages of 2 (--harbor-page-size=2) so that every level
(projects, a project's repositories, a repository's artifacts) takes more
than one page; one test keeps the default and checks Harbor's maximum.
"""
import base64
import json
import os
import re
import secrets
import shutil
import tempfile
import urllib.parse

from emulators.harbor import Harbor
from emulators import harbor as harbor_emulator, harbor_api, harbor_registry
from harness import case, certs, content, measured_run, oci_layout as oci, osv_db
from harness import http_server

HARBOR_NAME = "harbor.example.test"   # a Harbor-looking host name
NEUTRAL_NAME = "registry.example.test"  # tells nothing
ADMIN = ("admin", "Harbor-" + secrets.token_hex(10))
ROBOT = ("robot$team+ci", "Robot-" + secrets.token_hex(10))            # project robot, may list projects
ROBOT_NO_LIST = ("robot$team+deploy", "Deploy-" + secrets.token_hex(10))  # project robot, may not list them
SYSTEM_ROBOT = ("robot$scanner", "Scan-" + secrets.token_hex(10))      # system robot, may not list projects
WRONG = "Wrong-" + secrets.token_hex(10)

# (repository, tag or None for untagged, created, push time)
SINGLE = [
    ("base/alpine", "3.19", "2023-12-07T10:00:00Z", "2024-01-01T00:00:01.000Z"),
    ("secret/hidden", "s", "2020-01-01T00:00:00Z", "2024-01-01T00:00:02.000Z"),
    ("team/app", "1.0", "2019-01-01T01:29:27Z", "2024-01-01T00:00:03.000Z"),
    ("team/app", "1.1", "2020-02-02T02:02:02Z", "2024-01-01T00:00:04.000Z"),
    ("team/app", "2.0", "2021-06-07T08:09:10Z", "2024-01-01T00:00:05.000Z"),
    ("team/app", None, "2018-03-03T03:03:03Z", "2024-01-01T00:00:06.000Z"),
    ("team/sub/api", "v1", "2022-02-02T02:02:02Z", "2024-01-01T00:00:07.000Z"),
    ("team/web", "prod", "2022-03-03T03:03:03Z", "2024-01-01T00:00:08.000Z"),
    ("tools/jq", "1.7", "2022-04-04T04:04:04Z", "2024-01-01T00:00:09.000Z"),
    ("tools/locked", "x", "2022-05-05T05:05:05Z", "2024-01-01T00:00:10.000Z"),
]
EXTRA_TAGS = {("team/app", "2.0"): "latest"}  # a second tag on the same artifact
MULTI = ("team/multi", "1", {"linux/amd64": "2023-01-01T00:00:00Z", "linux/arm64": "2023-02-02T00:00:00Z"},
         "2024-01-01T00:00:11.000Z")


class HarborPlugin(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-harbor-")
        cls.addClassCleanup(directory.cleanup)
        cls.workdir = directory.name
        cls.ca = certs.CertificateAuthority(
            directory.name, names=f"DNS:{HARBOR_NAME},DNS:{NEUTRAL_NAME},IP:127.0.0.1", common_name=HARBOR_NAME)
        cls.harbor = Harbor(cls.ca)
        cls.addClassCleanup(cls.harbor.stop)
        cls.harbor.start()
        cls.harbor.add_user(*ADMIN, admin=True)
        cls.harbor.add_user(*ROBOT, projects={"team"})
        cls.harbor.add_user(*ROBOT_NO_LIST, projects={"team"}, list_projects="denied")
        cls.harbor.add_user(*SYSTEM_ROBOT, projects={"team", "tools"}, list_projects="denied")
        cls.harbor.model.project("base", public=True)

        cls.entries = {}  # (repo, tag or digest) -> created ({platform: time})
        cls.untagged = {}
        for repo, tag, created, pushed in SINGLE:
            image = oci.image(created, files={"etc/os-release": f'ID={repo.replace("/", "-")}\n'.encode()})
            artifact = cls.harbor.publish(repo, tag, image, pushed, created=created,
                                          platform={"os": "linux", "architecture": "amd64"})
            if tag is None:
                cls.untagged[repo] = artifact.digest
            else:
                cls.entries[(repo, tag)] = {"": created}
            extra = EXTRA_TAGS.get((repo, tag))
            if extra:
                cls.harbor.pusher.put_manifest(repo, extra, image.media_type, image.data)
                artifact.tags.append((extra, pushed))
                cls.entries[(repo, extra)] = {"": created}
        repo, tag, created, pushed = MULTI
        children = [(oci.image(c, arch=p.split("/")[1]), {"os": "linux", "architecture": p.split("/")[1]})
                    for p, c in created.items()]
        cls.harbor.publish(repo, tag, oci.index(children), pushed)
        cls.entries[(repo, tag)] = created

    def setUp(self):
        self.harbor.model.denied.clear()
        self.harbor.front.challenge_service = harbor_registry.SERVICE
        with self.harbor.model.lock:
            self.harbor.api.requests.clear()
            self.harbor.front.requests.clear()

    # -- helpers ------------------------------------------------------------------
    def url(self, name=HARBOR_NAME):
        return self.harbor.url_for(name)

    def run_harbor(self, *args, name=HARBOR_NAME, credentials=ADMIN, page_size="2", **kwargs):
        extra = [f"--ca-cert={self.ca.ca_cert}", self.harbor.resolve(name)]
        if credentials:
            extra += [f"--username={credentials[0]}", f"--password={credentials[1]}"]
        if page_size:
            extra.append(f"--harbor-page-size={page_size}")
        return self.dry_run(self.url(name), *extra, *args, **kwargs)

    def inventory(self, name=HARBOR_NAME, repositories=None):
        inventory = content.Inventory(self.harbor.authority(name))
        for (repo, tag), created in self.entries.items():
            if repositories is None or repo in repositories:
                inventory.add(repo, tag, created)
        for repo, digest in self.untagged.items():
            if repositories is None or repo in repositories:
                # The CSV names an untagged image by no tag (the log and JSON by its digest).
                inventory.add(repo, "", {"": dict((r, c) for r, t, c, _ in SINGLE if t is None)[repo]})
        return inventory

    def expected_rows(self, name=HARBOR_NAME, repositories=None):
        return self.inventory(name, repositories).rows()

    def assertHarborInventory(self, result, name=HARBOR_NAME, repositories=None, **kwargs):
        self.assertLogged(result, r"^Identified registry as: HARBOR$", "info")
        self.assertInventory(result, self.harbor.authority(name), self.expected_rows(name, repositories), **kwargs)
        self.assertNoSecrets(result, name)

    def secrets(self):
        values = [ADMIN[1], ROBOT[1], ROBOT_NO_LIST[1], SYSTEM_ROBOT[1], WRONG, *self.harbor.model.issued]
        for user, password in (ADMIN, ROBOT, ROBOT_NO_LIST, SYSTEM_ROBOT):
            values.append(base64.b64encode(f"{user}:{password}".encode()).decode())
        return values

    def assertNoSecrets(self, result, name=HARBOR_NAME):
        report = ""
        path = result.report_path(self.harbor.authority(name))
        if os.path.exists(path):
            with open(path) as f:
                report = f.read()
        for secret in self.secrets():
            for where, text in (("stdout", result.stdout), ("stderr", result.stderr), ("report", report)):
                self.assertNotIn(secret, text, f"a secret or token leaked into {where}\n{result!r}")

    def api_requests(self, route=None, status=None):
        """(path, user, status) of the API requests, in order."""
        with self.harbor.model.lock:
            entries = list(self.harbor.api.requests)
        return [(path, user, st) for method, path, user, _, st in entries
                if (route is None or urllib.parse.urlsplit(path).path == route)
                and (status is None or st == status)]

    def listing_queries(self, route):
        return [urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)
                for p, _, st in self.api_requests(route) if st == 200]

    # -- identification -------------------------------------------------------------
    def test_identified_from_a_harbor_host_name(self):
        result = self.run_harbor()
        self.assertHarborInventory(result)
        self.assertEqual(self.api_requests("/api/v2.0/systeminfo"), [])  # the URL told, no probe

    def test_identified_on_a_neutral_name_by_harbors_token_challenge(self):
        result = self.run_harbor(name=NEUTRAL_NAME)
        self.assertHarborInventory(result, name=NEUTRAL_NAME)
        self.assertEqual(self.api_requests("/api/v2.0/systeminfo"), [])  # the /v2/ challenge told

    def test_identified_on_a_neutral_name_by_probing_systeminfo(self):
        """With a challenge that does not tell (another token service name), only
        the probe does: one anonymous GET /api/v2.0/systeminfo, before any
        request carrying credentials."""
        self.harbor.front.challenge_service = "token-service"
        result = self.run_harbor(name=NEUTRAL_NAME)
        self.assertHarborInventory(result, name=NEUTRAL_NAME)
        with self.harbor.model.lock:
            entries = list(self.harbor.api.requests)
        probes = [i for i, e in enumerate(entries) if urllib.parse.urlsplit(e[1]).path == "/api/v2.0/systeminfo"]
        self.assertEqual(len(probes), 1, entries)
        self.assertFalse(entries[probes[0]][3], "the probe carried an Authorization header")
        self.assertTrue(all(not e[3] for e in entries[:probes[0]]), entries)
        token_users = {u for u, _ in self.harbor.model.token_requests}
        self.assertIn(ADMIN[0], token_users)

    def test_a_plain_registry_is_not_taken_for_harbor(self):
        """The probe must be able to say no: the distribution registry behind the
        emulator answers the systeminfo probe 404."""
        result = self.dry_run(self.harbor.upstream.url)
        self.assertExit(result, 0)
        self.assertLogged(result, r"^Identified registry as: DEFAULT_V2$", "info")

    def test_type_forces_harbor_without_probing(self):
        self.harbor.front.challenge_service = "token-service"
        result = self.run_harbor("--type=HARBOR", name=NEUTRAL_NAME)
        self.assertHarborInventory(result, name=NEUTRAL_NAME)
        self.assertEqual(self.api_requests("/api/v2.0/systeminfo"), [])

    # -- listing ------------------------------------------------------------------
    def test_every_level_is_read_in_several_pages(self):
        result = self.run_harbor()
        self.assertHarborInventory(result)
        projects = self.listing_queries("/api/v2.0/projects")
        self.assertEqual([q["page"] for q in projects], [["1"], ["2"]])
        self.assertTrue(all(q["page_size"] == ["2"] for q in projects))
        team = self.listing_queries("/api/v2.0/projects/team/repositories")
        self.assertEqual([q["page"] for q in team], [["1"], ["2"]])
        app = self.listing_queries("/api/v2.0/projects/team/repositories/app/artifacts")
        self.assertEqual([q["page"] for q in app], [["1"], ["2"]])
        self.assertTrue(all(q["with_tag"] == ["true"] for q in app))
        # team/sub/api through its twice-encoded name; no request split the name.
        self.assertTrue(self.api_requests("/api/v2.0/projects/team/repositories/sub%252Fapi/artifacts", 200))
        self.assertEqual([r for r in self.api_requests(status=404)], [])
        # Discovery went through the project API, never the catalog.
        self.assertTrue(self.harbor.front.requests)
        self.assertEqual([r for r in self.harbor.front.requests if r[1].startswith("/v2/_catalog")], [])

    def test_default_page_size_is_harbors_maximum(self):
        result = self.run_harbor(page_size=None)
        self.assertHarborInventory(result)
        sizes = {q["page_size"][0] for route in ("/api/v2.0/projects", "/api/v2.0/projects/team/repositories",
                                                   "/api/v2.0/projects/team/repositories/app/artifacts")
                 for q in self.listing_queries(route)}
        self.assertEqual(sizes, {"100"})
        self.assertEqual(self.api_requests(status=422), [])

    def test_page_size_above_harbors_maximum_is_refused_before_any_request(self):
        result = self.run_harbor(page_size="101")
        self.assertExit(result, 2)
        self.assertLogged(result, r"--harbor-page-size must be a number from 1 to 100")
        self.assertEqual(self.api_requests(), [])

    def test_harbor_project_option_limits_the_walk(self):
        result = self.run_harbor("--harbor-project=tools", "--harbor-project", "base")
        self.assertHarborInventory(result, repositories={"tools/jq", "tools/locked", "base/alpine"})
        self.assertEqual(self.api_requests("/api/v2.0/projects"), [])
        self.assertEqual(self.api_requests("/api/v2.0/projects/team/repositories"), [])

    def test_a_dry_run_reads_nothing_the_artifact_listing_told(self):
        # Harbor lists each image's digest, media type and build time: a dry
        # run needs no manifest or blob of a single-platform image.
        result = self.run_harbor()
        self.assertHarborInventory(result)
        pulled = {p.split("/manifests/")[0].split("/blobs/")[0]
                  for _, p, _, _ in self.harbor.front.requests if "/manifests/" in p or "/blobs/" in p}
        self.assertEqual(pulled, {"/v2/team/multi"})  # the index's platforms are read for their build times
        self.assertLogged(result, "^Image details from the listing image=" +
                          re.escape(f"{self.harbor.authority(HARBOR_NAME)}/team/app:1.0") + "$")

    def test_untagged_artifacts_and_index_platforms(self):
        result = self.run_harbor("--log-level=debug")
        self.assertHarborInventory(result)
        self.assertLogged(result, "^Image details from the listing image=" +
                          re.escape(f"{self.harbor.authority(HARBOR_NAME)}/team/app@{self.untagged['team/app']}") + "$")
        # The index's linux/amd64 image was read by the digest Harbor listed in
        # references[]: the index itself was never fetched from the registry.
        index_digest = next(a.digest for a in self.harbor.model.find_repository("team", "multi").artifacts)
        manifests = [p for m, p, _, s in self.harbor.front.requests if "/manifests/" in p]
        self.assertNotIn(f"/v2/team/multi/manifests/{index_digest}", manifests)
        self.assertNotIn("/v2/team/multi/manifests/1", manifests)

    def test_listed_platforms_are_bounded_as_an_index_is(self):
        """Platforms listed with a tag stand for its index: --max-index-entries applies to them too."""
        result = self.run_harbor("--max-index-entries=1")
        self.assertExit(result, 6)
        self.assertLogged(result, r"team/multi:1 \(as listed\) has 2 entries, more than 1 \(--max-index-entries\)")
        manifests = [p for _, p, _, _ in self.harbor.front.requests if p.startswith("/v2/team/multi/manifests/")]
        self.assertEqual(manifests, [])

    # -- accounts -------------------------------------------------------------------
    def assertRobotRun(self, result, user, repositories):
        self.assertHarborInventory(result, repositories=repositories)
        api_users = {u for _, u, _ in self.api_requests()}
        self.assertEqual(api_users, {user}, "every API request ran as the robot (its $ intact)")
        token_users = {u for u, _ in self.harbor.model.token_requests}
        self.assertIn(user, token_users)
        self.assertEqual([r for r in self.harbor.front.requests if r[1].startswith("/v2/_catalog")], [])

    def test_project_robot_on_the_command_line(self):
        before = len(self.harbor.model.token_requests)
        result = self.run_harbor(credentials=ROBOT)
        self.assertRobotRun(result, ROBOT[0], {"base/alpine", "team/app", "team/multi", "team/sub/api",
                                               "team/web"})
        self.assertTrue(all(u == ROBOT[0] for u, _ in self.harbor.model.token_requests[before:]))

    def test_the_robot_cannot_list_the_catalog_which_the_generic_plugin_needs(self):
        """The scenario is real: through /v2/_catalog (--type DEFAULT_V2) the same
        robot gets nothing, where the Harbor plugin lists its projects."""
        result = self.run_harbor("--type=DEFAULT_V2", credentials=ROBOT, page_size=None)
        self.assertNotEqual(result.code, 0, result)
        catalog = [r for r in self.harbor.front.requests if r[1].startswith("/v2/_catalog")]
        self.assertTrue(catalog, "the generic plugin did not ask the catalog")
        self.assertEqual({status for _, _, _, status in catalog}, {401})
        self.assertNoSecrets(result)

    def test_project_robot_from_the_environment(self):
        result = self.run_harbor(credentials=None, env={"REGSCAN_REGISTRY_USERNAME": ROBOT[0],
                                                        "REGSCAN_REGISTRY_PASSWORD": ROBOT[1]})
        self.assertRobotRun(result, ROBOT[0], {"base/alpine", "team/app", "team/multi", "team/sub/api",
                                               "team/web"})

    def test_project_robot_from_the_config_file(self):
        directory = tempfile.mkdtemp(prefix="regscan-e2e-harbor-config-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "config")
        with open(path, "w") as f:
            f.write(f"username = {ROBOT[0]}\npassword = {ROBOT[1]}\n")
        result = self.run_harbor(f"--config={path}", credentials=None)
        self.assertRobotRun(result, ROBOT[0], {"base/alpine", "team/app", "team/multi", "team/sub/api",
                                               "team/web"})

    def test_robot_that_cannot_list_projects_walks_its_own(self):
        result = self.run_harbor(credentials=ROBOT_NO_LIST)
        self.assertRobotRun(result, ROBOT_NO_LIST[0], {"team/app", "team/multi", "team/sub/api", "team/web"})
        self.assertLogged(result, r"walking its own project team", "info")
        self.assertEqual([s for _, _, s in self.api_requests("/api/v2.0/projects")], [403])

    def test_system_robot_that_cannot_list_projects_needs_harbor_project(self):
        refused = self.run_harbor(credentials=SYSTEM_ROBOT)
        self.assertExit(refused, 4)
        self.assertLogged(refused, r"--harbor-project")
        self.assertNoSecrets(refused)
        result = self.run_harbor("--harbor-project=team,tools", credentials=SYSTEM_ROBOT)
        self.assertRobotRun(result, SYSTEM_ROBOT[0], {"team/app", "team/multi", "team/sub/api", "team/web",
                                                      "tools/jq", "tools/locked"})

    def test_anonymous_walks_public_projects_only(self):
        result = self.run_harbor(credentials=None)
        self.assertHarborInventory(result, repositories={"base/alpine"})
        self.assertEqual({u for _, u, _ in self.api_requests()}, {None})
        with self.harbor.model.lock:
            self.assertTrue(all(not e[3] for e in self.harbor.api.requests), "an anonymous run sent credentials")

    def test_wrong_password_is_refused_clearly(self):
        result = self.run_harbor(credentials=(ADMIN[0], WRONG))
        self.assertExit(result, 4)
        self.assertLogged(result, r"HTTP 401")
        self.assertNoSecrets(result)

    # -- failures and pushes during the walk ---------------------------------------------
    def test_refused_project_and_repository_are_reported_and_the_rest_goes_on(self):
        self.harbor.model.denied.update({("project", "secret"), ("repository", "tools/locked")})
        result = self.run_harbor("--format=json")
        everything = {r for r, _ in self.entries} | set(self.untagged)
        self.assertHarborInventory(result, repositories=everything - {"secret/hidden", "tools/locked"},
                                   repositories_failed=1)
        self.assertLogged(result, r"Failed to list tags repository=tools/locked .*403", "error")
        self.assertLogged(result, r"Harbor project secret: its repositories could not be listed .*403", "warning")
        self.assertIn("Harbor project secret", result.stdout)  # the summary's discovery notes

    def test_a_push_during_the_walk_is_noted(self):
        """Harbor pages by offset: an artifact pushed between two pages shifts the
        next page (its first artifact comes again) and the new one is not seen.
        X-Total-Count changes, and the run says so in the log and the summary."""
        route = "/api/v2.0/projects/team/repositories/app/artifacts"
        late = oci.image("2025-05-05T05:05:05Z", files={"etc/late": b"late\n"})
        pushed = []

        def push_now():
            pushed.append(self.harbor.publish("team/app", "late", late, "2025-06-01T00:00:00.000Z",
                                              created="2025-05-05T05:05:05Z",
                                              platform={"os": "linux", "architecture": "amd64"}))

        self.harbor.model.before_page[(route, 2)] = push_now
        self.addCleanup(self._forget, "team/app", late.digest)
        result = self.run_harbor()
        self.assertEqual(len(pushed), 1, "the emulator's push hook did not run")
        self.assertHarborInventory(result)  # nothing listed twice, nothing lost of what was there
        self.assertLogged(result, r"Harbor repository team/app's artifact list changed while it was read "
                                  r"\(X-Total-Count 4 -> 5 ", "warning")
        self.assertIn("X-Total-Count 4 -> 5", result.stdout)

    def _forget(self, repo, digest):
        project, _, short = repo.partition("/")
        repository = self.harbor.model.find_repository(project, short)
        with self.harbor.model.lock:
            repository.artifacts = [a for a in repository.artifacts if a.digest != digest]

    # -- secrets and scan mode --------------------------------------------------------
    def test_no_credential_in_any_trace_line(self):
        for credentials in (ADMIN, ROBOT):
            result = self.run_harbor("--log-level=trace", credentials=credentials)
            self.assertExit(result, 0)
            self.assertTrue(any("trace" in line for line in result.log_lines), "no trace output")
            self.assertNoSecrets(result)
        self.assertGreater(len(self.harbor.model.issued), 0)

    def test_scan_mode_reads_every_image(self):
        workdir = tempfile.mkdtemp(prefix="regscan-e2e-harbor-scan-")
        self.addCleanup(shutil.rmtree, workdir, True)
        result = self.regscan("registry", self.url(), f"--ca-cert={self.ca.ca_cert}", self.harbor.resolve(HARBOR_NAME),
                              f"--username={ROBOT[0]}", f"--password={ROBOT[1]}", "--harbor-page-size=2",
                              "--mode=scan", "--db", osv_db.make_db(workdir), "--state",
                              os.path.join(workdir, "state.db"), "--format=json", "--no-progress")
        self.assertExit(result, 0)
        self.assertLogged(result, r"^Identified registry as: HARBOR$", "info")
        with open(osv_db.report_json_path(result.output_dir, self.harbor.authority(HARBOR_NAME))) as f:
            report = json.load(f)
        robot_repos = {"base/alpine", "team/app", "team/multi", "team/sub/api", "team/web"}
        expected = {(row[0], row[1]) for row in self.expected_rows(repositories=robot_repos)}
        scanned = {(f"{self.harbor.authority(HARBOR_NAME)}/{i['repository']}", i.get("tag") or "")
                   for i in report["images"]}
        self.assertEqual(scanned, expected)
        self.assertEqual({i["status"] for i in report["images"]}, {"scanned"})
        untagged = [i for i in report["images"] if i["repository"] == "team/app" and not i.get("tag")]
        self.assertEqual([i.get("digest") for i in untagged], [self.untagged["team/app"]], untagged)
        self.assertNoSecrets(result)


class HarborListingCut(case.RegscanCase):
    """A listing cut at --max-listing-pages keeps what was read (docs/limits.md). The catalog is every project's
    repository list after the project list: a cut inside project alpha, or at the first page of the project after
    it, keeps alpha's repositories read and starts no further project; `<catalog>` is reported failed. A
    repository's artifact list cut keeps the tags of its pages read. Pages of 2 (--harbor-page-size)."""
    PAGE = 2
    ALPHA = [f"alpha/r{i}" for i in range(1, 6)]
    OTHERS = ["beta/app", "gamma/app"]
    MANY = "omega/many"

    @classmethod
    def setUpClass(cls):
        directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-harbor-cut-")
        cls.addClassCleanup(directory.cleanup)
        cls.ca, cls.harbor = harbor_emulator.serve_for_class(cls, directory.name, HARBOR_NAME, ADMIN)
        tags = [(repo, "1.0") for repo in cls.ALPHA + cls.OTHERS] + [(cls.MANY, f"v{i}") for i in range(5)]
        cls.entries = {}
        for i, (repo, tag) in enumerate(tags):
            created = f"{2010 + i}-03-04T05:06:07Z"
            image = oci.image(created, files={"etc/which": f"{repo}:{tag}\n".encode()})
            cls.harbor.publish(repo, tag, image, f"2024-01-01T00:00:{i:02d}.000Z", created=created,
                               platform={"os": "linux", "architecture": "amd64"})
            cls.entries[(repo, tag)] = {"": created}

    def setUp(self):
        with self.harbor.model.lock:
            self.harbor.api.requests.clear()

    def run_harbor(self, *args):
        return self.dry_run(self.harbor.url_for(HARBOR_NAME), f"--ca-cert={self.ca.ca_cert}",
                            self.harbor.resolve(HARBOR_NAME), f"--username={ADMIN[0]}", f"--password={ADMIN[1]}",
                            f"--harbor-page-size={self.PAGE}", *args)

    def pages(self, items):
        return -(-items // self.PAGE)

    def listings(self):
        """(route, page) of every API request, in order; all answered 200."""
        with self.harbor.model.lock:
            requests = list(self.harbor.api.requests)
        self.assertEqual({status for *_, status in requests}, {200}, requests)
        urls = [urllib.parse.urlsplit(path) for _, path, *_ in requests]
        return [(url.path, int(urllib.parse.parse_qs(url.query)["page"][0])) for url in urls]

    def assertRows(self, result, keys, repositories_failed):
        inventory = content.Inventory(self.harbor.authority(HARBOR_NAME))
        for key in keys:
            inventory.add(*key, self.entries[key])
        self.assertInventory(result, self.harbor.authority(HARBOR_NAME), inventory.rows(),
                             repositories_failed=repositories_failed)

    def assertCatalogCut(self, result, pages, kept):
        self.assertLogged(result, r"^Repository listing cut short error=more than " + str(pages) +
                          r" requests \(--max-listing-pages\); " + str(len(kept)) + " repositories read are kept$",
                          "error")
        self.assertRows(result, [key for key in self.entries if key[0] in kept], repositories_failed=1)

    def catalog_requests(self, listings):
        return [(route, page) for route, page in listings if not route.endswith("/artifacts")]

    def test_catalog_cut_inside_a_project_keeps_its_repositories_read(self):
        projects = sorted(self.harbor.model.projects)
        self.assertEqual(projects[0], "alpha")
        project_pages = self.pages(len(projects))
        result = self.run_harbor(f"--max-listing-pages={project_pages + 1}")
        listings = self.listings()
        alpha = "/api/v2.0/projects/alpha/repositories"
        # Exactly these: no other page of alpha's, no other project's repository list was asked.
        self.assertEqual(self.catalog_requests(listings),
                         [("/api/v2.0/projects", p) for p in range(1, project_pages + 1)] + [(alpha, 1)])
        # The first page the emulator served: Harbor lists a project's repositories by name.
        kept = [r.name for _, r in sorted(self.harbor.model.projects["alpha"].repositories.items())][:self.PAGE]
        self.assertCatalogCut(result, project_pages + 1, kept)
        # The tags of the repositories kept are listed, of no other.
        artifacts = sorted(route for route, _ in listings if route.endswith("/artifacts"))
        self.assertEqual(artifacts, [f"{alpha}/{name.partition('/')[2]}/artifacts" for name in kept])

    def test_catalog_cut_at_the_next_projects_first_page_keeps_every_project_read(self):
        projects = sorted(self.harbor.model.projects)
        self.assertEqual(projects[:2], ["alpha", "beta"])
        project_pages, alpha_pages = self.pages(len(projects)), self.pages(len(self.ALPHA))
        self.assertGreater(alpha_pages, 1)
        bound = project_pages + alpha_pages
        result = self.run_harbor(f"--max-listing-pages={bound}")
        listings = self.listings()
        # Beta's first page was refused at the bound: neither it nor gamma's or omega's list was asked.
        self.assertEqual(self.catalog_requests(listings),
                         [("/api/v2.0/projects", p) for p in range(1, project_pages + 1)] +
                         [("/api/v2.0/projects/alpha/repositories", p) for p in range(1, alpha_pages + 1)])
        self.assertCatalogCut(result, bound, self.ALPHA)
        self.assertEqual(len([route for route, _ in listings if route.endswith("/artifacts")]), len(self.ALPHA))

    def test_artifact_list_cut_keeps_the_tags_of_the_pages_read(self):
        project, _, short = self.MANY.partition("/")
        repository = self.harbor.model.find_repository(project, short)
        artifact_pages = self.pages(len(repository.artifacts))
        self.assertGreater(artifact_pages, 2)
        bound = artifact_pages - 1
        # Only omega is walked: its repository list is one request, within the bound.
        result = self.run_harbor(f"--harbor-project={project}", f"--max-listing-pages={bound}")
        route = f"/api/v2.0/projects/{project}/repositories/{short}/artifacts"
        self.assertEqual(self.listings(), [(f"/api/v2.0/projects/{project}/repositories", 1)] +
                         [(route, p) for p in range(1, bound + 1)])
        # Harbor lists the newest push first: the tags of the artifacts on the pages served.
        kept = [(self.MANY, name) for artifact in repository.artifacts[:bound * self.PAGE] for name, _ in artifact.tags]
        self.assertEqual(len(kept), bound * self.PAGE)
        self.assertRows(result, kept, repositories_failed=1)
        self.assertOnlyTagListingCut(result, self.MANY, bound, len(kept))


class HarborFailingProject(case.RegscanCase):
    """One project's repository listing failing, whatever the failure (not an array, a next page on another
    origin, a 500 after retries), is that project's discovery note: the projects before and after it are
    walked, and what it read before the failure is kept. Only when every project fails is the listing an
    error. Also what a hostile listing names: repositories outside their project (one log line for all),
    a project name Harbor cannot have (never put in a path), an impossible build time (dropped)."""
    PROJECTS = ("alpha", "beta", "gamma")

    @classmethod
    def setUpClass(cls):
        directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-harbor-failing-")
        cls.addClassCleanup(directory.cleanup)
        cls.ca, cls.harbor = harbor_emulator.serve_for_class(cls, directory.name, HARBOR_NAME, ADMIN)
        cls.entries = {}
        for i, project in enumerate(cls.PROJECTS):
            repo, created = f"{project}/app", f"{2011 + i}-03-04T05:06:07Z"
            image = oci.image(created, files={"etc/which": f"{repo}\n".encode()})
            cls.harbor.publish(repo, "1.0", image, f"2024-01-01T00:00:0{i}.000Z", created=created,
                               platform={"os": "linux", "architecture": "amd64"})
            cls.entries[(repo, "1.0")] = {"": created}

    def setUp(self):
        with self.harbor.model.lock:
            self.harbor.api.requests.clear()
            self.harbor.model.replace_page.clear()

    def run_harbor(self, *args):
        return self.dry_run(self.harbor.url_for(HARBOR_NAME), f"--ca-cert={self.ca.ca_cert}",
                            self.harbor.resolve(HARBOR_NAME), f"--username={ADMIN[0]}", f"--password={ADMIN[1]}",
                            *args)

    def replace(self, project, reply):
        self.harbor.model.replace_page[(f"/api/v2.0/projects/{project}/repositories", 1)] = lambda request: reply

    def assertRepositories(self, result, repositories, entries=None, notes=1):
        entries = entries or self.entries
        inventory = content.Inventory(self.harbor.authority(HARBOR_NAME))
        for (repo, tag), created in entries.items():
            if repo in repositories:
                inventory.add(repo, tag, created)
        self.assertInventory(result, self.harbor.authority(HARBOR_NAME), inventory.rows())
        self.assertEqual(result.summary().get("Discovery notes"), str(notes) if notes else None, result)

    def assertProjectNote(self, result, project, reason):
        self.assertLogged(result, rf"^Harbor project {project}: its repositories could not be listed \(.*{reason}.*\); "
                                  rf"(\d+ read before are kept; )?the other projects were walked plugin=harbor$",
                          "warning")
        self.assertIn(f"Harbor project {project}: its repositories could not be listed", result.stdout)

    def repository_lists(self):
        with self.harbor.model.lock:
            paths = [path for _, path, *_ in self.harbor.api.requests]
        return [urllib.parse.urlsplit(p).path for p in paths if urllib.parse.urlsplit(p).path != "/api/v2.0/projects"
                and not urllib.parse.urlsplit(p).path.endswith("/artifacts")]

    def test_a_repository_list_that_is_not_an_array_is_that_projects_note(self):
        self.replace("beta", http_server.json_reply(200, {"not": "an array"}))
        result = self.run_harbor()
        self.assertRepositories(result, {"alpha/app", "gamma/app"})
        self.assertProjectNote(result, "beta", "expected a JSON array")

    def test_a_next_page_on_another_origin_is_that_projects_note_and_its_first_page_is_kept(self):
        elsewhere = "https://elsewhere.example.test/api/v2.0/projects/beta/repositories?page=2&page_size=100"
        self.replace("beta", http_server.json_reply(200, [{"id": 99, "name": "beta/app"}],
                                                    {"X-Total-Count": "2", "Link": f'<{elsewhere}>; rel="next"'}))
        result = self.run_harbor()
        self.assertRepositories(result, {"alpha/app", "beta/app", "gamma/app"})
        self.assertProjectNote(result, "beta", "pagination link to another origin refused")
        self.assertLogged(result, r"^Harbor project beta: .*; 1 read before are kept; ", "warning")

    def test_a_project_failing_after_retries_is_that_projects_note(self):
        failure = harbor_api.errors(500, "UNKNOWN", "internal error")
        failure.headers["Retry-After"] = "0"  # retried at once
        self.replace("beta", failure)
        result = self.run_harbor("--retries=2")
        self.assertRepositories(result, {"alpha/app", "gamma/app"})
        self.assertProjectNote(result, "beta", "HTTP 500")
        self.assertEqual(self.repository_lists().count("/api/v2.0/projects/beta/repositories"), 3)

    def test_every_project_failing_is_still_an_error(self):
        for project in self.PROJECTS:
            self.replace(project, harbor_api.errors(502, "UNKNOWN", "bad gateway"))
        result = self.run_harbor("--retries=0")
        self.assertExit(result, 6)
        self.assertLogged(result, r"Harbor could not list the repositories of any project for 'admin' \(GET "
                                  r"https://.*/api/v2\.0/projects/alpha/repositories\?.*: HTTP 502", "error")
        self.assertEqual(self.repository_lists(), [f"/api/v2.0/projects/{p}/repositories" for p in self.PROJECTS])

    def test_repositories_outside_their_project_make_one_warning(self):
        listed = [{"name": f"x{i}"} for i in range(300)] + [{"name": "beta/app"}]
        self.replace("beta", http_server.json_reply(200, listed, {"X-Total-Count": str(len(listed))}))
        result = self.run_harbor()
        self.assertRepositories(result, {"alpha/app", "beta/app", "gamma/app"}, notes=0)
        outside = [m for m in result.messages() if "outside it" in m]
        self.assertEqual(outside, ["Harbor project beta listed 300 repositories outside it, ignored: "
                                   "x0, x1, x2, x3, x4 and 295 more plugin=harbor"], result)

    def test_a_project_name_harbor_cannot_have_is_a_note_not_a_request(self):
        # ".." in projects/../repositories would be read as /api/v2.0/repositories: Harbor's global listing.
        for name in ("..", "Upper"):
            self.harbor.model.project(name)
            self.addCleanup(self.harbor.model.projects.pop, name)
        result = self.run_harbor()
        self.assertRepositories(result, {"alpha/app", "beta/app", "gamma/app"})
        self.assertLogged(result, r"^Harbor listed 2 projects by a name Harbor cannot give a project, not walked: "
                                  r"\.\., Upper plugin=harbor$", "warning")
        self.assertEqual(self.repository_lists(), [f"/api/v2.0/projects/{p}/repositories" for p in self.PROJECTS])

    def test_an_impossible_time_is_dropped_not_passed_on(self):
        """The plugin hands the core its tags newest push first, and --max-listed-tags keeps the first N in that
        order: an impossible push time must not make a tag the newest. An impossible build time is dropped too,
        and the build time read from the image config instead."""
        created = "2019-09-09T09:09:09Z"
        newest = oci.image(created, files={"etc/which": b"alpha/odd:newest\n"})
        self.harbor.publish("alpha/odd", "newest", newest, "2024-01-01T00:00:00.000Z", created="9999-99-99T99:99:99Z",
                            platform={"os": "linux", "architecture": "amd64"})
        impossible = oci.image("2018-08-08T08:08:08Z", files={"etc/which": b"alpha/odd:impossible\n"})
        self.harbor.publish("alpha/odd", "impossible", impossible, "2024-02-30T00:00:00.000Z",
                            created="2018-08-08T08:08:08Z", platform={"os": "linux", "architecture": "amd64"})
        self.addCleanup(self.harbor.model.projects["alpha"].repositories.pop, "odd")
        result = self.run_harbor("--max-listed-tags=1")
        inventory = content.Inventory(self.harbor.authority(HARBOR_NAME))
        for (repo, tag), times in {**self.entries, ("alpha/odd", "newest"): {"": created}}.items():
            inventory.add(repo, tag, times)
        self.assertInventory(result, self.harbor.authority(HARBOR_NAME), inventory.rows(), repositories_failed=1)
        self.assertLogged(result, r"^Failed to list tags repository=alpha/odd error=more than 1 tags listed; the "
                                  r"first 1 are kept \(--max-listed-tags\)$", "error")


class HarborHostileListing(case.RegscanCase):
    """An artifact's fields are copied into each of its tags: one hostile artifact of a 1 MiB media type and
    600 tags would be 600 MiB in the plugin, then again in what it hands the core."""

    @classmethod
    def setUpClass(cls):
        directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-harbor-hostile-")
        cls.addClassCleanup(directory.cleanup)
        cls.ca, cls.harbor = harbor_emulator.serve_for_class(cls, directory.name, HARBOR_NAME, ADMIN)
        cls.harbor.model.project("team", public=False)
        image = oci.image("2023-03-03T03:03:03Z", files={"etc/os-release": b"ID=good\n"})
        cls.harbor.publish("team/good", "1.0", image, "2024-01-01T00:00:01.000Z", created="2023-03-03T03:03:03Z",
                           platform={"os": "linux", "architecture": "amd64"})
        cls.harbor.list_only("team/bomb", "sha256:" + "b" * 64, "2024-01-01T00:00:02.000Z",
                             tags=[f"t{i}" for i in range(600)],
                             media_type=oci.OCI_MANIFEST + ";x=" + "x" * (1 << 20))

    def test_an_oversized_field_is_not_copied_into_each_tag(self):
        result = measured_run.run("registry", self.harbor.url_for(HARBOR_NAME), "--mode=dry-run", "--no-progress",
                                  f"--ca-cert={self.ca.ca_cert}", self.harbor.resolve(HARBOR_NAME),
                                  f"--username={ADMIN[0]}", f"--password={ADMIN[1]}", timeout=300)
        self.assertLess(result.peak_rss_kib, 400 * 1024, f"peak RSS too high\n{result!r}")
        # The bomb's tags lost only their media type: each is asked of the registry, which does not hold them.
        self.assertExit(result, 6)
        self.assertSummary(result, self.harbor.authority(HARBOR_NAME), found=601, skipped=0, repositories_failed=0,
                           images_failed=600)
        rows = {(row[0], row[1]) for row in result.rows(self.harbor.authority(HARBOR_NAME))[1]}
        self.assertIn((f"{self.harbor.authority(HARBOR_NAME)}/team/good", "1.0"), rows)

