"""Reports that the consuming tools read well (issue 12 part 6), through the real binary against a real
registry with skopeo-pushed images: SARIF locations with region.startLine and automationDetails.id per
registry (two registries, two categories) and per image; CycloneDX purls with the source package as
upstream=, the dependency graph from dpkg and apk data, per-image BOMs, all valid against CycloneDX 1.5;
SPDX 2.3 documents valid against the SPDX 2.3 schema with DESCRIBES/CONTAINS/DEPENDS_ON; licenses of dpkg
(this machine's real copyright files), apk (a real Alpine database), npm and Python packages in a crafted
image, in the JSON, CycloneDX and SPDX reports."""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import crafted
from harness.case import RegscanCase
from harness.osv_db import make_db
from harness.push import skopeo_push
from harness.registry import Registry

SHARED = os.environ.get("REGSCAN_SHARED_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
APK_DB = os.path.join(SHARED, "reference", "package-dbs", "apk", "query-installed.data")
VALIDATOR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate_reports.py")
SITE = "/usr/lib/python3/dist-packages"
ALPINE_OS_RELEASE = b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.21.3\nPRETTY_NAME="Alpine Linux v3.21"\n'
DEP5_COPYRIGHT = (b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
                  b"Files: *\nLicense: GPL-2+ or Artistic\n\nFiles: debian/*\nLicense: Custom-Thing\n")


def jar_bytes():
    """A jar as Maven builds them: pom.properties and pom.xml under META-INF/maven/<group>/<artifact>/."""
    import io
    import zipfile
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as jar:
        jar.writestr("META-INF/maven/org.example/thing/pom.xml",
                     "<project><licenses><license><name>The Apache Software License, Version 2.0</name>"
                     "</license></licenses></project>")
        jar.writestr("META-INF/maven/org.example/thing/pom.properties",
                     "groupId=org.example\nartifactId=thing\nversion=1.2.3\n")
    return raw.getvalue()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def dpkg_paragraph(status, name):
    for paragraph in status.decode("utf-8", "replace").split("\n\n"):
        if re.search(rf"^Package: {re.escape(name)}$", paragraph, re.M):
            return paragraph
    raise AssertionError(f"{name} is not in the dpkg status")


def copyright_licenses(text):
    """The oracle for a DEP-5 file: each License: field split on or/and/',', first word of each part, once."""
    found = []
    for line in text.splitlines():
        if not line.startswith("License:"):
            continue
        for part in re.split(r" or | and |,", line[len("License:"):].strip(), flags=re.I):
            word = part.strip().split(" ")[0] if part.strip() else ""
            if word and word not in found:
                found.append(word)
    return found


class ReportFormatsTest(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-reports-")
        cls.registry = Registry().start()
        cls.other = Registry().start()
        cls.status = read("/var/lib/dpkg/status")
        cls.bash_copyright = read("/usr/share/doc/bash/copyright")
        debian = crafted.image([crafted.files_layer([
            crafted.regular("/etc/os-release", read("/etc/os-release")),
            crafted.regular("/var/lib/dpkg/status", cls.status),
            crafted.regular("/usr/share/doc/bash/copyright", cls.bash_copyright),
            crafted.regular("/usr/share/doc/libc6/copyright", read("/usr/share/doc/libc6/copyright")),
            crafted.regular("/usr/share/doc/base-files/copyright", DEP5_COPYRIGHT),
            crafted.regular("/app/node_modules/left-pad/package.json",
                            b'{"name":"left-pad","version":"1.3.0","license":"WTFPL","dependencies":{"tiny":"^1"}}'),
            crafted.regular("/app/node_modules/tiny/package.json",
                            b'{"name":"tiny","version":"1.0.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}'),
            crafted.regular(f"{SITE}/fancy_lib-2.0.dist-info/METADATA",
                            b"Metadata-Version: 2.4\nName: fancy_lib\nVersion: 2.0\n"
                            b"License-Expression: MIT OR Apache-2.0\nRequires-Dist: Plain.Dep (>=1)\n"
                            b"Requires-Dist: pytest; extra == 'test'\n\n"),
            crafted.regular("/app/lib/thing-1.2.3.jar", jar_bytes()),
            crafted.regular(f"{SITE}/plain_dep-1.0.dist-info/METADATA",
                            b"Metadata-Version: 2.1\nName: plain-dep\nVersion: 1.0\n"
                            b"Classifier: License :: OSI Approved :: BSD License\n\n"),
        ])], config={"User": ""})  # root: a misconfiguration, so SARIF has results
        alpine = crafted.image([crafted.files_layer([
            crafted.regular("/etc/os-release", ALPINE_OS_RELEASE),
            crafted.regular("/lib/apk/db/installed", read(APK_DB)),
        ])], config={"User": ""})
        cls.images = {"deb/app:1": debian, "alpine/base:3.21": alpine}
        skopeo_push(cls.registry, cls.images)
        skopeo_push(cls.other, {"alpine/base:3.21": alpine})
        cls.db = make_db(cls.workdir)

    @classmethod
    def tearDownClass(cls):
        cls.registry.stop()
        cls.other.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def scan(self, registry, formats, *extra):
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        result = self.regscan("registry", registry.url, "--db", self.db, "--state", state, f"--format={formats}",
                              "--no-progress", *extra)
        self.assertExit(result, 0)
        return result

    def stem(self, registry):
        return registry.host.replace(".", "-").replace(":", "-")

    def load(self, result, name):
        with open(os.path.join(result.output_dir, name)) as f:
            return json.load(f)

    def assertValid(self, directory, expected_files):
        if os.environ.get("REPORTS_DEBUG"):
            shutil.copytree(directory, os.environ["REPORTS_DEBUG"], dirs_exist_ok=True)
        checked = subprocess.run(["/usr/bin/python3", VALIDATOR, directory], capture_output=True, text=True)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        for name in expected_files:
            self.assertIn(f"{name}: valid", checked.stdout)

    # --- SARIF ---------------------------------------------------------------------------------------------

    def test_sarif_locations_have_a_start_line_and_each_registry_its_category(self):
        ids = []
        for registry in (self.registry, self.other):
            result = self.scan(registry, "sarif")
            name = self.stem(registry) + "-report.sarif"
            sarif = self.load(result, name)
            self.assertValid(result.output_dir, [name])
            (run,) = sarif["runs"]
            self.assertEqual(run["automationDetails"]["id"], f"regscan/{registry.host}/")
            ids.append(run["automationDetails"]["id"])
            self.assertTrue(run["results"], "the root user is a finding in every image")
            for r in run["results"]:
                for location in r["locations"]:
                    self.assertEqual(location["physicalLocation"]["region"]["startLine"], 1)
        self.assertNotEqual(ids[0], ids[1])

    def test_sarif_per_image_writes_one_file_and_category_per_image(self):
        whole = self.scan(self.registry, "sarif")
        per_image = self.scan(self.registry, "sarif", "--sarif-per-image")
        files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(per_image.output_dir, "*.sarif")))
        stem = self.stem(self.registry)
        self.assertEqual(files, [f"{stem}-alpine-base-3.21-linux-amd64.sarif", f"{stem}-deb-app-1-linux-amd64.sarif"])
        self.assertValid(per_image.output_dir, files)
        all_results = self.load(whole, f"{stem}-report.sarif")["runs"][0]["results"]
        seen = []
        for name, reference in zip(files, ["alpine/base:3.21", "deb/app:1"]):
            (run,) = self.load(per_image, name)["runs"]
            self.assertEqual(run["automationDetails"]["id"], f"regscan/{self.registry.host}/{reference}@linux/amd64/")
            for r in run["results"]:
                self.assertEqual(r["properties"]["image"], f"{self.registry.host}/{reference}")
                seen.append(r["partialFingerprints"]["regscan/v1"])
        # Split, never dropped: the per-image files hold exactly the registry file's results.
        self.assertEqual(sorted(seen), sorted(r["partialFingerprints"]["regscan/v1"] for r in all_results))

    # --- CycloneDX -----------------------------------------------------------------------------------------

    def components_by_name(self, bom, image_name):
        (image,) = [c for c in bom["components"] if c["name"].endswith(image_name)]
        return image, {c["name"]: c for c in image.get("components", []) if c["type"] == "library"}

    def test_cyclonedx_upstream_dependencies_and_licenses(self):
        result = self.scan(self.registry, "cyclonedx")
        name = self.stem(self.registry) + "-report.cdx.json"
        self.assertValid(result.output_dir, [name])
        bom = self.load(result, name)
        image, packages = self.components_by_name(bom, "deb/app")
        depends = {d["ref"]: d.get("dependsOn", []) for d in bom["dependencies"]}
        by_ref = {c["bom-ref"]: c["name"] for c in packages.values()}

        # libc6 is built from glibc: the purl says so as Syft and Grype read it.
        libc6 = packages["libc6"]
        self.assertIn("upstream=glibc", libc6["purl"])
        self.assertIn("distro=debian-", libc6["purl"])
        # bash's Depends and Pre-Depends, from this machine's status, as the oracle reads them.
        paragraph = dpkg_paragraph(self.status, "bash")
        wanted = set()
        for field in re.findall(r"^(?:Pre-)?Depends: (.*)$", paragraph, re.M):
            for group in field.split(","):
                first = group.split("|")[0].strip().split(" ")[0].split(":")[0]
                if first in packages:
                    wanted.add(first)
        self.assertTrue(wanted)
        self.assertEqual({by_ref[r] for r in depends[packages["bash"]["bom-ref"]]}, wanted)
        # The image depends on every package; the registry on every image.
        self.assertEqual(set(depends[image["bom-ref"]]), {c["bom-ref"] for c in image["components"]
                                                          if c["type"] == "library"})
        self.assertEqual(sorted(depends[bom["metadata"]["component"]["bom-ref"]]),
                         sorted(c["bom-ref"] for c in bom["components"]))
        # npm: dependencies by name, licenses as declared.
        self.assertEqual(depends[packages["left-pad"]["bom-ref"]], [packages["tiny"]["bom-ref"]])
        self.assertEqual(packages["left-pad"]["licenses"], [{"license": {"id": "WTFPL"}}])
        self.assertEqual(packages["tiny"]["licenses"], [{"license": {"id": "MIT"}}, {"license": {"id": "Apache-2.0"}}])
        # Python: a PEP 639 expression, a classifier; Requires-Dist "Plain.Dep" is plain-dep (PEP 503).
        self.assertEqual(packages["fancy_lib"]["licenses"], [{"expression": "MIT OR Apache-2.0"}])
        self.assertEqual(packages["plain-dep"]["licenses"], [{"license": {"name": "BSD License"}}])
        self.assertEqual(depends[packages["fancy_lib"]["bom-ref"]], [packages["plain-dep"]["bom-ref"]])
        # dpkg: the DEP-5 copyright's names (Debian's, mapped to SPDX ids where known).
        self.assertEqual(packages["base-files"]["licenses"],
                         [{"license": {"id": "GPL-2.0-or-later"}}, {"license": {"id": "Artistic-1.0-Perl"}},
                          {"license": {"name": "Custom-Thing"}}])

        # apk: the real Alpine database's D: lines through its p: provides, and its L: licenses.
        _, apk = self.components_by_name(bom, "alpine/base")
        apk_refs = {c["bom-ref"]: n for n, c in apk.items()}
        self.assertIn("upstream=openssl", apk["libcrypto3"]["purl"])
        self.assertEqual([apk_refs[r] for r in depends[apk["libcrypto3"]["bom-ref"]]], ["musl"])
        self.assertEqual(apk["libcrypto3"]["licenses"], [{"license": {"id": "Apache-2.0"}}])
        self.assertIn("libcrypto3", {apk_refs[r] for r in depends[apk["libssl3"]["bom-ref"]]})

    def test_cyclonedx_per_image(self):
        result = self.scan(self.registry, "cyclonedx", "--sbom-per-image")
        stem = self.stem(self.registry)
        files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(result.output_dir, "*.cdx.json")))
        self.assertEqual(files, [f"{stem}-alpine-base-3.21-linux-amd64.cdx.json",
                                 f"{stem}-deb-app-1-linux-amd64.cdx.json"])
        self.assertValid(result.output_dir, files)
        bom = self.load(result, files[1])
        subject = bom["metadata"]["component"]
        self.assertEqual(subject["type"], "container")
        self.assertEqual(subject["name"], f"{self.registry.host}/deb/app")
        names = {c["name"] for c in bom["components"]}
        self.assertIn("libc6", names)
        self.assertNotIn("musl", names)  # the other image's
        depends = {d["ref"]: d["dependsOn"] for d in bom["dependencies"]}
        self.assertEqual(set(depends[subject["bom-ref"]]),
                         {c["bom-ref"] for c in bom["components"] if c["type"] == "library"})

    # --- SPDX ----------------------------------------------------------------------------------------------

    def spdx_checks(self, document, image_names):
        packages = {p["SPDXID"]: p for p in document["packages"]}
        relationships = document["relationships"]
        described = [r["relatedSpdxElement"] for r in relationships
                     if r["spdxElementId"] == "SPDXRef-DOCUMENT" and r["relationshipType"] == "DESCRIBES"]
        self.assertEqual(sorted(packages[d]["name"] for d in described), image_names)
        for d in described:
            self.assertEqual(packages[d]["primaryPackagePurpose"], "CONTAINER")
            self.assertEqual(packages[d]["externalRefs"][0]["referenceLocator"][:8], "pkg:oci/")
        return packages, relationships

    def test_spdx_document_validates_and_carries_licenses_and_relationships(self):
        result = self.scan(self.registry, "spdx")
        name = self.stem(self.registry) + "-report.spdx.json"
        self.assertValid(result.output_dir, [name])
        document = self.load(result, name)
        self.assertEqual(document["spdxVersion"], "SPDX-2.3")
        packages, relationships = self.spdx_checks(
            document, [f"{self.registry.host}/alpine/base:3.21", f"{self.registry.host}/deb/app:1"])
        by_name = {}
        for p in packages.values():
            by_name.setdefault(p["name"], p)
        contained = {r["relatedSpdxElement"] for r in relationships if r["relationshipType"] == "CONTAINS"}
        self.assertIn(by_name["libc6"]["SPDXID"], contained)
        self.assertIn({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                       "referenceLocator": next(p for p in packages.values() if p["name"] == "libc6")
                       ["externalRefs"][0]["referenceLocator"]},
                      by_name["libc6"]["externalRefs"])
        depends = {(r["spdxElementId"], r["relatedSpdxElement"]) for r in relationships
                   if r["relationshipType"] == "DEPENDS_ON"}
        self.assertIn((by_name["left-pad"]["SPDXID"], by_name["tiny"]["SPDXID"]), depends)
        self.assertIn((by_name["libcrypto3"]["SPDXID"], by_name["musl"]["SPDXID"]), depends)
        # Licenses: SPDX ids and expressions where known, LicenseRef- (declared in the document) otherwise.
        self.assertEqual(by_name["libcrypto3"]["licenseDeclared"], "Apache-2.0")
        self.assertEqual(by_name["left-pad"]["licenseDeclared"], "WTFPL")
        self.assertEqual(by_name["tiny"]["licenseDeclared"], "MIT AND Apache-2.0")
        self.assertEqual(by_name["fancy_lib"]["licenseDeclared"], "MIT OR Apache-2.0")
        self.assertEqual(by_name["base-files"]["licenseDeclared"],
                         "GPL-2.0-or-later AND Artistic-1.0-Perl AND LicenseRef-Custom-Thing")
        refs = {i["licenseId"]: i for i in document["hasExtractedLicensingInfos"]}
        self.assertIn("LicenseRef-Custom-Thing", refs)

    def test_spdx_per_image(self):
        result = self.scan(self.registry, "spdx", "--sbom-per-image")
        stem = self.stem(self.registry)
        files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(result.output_dir, "*.spdx.json")))
        self.assertEqual(files, [f"{stem}-alpine-base-3.21-linux-amd64.spdx.json",
                                 f"{stem}-deb-app-1-linux-amd64.spdx.json"])
        self.assertValid(result.output_dir, files)
        packages, _ = self.spdx_checks(self.load(result, files[0]), [f"{self.registry.host}/alpine/base:3.21"])
        self.assertNotIn("libc6", {p["name"] for p in packages.values()})

    # --- licenses in the JSON report ------------------------------------------------------------------------

    def test_json_report_lists_declared_licenses_per_package(self):
        result = self.scan(self.registry, "json")
        report = self.load(result, self.stem(self.registry) + "-report.json")
        self.assertValid(result.output_dir, [self.stem(self.registry) + "-report.json"])
        images = {f"{i['repository']}:{i['tag']}": {p["name"]: p for p in i["packages"]} for i in report["images"]}
        deb = images["deb/app:1"]
        # bash's real, machine-readable copyright file, read by the oracle above.
        self.assertEqual(deb["bash"]["licenses"], copyright_licenses(self.bash_copyright.decode("utf-8", "replace")))
        # libc6's is not machine-readable: the common licenses it points to.
        libc6_text = read("/usr/share/doc/libc6/copyright").decode("utf-8", "replace")
        pointed = []
        for match in re.findall(r"/usr/share/common-licenses/([A-Za-z0-9.+-]+)", libc6_text):
            match = match.rstrip(".")
            if match not in pointed:
                pointed.append(match)
        self.assertTrue(pointed)
        self.assertEqual(deb["libc6"]["licenses"], pointed)
        # A package without a copyright file in the image declares nothing.
        self.assertEqual(deb["dpkg"]["licenses"], [])
        self.assertEqual(deb["left-pad"]["licenses"], ["WTFPL"])
        self.assertEqual(deb["fancy_lib"]["licenses"], ["MIT OR Apache-2.0"])
        self.assertEqual(deb["fancy_lib"]["depends_on"], ["Plain.Dep"])
        self.assertEqual(images["alpine/base:3.21"]["musl"]["licenses"], ["MIT"])
        # Maven: the pom.xml's <licenses>.
        self.assertEqual(deb["org.example:thing"]["licenses"], ["The Apache Software License, Version 2.0"])


    # --- image --help ---------------------------------------------------------------------------------------

    def test_image_help_lists_only_what_applies_to_one_image(self):
        def option_names(text):
            return set(re.findall(r"^  (?:-\w \[ )?--([\w-]+)", text, re.M))

        image = self.regscan("image", "--help", output_dir=False)
        registry = self.regscan("registry", "--help", output_dir=False)
        self.assertExit(image, 0)
        self.assertExit(registry, 0)
        image_options, registry_options = option_names(image.stdout), option_names(registry.stdout)
        for registry_only in ("mode", "allowList", "denyList", "max-images", "max-tags-per-repo", "max-tag-age",
                              "max-repositories", "max-listed-tags", "listing-timeout", "discovery-timeout",
                              "acr-auth", "ecr-role-arn", "harbor-project", "option"):
            self.assertNotIn(registry_only, image_options)
            self.assertIn(registry_only, registry_options)  # still documented where it applies
        for applies in ("format", "sbom-per-image", "platform", "username", "db", "malware", "max-layers", "output"):
            self.assertIn(applies, image_options)
        self.assertLess(len(image.stdout.splitlines()), len(registry.stdout.splitlines()) * 2 // 3)
        # Left out of the help, still accepted (a config file shared with `registry` may set them).
        accepted = self.regscan("image", f"http://{self.registry.host}/deb/app:1", "--db", self.db, "--state",
                                os.path.join(tempfile.mkdtemp(dir=self.workdir), "s.db"), "--max-tag-age", "0",
                                "--format", "spdx", "--sbom-per-image", "-o", os.path.join(self.workdir, "one.spdx.json"))
        self.assertExit(accepted, 0)
        # regscan image -o with a per-image SBOM: the one image's document, at the path asked for.
        with open(os.path.join(self.workdir, "one.spdx.json")) as f:
            document = json.load(f)
        self.assertEqual(document["name"], f"{self.registry.host}/deb/app:1 linux/amd64")


if __name__ == "__main__":
    unittest.main()
