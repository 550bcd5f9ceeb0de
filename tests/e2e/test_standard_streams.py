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
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("REGSCAN_", "TCS_", "XDG_"))}
        environment.update(HOME=workdir, XDG_DATA_HOME=workdir, XDG_CONFIG_HOME=workdir)
        # sh closes the three standard descriptors, then becomes regscan (exec): they start closed.
        scan = subprocess.Popen(
            ["sh", "-c", 'exec "$@" <&- >&- 2>&-', "sh", regscan_binary(), "registry", held.url,
             "--db", osv_db.make_db(workdir), "--state", os.path.join(workdir, "state.db"), "--format=table",
             "--no-progress", f"--output-dir={workdir}"],
            env=environment, cwd=workdir)
        self.addCleanup(lambda: (scan.kill(), scan.wait()))
        # Held in its layer's transfer: it has opened its state, the registry connections and the vulnerability
        # database by now; any of them would have taken descriptor 1 (the table went into a connection).
        for _ in range(1200):
            if hold.reached.wait(0.1) or scan.poll() is not None:
                break
        self.assertTrue(hold.reached.is_set(), f"the run never asked for the layer (exit {scan.poll()})")
        for fd in (0, 1, 2):
            self.assertEqual(os.readlink(f"/proc/{scan.pid}/fd/{fd}"), "/dev/null", fd)
        hold.release.set()
        self.assertEqual(scan.wait(120), 0)

    def test_output_lost_to_a_full_disk_exits_1(self):
        # --help fails in the final flush, which tells why; `registry --help` (past the 4 KiB buffer) fails earlier.
        for arguments, logged in ((["--help"], "cannot write standard output: No space left on device"),
                                  (["registry", "--help"], "cannot write standard output (a write failed)")):
            with open("/dev/full", "wb") as full:
                run = subprocess.run([regscan_binary(), *arguments], stdout=full, stderr=subprocess.PIPE, text=True,
                                     timeout=60)
            self.assertEqual(run.returncode, 1, (arguments, run.stderr))
            self.assertIn(logged, run.stderr)

    def test_a_reader_that_stopped_reading_is_no_error(self):
        # Short output fails in the final flush (EPIPE); long output earlier, told by the pipe itself.
        for arguments in (["--help"], ["registry", "--help"]):
            read_end, write_end = os.pipe()
            os.close(read_end)  # nobody will read: every write fails with EPIPE
            try:
                run = subprocess.run([regscan_binary(), *arguments], stdout=write_end, stderr=subprocess.PIPE,
                                     text=True, timeout=60)
            finally:
                os.close(write_end)
            self.assertEqual(run.returncode, 0, (arguments, run.stderr))
            self.assertNotIn("cannot write", run.stderr)

if __name__ == "__main__":
    unittest.main()
