#!/usr/bin/env python3
"""serve-images: the dashboard's Images page over 100,000 images.

  bench/run.py serve-images [--images 100000 --runs 7]
  bench/serve_images.py     [--images 100000 --runs 7]

The state is filled directly (SQL into the image index tables that `regscan serve`
creates on its first start, see core/src/state/service_store.cpp), as a big
registry's imports would have left it; then the real server runs on it on a
loopback port. Measured, each as the median of --runs requests on fresh
connections: the time to the first byte of the page itself (GET /), and of the
API answers the Images page asks for (the first page by repository, the last
page, sorted by critical count, filtered by status, a search). Peak RSS is the
kernel's high-water mark of the server process (VmHWM) after all of them.
Goals (issue 10): under 200 ms to first byte, under 150 MiB peak RSS.

Environment: REGSCAN_BIN (default build/bin/regscan).
"""
import argparse
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

os.environ.setdefault("REGSCAN_BIN", os.path.join(ROOT, "build", "bin", "regscan"))
from harness import serve  # noqa: E402

TTFB_GOAL_MS = 200
RSS_GOAL_MIB = 150
SEVERITIES = ("critical", "high", "medium", "low", "unknown")


def add_arguments(parser):
    # Own names: bench/run.py's other benchmarks already take --images and --runs.
    parser.add_argument("--serve-images", dest="serve_images", type=int, default=100000,
                        help="images in the state (serve-images)")
    parser.add_argument("--serve-runs", dest="serve_runs", type=int, default=7,
                        help="requests per measured URL (serve-images)")


CONNECTORS = ("alpha", "beta")


def make_connectors(server):
    """Two connectors through the API, schedule off and nothing imported: the
    server must not touch the images filled behind its back."""
    for name in CONNECTORS:
        server.api("POST", "/api/v1/connectors", {
            "name": name, "url": f"http://127.0.0.1:9/{name}", "schedule": {"enabled": False, "every": "12h"}},
            expect=201)


def fill_state(state_path, count, seed=7):
    """`count` images (serve_images, core/src/state/service_store.cpp) over the two
    connectors, ~count/5 repositories of 5 tags, 1% Scan Failed and 0.5% failed,
    vulnerability counts spread as a real fleet's are (most images a few, some many),
    one finished import per connector that found them."""
    rng = random.Random(seed)
    db = sqlite3.connect(state_path)
    try:
        ids = dict(db.execute("SELECT name, id FROM serve_connectors").fetchall())
        if set(ids) != set(CONNECTORS):
            raise RuntimeError(f"connectors in the state: {sorted(ids)}")
        imports = {}
        for name in CONNECTORS:
            cursor = db.execute(
                "INSERT INTO serve_imports (connector_id, connector, trigger, state, queued_at, started_at, "
                "finished_at, registry_type, images_found, images_new) VALUES (?, ?, 'scheduled', 'succeeded', "
                "'2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '2026-01-01T02:00:00Z', 'DEFAULT_V2', ?, ?)",
                (ids[name], name, count // len(CONNECTORS), count // len(CONNECTORS)))
            imports[name] = cursor.lastrowid

        def rows():
            for i in range(count):
                connector = CONNECTORS[i % len(CONNECTORS)]
                repo = f"team-{(i // 5) % 97:02d}/repo-{i // 5:05d}"
                tag = f"v{i % 5}.{rng.randint(0, 30)}"
                roll = rng.random()
                status = "scan_failed" if roll < 0.01 else "failed" if roll < 0.015 else "scanned"
                reason = {"scan_failed": "image timeout 60m passed", "failed": "manifest unknown"}.get(status, "")
                counts = [0] * 5 if status != "scanned" else [
                    int(rng.expovariate(1 / m)) for m in (0.3, 2.0, 6.0, 8.0, 0.5)]
                minute = rng.randint(0, 59 * 24 * 30)
                scanned = f"2026-01-{1 + minute // 1440:02d}T{minute % 1440 // 60:02d}:{minute % 60:02d}:00Z"
                yield (ids[connector], connector, "default", "127.0.0.1:9", repo, tag, "linux/amd64",
                       "sha256:%064x" % rng.getrandbits(256), scanned, imports[connector], *counts, sum(counts),
                       "not scanned", 0, 0, status, reason)

        db.executemany(
            "INSERT INTO serve_images (connector_id, connector, project, registry, repository, tag, platform, digest, "
            "last_scanned, import_id, critical, high, medium, low, unknown, total, malware_verdict, malware_found, "
            "malware_incomplete, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows())
        db.commit()
        db.execute("ANALYZE")
        db.commit()
    finally:
        db.close()


def ttfb_ms(port, path, token):
    """Milliseconds from sending the request (connection already open) to the
    first byte of the answer; the whole answer is read and must be 200."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                   "Connection: close\r\n\r\n").encode()
        start = time.perf_counter()
        s.sendall(request)
        first = s.recv(1)
        elapsed = (time.perf_counter() - start) * 1000
        chunks = [first]
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    answer = b"".join(chunks)
    status = answer.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        raise RuntimeError(f"GET {path} -> {status!r}: {answer[:300]!r}")
    return elapsed, len(answer)


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def browser_page_times(server, args, workdir, last_offset):
    """The Images page in Debian's chromium (tests/e2e/browser/drive.js timing):
    navigation to rendered rows, first and last page. Informative; skipped
    (said so) when the browser driver is not installed."""
    browser_dir = os.path.join(ROOT, "tests", "e2e", "browser")
    if not os.path.isdir(os.path.join(browser_dir, "node_modules", "playwright-core")):
        print("  (chromium timing skipped: run `npm ci` in tests/e2e/browser)")
        return
    hashes = ["#/images", f"#/images?offset={last_offset}", "#/images?sort=critical&order=desc"]
    config = os.path.join(workdir, "timing.json")
    with open(config, "w") as f:
        json.dump({"url": server.url + "/", "token": server.token, "artifacts": os.path.join(workdir, "shots"),
                   "hashes": hashes, "runs": args.serve_runs}, f)
    done = subprocess.run(["node", os.path.join(browser_dir, "drive.js"), "timing", config], cwd=browser_dir,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"drive.js timing failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    timings = json.loads(done.stdout.strip().splitlines()[-1])["timings"]
    for hash_ in hashes:
        print(f"  chromium: {hash_:<36} rows shown {statistics.median(timings[hash_]):7.1f} ms "
              "(navigation to rendered table, median)")


def bench_serve_images(args):
    workdir = tempfile.mkdtemp(prefix="regscan-bench-serve-")
    try:
        server = serve.Server(os.path.join(workdir, "serve"), log_level="warning")
        server.start()  # creates the state and its tables (migrations)
        make_connectors(server)
        server.stop()
        started = time.monotonic()
        fill_state(server.state_path, args.serve_images)
        fill_seconds = time.monotonic() - started
        size_mib = os.path.getsize(server.state_path) / 1048576
        server.start()
        try:
            last_offset = max(0, args.serve_images - 50)
            urls = [
                ("page (GET /)", "/"),
                ("images, first page", "/api/v1/images?sort=repository&order=asc&limit=50&offset=0"),
                ("images, last page", f"/api/v1/images?sort=repository&order=asc&limit=50&offset={last_offset}"),
                ("images by critical, desc", "/api/v1/images?sort=critical&order=desc&limit=50&offset=0"),
                ("images, status scan_failed", "/api/v1/images?status=scan_failed&limit=50&offset=0"),
                ("images, severity critical", "/api/v1/images?severity=critical&limit=50&offset=0"),
                ("images, search", "/api/v1/images?q=repo-0042&limit=50&offset=0"),
                ("images, one connector", "/api/v1/images?connector=beta&sort=last_scanned&order=desc&limit=50"),
            ]
            total = json.loads(server.request("GET", "/api/v1/images?limit=1").body)["total"]
            if total != args.serve_images:
                raise RuntimeError(f"the API counts {total} images, the state was filled with {args.serve_images}")
            print(f"serve-images: {args.serve_images} images (state {size_mib:.0f} MiB, filled in {fill_seconds:.1f} s), "
                  f"median of {args.serve_runs} requests each")
            worst = 0.0
            for label, path in urls:
                ttfb_ms(server.port, path, server.token)  # warm: the first answer after start
                times = []
                for _ in range(args.serve_runs):
                    elapsed, size = ttfb_ms(server.port, path, server.token)
                    times.append(elapsed)
                median = statistics.median(times)
                worst = max(worst, median)
                verdict = "ok" if median < TTFB_GOAL_MS else "OVER GOAL"
                print(f"  {label:<28} time to first byte {median:7.1f} ms (max {max(times):.1f}, {size} bytes)"
                      f"  goal < {TTFB_GOAL_MS} ms: {verdict}")
            browser_page_times(server, args, workdir, last_offset)
            rss_mib = peak_rss_kib(server.process.pid) / 1024
            print(f"  server peak RSS {rss_mib:.1f} MiB  goal < {RSS_GOAL_MIB} MiB: "
                  f"{'ok' if rss_mib < RSS_GOAL_MIB else 'OVER GOAL'}")
            print(f"  worst median time to first byte {worst:.1f} ms")
            return {"images": args.serve_images, "worst_ttfb_ms": worst, "peak_rss_mib": rss_mib}
        finally:
            server.stop()
    finally:
        if not os.environ.get("REGSCAN_BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    bench_serve_images(parser.parse_args())


if __name__ == "__main__":
    main()
