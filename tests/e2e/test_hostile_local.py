"""Hostile neighbours on the scanning machine: symlinks planted in the output
directory under the temporary names regscan would write, and a run killed
with SIGKILL halfway through (what the state file then says must stay true).
"""
import json
import os
import sqlite3
import stat
import threading
import unittest

from harness import crafted, measured_run
from harness.hostile_case import HostileCase
from harness.measured_run import start

REPORT_SUFFIXES = ("-report.json", "-report.sarif", "-report.cdx.json", "-vulnerabilities.csv", "-misconfigurations.csv",
                   "-report.csv")
VICTIM = b"victim file: must not change\n"


class PlantedSymlinks(HostileCase):
    def test_symlinks_named_like_temporary_report_files_are_not_followed(self):
        """The names core/src/report writes beside a report before renaming it:
        .<report>.<pid>.<n>.partial, and .<report>.<pid>.<n>.entries for spilled
        JSON entries. They are planted in the child between fork and exec, so
        the pid is the one regscan will have."""
        registry = self.registry()
        self.good_image(registry)
        scratch = measured_run.temp_dir()
        out, victim = os.path.join(scratch, "out"), os.path.join(scratch, "victim.txt")
        os.mkdir(out)
        with open(victim, "wb") as f:
            f.write(VICTIM)
        stem = registry.host.replace(".", "-").replace(":", "-")
        names = [stem + suffix for suffix in REPORT_SUFFIXES]

        def plant():  # in the child, after fork, before exec: os.getpid() is regscan's pid
            pid = os.getpid()
            for name in names:
                for n in range(64):
                    for kind in ("partial", "entries"):
                        os.symlink(victim, os.path.join(out, f".{name}.{pid}.{n}.{kind}"))

        result = self.scan(registry, formats="table,json,csv,sarif,cyclonedx", output_dir=out, before_exec=plant)
        self.assertFinished(result, 0)
        planted = [name for name in os.listdir(out) if name.startswith(".")]
        self.assertGreaterEqual(len(planted), len(names) * 64, "the symlinks were not planted")
        with open(victim, "rb") as f:
            self.assertEqual(f.read(), VICTIM, f"the victim outside --output-dir was written\n{result!r}")
        for name in names:
            path = os.path.join(out, name)
            self.assertTrue(os.path.lexists(path), f"{name} not written\n{result!r}")
            self.assertTrue(stat.S_ISREG(os.lstat(path).st_mode), f"{name} is not a regular file")
            if name.endswith((".json", ".sarif")):
                with open(path) as f:
                    json.load(f)
        self.assertImageScanned(result, registry.host, "good/app:1.0")


class KilledRun(HostileCase):
    def test_a_run_killed_halfway_counts_every_image_new_exactly_once(self):
        registry = self.registry()
        references = [f"fleet/app{i:02d}:1" for i in range(20)]
        layers = {}
        for i, reference in enumerate(references):
            layers[reference] = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE,
                                                     "etc/fleet-id": b"%d" % i})
            registry.push(*reference.split(":"), crafted.image([layers[reference]], created=f"2024-02-{i + 1:02d}T00:00:00Z"))
        late = references[16]
        route = f"/v2/{late.split(':')[0]}/blobs/{layers[late].blob.digest}"
        release = threading.Event()
        arrived = registry.arrival(route)

        def hold(request):
            release.wait(60)
            return None  # then the honest answer, to a client long gone

        registry.on(route, hold)
        self.addCleanup(release.set)  # runs before the registry stops

        state = os.path.join(measured_run.temp_dir(), "state.db")
        args = ("registry", registry.url, "--db", self.database(), "--state", state, "--format=json", "--no-progress")
        process, _, _, _ = start(*args)
        try:
            self.assertTrue(arrived.wait(60), f"{late}'s layer was never asked for")
        finally:
            process.kill()
            process.wait(30)
        self.assertEqual(process.returncode, -9)

        with sqlite3.connect(state) as db:
            committed = set(db.execute("SELECT repository || ':' || tag FROM tag_results"))
            seen = set(db.execute("SELECT repository || ':' || tag FROM images"))
        committed = {row[0] for row in committed}
        seen = {row[0] for row in seen}
        self.assertNotIn(late, committed)
        self.assertGreaterEqual(len(committed), 1, "no image finished before the kill: the test proves nothing")
        # the state's own invariant: seen <=> result stored
        self.assertEqual(seen, committed, "images marked seen without a stored result (or the reverse)")

        release.set()
        rerun = measured_run.run(*args)
        self.assertFinished(rerun, 0)
        new = int(rerun.summary()["New images found"])
        self.assertEqual(new + len(committed), 20,
                         f"{len(committed)} committed by the killed run, {new} new now\n{rerun!r}")
        report = self.report(rerun, registry.host)
        status = {f"{i['repository']}:{i['tag']}": i["status"] for i in report["images"]}
        self.assertEqual(set(status), set(references))
        for reference in committed:
            self.assertEqual(status[reference], "reused", f"{reference} was counted again\n{rerun!r}")
        self.assertEqual(report["summary"]["new_images"], new)


if __name__ == "__main__":
    unittest.main()
