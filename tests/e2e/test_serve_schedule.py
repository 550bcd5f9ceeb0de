"""`regscan serve`'s scheduler through the real binary: a connector saved (not imported) with
Schedule Import on, every minute (the shortest interval a user can give), is imported by the
scheduler on its own, as a "scheduled" import, about one interval after it was saved, and its
next run moves one interval on. Polled with a deadline, never slept on."""
import datetime
import os
import unittest

from harness import crafted, measured_run, net, osv_db, serve
from harness.push import push_manifest
from harness.registry import Registry


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


class ScheduledImport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-serve-schedule-")
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        for target in ("team/app:1.0", "team/app:2.0"):
            push_manifest(cls.registry, target, crafted.image([crafted.files_layer(
                {"etc/os-release": crafted.DEBIAN_OS_RELEASE, "opt/" + target.replace(":", "-"): b"x\n"})]))
        cls.server = serve.Server(os.path.join(cls.workdir, "serve"), db=cls.db)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def test_a_saved_connector_is_imported_by_its_schedule(self):
        saved = self.server.api("POST", "/api/v1/connectors", {
            "name": "every-minute", "url": self.registry.url, "schedule": {"enabled": True, "every": "1m"},
            "import_now": False}, expect=201)
        self.assertEqual(saved["schedule"], {"enabled": True, "every": "1m"})
        self.assertIsNone(saved["last_import"])
        first_run = parse_time(saved["next_run"])
        self.assertEqual(self.server.api("GET", "/api/v1/imports?connector=every-minute")["imports"], [])

        def scheduled_import():
            found = self.server.api("GET", "/api/v1/imports?connector=every-minute")["imports"]
            return found[-1] if found else None
        started = net.wait_until(scheduled_import, timeout=150, interval=0.5, what="the scheduled import")
        self.assertEqual(started["trigger"], "scheduled", started)
        done = self.server.wait_for_import(started["id"])
        self.assertEqual(done["state"], "succeeded", done)
        self.assertEqual(done["images_found"], 2)
        # not before its time: the scheduler ran it at (or just after) the next_run it announced
        self.assertGreaterEqual(parse_time(done["queued_at"]), first_run - datetime.timedelta(seconds=1))
        images = self.server.images(connector="every-minute")
        self.assertEqual(sorted(f"{i['repository']}:{i['tag']}" for i in images["images"]),
                         ["team/app:1.0", "team/app:2.0"])
        after = self.server.connector("every-minute")
        self.assertEqual(after["last_import"]["id"], done["id"])
        self.assertGreaterEqual(parse_time(after["next_run"]) - parse_time(done["queued_at"]),
                                datetime.timedelta(seconds=59))


if __name__ == "__main__":
    unittest.main()
