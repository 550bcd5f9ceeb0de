"""`regscan image oci:DIR[:REF]`: an OCI image layout scanned from its files,
with no registry running and no network (issue 12 part 4).

The findings and packages equal those of the same image pushed to a real
registry and scanned from there; REF picks an image by its
org.opencontainers.image.ref.name, no REF takes the only one and is an error
listing the names when there are several; a blob whose bytes do not match its
digest, a blob that is a symlink out of the layout, a malformed digest and a
directory that is not a layout are refused. `docker-archive:FILE` (docker
save output, here written by skopeo offline) gives the same findings; a member
escaping the archive or a config that is not its digest is refused. oci-archive:
and dir: are refused at once (not read by this version; sbom: is, test_sbom_input).
"""
import io
import json
import os
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

    def docker_archive(self, source=None, tag="team/app:1.0"):
        path = os.path.join(tempfile.mkdtemp(dir=self.workdir), "app.tar")
        copied = subprocess.run(["skopeo", "--insecure-policy", "copy", "--quiet",
                                 f"oci:{source or self.single}:1.0", f"docker-archive:{path}:{tag}"],
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

    def test_other_local_inputs_are_refused_at_once(self):
        for reference in ("dir:app", "oci-archive:app.tar"):
            with self.subTest(reference=reference):
                result = self.regscan("image", reference, output_dir=False)
                self.assertExit(result, 2)
                self.assertLogged(result, r"names a local input, which this regscan cannot read yet", "error")


if __name__ == "__main__":
    unittest.main()
