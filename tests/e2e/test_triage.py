"""Triage end to end (issue 12 part 3): --severity, --ignore-unfixed, the ignore file (default
./.regscanignore and --ignore-file: ids and aliases, expiry, package and image scope, reasons), VEX
(OpenVEX and CycloneDX: not_affected suppresses, other statuses do not), --fail-on by category, bad
input files (exit 2 naming file and line), and a rescan that follows the policy without scanning again.

Real images pushed with skopeo to a real registry; a real OSV database (harness/osv_db.make_db with
real PyPI records, plus two records written here for a package of our own: one critical without a
fix, one medium with a fix)."""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import oci_layout, osv_db, serve
from harness.case import RegscanCase
from harness.push import skopeo_push
from harness.registry import Registry

SITE = "/usr/lib/python3/dist-packages"
E2E = os.path.dirname(os.path.abspath(__file__))

# Real records (pypa/advisory-database) for requests 2.19.0 and PyYAML 5.3.
PYSEC = ["PYSEC-2018-28", "PYSEC-2023-74", "PYSEC-2020-96", "PYSEC-2021-142"]
# Ours, for examplepkg 1.0: a critical one nobody fixed, a medium one fixed in 2.0.
OWN_RECORDS = [
    {"schema_version": "1.6.0", "id": "EXAMPLE-2026-1", "modified": "2026-11-01T00:00:00Z",
     "published": "2026-11-01T00:00:00Z", "aliases": ["CVE-2026-9001"],
     "summary": "examplepkg evaluates untrusted input",
     "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
     "affected": [{"package": {"ecosystem": "PyPI", "name": "examplepkg"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]},
    {"schema_version": "1.6.0", "id": "EXAMPLE-2026-2", "modified": "2026-11-01T00:00:00Z",
     "published": "2026-11-01T00:00:00Z", "aliases": ["CVE-2026-9002"],
     "summary": "examplepkg leaks a header",
     "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"}],
     "affected": [{"package": {"ecosystem": "PyPI", "name": "examplepkg"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]},
]

APP = "app/api"     # runs as a user: no misconfiguration
TOOLS = "tools/jq"  # runs as root: RS-CFG-001 (medium)

APP_FINDINGS = {"PYSEC-2018-28", "PYSEC-2023-74", "PYSEC-2020-96", "PYSEC-2021-142", "EXAMPLE-2026-1",
                "EXAMPLE-2026-2"}
TOOLS_FINDINGS = {"PYSEC-2018-28", "PYSEC-2023-74"}


def metadata(name, version):
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


def python_image(distributions, user):
    files = {f"{SITE}/{name}-{version}.dist-info/METADATA": metadata(name, version) for name, version in distributions}
    manifest = oci_layout.image("2024-01-01T00:00:00Z", files=files)
    # oci_layout.image writes a config without User or Healthcheck; rewrite it with ours.
    return with_config(manifest, {"User": user, "Healthcheck": {"Test": ["CMD", "true"]}})


def with_config(manifest, config):
    blobs = manifest.dependencies
    old_config = next(b for b in blobs if b.media_type == oci_layout.OCI_CONFIG)
    document = json.loads(old_config.data)
    document["config"] = config
    new_config = oci_layout.Blob(oci_layout.OCI_CONFIG, oci_layout.canonical_json(document))
    body = json.loads(manifest.blob.data)
    body["config"] = new_config.descriptor()
    return oci_layout.Manifest(oci_layout.Blob(oci_layout.OCI_MANIFEST, oci_layout.canonical_json(body)),
                               [new_config, *[b for b in blobs if b is not old_config]])


class TriageTest(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-triage-")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        skopeo_push(cls.registry, {
            f"{APP}:1.0": python_image([("requests", "2.19.0"), ("PyYAML", "5.3"), ("examplepkg", "1.0")], "1000"),
            f"{TOOLS}:1.7": python_image([("requests", "2.19.0")], "root"),
        })
        cls.db = osv_db.make_db(cls.workdir, PYSEC)
        own = os.path.join(cls.workdir, "own-records")
        os.makedirs(own)
        for record in OWN_RECORDS:
            with open(os.path.join(own, record["id"] + ".json"), "w") as f:
                json.dump(record, f)
        imported = subprocess.run([os.environ["REGSCAN_BIN"], "db", "import", "--db", cls.db, own],
                                  capture_output=True, text=True, timeout=120)
        assert imported.returncode == 0, imported.stderr
        cls.host = cls.registry.host
        cls.url = cls.registry.url

    # -- helpers -------------------------------------------------------------------------------

    def scan(self, *args, cwd=None, state=None, formats="table,json,csv,sarif,cyclonedx"):
        state = state or os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        return self.regscan("registry", self.url, "--db", self.db, "--state", state, "--no-progress",
                            f"--format={formats}", *args, cwd=cwd or tempfile.mkdtemp(dir=self.workdir))

    def stem(self, result):
        return os.path.join(result.output_dir, self.host.replace(".", "-").replace(":", "-"))

    def report(self, result):
        with open(self.stem(result) + "-report.json") as f:
            return json.load(f)

    def findings(self, result):
        """{repository: {vulnerability id: suppressed or None}} and the same for misconfigurations."""
        vulnerabilities, misconfigurations = {}, {}
        for image in self.report(result)["images"]:
            vulnerabilities[image["repository"]] = {v["id"]: v.get("suppressed") for v in image["vulnerabilities"]}
            misconfigurations[image["repository"]] = {m["id"]: m.get("suppressed")
                                                      for m in image["misconfigurations"]}
        return vulnerabilities, misconfigurations

    def counted(self, result):
        """What every other report lists: {repository: set of ids} per CSV, SARIF and CycloneDX."""
        with open(self.stem(result) + "-vulnerabilities.csv", newline="") as f:
            csv_rows = list(csv.DictReader(f))
        with open(self.stem(result) + "-misconfigurations.csv", newline="") as f:
            misconfiguration_rows = list(csv.DictReader(f))
        with open(self.stem(result) + "-report.sarif") as f:
            sarif = json.load(f)
        with open(self.stem(result) + "-report.cdx.json") as f:
            bom = json.load(f)
        by_csv = {}
        for row in csv_rows + misconfiguration_rows:
            by_csv.setdefault(row["repository"], set()).add(row.get("vulnerability") or row["id"])
        by_sarif = {}
        for r in sarif["runs"][0]["results"]:
            uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            repository = uri.split("/", 1)[1].rsplit(":", 1)[0]
            by_sarif.setdefault(repository, set()).add(r["ruleId"])
        by_cdx = {}
        for v in bom.get("vulnerabilities", []):
            for affected in v["affects"]:
                repository = affected["ref"].split("/", 1)[1].split(":", 1)[0]
                by_cdx.setdefault(repository, set()).add(v["id"])
        for component in bom["components"]:
            for p in component.get("properties", []):
                if p["name"] == "regscan:misconfiguration":
                    by_cdx.setdefault(component["name"].split("/", 1)[1], set()).add(p["value"].split(" ")[0])
        return by_csv, by_sarif, by_cdx

    def assertCounted(self, result, expected):
        """CSV, SARIF and CycloneDX list exactly `expected` ({repository: ids}), and the summary agrees."""
        by_csv, by_sarif, by_cdx = self.counted(result)
        expected = {k: v for k, v in expected.items() if v}
        self.assertEqual(by_csv, expected, f"CSV\n{result!r}")
        self.assertEqual(by_sarif, expected, f"SARIF\n{result!r}")
        self.assertEqual(by_cdx, expected, f"CycloneDX\n{result!r}")
        summary = self.report(result)["summary"]
        total = sum(len(ids) for ids in expected.values())
        self.assertEqual(sum(summary["vulnerabilities"].values()) + sum(summary["misconfigurations"].values()),
                         total, f"{result!r}")

    def assertValidReports(self, result):
        checked = subprocess.run(["/usr/bin/python3", os.path.join(E2E, "validate_reports.py"), result.output_dir],
                                 capture_output=True, text=True, timeout=120)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)

    def write(self, directory, name, text):
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    # -- tests -------------------------------------------------------------------------------

    def test_no_policy_counts_everything(self):
        result = self.scan()
        self.assertExit(result, 0)
        vulnerabilities, misconfigurations = self.findings(result)
        self.assertEqual(set(vulnerabilities[APP]), APP_FINDINGS)
        self.assertEqual(set(vulnerabilities[TOOLS]), TOOLS_FINDINGS)
        self.assertEqual(misconfigurations, {APP: {}, TOOLS: {"RS-CFG-001": None}})
        self.assertTrue(all(s is None for image in vulnerabilities.values() for s in image.values()))
        self.assertCounted(result, {APP: APP_FINDINGS, TOOLS: TOOLS_FINDINGS | {"RS-CFG-001"}})
        self.assertNotIn("Suppressed", result.summary())
        self.assertEqual(self.report(result)["summary"]["suppressed"],
                         {"vulnerabilities": 0, "misconfigurations": 0, "malware": 0, "by": {}})

    def test_severity_and_unfixed(self):
        result = self.scan("--severity", "CRITICAL,medium", "--ignore-unfixed")
        self.assertExit(result, 0)
        vulnerabilities, misconfigurations = self.findings(result)
        # PYSEC records carry no severity (unknown): left out by --severity;
        # EXAMPLE-2026-1 is critical but has no fix: --ignore-unfixed names it.
        self.assertEqual(vulnerabilities[APP]["EXAMPLE-2026-1"]["by"], "unfixed")
        self.assertIsNone(vulnerabilities[APP]["EXAMPLE-2026-2"])
        self.assertEqual(vulnerabilities[APP]["PYSEC-2018-28"],
                         {"by": "severity", "reason": "severity unknown not asked for", "source": ""})
        self.assertIsNone(misconfigurations[TOOLS]["RS-CFG-001"])  # medium is asked for
        self.assertCounted(result, {APP: {"EXAMPLE-2026-2"}, TOOLS: {"RS-CFG-001"}})
        self.assertEqual(result.summary()["Suppressed"], "7 vulnerabilities, 0 misconfigurations (by 6 severity, 1 unfixed)")
        self.assertEqual(self.report(result)["summary"]["suppressed"],
                         {"vulnerabilities": 7, "misconfigurations": 0, "malware": 0,
                          "by": {"severity": 6, "unfixed": 1}})
        self.assertValidReports(result)
        self.assertIn("suppressed: 5 findings", result.stdout)  # the table, for app/api

    def test_default_ignore_file_aliases_scopes_and_reasons(self):
        cwd = tempfile.mkdtemp(dir=self.workdir)
        self.write(cwd, ".regscanignore",
                   "# triage for the team\n"
                   "CVE-2018-18074 image:app/*   # the redirect is never followed\n"
                   f"cve-2023-32681 pkg:requests exp:2099-01-01 image:{self.host}/tools/jq:1.7\n"
                   "EXAMPLE-2026-2 pkg:other-package  # another package: no effect\n"
                   "RS-CFG-001 image:tools/*  # jq needs root here\n")
        result = self.scan("--fail-on", "medium", cwd=cwd)
        vulnerabilities, misconfigurations = self.findings(result)
        self.assertEqual(vulnerabilities[APP]["PYSEC-2018-28"],
                         {"by": "ignore-file", "reason": "the redirect is never followed", "source": ".regscanignore"})
        self.assertIsNone(vulnerabilities[TOOLS]["PYSEC-2018-28"])  # image scope
        self.assertIsNone(vulnerabilities[APP]["PYSEC-2023-74"])
        self.assertEqual(vulnerabilities[TOOLS]["PYSEC-2023-74"],
                         {"by": "ignore-file", "reason": "", "source": ".regscanignore", "expires": "2099-01-01"})
        self.assertIsNone(vulnerabilities[APP]["EXAMPLE-2026-2"])  # package scope
        self.assertEqual(misconfigurations[TOOLS]["RS-CFG-001"]["reason"], "jq needs root here")
        self.assertCounted(result, {APP: APP_FINDINGS - {"PYSEC-2018-28"}, TOOLS: {"PYSEC-2018-28"}})
        self.assertEqual(result.summary()["Suppressed"], "2 vulnerabilities, 1 misconfigurations (by 3 ignore-file)")
        # medium: EXAMPLE-2026-1 (critical) and -2 (medium) still count
        self.assertExit(result, 7)
        self.assertLogged(result, r"^Findings: 2 vulnerabilities at or above medium: failing as --fail-on medium asks$", "error")
        self.assertValidReports(result)

    def test_no_ignore_file_turns_the_default_off(self):
        cwd = tempfile.mkdtemp(dir=self.workdir)
        self.write(cwd, ".regscanignore", "CVE-2018-18074 # the redirect is never followed\n")
        read = self.scan(cwd=cwd)
        self.assertEqual(self.findings(read)[0][APP]["PYSEC-2018-28"]["source"], ".regscanignore")
        unread = self.scan("--no-ignore-file", cwd=cwd)
        self.assertExit(unread, 0)
        self.assertIsNone(self.findings(unread)[0][APP]["PYSEC-2018-28"])
        self.assertNotIn("Suppressed", unread.summary())
        both = self.scan("--no-ignore-file", "--ignore-file", os.path.join(cwd, ".regscanignore"), cwd=cwd)
        self.assertExit(both, 2)
        self.assertLogged(both, r"--no-ignore-file and --ignore-file: give one of them", "error")

    def test_fail_on_categories_and_suppressed_misconfiguration(self):
        # Any root image failed --fail-on medium before; now the category can be left out ...
        self.assertExit(self.scan("--fail-on", "misconfigurations:medium", "--severity", "low"), 0)
        self.assertExit(self.scan("--fail-on", "misconfigurations:medium"), 7)
        self.assertExit(self.scan("--fail-on", "vulnerabilities:critical"), 7)
        self.assertExit(self.scan("--fail-on", "vulnerabilities:critical", "--ignore-unfixed"), 0)
        # ... or the finding suppressed by the ignore file.
        ignore = self.write(tempfile.mkdtemp(dir=self.workdir), "ignore", "RS-CFG-001\n")
        result = self.scan("--fail-on", "misconfigurations", "--ignore-file", ignore)
        self.assertExit(result, 0)
        self.assertEqual(self.findings(result)[1][TOOLS]["RS-CFG-001"]["source"], ignore)
        bad = self.scan("--fail-on", "vulnerabilities:urgent")
        self.assertExit(bad, 2)
        self.assertLogged(bad, r"--fail-on: 'vulnerabilities:urgent'", "error")

    def test_expired_entry_is_a_warning_and_counts_again(self):
        cwd = tempfile.mkdtemp(dir=self.workdir)
        self.write(cwd, ".regscanignore", "\nEXAMPLE-2026-1 exp:2020-01-01 # was accepted until 2020\n")
        result = self.scan("--fail-on", "vulnerabilities:critical", cwd=cwd)
        self.assertExit(result, 7)
        self.assertLogged(result, r"^\.regscanignore:2: the ignore entry for EXAMPLE-2026-1 expired on 2020-01-01",
                          "warning")
        self.assertIsNone(self.findings(result)[0][APP]["EXAMPLE-2026-1"])

    def test_openvex_not_affected_suppresses_other_statuses_do_not(self):
        vex = {"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
               "author": "team", "timestamp": "2026-11-01T00:00:00Z", "version": 1,
               "statements": [
                   # for the package in every image, named by an alias
                   {"vulnerability": {"name": "CVE-2023-32681"}, "products": [{"@id": "pkg:pypi/requests@2.19.0"}],
                    "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
                    "impact_statement": "no proxies are used"},
                   # only in app/api, as a subcomponent of the image
                   {"vulnerability": {"name": "EXAMPLE-2026-2"},
                    "products": [{"@id": f"pkg:oci/api?repository_url={self.host}/{APP}",
                                  "subcomponents": [{"@id": "pkg:pypi/examplepkg"}]}],
                    "status": "not_affected", "justification": "inline_mitigations_already_exist"},
                   # not_affected, then affected: the later statement decides
                   {"vulnerability": {"name": "CVE-2020-1747"}, "products": [{"@id": "pkg:pypi/pyyaml"}],
                    "status": "not_affected", "justification": "component_not_present"},
                   {"vulnerability": {"name": "CVE-2020-1747"}, "products": [{"@id": "pkg:pypi/pyyaml"}],
                    "status": "affected", "action_statement": "upgrade"},
                   {"vulnerability": {"name": "CVE-2020-14343"}, "products": [{"@id": "pkg:pypi/pyyaml"}],
                    "status": "under_investigation"},
                   {"vulnerability": {"name": "CVE-2026-9001"}, "products": [{"@id": "pkg:pypi/examplepkg@9.9"}],
                    "status": "not_affected", "justification": "vulnerable_code_not_present"},
                   {"vulnerability": {"name": "CVE-2018-18074"}, "products": [{"@id": "cpe:2.3:a:x:y"}],
                    "status": "not_affected", "justification": "vulnerable_code_not_present"},
               ]}
        path = self.write(tempfile.mkdtemp(dir=self.workdir), "team.openvex.json", json.dumps(vex))
        result = self.scan("--vex", path)
        self.assertExit(result, 0)
        vulnerabilities, _ = self.findings(result)
        for repository in (APP, TOOLS):
            self.assertEqual(vulnerabilities[repository]["PYSEC-2023-74"],
                             {"by": "vex", "reason": "no proxies are used", "source": path,
                              "justification": "vulnerable_code_not_in_execute_path"})
        self.assertEqual(vulnerabilities[APP]["EXAMPLE-2026-2"]["justification"], "inline_mitigations_already_exist")
        for still in ("PYSEC-2020-96", "PYSEC-2021-142", "EXAMPLE-2026-1", "PYSEC-2018-28"):
            self.assertIsNone(vulnerabilities[APP][still], still)  # affected, under_investigation, other version, cpe
        self.assertLogged(result, r"statements\[6\]\.products\[0\]: 'cpe:2\.3:a:x:y' is not a package URL", "warning")
        self.assertCounted(result, {APP: APP_FINDINGS - {"PYSEC-2023-74", "EXAMPLE-2026-2"},
                                    TOOLS: {"PYSEC-2018-28", "RS-CFG-001"}})
        self.assertValidReports(result)

    def test_cyclonedx_vex(self):
        bom = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
               "components": [{"type": "container", "bom-ref": "tools", "name": "jq",
                               "purl": f"pkg:oci/jq?repository_url={self.host}/{TOOLS}&tag=1.7",
                               "components": [{"type": "library", "bom-ref": "requests-in-tools", "name": "requests",
                                               "purl": "pkg:pypi/requests@2.19.0"}]}],
               "vulnerabilities": [
                   {"id": "CVE-2018-18074", "analysis": {"state": "not_affected", "justification": "code_not_reachable",
                                                         "detail": "jq never follows redirects"},
                    "affects": [{"ref": "requests-in-tools"}]},
                   {"id": "PYSEC-2023-74", "analysis": {"state": "false_positive"},
                    "affects": [{"ref": "pkg:pypi/requests"}]},
                   {"id": "EXAMPLE-2026-1", "analysis": {"state": "exploitable"},
                    "affects": [{"ref": "pkg:pypi/examplepkg"}]},
               ]}
        path = self.write(tempfile.mkdtemp(dir=self.workdir), "bom.vex.json", json.dumps(bom))
        result = self.scan("--vex", path)
        self.assertExit(result, 0)
        vulnerabilities, _ = self.findings(result)
        self.assertEqual(vulnerabilities[TOOLS]["PYSEC-2018-28"],
                         {"by": "vex", "reason": "jq never follows redirects", "source": path,
                          "justification": "code_not_reachable"})
        self.assertIsNone(vulnerabilities[APP]["PYSEC-2018-28"])  # scoped to the tools image
        self.assertEqual(vulnerabilities[APP]["PYSEC-2023-74"]["justification"], "false_positive")
        self.assertIsNone(vulnerabilities[APP]["EXAMPLE-2026-1"])
        self.assertCounted(result, {APP: APP_FINDINGS - {"PYSEC-2023-74"}, TOOLS: {"RS-CFG-001"}})

    def test_bad_files_exit_2_naming_file_and_line(self):
        directory = tempfile.mkdtemp(dir=self.workdir)
        cases = [
            ("ignore", "CVE-1\nCVE-2 until:2027\n", "--ignore-file", r"ignore:2: unknown field 'until:2027'"),
            ("ignore-date", "CVE-1 exp:2027-02-30\n", "--ignore-file", r"ignore-date:1: 'exp:2027-02-30'"),
            ("ignore-control", "CVE-1 # \x1b]0;owned\x07\n", "--ignore-file",
             r"ignore-control:1: control character in the line"),
            ("vex-syntax", '{\n "statements": [\n  ,\n ]\n}\n', "--vex", r"vex-syntax:3: not valid JSON"),
            ("vex-status", json.dumps({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
                {"vulnerability": {"name": "CVE-1"}, "products": [], "status": "\x1b[2Jfine"}]}),
             "--vex", r"vex-status: statements\[0\]\.status: '\\e\[2Jfine' is not not_affected"),
            ("vex-kind", '{"spdxVersion": "SPDX-2.3"}', "--vex", r"vex-kind: neither OpenVEX"),
        ]
        for name, text, flag, message in cases:
            with self.subTest(name):
                path = self.write(directory, name, text)
                result = self.scan(flag, path)
                self.assertExit(result, 2)
                self.assertLogged(result, re_escape_path(directory) + message, "error")
                self.assertNotIn("\x1b", result.stderr)
                self.assertEqual(result.output_files(), [])  # stopped before any image
        big = self.write(directory, "big", "CVE-1\n" * 200000)
        self.assertLogged(self.scan("--ignore-file", big), r"big: larger than 1024 KiB", "error")
        self.assertLogged(self.scan("--ignore-file", os.path.join(directory, "missing")),
                          r"missing: not a readable file", "error")
        # the default file is checked too
        cwd = tempfile.mkdtemp(dir=self.workdir)
        self.write(cwd, ".regscanignore", "CVE-1 pkg:a pkg:b\n")
        result = self.scan(cwd=cwd)
        self.assertExit(result, 2)
        self.assertLogged(result, r"^\.regscanignore:1: 'pkg:' given twice", "error")
        self.assertExit(self.scan("--severity", "critical,urgent"), 2)

    def test_rescan_follows_the_ignore_file_without_scanning_again(self):
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        cwd = tempfile.mkdtemp(dir=self.workdir)
        ignore = os.path.join(cwd, ".regscanignore")
        # json,csv,table: the reporters that let a rescan copy the stored JSON entries
        formats = "table,json,csv"
        first = self.scan(cwd=cwd, state=state, formats=formats)
        self.assertExit(first, 0)
        self.assertIsNone(self.findings(first)[0][APP]["EXAMPLE-2026-1"])

        self.write(cwd, ".regscanignore", "CVE-2026-9001  # accepted risk\n")
        second = self.scan(cwd=cwd, state=state, formats=formats)
        self.assertExit(second, 0)
        self.assertIn("2 unchanged", second.summary()["Images scanned"])  # reused, not scanned
        self.assertEqual(self.findings(second)[0][APP]["EXAMPLE-2026-1"],
                         {"by": "ignore-file", "reason": "accepted risk", "source": ".regscanignore"})
        self.assertEqual(second.summary()["Suppressed"], "1 vulnerabilities, 0 misconfigurations (by 1 ignore-file)")

        # the same policy again: reused renderings, still marked
        third = self.scan(cwd=cwd, state=state, formats=formats)
        self.assertEqual(self.findings(third)[0], self.findings(second)[0])
        self.assertEqual(self.report(third)["images"], self.report(second)["images"])

        # a fresh scan under the policy reports the same images as the rescans
        fresh = self.scan(cwd=cwd, formats=formats)
        self.assertEqual(strip_status(self.report(fresh)["images"]), strip_status(self.report(third)["images"]))

        os.remove(ignore)
        fourth = self.scan(cwd=cwd, state=state, formats=formats)
        self.assertIn("2 unchanged", fourth.summary()["Images scanned"])
        self.assertIsNone(self.findings(fourth)[0][APP]["EXAMPLE-2026-1"])
        self.assertNotIn("Suppressed", fourth.summary())
        self.assertEqual(strip_status(self.report(fourth)["images"]), strip_status(self.report(first)["images"]))
        with open(self.stem(fourth) + "-vulnerabilities.csv") as f:
            self.assertIn("EXAMPLE-2026-1", f.read())

    def test_serve_index_counts_what_the_policy_counts(self):
        # `regscan serve --severity critical`: the dashboard's counts are the run's, suppressed findings left out.
        cli = self.scan("--severity", "critical", formats="json")
        self.assertExit(cli, 0)
        expected = {}
        for image in self.report(cli)["images"]:
            counts = {s: 0 for s in ("critical", "high", "medium", "low", "unknown")}
            for v in image["vulnerabilities"]:
                if not v.get("suppressed"):
                    counts[v["severity"].lower()] += 1
            expected[image["repository"]] = counts
        self.assertEqual(expected[APP]["critical"], 1, expected)  # EXAMPLE-2026-1: there is something to count
        self.assertTrue(all(sum(c.values()) == c["critical"] for c in expected.values()), expected)

        server = serve.Server(os.path.join(self.workdir, "serve"), db=self.db, args=["--severity", "critical"])
        self.addCleanup(server.stop)
        server.start()
        started = server.api("POST", "/api/v1/connectors", {"name": "lab", "url": self.url, "import_now": True},
                             expect=201)
        imports = server.api("GET", "/api/v1/imports?connector=lab&limit=5")["imports"]
        self.assertEqual(len(imports), 1, (started, imports))
        done = server.wait_for_import(imports[0]["id"], timeout=240)
        self.assertEqual(done["state"], "succeeded", done)
        indexed = {i["repository"]: {s: i["vulnerabilities"][s] for s in expected[APP]}
                   for i in server.images(connector="lab", limit=50)["images"]}
        self.assertEqual(indexed, expected)


def re_escape_path(directory):
    import re
    return re.escape(directory + os.sep)


def strip_status(images):
    """Images without what differs between a scan and a rescan (status, bytes pulled)."""
    return [{k: v for k, v in image.items() if k not in ("status", "bytes_pulled")} for image in images]


if __name__ == "__main__":
    unittest.main()
