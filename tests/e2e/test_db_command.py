"""`regscan db import|status|update`: the offline OSV database (docs/cli.md).

Real records from ../shared/reference/osv and tests/fixtures/osv; OSV's all.zip archives built
here with zipfile and served by a loopback HTTP server laid out like OSV's public bucket
(<source>/<ecosystem>/all.zip).
"""
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest
import zipfile

from harness import case, http_server, run as runner

SOURCE_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SHARED_DIR = os.environ.get("REGSCAN_SHARED_DIR", os.path.join(SOURCE_DIR, "..", "shared"))
REFERENCE = os.path.join(SHARED_DIR, "reference", "osv")
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures", "osv")
DEMO = os.path.join(SOURCE_DIR, "data", "demo-osv")


def counts(result):
    """The import table of stdout: {ecosystem: (read, imported, updated, unchanged, rejected)}."""
    table, inside = {}, False
    for line in result.stdout.splitlines():
        if line.startswith("ECOSYSTEM"):
            inside = True
            continue
        if inside:
            parts = line.split()
            if len(parts) != 6:
                break
            table[parts[0]] = tuple(int(p) for p in parts[1:])
    return table


def fingerprint(result):
    for line in result.stdout.splitlines():
        if line.startswith("Fingerprint"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no fingerprint line\n{result!r}")


def zip_of(paths):
    """An all.zip: one <id>.json entry per record file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, os.path.basename(path))
    return buffer.getvalue()


class DbCommand(case.RegscanCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="regscan-e2e-db-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.db = os.path.join(self.dir, "osv.db")

    def db_run(self, *args, env=None, timeout=300):
        return self.regscan("db", *args, output_dir=False, env=env, timeout=timeout)

    def status(self, db=None):
        result = self.db_run("status", "--json", "--db", db or self.db)
        self.assertExit(result, 0)
        return json.loads(result.stdout)

    def test_import_counts_per_ecosystem_and_is_idempotent(self):
        paths = [os.path.join(REFERENCE, d) for d in ("pypi", "go", "almalinux9")] + [FIXTURES]
        first = self.db_run("import", "--db", self.db, *paths)
        self.assertExit(first, 0)
        self.assertLogFormat(first)
        table = counts(first)
        self.assertEqual(table["PyPI"], (2662, 2662, 0, 0, 0), first)
        self.assertEqual(table["Go"], (4291, 4291, 0, 0, 0), first)
        self.assertEqual(table["AlmaLinux"], (1783, 1783, 0, 0, 0), first)
        self.assertEqual(table["Debian"], (7, 7, 0, 0, 0), first)
        self.assertEqual(table["total"], (8746, 8746, 0, 0, 0), first)

        again = self.db_run("import", "--db", self.db, *paths)
        self.assertExit(again, 0)
        self.assertEqual(counts(again)["total"], (8746, 0, 0, 8746, 0), again)
        self.assertEqual(fingerprint(again), fingerprint(first))

        status = self.status()
        self.assertEqual(status["records"], 8746)
        self.assertEqual(status["withdrawn"], 27)
        self.assertEqual(status["fingerprint"], fingerprint(first))
        by_ecosystem = {e["ecosystem"]: e for e in status["ecosystems"]}
        self.assertEqual(by_ecosystem["Debian:12"]["records"], 7)
        self.assertEqual(by_ecosystem["Maven"]["newest_modified"], "2022-03-25T20:56:18Z")
        self.assertRegex(status["last_import"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

        text = self.db_run("status", "--db", self.db)
        self.assertExit(text, 0)
        self.assertIn("Records     : 8746 (27 withdrawn)", text.stdout)
        self.assertRegex(text.stdout, r"Last import : \S+ \(\d+s ago\)")

    def test_a_malformed_record_is_named_and_the_rest_imported(self):
        bad = os.path.join(self.dir, "records")
        os.mkdir(bad)
        with open(os.path.join(bad, "GHSA-broken.json"), "w") as f:
            f.write('{"id": "GHSA-broken", "modified": "last tuesday"}')
        good = os.path.join(FIXTURES, "npm", "GHSA-jf85-cpcp-j695.json")
        result = self.db_run("import", "--db", self.db, bad, good)
        self.assertExit(result, 6)
        self.assertLogged(result, r"^rejected .*/GHSA-broken\.json: GHSA-broken: modified: not an RFC 3339 time: "
                                  r"\"last tuesday\"$", "error")
        self.assertEqual(counts(result)["npm"], (1, 1, 0, 0, 0))
        self.assertEqual(counts(result)["total"], (2, 1, 0, 0, 1))

    def test_a_failed_import_leaves_no_database_or_the_previous_one_untouched(self):
        missing = os.path.join(self.dir, "nonexistent")
        first = self.db_run("import", "--db", self.db, missing)
        self.assertExit(first, 6)
        self.assertLogged(first, r"nothing imported, no database created", "error")
        self.assertFalse(os.path.exists(self.db))

        good = os.path.join(FIXTURES, "npm", "GHSA-jf85-cpcp-j695.json")
        self.assertExit(self.db_run("import", "--db", self.db, good), 0)
        before = self.status()
        with open(self.db, "rb") as f:
            before_bytes = f.read()
        other = os.path.join(REFERENCE, "pypi", "PYSEC-2018-28.json")
        failed = self.db_run("import", "--db", self.db, other, missing)
        self.assertExit(failed, 6)
        self.assertLogged(failed, r"nothing imported, .*osv\.db is unchanged", "error")
        self.assertLogged(failed, r"^rejected .*nonexistent: no such file or directory$", "error")
        self.assertEqual(self.status(), before)
        with open(self.db, "rb") as f:
            self.assertEqual(f.read(), before_bytes)

    def test_imports_all_zip_archives(self):
        archive = os.path.join(self.dir, "all.zip")
        records = sorted(os.path.join(REFERENCE, "pypi", f) for f in os.listdir(os.path.join(REFERENCE, "pypi"))
                         if f.endswith(".json"))
        with open(archive, "wb") as f:
            f.write(zip_of(records))
        result = self.db_run("import", "--db", self.db, archive)
        self.assertExit(result, 0)
        self.assertEqual(counts(result)["PyPI"], (2661, 2661, 0, 0, 0))

    def test_update_downloads_each_ecosystem_from_the_source(self):
        pypi = [os.path.join(DEMO, "pypi", f) for f in sorted(os.listdir(os.path.join(DEMO, "pypi")))
                if f.endswith(".json")]
        debian = [os.path.join(DEMO, "debian", f) for f in sorted(os.listdir(os.path.join(DEMO, "debian")))]
        bucket = http_server.Server(http_server.static_files(
            {"/PyPI/all.zip": zip_of(pypi), "/Debian/all.zip": zip_of(debian),
             "/Rocky%20Linux/all.zip": zip_of([os.path.join(FIXTURES, "npm", "GHSA-jf85-cpcp-j695.json")])},
            "application/zip")).start()
        self.addCleanup(bucket.stop)

        result = self.db_run("update", "--db", self.db, "--source", bucket.url + "/",
                             "--ecosystems", "PyPI,Debian", "--ecosystems", "Rocky Linux")
        self.assertExit(result, 0)
        self.assertEqual([path for _, path, _ in bucket.requests()],
                         ["/PyPI/all.zip", "/Debian/all.zip", "/Rocky%20Linux/all.zip"])
        table = counts(result)
        self.assertEqual(table["PyPI"], (len(pypi), len(pypi), 0, 0, 0))
        self.assertEqual(table["Debian"], (7, 7, 0, 0, 0))
        self.assertEqual(table["npm"], (1, 1, 0, 0, 0))
        self.assertLogged(result, r"^Downloaded " + bucket.url + r"/PyPI/all.zip \(\d+ bytes\)$", "info")
        self.assertEqual([f for f in os.listdir(self.dir) if f.startswith(".osv-download")], [])

        # One ecosystem missing: the others are imported, exit 6.
        partial = self.db_run("update", "--db", self.db, "--source", bucket.url, "--ecosystems", "PyPI,npm")
        self.assertExit(partial, 6)
        self.assertLogged(partial, r"/npm/all.zip: HTTP 404: Not Found$", "error")
        self.assertEqual(counts(partial)["PyPI"], (len(pypi), 0, 0, len(pypi), 0))

        # Nothing downloadable: exit 3.
        nothing = self.db_run("update", "--db", self.db, "--source", bucket.url, "--ecosystems", "Maven")
        self.assertExit(nothing, 3)

    def test_database_path_from_flag_env_and_xdg(self):
        record = os.path.join(FIXTURES, "npm", "GHSA-jf85-cpcp-j695.json")
        data_home = os.path.join(self.dir, "xdg")
        result = self.db_run("import", record, env={"XDG_DATA_HOME": data_home, "REGSCAN_DB": ""})
        self.assertExit(result, 0)
        self.assertTrue(os.path.isfile(os.path.join(data_home, "regscan", "osv.db")), result)
        from_env = os.path.join(self.dir, "env.db")
        result = self.db_run("import", record, env={"REGSCAN_DB": from_env})
        self.assertExit(result, 0)
        self.assertTrue(os.path.isfile(from_env), result)
        self.assertEqual(self.status(from_env)["records"], 1)

    def test_bad_arguments_exit_2(self):
        self.assertExit(self.db_run(), 2)
        self.assertExit(self.db_run("frobnicate"), 2)
        self.assertExit(self.db_run("import", "--db", self.db), 2)
        self.assertExit(self.db_run("status", "--db", self.db, "extra"), 2)
        self.assertExit(self.db_run("update", "--db", self.db, "--source", "ftp://example.invalid"), 2)
        # Refused before anything is downloaded.
        tracker = self.db_run("update", "--db", self.db, "--source", "http://127.0.0.1:9",
                              "--debian-tracker", "ftp://example.invalid/json")
        self.assertExit(tracker, 2)
        self.assertNotIn("Downloading", tracker.stderr)
        helped = self.db_run("--help")
        self.assertExit(helped, 0)
        self.assertIn("Usage: regscan db <command>", helped.stdout)

    def test_status_of_a_missing_database_says_what_to_do(self):
        result = self.db_run("status", "--db", os.path.join(self.dir, "none.db"))
        self.assertExit(result, 1)
        self.assertLogged(result, r"no vulnerability database: run 'regscan db import PATH\.\.\.' or "
                                  r"'regscan db update' first", "error")

    def test_two_processes_importing_into_one_file_do_not_corrupt_it(self):
        env = {k: v for k, v in os.environ.items()}
        binary = runner.regscan_binary()
        jobs = [subprocess.Popen([binary, "db", "import", "--db", self.db, os.path.join(REFERENCE, d)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                for d in ("go", "pypi")]
        outputs = [job.communicate(timeout=600) for job in jobs]
        self.assertEqual([job.returncode for job in jobs], [0, 0], outputs)
        with sqlite3.connect(self.db) as connection:
            self.assertEqual(connection.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(connection.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        self.assertEqual(self.status()["records"], 4291 + 2661)


class RecordsFollowTheSchema(unittest.TestCase):
    def test_fixtures_and_demo_records_validate_against_the_osv_schema(self):
        # Debian's python3-jsonschema (draft 2020-12) on the system interpreter.
        script = (
            "import json, sys, glob, jsonschema\n"
            "schema = json.load(open(sys.argv[1]))\n"
            "validator = jsonschema.Draft202012Validator(schema)\n"
            "bad = [(f, e.message) for d in sys.argv[2:] for f in sorted(glob.glob(d + '/**/*.json', recursive=True))\n"
            "       for e in validator.iter_errors(json.load(open(f)))]\n"
            "print(len(bad), bad)\n"
            "sys.exit(1 if bad else 0)\n")
        done = subprocess.run(["/usr/bin/python3", "-c", script, os.path.join(REFERENCE, "schema.json"), FIXTURES, DEMO],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertEqual(done.stdout.split()[0], "0")


if __name__ == "__main__":
    unittest.main()
