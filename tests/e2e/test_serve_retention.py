"""`regscan serve --keep-imports N` through the real binary: each connector keeps its N newest finished
imports; an older one goes with its report directory (<data dir>/imports/<id>/), its API answers and
the image history rows it wrote, soon after each import ends (on the server's retention thread: polled
with a deadline). A bound lowered between two starts applies at start; 0 keeps every import; /metrics
still counts the imports removed."""
import os
import re
import unittest

from harness import crafted, measured_run, net, osv_db, serve
from harness.push import push_manifest
from harness.registry import Registry


class ImportRetention(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-serve-retention-")
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        push_manifest(cls.registry, "team/app:1.0", crafted.named_image("team/app:1.0"))
        cls.server = serve.Server(os.path.join(cls.workdir, "serve"), db=cls.db, args=["--keep-imports", "2"])
        cls.addClassCleanup(cls.server.stop)

    def import_once(self):
        started = self.server.api("POST", "/api/v1/connectors/lab/imports", expect=202)
        done = self.server.wait_for_import(started["id"])
        self.assertEqual(done["state"], "succeeded", done)
        return done["id"]

    def kept(self):
        return [i["id"] for i in self.server.api("GET", "/api/v1/imports?connector=lab&limit=50")["imports"]]

    def wait_kept(self, expected):
        net.wait_until(lambda: self.kept() == expected, timeout=60, interval=0.1, what=f"imports kept: {expected}")

    def succeeded_total(self):
        metrics = self.server.request("GET", "/metrics").body.decode()
        return int(re.search(r'^regscan_imports\{state="succeeded"\} (\d+)$', metrics, re.M).group(1))

    def reports_dir(self, import_id):
        return os.path.join(self.server.data_dir, "imports", str(import_id))

    def history(self):
        images = self.server.images(connector="lab")["images"]
        self.assertEqual(len(images), 1, images)
        detail = self.server.api("GET", f"/api/v1/images/{images[0]['id']}")
        return [h["import_id"] for h in detail["history"]]

    def assert_removed(self, import_id):
        self.assertEqual(self.server.request("GET", f"/api/v1/imports/{import_id}").status, 404)
        self.assertEqual(self.server.request("GET", f"/api/v1/imports/{import_id}/reports").status, 404)
        self.assertFalse(os.path.exists(self.reports_dir(import_id)), import_id)

    def test_old_imports_go_with_their_reports_and_history(self):
        self.server.start()
        self.server.api("POST", "/api/v1/connectors", {
            "name": "lab", "url": self.registry.url, "schedule": {"enabled": False, "every": "12h"},
            "import_now": False}, expect=201)
        ids = []
        for _ in range(4):
            ids.append(self.import_once())
            self.wait_kept(ids[::-1][:2])  # before the next one: "Import now" finds the connector free
        self.assertEqual(len(set(ids)), 4, ids)
        self.assertEqual(self.succeeded_total(), 4)
        for removed in ids[:2]:
            self.assert_removed(removed)
        for kept in ids[2:]:
            reports = self.server.api("GET", f"/api/v1/imports/{kept}/reports")["reports"]
            self.assertIn("json", {r["format"] for r in reports}, reports)
            self.assertTrue(os.listdir(self.reports_dir(kept)), kept)
        self.assertEqual(self.history(), [ids[3], ids[2]])
        net.wait_until(lambda: self.server.log_text().count(
            "1 finished import past the 2 newest of its connector removed, with its reports") == 2, timeout=60,
            what="the log of both removals")

        # A lower bound applies at start, before any import of the connector.
        self.server.stop()
        self.server.args = ["--keep-imports", "1"]
        self.server.start()
        self.wait_kept([ids[3]])
        self.assert_removed(ids[2])
        self.assertEqual(self.history(), [ids[3]])

        # 0 keeps them all.
        self.server.stop()
        self.server.args = ["--keep-imports", "0"]
        self.server.start()
        more = [self.import_once() for _ in range(2)]
        self.assertEqual(self.kept(), [more[1], more[0], ids[3]])
        self.assertEqual(self.succeeded_total(), 6)
        self.assertEqual(self.history(), [more[1], more[0], ids[3]])


if __name__ == "__main__":
    unittest.main()
