"""`regscan image` output and --platform (issue 12 part 4).

It writes no file unless asked: one report (default table) to standard output,
or to `-o FILE` / `-o -` with one --format; several formats or --output-dir
write the reports into the directory as `registry` does. --platform on a
single-platform image of another platform (or an index without it) is refused
with exit 2 before anything is scanned, naming the platform the image has.
"""
import json
import os
import shutil
import tempfile
import unittest

from harness import oci_layout as oci, osv_db, push, registry
from harness.case import RegscanCase

SITE = "usr/lib/python3/dist-packages"
VULNERABLE = {"etc/os-release": b'ID=debian\nVERSION_ID="12"\n',
              f"{SITE}/requests-2.19.0.dist-info/METADATA":
                  b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n\n"}


class ImageOutput(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-image-output-")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = registry.Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        amd64 = oci.image("2024-01-01T00:00:00Z", files=VULNERABLE)
        arm64 = oci.image("2024-01-02T00:00:00Z", arch="arm64", files=VULNERABLE)
        push.skopeo_push(cls.registry, {
            "py/app:amd64": amd64,
            "py/app:multi": oci.index([(amd64, {"os": "linux", "architecture": "amd64"}),
                                       (arm64, {"os": "linux", "architecture": "arm64"})]),
            "py/app:armonly": oci.index([(arm64, {"os": "linux", "architecture": "arm64"})]),
        })
        cls.reference = f"http://{cls.registry.host}/py/app:amd64"

    def image(self, reference, *args, cwd=None):
        """`regscan image` without --output-dir (what a user types), in an empty working directory."""
        cwd = cwd or tempfile.mkdtemp(dir=self.workdir)
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        result = self.regscan("image", reference, "--db", self.db, "--state", state, "--no-progress", *args,
                              cwd=cwd, output_dir=False)
        result.cwd = cwd
        return result

    def assertNoFiles(self, result):
        self.assertEqual(os.listdir(result.cwd), [], f"files written without -o\n{result!r}")

    def test_default_is_the_table_on_stdout_and_no_file(self):
        result = self.image(self.reference)
        self.assertExit(result, 0)
        self.assertIn("PYSEC-2018-28", result.stdout)
        self.assertIn("requests", result.stdout)
        self.assertNoFiles(result)

    def test_one_format_goes_to_stdout_and_the_summary_to_stderr(self):
        result = self.image(self.reference, "--format=json", "-o", "-")
        self.assertExit(result, 0)
        report = json.loads(result.stdout)  # nothing else on stdout
        self.assertEqual({v["id"] for v in report["images"][0]["vulnerabilities"]}, {"PYSEC-2018-28"})
        self.assertIn("Registry Summary:", result.stderr)
        self.assertNoFiles(result)
        implied = self.image(self.reference, "--format=json")
        self.assertExit(implied, 0)
        self.assertEqual({v["id"] for v in json.loads(implied.stdout)["images"][0]["vulnerabilities"]},
                         {"PYSEC-2018-28"})

    def test_output_file(self):
        for fmt, check in (("json", lambda text: json.loads(text)["images"][0]["vulnerabilities"][0]["id"]),
                           ("sarif", lambda text: json.loads(text)["runs"][0]["results"][0]["ruleId"]),
                           ("cyclonedx", lambda text: json.loads(text)["vulnerabilities"][0]["id"]),
                           ("table", lambda text: "PYSEC-2018-28" if "PYSEC-2018-28" in text else text)):
            with self.subTest(format=fmt):
                out_dir = tempfile.mkdtemp(dir=self.workdir)
                path = os.path.join(out_dir, "report.out")
                result = self.image(self.reference, f"--format={fmt}", "-o", path)
                self.assertExit(result, 0)
                self.assertEqual(os.listdir(out_dir), ["report.out"])
                with open(path) as f:
                    text = f.read()
                self.assertEqual(check(text), "PYSEC-2018-28")
                self.assertNotIn("Registry Summary:", text)
                self.assertIn("Registry Summary:", result.stdout)
                self.assertNotIn("regscan-image-", result.stdout, "the summary names a scratch file")
                self.assertNoFiles(result)

    def test_output_needs_one_format(self):
        for args in (("-o", "x.json", "--format=json,sarif"), ("--format=csv",), ("-o", "-", "--format=csv")):
            with self.subTest(args=args):
                result = self.image(self.reference, *args)
                self.assertExit(result, 2)
                self.assertNoFiles(result)
        missing = self.image(self.reference, "-o", "/nonexistent-dir/report.json", "--format=json")
        self.assertExit(missing, 2)
        self.assertLogged(missing, r"no such directory /nonexistent-dir", "error")

    def test_several_formats_or_output_dir_write_files_as_registry_does(self):
        result = self.image(self.reference, "--format=table,json,csv")
        self.assertExit(result, 0)
        host = self.registry.host.replace(".", "-").replace(":", "-")
        self.assertIn(f"{host}-report.json", os.listdir(result.cwd))
        out = tempfile.mkdtemp(dir=self.workdir)
        with_dir = self.image(self.reference, f"--output-dir={out}", "--format=json")
        self.assertExit(with_dir, 0)
        self.assertIn(f"{host}-report.json", os.listdir(out))

    def test_platform_that_a_single_platform_image_does_not_have_is_refused(self):
        result = self.image(self.reference, "--platform=linux/arm64")
        self.assertExit(result, 2)
        self.assertLogged(result, r"is a single-platform image for linux/amd64: it does not match --platform "
                                  r"linux/arm64", "error")
        self.assertNotIn("PYSEC-2018-28", result.stdout)
        self.assertNotRegex(result.stderr, r"Scanned image")
        same = self.image(self.reference, "--platform=linux/amd64")
        self.assertExit(same, 0)
        self.assertIn("PYSEC-2018-28", same.stdout)
        # Without --platform a single-platform image is scanned whatever it is.
        self.assertExit(self.image(self.reference), 0)

    def test_index_without_the_platform_is_refused(self):
        result = self.image(f"http://{self.registry.host}/py/app:armonly", "--platform=linux/s390x")
        self.assertExit(result, 2)
        self.assertLogged(result, r"no manifest for the requested platform in the index \(has: linux/arm64\)",
                          "error")
        picked = self.image(f"http://{self.registry.host}/py/app:multi", "--platform=linux/arm64",
                            "--format=json")
        self.assertExit(picked, 0)
        self.assertEqual(json.loads(picked.stdout)["images"][0]["platform"], "linux/arm64")

    def test_registry_skips_a_single_platform_image_of_another_platform(self):
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        result = self.regscan("registry", self.registry.url, "--db", self.db, "--state", state, "--no-progress",
                              "--format=json", "--platform=linux/arm64")
        self.assertExit(result, 0)
        self.assertLogged(result, r"py/app:amd64 .*single-platform image for linux/amd64 does not match the "
                                  r"requested platform linux/arm64")
        with open(osv_db.report_json_path(result.output_dir, self.registry.host)) as f:
            report = json.load(f)
        scanned = {f"{i['repository']}:{i['tag']}": i["platform"] for i in report["images"]}
        self.assertEqual(scanned, {"py/app:multi": "linux/arm64", "py/app:armonly": "linux/arm64"})
        self.assertEqual(result.summary()["Images skipped"], "1")
        # Without --platform the single-platform image is scanned as it is (an index gives linux/amd64).
        fresh = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        default = self.regscan("registry", self.registry.url, "--db", self.db, "--state", fresh, "--no-progress",
                               "--format=json")
        self.assertExit(default, 0)
        with open(osv_db.report_json_path(default.output_dir, self.registry.host)) as f:
            report = json.load(f)
        self.assertEqual({f"{i['repository']}:{i['tag']}": i["platform"] for i in report["images"]},
                         {"py/app:amd64": "linux/amd64", "py/app:multi": "linux/amd64"})

    def test_a_rescan_reuses_only_results_of_the_same_platform_selection(self):
        # One state, three runs: the results an arm64 run stored are not a default (amd64) run's,
        # and the arm64 results are still reused by the next arm64 run.
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")

        def run(*args):
            result = self.regscan("registry", self.registry.url, "--db", self.db, "--state", state, "--no-progress",
                                  "--format=json", *args)
            self.assertExit(result, 0)
            with open(osv_db.report_json_path(result.output_dir, self.registry.host)) as f:
                return {f"{i['repository']}:{i['tag']}": (i["platform"], i["status"])
                        for i in json.load(f)["images"]}

        self.assertEqual(run("--platform=linux/arm64"),
                         {"py/app:multi": ("linux/arm64", "scanned"), "py/app:armonly": ("linux/arm64", "scanned")})
        self.assertEqual(run(), {"py/app:amd64": ("linux/amd64", "scanned"),
                                 "py/app:multi": ("linux/amd64", "scanned")})
        self.assertEqual(run("--platform=linux/arm64"),
                         {"py/app:multi": ("linux/arm64", "reused"), "py/app:armonly": ("linux/arm64", "reused")})
        self.assertEqual(run(), {"py/app:amd64": ("linux/amd64", "reused"),
                                 "py/app:multi": ("linux/amd64", "reused")})


class LocalInputs(RegscanCase):
    """oci-archive: and dir: are local inputs this build cannot read: refused at
    once (exit 2), not tried as a registry host (sbom: is read: test_sbom_input)."""

    def test_local_inputs_are_refused_without_network(self):
        for reference in ("dir:app", "oci-archive:app.tar"):
            with self.subTest(reference=reference):
                result = self.regscan("image", reference, "--log-level=debug", output_dir=False)
                self.assertExit(result, 2)
                self.assertLogged(result, r"names a local input, which this regscan cannot read yet", "error")
                self.assertNotRegex(result.stderr, r"(?i)retry|resolve|connect|Identified registry")


if __name__ == "__main__":
    unittest.main()
