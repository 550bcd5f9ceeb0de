"""The live progress line on a terminal (issue 12 part 5): log lines never share a row with it (it
is cleared before each and drawn again after), and it ends as one final line without an ETA.
The real binary runs with standard error on a pseudo-terminal against a real registry behind a
proxy that holds one layer until the progress line has been drawn, so a log line surely comes
while the line is shown."""
import os
import pty
import re
import shutil
import subprocess
import tempfile
import threading
import unittest

from harness import crafted, osv_db, proxy
from harness.push import push_manifest
from harness.registry import Registry
from harness.run import regscan_binary

LOG_LINE = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000 (trace|debug|info|warning|error) ")


class ProgressLine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-progress-")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        cls.images = {f"web/app{i}:1.0": crafted.requests_image(f"2.{19 + i}.0") for i in range(3)}
        for target, manifest in cls.images.items():
            push_manifest(cls.registry, target, manifest)

    def test_log_lines_never_share_the_progress_row_and_it_ends_cleanly(self):
        drawn, release, output = threading.Event(), threading.Event(), bytearray()
        held = f"/v2/web/app2/blobs/{self.images['web/app2:1.0'].dependencies[1].digest}"

        def hold_until_drawn(request, _proxy):
            if request.route == held and request.method == "GET":
                release.wait(60)
            return None

        fault = proxy.FaultProxy(self.registry, [hold_until_drawn])
        fault.start()
        self.addCleanup(fault.stop)
        self.addCleanup(release.set)
        master, slave = pty.openpty()
        out_dir = tempfile.mkdtemp(dir=self.workdir)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REGSCAN_REGISTRY_", "TCS_REGISTRY_"))}
        env["HOME"] = tempfile.mkdtemp(dir=self.workdir)
        process = subprocess.Popen(
            [regscan_binary(), "registry", fault.url, "--db", self.db, "--state", os.path.join(out_dir, "state.db"),
             "--output-dir", out_dir, "--format=json", "--concurrency=1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=env, cwd=out_dir)
        os.close(slave)

        def read_terminal():
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    return
                if not chunk:
                    return
                output.extend(chunk)
                if b"] images" in output:
                    drawn.set()

        reader = threading.Thread(target=read_terminal)
        reader.start()
        self.assertTrue(drawn.wait(60), f"no progress line drawn: {bytes(output)[-2000:]!r}")
        release.set()
        stdout, _ = process.communicate(timeout=120)
        reader.join(60)
        os.close(master)
        raw = bytes(output)
        self.assertEqual(process.returncode, 0, raw[-3000:])
        self.assertIn(b"Registry Summary:", stdout)

        starts = [m.start() for m in LOG_LINE.finditer(raw)]
        self.assertTrue(starts, raw[-2000:])
        shown = raw.index(b"] images")
        self.assertTrue([s for s in starts if s > shown], "no log line came while the progress line was shown")
        for start in starts:
            before = raw[max(0, start - 4):start]
            self.assertTrue(start == 0 or before.endswith(b"\n") or before.endswith(b"\r\x1b[K"),
                            f"a log line shares a row with the progress line: {raw[max(0, start - 120):start + 80]!r}")
        self.assertNotIn(b"ETA --", raw)
        # It ends once, as a line of its own, and is not drawn again after.
        finals = list(re.finditer(rb"\r\[3/3\] images  [0-9.]+ MiB pulled  [0-9.]+ MiB/s  in [0-9.]+ s\x1b\[K\r?\n", raw))
        self.assertEqual(len(finals), 1, raw[-2000:])
        self.assertNotIn(b"] images", raw[finals[0].end():])
        self.assertTrue(raw.endswith(b"\n"), raw[-200:])


if __name__ == "__main__":
    unittest.main()
