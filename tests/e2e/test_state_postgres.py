"""The state in PostgreSQL end to end: the real binary scans a real registry with
--state postgresql://... (a real PostgreSQL 15 started by harness/postgres.py), rescans it
(nothing new, the same report), gives the same report as a SQLite state, serves its dashboard
from it, keeps going across a server restart, never prints the URL's password (even at
--log-level=trace) and refuses a wrong password with exit 2 and the URL masked."""
import gzip
import io
import json
import os
import shutil
import tarfile
import tempfile
import threading
import unittest
import urllib.parse

from harness import oci_layout, osv_db, serve
from harness.case import RegscanCase
from harness.postgres import Postgres
from harness.proxy import FaultProxy
from harness.push import push_manifest
from harness.registry import Registry

SITE = "/usr/lib/python3/dist-packages"
RECORDS = ("PYSEC-2018-28", "PYSEC-2023-74")


def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size = len(files[path])
            tar.addfile(info, io.BytesIO(files[path]))
    data = raw.getvalue()
    return oci_layout.Blob(oci_layout.OCI_LAYER_GZIP, gzip.compress(data, mtime=0)), oci_layout.digest_of(data)


def image(*layers):
    blobs, diff_ids = zip(*(layer(files) for files in layers))
    config = oci_layout.Blob(oci_layout.OCI_CONFIG, oci_layout.canonical_json({
        "created": "2024-01-01T00:00:00Z", "architecture": "amd64", "os": "linux", "config": {"User": "1000"},
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)}}))
    manifest = {"schemaVersion": 2, "mediaType": oci_layout.OCI_MANIFEST, "config": config.descriptor(),
                "layers": [b.descriptor() for b in blobs]}
    return oci_layout.Manifest(oci_layout.Blob(oci_layout.OCI_MANIFEST, oci_layout.canonical_json(manifest)),
                               [config, *blobs])


def metadata(name, version):
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


class StatePostgresTest(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-pgstate-")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        with open("/etc/os-release", "rb") as f:
            os_release = f.read()
        base = {"/etc/os-release": os_release}
        cls.images = {
            "apps/web:1": image(base, {f"{SITE}/requests-2.19.0.dist-info/METADATA": metadata("requests", "2.19.0")}),
            "apps/web:2": image(base, {f"{SITE}/PyYAML-5.3.dist-info/METADATA": metadata("PyYAML", "5.3")}),
            "apps/api:latest": image(base, {f"{SITE}/requests-2.31.0.dist-info/METADATA": metadata("requests",
                                                                                                   "2.31.0")}),
            "tools/plain:1": image(base),
        }
        for target, manifest in cls.images.items():
            push_manifest(cls.registry, target, manifest)
        cls.db = osv_db.make_db(cls.workdir, RECORDS)
        cls.pg = Postgres()
        cls.addClassCleanup(cls.pg.close)
        cls.pg.start()

    def fresh_database(self, name):
        """A database of its own for one test, owned by the login role; returns its URL."""
        self.pg.query(f"CREATE DATABASE {name} OWNER {self.pg.user}")
        return self.pg.url.rsplit("/", 1)[0] + "/" + name

    def scan(self, state, *args):
        return self.regscan("registry", self.registry.url, "--db", self.db, "--state", state, "--format=json,csv",
                            "--no-progress", *args)

    def report(self, result):
        with open(osv_db.report_json_path(result.output_dir, self.registry.host)) as f:
            return json.load(f)

    def assertNoPassword(self, result):
        for stream in (result.stdout, result.stderr):
            self.assertNotIn(self.pg.password, stream)
            self.assertNotIn(urllib.parse.quote(self.pg.password, safe=""), stream)
        for name in result.output_files():
            with open(os.path.join(result.output_dir, name), errors="replace") as f:
                self.assertNotIn(self.pg.password, f.read(), name)

    def test_scan_rescan_and_sqlite_give_the_same_report(self):
        url = self.fresh_database("scans")
        first = self.scan(url)
        self.assertExit(first, 0)
        self.assertEqual(first.summary()["New images found"], str(len(self.images)))
        images = self.report(first)["images"]
        self.assertEqual(len(images), len(self.images))
        self.assertEqual({i["status"] for i in images}, {"scanned"})
        vulnerable = {f"{i['repository']}:{i['tag']}": {v["id"] for v in i.get("vulnerabilities", [])}
                      for i in images}
        self.assertEqual(vulnerable["apps/web:1"], {"PYSEC-2018-28", "PYSEC-2023-74"})
        self.assertEqual(vulnerable["tools/plain:1"], set())
        # What the run wrote is in PostgreSQL, not in some file.
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM results", database="scans"), str(len(self.images)))
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM scans WHERE finished IS NOT NULL", database="scans"),
                         "1")

        second = self.scan(url)
        self.assertExit(second, 0)
        self.assertEqual(second.summary()["New images found"], "0")
        expected = [dict(i, status="reused") for i in images]
        self.assertEqual(self.report(second)["images"], expected)

        # The same scan with a SQLite state says the same, but for what each run pulled: images sharing
        # a base layer are scanned at once and whichever comes first pulls the shared layer.
        sqlite = self.scan(os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db"))
        self.assertExit(sqlite, 0)

        def comparable(result):
            return [{k: v for k, v in i.items() if k != "bytes_pulled"} for i in self.report(result)["images"]]

        self.assertEqual(comparable(sqlite), comparable(first))
        self.assertEqual(sqlite.summary()["New images found"], first.summary()["New images found"])

    def test_the_password_never_appears_even_at_trace(self):
        url = self.fresh_database("quiet")
        for _ in range(2):  # a scan, then a rescan
            result = self.scan(url, "--log-level=trace")
            self.assertExit(result, 0)
            self.assertNoPassword(result)
        # From the config file (the way to keep it off argv), the same.
        config = os.path.join(tempfile.mkdtemp(dir=self.workdir), "regscan.conf")
        with open(config, "w") as f:
            f.write(f"state = {url}\n")
        configured = self.regscan("registry", self.registry.url, "--db", self.db, "--config", config,
                                  "--format=json", "--no-progress", "--log-level=trace")
        self.assertExit(configured, 0)
        self.assertEqual(configured.summary()["New images found"], "0")  # the same state as above
        self.assertNoPassword(configured)
        # The image command opens the same state.
        one = self.regscan("image", f"http://{self.registry.host}/apps/web:1", "--db", self.db, "--state", url,
                           "--log-level=trace", "--format=json", "--no-progress")
        self.assertExit(one, 0)
        self.assertNoPassword(one)

    def test_a_wrong_password_is_a_bad_state_with_the_url_masked(self):
        wrong = self.pg.url.replace(urllib.parse.quote(self.pg.password, safe=""), "not-the-password-123")
        self.assertNotEqual(wrong, self.pg.url)
        result = self.scan(wrong, "--log-level=trace")
        self.assertExit(result, 2)
        self.assertNotIn("not-the-password-123", result.stdout + result.stderr)
        self.assertIn(f"postgresql://{self.pg.user}:***@", result.stderr)
        self.assertIn("password authentication failed", result.stderr)

    def test_a_postgresql_restart_between_runs_and_the_state_survives(self):
        url = self.fresh_database("restarts")
        self.assertExit(self.scan(url), 0)
        self.pg.restart(mode="immediate")
        again = self.scan(url)
        self.assertExit(again, 0)
        self.assertEqual(again.summary()["New images found"], "0")

    def test_a_postgresql_restart_in_the_middle_of_a_scan_does_not_end_it(self):
        """The scan has written to the state (scan row, images seen) when one image's own layer is held
        at a proxy; PostgreSQL restarts (immediate: a crash) meanwhile; released, the run reconnects and
        finishes with every image scanned and stored."""
        url = self.fresh_database("midrun")
        gateway, release, scan, outcome = self.scan_held_at("apps/web:2", url, "--log-level=debug")
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM scans", database="midrun"), "1")
        self.pg.restart(mode="immediate")
        release.set()
        scan.join(300)
        self.assertFalse(scan.is_alive())
        result = outcome["result"]
        self.assertExit(result, 0)
        self.assertTrue(any("Lost the connection to postgresql://regscan:***@" in m for m in result.messages("warning")),
                        result)
        self.assertNoPassword(result)
        self.assertEqual({i["status"] for i in self.report_for(result, gateway.host)["images"]}, {"scanned"})
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM results WHERE status = 'scanned'", database="midrun"),
                         str(len(self.images)))
        self.assertEqual(self.pg.scalar("SELECT count(*) FROM scans WHERE finished IS NOT NULL", database="midrun"),
                         "1")

    def test_a_postgresql_gone_past_the_reconnect_timeout_ends_the_statement_naming_it(self):
        """Held as above, but PostgreSQL stays down: with --state-reconnect-timeout 2s the run gives up
        reconnecting after 2 s (not the default 60 s) and says so, the password masked; the statements
        after it fail at once instead of each waiting 2 s again."""
        url = self.fresh_database("gone")
        self.addCleanup(self.pg.start)  # the other tests share this server (runs after the release)
        _, release, scan, outcome = self.scan_held_at("apps/web:1", url, "--state-reconnect-timeout", "2s",
                                                      "--concurrency", "1")
        self.pg.stop(mode="immediate")
        release.set()
        scan.join(300)
        self.assertFalse(scan.is_alive())
        result = outcome["result"]
        print("CODE", result.code, result.stderr[-1500:])
        self.assertNotEqual(result.code, 0, result)
        self.assertIn(f"postgresql://{self.pg.user}:***@", result.stderr)
        # One wait of 2 s (not the default 60 s); the statements after it fail at once.
        self.assertEqual(result.stderr.count("(gave up reconnecting after 2 s)"), 1, result.stderr)
        self.assertIn("(still unreachable after reconnecting for 2 s before)", result.stderr)
        self.assertNotIn("60 s", result.stderr)
        self.assertNoPassword(result)

    def test_the_reconnect_timeout_must_be_a_positive_duration(self):
        for value in ("0s", "soon", "-5s"):
            with self.subTest(value):
                result = self.scan(self.pg.url, "--state-reconnect-timeout", value)
                self.assertExit(result, 2)
                self.assertIn("--state-reconnect-timeout: ", result.stderr)

    def scan_held_at(self, image, state, *args):
        """A scan of the registry on `state`, started on a thread, through a proxy holding `image`'s own
        layer; returns once the layer was asked for: (proxy, release event, thread, {"result": ...})."""
        held_digest = self.images[image].dependencies[-1].digest
        reached, release = threading.Event(), threading.Event()

        def hold(request, proxy):
            if request.route.endswith("/blobs/" + held_digest):
                reached.set()
                release.wait(60)
            return None

        gateway = FaultProxy(self.registry, rules=[hold])
        gateway.start()
        self.addCleanup(gateway.stop)
        self.addCleanup(release.set)  # runs first: a held request answers before the proxy stops
        outcome = {}
        scan = threading.Thread(target=lambda: outcome.update(result=self.regscan(
            "registry", gateway.url, "--db", self.db, "--state", state, "--format=json", "--no-progress", *args,
            timeout=300)))
        scan.start()
        self.assertTrue(reached.wait(120), "the scan never asked for the held layer")
        return gateway, release, scan, outcome

    def report_for(self, result, host):
        with open(osv_db.report_json_path(result.output_dir, host)) as f:
            return json.load(f)

    def test_serve_keeps_connectors_imports_and_images_in_postgresql(self):
        url = self.fresh_database("served")
        server = serve.Server(os.path.join(self.workdir, "serve"), db=self.db, state=url, log_level="trace")
        server.start()
        try:
            created = self.server_api(server, "POST", "/api/v1/connectors", {
                "name": "lab", "url": self.registry.url, "schedule": {"enabled": False, "every": "1d"},
                "import_now": True}, expect=201)
            self.assertEqual(created["name"], "lab")
            imports = server.api("GET", "/api/v1/imports?connector=lab&limit=10")["imports"]
            self.assertEqual(len(imports), 1)
            done = server.wait_for_import(imports[0]["id"], timeout=240)
            self.assertEqual(done["state"], "succeeded", done)
            listed = server.images(connector="lab", limit=100)
            self.assertEqual(listed["total"], len(self.images))
            self.assertEqual(self.pg.scalar("SELECT count(*) FROM serve_images", database="served"),
                             str(len(self.images)))
            # A restart of the server finds it all again.
            server.stop()
            server.start()
            self.assertEqual(server.connector("lab")["name"], "lab")
            self.assertEqual(server.images(connector="lab", limit=100)["total"], len(self.images))
        finally:
            server.stop()
        # Only what regscan wrote: the harness's own "---- start: argv" lines hold the URL as given.
        log = "\n".join(line for line in server.log_text().splitlines() if not line.startswith("---- start"))
        self.assertNotIn(self.pg.password, log)
        self.assertIn(":***@", log)

    @staticmethod
    def server_api(server, *args, **kwargs):
        return server.api(*args, **kwargs)


if __name__ == "__main__":
    unittest.main()
