"""A rescan's JSON report, byte for byte: a rescan into the same --output-dir copies each unchanged
image's entry from the report it replaces (the state records where the last report holds it) instead
of reading it back from the state, and writes exactly the bytes a report from the state's renderings
has: the first scan's entries with the status "reused". When that file is not the one the state
refers to (edited, replaced, gone, another directory) the entries come from the state, as before.
SQLite and PostgreSQL states alike."""
import json
import os
import shutil
import sqlite3
import tempfile
import unittest

from harness import oci_layout, osv_db
from harness.case import RegscanCase
from harness.postgres import Postgres
from harness.push import push_manifest
from harness.registry import Registry

SITE = "usr/lib/python3/dist-packages"


def metadata(name, version):
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


def images_part(report_bytes):
    """The report's "images" array, as bytes (keys are sorted: it comes first)."""
    end = report_bytes.index(b'\n  ],\n  "run"')
    return report_bytes[:end]


def as_reused(report_bytes):
    """The images part of a first scan's report with each image's own status "reused"."""
    return images_part(report_bytes).replace(b'\n      "status": "scanned"', b'\n      "status": "reused"')


class RescanReportTest(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-rescan-report-")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        with open("/var/lib/dpkg/status", "rb") as f:
            dpkg = f.read()  # this machine's package list: entries of hundreds of KiB
        os_release = b'ID=debian\nVERSION_ID="12"\n'
        base = {"etc/os-release": os_release, "var/lib/dpkg/status": dpkg}
        web = dict(base, **{f"{SITE}/requests-2.19.0.dist-info/METADATA": metadata("requests", "2.19.0")})
        cls.images = {
            "apps/web:1": oci_layout.image("2024-01-01T00:00:00Z", files=web),
            "apps/plain:1": oci_layout.image("2024-01-02T00:00:00Z", files={"etc/os-release": os_release}),
            # two platforms in one tag: two entries behind one state row
            "apps/multi:1": oci_layout.index([
                (oci_layout.image("2024-01-03T00:00:00Z", files=base), {"os": "linux", "architecture": "amd64"}),
                (oci_layout.image("2024-01-03T00:00:00Z", arch="arm64", files=web),
                 {"os": "linux", "architecture": "arm64"})]),
        }
        for target, manifest in cls.images.items():
            push_manifest(cls.registry, target, manifest)
        cls.db = osv_db.make_db(cls.workdir, ("PYSEC-2018-28",))

    def scan(self, state, out, formats="table,json,csv"):
        result = self.regscan("registry", self.registry.url, "--db", self.db, "--state", state,
                              f"--format={formats}", "--no-progress", "--platform=all", f"--output-dir={out}",
                              output_dir=False)
        self.assertExit(result, 0)
        return result

    def report_bytes(self, out):
        with open(osv_db.report_json_path(out, self.registry.host), "rb") as f:
            return f.read()

    def fresh_dir(self):
        return tempfile.mkdtemp(dir=self.workdir)

    def sqlite_state(self):
        return os.path.join(self.fresh_dir(), "state.db")

    def check_rescans(self, state, corrupt_stored_entries):
        out = self.fresh_dir()
        self.scan(state, out)
        first = self.report_bytes(out)
        images = json.loads(first)["images"]
        self.assertEqual(len(images), 4)
        self.assertEqual({i["status"] for i in images}, {"scanned"})
        self.assertGreater(len(first), 100_000, "entries as large as a real base image's")
        expected = as_reused(first)

        self.scan(state, out)  # copies from the first report
        second = self.report_bytes(out)
        self.assertEqual(images_part(second), expected)
        self.assertEqual({i["status"] for i in json.loads(second)["images"]}, {"reused"})

        # The entries did come from the report: with the state's copies damaged, the next
        # rescan into the same directory still writes the right bytes...
        corrupt_stored_entries()
        self.scan(state, out)
        self.assertEqual(images_part(self.report_bytes(out)), expected)
        # ...and one into another directory (no earlier report there) reads the state's.
        elsewhere = self.fresh_dir()
        self.scan(state, elsewhere)
        self.assertNotEqual(images_part(self.report_bytes(elsewhere)), expected)

    def test_rescan_copies_entries_from_the_previous_report_sqlite(self):
        state = self.sqlite_state()

        def corrupt():
            with sqlite3.connect(state) as db:
                changed = db.execute("UPDATE tag_renderings SET entries = replace(entries, "
                                     "'\"name\": \"requests\"', '\"name\": \"CORRUPTED\"')").rowcount
            self.assertEqual(changed, 3)

        self.check_rescans(state, corrupt)
        with sqlite3.connect(state) as db:
            refs = [row[0] for row in db.execute("SELECT report_ref FROM tag_report_refs WHERE report_ref LIKE 'json1 %'")]
        self.assertEqual(len(refs), 3)

    def test_rescan_copies_entries_from_the_previous_report_postgresql(self):
        pg = Postgres()
        self.addCleanup(pg.close)
        pg.start()

        def corrupt():
            pg.query("UPDATE tag_renderings SET entries = replace(entries, "
                     "'\"name\": \"requests\"', '\"name\": \"CORRUPTED\"')")
            self.assertEqual(pg.scalar("SELECT count(*) FROM tag_renderings WHERE entries LIKE '%CORRUPTED%'"), "2")

        self.check_rescans(pg.url, corrupt)
        self.assertEqual(pg.scalar("SELECT count(*) FROM tag_report_refs WHERE report_ref LIKE 'json1 %'"), "3")

    def test_an_edited_or_replaced_report_is_not_copied(self):
        state = self.sqlite_state()
        out = self.fresh_dir()
        path = osv_db.report_json_path(out, self.registry.host)
        self.scan(state, out)
        first = self.report_bytes(out)
        expected = as_reused(first)
        edited = first.replace(b'"name": "requests"', b'"name": "REQUESTS"')
        self.assertNotEqual(edited, first)

        # Edited in place, same size: its entries are not taken.
        with open(path, "r+b") as f:
            f.write(edited)
        self.scan(state, out)
        self.assertEqual(images_part(self.report_bytes(out)), expected)

        # Replaced by a copy with the same bytes but another file: not the one referred to.
        copy = path + ".copy"
        with open(copy, "wb") as f:
            f.write(self.report_bytes(out).replace(b'"name": "requests"', b'"name": "REQUESTS"'))
        os.replace(copy, path)
        self.scan(state, out)
        self.assertEqual(images_part(self.report_bytes(out)), expected)

        # Gone, or a symbolic link in its place: written from the state.
        os.unlink(path)
        self.scan(state, out)
        self.assertEqual(images_part(self.report_bytes(out)), expected)
        target = os.path.join(self.fresh_dir(), "elsewhere.json")
        os.replace(path, target)
        os.symlink(target, path)
        self.scan(state, out)
        self.assertFalse(os.path.islink(path))
        self.assertEqual(images_part(self.report_bytes(out)), expected)

        # A run with CycloneDX reads the full results back and records no reference: the
        # same bytes, and the next table/JSON run, finding the references stale, reads the state.
        self.scan(state, out, formats="json,cyclonedx")
        self.assertEqual(images_part(self.report_bytes(out)), expected)
        self.scan(state, out)
        self.assertEqual(images_part(self.report_bytes(out)), expected)
        self.assertEqual([name for name in os.listdir(out) if name.startswith(".")], [])


if __name__ == "__main__":
    unittest.main()
