"""A fleet of `regscan worker` processes on a real PostgreSQL, hurt on purpose (issue 13).

One real registry (CNCF distribution) holds 30 images on 3 shared bases, behind a FaultProxy that
records every request and can hold blob requests (a gate), so a worker is caught mid-scan for
certain rather than by timing. Each test has a fresh PostgreSQL (harness/postgres.py), enqueues the
registry with `regscan registry --enqueue` (or `--wait`) and runs several workers with a short lease:

- kill -9 of a worker holding claims: its images finish on the others once the lease expires; each
  image has one result, every queue row is done, attempts counted (2 for the killed worker's rows),
  and after the kill every blob is pulled exactly once across the fleet;
- a PostgreSQL restart (immediate: a crash) while workers hold claims: they reconnect and finish,
  each image done once;
- SIGTERM of a worker whose images cannot finish within its grace: they go back to the queue at once,
  the attempt given back, and another worker scans them;
- an image whose layer never arrives and whose worker is killed every time it claims it: it ends
  `failed` after the maximum attempts with its reason, the `--wait` run reports it as scan_failed with
  that reason, and every other image is done.

DeployManifests runs what deploy/kubernetes/ and deploy/regscan-worker@.service tell the binary, with
their paths mapped to temp files: the CronJob's `registry --enqueue` queues a small registry, the
Deployment's and the unit's workers scan it (with --exit-when-idle added), serve answers /healthz over
HTTPS, the OSV update job's arguments parse. So a manifest cannot drift from the CLI unnoticed.

No sleep is synchronisation: every wait is a bounded poll of the queue table or the gate.
"""
import collections
import http.client
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from harness import certs, measured_run, net, oci_layout, osv_db
from harness import run as runner
from harness.fleet import BLOB_ROUTE, Worker
from harness.postgres import Postgres
from harness.proxy import FaultProxy, Reply
from harness.push import ApiPusher
from harness.registry import Registry

BASES = 3
IMAGES_PER_BASE = 10
LEASE = "2s"
MAX_ATTEMPTS = 3


def base_layer(seed):
    """A small distribution-like base: os-release and a few hundred files (about 300 KB gzip)."""
    rng = __import__("random").Random(seed)
    files = {"etc/os-release": b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n'}
    for i in range(300):
        files[f"usr/share/base{seed}/f{i:04d}"] = rng.randbytes(rng.choice((512, 1024, 2048)))
    return oci_layout.Blob(oci_layout.OCI_LAYER_GZIP, oci_layout.tar_gz(files))


def app_image(base, name):
    """The base plus one layer of the image's own (so each image has one unique layer and config)."""
    import gzip
    own = oci_layout.Blob(oci_layout.OCI_LAYER_GZIP,
                          oci_layout.tar_gz({f"app/{name}.txt": f"{name}\n".encode() * 64}))
    config = {"created": "2024-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
              "config": {"User": "1000"},
              "rootfs": {"type": "layers",
                         "diff_ids": [oci_layout.digest_of(gzip.decompress(l.data)) for l in (base, own)]}}
    config_blob = oci_layout.Blob(oci_layout.OCI_CONFIG, oci_layout.canonical_json(config))
    manifest = {"schemaVersion": 2, "mediaType": oci_layout.OCI_MANIFEST, "config": config_blob.descriptor(),
                "layers": [base.descriptor(), own.descriptor()]}
    return oci_layout.Manifest(oci_layout.Blob(oci_layout.OCI_MANIFEST, oci_layout.canonical_json(manifest)),
                               [config_blob, base, own])


class Gate:
    """A proxy rule that holds blob GETs while shut (only those `holds` picks), so a worker is known
    to be mid-scan. A held request waits on the gate; `open()` lets held and later requests through,
    `abort()` answers the held ones 503 (their client is dead: nothing they do must count)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self, holds=None):
        with self.lock:
            self.holds = holds          # digest -> bool, or None: hold nothing
            self.released = threading.Event()
            self.aborted = False
            self.held = []              # (monotonic, digest) of every request held

    def hold(self, holds):
        self.reset(holds)

    def open(self, abort=False):
        with self.lock:
            self.aborted = abort
            self.holds = None
            self.released.set()

    def held_count(self):
        with self.lock:
            return len(self.held)

    def __call__(self, request, proxy):
        match = BLOB_ROUTE.match(request.route)
        if request.method != "GET" or not match:
            return None
        with self.lock:
            holds, released = self.holds, self.released
            if holds is None or not holds(match.group(2)):
                return None
            self.held.append((time.monotonic(), match.group(2)))
        released.wait(120)
        with self.lock:
            aborted = self.aborted
        if aborted:
            return Reply(503, b'{"errors":[{"code":"UNAVAILABLE","message":"held by the test"}]}',
                         {"Content-Type": "application/json"})
        return None


class FleetFaults(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-fleet-")
        cls.binary = runner.regscan_binary()
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.gate = Gate()
        cls.proxy = FaultProxy(cls.registry, rules=[cls.gate])
        cls.addClassCleanup(cls.proxy.stop)
        cls.addClassCleanup(cls.gate.open, True)  # runs first: held threads answer before the proxy stops
        cls.proxy.start()
        cls.images = {}   # "repo:tag" -> Manifest
        pusher = ApiPusher(cls.registry)
        for b in range(BASES):
            base = base_layer(100 + b)
            for i in range(IMAGES_PER_BASE):
                repo = f"fleet/app-{b}-{i:02d}"
                manifest = app_image(base, repo.replace("/", "-"))
                if i == 0:
                    pusher.upload_blob(repo, base.data)
                else:
                    pusher.mount_blob(base.digest, f"fleet/app-{b}-00", repo)
                for blob in manifest.dependencies[::2]:  # the config and the image's own layer
                    pusher.upload_blob(repo, blob.data)
                pusher.put_manifest(repo, "1", manifest.media_type, manifest.data)
                cls.images[f"{repo}:1"] = manifest
        # The poison image: its own layer is held by the gate in the test that wants it, else never asked.
        cls.poison = app_image(base_layer(100), "poison")
        pusher.mount_blob(cls.poison.dependencies[1].digest, "fleet/app-0-00", "poison/app")
        for blob in cls.poison.dependencies[::2]:
            pusher.upload_blob("poison/app", blob.data)
        pusher.put_manifest("poison/app", "1", cls.poison.media_type, cls.poison.data)
        pusher.close()

    def setUp(self):
        self.gate.reset()
        self.pg = Postgres()
        self.addCleanup(self.pg.close)
        self.pg.start()
        self.workers = {}
        self.addCleanup(self._stop_workers)
        self.scratch = tempfile.mkdtemp(prefix="run-", dir=self.workdir)
        self.home = os.path.join(self.scratch, "home")
        os.mkdir(self.home)

    def _stop_workers(self):
        self.gate.open(abort=True)
        for worker in self.workers.values():
            if worker.alive():
                worker.kill9()

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

    def enqueue(self, allow="fleet/*"):
        result = runner.run("registry", self.registry_url, "--state", self.pg.url, "--db", self.db, "--enqueue",
                            f"--allowList={allow}", "--log-level=debug", env={"XDG_DATA_HOME": self.home})
        self.assertEqual(result.code, 0, f"{result!r}")
        match = re.search(r"^Enqueued (\d+) images in batch (\S+)$", result.stdout.strip().splitlines()[-1])
        self.assertIsNotNone(match, f"no 'Enqueued N images in batch ID' line\n{result!r}")
        self.assertNotIn(self.pg.password, result.stdout + result.stderr)
        return int(match.group(1)), match.group(2)

    def start_worker(self, worker_id, concurrency=2, lease=LEASE, extra=()):
        argv = [self.binary, "worker", "--state", self.pg.url, "--db", self.db, "--worker-id", worker_id,
                "--lease", lease, "--max-attempts", str(MAX_ATTEMPTS), "--concurrency", str(concurrency),
                "--log-level=debug", *extra]
        worker = Worker(worker_id, argv, self.env(), os.path.join(self.scratch, f"{worker_id}.log"))
        self.workers[worker_id] = worker
        return worker

    def queue(self, batch):
        """{(repository, tag): (state, attempts, lease_owner, reason)} of the batch."""
        return {(r[0], r[1]): (r[2], int(r[3]), r[4], r[5]) for r in self.pg.query(
            f"SELECT repository, tag, state, attempts, lease_owner, reason FROM work_queue WHERE batch = '{batch}'")}

    def claimed_by(self, batch, worker_id):
        return {key for key, row in self.queue(batch).items() if row[0] == "claimed" and row[2] == worker_id}

    def wait_finished(self, batch, timeout=180):
        """Until no row of the batch is queued or claimed; every worker must stay alive meanwhile."""
        def finished():
            dead = [w.id for w in self.workers.values() if not w.alive() and w.id not in self.killed]
            if dead:
                raise net.GaveUp(f"workers {dead} exited:\n" + "\n".join(
                    self.workers[d].log()[-3000:] for d in dead))
            rows = self.queue(batch)
            return rows and all(state in ("done", "failed") for state, *_ in rows.values())
        try:
            net.wait_until(finished, timeout=timeout, interval=0.2, what=f"batch {batch} finished")
        except TimeoutError as e:
            unfinished = {k: r for k, r in self.queue(batch).items() if r[0] not in ("done", "failed")}
            raise AssertionError(f"{e}; unfinished rows {unfinished}\n{self.logs_tail()}") from None

    def stop_all(self):
        """SIGTERM every live worker: each must exit 0."""
        codes = {w.id: w.terminate() for w in self.workers.values() if w.id not in self.killed}
        self.assertEqual(codes, {w: 0 for w in codes}, self.logs_tail())

    def logs_tail(self):
        return "\n".join(f"--- {w.id} ---\n{w.log()[-2500:]}" for w in self.workers.values())

    def results_per_image(self):
        """(repository, tag) -> (number of result rows, their statuses) in the state."""
        counts = collections.defaultdict(list)
        for repository, tag, status in self.pg.query("SELECT repository, tag, status FROM results"):
            counts[(repository, tag)].append(status)
        return dict(counts)

    def expected_keys(self, prefix="fleet/"):
        return {tuple(ref.rsplit(":", 1)) for ref in self.images if ref.startswith(prefix)}

    def assertEachImageOnce(self, batch):
        keys = self.expected_keys()
        rows = self.queue(batch)
        self.assertEqual(set(rows), keys)
        self.assertEqual({k: r[0] for k, r in rows.items()}, {k: "done" for k in keys}, self.logs_tail())
        self.assertEqual(self.results_per_image(), {k: ["scanned"] for k in keys})

    def assertNoSecretInLogs(self):
        for worker in self.workers.values():
            self.assertNotIn(self.pg.password, worker.log(), f"the connection's password is in {worker.id}'s log")

    def blob_gets_since(self, since):
        """digest -> number of GETs answered 200 since `since` (monotonic), at the proxy."""
        counts = collections.Counter()
        for at, method, path, status in self.proxy.log:
            match = BLOB_ROUTE.match(path.split("?")[0])
            if at >= since and method == "GET" and status == 200 and match:
                counts[match.group(2)] += 1
        return counts

    def blobs_of(self, keys):
        return {blob.digest for key in keys for blob in self.images[":".join(key)].dependencies}

    # Tests -----------------------------------------------------------------------------------------

    killed = ()

    def test_kill9_worker_holding_claims_its_images_finish_on_the_others(self):
        total, batch = self.enqueue()
        self.assertEqual(total, len(self.expected_keys()))
        self.gate.hold(lambda digest: True)  # the victim gets no blob: it is mid-scan when killed
        victim = self.start_worker("victim")
        net.wait_until(lambda: self.claimed_by(batch, "victim") and self.gate.held_count() > 0, timeout=60,
                       what="the victim holding a claim and asking for a blob")
        held = self.claimed_by(batch, "victim")
        victim.kill9()
        self.killed = {"victim"}
        killed_at = time.monotonic()
        self.gate.open(abort=True)  # the victim's held requests end 503: they count for nothing
        self.start_worker("survivor-a")
        self.start_worker("survivor-b")
        self.wait_finished(batch)
        self.stop_all()

        self.assertEachImageOnce(batch)
        rows = self.queue(batch)
        self.assertEqual({k: rows[k][1] for k in held}, {k: 2 for k in held},
                         "the killed worker's images are claimed a second time once its lease expired")
        self.assertEqual({k: r[1] for k, r in rows.items() if k not in held},
                         {k: 1 for k in rows if k not in held})
        self.assertTrue(all(rows[k][2] in ("survivor-a", "survivor-b") for k in held), rows)
        # After the kill, the survivors pulled every blob (shared bases, own layers, configs) exactly once.
        gets = self.blob_gets_since(killed_at)
        self.assertEqual(dict(gets), {d: 1 for d in self.blobs_of(self.expected_keys())},
                         "blob GETs per digest after the kill (goal: each unique blob once across the fleet)")
        self.assertNoSecretInLogs()

    def test_postgres_restart_mid_run_workers_reconnect_and_finish(self):
        total, batch = self.enqueue()
        self.gate.hold(lambda digest: True)
        for name in ("w1", "w2", "w3"):
            self.start_worker(name, lease="5s")
        # Every worker running (its heartbeat written), not still opening the state: the restart is mid-run.
        net.wait_until(lambda: self.pg.query("SELECT count(*) FROM fleet_workers") == [("3",)], timeout=60,
                       what="the three workers' heartbeats")
        net.wait_until(lambda: sum(1 for r in self.queue(batch).values() if r[0] == "claimed") >= 3
                       and self.gate.held_count() >= 2, timeout=60, what="workers holding claims mid-scan")
        self.pg.restart(mode="immediate")  # a crash: every connection cut, the server back on the same port
        self.gate.open()
        self.wait_finished(batch)
        self.assertTrue(all(w.alive() for w in self.workers.values()), self.logs_tail())
        self.stop_all()

        self.assertEachImageOnce(batch)
        attempts = {k: r[1] for k, r in self.queue(batch).items()}
        self.assertTrue(all(1 <= a <= 2 for a in attempts.values()), attempts)
        self.assertNoSecretInLogs()

    def test_postgres_down_past_the_reconnect_timeout_an_idle_worker_backs_off_then_resumes(self):
        """An idle worker (polling every 100 ms) whose PostgreSQL stays down past --state-reconnect-timeout 1s
        gives up reconnecting once, warns, and looks again 10 s later rather than every poll (no warning
        a poll through an outage); with the server back it claims and scans what was queued meanwhile."""
        worker = self.start_worker("w1", extra=("--state-reconnect-timeout", "1s", "--poll", "100ms"))
        net.wait_until(lambda: "Worker w1 ready" in worker.log(), timeout=60, what="w1 ready")
        self.pg.stop(mode="immediate")
        net.wait_until(lambda: "Could not claim work" in worker.log(), timeout=60, what="w1 failing to claim")
        self.pg.start()
        total, batch = self.enqueue(allow="fleet/app-0-0*")
        self.wait_finished(batch)
        self.stop_all()
        log = worker.log()
        self.assertIn("(gave up reconnecting after 1 s)", log)
        # At most one more failed claim (PostgreSQL slower to start than the 10 s pause), never one a poll.
        self.assertLessEqual(log.count("Could not claim work"), 2, log[-4000:])
        self.assertEqual({r[0] for r in self.queue(batch).values()}, {"done"})
        self.assertEqual(len(self.queue(batch)), total)
        self.assertNoSecretInLogs()

    def test_image_killing_its_workers_ends_failed_after_max_attempts(self):
        poison_layer = self.poison.dependencies[2].digest
        self.gate.hold(lambda digest: digest == poison_layer)  # never arrives while the test runs
        out = os.path.join(self.scratch, "out")
        os.mkdir(out)
        waiter = subprocess.Popen(
            [self.binary, "registry", self.registry_url, "--state", self.pg.url, "--db", self.db, "--wait",
             "--allowList=fleet/*,poison/*", "--format=json", f"--output-dir={out}", "--no-progress"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env(), start_new_session=True)
        self.addCleanup(lambda: waiter.poll() is None and os.killpg(waiter.pid, signal.SIGKILL))

        def batch_id():
            rows = self.pg.query("SELECT DISTINCT batch FROM work_queue") if "work_queue" in self.pg.tables() else []
            return rows[0][0] if rows else None
        batch = net.wait_until(batch_id, timeout=60, what="the --wait run's batch in the queue")
        self.killed = set()
        serial = iter(range(1000))
        for _ in range(2):
            self.start_worker(f"w{next(serial)}", concurrency=1)
        kills = 0

        def poison_row():
            return self.queue(batch)[("poison/app", "1")]
        deadline = time.monotonic() + 180
        while poison_row()[0] != "failed":
            self.assertLess(time.monotonic(), deadline, f"poison row {poison_row()}\n{self.logs_tail()}")
            self.assertLessEqual(kills, MAX_ATTEMPTS, f"poison row {poison_row()}")
            # The next worker to claim the poison (and to ask for its layer) is killed.
            state, attempts, owner, _ = net.wait_until(
                lambda: (lambda r: r if r[0] == "failed" or (r[0] == "claimed" and r[2] not in self.killed
                                                              and self.gate.held_count() >= kills + 1) else None)(
                    poison_row()), timeout=120, interval=0.1, what="the poison claimed by a live worker")
            if state == "failed":
                break
            self.assertEqual(attempts, kills + 1)
            self.workers[owner].kill9()
            self.killed.add(owner)
            kills += 1
            self.start_worker(f"w{next(serial)}", concurrency=1)
        self.wait_finished(batch)
        self.stop_all()

        self.assertEqual(kills, MAX_ATTEMPTS)
        rows = self.queue(batch)
        state, attempts, _, reason = rows.pop(("poison/app", "1"))
        self.assertEqual((state, attempts), ("failed", MAX_ATTEMPTS))
        self.assertEqual(reason, f"worker lost while scanning ({MAX_ATTEMPTS} attempts)")
        self.assertEqual({k: r[0] for k, r in rows.items()}, {k: "done" for k in self.expected_keys()})
        # The --wait run ends when the batch does, with the poison reported as scan_failed and why.
        stdout, stderr = waiter.communicate(timeout=120)
        self.assertEqual(waiter.returncode, 6, f"{stdout[-3000:]}\n{stderr[-3000:]}")
        with open(osv_db.report_json_path(out, self.proxy.host)) as f:
            report = json.load(f)
        statuses = {(i["repository"], i["tag"]): (i["status"], i["error"]) for i in report["images"]}
        self.assertEqual(statuses.pop(("poison/app", "1")),
                         ("scan_failed",
                          f"the fleet gave up on this image: worker lost while scanning ({MAX_ATTEMPTS} attempts)"))
        self.assertEqual(statuses, {k: ("scanned", "") for k in self.expected_keys()})
        self.assertEqual(report["summary"]["images_failed"], 1)
        self.assertNotIn(self.pg.password, stdout + stderr)
        self.assertNoSecretInLogs()


    def test_sigterm_gives_unfinished_images_back_without_spending_an_attempt(self):
        total, batch = self.enqueue()
        self.gate.hold(lambda digest: True)  # the stopping worker's images cannot finish within its grace
        leaving = self.start_worker("leaving", extra=("--shutdown-grace", "1s"))
        net.wait_until(lambda: self.claimed_by(batch, "leaving") and self.gate.held_count() > 0, timeout=60,
                       what="the worker holding a claim mid-scan")
        held = self.claimed_by(batch, "leaving")
        self.assertEqual(leaving.terminate(timeout=30), 0, leaving.log()[-3000:])
        self.killed = {"leaving"}  # gone on purpose
        rows = self.queue(batch)
        self.assertEqual({k: rows[k][:2] for k in held}, {k: ("queued", 0) for k in held},
                         "released at once, the attempt given back, no lease to wait out")
        self.gate.open(abort=True)
        self.start_worker("staying")
        self.wait_finished(batch)
        self.stop_all()
        self.assertEachImageOnce(batch)
        self.assertEqual({k: r[1] for k, r in self.queue(batch).items()}, {k: 1 for k in self.expected_keys()})

    def test_image_failing_each_attempt_ends_failed_with_its_error(self):
        # The poison's own layer never arrives and --image-timeout gives up on it: a scan error each time,
        # not a lost worker. After the maximum attempts it ends failed with that error; the rest are done.
        poison_layer = self.poison.dependencies[2].digest
        self.gate.hold(lambda digest: digest == poison_layer)
        total, batch = self.enqueue(allow="fleet/*,poison/*")
        self.assertEqual(total, len(self.expected_keys()) + 1)
        self.killed = set()
        for name in ("t1", "t2"):
            self.start_worker(name, concurrency=2, extra=("--image-timeout", "2s"))
        self.wait_finished(batch, timeout=240)
        self.stop_all()

        rows = self.queue(batch)
        state, attempts, _, reason = rows.pop(("poison/app", "1"))
        self.assertEqual((state, attempts), ("failed", MAX_ATTEMPTS), reason)
        self.assertNotIn("worker lost", reason)
        self.assertRegex(reason, r"(?i)timeout|deadline|took longer|gave up")
        self.assertEqual(self.gate.held_count(), MAX_ATTEMPTS, "one pull of the poison layer per attempt")
        self.assertEqual({k: r[0] for k, r in rows.items()}, {k: "done" for k in self.expected_keys()})
        results = self.results_per_image()
        self.assertNotEqual(results.pop(("poison/app", "1"), ["none"]), ["scanned"])
        self.assertEqual(results, {k: ["scanned"] for k in self.expected_keys()})
        self.assertNoSecretInLogs()


DEPLOY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy")


def manifests():
    """Every document of deploy/kubernetes/*.yaml, with its file name."""
    import glob
    import yaml  # python3-yaml
    for path in sorted(glob.glob(os.path.join(DEPLOY, "kubernetes", "*.yaml"))):
        with open(path) as f:
            for document in yaml.safe_load_all(f):
                if document:
                    yield os.path.basename(path), document


def pod_spec(document):
    kind = document["kind"]
    if kind == "Deployment":
        return document["spec"]["template"]["spec"]
    if kind == "CronJob":
        return document["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return None


class DeployManifests(unittest.TestCase):
    """The deploy/ files' regscan arguments, run by the real binary on real servers."""

    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-deploy-")
        cls.binary = runner.regscan_binary()
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        base = base_layer(7)
        cls.repos = [f"team/svc{i}" for i in range(3)]
        pusher = ApiPusher(cls.registry)
        for repo in cls.repos:
            pusher.push(repo, "1", app_image(base, repo.replace("/", "-")))
        pusher.close()
        cls.pg = Postgres()
        cls.addClassCleanup(cls.pg.close)
        cls.pg.start()
        cls.documents = list(manifests())

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="pod-", dir=self.workdir)
        for sub in ("etc", "data/regscan", "tmp", "osv", "key"):
            os.makedirs(os.path.join(self.root, sub))
        # The volumes as Kubernetes would mount them: the OSV database volume, the connector key Secret
        # (group-readable, as a Secret volume with fsGroup is; `kubectl create secret --from-literal`: no
        # newline).
        __import__("shutil").copy(self.db, os.path.join(self.root, "osv", "osv.db"))
        self.key = os.path.join(self.root, "key", "serve-secret.key")
        with open(self.key, "w") as f:
            f.write(__import__("secrets").token_hex(32))
        os.chmod(self.key, 0o440)
        # The Secret's config file, as mounted: its one line names this test's PostgreSQL.
        secret = next(d for _, d in self.documents if d["kind"] == "Secret" and d["metadata"]["name"] == "regscan-state")
        self.assertRegex(secret["stringData"]["config"].strip(), r"^state = postgresql://[^\n]+$")
        with open(os.path.join(self.root, "etc", "config"), "w") as f:
            f.write(f"state = {self.pg.url}\n")
        os.chmod(os.path.join(self.root, "etc", "config"), 0o600)

    def container(self, kind, name, container="main"):
        for _, document in self.documents:
            if document["kind"] == kind and document["metadata"]["name"] == name:
                spec = pod_spec(document)
                self.assertFalse(spec.get("hostNetwork"), name)
                found = [c for c in spec["containers"] if container == "main" or c["name"] == container]
                self.assertEqual(len(found), 1, f"{kind} {name}: one container")
                return spec, found[0]
        self.fail(f"no {kind} {name} in deploy/kubernetes")

    def mapped(self, args, replacements):
        """The container's args with its mount paths and example hosts mapped to this test's."""
        out = []
        for arg in args:
            for old, new in replacements:
                arg = arg.replace(old, new)
            out.append(arg)
        return out

    def replacements(self):
        return [("/etc/regscan/config", os.path.join(self.root, "etc", "config")),
                ("/etc/regscan-key/", os.path.join(self.root, "key") + "/"),
                ("/var/lib/regscan", os.path.join(self.root, "data", "regscan")),
                ("/osv/", os.path.join(self.root, "osv") + "/"),
                ("https://registry.example.com", self.registry.url)]

    def run_init_containers(self, spec):
        """The pod's init containers (shell scripts) with the paths mapped: they must succeed."""
        for init in spec.get("initContainers", []):
            argv = self.mapped(init.get("command", []) + init.get("args", []), self.replacements())
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=self.root)
            self.assertEqual(done.returncode, 0, f"init container {init['name']}: {done.stderr}")

    def env(self, container):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("REGSCAN_REGISTRY_", "TCS_REGISTRY_", "REGSCAN_PLUGIN_PATH"))}
        for entry in container.get("env", []):
            if "value" in entry:  # values from Secrets (registry credentials) are optional: left out here
                value = entry["value"]
                for prefix, local in (("/var/lib", os.path.join(self.root, "data")),
                                      ("/tmp", os.path.join(self.root, "tmp"))):
                    if value == prefix or value.startswith(prefix + "/"):
                        value = local + value[len(prefix):]
                        break
                env[entry["name"]] = value
        return env

    def run_binary(self, args, env, timeout=120):
        return subprocess.run([self.binary, *args], capture_output=True, text=True, env=env, timeout=timeout,
                              cwd=self.root, stdin=subprocess.DEVNULL)

    def queue_states(self):
        return dict(self.pg.query("SELECT state, count(*) FROM work_queue GROUP BY state"))

    def test_enqueue_cronjob_then_worker_deployment_scan_the_registry(self):
        _, cron = self.container("CronJob", "regscan-enqueue")
        self.assertNotIn("command", cron)
        enqueue = self.run_binary(self.mapped(cron["args"], self.replacements()) + ["--output-dir", self.root],
                                  self.env(cron))
        self.assertEqual(enqueue.returncode, 0, enqueue.stdout + enqueue.stderr)
        self.assertRegex(enqueue.stdout.strip().splitlines()[-1], r"^Enqueued 3 images in batch \S+$")
        self.assertNotIn(self.pg.password, enqueue.stdout + enqueue.stderr)

        spec, worker = self.container("Deployment", "regscan-worker")
        grace = spec["terminationGracePeriodSeconds"]
        flags = dict(a.lstrip("-").split("=", 1) for a in worker["args"][1:] if "=" in a)
        self.assertGreater(grace, int(flags["lease"].rstrip("s")), "the pod's grace outlasts a lease")
        self.assertGreater(grace, int(flags["shutdown-grace"].rstrip("s")), "and the worker's own grace")
        self.assertEqual(worker["args"][0], "worker")
        self.run_init_containers(spec)
        self.assertEqual(os.stat(os.path.join(self.root, "data", "regscan", "serve-secret.key")).st_mode & 0o777, 0o600)
        run = self.run_binary(self.mapped(worker["args"], self.replacements()) + ["--exit-when-idle"],
                              self.env(worker), timeout=300)
        self.assertEqual(run.returncode, 0, run.stdout[-3000:] + run.stderr[-3000:])
        self.assertEqual(self.queue_states(), {"done": "3"})
        self.assertNotIn(self.pg.password, run.stdout + run.stderr)

    def test_systemd_worker_unit_arguments(self):
        with open(os.path.join(DEPLOY, "regscan-worker@.service")) as f:
            unit = f.read().replace("\\\n", " ")
        line = next(l for l in unit.splitlines() if l.startswith("ExecStart="))
        argv = line[len("ExecStart="):].split()
        self.assertEqual(argv[:2], ["/usr/bin/regscan", "worker"])
        grace = int(re.search(r"^TimeoutStopSec=(\d+)$", unit, re.M).group(1))
        lease = int(re.search(r"--lease (\d+)s", line).group(1))
        self.assertGreater(grace, lease)
        args = self.mapped(argv[1:], [("%d/regscan.conf", os.path.join(self.root, "etc", "config")),
                                      ("/var/lib/regscan-osv/osv.db", self.db), ("%H-%i", "host-1")])
        env = dict(self.env({}), HOME=os.path.join(self.root, "tmp"))
        run = self.run_binary(args + ["--exit-when-idle"], env)
        self.assertEqual(run.returncode, 0, run.stdout[-3000:] + run.stderr[-3000:])

    def test_serve_deployment_answers_healthz_over_https_on_the_same_state(self):
        spec, serve = self.container("Deployment", "regscan-serve")
        deployment = next(d for _, d in self.documents if d["kind"] == "Deployment"
                          and d["metadata"]["name"] == "regscan-serve")
        self.assertEqual((deployment["spec"]["replicas"], deployment["spec"]["strategy"]["type"]), (1, "Recreate"),
                         "one server owns the schedules")
        ca = certs.CertificateAuthority(os.path.join(self.root, "tmp"))
        port = net.free_port()
        args = self.mapped(serve["args"], self.replacements() + [
            ("--listen=0.0.0.0:8686", f"--listen=127.0.0.1:{port}"),
            ("/etc/regscan/tls/tls.crt", ca.server_cert), ("/etc/regscan/tls/tls.key", ca.server_key)])
        self.assertEqual(args[0], "serve")
        self.run_init_containers(spec)
        log_path = os.path.join(self.root, "serve.log")
        with open(log_path, "wb") as log:
            process = subprocess.Popen([self.binary, *args], stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, env=self.env(serve), cwd=self.root,
                                       start_new_session=True)
        self.addCleanup(lambda: process.poll() is None and os.killpg(process.pid, signal.SIGKILL))

        def log_text():
            with open(log_path, errors="replace") as f:
                return f.read()

        def healthy():
            if process.poll() is not None:
                raise net.GaveUp(f"serve exited {process.returncode}:\n{log_text()[-3000:]}")
            import ssl
            context = ssl.create_default_context(cafile=ca.ca_cert)
            connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context)
            try:
                probe = next(p for p in ("readinessProbe", "livenessProbe") if p in serve)
                connection.request("GET", serve[probe]["httpGet"]["path"])
                return connection.getresponse().status == 200
            finally:
                connection.close()
        net.wait_until(healthy, timeout=60, what="regscan serve's /healthz")
        os.killpg(process.pid, signal.SIGTERM)
        self.assertEqual(process.wait(timeout=spec["terminationGracePeriodSeconds"]), 0, log_text()[-3000:])
        self.assertNotIn(self.pg.password, log_text())
        # serve made its tables in the PostgreSQL state, not in a file of the data dir.
        self.assertIn("serve_connectors", self.pg.tables())
        self.assertFalse(os.path.exists(os.path.join(self.root, "data", "regscan", "state.db")))

    def test_osv_update_job_arguments_parse(self):
        _, update = self.container("CronJob", "regscan-osv-update")
        script = " ".join(update["args"])
        command = re.search(r"regscan (db update [^;]+);", script).group(1).split()
        closed = net.ClosedPort()
        self.addCleanup(closed.close)
        args = self.mapped(command, [("/osv/", os.path.join(self.root, "data") + "/")])
        run = self.run_binary(args + ["--source", f"http://127.0.0.1:{closed.port}", "--ecosystems", "PyPI"],
                              self.env(update))
        # 3: no ecosystem could be downloaded (the mirror is a closed port); 2 would be bad arguments.
        self.assertEqual(run.returncode, 3, run.stdout + run.stderr)


if __name__ == "__main__":
    unittest.main()
