"""The state keeps a tag's results only at the digests it has now: once a tag is pushed again and
scanned, its former image's full results leave the state (one set per push would otherwise stay for
good), while another tag of that former image keeps its own, and a platform an index kept keeps its
result (reused, not scanned again). A scan of the same images for fewer platforms drops nothing.
Through the real binary on a SQLite state."""
import os
import shutil
import sqlite3
import tempfile
import unittest

from harness import oci_layout, osv_db
from harness.case import RegscanCase
from harness.push import push_manifest
from harness.registry import Registry

OS_RELEASE = b'ID=debian\nVERSION_ID="12"\n'


def image(name, arch="amd64"):
    return oci_layout.image("2024-01-01T00:00:00Z", arch=arch,
                            files={"etc/os-release": OS_RELEASE, f"opt/{name}": name.encode()})


class ResultsRetention(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-results-retention-")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        cls.db = osv_db.make_db(cls.workdir)
        cls.state = os.path.join(cls.workdir, "state.db")

    def scan(self, platform="all"):
        result = self.regscan("registry", self.registry.url, "--db", self.db, "--state", self.state,
                              "--format=table", "--no-progress", f"--platform={platform}", output_dir=False)
        self.assertExit(result, 0)
        return result

    def stored(self):
        """{(repository, tag): {digest: platform}} of the state's results."""
        with sqlite3.connect(self.state) as db:
            rows = db.execute("SELECT repository, tag, digest, platform FROM results").fetchall()
        out = {}
        for repository, tag, digest, platform in rows:
            out.setdefault((repository, tag), {})[digest] = platform
        return out

    def test_a_tag_pushed_again_keeps_only_its_new_results(self):
        kept_amd64 = image("multi-amd64")
        push_manifest(self.registry, "apps/app:1", image("first"))
        push_manifest(self.registry, "apps/app:pinned", image("first"))
        push_manifest(self.registry, "apps/multi:1", oci_layout.index([
            (kept_amd64, {"os": "linux", "architecture": "amd64"}),
            (image("multi-arm64-first", "arm64"), {"os": "linux", "architecture": "arm64"})]))
        self.scan()
        before = self.stored()
        self.assertEqual(len(before[("apps/app", "1")]), 1, before)
        self.assertEqual(before[("apps/app", "pinned")], before[("apps/app", "1")])
        self.assertEqual(sorted(before[("apps/multi", "1")].values()), ["linux/amd64", "linux/arm64"])

        push_manifest(self.registry, "apps/app:1", image("second"))
        push_manifest(self.registry, "apps/multi:1", oci_layout.index([
            (kept_amd64, {"os": "linux", "architecture": "amd64"}),
            (image("multi-arm64-second", "arm64"), {"os": "linux", "architecture": "arm64"})]))
        second = self.scan()
        after = self.stored()
        self.assertEqual(len(after[("apps/app", "1")]), 1, after)
        self.assertNotEqual(after[("apps/app", "1")], before[("apps/app", "1")])
        self.assertEqual(after[("apps/app", "pinned")], before[("apps/app", "pinned")])  # its own rows
        multi_before, multi_after = before[("apps/multi", "1")], after[("apps/multi", "1")]
        self.assertEqual(sorted(multi_after.values()), ["linux/amd64", "linux/arm64"], after)
        amd64 = [d for d, p in multi_before.items() if p == "linux/amd64"]
        self.assertEqual([d for d, p in multi_after.items() if p == "linux/amd64"], amd64)  # the platform kept
        self.assertNotIn([d for d, p in multi_before.items() if p == "linux/arm64"][0], multi_after)
        self.assertRegex(second.stderr, r"apps/multi:1 platform=linux/amd64 .*\(unchanged, result reused\)")

        # The same images scanned for fewer platforms: nothing moved, nothing is dropped.
        self.scan("linux/amd64")
        self.assertEqual(self.stored(), after)


if __name__ == "__main__":
    unittest.main()
