#!/usr/bin/env python3
"""fleet: 1, 2 and 4 `regscan worker` processes over one registry, on PostgreSQL (issue 13).

  bench/run.py fleet [--fleet-images 300 --fleet-workers 1,2,4 --fleet-bases 4 --fleet-base-mb 8]
  bench/fleet.py     [same flags]

One real registry (CNCF distribution) of N images on a few shared bases (each image: a base and a
small layer of its own), behind a counting proxy (tests/e2e/harness/proxy.py, which records every
request). For each worker count: a fresh PostgreSQL 15 (tests/e2e/harness/postgres.py), the
registry queued with `regscan registry --enqueue`, then W workers with --exit-when-idle. Measured:

- images/s: images / (the batch's last `finished` - the workers' start, both on the database clock);
- blob GETs per unique layer: layer blob GETs at the proxy / distinct layers (goal 1.0: a shared
  base is pulled once across the whole fleet);
- peak RSS per worker (the kernel's ru_maxrss of each worker, from wait4), CPU seconds of the
  workers and of PostgreSQL (the postmaster's own and reaped children's time), bytes pulled (the
  proxy's GETs times the sizes pushed), the database's size;
- the floor, in the same run: the single-process `regscan registry` on SQLite over the same proxy.

The cost per image for 100,000 images is these per-image measurements multiplied out, on paper:
an extrapolation from this registry's shape (how many bases, how big), not a measurement.

Environment: REGSCAN_BIN (default build/bin/regscan).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import net, oci_layout  # noqa: E402
from harness.postgres import Postgres  # noqa: E402
from harness.proxy import FaultProxy  # noqa: E402
from harness.push import ApiPusher  # noqa: E402
from harness.registry import Registry  # noqa: E402

BIN = os.environ.get("REGSCAN_BIN", os.path.join(ROOT, "build", "bin", "regscan"))
BLOB_ROUTE = re.compile(r"^/v2/.+/blobs/(sha256:[0-9a-f]{64})$")
MANIFEST_ROUTE = re.compile(r"^/v2/.+/manifests/[^/]+$")
PAPER_IMAGES = 100_000


def add_arguments(parser):
    # Own names: bench/run.py's other benchmarks already take --images.
    parser.add_argument("--fleet-images", dest="fleet_images", type=int, default=300, help="images (fleet)")
    parser.add_argument("--fleet-workers", dest="fleet_workers", default="1,2,4",
                        help="worker counts, comma-separated (fleet)")
    parser.add_argument("--fleet-bases", dest="fleet_bases", type=int, default=4, help="shared bases (fleet)")
    parser.add_argument("--fleet-base-mb", dest="fleet_base_mb", type=int, default=8,
                        help="size of each base layer before compression (fleet)")
    parser.add_argument("--fleet-concurrency", dest="fleet_concurrency", type=int, default=4,
                        help="images at once per worker (fleet; the worker's default)")


class Content:
    """What was pushed: sizes by digest, which digests are layers, the image count."""

    def __init__(self):
        self.sizes = {}
        self.layers = set()
        self.manifest_sizes = []
        self.images = 0


def push_registry(registry, args, tools):
    """N images on `fleet_bases` shared bases, through the registry API (mounts for the bases)."""
    content = Content()
    bases = [tools.base_layer(args.fleet_base_mb, 300 + b) for b in range(args.fleet_bases)]
    pusher = ApiPusher(registry)
    for i in range(args.fleet_images):
        b = i % len(bases)
        repo = f"fleet/app{i:04d}"
        own = oci_layout.Blob(oci_layout.OCI_LAYER_GZIP, oci_layout.tar_gz({f"app/{i}.txt": os.urandom(8192)}))
        image = tools.multi_layer_image([bases[b], own])
        if i < len(bases):
            pusher.upload_blob(repo, bases[b].data)
        else:
            pusher.mount_blob(bases[b].digest, f"fleet/app{b:04d}", repo)
        config = image.dependencies[0]
        pusher.upload_blob(repo, config.data)
        pusher.upload_blob(repo, own.data)
        pusher.put_manifest(repo, "1", image.media_type, image.data)
        for blob in (config, bases[b], own):
            content.sizes[blob.digest] = len(blob.data)
        content.layers.update((bases[b].digest, own.digest))
        content.manifest_sizes.append(len(image.data))
    pusher.close()
    content.images = args.fleet_images
    return content


def pulled(proxy, content, since):
    """(layer blob GETs, bytes answered) at the proxy since `since` (monotonic)."""
    layer_gets, total = 0, 0
    manifest = max(content.manifest_sizes)
    for at, method, path, status in proxy.log:
        if at < since or method != "GET" or status != 200:
            continue
        route = path.split("?")[0]
        blob = BLOB_ROUTE.match(route)
        if blob:
            total += content.sizes.get(blob.group(1), 0)
            layer_gets += blob.group(1) in content.layers
        elif MANIFEST_ROUTE.match(route):
            total += manifest
    return layer_gets, total


def postmaster_cpu(pg):
    """CPU seconds of the PostgreSQL server so far: the postmaster's own and its reaped children's
    (backends exit with their connections, so after the workers have gone they are all counted)."""
    with open(os.path.join(pg.data_dir, "postmaster.pid")) as f:
        pid = int(f.readline())
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


class Worker:
    """A worker process; wait4 gives its own peak RSS and CPU (no other child's)."""

    def __init__(self, argv, env, log_path):
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env)
        self.code = self.rusage = None
        self.thread = threading.Thread(target=self._reap, daemon=True)
        self.thread.start()

    def _reap(self):
        _, status, self.rusage = os.wait4(self.process.pid, 0)
        self.code = os.waitstatus_to_exitcode(status)

    def wait(self, timeout):
        self.thread.join(timeout)
        if self.thread.is_alive():
            self.process.kill()
            self.thread.join(30)
            sys.exit(f"a worker did not exit within {timeout}s of the batch's end:\n{self.log_tail()}")
        return self.code

    def log_tail(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()[-3000:]


def fleet_run(workers, registry_url, content, db, proxy, args, workdir):
    """One measured run of `workers` workers on a fresh PostgreSQL. Returns a dict of figures."""
    with Postgres() as pg:
        empty_db_bytes = int(pg.scalar("SELECT pg_database_size(current_database())"))
        env = dict(os.environ, HOME=workdir, XDG_DATA_HOME=os.path.join(workdir, f"data-{workers}"))
        enqueue_start = time.monotonic()
        enqueue = subprocess.run([BIN, "registry", registry_url, "--state", pg.url, "--db", db, "--enqueue",
                                  "--no-progress", "--log-level=warning", "--output-dir", workdir],
                                 capture_output=True, text=True, env=env, timeout=600)
        match = re.search(r"Enqueued (\d+) images in batch (\S+)", enqueue.stdout)
        if enqueue.returncode != 0 or not match or int(match.group(1)) != content.images:
            sys.exit(f"regscan registry --enqueue failed ({enqueue.returncode}):\n{enqueue.stdout[-2000:]}"
                     f"\n{enqueue.stderr[-3000:]}")
        batch = match.group(2)
        enqueue_wall = time.monotonic() - enqueue_start
        pg_cpu_before = postmaster_cpu(pg)
        started_ms = int(pg.scalar("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"))
        since = time.monotonic()
        procs = [Worker([BIN, "worker", "--state", pg.url, "--db", db, "--worker-id", f"bench-{workers}-{w}",
                         "--concurrency", str(args.fleet_concurrency), "--exit-when-idle", "--log-level=warning"],
                        env, os.path.join(workdir, f"worker-{workers}-{w}.log")) for w in range(workers)]

        def finished():
            if all(p.code is not None for p in procs):
                return True
            counts = dict(pg.query(f"SELECT state, count(*) FROM work_queue WHERE batch = '{batch}' GROUP BY state"))
            return not counts.get("queued") and not counts.get("claimed")
        net.wait_until(finished, timeout=3600, interval=0.5, what=f"{workers} workers finishing the batch")
        codes = [p.wait(timeout=300) for p in procs]
        if any(codes):
            sys.exit(f"a worker exited {codes}:\n" + "\n".join(p.log_tail() for p in procs))
        states = dict(pg.query(f"SELECT state, count(*) FROM work_queue WHERE batch = '{batch}' GROUP BY state"))
        if states != {"done": str(content.images)}:
            sys.exit(f"queue after {workers} workers: {states}, not {content.images} done")
        last_ms = int(pg.scalar(f"SELECT max(finished) FROM work_queue WHERE batch = '{batch}'"))
        # End to end, as the floor is: the discovery and queueing, then the workers until the last image.
        wall = enqueue_wall + (last_ms - started_ms) / 1000
        results = int(pg.scalar("SELECT count(*) FROM results"))
        if results != content.images:
            sys.exit(f"{results} results after {workers} workers, not {content.images}")
        layer_gets, bytes_pulled = pulled(proxy, content, since)
        db_bytes = int(pg.scalar("SELECT pg_database_size(current_database())"))
        return {"workers": workers, "wall": wall, "enqueue": enqueue_wall, "rate": content.images / wall,
                "gets_per_layer": layer_gets / len(content.layers),
                "rss_mib": max(p.rusage.ru_maxrss for p in procs) / 1024,
                "worker_cpu": sum(p.rusage.ru_utime + p.rusage.ru_stime for p in procs),
                "pg_cpu": postmaster_cpu(pg) - pg_cpu_before,
                "bytes": bytes_pulled, "db_bytes": db_bytes - empty_db_bytes}


def floor_run(registry_url, content, db, proxy, workdir):
    """The single process on SQLite: `regscan registry` scanning the same registry, fresh state."""
    os.makedirs(workdir, exist_ok=True)
    env = dict(os.environ, HOME=workdir, XDG_DATA_HOME=os.path.join(workdir, "data-floor"))
    since = time.monotonic()
    log_path = os.path.join(workdir, "floor.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen([BIN, "registry", registry_url, "--db", db, "--format=json", "--no-progress",
                                    "--log-level=warning", "--output-dir", os.path.join(workdir, "floor-out")],
                                   stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - since
    if os.waitstatus_to_exitcode(status) != 0:
        with open(log_path, errors="replace") as f:
            sys.exit(f"regscan registry (floor) failed:\n{f.read()[-4000:]}")
    layer_gets, bytes_pulled = pulled(proxy, content, since)
    return {"wall": wall, "rate": content.images / wall, "gets_per_layer": layer_gets / len(content.layers),
            "rss_mib": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime, "bytes": bytes_pulled}


def bench_fleet(args, tools):
    """`tools`: bench/run.py (base_layer, multi_layer_image, empty_db)."""
    counts = [int(w) for w in args.fleet_workers.split(",") if w.strip()]
    with tempfile.TemporaryDirectory(prefix="regscan-bench-fleet-") as workdir, Registry() as registry:
        content = push_registry(registry, args, tools)
        proxy = FaultProxy(registry)
        proxy.start()
        try:
            db = tools.empty_db(workdir)
            registry_url = f"http://{proxy.host}"
            # The floor before and after the fleet runs, the better one counts: the machine is shared, and
            # a burst of someone else's work should not flatter the fleet.
            floors = [floor_run(registry_url, content, db, proxy, os.path.join(workdir, "floor-before"))]
            runs = [fleet_run(w, registry_url, content, db, proxy, args, workdir) for w in counts]
            floors.append(floor_run(registry_url, content, db, proxy, os.path.join(workdir, "floor-after")))
            floor = min(floors, key=lambda f: f["wall"])
        finally:
            proxy.stop()
    n = content.images
    unique_mb = sum(content.sizes[d] for d in content.layers) / 1e6
    print(f"fleet: {n} images on {args.fleet_bases} shared {args.fleet_base_mb} MB bases ({len(content.layers)} "
          f"unique layers, {unique_mb:.0f} MB gzip), behind a counting proxy; each worker --concurrency "
          f"{args.fleet_concurrency}; a fresh PostgreSQL 15 per run; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"{'run':<34}{'wall s':>8}{'images/s':>10}{'vs floor':>10}{'GETs/layer':>12}{'peak RSS MiB':>14}"
          f"{'CPU s/image':>13}")
    print(f"{'floor: 1 process, SQLite':<34}{floor['wall']:>8.2f}{floor['rate']:>10.1f}{1.0:>10.2f}"
          f"{floor['gets_per_layer']:>12.2f}{floor['rss_mib']:>14.0f}{floor['cpu'] / n:>13.3f}")
    for r in runs:
        label = f"{r['workers']} worker{'s' if r['workers'] > 1 else ''}, PostgreSQL"
        print(f"{label:<34}{r['wall']:>8.2f}{r['rate']:>10.1f}{r['rate'] / floor['rate']:>10.2f}"
              f"{r['gets_per_layer']:>12.2f}{r['rss_mib']:>14.0f}"
              f"{(r['worker_cpu'] + r['pg_cpu']) / n:>13.3f}")
    one = runs[-1]
    cpu = (one["worker_cpu"] + one["pg_cpu"]) / n
    print(f"(images/s is bounded here by this machine ({os.cpu_count()} cores, shared) and the proxy, a Python process that reads "
          "every answer whole: compare the rows with each other, not with a real registry)")
    enqueues = ", ".join(f"{r['enqueue']:.2f}" for r in runs)
    floor_walls = ", ".join(f"{f['wall']:.2f}" for f in floors)
    print(f"(wall: end to end for every row, discovery included: the fleet rows add `registry --enqueue` "
          f"({enqueues} s) to the workers' time; the floor is the better of a run before and one after the "
          f"fleet runs: {floor_walls} s)")
    print(f"(peak RSS: the largest worker's; CPU s/image: workers + PostgreSQL server for the fleet runs, the "
          f"process for the floor; {one['workers']} workers: {one['worker_cpu'] / n:.3f} s in workers, "
          f"{one['pg_cpu'] / n:.3f} s in PostgreSQL per image)")
    print(f"on paper, {PAPER_IMAGES:,} images shaped like these (extrapolated from the {one['workers']}-worker run, "
          f"not measured): {cpu * PAPER_IMAGES / 3600:.1f} CPU-hours ({cpu:.3f} CPU-s per image), "
          f"{one['bytes'] / n * PAPER_IMAGES / 1e9:.1f} GB pulled ({one['bytes'] / n / 1e3:.1f} kB per image: "
          f"shared bases pulled once, so per-image bytes fall as images per base grow), PostgreSQL "
          f"{one['db_bytes'] / n * PAPER_IMAGES / 1e9:.1f} GB ({one['db_bytes'] / n / 1e3:.1f} kB per image: "
          f"the database's growth, queue rows, results and layer facts); at {one['rate']:.1f} images/s, "
          f"{PAPER_IMAGES / one['rate'] / 3600:.1f} h for {one['workers']} workers on this machine")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args()
    import run as tools  # bench/run.py: the shared layer builders (imported here, not at the top: it imports us)
    bench_fleet(args, tools)


if __name__ == "__main__":
    main()
