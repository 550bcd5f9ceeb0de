"""Hostile image content: a tar name of 64 KiB (nested directories, each a
valid name: a pax header may carry 4 MiB of one) on a file malware signatures
match, on a package's metadata, and on notes (a directory or a dangling link
where metadata is read). Every output echoes the paths (a malware finding's
path, a package's location, a note): the reports carry them cut at
limits::max_echoed_value, ending with how many bytes were left out."""
import json
import os
import unittest

from harness import crafted, measured_run
from harness.hostile_case import HostileCase

MAX_ECHOED_VALUE = 4096  # core/src/limits/limits.hpp
MARKER = b"regscan-long-path-marker-7d2e"
METADATA = b"Metadata-Version: 2.1\nName: deep-package\nVersion: 1.0\n\n"
DEEP = "/".join(f"{i:03d}" + "d" * 200 for i in range(320))  # 64 KiB, every component under 255 bytes
CUT = " bytes left out)"


class LongPaths(HostileCase):
    def setUp(self):
        self.sigs = measured_run.temp_dir("regscan-e2e-long-paths-sigs-")
        with open(os.path.join(self.sigs, "regscan.ndb"), "w") as f:
            f.write(f"Regscan.Test.LongPath:0:*:{MARKER.hex()}\n")
        self.hostile = self.registry()
        # And two notes that name their path: a directory where a METADATA file is read, and
        # a METADATA link to a file the image does not hold (the link's target as long).
        layer = crafted.gzip_layer(crafted.tar([
            crafted.regular(DEEP + "/evil.bin", b"head " + MARKER + b" tail"),
            crafted.regular(DEEP + "/site-packages/deep_package-1.0.dist-info/METADATA", METADATA),
            crafted.directory(DEEP + "/site-packages/dir_package-1.0.dist-info/METADATA"),
            crafted.symlink(DEEP + "/site-packages/link_package-1.0.dist-info/METADATA", "/" + DEEP + "/nowhere"),
        ]))
        self.hostile.push("deep/app", "1", crafted.image([layer]))

    def assertCapped(self, value, whole):
        self.assertLessEqual(len(value.encode()), MAX_ECHOED_VALUE, value[:200])
        self.assertTrue(value.endswith(CUT), value[-200:])
        self.assertTrue(whole.startswith(value[:value.rindex(" ... (")]), value[:200])

    def test_malware_path_and_package_location_are_capped_in_the_reports(self):
        result = self.scan(self.hostile, "--malware", "--clamav-db", self.sigs, formats="json,sarif", timeout=240)
        self.assertFinished(result, 0)
        [image] = self.entries(result, self.hostile.host, "deep/app:1")
        self.assertEqual(image["status"], "scanned", result)

        [finding] = image["malware"]["findings"]
        self.assertEqual(finding["signature"], "Regscan.Test.LongPath.UNOFFICIAL")
        self.assertCapped(finding["path"], "/" + DEEP + "/evil.bin")

        [package] = [p for p in image["packages"] if p["name"] == "deep-package"]
        self.assertCapped(package["location"], "/" + DEEP + "/site-packages/deep_package-1.0.dist-info/METADATA")

        notes = image["notes"]
        self.assertTrue([n for n in notes if "is a directory where a package database" in n], notes)
        self.assertTrue([n for n in notes if " is a link to " in n], notes)
        for note in notes:
            self.assertLess(len(note.encode()), 3 * MAX_ECHOED_VALUE, note[:200])

        # Nothing regscan wrote (log, reports) holds the whole path (a name of up to 4 MiB went into each).
        self.assertNotIn(DEEP.encode(), result.everything())
        [sarif_path] = [os.path.join(result.output_dir, name) for name in result.output_files()
                        if name.endswith(".sarif")]
        with open(sarif_path) as f:
            runs = json.load(f)["runs"]
        [sarif] = [r for r in runs[0]["results"] if r["ruleId"].startswith("malware/")]
        self.assertCapped(sarif["properties"]["path"], "/" + DEEP + "/evil.bin")


if __name__ == "__main__":
    unittest.main()
