"""`regscan image sbom:FILE` (issue 12 part 4): the packages a CycloneDX or SPDX 2.3 JSON SBOM lists,
matched against the offline OSV database, with no registry and no network.

The oracle is the scan of the same image from a real registry: images (this machine's dpkg database
under its os-release, a real Alpine database, an rpm database written by the real rpm tool under
AlmaLinux 9, Python, npm and Java packages) are pushed with skopeo and scanned with `regscan image`
as JSON, CycloneDX and SPDX; the registry is then stopped, and `regscan image sbom:THAT` must report
the same (vulnerability id, package, version) findings, the same packages and ecosystems, the same
OS and the same per-ecosystem coverage of the data, from both formats. OSV records: a real PyPI
record and records written here for a Debian source package, an Alpine origin package, an AlmaLinux
package with an epoch and an npm package, so each purl path (upstream=, distro=, epoch=, scopes) is
exercised. A malformed, hostile or oversized SBOM exits 2 naming the file.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import crafted
from harness.case import RegscanCase
from harness.osv_db import SHARED
from harness.push import skopeo_push
from harness.registry import Registry

SITE = "/usr/lib/python3/dist-packages"
APK_DB = os.path.join(SHARED, "reference", "package-dbs", "apk", "query-installed.data")
PYSEC = os.path.join(SHARED, "reference", "osv", "pypi")
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
ALPINE_OS_RELEASE = b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.21.3\nPRETTY_NAME="Alpine Linux v3.21"\n'
ALMA_OS_RELEASE = b'NAME="AlmaLinux"\nVERSION="9.3 (Shamrock Pampas Cat)"\nID="almalinux"\nVERSION_ID="9.3"\n'
MAX_SBOM_SIZE = 64 << 20  # local::max_sbom_size, docs/cli.md


def read(path):
    with open(path, "rb") as f:
        return f.read()


def jar_bytes():
    import io
    import zipfile
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as jar:
        jar.writestr("META-INF/maven/org.example/thing/pom.properties",
                     "groupId=org.example\nartifactId=thing\nversion=1.2.3\n")
    return raw.getvalue()


def record(record_id, ecosystem, name, fixed):
    return {"schema_version": "1.6.0", "id": record_id, "modified": "2024-01-01T00:00:00Z",
            "published": "2024-01-01T00:00:00Z", "summary": f"test record for {name}",
            "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]}


def debian_sources(status):
    """Source packages of this machine's dpkg database whose binaries are named otherwise: one written
    'Source: name' and one 'Source: name (version)' when there is one (upstream= with and without @)."""
    plain, versioned = None, None
    for paragraph in status.decode("utf-8", "replace").split("\n\n"):
        package = re.search(r"^Package: (\S+)$", paragraph, re.M)
        source = re.search(r"^Source: (\S+)( \((\S+)\))?$", paragraph, re.M)
        if not package or not source or source.group(1) == package.group(1):
            continue
        if source.group(2) and not versioned:
            versioned = source.group(1)
        elif not source.group(2) and not plain:
            plain = source.group(1)
    return [name for name in (plain, versioned) if name]


def alpine_origin(database):
    """An origin (source) package of the Alpine database that some binary package is not named after."""
    for entry in database.decode("utf-8", "replace").split("\n\n"):
        name = re.search(r"^P:(.+)$", entry, re.M)
        origin = re.search(r"^o:(.+)$", entry, re.M)
        if name and origin and name.group(1) != origin.group(1):
            return origin.group(1)
    raise AssertionError("no Alpine package named apart from its origin")


def os_version_id():
    for line in read("/etc/os-release").decode().splitlines():
        if line.startswith("VERSION_ID="):
            return line.split("=", 1)[1].strip('"')
    raise AssertionError("no VERSION_ID in /etc/os-release")


def summary(report):
    """What must survive the round trip through an SBOM."""
    image = report["images"][0]
    return {
        "findings": sorted({(v["id"], v["package_name"], v["package_version"]) for v in image["vulnerabilities"]}),
        "packages": sorted({(p["name"], p["version"], p["ecosystem"]) for p in image["packages"]}),
        "os": (image.get("os") or {}).get("id"),
        "coverage": sorted((c["ecosystem"], c["packages"], c["has_data"]) for c in image["vulnerability_data"]),
    }


class SbomInput(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-sbom-")
        status = read("/var/lib/dpkg/status")
        apk = read(APK_DB)
        rpmdb_dir = os.path.join(cls.workdir, "rpmdb")
        subprocess.run([os.path.join(FIXTURES, "catalog", "rpm", "make-rpmdb.sh"), rpmdb_dir], check=True,
                       capture_output=True)
        images = {
            "deb/app:1": crafted.image([crafted.files_layer([
                crafted.regular("/etc/os-release", read("/etc/os-release")),
                crafted.regular("/var/lib/dpkg/status", status),
                crafted.regular(f"{SITE}/requests-2.19.0.dist-info/METADATA",
                                b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n\n"),
                crafted.regular(f"{SITE}/PyYAML-5.3.dist-info/METADATA",
                                b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\n\n"),
                crafted.regular("/app/node_modules/lodash/package.json",
                                b'{"name":"lodash","version":"4.17.20","license":"MIT"}'),
                crafted.regular("/app/node_modules/@scope/thing/package.json",
                                b'{"name":"@scope/thing","version":"1.0.0+build.1"}'),
                crafted.regular("/app/lib/thing-1.2.3.jar", jar_bytes()),
            ])]),
            "alpine/base:3.21": crafted.image([crafted.files_layer([
                crafted.regular("/etc/os-release", ALPINE_OS_RELEASE),
                crafted.regular("/lib/apk/db/installed", apk),
            ])]),
            "rpm/alma:9": crafted.image([crafted.files_layer([
                crafted.regular("/etc/os-release", ALMA_OS_RELEASE),
                crafted.regular("/var/lib/rpm/rpmdb.sqlite", read(os.path.join(rpmdb_dir, "rpmdb.sqlite"))),
            ])]),
        }
        records = os.path.join(cls.workdir, "osv")
        os.makedirs(records)
        for name in ("PYSEC-2018-28", "PYSEC-2020-96"):
            shutil.copy(os.path.join(PYSEC, name + ".json"), records)
        written = [record("GHSA-test-lodash", "npm", "lodash", "4.17.21"),
                   record("GHSA-test-scoped", "npm", "@scope/thing", "2.0.0"),
                   record("ALSA-9999:0001", "AlmaLinux:9", "regscan-fixture", "2:1.2.4-1.el9"),
                   record("ALPINE-TEST-1", "Alpine:v3.21", alpine_origin(apk), "999.0-r0"),
                   # a hostile name, for the escaping test
                   record("GHSA-test-evil", "npm", "lo\x1b[2Jdash", "5.0.0")]
        cls.debian_sources = debian_sources(status)
        for i, source in enumerate(cls.debian_sources):
            written.append(record(f"DSA-999{i}-1", f"Debian:{os_version_id()}", source, "999:0"))
        for document in written:
            with open(os.path.join(records, document["id"].replace(":", "_") + ".json"), "w") as f:
                json.dump(document, f)
        cls.db = os.path.join(cls.workdir, "osv.db")
        imported = subprocess.run([os.environ["REGSCAN_BIN"], "db", "import", "--db", cls.db, records],
                                  capture_output=True, text=True, timeout=120)
        assert imported.returncode == 0, imported.stderr

        # The oracle and the SBOMs from a real registry, which is stopped
        # before any SBOM is read.
        cls.oracle, cls.sboms = {}, {}
        registry = Registry().start()
        try:
            skopeo_push(registry, images)
            for target in images:
                reference = f"http://{registry.host}/{target}"
                cls.oracle[target] = summary(json.loads(cls.scan_to(reference, "json", "-")))
                for form in ("cyclonedx", "spdx"):
                    path = os.path.join(cls.workdir, target.replace("/", "_").replace(":", "_") + f".{form}.json")
                    cls.scan_to(reference, form, path)
                    cls.sboms[(target, form)] = path
        finally:
            registry.stop()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def scan_to(cls, reference, form, output):
        from harness import run
        state = os.path.join(tempfile.mkdtemp(dir=cls.workdir), "state.db")
        result = run.run("image", reference, "--db", cls.db, "--state", state, "--no-progress", f"--format={form}",
                         "-o", output, output_dir=False)
        if result.code != 0:
            raise AssertionError(f"scan of {reference} failed\n{result!r}")
        return result.stdout

    def scan_sbom(self, path, *args):
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        return self.regscan("image", f"sbom:{path}", "--db", self.db, "--state", state, "--no-progress",
                            "--log-level=debug", *args, output_dir=False)

    def assertNoNetwork(self, result):
        self.assertNotRegex(result.stderr, r"(?i)Identified registry|retry|connect|http://127")

    def test_the_oracle_exercises_every_purl_path(self):
        # Not a test of sbom: itself: the findings the round trip must keep
        # are there (otherwise the equality below proves little).
        ids = {finding[0] for target in self.oracle for finding in self.oracle[target]["findings"]}
        self.assertTrue({"PYSEC-2018-28", "PYSEC-2020-96", "GHSA-test-lodash", "GHSA-test-scoped",
                         "ALSA-9999:0001", "ALPINE-TEST-1"} <= ids, ids)
        self.assertTrue(self.debian_sources)
        self.assertTrue({f"DSA-999{i}-1" for i in range(len(self.debian_sources))} <= ids, ids)

    def test_sbom_findings_equal_the_image_scan(self):
        for (target, form), path in sorted(self.sboms.items()):
            with self.subTest(image=target, format=form):
                result = self.scan_sbom(path, "--format=json", "-o", "-")
                self.assertExit(result, 0)
                self.assertNoNetwork(result)
                report = json.loads(result.stdout)
                self.assertEqual(report["images"][0]["status"], "scanned")
                self.assertEqual(summary(report), self.oracle[target])

    def test_table_and_sbom_round_trip(self):
        # The table (the default) lists the findings; an SBOM written from
        # an SBOM scan reads back to the same findings again.
        path = self.sboms[("deb/app:1", "cyclonedx")]
        table = self.scan_sbom(path)
        self.assertExit(table, 0)
        self.assertIn("GHSA-test-lodash", table.stdout)
        self.assertIn("sbom/sbom:deb_app_1.cyclonedx.json", table.stdout)
        again = os.path.join(self.workdir, "again.spdx.json")
        self.assertExit(self.scan_sbom(path, "--format=spdx", "-o", again), 0)
        result = self.scan_sbom(again, "--format=json", "-o", "-")
        self.assertExit(result, 0)
        self.assertEqual(summary(json.loads(result.stdout))["findings"], self.oracle["deb/app:1"]["findings"])

    def test_bad_sboms_exit_2_naming_the_file(self):
        cases = {
            "broken.json": (b'{"bomFormat": "CycloneDX",\n"components": [', r"broken\.json:2: not valid JSON"),
            "other.json": (b'{"spdxVersion": "SPDX-3.0"}', r"other\.json: neither a CycloneDX"),
            "deep.json": (b'{"bomFormat": "CycloneDX", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
                          r"deep\.json:1: nested deeper than 64 levels"),
            "flood.json": (b'{"bomFormat": "CycloneDX", "x": [' + b"0," * 4000000 + b'0]}',
                           r"flood\.json:1: more than 4000000 JSON values"),
            "xml.json": (b'<?xml version="1.0"?><bom/>', r"xml\.json: an XML document"),
            "shape.json": (b'{"bomFormat": "CycloneDX", "components": [{"components": 7}]}',
                           r"shape\.json: components\[0\]\.components: not an array"),
        }
        for name, (content, message) in cases.items():
            with self.subTest(name=name):
                path = os.path.join(self.workdir, name)
                with open(path, "wb") as f:
                    f.write(content)
                result = self.scan_sbom(path)
                self.assertExit(result, 2)
                self.assertLogged(result, message, "error")
                self.assertNoNetwork(result)
        huge = os.path.join(self.workdir, "huge.json")
        with open(huge, "wb") as f:
            f.write(b'{"bomFormat": "CycloneDX", "pad": "' + b" " * MAX_SBOM_SIZE + b'"}')
        result = self.scan_sbom(huge)
        self.assertExit(result, 2)
        self.assertLogged(result, r"huge\.json: larger than 65536 KiB", "error")
        missing = self.scan_sbom(os.path.join(self.workdir, "missing.json"))
        self.assertExit(missing, 2)
        self.assertLogged(missing, r"missing\.json: not a readable file", "error")
        # A file name with control characters: escaped once, by the log ("\e", not "\\e").
        evil = self.scan_sbom(os.path.join(self.workdir, "mi\x1b]0;x\x07ssing.json"))
        self.assertExit(evil, 2)
        self.assertLogged(evil, r"/mi\\e\]0;x\\x07ssing\.json: not a readable file", "error")
        self.assertNotIn("\x1b", evil.stderr + evil.stdout)

    def test_control_characters_in_the_sbom_are_escaped(self):
        path = os.path.join(self.workdir, "evil.json")
        with open(path, "w") as f:
            json.dump({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
                {"type": "library", "name": "x", "purl": "pkg:npm/lodash@4.17.20%1B%5B31m"},
                {"type": "library", "name": "y", "purl": "pkg:npm/lo%1B%5B2Jdash@4.17.20"},
                {"type": "library", "name": "z", "purl": "pkg:evil%1B%5B31m/x@1"}]}, f)
        result = self.scan_sbom(path)
        self.assertExit(result, 0)
        self.assertNotIn("\x1b", result.stdout + result.stderr)
        self.assertIn("lo\\e[2Jdash", result.stdout)  # the finding's package, escaped in the table
        self.assertIn("GHSA-test-evil", result.stdout)
        report = json.loads(self.scan_sbom(path, "--format=json", "-o", "-").stdout)
        self.assertIn("lo\x1b[2Jdash", {p["name"] for p in report["images"][0]["packages"]})
        # A note holds the SBOM's text as it is, as the package names beside it do (JSON escapes it; a
        # terminal never sees it raw: the check on stdout and stderr above).
        self.assertTrue(any("purl type evil\x1b[31m:" in note for note in report["images"][0]["notes"]),
                        report["images"][0]["notes"])

    def test_platform_does_not_apply(self):
        result = self.scan_sbom(self.sboms[("deb/app:1", "spdx")], "--platform", "linux/arm64")
        self.assertExit(result, 2)
        self.assertLogged(result, r"--platform does not apply to sbom:", "error")


if __name__ == "__main__":
    unittest.main()
