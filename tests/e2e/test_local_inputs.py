"""`regscan image oci:DIR[:REF]`: an OCI image layout scanned from its files,
with no registry running and no network (issue 12 part 4).

The findings and packages equal those of the same image pushed to a real
registry and scanned from there; REF picks an image by its
org.opencontainers.image.ref.name, no REF takes the only one and is an error
listing the names when there are several; a blob whose bytes do not match its
digest, a blob that is a symlink out of the layout, a malformed digest and a
directory that is not a layout are refused. `docker-archive:FILE` (docker
save output, here written by skopeo offline) gives the same findings; a member
escaping the archive or a config that is not its digest is refused; of an archive
of several images (docker save a b), FILE:REF (a RepoTags entry) or FILE:@N picks
one, and without either it is refused listing the RepoTags, escaped and bounded.
oci-archive:
and dir: are refused at once (not read by this version; sbom: is, test_sbom_input).
"""
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import unittest

from harness import oci_layout as oci, osv_db, push, registry
from harness.case import RegscanCase

SITE = "usr/lib/python3/dist-packages"
FILES = {"etc/os-release": b'ID=debian\nVERSION_ID="12"\n',
         f"{SITE}/requests-2.19.0.dist-info/METADATA":
             b"Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n\n"}
OTHER = {"etc/os-release": b'ID=debian\nVERSION_ID="12"\n',
         f"{SITE}/PyYAML-5.3.dist-info/METADATA": b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\n\n"}


def findings(report):
    image = report["images"][0]
    return ({(v["id"], v["package_name"], v["package_version"]) for v in image["vulnerabilities"]},
            {(p["name"], p["version"], p["type"]) for p in image["packages"]},
            {m["id"] for m in image["misconfigurations"]}, image["digest"], image["platform"])


class OciLayoutInput(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-local-")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.db = osv_db.make_db(cls.workdir, pypi_records=("PYSEC-2018-28", "PYSEC-2020-96"))
        cls.image = oci.image("2024-01-01T00:00:00Z", files=FILES)
        cls.other = oci.image("2024-02-01T00:00:00Z", files=OTHER)
        cls.single = oci.write_layout(os.path.join(cls.workdir, "single"), {"1.0": cls.image})
        cls.several = oci.write_layout(os.path.join(cls.workdir, "several"), {"app": cls.image, "tool": cls.other})
        # The same image from a real registry: the oracle. The registry is
        # stopped before any local scan runs.
        reg = registry.Registry()
        reg.start()
        try:
            push.skopeo_push(reg, {"team/app:1.0": cls.image})
            result = cls.run_json(None, "image", f"http://{reg.host}/team/app:1.0")
            cls.from_registry = findings(result)
        finally:
            reg.stop()

    @classmethod
    def run_json(cls, test, *args):
        from harness import run
        state = os.path.join(tempfile.mkdtemp(dir=cls.workdir), "state.db")
        result = run.run(*args, "--db", cls.db, "--state", state, "--no-progress", "--format=json", "-o", "-",
                         output_dir=False)
        if result.code != 0:
            raise AssertionError(f"scan failed\n{result!r}")
        return json.loads(result.stdout)

    def scan(self, reference, *args):
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        return self.regscan("image", reference, "--db", self.db, "--state", state, "--no-progress",
                            "--format=json", "-o", "-", "--log-level=debug", *args, output_dir=False)

    def assertNoNetwork(self, result):
        self.assertNotRegex(result.stderr, r"(?i)Identified registry|retry|connect|http://")

    def test_layout_findings_equal_the_registry_scan(self):
        self.assertTrue(self.from_registry[0], "the oracle found no vulnerability: the test could not fail")
        for reference in (f"oci:{self.single}", f"oci:{self.single}:1.0", f"oci:{self.several}:app"):
            with self.subTest(reference=reference):
                result = self.scan(reference)
                self.assertExit(result, 0)
                self.assertNoNetwork(result)
                self.assertEqual(findings(json.loads(result.stdout)), self.from_registry)

    def test_ref_picks_among_several(self):
        result = self.scan(f"oci:{self.several}:tool")
        self.assertExit(result, 0)
        vulnerabilities, packages, _, digest, _ = findings(json.loads(result.stdout))
        self.assertIn(("PyYAML", "5.3", "python"), packages)
        self.assertEqual(digest, self.other.blob.digest)

    def test_without_ref_several_images_is_an_error_listing_them(self):
        result = self.scan(f"oci:{self.several}")
        self.assertExit(result, 2)
        self.assertLogged(result, r"holds several images \(app, tool\): name one", "error")
        unknown = self.scan(f"oci:{self.several}:nope")
        self.assertExit(unknown, 2)
        self.assertLogged(unknown, r"has no image named 'nope' \(it has: app, tool\)", "error")

    def test_not_a_layout(self):
        empty = tempfile.mkdtemp(dir=self.workdir)
        result = self.scan(f"oci:{empty}")
        self.assertExit(result, 2)
        self.assertLogged(result, r"is not an OCI image layout \(no oci-layout file\)", "error")
        self.assertExit(self.scan(f"oci:{empty}/missing"), 2)

    def copy_layout(self):
        target = os.path.join(tempfile.mkdtemp(dir=self.workdir), "layout")
        shutil.copytree(self.single, target)
        return target

    def layer_path(self, layout):
        return os.path.join(layout, "blobs", "sha256", self.image.dependencies[1].digest.split(":", 1)[1])

    def test_tampered_layer_fails_the_image(self):
        layout = self.copy_layout()
        with open(self.layer_path(layout), "r+b") as f:
            f.seek(20)
            f.write(b"\x00\x01\x02")
        result = self.scan(f"oci:{layout}")
        self.assertExit(result, 6)
        self.assertEqual(json.loads(result.stdout)["images"][0]["status"], "scan_failed")
        self.assertLogged(result, r"digest mismatch|corrupt|invalid", "error")

    def test_symlinked_blob_is_refused(self):
        layout = self.copy_layout()
        outside = os.path.join(self.workdir, "outside-layer")
        shutil.copy(self.layer_path(layout), outside)
        os.remove(self.layer_path(layout))
        os.symlink(outside, self.layer_path(layout))
        result = self.scan(f"oci:{layout}")
        self.assertExit(result, 6)
        self.assertLogged(result, r"not a regular file in the layout", "error")

    def test_malformed_digest_in_index_is_refused(self):
        layout = self.copy_layout()
        with open(os.path.join(layout, "index.json")) as f:
            index = json.load(f)
        index["manifests"][0]["digest"] = "sha256:../../../etc/passwd"
        with open(os.path.join(layout, "index.json"), "w") as f:
            json.dump(index, f)
        result = self.scan(f"oci:{layout}")
        self.assertExit(result, 2)
        self.assertLogged(result, r"malformed digest", "error")

    def docker_archive(self, source=None, tag="team/app:1.0", ref="1.0", additional=()):
        path = os.path.join(tempfile.mkdtemp(dir=self.workdir), "app.tar")
        copied = subprocess.run(["skopeo", "--insecure-policy", "copy", "--quiet",
                                 *(f"--additional-tag={t}" for t in additional),
                                 f"oci:{source or self.single}:{ref}", f"docker-archive:{path}:{tag}"],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(copied.returncode, 0, copied.stderr)
        return path

    def test_docker_archive_findings_equal_the_registry_scan(self):
        path = self.docker_archive()
        result = self.scan(f"docker-archive:{path}")
        self.assertExit(result, 0)
        self.assertNoNetwork(result)
        report = json.loads(result.stdout)
        # skopeo stores the layers uncompressed: the manifest digest differs, what is in the image does not.
        self.assertEqual(findings(report)[:3], self.from_registry[:3])
        self.assertEqual(findings(report)[4], self.from_registry[4])
        self.assertEqual(report["images"][0]["tag"], "1.0")

    def test_docker_archive_with_a_traversing_member_is_refused(self):
        path = os.path.join(tempfile.mkdtemp(dir=self.workdir), "evil.tar")
        with tarfile.open(path, "w") as tar:
            data = b"[]"
            info = tarfile.TarInfo("../../escaped.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        result = self.scan(f"docker-archive:{path}")
        self.assertExit(result, 2)
        self.assertLogged(result, r"is not a relative path inside the archive: refused", "error")
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(os.path.dirname(path)), "escaped.json")))

    def test_docker_archive_with_a_swapped_config_is_refused(self):
        path = self.docker_archive()
        tampered = path + ".tampered.tar"
        with tarfile.open(path) as source, tarfile.open(tampered, "w") as target:
            for member in source.getmembers():
                data = source.extractfile(member).read() if member.isfile() else None
                if member.name.endswith(".json") and member.name != "manifest.json" and data:
                    data = data.replace(b'"amd64"', b'"arm64"')
                    member.size = len(data)
                target.addfile(member, io.BytesIO(data) if data is not None else None)
        result = self.scan(f"docker-archive:{tampered}")
        self.assertExit(result, 2)
        self.assertLogged(result, r"digest mismatch", "error")

    def several_images_archive(self, archives, manifest=None):
        """`docker save a b`: the members of each skopeo-written archive in one tar, their manifest.json entries
        in one list (or `manifest`, when given, instead)."""
        path = os.path.join(tempfile.mkdtemp(dir=self.workdir), "several.tar")
        entries, seen = [], set()
        with tarfile.open(path, "w") as target:
            for archive in archives:
                with tarfile.open(archive) as source:
                    for member in source.getmembers():
                        if member.name == "manifest.json":
                            entries += json.load(source.extractfile(member))
                        elif member.name not in seen and member.name != "repositories":
                            seen.add(member.name)
                            target.addfile(member, source.extractfile(member) if member.isfile() else None)
            data = json.dumps(entries if manifest is None else manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
        return path, entries

    def test_docker_archive_of_several_images_scans_the_one_named(self):
        app = self.docker_archive(additional=("team/app:latest",))
        tool = self.docker_archive(self.several, tag="tools/yaml:5.3", ref="tool")
        single_tool = self.scan(f"docker-archive:{tool}")
        self.assertExit(single_tool, 0)
        path, entries = self.several_images_archive([app, tool])
        self.assertEqual(len(entries), 2)
        tags = [tag for entry in entries for tag in entry["RepoTags"]]
        # Without a name: refused, the RepoTags listed (as skopeo and trivy refuse).
        result = self.scan(f"docker-archive:{path}")
        self.assertExit(result, 2)
        self.assertLogged(result, re.escape(f"holds 2 images ({', '.join(tags)}): name one as "
                                            "docker-archive:FILE:REF"), "error")
        self.assertNoNetwork(result)
        # A RepoTags entry, as written or as docker's short name; or @N (from 0).
        tool_tag = entries[1]["RepoTags"][0]
        for reference in (f"{path}:{tool_tag}", f"{path}:tools/yaml:5.3", f"{path}:@1"):
            with self.subTest(reference=reference):
                picked = self.scan(f"docker-archive:{reference}")
                self.assertExit(picked, 0)
                self.assertNoNetwork(picked)
                report = json.loads(picked.stdout)
                self.assertEqual(findings(report), findings(json.loads(single_tool.stdout)))
                self.assertIn(("PyYAML", "5.3", "python"), findings(report)[1])
                self.assertEqual(report["images"][0]["tag"], "5.3")
        for reference in (f"{path}:team/app:1.0", f"{path}:team/app", f"{path}:@0"):
            with self.subTest(reference=reference):
                picked = self.scan(f"docker-archive:{reference}")
                self.assertExit(picked, 0)
                report = json.loads(picked.stdout)
                self.assertEqual(findings(report)[:3], self.from_registry[:3])
                self.assertEqual(report["images"][0]["tag"], "latest" if reference.endswith("/app") else "1.0")
        unknown = self.scan(f"docker-archive:{path}:team/app:2.0")
        self.assertExit(unknown, 2)
        self.assertLogged(unknown, re.escape(f"has no image tagged 'team/app:2.0' (it has: {', '.join(tags)})"),
                          "error")
        out_of_range = self.scan(f"docker-archive:{path}:@2")
        self.assertExit(out_of_range, 2)
        self.assertLogged(out_of_range, r"has 2 image\(s\): @2 is not one of them", "error")

    def test_docker_archive_repo_tags_are_escaped_and_bounded(self):
        app = self.docker_archive()
        _, entries = self.several_images_archive([app])
        evil = dict(entries[0], RepoTags=["evil\x1b]0;owned\x07:1\nforged: line"])
        many = [dict(entries[0], RepoTags=[f"team/app:{i}"]) for i in range(40)]
        path, _ = self.several_images_archive([app], manifest=[evil] + many)
        result = self.scan(f"docker-archive:{path}")
        self.assertExit(result, 2)
        self.assertNotIn("\x1b", result.stderr)
        self.assertNotIn("\x07", result.stderr)
        # Escaped once, by the log (not "\\e": the message holds the RepoTags as they are).
        self.assertLogged(result, r"holds 41 images \(evil\\e\]0;owned\\x07:1\\nforged: line, team/app:0, ", "error")
        self.assertLogged(result, re.escape("team/app:18, and 21 more): name one"), "error")
        self.assertEqual(sum("forged" in line for line in result.stderr.splitlines()), 1)
        # Scanning that image: its RepoTags entry does not end in a tag, so it is refused, not shown.
        chosen = self.scan(f"docker-archive:{path}:@0")
        self.assertExit(chosen, 2)
        self.assertLogged(chosen, r"does not end in a valid tag", "error")
        self.assertNotIn("\x1b", chosen.stderr)
        too_many, _ = self.several_images_archive([app], manifest=[entries[0]] * 1001)
        refused = self.scan(f"docker-archive:{too_many}:@0")
        self.assertExit(refused, 2)
        self.assertLogged(refused, r"manifest.json lists more than 1000 images", "error")

    def test_other_local_inputs_are_refused_at_once(self):
        for reference in ("dir:app", "oci-archive:app.tar"):
            with self.subTest(reference=reference):
                result = self.regscan("image", reference, output_dir=False)
                self.assertExit(result, 2)
                self.assertLogged(result, r"names a local input, which this regscan cannot read yet", "error")


if __name__ == "__main__":
    unittest.main()
