"""`regscan serve --ignore-file F` reads its triage policy again for each import, on the real binary:
an ignore entry suppresses its vulnerability in the Images index, the same entry once expired (the
file edited while the server runs) no longer does, and a file that no longer parses fails the next
import with its reason instead of applying a stale policy; an image's detail marks the finding the
policy leaves out, as the JSON report does. (The expiry counted on the import's day,
not the server's start, is unit test test_serve_import_runner's, with a clock it can move.)"""
import os
import unittest

from harness import crafted, measured_run, osv_db, serve
from harness.push import push_manifest
from harness.registry import Registry


class ServeTriage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-serve-triage-")
        cls.db = osv_db.make_db(cls.workdir)  # PYSEC-2018-28: requests before 2.20.0
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        push_manifest(cls.registry, "web/app:1.0", crafted.requests_image("2.19.0", "2024-02-01T00:00:00Z"))
        cls.ignore = os.path.join(cls.workdir, "regscanignore")
        cls.write_ignore("PYSEC-2018-28 # accepted until the upgrade\n")
        cls.server = serve.Server(os.path.join(cls.workdir, "serve"), db=cls.db, args=[f"--ignore-file={cls.ignore}"])
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()
        cls.server.api("POST", "/api/v1/connectors", {
            "name": "lab", "url": cls.registry.url, "schedule": {"enabled": False, "every": "12h"},
            "import_now": False}, expect=201)

    @classmethod
    def write_ignore(cls, text):
        with open(cls.ignore, "w") as f:
            f.write(text)

    def import_now(self):
        started = self.server.api("POST", "/api/v1/connectors/lab/imports", expect=202)
        return self.server.wait_for_import(started["id"], timeout=240)

    def app(self):
        images = self.server.images(connector="lab", limit=50)["images"]
        self.assertEqual([f"{i['repository']}:{i['tag']}" for i in images], ["web/app:1.0"])
        return images[0]

    def marks(self):
        """The image detail's PYSEC-2018-28: its `suppressed` mark (None when it counts)."""
        detail = self.server.api("GET", f"/api/v1/images/{self.app()['id']}")
        found = [v for v in detail["vulnerabilities"] if v["id"] == "PYSEC-2018-28"]
        self.assertEqual(len(found), 1, detail["vulnerabilities"])
        return found[0].get("suppressed")

    def test_the_policy_is_read_again_at_each_import(self):
        first = self.import_now()
        self.assertEqual(first["state"], "succeeded", first)
        self.assertEqual(self.app()["vulnerabilities"]["total"], 0, "the ignore entry did not apply")
        # The detail lists the finding, saying why it does not count.
        self.assertEqual(self.marks(), {"by": "ignore-file", "reason": "accepted until the upgrade",
                                        "source": self.ignore})

        # Edited while the server runs: the entry expired (a day long past) no longer applies.
        self.write_ignore("PYSEC-2018-28 exp:2020-01-01 # accepted until the upgrade\n")
        second = self.import_now()
        self.assertEqual(second["state"], "succeeded", second)
        self.assertGreater(self.app()["vulnerabilities"]["total"], 0, "an expired entry still suppressed")
        self.assertIn("the ignore entry for PYSEC-2018-28 expired on 2020-01-01", self.server.log_text())
        self.assertIsNone(self.marks())

        # A file that no longer parses fails the import, naming it; the index keeps the last rows.
        self.write_ignore("PYSEC-2018-28 exp:someday\n")
        third = self.import_now()
        self.assertEqual(third["state"], "failed", third)
        self.assertIn(self.ignore, third["error"])
        self.assertGreater(self.app()["vulnerabilities"]["total"], 0)
        self.assertIsNone(self.marks())  # shown as stored, the log saying why
        self.assertIn("the triage policy cannot be read to mark an image's findings", self.server.log_text())

        # Put back, the entry applies again without a restart.
        self.write_ignore("PYSEC-2018-28\n")
        fourth = self.import_now()
        self.assertEqual(fourth["state"], "succeeded", fourth)
        self.assertEqual(self.app()["vulnerabilities"]["total"], 0)
        self.assertEqual(self.marks()["by"], "ignore-file")


if __name__ == "__main__":
    unittest.main()
