"""The dockerhub plugin against emulators of the Docker Hub API, auth.docker.io
and registry-1.docker.io (tests/e2e/emulators/dockerhub*.py) whose /v2/ traffic
reaches a real distribution registry holding the images built here.

Pages hold 2 entries, so every listing of more than 2 follows `next`.

The repository column: Docker Hub images are `docker.io/<namespace>/<repo>`
to every client, and the plugin names that reference for each repository, so
the rows say docker.io whatever URL regscan was given (the CSV file is still
named after that URL's host).
"""
import base64
import datetime
import tempfile
import shutil
import os
import json
import re
import secrets
import threading
import time
import unittest

from emulators import dockerhub, dockerhub_model
from harness import osv_db
from harness import case, content, oci_layout as oci

USER = "hubuser"
PASSWORD = "Pw-" + secrets.token_hex(12)
PAT = "dckr_pat_" + secrets.token_hex(12)
WRONG = "dckr_pat_" + secrets.token_hex(12)
OTHER_PAT = "dckr_pat_" + secrets.token_hex(12)

AMD64 = {"os": "linux", "architecture": "amd64"}
ARM64 = {"os": "linux", "architecture": "arm64", "variant": "v8"}

# (namespace, repository, tag, {platform: created} or {"": created}, pushed, private)
IMAGES = [
    ("acme", "api", "1.0", {"": "2019-01-01T01:29:27Z"}, "2024-01-10T10:00:00.000001Z", False),
    ("acme", "api", "1.1", {"": "2020-02-02T02:02:02.5Z"}, "2024-02-10T10:00:00Z", False),
    ("acme", "api", "latest", {"linux/amd64": "2021-03-03T03:03:03Z", "linux/arm64/v8": "2021-03-04T04:04:04Z"},
     "2024-03-10T10:00:00.5Z", False),
    ("acme", "web", "2.0", {"": "2022-05-05T05:05:05+02:00"}, "2023-12-24T18:00:00Z", False),
    ("acme", "worker", "0.9", {"": "2017-07-07T07:07:07Z"}, "2022-01-01T00:00:00Z", False),
    ("acme", "internal", "v1", {"": "2018-08-08T08:08:08Z"}, "2024-04-01T00:00:00Z", True),
    (USER, "tool", "0.1", {"": "2016-06-06T06:06:06Z"}, "2021-06-06T06:06:06Z", False),
    (USER, "secret-svc", "v2", {"": "2015-05-05T05:05:05Z"}, "2021-05-05T05:05:05Z", True),
    ("library", "alpine", "3.19", {"linux/amd64": "2023-12-07T11:00:00Z", "linux/arm64/v8": "2023-12-07T11:30:00Z"},
     "2024-01-27T00:00:00Z", False),
    ("other", "hidden", "1", {"": "2014-04-04T04:04:04Z"}, "2020-04-04T04:04:04Z", True),
]


def build_manifest(created):
    if "" in created:
        return oci.image(created[""])
    children = []
    for platform, when in created.items():
        os_name, arch, *variant = platform.split("/")
        spec = dict(AMD64 if arch == "amd64" else ARM64)
        children.append((oci.image(when, os_name=os_name, arch=arch, variant=variant[0] if variant else None),
                         spec))
    return oci.index(children)


def start_hub(real_names):
    hub = dockerhub.DockerHub(max_page_size=2, real_names=real_names)
    hub.start()
    try:
        hub.model.add_account(dockerhub_model.Account(USER, PASSWORD, [PAT], member_of=["acme"]))
        hub.model.add_account(dockerhub_model.Account("other", "Other-" + secrets.token_hex(8),
                                                                [OTHER_PAT]))
        hub.model.add_namespace("acme")
        hub.model.add_namespace("library")
        hub.model.add_namespace("empty-org")
        hub.publish([(ns, repo, tag, build_manifest(created), pushed, private)
                     for ns, repo, tag, created, pushed, private in IMAGES])
    except BaseException:
        hub.stop()
        raise
    return hub


def expected_rows(host, namespaces, private=False, skipped=()):
    """The CSV rows for `namespaces` as a user sees them (private: may read acme's and own private repos);
    `skipped`: (repository, tag) keys the run must skip."""
    inventory = content.Inventory("docker.io")
    for ns, repo, tag, created, _, is_private in IMAGES:
        if ns not in namespaces:
            continue
        if is_private and not (private and ns in ("acme", USER)):
            continue
        inventory.add(f"{ns}/{repo}", tag, created)
    return inventory.rows(skipped=skipped)


class DockerHubCase(case.RegscanCase):
    """Shared checks; the subclass sets `hub`."""

    def setUp(self):
        front = self.hub.front
        front.pull_limit = front.pulls_left = 100
        front.limited, front.reset_after_429, front.retry_after = True, True, "1"
        self.hub.api.auth_token_route = self.hub.api.namespaces_routes = True
        self.hub.api.expire_tokens_after(None)
        self.first_issued = len(self.hub.model.issued)
        self.first_auth = len(self.hub.auth.requests)
        self.first_front = len(self.hub.front.requests)
        self.first_login = len(self.hub.api.logins)
        self.first_listing = len(self.hub.api.listings)

    def secrets_in_play(self):
        issued = self.hub.model.issued[self.first_issued:]
        return [PASSWORD, PAT, WRONG, OTHER_PAT,
                base64.b64encode(f"{USER}:{PAT}".encode()).decode(),
                base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
                base64.b64encode(f"{USER}:{WRONG}".encode()).decode()] + issued + \
            [token.rsplit(".", 1)[1] for token in issued]

    def assertNoSecrets(self, result, host):
        report = ""
        try:
            with open(result.report_path(host)) as f:
                report = f.read()
        except FileNotFoundError:
            pass
        for secret in self.secrets_in_play():
            for name, text in (("stdout", result.stdout), ("stderr", result.stderr), ("report", report)):
                self.assertNotIn(secret, text, f"a secret leaked into {name}")

    def auth_requests(self):
        return self.hub.auth.requests[self.first_auth:]

    def front_requests(self):
        return self.hub.front.requests[self.first_front:]


class DockerHubEmulated(DockerHubCase):
    """https://hub.docker.com:<port> (resolved to loopback) with --hub-api and
    --hub-registry pointing at the emulators."""

    @classmethod
    def setUpClass(cls):
        cls.hub = start_hub(real_names=False)
        cls.addClassCleanup(cls.hub.stop)
        cls.host = cls.hub.hub_url.split("://", 1)[1]

    def scan(self, *args, env=None, endpoints=True, **kwargs):
        options = self.hub.endpoint_options() if endpoints else []
        return self.dry_run(self.hub.hub_url, *self.hub.args(), *options, *args, env=env, **kwargs)

    def pat(self):
        return [f"--username={USER}", f"--password={PAT}"]

    def test_namespace_with_personal_access_token(self):
        result = self.scan(*self.pat(), "--namespace=acme")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}, private=True))
        self.assertLogged(result, r"^Identified registry as: DOCKERHUB$", "info")
        self.assertLogged(result, rf"^Logged in to the Docker Hub API as {USER} \(/v2/auth/token\)", "info")
        self.assertEqual(self.hub.api.logins[self.first_login:], [("/v2/auth/token", USER, True)])
        # Both listings really were paged: 4 repositories and 3 tags, 2 per page.
        paths = [path for path, _, _ in self.hub.api.listings[self.first_listing:]]
        self.assertIn("/v2/namespaces/acme/repositories?page=2&page_size=2", paths)
        self.assertIn("/v2/namespaces/acme/repositories/api/tags?page=2&page_size=2", paths)
        self.assertTrue(all(user == USER for _, user, _ in self.hub.api.listings[self.first_listing:]))
        self.assertNoSecrets(result, self.host)

    def test_scan_mode_pulls_through_registry_1(self):
        workdir = tempfile.mkdtemp(prefix="regscan-e2e-hub-scan-")
        self.addCleanup(shutil.rmtree, workdir, True)
        result = self.regscan("registry", self.hub.hub_url, *self.hub.args(), *self.hub.endpoint_options(),
                              *self.pat(), "--namespace=acme", "--mode=scan", "--db", osv_db.make_db(workdir),
                              "--state", os.path.join(workdir, "state.db"), "--format=json", "--no-progress")
        self.assertExit(result, 0)
        with open(osv_db.report_json_path(result.output_dir, self.host)) as f:
            report = json.load(f)
        expected = {(row[0].split("/", 1)[1], row[1])
                    for row in expected_rows(self.host, {"acme"}, private=True) if row[3] == "false"}
        self.assertEqual({(i["repository"], i["tag"]) for i in report["images"]}, expected)
        self.assertEqual({i["status"] for i in report["images"]}, {"scanned"})
        self.assertNoSecrets(result, self.host)

    def test_rescan_of_unchanged_images_costs_no_pull(self):
        workdir = tempfile.mkdtemp(prefix="regscan-e2e-hub-rescan-")
        self.addCleanup(shutil.rmtree, workdir, True)
        db, state = osv_db.make_db(workdir), os.path.join(workdir, "state.db")
        args = ["registry", self.hub.hub_url, *self.hub.args(), *self.hub.endpoint_options(), *self.pat(),
                "--namespace=acme", "--mode=scan", "--db", db, "--state", state, "--format=json", "--no-progress"]
        self.assertExit(self.regscan(*args), 0)
        left_after_first = self.hub.front.pulls_left
        self.assertLess(left_after_first, 100)  # the first scan did pull
        second = self.regscan(*args)
        self.assertExit(second, 0)
        # manifests were only HEADed (free), nothing was pulled again
        self.assertEqual(self.hub.front.pulls_left, left_after_first)
        with open(osv_db.report_json_path(second.output_dir, self.host)) as f:
            self.assertEqual({i["status"] for i in json.load(f)["images"]}, {"reused"})

    def test_listed_platforms_spare_the_index_pull(self):
        """The Hub tag listing names each platform's manifest digest, so the
        index is never fetched: a multi-platform tag costs a pull per platform
        read, not one more for the index."""
        workdir = tempfile.mkdtemp(prefix="regscan-e2e-hub-platforms-")
        self.addCleanup(shutil.rmtree, workdir, True)
        latest = self.hub.model.repositories[("acme", "api")].tags["latest"]
        children = {image["digest"]: f"{image['os']}/{image['architecture']}/{image['variant']}"
                    if image.get("variant") else f"{image['os']}/{image['architecture']}" for image in latest.images}
        self.assertEqual(len(children), 2)
        result = self.regscan("registry", self.hub.hub_url, *self.hub.args(), *self.hub.endpoint_options(),
                              *self.pat(), "--namespace=acme", "--allowList=acme/api:latest", "--platform=all",
                              "--mode=scan", "--db", osv_db.make_db(workdir),
                              "--state", os.path.join(workdir, "state.db"), "--format=json", "--no-progress")
        self.assertExit(result, 0)
        gets = [path for method, path, _, status in self.front_requests()
                if method == "GET" and "/manifests/" in path and status != 401]
        self.assertEqual(sorted(gets), sorted(f"/v2/acme/api/manifests/{d}" for d in children))
        with open(osv_db.report_json_path(result.output_dir, self.host)) as f:
            scanned = {(i["digest"], i["platform"], i["status"]) for i in json.load(f)["images"]}
        self.assertEqual(scanned, {(d, p, "scanned") for d, p in children.items()})

        # A platform the listing does not name is a skip, still without the index.
        before = len(self.front_requests())
        result = self.scan(*self.pat(), "--namespace=acme", "--allowList=acme/api:latest", "--platform=linux/s390x")
        self.assertExit(result, 0)
        self.assertLogged(result, r"^Skipping image image=docker\.io/acme/api:latest reason=no manifest for the "
                                  r"requested platform in the index \(has: linux/amd64, linux/arm64/v8\)", "info")
        # (A dry run reads acme/api:1.0 and 1.1, skipped by --allowList, for
        # their build time: what counts is that latest's index is not pulled.)
        index = ["/v2/acme/api/manifests/latest", f"/v2/acme/api/manifests/{latest.digest}"]
        self.assertEqual([r for r in self.front_requests()[before:]
                          if r[0] == "GET" and r[3] != 401 and r[1] in index], [])

    def test_max_tags_per_repo_keeps_the_newest_pushes(self):
        # acme/api's tags were pushed 2024-01-10 (1.0), 2024-02-10 (1.1), 2024-03-10 (latest)
        result = self.scan(*self.pat(), "--namespace=acme", "--max-tags-per-repo=1")
        self.assertInventory(result, self.host, expected_rows(
            self.host, {"acme"}, private=True, skipped={("acme/api", "1.0"), ("acme/api", "1.1")}))
        self.assertLogged(result, r"^Skipping image image=docker\.io/acme/api:1\.0 reason=beyond the newest 1 tags",
                          "info")

    def test_max_tag_age_skips_older_pushes(self):
        # a cut-off between 2024-02-10 and 2024-03-10, however far today is from them
        days = (datetime.datetime.now(datetime.timezone.utc)
                - datetime.datetime(2024, 2, 25, tzinfo=datetime.timezone.utc)).days
        result = self.scan(*self.pat(), "--namespace=acme", f"--max-tag-age={days}")
        old = {("acme/api", "1.0"), ("acme/api", "1.1"), ("acme/web", "2.0"), ("acme/worker", "0.9")}
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}, private=True, skipped=old))
        self.assertLogged(result, r"older than --max-tag-age", "info")

    def test_username_is_the_default_namespace(self):
        result = self.scan(*self.pat())
        self.assertInventory(result, self.host, expected_rows(self.host, {USER}, private=True))

    def test_password_instead_of_token(self):
        result = self.scan(f"--username={USER}", f"--password={PASSWORD}", "--namespace=acme")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}, private=True))
        self.assertNoSecrets(result, self.host)

    def test_two_namespaces(self):
        for args in (["--namespace=acme", "--namespace=library"], ["--namespace=library,acme"]):
            with self.subTest(args=args):
                result = self.scan(*self.pat(), *args)
                self.assertInventory(result, self.host, expected_rows(self.host, {"acme", "library"}, private=True))

    def test_anonymous_lists_public_repositories(self):
        result = self.scan("--namespace=acme")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}))
        self.assertLogged(result, r"^Docker Hub namespace acme: 3 repositories \(public only", "info")
        self.assertEqual(self.hub.api.logins[self.first_login:], [])
        requests = self.auth_requests()
        self.assertTrue(requests)
        self.assertTrue(all(user is None for user, _, _, _ in requests), requests)

    def test_tokens_are_per_repository_pull_scopes_of_docker_hub(self):
        result = self.scan(*self.pat(), "--namespace=acme")
        self.assertExit(result, 0)
        requests = self.auth_requests()
        self.assertEqual({(user, service) for user, service, _, _ in requests}, {(USER, "registry.docker.io")})
        scopes = {scope for _, _, wanted, _ in requests for scope in wanted}
        self.assertEqual(scopes, {f"repository:acme/{repo}:pull" for repo in ("api", "web", "worker", "internal")}
                         | {"repository:ratelimitpreview/test:pull"})  # the pull-limit probe's
        self.assertTrue(all(status == 200 for _, _, _, status in requests))

    def test_pull_rate_limit_is_logged_once(self):
        result = self.scan(*self.pat(), "--namespace=acme")
        self.assertExit(result, 0)
        limits = [m for m in result.messages() if "pull rate limit" in m]
        self.assertEqual(len(limits), 1, f"{result!r}")
        self.assertRegex(limits[0], r"^Docker Hub pull rate limit for this account: 100 of 100 pulls left per "
                                    r"6 h window plugin=dockerhub$")
        # One free HEAD of Docker's probe image, with the user's token, costing no pull.
        heads = [(path, user) for method, path, user, status in self.front_requests()
                 if method == "HEAD" and "/manifests/" in path and status == 200]
        self.assertEqual(heads, [("/v2/ratelimitpreview/test/manifests/latest", USER)])
        self.assertFalse([r for r in self.front_requests() if r[0] == "GET" and "ratelimitpreview" in r[1]])

    def test_pull_limit_probe_ends_at_its_bound(self):
        """Docker Hub never answers the probe: the core ends it at --pull-limit-timeout (the plugin's per-request
        timeout, SDK 1.4), far before --request-timeout. The session opens once the bound has passed, every page is
        listed, and the run ends while the probe is still unanswered: nothing waits for it."""
        bound = 2
        served, lock = [], threading.Lock()

        def on_listing(path, status):
            with lock:
                served.append(time.monotonic())

        hold = threading.Event()
        front = self.hub.front
        held_before, front_before = len(front.probes_held), len(front.requests)

        def let_the_probe_go():
            # Its late answer must be recorded before the next test counts requests.
            hold.set()
            with front.answered:
                front.answered.wait_for(lambda: [r for r in front.requests[front_before:]
                                                 if "ratelimitpreview" in r[1] and r[3] == 200], 60)

        outcome = {}
        runner = threading.Thread(target=lambda: outcome.update(
            result=self.scan(*self.pat(), "--namespace=acme", f"--pull-limit-timeout={bound}",
                             "--request-timeout=300")))
        self.hub.api.on_listing = on_listing
        front.probe_hold = hold
        self.addCleanup(runner.join, 300)  # last: a run that waited for the probe ends once it is let go
        self.addCleanup(setattr, self.hub.api, "on_listing", None)
        self.addCleanup(setattr, front, "probe_hold", None)
        self.addCleanup(let_the_probe_go)  # first of the cleanups
        runner.start()
        runner.join(120)
        self.assertFalse(runner.is_alive(), "the run waited for the unanswered probe")
        result = outcome["result"]
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}, private=True))
        held = front.probes_held[held_before:]
        self.assertEqual(len(held), 1)
        # The probe ended at its bound (the logged line below says the plugin's own clock passed it): the listing
        # began far before anything else could end the probe (a silent connection is given up after 60 s).
        self.assertLess(served[0] - held[0], 30)
        self.assertLogged(result, r"^Docker Hub pull rate limit not read: HEAD http://registry-1\.docker\.io:\d+"
                                  r"/v2/ratelimitpreview/test/manifests/latest gave no answer within " + str(bound) +
                                  r" s \(--pull-limit-timeout\); the run goes on without it plugin=dockerhub$", "info")
        self.assertFalse([m for m in result.messages() if "pulls left" in m], result)

    def test_no_pull_limit_probe_through_a_mirror(self):
        """A --hub-registry that is not Docker Hub's is a mirror: its limits are not Docker Hub's, so the probe is
        not sent to it (nor its token asked), while the images are read through it."""
        mirror = self.hub.mirror_url
        result = self.scan(*self.pat(), "--namespace=acme", f"--hub-api={self.hub.hub_url}",
                           f"--hub-registry={mirror}", endpoints=False)
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}, private=True))
        self.assertTrue([r for r in self.front_requests() if "/manifests/" in r[1]])  # read through the mirror
        self.assertEqual([r for r in self.front_requests() if "ratelimitpreview" in r[1]], [])
        self.assertEqual([scope for _, _, wanted, _ in self.auth_requests() for scope in wanted
                          if "ratelimitpreview" in scope], [])
        self.assertLogged(result, r"^Docker Hub pull rate limit not read: images are read from " + re.escape(mirror) +
                                  r" \(--hub-registry\), a mirror whose limits are not Docker Hub's plugin=dockerhub$",
                          "info")
        self.assertFalse([m for m in result.messages() if "pulls left" in m], result)

    def test_registry_429_once_then_the_run_succeeds(self):
        self.hub.front.pulls_left = 0
        result = self.scan(*self.pat(), "--namespace=acme")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}, private=True))
        self.assertLogged(result, r"^Docker Hub pull rate limit exhausted for this account: 0 of 100 pulls left per "
                                  r"6 h window\. Manifest GETs are answered 429 TOOMANYREQUESTS", "warning")
        self.assertLogged(result, r"/manifests/\S+ answered 429; retry 1 of \d+ in 1000 ms", "warning")
        refused = [r for r in self.front_requests() if r[3] == 429]
        self.assertEqual(len(refused), 1, self.front_requests())

    def test_api_429_once_then_the_run_succeeds(self):
        self.hub.api.fail_next_get(1)
        result = self.scan("--namespace=acme")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}))
        self.assertLogged(result, r"GET https://hub\.docker\.com:\d+/v2/namespaces/acme/repositories\?page_size=100 "
                                  r"answered 429; retry 1 of \d+ in 1000 ms", "warning")

    def test_wrong_token_exits_4(self):
        result = self.scan(f"--username={USER}", f"--password={WRONG}", "--namespace=acme")
        self.assertExit(result, 4)
        self.assertLogFormat(result)
        self.assertLogged(result, rf"Docker Hub refused the credentials of '{USER}' \(POST https://hub\.docker\.com:\d+"
                                  r"/v2/auth/token: HTTP 401: Incorrect authentication credentials\)")
        self.assertEqual(self.front_requests(), [])
        self.assertNoSecrets(result, self.host)

    def test_no_namespace_and_no_username_exits_2(self):
        result = self.scan()
        self.assertExit(result, 2)
        self.assertLogged(result, r"--namespace NAME")
        self.assertEqual(self.hub.api.listings[self.first_listing:], [])

    def test_unknown_namespace_is_named(self):
        result = self.scan("--namespace=nobody")
        self.assertExit(result, 6)
        self.assertLogged(result, r"Docker Hub namespace 'nobody' not found \(GET https://hub\.docker\.com:\d+"
                                  r"/v2/namespaces/nobody/repositories\?page_size=100: HTTP 404")

    def test_private_repositories_of_others_stay_hidden(self):
        result = self.scan(*self.pat(), "--namespace=other,empty-org")
        self.assertInventory(result, self.host, [])

    def test_older_hub_api_routes(self):
        self.hub.api.auth_token_route = False
        self.hub.api.namespaces_routes = False
        result = self.scan(*self.pat(), "--namespace=acme")
        self.assertInventory(result, self.host, expected_rows(self.host, {"acme"}, private=True))
        self.assertEqual(self.hub.api.logins[self.first_login:], [("/v2/users/login", USER, True)])
        paths = [path for path, _, _ in self.hub.api.listings[self.first_listing:]]
        self.assertIn("/v2/repositories/acme/?page=2&page_size=2", paths)
        self.assertIn("/v2/repositories/acme/api/tags/?page=2&page_size=2", paths)

    def test_endpoints_from_the_environment(self):
        env = {"REGSCAN_DOCKERHUB_API": self.hub.hub_url, "REGSCAN_DOCKERHUB_REGISTRY": self.hub.registry_url}
        result = self.scan(*self.pat(), "--namespace=library", env=env, endpoints=False)
        self.assertInventory(result, self.host, expected_rows(self.host, {"library"}, private=True))

    def test_no_secret_at_trace_level(self):
        for name, password, code in (("token", PAT, 0), ("password", PASSWORD, 0), ("wrong", WRONG, 4)):
            with self.subTest(secret=name):
                self.first_issued = len(self.hub.model.issued)
                result = self.scan("--log-level=trace", f"--username={USER}", f"--password={password}",
                                   "--namespace=acme")
                self.assertExit(result, code)
                if code == 0:
                    self.assertLogged(result, r"^Docker Hub API rate limit: \d+ of 180 requests left", "trace")
                    self.assertTrue(self.hub.model.issued[self.first_issued:])
                self.assertNoSecrets(result, self.host)


class DockerHubRealNames(DockerHubCase):
    """The real host names on port 443 of loopback addresses: no endpoint
    options, the plugin's defaults (hub.docker.com, registry-1.docker.io and
    the challenge's https://auth.docker.io/token) are used as they are."""

    @classmethod
    def setUpClass(cls):
        cls.hub = start_hub(real_names=True)
        cls.addClassCleanup(cls.hub.stop)

    def test_identified_from_each_docker_hub_name(self):
        for url in ("https://hub.docker.com", "https://docker.io", "https://index.docker.io",
                    "https://registry-1.docker.io"):
            with self.subTest(url=url):
                host = url.split("://", 1)[1]
                result = self.dry_run(url, *self.hub.args(), f"--username={USER}", f"--password={PAT}",
                                      "--namespace=acme")
                self.assertInventory(result, host, expected_rows(host, {"acme"}, private=True))
                self.assertLogged(result, r"^Identified registry as: DOCKERHUB$", "info")
                self.assertNoSecrets(result, host)

    def test_anonymous_official_images(self):
        result = self.dry_run("https://hub.docker.com/u/library", *self.hub.args())
        self.assertInventory(result, "hub.docker.com", expected_rows("hub.docker.com", {"library"}))
        self.assertTrue(all(service == "registry.docker.io" and user is None
                            for user, service, _, _ in self.auth_requests()))
        self.assertTrue(self.auth_requests())


class DockerHubListingCut(DockerHubCase):
    """A listing cut at --max-listing-pages keeps what was read (docs/limits.md): the repository, or `<catalog>`,
    is reported failed and the tags or repositories of the pages read stay in the inventory; no namespace after
    a cut one is listed. Its own Docker Hub, pages of 2: namespace `paged` holds four one-tag repositories, then
    `tall`, whose tags take more pages than the namespace's repository list, so one bound cuts that list or
    `tall` alone; namespace `later` comes after it. Namespace `solo` holds one repository whose tags take two
    pages. A Hub listing's requests are its pages and the API token renewals made while listing (the API token
    is taken and the pull limit read when the session opens, before any listing)."""
    NAMESPACE, LATER = "paged", "later"
    SOLO, SOLO_TAGS = "solo", {"a": 1, "b": 2, "c": 3}
    SMALL = [f"r{i}" for i in range(1, 5)]
    MANY = "tall"
    # Day of May 2024 each of tall's tags was pushed: Docker Hub lists the newest push first, not by name.
    MANY_PUSHED = {"v0": 3, "v1": 6, "v2": 1, "v3": 5, "v4": 7, "v5": 4, "v6": 2}

    @classmethod
    def setUpClass(cls):
        cls.hub = dockerhub.DockerHub(max_page_size=2)
        cls.hub.start()
        cls.addClassCleanup(cls.hub.stop)
        cls.host = cls.hub.hub_url.split("://", 1)[1]
        cls.hub.model.add_account(dockerhub_model.Account(USER, PASSWORD, [PAT]))
        images = [(cls.NAMESPACE, repo, "1.0", "2024-04-01T00:00:00Z") for repo in cls.SMALL]
        images += [(cls.NAMESPACE, cls.MANY, tag, f"2024-05-{day:02d}T12:00:00Z")
                   for tag, day in cls.MANY_PUSHED.items()]
        images.append((cls.LATER, "app", "1.0", "2024-04-01T00:00:00Z"))
        images += [(cls.SOLO, "many", tag, f"2024-06-{day:02d}T12:00:00Z") for tag, day in cls.SOLO_TAGS.items()]
        cls.created = {(f"{ns}/{repo}", tag): f"{2010 + number}-03-04T05:06:07Z"
                       for number, (ns, repo, tag, _) in enumerate(images)}
        cls.hub.publish([(ns, repo, tag, oci.image(cls.created[(f"{ns}/{repo}", tag)]), pushed, False)
                         for ns, repo, tag, pushed in images])

    def inventory(self, cut=(), namespaces=(NAMESPACE, LATER)):
        """Every image pushed to `namespaces` but the (repository, tag) keys in `cut`."""
        inventory = content.Inventory("docker.io")
        for (repo, tag), created in self.created.items():
            if (repo, tag) not in cut and repo.split("/", 1)[0] in namespaces:
                inventory.add(repo, tag, {"": created})
        return inventory

    def scan(self, *args):
        return self.dry_run(self.hub.hub_url, *self.hub.args(), *self.hub.endpoint_options(),
                            f"--username={USER}", f"--password={PAT}", *args)

    def pages(self, items):
        return -(-items // self.hub.api.max_page_size)

    def served(self, route):
        """The statuses of the Hub API's answers to GETs of `route` (any query) in this test."""
        return [status for path, _, status in self.hub.api.listings[self.first_listing:]
                if path.partition("?")[0] == route]

    def repositories_route(self, namespace):
        return f"/v2/namespaces/{namespace}/repositories"

    def tags_route(self, repo, namespace=NAMESPACE):
        return f"{self.repositories_route(namespace)}/{repo}/tags"

    def test_pull_limit_read_spends_no_listing_budget(self):
        """A bound equal to the tag listing's pages leaves it whole: the pull-limit HEAD is no listing's."""
        tag_pages = self.pages(len(self.SOLO_TAGS))
        self.assertEqual(tag_pages, 2)
        result = self.scan(f"--namespace={self.SOLO}", f"--max-listing-pages={tag_pages}")
        self.assertInventory(result, self.host, self.inventory(namespaces={self.SOLO}).rows())
        self.assertEqual(self.served(self.tags_route("many", self.SOLO)), [200] * tag_pages)
        self.assertFalse([m for m in result.messages() if "cut short" in m], result)
        self.assertLogged(result, r"^Docker Hub pull rate limit for this account: 100 of 100 pulls left", "info")
        self.assertEqual([path for method, path, _, status in self.front_requests()
                          if method == "HEAD" and status == 200 and "ratelimitpreview" in path],
                         ["/v2/ratelimitpreview/test/manifests/latest"])

    def test_token_renewal_cut_keeps_the_pages_read(self):
        """The API token expires after the first page of tags; the bound refuses its renewal (the listing's
        third request, after two pages): the listing is cut there and the first page's tags are kept."""
        first_page = self.tags_route("many", self.SOLO) + "?page_size=100"
        self.hub.api.expire_tokens_after(first_page)
        result = self.scan(f"--namespace={self.SOLO}", "--max-listing-pages=2")
        # Page 1, then page 2 refused with the expired token; the renewal never left regscan.
        self.assertEqual(self.served(self.tags_route("many", self.SOLO)), [200, 401])
        self.assertEqual(self.hub.api.logins[self.first_login:], [("/v2/auth/token", USER, True)])
        newest_first = sorted(self.SOLO_TAGS, key=self.SOLO_TAGS.get, reverse=True)
        kept, cut = newest_first[:self.hub.api.max_page_size], newest_first[self.hub.api.max_page_size:]
        full = f"{self.SOLO}/many"
        self.assertInventory(result, self.host,
                             self.inventory(cut={(full, tag) for tag in cut}, namespaces={self.SOLO}).rows(),
                             repositories_failed=1)
        self.assertOnlyTagListingCut(result, full, 2, len(kept))
        self.assertFalse([m for m in result.messages() if "cannot reach" in m], result)

    def test_tag_listing_cut_keeps_the_pages_read(self):
        catalog_pages = self.pages(len(self.SMALL) + 1)
        self.assertLess(catalog_pages, self.pages(len(self.MANY_PUSHED)))
        result = self.scan(f"--namespace={self.NAMESPACE}", f"--max-listing-pages={catalog_pages}")
        self.assertEqual(self.served(self.repositories_route(self.NAMESPACE)), [200] * catalog_pages)
        # The tags of the pages the emulator served, newest push first; the next page was never asked.
        self.assertEqual(self.served(self.tags_route(self.MANY)), [200] * catalog_pages)
        newest_first = sorted(self.MANY_PUSHED, key=self.MANY_PUSHED.get, reverse=True)
        kept = newest_first[:catalog_pages * self.hub.api.max_page_size]
        cut = [tag for tag in newest_first if tag not in kept]
        self.assertTrue(cut)
        for repo in self.SMALL:
            self.assertEqual(self.served(self.tags_route(repo)), [200], repo)
        full = f"{self.NAMESPACE}/{self.MANY}"
        self.assertInventory(result, self.host,
                             self.inventory(cut={(full, tag) for tag in cut}).rows(missing={f"{self.LATER}/app"}),
                             repositories_failed=1)
        self.assertOnlyTagListingCut(result, full, catalog_pages, len(kept))

    def test_namespace_listing_cut_keeps_the_repositories_read_and_lists_no_further_namespace(self):
        names = sorted(self.SMALL + [self.MANY])
        self.assertEqual(names[-1], self.MANY)
        cut_after = self.pages(len(names)) - 1
        result = self.scan(f"--namespace={self.NAMESPACE},{self.LATER}", f"--max-listing-pages={cut_after}")
        self.assertEqual(self.served(self.repositories_route(self.NAMESPACE)), [200] * cut_after)
        read = names[:cut_after * self.hub.api.max_page_size]
        self.assertEqual(read, self.SMALL)
        self.assertEqual([repo for repo in names if self.served(self.tags_route(repo))], read)
        # The namespace cut short was the last one listed.
        self.assertEqual([path for path, _, _ in self.hub.api.listings[self.first_listing:]
                          if f"/{self.LATER}/" in path], [])
        self.assertInventory(result, self.host,
                             self.inventory().rows(missing={f"{self.NAMESPACE}/{self.MANY}", f"{self.LATER}/app"}),
                             repositories_failed=1)
        self.assertLogged(result, r"^Repository listing cut short error=more than " + str(cut_after) +
                          r" requests \(--max-listing-pages\); " + str(len(read)) + " repositories read are kept$",
                          "error")
        self.assertLogged(result, f"^Docker Hub namespace {self.NAMESPACE}: {len(read)} repositories read before "
                                  "the listing was cut short plugin=dockerhub$", "info")
        self.assertFalse([m for m in result.messages() if "cannot reach" in m], result)


if __name__ == "__main__":
    unittest.main()
