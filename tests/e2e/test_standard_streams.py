"""The process's standard descriptors through the real binary. One closed at start (`>&-`) is opened
on /dev/null before anything else, so that the first file or socket the run opens never takes its
number (the summary table went into a registry connection). Output that could not be written (a full
disk: /dev/full) is logged and exits 1; a reader that stopped reading (EPIPE) is no error."""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import crafted, osv_db, proxy
from harness.push import push_manifest
from harness.registry import Registry
from harness.run import regscan_binary


class StandardStreams(unittest.TestCase):
    def test_descriptors_closed_at_start_are_dev_null_while_it_runs(self):
        workdir = tempfile.mkdtemp(prefix="regscan-e2e-streams-")
        self.addCleanup(shutil.rmtree, workdir, True)
        registry = Registry().start()
        self.addCleanup(registry.stop)
        image = crafted.named_image("team/app:1")
        push_manifest(registry, "team/app:1", image)
        hold = proxy.Hold(f"/v2/team/app/blobs/{image.dependencies[1].digest}")
        self.addCleanup(hold.release.set)
        held = proxy.FaultProxy(registry, [hold])
        held.start()
        self.addCleanup(held.stop)
        with open(os.path.join(workdir, "run.log"), "wb") as log:
            # sh closes stdin and stdout, then becomes regscan (exec): its descriptors 0 and 1 start closed.
            scan = subprocess.Popen(
                ["sh", "-c", 'exec "$@" <&- >&-', "sh", regscan_binary(), "registry", held.url,
                 "--db", osv_db.make_db(workdir), "--state", os.path.join(workdir, "state.db"), "--format=table",
                 "--no-progress", f"--output-dir={workdir}"],
                stderr=log, env=dict(os.environ, HOME=workdir, XDG_DATA_HOME=workdir))
        self.addCleanup(scan.kill)
        # Held in its layer's transfer: it has opened its state, the registry connections and the vulnerability
        # database by now; any of them would have taken descriptor 1 (the table went into a connection).
        self.assertTrue(hold.reached.wait(120), "the run never asked for the layer")
        for fd in (0, 1):
            self.assertEqual(os.readlink(f"/proc/{scan.pid}/fd/{fd}"), "/dev/null", fd)
        hold.release.set()
        self.assertEqual(scan.wait(120), 0)

    def test_output_lost_to_a_full_disk_exits_1_with_the_reason(self):
        with open("/dev/full", "wb") as full:
            run = subprocess.run([regscan_binary(), "--help"], stdout=full, stderr=subprocess.PIPE, text=True,
                                 timeout=60)
        self.assertEqual(run.returncode, 1, run.stderr)
        self.assertIn("cannot write standard output: No space left on device", run.stderr)

    def test_a_reader_that_stopped_reading_is_no_error(self):
        read_end, write_end = os.pipe()
        os.close(read_end)  # nobody will read: every write fails with EPIPE
        try:
            run = subprocess.run([regscan_binary(), "--help"], stdout=write_end, stderr=subprocess.PIPE, text=True,
                                 timeout=60)
        finally:
            os.close(write_end)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertNotIn("cannot write", run.stderr)

    def test_closed_stderr_leaves_stdout_alone(self):
        run = subprocess.run(["sh", "-c", 'exec "$@" 2>&-', "sh", regscan_binary(), "--version"],
                             stdout=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(run.returncode, 0)
        self.assertTrue(run.stdout.startswith("regscan "), run.stdout)


if __name__ == "__main__":
    unittest.main()
