"""Scan mode end to end: real images (this machine's dpkg database, a
distroless-style status.d, multi-layer whiteouts, zstd layers, planted Python
distributions) pushed to a real registry, real OSV records imported into the
real database, findings asserted by id; state reuse, new-image counting,
--fail-on, a corrupted blob and an image timeout through a fault proxy."""
import csv
import gzip
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
import unittest

from harness import oci_layout, proxy
from harness.case import RegscanCase
from harness.push import push_manifest
from harness.registry import Registry

SHARED = os.environ.get("REGSCAN_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
PYSEC = os.path.join(SHARED, "reference", "osv", "pypi")
# Real records (pypa/advisory-database) for the distributions planted below.
RECORDS = ["PYSEC-2018-28", "PYSEC-2023-74", "PYSEC-2020-96", "PYSEC-2021-142", "PYSEC-2014-13"]


def tar_bytes(files, compress):
    """A tar of {path: bytes or (bytes, mode)}; whiteouts are empty files."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(files):
            data, mode = files[path] if isinstance(files[path], tuple) else (files[path], 0o644)
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size = len(data)
            info.mode = mode
            tar.addfile(info, io.BytesIO(data))
    data = raw.getvalue()
    if compress == "gzip":
        return oci_layout.OCI_LAYER_GZIP, gzip.compress(data, mtime=0), data
    zstd = subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout
    return "application/vnd.oci.image.layer.v1.tar+zstd", zstd, data


def image(layers, config=None, created="2024-01-01T00:00:00Z"):
    """An OCI image of [(files, compression)] layers."""
    blobs, diff_ids = [], []
    for files, compress in layers:
        media_type, data, raw = tar_bytes(files, compress)
        blobs.append(oci_layout.Blob(media_type, data))
        diff_ids.append(oci_layout.digest_of(raw))
    document = {"created": created, "architecture": "amd64", "os": "linux",
                "config": config or {"User": "1000", "Healthcheck": {"Test": ["CMD", "true"]}},
                "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    config_blob = oci_layout.Blob(oci_layout.OCI_CONFIG, oci_layout.canonical_json(document))
    manifest = {"schemaVersion": 2, "mediaType": oci_layout.OCI_MANIFEST,
                "config": config_blob.descriptor(), "layers": [b.descriptor() for b in blobs]}
    return oci_layout.Manifest(oci_layout.Blob(oci_layout.OCI_MANIFEST, oci_layout.canonical_json(manifest)),
                               [config_blob, *blobs])


def metadata(name, version):
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


SITE = "/usr/lib/python3/dist-packages"
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
ALMA_OS_RELEASE = b'NAME="AlmaLinux"\nVERSION="9.3 (Shamrock Pampas Cat)"\nID="almalinux"\nVERSION_ID="9.3"\n'



def dpkg_packages():
    """This machine's installed packages: {(name, version)} by dpkg-query, the oracle."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Status} ${Package} ${Version}\n"],
                         capture_output=True, text=True, check=True).stdout
    return {tuple(line.split(" ")[1:3]) for line in out.splitlines() if line.startswith("installed ")}




class ScanTest(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-scan-")
        cls.registry = Registry().start()
        with open("/etc/os-release", "rb") as f:
            os_release = f.read()
        with open("/var/lib/dpkg/status", "rb") as f:
            dpkg_status = f.read()
        cls.images = {
            # this machine's real package database, one layer, gzip
            "os/debian:real": image([({"/etc/os-release": os_release, "/var/lib/dpkg/status": dpkg_status},
                                      "gzip")]),
            # python distributions over two zstd layers; the second deletes requests
            # (.wh.) and replaces PyYAML's directory wholesale (opaque), leaving 5.4
            "py/app:whiteouts": image([
                ({"/etc/os-release": os_release,
                  f"{SITE}/requests-2.19.0.dist-info/METADATA": metadata("requests", "2.19.0"),
                  f"{SITE}/PyYAML-5.3.dist-info/METADATA": metadata("PyYAML", "5.3")}, "zstd"),
                ({f"{SITE}/.wh.requests-2.19.0.dist-info": b"",
                  f"{SITE}/PyYAML-5.3.dist-info/.wh..wh..opq": b"",
                  f"{SITE}/PyYAML-5.3.dist-info/METADATA": metadata("PyYAML", "5.4")}, "zstd")]),
            # distroless-style dpkg (status.d) and a vulnerable requests, gzip
            "py/app:vulnerable": image([
                ({"/etc/os-release": os_release,
                  "/var/lib/dpkg/status.d/base-files": b"Package: base-files\nVersion: 12.4+deb12u5\n"
                                                       b"Architecture: amd64\n\n",
                  f"{SITE}/requests-2.19.0.dist-info/METADATA": metadata("requests", "2.19.0")}, "gzip")]),
            # misconfigured: root, no healthcheck, a secret in Env, remote ADD, setuid file, a key
            "bad/config:1": image([
                ({"/usr/bin/helper": (b"#!/bin/sh\n", 0o4755),
                  "/root/.ssh/id_rsa": b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"},
                 "gzip")],
                config={"Env": ["PATH=/bin", "DB_PASSWORD=s3cr3t-value-123"]}),
        }
        # an rpm database written by the real rpm tool, under AlmaLinux 9's os-release
        rpmdb_dir = os.path.join(cls.workdir, "rpmdb")
        subprocess.run([os.path.join(FIXTURES, "catalog", "rpm", "make-rpmdb.sh"), rpmdb_dir], check=True,
                       capture_output=True)
        with open(os.path.join(rpmdb_dir, "rpmdb.sqlite"), "rb") as f:
            rpmdb = f.read()
        cls.rpm_oracle = subprocess.run(
            ["rpm", "-qa", "--dbpath", rpmdb_dir, "--qf", "%{NAME} %{VERSION}-%{RELEASE}\n"],
            capture_output=True, text=True, check=True).stdout.split("\n")
        cls.images["rpm/alma:9"] = image([({"/etc/os-release": ALMA_OS_RELEASE,
                                             "/var/lib/rpm/rpmdb.sqlite": rpmdb}, "gzip")])
        for target, manifest in cls.images.items():
            push_manifest(cls.registry, target, manifest)
        records = os.path.join(cls.workdir, "osv")
        os.makedirs(records)
        for record in RECORDS:
            shutil.copy(os.path.join(PYSEC, record + ".json"), records)
        cls.db = os.path.join(cls.workdir, "osv.db")
        imported = subprocess.run([os.environ["REGSCAN_BIN"], "db", "import", "--db", cls.db, records],
                                  capture_output=True, text=True)
        assert imported.returncode == 0, imported.stderr

    @classmethod
    def tearDownClass(cls):
        cls.registry.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def scan(self, *args, state=None, url=None, registry=None, db=None, formats="json,csv,sarif,cyclonedx", **kwargs):
        state = state or os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        return self.regscan("registry", url or self.registry.url, "--db", db or self.db, "--state", state,
                            f"--format={formats}", "--no-progress", *args, **kwargs)

    def report(self, result, host=None):
        host = host or self.registry.host
        path = os.path.join(result.output_dir, host.replace(".", "-").replace(":", "-") + "-report.json")
        with open(path) as f:
            return json.load(f)

    def images_by_name(self, report):
        return {f"{i['repository']}:{i['tag']}": i for i in report["images"]}

    def test_findings_packages_and_misconfigurations(self):
        result = self.scan()
        self.assertExit(result, 0)
        images = self.images_by_name(self.report(result))
        self.assertEqual(set(images), set(self.images))
        # Reports spill images to scratch files while the run goes on; none is left behind.
        self.assertEqual([name for name in os.listdir(result.output_dir) if name.startswith(".")], [])

        # the real dpkg database: every installed package, exactly (dpkg-query is the oracle)
        debian = images["os/debian:real"]
        self.assertEqual(debian["status"], "scanned")
        found = {(p["name"], p["version"]) for p in debian["packages"] if p["type"] == "deb"}
        self.assertEqual(found, dpkg_packages())
        self.assertTrue(all(p["ecosystem"].startswith("Debian:") for p in debian["packages"] if p["type"] == "deb"))

        # whiteouts: requests deleted, PyYAML replaced by 5.4 (PYSEC-2020-96 fixed in 5.3.1,
        # PYSEC-2021-142 fixed in 5.4: neither applies)
        whiteouts = images["py/app:whiteouts"]
        python = {(p["name"], p["version"]) for p in whiteouts["packages"] if p["type"] == "python"}
        self.assertEqual(python, {("PyYAML", "5.4")})
        self.assertEqual(whiteouts["vulnerabilities"], [])

        # requests 2.19.0: PYSEC-2018-28 (fixed 2.20.0) and PYSEC-2023-74 (fixed 2.31.0),
        # not PYSEC-2014-13 (fixed 2.3.0)
        vulnerable = images["py/app:vulnerable"]
        ids = {v["id"] for v in vulnerable["vulnerabilities"]}
        self.assertEqual(ids, {"PYSEC-2018-28", "PYSEC-2023-74"})
        fixed = {v["id"]: v["fixed_version"] for v in vulnerable["vulnerabilities"]}
        self.assertEqual(fixed, {"PYSEC-2018-28": "2.20.0", "PYSEC-2023-74": "2.31.0"})
        self.assertIn(("base-files", "12.4+deb12u5"),
                      {(p["name"], p["version"]) for p in vulnerable["packages"] if p["type"] == "deb"})

        # the rpm database written by rpm itself: what `rpm -qa` lists, in AlmaLinux:9
        alma = images["rpm/alma:9"]
        rpms = {(p["name"], p["version"]) for p in alma["packages"] if p["type"] == "rpm"}
        oracle = {tuple(line.split(" ")) for line in self.rpm_oracle if line}
        self.assertEqual({(n, v.split(":")[-1]) for n, v in rpms}, oracle)
        self.assertEqual({p["ecosystem"] for p in alma["packages"] if p["type"] == "rpm"}, {"AlmaLinux:9"})

        bad = images["bad/config:1"]
        rules = {(m["id"], m["location"]) for m in bad["misconfigurations"]}
        self.assertEqual(rules, {("RS-CFG-001", "config.User"), ("RS-CFG-002", "config.Healthcheck"),
                                 ("RS-CFG-003", "config.Env.DB_PASSWORD"), ("RS-FS-001", "/usr/bin/helper"),
                                 ("RS-FS-003", "/root/.ssh/id_rsa")})
        for output in (result.stdout, result.stderr, json.dumps(bad)):
            self.assertNotIn("s3cr3t-value-123", output)

        summary = result.summary()
        self.assertEqual(summary["Total images found"], "5")
        self.assertEqual(summary["New images found"], "5")
        self.assertEqual(summary["Images scanned"], "5 (0 failed)")
        self.assertTrue(summary["Vulnerability details"].endswith("-vulnerabilities.csv"))
        self.assertTrue(summary["Misconfiguration details"].endswith("-misconfigurations.csv"))
        validator = os.path.join(os.path.dirname(__file__), "validate_reports.py")
        checked = subprocess.run(["/usr/bin/python3", validator, result.output_dir], capture_output=True, text=True)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)

    def test_rescan_reuses_unchanged_images_and_counts_new_ones(self):
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        first = self.scan("--allowList=py/*", state=state)
        self.assertExit(first, 0)
        self.assertEqual(first.summary()["New images found"], "2")
        second = self.scan("--allowList=py/*", state=state)
        self.assertExit(second, 0)
        self.assertEqual(second.summary()["New images found"], "0")
        self.assertEqual(second.summary()["Images scanned"], "2 (0 failed, 2 unchanged)")
        statuses = {i["status"] for i in self.report(second)["images"]}
        self.assertEqual(statuses, {"reused"})
        # a re-pushed tag is new again and rescanned; the unchanged one is reused
        push_manifest(self.registry, "py/app:whiteouts", self.images["py/app:vulnerable"])
        try:
            third = self.scan("--allowList=py/*", state=state)
            self.assertEqual(third.summary()["New images found"], "1")
            images = self.images_by_name(self.report(third))
            self.assertEqual(images["py/app:whiteouts"]["status"], "scanned")
            self.assertEqual({v["id"] for v in images["py/app:whiteouts"]["vulnerabilities"]},
                             {"PYSEC-2018-28", "PYSEC-2023-74"})
            self.assertEqual(images["py/app:vulnerable"]["status"], "reused")
        finally:
            push_manifest(self.registry, "py/app:whiteouts", self.images["py/app:whiteouts"])

    def test_rescan_reports_what_the_first_scan_found(self):
        """With reports that need no package list back (table, JSON, CSV) a rescan
        copies each unchanged image's stored JSON entry; with CycloneDX it reads
        the full results back. Either way the reports say what the first scan found."""
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")

        def run(formats):
            result = self.regscan("registry", self.registry.url, "--db", self.db, "--state", state,
                                  f"--format={formats}", "--no-progress", "--allowList=py/*", "--allowList=os/*")
            self.assertExit(result, 0)
            return result

        def package_lines(result):
            return sorted(line.strip() for line in result.stdout.splitlines()
                          if "packages" in line and "not checked" not in line)

        first = run("table,json,csv")
        expected = self.report(first)["images"]
        for image in expected:
            image["status"] = "reused"
        self.assertEqual(len(expected), 3)
        second = run("table,json,csv")
        self.assertEqual(self.report(second)["images"], expected)
        self.assertEqual(package_lines(second), package_lines(first))
        self.assertTrue(package_lines(first))
        third = run("json,cyclonedx")
        self.assertEqual(self.report(third)["images"], expected)

        # The table/JSON/CSV rescan did take the stored rendering: what the state
        # says there is what the report says.
        with sqlite3.connect(state) as db:
            changed = db.execute("UPDATE tag_renderings SET summaries = "
                                 "replace(summaries, '\"package_count\":', '\"package_count\":9000')").rowcount
        self.assertEqual(changed, 3)
        self.assertTrue(all("9000" in line for line in package_lines(run("table,json,csv"))))

    def test_fail_on_sets_exit_code_7(self):
        # bad/config holds high findings (a private key, a secret in Env)
        self.assertExit(self.scan("--allowList=bad/*", "--fail-on=high"), 7)
        self.assertExit(self.scan("--allowList=bad/*", "--fail-on=critical"), 0)
        # the whiteouts image has no finding at all
        self.assertExit(self.scan("--allowList=py/app:whiteouts", "--fail-on=low"), 0)

    def test_corrupted_blob_fails_one_image_only(self):
        layer = self.images["py/app:vulnerable"].dependencies[1]
        route = f"/v2/py/app/blobs/{layer.digest}"
        with proxy.FaultProxy(self.registry, [proxy.always(route, 200, b"\x1f\x8b corrupted bytes")]) as faulty:
            result = self.scan("--allowList=py/*", url=faulty.url)
        self.assertExit(result, 6)
        images = self.images_by_name(self.report(result, faulty.host))
        self.assertEqual(images["py/app:vulnerable"]["status"], "scan_failed")
        self.assertIn(layer.digest, images["py/app:vulnerable"]["error"])
        self.assertEqual(images["py/app:whiteouts"]["status"], "scanned")
        self.assertEqual(result.summary()["Images scanned"], "2 (1 failed)")
        self.assertLogged(result, r"Failed to scan image image=.*/py/app:vulnerable .*digest mismatch|"
                                  r"Failed to scan image image=.*/py/app:vulnerable .*corrupt", "error")

    def test_image_timeout_aborts_one_image(self):
        layer = self.images["os/debian:real"].dependencies[1]
        release = threading.Event()
        route = f"/v2/os/debian/blobs/{layer.digest}"
        with proxy.FaultProxy(self.registry, [proxy.hang(route, release)]) as faulty:
            try:
                result = self.scan("--allowList=os/*,py/app:vulnerable", "--image-timeout=3s", url=faulty.url)
            finally:
                release.set()
        self.assertExit(result, 6)
        images = self.images_by_name(self.report(result, faulty.host))
        self.assertEqual(images["os/debian:real"]["status"], "scan_failed")
        self.assertRegex(images["os/debian:real"]["error"], "timed out|deadline|image timeout")
        self.assertEqual(images["py/app:vulnerable"]["status"], "scanned")

    def test_an_ecosystem_without_data_is_said_per_image_and_once_in_the_summary(self):
        # The database holds PyPI records only: the Debian packages are not checked, and every report says so.
        result = self.scan("--allowList=os/*,py/*", formats="table,json,sarif,cyclonedx")
        self.assertExit(result, 0)
        report = self.report(result)
        missing = {}
        for entry in report["images"]:
            per_ecosystem = {}
            for package in entry["packages"]:
                if package["ecosystem"]:
                    per_ecosystem[package["ecosystem"]] = per_ecosystem.get(package["ecosystem"], 0) + 1
            expected = [{"ecosystem": e, "packages": n, "has_data": e == "PyPI"} for e, n in sorted(per_ecosystem.items())]
            self.assertEqual(entry["vulnerability_data"], expected, entry["repository"])
            for e, n in per_ecosystem.items():
                if e != "PyPI":
                    missing.setdefault(e, {"ecosystem": e, "images": 0, "packages": 0})
                    missing[e]["images"] += 1
                    missing[e]["packages"] += n
        self.assertIn("Debian:12", missing)  # this machine's dpkg database under its os-release
        data = report["summary"]["vulnerability_data"]
        self.assertEqual(data["missing_ecosystems"], sorted(missing.values(), key=lambda m: m["ecosystem"]))
        status = json.loads(self.regscan("db", "status", "--json", "--db", self.db, output_dir=False).stdout)
        self.assertEqual(data["last_import"], status["last_import"])
        self.assertEqual(data["fingerprint"], status["fingerprint"])
        self.assertRegex(data["newest_record"], r"^\d{4}-\d\d-\d\dT")
        # one warning per missing ecosystem, not one per image
        warnings = [m for m in result.messages("warning") if "has no data for" in m]
        self.assertEqual(len(warnings), len(missing), warnings)
        self.assertTrue(any(f"no data for Debian:12 ({missing['Debian:12']['images']} images)" in w for w in warnings))
        self.assertIn(f"  - no data for Debian:12: {missing['Debian:12']['packages']} packages in "
                      f"{missing['Debian:12']['images']} images not checked", result.stdout)
        self.assertRegex(result.stdout, r"Vulnerability data\s+: imported " + re.escape(status["last_import"]))
        self.assertIn("not checked for vulnerabilities: ", result.stdout)
        host = self.registry.host.replace(".", "-").replace(":", "-")
        with open(os.path.join(result.output_dir, host + "-report.sarif")) as f:
            sarif_data = json.load(f)["runs"][0]["properties"]["vulnerability_data"]
        self.assertEqual(sarif_data["last_import"], status["last_import"])
        self.assertIn("Debian:12", sarif_data["missing_ecosystems"])
        with open(os.path.join(result.output_dir, host + "-report.cdx.json")) as f:
            properties = {(p["name"], p["value"]) for p in json.load(f)["metadata"]["properties"]}
        self.assertIn(("regscan:vulnerability_data:last_import", status["last_import"]), properties)
        self.assertIn(("regscan:vulnerability_data:missing_ecosystem", "Debian:12"), properties)

    def test_one_row_per_binary_package_and_advisory_in_every_format(self):
        # glibc's advisories are keyed by the source package; three binaries built from it are installed,
        # and libc6 is listed twice (two dpkg databases of one image): one finding per binary and advisory.
        def stanza(name):
            return (f"Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\n"
                    f"Version: 2.36-9+deb12u1\n\n").encode()
        os_release = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
        glibc = image([(
            {"/etc/os-release": os_release,
             "/var/lib/dpkg/status": stanza("libc6") + stanza("libc-bin") + stanza("locales"),
             "/var/lib/dpkg/status.d/libc6": stanza("libc6")}, "gzip")])
        push_manifest(self.registry, "deb/glibc:1", glibc)
        db = os.path.join(tempfile.mkdtemp(dir=self.workdir), "debian.db")
        self.assertExit(self.regscan("db", "import", "--db", db, os.path.join(FIXTURES, "osv", "debian"),
                                     output_dir=False), 0)
        result = self.scan("--allowList=deb/*", db=db, formats="table,json,csv,sarif,cyclonedx")
        self.assertExit(result, 0)
        entry = self.images_by_name(self.report(result))["deb/glibc:1"]
        self.assertEqual(entry["bytes_pulled"], len(glibc.dependencies[1].data))  # its one layer, as downloaded
        rows = [(v["package_name"], v["package_version"], v["id"]) for v in entry["vulnerabilities"]]
        self.assertEqual(len(rows), len(set(rows)), rows)
        self.assertEqual({name for name, _, _ in rows}, {"libc6", "libc-bin", "locales"})
        ids = {i for _, _, i in rows}
        self.assertTrue(ids)
        self.assertEqual(len(rows), 3 * len(ids))  # every advisory under each of the three binaries
        for v in entry["vulnerabilities"]:
            self.assertEqual((v["source_package"], v["source_version"]), ("glibc", ""), v)  # same version as the binary
        self.assertTrue(any("CVE-2019-1010022" in v["id"] or "CVE-2019-1010022" in v["aliases"]
                            for v in entry["vulnerabilities"]))

        host = self.registry.host.replace(".", "-").replace(":", "-")
        with open(os.path.join(result.output_dir, host + "-vulnerabilities.csv"), newline="") as f:
            header, *csv_rows = list(csv.reader(f))
        csv_found = [(r[header.index("package")], r[header.index("version")], r[header.index("vulnerability")])
                     for r in csv_rows if r[header.index("repository")] == "deb/glibc"]
        self.assertEqual(sorted(csv_found), sorted(rows))
        self.assertEqual({r[header.index("source_package")] for r in csv_rows}, {"glibc"})
        with open(os.path.join(result.output_dir, host + "-report.sarif")) as f:
            sarif = json.load(f)["runs"][0]["results"]
        self.assertEqual(sorted((r["properties"]["package"], r["properties"]["installed_version"], r["ruleId"])
                                for r in sarif if r["properties"].get("image", "").endswith("deb/glibc:1")),
                         sorted(rows))
        with open(os.path.join(result.output_dir, host + "-report.cdx.json")) as f:
            bom = json.load(f)
        components = {}

        def walk(items):
            for c in items:
                components[c["bom-ref"]] = (c["name"], c.get("version", ""))
                walk(c.get("components", []))
        walk(bom["components"])
        # libc6 is two components (two dpkg databases); as findings, each (package, version, advisory) counts once
        self.assertEqual({(*components[a["ref"]], v["id"]) for v in bom["vulnerabilities"] for a in v["affects"]},
                         set(rows))
        total = sum(self.report(result)["summary"]["vulnerabilities"].values())
        self.assertEqual(total, len(rows))
        self.assertIn("libc-bin (glibc)", result.stdout)

    def test_an_old_database_warns_and_strict_refuses(self):
        old = os.path.join(tempfile.mkdtemp(dir=self.workdir), "old.db")
        shutil.copy(self.db, old)
        with sqlite3.connect(old) as connection:
            connection.execute("UPDATE meta SET value = '2025-01-01T00:00:00Z' WHERE key = 'last_import'")
        args = ("--allowList=py/app:vulnerable",)
        lenient = self.scan(*args, db=old)
        self.assertExit(lenient, 0)
        self.assertLogged(lenient, r"last imported \d{3,} days ago \(2025-01-01T00:00:00Z\), older than "
                                   r"--max-db-age 7 days", "warning")
        self.assertEqual(self.report(lenient)["summary"]["vulnerability_data"]["last_import"], "2025-01-01T00:00:00Z")
        strict = self.scan(*args, "--strict", db=old)
        self.assertExit(strict, 2)
        self.assertLogged(strict, r"^--strict: the vulnerability database .* older than --max-db-age 7 days", "error")
        allowed = self.scan(*args, "--strict", "--max-db-age=5000d", db=old)
        self.assertExit(allowed, 0)
        self.assertFalse([m for m in allowed.messages("warning") if "--max-db-age" in m])

    def test_a_database_without_usable_records_is_an_error(self):
        records = tempfile.mkdtemp(dir=self.workdir)
        with open(os.path.join(records, "PYSEC-0000-1.json"), "w") as f:
            json.dump({"id": "PYSEC-0000-1", "modified": "2024-01-02T00:00:00Z", "withdrawn": "2024-01-02T00:00:00Z",
                       "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"}, "versions": ["2.19.0"]}]}, f)
        empty = os.path.join(records, "withdrawn-only.db")
        self.assertExit(self.regscan("db", "import", "--db", empty, records, output_dir=False), 0)
        result = self.scan("--allowList=py/app:vulnerable", db=empty)
        self.assertExit(result, 2)
        self.assertLogged(result, r"holds no records: every image would look free of vulnerabilities", "error")

    def test_image_command_scans_one_image(self):
        result = self.regscan("image", f"http://{self.registry.host}/py/app:vulnerable", "--db", self.db,
                              "--state", os.path.join(tempfile.mkdtemp(dir=self.workdir), "s.db"),
                              "--format=json", "--no-progress")
        self.assertExit(result, 0)
        report = self.report(result)
        self.assertEqual([f"{i['repository']}:{i['tag']}" for i in report["images"]], ["py/app:vulnerable"])
        self.assertEqual({v["id"] for v in report["images"][0]["vulnerabilities"]},
                         {"PYSEC-2018-28", "PYSEC-2023-74"})

    def test_two_processes_share_one_state_file(self):
        """WAL and a busy timeout: concurrent runs on one state file both finish and
        leave it intact, with every image of both recorded."""
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        results = [None, None]

        def run(index, pattern):
            results[index] = self.scan(f"--allowList={pattern}", state=state)

        threads = [threading.Thread(target=run, args=(0, "py/*")), threading.Thread(target=run, args=(1, "os/*,bad/*,rpm/*"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for result in results:
            self.assertExit(result, 0)
        import sqlite3
        with sqlite3.connect(state) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            seen = {row[0] for row in db.execute("SELECT repository || ':' || tag FROM images")}
            scans = db.execute("SELECT count(*) FROM scans WHERE finished IS NOT NULL").fetchone()[0]
        self.assertEqual(seen, set(self.images))
        self.assertEqual(scans, 2)

    def test_missing_database_is_a_clear_error(self):
        result = self.regscan("registry", self.registry.url, "--db", os.path.join(self.workdir, "none.db"),
                              "--no-progress")
        self.assertExit(result, 2)
        self.assertLogged(result, r"no vulnerability database at .*none\.db.*regscan db import", "error")


if __name__ == "__main__":
    unittest.main()
