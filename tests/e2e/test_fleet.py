"""A fleet of `regscan worker`s scans one registry through a real PostgreSQL (issue 13).

One real registry (CNCF distribution) holds 300 images on 3 shared bases (each image: a base, one
layer of its own, its config), pushed through the registry API (one upload per blob, cross-repository
mounts for the bases, a manifest PUT per image). A FaultProxy in front records every request.

- A single-process run on a SQLite state gives the reference reports (JSON, CSV).
- `regscan registry --enqueue` on a PostgreSQL state queues the 300 images and returns; three
  `regscan worker --exit-when-idle` processes at once scan them: every queue row ends done after one
  attempt, every image has exactly one result, and each unique blob (bases, own layers, configs) is
  pulled exactly once across the three workers, as counted at the proxy.
- `regscan serve` on a PostgreSQL state with two live workers: "Import now" of a connector whose
  registry needs a password goes to the queue (its rows name the connector, never the password); the
  workers take the password from the connector store with --connector-key, the import succeeds with
  meaningful counters, and the index shows every image scanned. Rows forged into the queue (a genuine
  grant on another registry URL or pull base, no grant) fail with why and reach nothing.
- Workers with other vulnerability data than the `--wait` run: it warns, names how many images, scans
  them itself with its own data, and its reports are those of a single-process run with that data.
- `regscan registry --wait` with three long-running workers: the workers find the stored results
  (no blob pulled again), the waiting run reports, and its reports are the single-process run's; the
  workers stop on SIGTERM with exit 0.

No sleep is synchronisation: every wait is a bounded poll (of the queue, or of a process).
"""
import collections
import csv
import gzip
import json
import os
import random
import re
import signal
import tempfile
import threading
import time
import unittest

from harness import http_server, measured_run, net, oci_layout, osv_db
from harness import serve
from harness import run as runner
from harness.fleet import BLOB_ROUTE, Worker
from harness.postgres import Postgres
from harness.proxy import FaultProxy, Reply
from harness.push import ApiPusher
from harness.registry import Registry

BASES = 3
IMAGES = 300
WORKERS = 3
SITE = "usr/lib/python3/dist-packages"


def metadata(name, version):
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


def base_layer(seed):
    """A small distribution-like base with a vulnerable Python package (requests 2.19.0, PYSEC-2018-28)."""
    rng = random.Random(seed)
    files = {"etc/os-release": f'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Base {seed}"\n'.encode(),
             f"{SITE}/requests-2.19.0.dist-info/METADATA": metadata("requests", "2.19.0")}
    for i in range(150):
        files[f"usr/share/base{seed}/f{i:04d}"] = rng.randbytes(rng.choice((512, 1024)))
    return oci_layout.Blob(oci_layout.OCI_LAYER_GZIP, oci_layout.tar_gz(files))


def app_image(base, number):
    own = oci_layout.Blob(oci_layout.OCI_LAYER_GZIP, oci_layout.tar_gz({
        f"{SITE}/app{number}-1.{number}.0.dist-info/METADATA": metadata(f"app{number}", f"1.{number}.0"),
        f"app/{number}.txt": f"{number}\n".encode() * 32}))
    config = {"created": f"2024-01-01T00:{number // 60:02d}:{number % 60:02d}Z", "architecture": "amd64",
              "os": "linux", "config": {"User": "1000" if number % 2 else ""},
              "rootfs": {"type": "layers",
                         "diff_ids": [oci_layout.digest_of(gzip.decompress(l.data)) for l in (base, own)]}}
    config_blob = oci_layout.Blob(oci_layout.OCI_CONFIG, oci_layout.canonical_json(config))
    manifest = {"schemaVersion": 2, "mediaType": oci_layout.OCI_MANIFEST, "config": config_blob.descriptor(),
                "layers": [base.descriptor(), own.descriptor()]}
    return oci_layout.Manifest(oci_layout.Blob(oci_layout.OCI_MANIFEST, oci_layout.canonical_json(manifest)),
                               [config_blob, base, own])


def normalized_json_report(path):
    """The JSON report without what differs between any two runs (times, output paths)."""
    with open(path) as f:
        report = json.load(f)
    volatile = {"started", "finished", "generated", "generated_at", "duration_seconds", "elapsed", "scan_started",
                "scan_finished", "output_dir", "reports", "report_files", "bytes_pulled", "layers_pulled",
                "layers_cached", "results_reused"}

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in volatile}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    report = strip(report)
    for key in ("images", "results"):
        if isinstance(report.get(key), list):
            report[key] = sorted(report[key], key=lambda e: json.dumps(e, sort_keys=True))
    return report


def csv_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], sorted(rows[1:])


class Fleet(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-fleet-")
        cls.binary = runner.regscan_binary()
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.proxy = FaultProxy(cls.registry)
        cls.addClassCleanup(cls.proxy.stop)
        cls.proxy.start()
        cls.pg = Postgres()
        cls.addClassCleanup(cls.pg.close)
        cls.pg.start()
        cls.images = {}  # (repository, tag) -> Manifest
        bases = [base_layer(200 + b) for b in range(BASES)]
        pusher = ApiPusher(cls.registry)
        for number in range(IMAGES):
            b = number % BASES
            repo = f"team{b}/app{number:03d}"
            manifest = app_image(bases[b], number)
            if number < BASES:
                pusher.upload_blob(repo, bases[b].data)
            else:
                pusher.mount_blob(bases[b].digest, f"team{b}/app{b:03d}", repo)
            for blob in (manifest.dependencies[0], manifest.dependencies[2]):  # config, own layer
                pusher.upload_blob(repo, blob.data)
            pusher.put_manifest(repo, "1.0", manifest.media_type, manifest.data)
            cls.images[(repo, "1.0")] = manifest
        pusher.close()
        cls.unique_blobs = {blob.digest for m in cls.images.values() for blob in m.dependencies}

    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="run-", dir=self.workdir)
        self.home = os.path.join(self.scratch, "home")
        os.mkdir(self.home)
        self.workers = []
        self.addCleanup(lambda: [w.kill9() for w in self.workers])

    # Helpers ---------------------------------------------------------------------------------------

    @property
    def registry_url(self):
        return f"http://{self.proxy.host}"

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("REGSCAN_REGISTRY_", "TCS_REGISTRY_", "REGSCAN_PLUGIN_PATH"))}
        env["HOME"] = self.home
        env["XDG_DATA_HOME"] = os.path.join(self.home, "data")
        return env

    def start_worker(self, worker_id, *extra, pg=None):
        argv = [self.binary, "worker", "--state", (pg or self.pg).url, "--db", self.db, "--worker-id", worker_id,
                "--concurrency", "4", "--lease", "20s", "--poll", "200ms", *extra]
        worker = Worker(worker_id, argv, self.env(), os.path.join(self.scratch, f"{worker_id}.log"))
        self.workers.append(worker)
        return worker

    def serve_on_postgres(self):
        """A fresh PostgreSQL and `regscan serve` started on it, both stopped at the test's end."""
        pg = Postgres()
        self.addCleanup(pg.close)
        pg.start()
        server = serve.Server(os.path.join(self.scratch, "serve"), db=self.db, state=pg.url)
        self.addCleanup(server.stop)
        server.start()
        return pg, server

    def logs(self):
        return "\n".join(f"--- {w.id} ---\n{w.log()[-3000:]}" for w in self.workers)

    def blob_gets_since(self, since):
        """digest -> GETs answered 200 at the proxy since `since` (monotonic)."""
        counts = collections.Counter()
        for at, method, path, status in self.proxy.log:
            match = BLOB_ROUTE.match(path.split("?")[0])
            if at >= since and method == "GET" and status == 200 and match:
                counts[match.group(2)] += 1
        return counts

    def queue(self, batch):
        return {(r[0], r[1]): (r[2], int(r[3])) for r in self.pg.query(
            f"SELECT repository, tag, state, attempts FROM work_queue WHERE batch = '{batch}'")}

    def reference_run(self):
        """The same registry scanned by one process on a SQLite state: the reports to match."""
        if not hasattr(type(self), "reference"):
            out = os.path.join(self.workdir, "reference")
            os.mkdir(out)
            result = runner.run("registry", self.registry_url, "--state", os.path.join(self.workdir, "ref.db"),
                                "--db", self.db, "--format=json,csv", f"--output-dir={out}", "--no-progress",
                                output_dir=False, timeout=170)
            self.assertEqual(result.code, 0, repr(result)[-4000:])
            type(self).reference = out
        return type(self).reference

    def assertSameReports(self, out):
        reference = self.reference_run()
        self.assertEqual(sorted(os.listdir(out)), sorted(os.listdir(reference)))
        for name in sorted(os.listdir(reference)):
            mine, theirs = os.path.join(out, name), os.path.join(reference, name)
            if name.endswith(".json"):
                self.assertEqual(normalized_json_report(mine), normalized_json_report(theirs), name)
            elif name.endswith(".csv"):
                self.assertEqual(csv_rows(mine), csv_rows(theirs), name)

    # Tests -----------------------------------------------------------------------------------------

    def test_1_enqueue_three_workers_scan_each_image_once_and_each_blob_once(self):
        result = runner.run("registry", self.registry_url, "--state", self.pg.url, "--db", self.db, "--enqueue",
                            env=self.env())
        self.assertEqual(result.code, 0, repr(result))
        match = re.search(r"^Enqueued (\d+) images in batch (\S+)$", result.stdout.strip().splitlines()[-1])
        self.assertIsNotNone(match, repr(result))
        self.assertEqual(int(match.group(1)), IMAGES)
        batch = match.group(2)
        self.assertNotIn(self.pg.password, result.stdout + result.stderr)
        self.assertEqual(self.blob_gets_since(0), {}, "--enqueue pulls no blob")
        self.assertEqual(set(self.queue(batch).values()), {("queued", 0)})

        started = time.monotonic()
        for n in range(WORKERS):
            self.start_worker(f"w{n}", "--exit-when-idle")
        net.wait_until(lambda: all(not w.alive() for w in self.workers), timeout=170, interval=0.2,
                       what="every worker done and exited")
        self.assertEqual([w.process.returncode for w in self.workers], [0] * WORKERS, self.logs())

        rows = self.queue(batch)
        self.assertEqual(set(rows), set(self.images))
        self.assertEqual({k: r for k, r in rows.items() if r != ("done", 1)}, {}, self.logs())
        results = collections.Counter(
            (r[0], r[1]) for r in self.pg.query("SELECT repository, tag, status FROM results WHERE status='scanned'"))
        self.assertEqual(dict(results), {k: 1 for k in self.images})
        # Every worker took a share, and together they pulled each unique blob exactly once.
        for worker in self.workers:
            self.assertRegex(worker.log(), r"Done image=", worker.id)
            self.assertNotIn(self.pg.password, worker.log())
        gets = self.blob_gets_since(started)
        self.assertEqual({d: n for d, n in gets.items() if n != 1}, {}, "blobs pulled more than once")
        self.assertEqual(set(gets), self.unique_blobs)

    def test_2_wait_reports_as_a_single_process_run(self):
        reference = self.reference_run()
        self.assertTrue(os.listdir(reference))
        # A state of its own, so the --wait run is a first scan as the reference run is.
        pg = Postgres()
        self.addCleanup(pg.close)
        pg.start()
        for n in range(WORKERS):
            self.start_worker(f"waiting{n}", pg=pg)
        out = os.path.join(self.scratch, "out")
        os.mkdir(out)
        started = time.monotonic()
        result = runner.run("registry", self.registry_url, "--state", pg.url, "--db", self.db, "--wait",
                            "--wait-timeout=150s", "--format=json,csv", f"--output-dir={out}", "--no-progress",
                            env=self.env(), output_dir=False, timeout=170)
        self.assertEqual(result.code, 0, repr(result)[-4000:] + self.logs())
        self.assertIsNone(re.search(r"scanned again here|did not finish", result.stderr),
                          "every image came from the fleet:\n" + result.stderr[:3000] + self.logs())
        self.assertSameReports(out)
        # The waiting run pulled no blob: the workers did, each unique blob once between them.
        gets = self.blob_gets_since(started)
        self.assertEqual({d: n for d, n in gets.items() if n != 1}, {}, "blobs pulled more than once")
        self.assertEqual(set(gets), self.unique_blobs)

        for worker in self.workers:
            os.killpg(worker.process.pid, signal.SIGTERM)
        for worker in self.workers:
            self.assertEqual(worker.process.wait(timeout=60), 0, worker.log()[-3000:])
            self.assertNotIn(pg.password, worker.log())
        self.assertEqual(pg.query("SELECT count(*) FROM fleet_workers"), [("0",)],
                         "a stopped worker removes its heartbeat row")
        self.assertEqual(pg.query("SELECT state, count(*) FROM work_queue GROUP BY state"), [("done", str(IMAGES))])


    def test_3_serve_import_goes_to_the_workers_with_the_connectors_credentials(self):
        password = "fleet-" + os.urandom(6).hex()
        rotated = "rotated-" + os.urandom(6).hex()
        registry = Registry(htpasswd_users={"scanner": password, "rotated": rotated})
        self.addCleanup(registry.stop)
        registry.start()
        base = base_layer(300)

        def push(creds, count, tag, seed):
            """served/app0..app<count-1>:<tag>, each its own image; returns their names."""
            pusher = ApiPusher(registry, creds=creds)
            for number in range(count):
                manifest = app_image(base, seed + number)
                for blob in manifest.dependencies:
                    pusher.upload_blob(f"served/app{number}", blob.data)
                pusher.put_manifest(f"served/app{number}", tag, manifest.media_type, manifest.data)
            pusher.close()
            return {f"served/app{number}:{tag}" for number in range(count)}
        expected = push(("scanner", password), 6, "2.0", 1000)
        # Blob GETs wait at a proxy until the test has seen the import's progress while the fleet works.
        release = threading.Event()

        def hold_blobs(request, proxy):
            if request.method == "GET" and BLOB_ROUTE.match(request.route):
                release.wait(120)
            return None
        # Once revoked, the first credentials are refused, as a registry does with a rotated password.
        revoked = threading.Event()
        first_basic = "Basic " + __import__("base64").b64encode(f"scanner:{password}".encode()).decode()

        def refuse_revoked(request, proxy):
            if revoked.is_set() and request.headers.get("Authorization") == first_basic:
                return Reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"revoked"}]}',
                             {"WWW-Authenticate": 'Basic realm="registry"', "Content-Type": "application/json"})
            return None
        proxy = FaultProxy(registry, rules=[refuse_revoked, hold_blobs])
        self.addCleanup(proxy.stop)
        self.addCleanup(release.set)  # runs first: held requests end before the proxy stops
        proxy.start()
        pg, server = self.serve_on_postgres()
        key = os.path.join(server.data_dir, "serve-secret.key")
        self.assertTrue(os.path.isfile(key))
        for n in range(2):
            self.start_worker(f"served{n}", "--connector-key", key, "--log-level=trace", pg=pg)
        net.wait_until(lambda: pg.query("SELECT count(*) FROM fleet_workers") == [("2",)], timeout=60,
                       what="both workers' heartbeats")

        created = server.api("POST", "/api/v1/connectors", {
            "name": "fleet", "url": f"http://{proxy.host}", "username": "scanner", "password": password,
            "schedule": {"enabled": False, "every": "1d"}, "import_now": True}, expect=201)
        imports = server.api("GET", "/api/v1/imports?connector=fleet&limit=5")["imports"]
        self.assertEqual(len(imports), 1, imports)
        # While the workers scan, the import tells how far the fleet is.
        waiting = net.wait_until(
            lambda: (lambda i: i if i["progress"]["current"].startswith("the fleet's workers:") else None)(
                server.api("GET", f"/api/v1/imports/{imports[0]['id']}")), timeout=60, interval=0.1,
            what="the import's fleet progress")
        self.assertEqual(waiting["state"], "running", waiting)
        self.assertEqual(waiting["progress"]["current"], "the fleet's workers: 0 of 6 images done", waiting)
        self.assertEqual(waiting["progress"]["total"], 6, waiting)
        # Both workers hold images (4 at a time each, 6 images) before the blobs are let through.
        net.wait_until(lambda: pg.query("SELECT count(DISTINCT lease_owner) FROM work_queue "
                                        "WHERE state = 'claimed'") == [("2",)], timeout=60, what="both workers' claims")
        release.set()
        done = server.wait_for_import(imports[0]["id"], timeout=150)
        self.assertEqual((done["state"], done["images_found"], done["images_new"], done["images_failed"]),
                         ("succeeded", 6, 6, 0), f"{done}\n{server.log_tail()}\n{self.logs()}")
        self.assertIn("goes to the fleet's queue", server.log_text())
        rows = pg.query("SELECT repository, tag, state, priority, options FROM work_queue")
        self.assertEqual({f"{r[0]}:{r[1]}" for r in rows}, expected)
        self.assertEqual({(r[2], r[3]) for r in rows}, {("done", "1")}, "Import now queues at the user's priority")
        self.assertEqual(created["name"], "fleet")
        connectors = {json.loads(row[4]).get("connector") for row in rows}
        self.assertEqual(len(connectors), 1, rows)
        self.assertIsInstance(connectors.pop(), int, "each row names the connector by its id")
        for row in rows:
            self.assertNotIn(password, row[4])
        scanned = {w.id: w.log().count("Done image=") for w in self.workers}
        self.assertEqual(sum(scanned.values()), 6, scanned)
        basic = __import__("base64").b64encode(f"scanner:{password}".encode()).decode()
        for worker in self.workers:  # at --log-level=trace
            self.assertNotIn(password, worker.log())
            self.assertNotIn(basic, worker.log())
        index = server.images(limit=50)["images"]
        self.assertEqual({f"{i['repository']}:{i['tag']}" for i in index}, expected)
        self.assertEqual({i["status"] for i in index}, {"scanned"}, index)
        self.assertTrue(all(i["vulnerabilities"]["total"] > 0 for i in index), index)
        # Each worker scanned with the connector's password (both held images above).
        self.assertTrue(all(scanned.values()), scanned)

        # The password is rotated: the old one refused from now on, the connector given the new one. The
        # workers, which kept a session per registry, scan the next import's images with the new one.
        revoked.set()
        server.api("PUT", "/api/v1/connectors/fleet", {"username": "rotated", "password": rotated}, expect=200)
        expected |= push(("rotated", rotated), 4, "3.0", 2000)
        again = server.api("POST", "/api/v1/connectors/fleet/imports", expect=202)
        done = server.wait_for_import(again["id"], timeout=150)
        self.assertEqual((done["state"], done["images_found"], done["images_new"], done["images_failed"]),
                         ("succeeded", 10, 4, 0), f"{done}\n{server.log_tail()}\n{self.logs()}")
        new_done = [line for w in self.workers for line in w.log().splitlines()
                    if "Done image=" in line and ":3.0 " in line]
        self.assertEqual(len(new_done), 4, self.logs())
        changed = [w.id for w in self.workers if "The credentials or plugin options for " in w.log()]
        self.assertTrue(changed, self.logs())
        for worker in self.workers:
            self.assertNotIn(rotated, worker.log())
        self.assertEqual({f"{i['repository']}:{i['tag']}" for i in server.images(limit=50)["images"]}, expected)
        self.assert_forged_rows_get_no_credentials(pg, rotated)

    def assert_forged_rows_get_no_credentials(self, pg, password):
        """Rows written into the queue by someone who can write the state but has no serve key, naming the
        connector: a genuine row's grant copied onto another registry URL, a row without a grant, a genuine
        row pulling from elsewhere; and a row of no connector's pulling from elsewhere than its registry. The
        workers fail each at once (with why; another attempt would not mend it) and send nothing to the
        catcher."""
        seen = []
        catcher = http_server.Server(lambda request: http_server.Reply(401, b"", {
            "WWW-Authenticate": 'Basic realm="catch"'}), record=lambda request, reply: seen.append(
                (request.path, request.headers.get("Authorization"))), address="127.0.0.2")  # not the registry's host
        catcher.start()
        self.addCleanup(catcher.stop)
        genuine = "FROM work_queue WHERE tag = '3.0' ORDER BY id LIMIT 1"
        columns = "batch, project, registry_url, registry_type, repository, tag, digest, options, priority, state, " \
                  "attempts, enqueued"
        forged = {
            "forged-url": (f"$u${catcher.url}$u$", "options"),
            "forged-bare": (f"$u${catcher.url}$u$", "(options::jsonb - 'grant')::text"),
            "forged-pull": ("registry_url",
                            f"jsonb_set(options::jsonb, '{{pull_base}}', to_jsonb(text $u${catcher.url}$u$))::text"),
            "own-pull": ("registry_url", f"jsonb_set(options::jsonb - 'grant' - 'connector', '{{pull_base}}', "
                                         f"to_jsonb(text $u${catcher.url}$u$))::text"),
        }
        for tag, (url, options) in forged.items():
            pg.query(f"INSERT INTO work_queue ({columns}) SELECT 'forged', project, {url}, registry_type, "
                     f"repository, '{tag}', digest, {options}, 1, 'queued', 0, enqueued {genuine}")
        net.wait_until(lambda: pg.query("SELECT count(*) FROM work_queue WHERE batch = 'forged' AND state = 'failed'")
                       == [("4",)], timeout=60, what="the forged rows failed")
        rows = pg.query("SELECT tag, reason, attempts FROM work_queue WHERE batch = 'forged'")
        self.assertEqual({row[2] for row in rows}, {"1"}, "a refused row fails at its first claim")
        reasons = {row[0]: row[1] for row in rows}
        self.assertIn("registry_url is not the one serve's grant names", reasons["forged-url"])
        self.assertIn("carries no grant of serve's", reasons["forged-bare"])
        self.assertIn("pull_base is not the one serve's grant names", reasons["forged-pull"])
        # A row of no connector's, pulling from elsewhere than its registry: with the worker's own credentials.
        self.assertIn("pull base is on another host than the registry's", reasons.pop("own-pull"))
        for reason in reasons.values():
            self.assertRegex(reason, r"connector \d+'s credentials are not used for it")
            self.assertNotIn(password, reason)
        self.assertEqual(seen, [], "nothing reaches a registry a forged row names")
        for worker in self.workers:
            self.assertNotIn(password, worker.log())


    def test_5_a_cancelled_serve_import_takes_its_unclaimed_images_out_of_the_queue(self):
        """serve's import waits on the fleet's queue (a worker is alive, by its heartbeat row, but never
        claims); cancelled, the import ends `cancelled` and no row of its batch is left for a worker."""
        pg, server = self.serve_on_postgres()
        # A first import (no worker yet: scanned by serve itself) makes the fleet's tables.
        server.api("POST", "/api/v1/connectors", {
            "name": "one", "url": self.registry_url, "allow": ["team0/app000"],
            "schedule": {"enabled": False, "every": "1d"}, "import_now": True}, expect=201)
        server.wait_for_import(server.connector("one")["running"]["id"], timeout=120)
        database_ms = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
        pg.query("INSERT INTO fleet_workers (worker_id, host, pid, started, last_seen) "
                 f"VALUES ('idle', 'test', 1, {database_ms}, {database_ms})")
        server.api("POST", "/api/v1/connectors", {
            "name": "all", "url": self.registry_url, "schedule": {"enabled": False, "every": "1d"},
            "import_now": True}, expect=201)
        running = server.connector("all")["running"]
        net.wait_until(lambda: server.api("GET", f"/api/v1/imports/{running['id']}")["progress"]["current"]
                       .startswith("the fleet's workers:"), timeout=60, interval=0.1,
                       what="the import waiting on the fleet's queue")
        queued = int(pg.query("SELECT count(*) FROM work_queue WHERE state = 'queued'")[0][0])
        self.assertGreater(queued, 0)
        server.api("POST", f"/api/v1/imports/{running['id']}/cancel", expect=202)
        done = server.wait_for_import(running["id"], timeout=120,
                                      states=("succeeded", "partial", "failed", "interrupted", "cancelled"))
        self.assertEqual(done["state"], "cancelled", done)
        self.assertEqual(pg.query("SELECT count(*) FROM work_queue WHERE state IN ('queued', 'claimed')"), [("0",)])
        self.assertIn(f"Withdrew {queued} images of batch", server.log_text())

    def test_4_workers_with_other_vulnerability_data_the_wait_run_warns_and_scans_those_itself(self):
        other_dir = os.path.join(self.scratch, "other-data")
        os.mkdir(other_dir)
        other_db = osv_db.make_db(other_dir, pypi_records=("PYSEC-2018-28", "PYSEC-2005-1"))
        pg = Postgres()
        self.addCleanup(pg.close)
        pg.start()
        argv = [self.binary, "worker", "--state", pg.url, "--db", other_db, "--worker-id", "stale",
                "--concurrency", "2", "--poll", "200ms"]
        self.workers.append(Worker("stale", argv, self.env(), os.path.join(self.scratch, "stale.log")))
        allow = "--allowList=team1/app0*"
        out = os.path.join(self.scratch, "out")
        os.mkdir(out)
        result = runner.run("registry", self.registry_url, "--state", pg.url, "--db", self.db, "--wait", allow,
                            "--wait-timeout=120s", "--format=json,csv", f"--output-dir={out}", "--no-progress",
                            env=self.env(), output_dir=False, timeout=170)
        self.assertEqual(result.code, 0, repr(result)[-4000:] + self.logs())
        selected = sorted(k for k in self.images if k[0].startswith("team1/app0"))
        self.assertRegex(result.stderr, rf"warning {len(selected)} images of batch \S+ were scanned by workers with "
                                        r"other vulnerability data .*: they are scanned again here")
        self.assertEqual(len(re.findall(r"info Scanned image image=\S+ platform=", result.stderr)), len(selected),
                         "the --wait run scans them itself, with its own data")
        # Its reports are those of a single-process run with its own data.
        single = os.path.join(self.scratch, "single")
        os.mkdir(single)
        alone = runner.run("registry", self.registry_url, "--state", os.path.join(self.scratch, "alone.db"), "--db",
                           self.db, allow, "--format=json,csv", f"--output-dir={single}", "--no-progress",
                           env=self.env(), output_dir=False, timeout=170)
        self.assertEqual(alone.code, 0, repr(alone)[-3000:])
        self.assertEqual(sorted(os.listdir(out)), sorted(os.listdir(single)))
        for name in os.listdir(single):
            if name.endswith(".json"):
                mine = normalized_json_report(os.path.join(out, name))
                theirs = normalized_json_report(os.path.join(single, name))
                # The --wait run found the images already seen (by the stale workers): only "new" differs.
                mine["summary"].pop("new_images", None)
                theirs["summary"].pop("new_images", None)
                self.assertEqual(mine, theirs, name)
            elif name.endswith(".csv"):
                self.assertEqual(csv_rows(os.path.join(out, name)), csv_rows(os.path.join(single, name)), name)


if __name__ == "__main__":
    unittest.main()
