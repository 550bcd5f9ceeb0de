"""Cancelling a `regscan serve` import, on the real binary: POST /api/v1/imports/{id}/cancel stops a
running import within seconds, its transfer in flight too (the registry is still holding that image's
layer when the import has ended; the image is left for the next import, not recorded as failed; the
ones not started are never asked of the registry) and it ends `cancelled` with how far it got; a
queued import is cancelled at once; an ended one answers 409. Removing a connector whose import runs
cancels that import and answers once it has stopped, instead of answering 409. Images are scanned one
at a time (--concurrency 1) so which ones were started when the cancel came is known: the registry
holds one image's layer until told (or 600 s, past every wait of this test)."""
import os
import unittest

from harness import crafted, measured_run, osv_db, proxy, serve
from harness.run import run
from harness.push import push_manifest
from harness.registry import Registry

FINISHED = ("succeeded", "partial", "failed", "interrupted", "cancelled")


class ServeCancel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-serve-cancel-")
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        cls.images = {name: crafted.named_image(name)
                      for name in ("a/one:1", "b/two:1", "c/three:1", "d/hold:1", "e/after:1", "f/cli:1", "g/later:1")}
        for target, manifest in cls.images.items():
            push_manifest(cls.registry, target, manifest)
        cls.holds = {name: proxy.Hold(f"/v2/{name.split(':')[0]}/blobs/{cls.images[name].dependencies[1].digest}")
                     for name in ("b/two:1", "d/hold:1", "f/cli:1")}
        for hold in cls.holds.values():
            cls.addClassCleanup(hold.release.set)
        cls.proxy = proxy.FaultProxy(cls.registry, list(cls.holds.values()))
        cls.proxy.start()
        cls.addClassCleanup(cls.proxy.stop)
        cls.server = serve.Server(os.path.join(cls.workdir, "serve"), db=cls.db, args=["--concurrency", "1", "--max-concurrent-imports", "1"])
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def connector(self, name, allow):
        return self.server.api("POST", "/api/v1/connectors", {
            "name": name, "url": self.proxy.url, "allow": allow, "schedule": {"enabled": False, "every": "12h"},
            "import_now": True}, expect=201)

    def indexed(self, connector):
        return sorted(f"{i['repository']}:{i['tag']}" for i in self.server.images(connector=connector,
                                                                                  limit=50)["images"])

    def asked_for(self, repository):
        """The manifests and blobs of `repository` asked of the registry (listing its tags is discovery's)."""
        return [path for _, _, path, _ in self.proxy.log
                if path.startswith((f"/v2/{repository}/manifests/", f"/v2/{repository}/blobs/"))]

    def test_a_running_import_cancelled_stops_its_transfer_in_flight(self):
        self.connector("abc", ["a/*", "b/*", "c/*"])
        hold = self.holds["b/two:1"]
        self.assertTrue(hold.reached.wait(120), "the import never reached b/two's layer")
        running = self.server.connector("abc")["running"]
        self.assertEqual(running["state"], "running", running)
        # One import at a time: another connector's waits in the queue, and is cancelled there at once.
        self.connector("later", ["a/*"])
        queued = self.server.connector("later")["running"]
        self.assertEqual(queued["state"], "queued", queued)
        self.server.api("POST", f"/api/v1/imports/{queued['id']}/cancel", expect=202)
        dropped = self.server.api("GET", f"/api/v1/imports/{queued['id']}")
        self.assertEqual(dropped["state"], "cancelled", dropped)
        self.assertEqual(dropped["error"], "cancelled on request before it started")

        answer = self.server.api("POST", f"/api/v1/imports/{running['id']}/cancel", expect=202)
        self.assertEqual(answer["id"], running["id"])
        # The registry still holds b/two's layer: the import ends without it.
        done = self.server.wait_for_import(running["id"], timeout=120, states=FINISHED)
        self.assertFalse(hold.release.is_set())
        self.assertEqual(done["state"], "cancelled", done)
        self.assertEqual(done["images_found"], 3, done)
        self.assertEqual(done["error"], "cancelled on request after 1 of 3 images", done)
        self.assertEqual(self.indexed("abc"), ["a/one:1"], "the stopped image was recorded")
        self.assertEqual(self.asked_for("c/three"), [], "an image not started when cancelled was asked for")
        log = self.server.log_text()
        self.assertIn(f"import {running['id']} of connector", log)
        self.assertIn("Stopped image image=" + self.proxy.host + "/b/two:1 (the run was stopped", log)
        self.assertNotIn("Failed to scan image image=" + self.proxy.host + "/b/two:1", log)
        hold.release.set()

        # Ended: a second cancel is a conflict; an unknown import is not found.
        again = self.server.request("POST", f"/api/v1/imports/{running['id']}/cancel")
        self.assertEqual(again.status, 409, again)
        self.assertIn("has already ended (cancelled)", again.json()["error"])
        self.assertEqual(self.server.request("POST", "/api/v1/imports/999999/cancel").status, 404)
        self.assertEqual(self.server.request("GET", f"/api/v1/imports/{running['id']}/cancel").status, 405)
        # The next import scans what was left.
        started = self.server.api("POST", "/api/v1/connectors/abc/imports", expect=202)
        finished = self.server.wait_for_import(started["id"], timeout=120, states=FINISHED)
        self.assertEqual(finished["state"], "succeeded", finished)
        self.assertEqual(self.indexed("abc"), ["a/one:1", "b/two:1", "c/three:1"])
        metrics = self.server.request("GET", "/metrics").body.decode()
        self.assertIn('regscan_imports{state="cancelled"} 2', metrics)
        # The queued one never ran, though the queue was free long since.
        self.assertEqual([i["state"] for i in self.server.api("GET", "/api/v1/imports?connector=later")["imports"]],
                         ["cancelled"])
        self.assertIsNone(self.server.connector("later")["running"])

    def test_the_connector_command_cancels_a_running_import(self):
        self.connector("cli", ["f/*", "g/*"])
        hold = self.holds["f/cli:1"]
        self.assertTrue(hold.reached.wait(120), "the import never reached f/cli's layer")
        running = self.server.connector("cli")["running"]

        def connector(*args):
            return run("connector", *args, f"--server={self.server.url}", f"--token-file={self.server.token_path}",
                       output_dir=False)
        cancelled = connector("cancel", "cli")
        self.assertEqual(cancelled.code, 0, cancelled)
        self.assertEqual(cancelled.stdout, f"import {running['id']} of cli: cancelled (it stops within seconds; "
                                           "images in flight are left for the next import)\n")
        done = self.server.wait_for_import(running["id"], timeout=120, states=FINISHED)
        self.assertFalse(hold.release.is_set())
        self.assertEqual(done["state"], "cancelled", done)
        self.assertEqual(done["error"], "cancelled on request after 0 of 2 images", done)
        self.assertEqual(self.asked_for("g/later"), [])
        hold.release.set()
        nothing = connector("cancel", "cli")
        self.assertEqual(nothing.code, 2, nothing)
        self.assertIn("connector cli has no import queued or running", nothing.stderr)
        self.assertEqual(connector("cancel").code, 2)

    def test_removing_a_connector_cancels_its_running_import_and_answers_once_it_stopped(self):
        self.connector("gone", ["d/*", "e/*"])
        hold = self.holds["d/hold:1"]
        self.assertTrue(hold.reached.wait(120), "the import never reached d/hold's layer")
        running = self.server.connector("gone")["running"]
        # The layer is still held: the removal stops the transfer rather than wait for it.
        removal = self.server.request("DELETE", "/api/v1/connectors/gone", timeout=120)
        self.assertFalse(hold.release.is_set())
        self.assertEqual(removal.status, 204, removal)
        self.assertEqual(self.server.request("GET", "/api/v1/connectors/gone").status, 404)
        self.assertIn(f"import {running['id']} of connector gone cancelled: images=2", self.server.log_text())
        self.assertEqual(self.asked_for("e/after"), [], "an image not started when cancelled was asked for")
        hold.release.set()


if __name__ == "__main__":
    unittest.main()
