"""`regscan registry` stopped by a signal, on the real binary: SIGINT (Ctrl-C) or SIGTERM while an
image's layer is being pulled stops that transfer too (the registry still holds the layer when the
process has exited), starts no further image, and ends the run as usual with what finished: exit
130 (SIGINT) or 143 (SIGTERM), the reports written and valid, the summary saying how many images
the stop left out, the state committed, so that the next run scans exactly those. Images are scanned
one at a time (--concurrency 1), so which were done, in flight and not started is known."""
import json
import os
import signal
import sqlite3
import subprocess
import unittest

from harness import crafted, measured_run, net, osv_db, proxy
from harness.push import push_manifest
from harness.registry import Registry
from harness.run import regscan_binary as run_binary, report_name, run


class Interrupt(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-interrupt-")
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        names = ("a/one:1", "b/held:1", "c/after:1", "d/first:1", "e/term:1", "f/again:1")
        cls.images = {name: crafted.named_image(name) for name in names}
        for target, manifest in cls.images.items():
            push_manifest(cls.registry, target, manifest)
        cls.holds = {name: proxy.Hold(f"/v2/{name.split(':')[0]}/blobs/{cls.images[name].dependencies[1].digest}")
                     for name in ("b/held:1", "e/term:1", "f/again:1")}
        for hold in cls.holds.values():
            cls.addClassCleanup(hold.release.set)
        cls.proxy = proxy.FaultProxy(cls.registry, list(cls.holds.values()))
        cls.proxy.start()
        cls.addClassCleanup(cls.proxy.stop)

    def args(self, state, allow):
        return ["registry", self.proxy.url, "--db", self.db, "--state", state, "--format=json,csv", "--no-progress",
                "--concurrency", "1", f"--allowList={allow}"]

    def start_and_signal(self, args, hold, signal_number):
        """Starts a run, sends `signal_number` once `hold`'s route is asked for; the process and its files."""
        process, out, stdout, stderr = measured_run.start(*args)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        self.assertTrue(hold.reached.wait(120), f"the run never asked for {hold.route}")
        process.send_signal(signal_number)
        return process, out, stdout, stderr

    def stopped_run(self, args, hold, signal_number):
        """Runs `args` stopped by `signal_number` at `hold`; the exit code, output directory, stdout, stderr."""
        process, out, stdout, stderr = self.start_and_signal(args, hold, signal_number)
        code = process.wait(timeout=120)
        self.assertFalse(hold.release.is_set())  # the exit did not wait for the registry
        with open(stdout) as f:
            out_text = f.read()
        with open(stderr) as f:
            err_text = f.read()
        return code, out, out_text, err_text

    def report(self, out):
        with open(os.path.join(out, report_name(self.proxy.host).replace("-report.csv", "-report.json"))) as f:
            return json.load(f)

    def asked_for(self, repository):
        return [path for _, _, path, _ in self.proxy.log
                if path.startswith((f"/v2/{repository}/manifests/", f"/v2/{repository}/blobs/"))]

    def test_sigint_stops_the_image_in_flight_and_reports_what_finished(self):
        state = os.path.join(measured_run.temp_dir("regscan-e2e-interrupt-state-"), "state.db")
        code, out, stdout, stderr = self.stopped_run(self.args(state, "a/*,b/*,c/*"), self.holds["b/held:1"],
                                                     signal.SIGINT)
        self.assertEqual(code, 130, stdout + stderr)
        self.assertIn("SIGINT received: stopping", stderr)
        self.assertIn("Stopped image image=" + self.proxy.host + "/b/held:1 (the run was stopped", stderr)
        self.assertNotIn("Failed to scan image", stderr)
        self.assertIn("Run stopped             : 2 of the skipped images were not scanned (the next run scans "
                      "them)", stdout)
        self.assertEqual(self.asked_for("c/after"), [], "an image not started was asked for")
        report = self.report(out)
        self.assertEqual([f"{i['repository']}:{i['tag']}" for i in report["images"]], ["a/one:1"])
        self.assertEqual(report["images"][0]["status"], "scanned")
        self.assertEqual(report["summary"]["images_stopped"], 2)
        self.assertEqual(report["summary"]["images_failed"], 0)
        with open(os.path.join(out, report_name(self.proxy.host))) as f:
            inventory = f.read()
        self.assertIn("b/held,1,", inventory)  # the inventory still lists every image found
        validator = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate_reports.py")
        checked = subprocess.run(["/usr/bin/python3", validator, out], capture_output=True, text=True)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertIn("-report.json: valid", checked.stdout)

        # The next run scans what the stop left out, and reuses what finished.
        self.holds["b/held:1"].release.set()
        again = run(*self.args(state, "a/*,b/*,c/*"))
        self.assertEqual(again.code, 0, again)
        summary = again.summary()
        self.assertEqual(summary["New images found"], "2")
        self.assertNotIn("Run stopped", summary)
        with open(os.path.join(again.output_dir, report_name(self.proxy.host).replace("-report.csv",
                                                                                      "-report.json"))) as f:
            statuses = {f"{i['repository']}:{i['tag']}": i["status"] for i in json.load(f)["images"]}
        self.assertEqual(statuses, {"a/one:1": "reused", "b/held:1": "scanned", "c/after:1": "scanned"})

    def test_sigint_while_the_repositories_are_listed_exits_130(self):
        """Stopped before any image: the listing cut short is no reason to claim the registry unreachable."""
        hold = proxy.Hold("/v2/_catalog")
        self.addCleanup(hold.release.set)
        with proxy.FaultProxy(self.registry, [hold]) as listing:
            state = os.path.join(measured_run.temp_dir("regscan-e2e-interrupt-state-"), "state.db")
            code, _out, _stdout, stderr = self.stopped_run(
                ["registry", listing.url, "--db", self.db, "--state", state, "--no-progress"], hold, signal.SIGINT)
            self.assertEqual(code, 130, stderr)
            self.assertIn("SIGINT received: stopping", stderr)

    def test_sigint_while_tags_are_listed_counts_the_repositories_not_listed(self):
        """The listing the stop cut and those it never started are not failures: the next run lists them."""
        hold = proxy.Hold("/v2/b/held/tags/list")
        self.addCleanup(hold.release.set)
        with proxy.FaultProxy(self.registry, [hold]) as listing:
            state = os.path.join(measured_run.temp_dir("regscan-e2e-interrupt-state-"), "state.db")
            args = ["registry", listing.url, "--db", self.db, "--state", state, "--format=json,sarif",
                    "--no-progress", "--concurrency", "1"]
            code, out, stdout, stderr = self.stopped_run(args, hold, signal.SIGINT)
            self.assertEqual(code, 130, stdout + stderr)
            self.assertNotIn("Failed to list tags", stderr)
            # Listed one at a time in the catalog's order: a/one, then b/held is stopped and the rest not asked.
            not_listed = len(self.images) - 1
            self.assertIn("Repositories failed     : 0\n", stdout)
            self.assertIn(f"Repositories not listed : {not_listed} (the run was stopped; the next run lists them)",
                          stdout)
            self.assertIn("Run stopped             : 1 of the skipped images", stdout)  # a/one, listed
            with open(os.path.join(out, report_name(listing.host).replace("-report.csv", "-report.json"))) as f:
                summary = json.load(f)["summary"]
            self.assertEqual(summary["failed_repositories"], [])
            self.assertEqual(summary["repositories_stopped"], not_listed)
            self.assertEqual(summary["images_found"], 1)
            # Uploaded to code scanning, the document must not pass for a complete run.
            with open(os.path.join(out, report_name(listing.host).replace("-report.csv", "-report.sarif"))) as f:
                invocation = json.load(f)["runs"][0]["invocations"][0]
            self.assertFalse(invocation["executionSuccessful"])
            self.assertEqual([n["message"]["text"] for n in invocation["toolExecutionNotifications"]],
                             [f"the run was stopped: 1 images were not scanned and {not_listed} repositories were "
                              "not listed (the next run scans them); their findings are not in this document"])

    def test_enqueue_stopped_while_tags_are_listed_says_which_repositories_it_did_not_queue(self):
        hold = proxy.Hold("/v2/b/held/tags/list")
        self.addCleanup(hold.release.set)
        with proxy.FaultProxy(self.registry, [hold]) as listing:
            state = os.path.join(measured_run.temp_dir("regscan-e2e-interrupt-state-"), "state.db")
            args = ["registry", listing.url, "--db", self.db, "--state", state, "--enqueue", "--no-progress",
                    "--concurrency", "1"]
            code, _out, stdout, stderr = self.stopped_run(args, hold, signal.SIGINT)
            self.assertEqual(code, 130, stdout + stderr)
            lines = stdout.strip().splitlines()
            self.assertEqual(lines[-2], f"Not listed: {len(self.images) - 1} repositories (the run was stopped; their "
                                        "images are not queued, the next run queues them)")
            self.assertRegex(lines[-1], r"^Enqueued 1 images in batch \S+$")  # a/one, listed before the stop

    def test_sigterm_exits_143(self):
        state = os.path.join(measured_run.temp_dir("regscan-e2e-interrupt-state-"), "state.db")
        code, out, stdout, stderr = self.stopped_run(self.args(state, "d/*,e/*"), self.holds["e/term:1"],
                                                     signal.SIGTERM)
        self.assertEqual(code, 143, stdout + stderr)
        self.assertIn("SIGTERM received: stopping", stderr)
        self.assertIn("Run stopped             : 1 of the skipped images", stdout)
        self.assertEqual([f"{i['repository']}:{i['tag']}" for i in self.report(out)["images"]], ["d/first:1"])

    def test_a_second_signal_quits_at_once(self):
        """Another writer holds the state file's lock, so the first signal's clean stop waits (up to the state's
        30 s busy timeout) to record the run; the second signal ends the process at once with its own code:
        143 for SIGTERM, where the first signal's stop would have exited 130."""
        state = os.path.join(measured_run.temp_dir("regscan-e2e-interrupt-state-"), "state.db")
        hold = self.holds["f/again:1"]
        process, _out, stdout, stderr = measured_run.start(*self.args(state, "f/*"))
        self.addCleanup(lambda: process.poll() is None and process.kill())
        self.assertTrue(hold.reached.wait(120), "the run never asked for f/again's layer")
        writer = sqlite3.connect(state, timeout=60, isolation_level=None)
        self.addCleanup(writer.close)
        writer.execute("BEGIN EXCLUSIVE")  # the run began its scan record before pulling the layer
        process.send_signal(signal.SIGINT)

        def err_text():
            with open(stderr) as f:
                return f.read()
        net.wait_until(lambda: "SIGINT received: stopping" in err_text(), timeout=60, what="the first stop")
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=120)
        writer.execute("ROLLBACK")
        self.assertEqual(code, 143, err_text())
        self.assertIn("SIGTERM received again: quitting now", err_text())
        with open(stdout) as f:
            self.assertNotIn("Run stopped", f.read())  # quit before the summary

    def test_closed_standard_output_does_not_stop_the_run(self):
        """`regscan registry ... | head` with the reader gone before the summary table: the table's
        writes fail, but the run goes on to write its reports and record its state, exits as usual and
        leaves no scratch file behind (a process killed by SIGPIPE did neither)."""
        state = os.path.join(measured_run.temp_dir("regscan-e2e-interrupt-state-"), "state.db")
        scratch, out, home = measured_run.scratch_dirs()
        reader, writer = os.pipe()
        os.close(reader)  # every write to standard output now fails
        try:
            with open(os.path.join(scratch, "stderr"), "wb") as stderr:
                process = subprocess.Popen(
                    [run_binary(), "registry", self.registry.url, "--db", self.db, "--state", state,
                     "--format=table,json,csv", "--no-progress", "--allowList=a/*", f"--output-dir={out}"],
                    stdin=subprocess.DEVNULL, stdout=writer, stderr=stderr, cwd=scratch,
                    env=measured_run.clean_env(home))
        finally:
            os.close(writer)
        code = process.wait(timeout=120)
        with open(os.path.join(scratch, "stderr")) as f:
            err_text = f.read()
        self.assertEqual(code, 0, err_text)
        with open(os.path.join(out, report_name(self.registry.host).replace("-report.csv", "-report.json"))) as f:
            self.assertEqual([f"{i['repository']}:{i['tag']}" for i in json.load(f)["images"]], ["a/one:1"])
        self.assertEqual([name for name in os.listdir(out) if name.startswith(".")], [], "scratch files left")
        with sqlite3.connect(state) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM tag_results").fetchone()[0], 1)


if __name__ == "__main__":
    unittest.main()
