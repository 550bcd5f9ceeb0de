"""`regscan state prune`: a registry whose tags moved leaves the former digests' results in the state;
once no run has seen them for --older-than, the prune removes them (a dry run only counts them), keeps
what the current tags use, and the next rescan still reuses every result. SQLite and PostgreSQL (whose
URL's password never shows). The ages are made by setting the recorded times back in the real file."""
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
LONG_AGO = "2020-01-01T00:00:00Z"
TABLES = ("images", "results", "tag_results", "tag_renderings", "tag_report_refs", "scans", "layer_facts")


def python_image(created, version, arch="amd64"):
    metadata = f"Metadata-Version: 2.1\nName: requests\nVersion: {version}\n\n".encode()
    return oci_layout.image(created, arch=arch, files={
        "etc/os-release": b'ID=debian\nVERSION_ID="12"\n',
        f"{SITE}/requests-{version}.dist-info/METADATA": metadata})


def multi(amd64, arm64):
    """An index of two platforms: (created, version) each."""
    return oci_layout.index([(python_image(*amd64), {"os": "linux", "architecture": "amd64"}),
                             (python_image(*arm64, "arm64"), {"os": "linux", "architecture": "arm64"})])


class SqliteState:
    def __init__(self, path):
        self.url = path

    def rows(self, sql):
        with sqlite3.connect(self.url) as db:
            return [tuple(str(v) for v in row) for row in db.execute(sql)]

    def execute(self, sql):
        with sqlite3.connect(self.url) as db:
            db.execute(sql)


class PostgresState:
    def __init__(self, pg):
        self.pg = pg
        self.url = pg.url

    def rows(self, sql):
        return self.pg.query(sql)

    def execute(self, sql):
        self.pg.query(sql)


class StatePruneTest(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-state-prune-")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.db = osv_db.make_db(cls.workdir, ("PYSEC-2018-28",))

    def setUp(self):
        # Each test moves tags: a registry of its own.
        self.registry = Registry().start()
        self.addCleanup(self.registry.stop)
        push_manifest(self.registry, "apps/web:1", python_image("2024-01-01T00:00:00Z", "2.19.0"))
        push_manifest(self.registry, "apps/multi:1", multi(("2024-01-02T00:00:00Z", "2.19.0"),
                                                           ("2024-01-02T00:00:00Z", "2.19.0")))
        push_manifest(self.registry, "apps/still:1", python_image("2024-01-03T00:00:00Z", "2.18.0"))

    def scan(self, state):
        out = tempfile.mkdtemp(dir=self.workdir)
        result = self.regscan("registry", self.registry.url, "--db", self.db, "--state", state.url,
                              "--format=table,json", "--no-progress", "--platform=all", f"--output-dir={out}",
                              output_dir=False)
        self.assertExit(result, 0)
        with open(osv_db.report_json_path(out, self.registry.host)) as f:
            return result, json.load(f)

    def prune(self, state, *args):
        return self.regscan("state", "prune", "--state", state.url, *args, output_dir=False)

    def sizes(self, state):
        return {table: int(state.rows(f"SELECT COUNT(*) FROM {table}")[0][0]) for table in TABLES}

    def check_prune(self, state):
        self.scan(state)
        first = set(state.rows("SELECT repository, digest FROM images"))
        self.assertEqual(len(first), 3)
        # Both moving tags get new content; apps/still stays. apps/multi's new index keeps its amd64 image
        # (its result is reused under the new index digest, and ages by it).
        push_manifest(self.registry, "apps/web:1", python_image("2024-02-01T00:00:00Z", "2.20.0"))
        push_manifest(self.registry, "apps/multi:1", multi(("2024-01-02T00:00:00Z", "2.19.0"),
                                                           ("2024-02-02T00:00:00Z", "2.20.0")))
        self.scan(state)
        current = set(state.rows("SELECT repository, digest FROM images")) - first
        self.assertEqual({repository for repository, _ in current}, {"apps/web", "apps/multi"})
        former = {(r, d) for r, d in first if r != "apps/still"}
        self.assertEqual(len(former), 2)
        # The former digests were last seen long ago; every layer analysis was written long ago.
        for repository, digest in former:
            state.execute(f"UPDATE images SET last_seen = '{LONG_AGO}' WHERE repository = '{repository}' "
                          f"AND digest = '{digest}'")
        state.execute(f"UPDATE layer_facts_written SET recorded = '{LONG_AGO}'")
        layers = self.sizes(state)["layer_facts"]
        self.assertGreater(layers, 0)
        # The former apps/web's and apps/multi's arm64 results; 4 current ones (apps/still's and the
        # amd64 one from the first scan).
        self.assertEqual(self.sizes(state)["results"], 6)

        before = self.sizes(state)
        dry = self.prune(state, "--older-than", "30d", "--dry-run", "--json")
        self.assertExit(dry, 0)
        counted = json.loads(dry.stdout)
        self.assertTrue(counted["dry_run"])
        expected = {"results": 2, "tag_rows": 0, "images": 2, "scans": 0, "layer_facts": layers,
                    "layer_malware": 0, "queue_items": 0}
        self.assertEqual(counted["would_remove"], dict(expected, batches=0))
        self.assertEqual(self.sizes(state), before, "a dry run removes nothing")

        done = self.prune(state, "--older-than", "30d", "--json")
        self.assertExit(done, 0)
        # One batch each: results, their tag digests, images, layer analyses and their write times.
        self.assertEqual(json.loads(done.stdout)["removed"], dict(expected, batches=5))
        after = self.sizes(state)
        self.assertEqual(after["results"], 4)
        self.assertEqual(after["images"], 3)
        self.assertEqual(after["layer_facts"], 0)
        self.assertEqual(set(state.rows("SELECT repository, digest FROM images")) & former, set())
        for table in ("tag_results", "tag_renderings", "scans"):
            self.assertEqual(after[table], before[table], table)

        # What the current tags use is still there: every image is reused, none is new.
        result, report = self.scan(state)
        self.assertEqual({image["status"] for image in report["images"]}, {"reused"})
        self.assertEqual(len(report["images"]), 4)
        self.assertEqual(report["summary"]["new_images"], 0)
        return done

    def test_prune_a_sqlite_state(self):
        state = SqliteState(os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db"))
        self.check_prune(state)
        text = self.prune(state, "--older-than", "30d", "--vacuum")
        self.assertExit(text, 0)
        self.assertIn("Removed from " + state.url + " what no run has seen or written since ", text.stdout)
        self.assertRegex(text.stdout, r"\n  image results +0\n")
        self.assertIn("Vacuumed.", text.stdout)

    def test_prune_a_postgresql_state_never_shows_its_password(self):
        pg = Postgres()
        self.addCleanup(pg.close)
        pg.start()
        done = self.check_prune(PostgresState(pg))
        text = self.prune(PostgresState(pg), "--older-than", "30d")
        self.assertExit(text, 0)
        self.assertIn(pg.redacted_url, text.stdout)
        for shown in (done, text):
            self.assertNotIn(pg.password, shown.stdout + shown.stderr)

    def test_the_state_of_the_config_file(self):
        folder = tempfile.mkdtemp(dir=self.workdir)
        state = os.path.join(folder, "configured.db")
        self.scan(SqliteState(state))
        config = os.path.join(folder, "config")
        with open(config, "w") as f:
            f.write(f"format = json\nstate = {state}\nplatform = all\n")  # the registry's lines too
        for args, cwd in [(("--config", config), None), ((), folder)]:  # --config, then ./config
            with self.subTest(args=args):
                result = self.regscan("state", "prune", "--older-than", "30d", *args, output_dir=False, cwd=cwd)
                self.assertExit(result, 0)
                self.assertIn(f"Removed from {state} what ", result.stdout)
        unreadable = self.regscan("state", "prune", "--older-than", "30d", "--config", folder + "/none",
                                  output_dir=False)
        self.assertExit(unreadable, 2)
        self.assertIn("cannot read config file " + folder + "/none", unreadable.stderr)

    def test_refusals(self):
        missing = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        not_a_state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "osv.db")
        with sqlite3.connect(not_a_state) as db:
            db.execute("CREATE TABLE vulnerabilities (id TEXT)")
        for args, message in [
                (("prune", "--state", missing, "--older-than", "30d"), "no state at " + missing),
                (("prune", "--state", missing, "--older-than", "30m"), "at least 1h"),
                (("prune", "--state", missing), "--older-than is required"),
                (("prune", "--state", "", "--older-than", "30d"), "--state: empty"),
                (("prune", "--state", not_a_state, "--older-than", "30d"), "holds no regscan state"),
                (("prune", "--state", missing, "--older-than", "soon"), "--older-than"),
                (("shrink",), "unknown command 'shrink'")]:
            with self.subTest(args=args):
                result = self.regscan("state", *args, output_dir=False)
                self.assertExit(result, 2)
                self.assertIn(message, result.stderr)
        self.assertFalse(os.path.exists(missing), "a prune creates no state")
        with sqlite3.connect(not_a_state) as db:
            self.assertEqual(db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall(),
                             [("vulnerabilities",)], "nor turns another database into one")
            self.assertEqual(db.execute("PRAGMA journal_mode").fetchone(), ("delete",), "nor changes its mode")
        self.assertFalse(os.path.exists(not_a_state + "-wal"))
        self.assertExit(self.regscan("state", "--help", output_dir=False), 0)


if __name__ == "__main__":
    unittest.main()
