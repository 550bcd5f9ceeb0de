"""Hostile image content: configs, tars and package databases crafted to
crash, mislead or exhaust the scanner.

One hostile registry serves every image below and one scan (JSON and CSV
reports) runs over all of them in setUpClass; each test then reads what the
report says about its own image. An honest image rides along and must be
scanned. Big layers are zeros behind a tar header (harness.crafted), built
once and cached.
"""
import gzip
import json
import os
import unittest
import uuid

from harness import crafted
from harness.crafted import GiB, MiB
from harness.hostile_case import HostileCase
from harness.hostile_registry import HostileRegistry
from harness.http_server import Reply
from harness.oci_layout import digest_of

LOWER = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE,
                             "var/lib/dpkg/status": crafted.dpkg_status((b"libvulnerable", b"1.2.3-1"))})
STATUS = "/var/lib/dpkg/status"
LONG = 30 * 1000
ESCAPE_MARK = "regscan-e2e-escape-" + uuid.uuid4().hex
OVER_FILE_LIMIT = 64 * MiB + 4096  # core/src/limits: max_analysed_file_size is 64 MiB


def over_layer(entries):
    return crafted.gzip_layer(crafted.tar(entries))


def long_values_image():
    document = {"created": "2024-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
                "config": {"User": "1000", "Healthcheck": {"Test": ["CMD", "true"]},
                           "Env": ["PATH=/usr/bin:/bin", "API_TOKEN=" + "a" * LONG],
                           "Labels": {"org.example.note": "b" * LONG}},
                "rootfs": {"type": "layers", "diff_ids": [LOWER.diff_id]},
                "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "ADD --" + "a" * LONG + " /x /x"}]}
    return crafted.image_from_config(document, [LOWER])


def cut_tar_layer():
    """A complete gzip stream of the first half of a tar: the cut falls inside
    usr/share/blob's data, and var/lib/dpkg/status after it is lost."""
    raw = crafted.tar({"etc/os-release": crafted.DEBIAN_OS_RELEASE, "usr/share/blob": b"q" * (200 * 1024),
                       "var/lib/dpkg/status": crafted.dpkg_status((b"lostpkg", b"1"))})
    cut = raw[:len(raw) // 2]
    assert len(cut) % 512, "the cut must not fall on a block boundary"
    return crafted.Layer(gzip.compress(cut, mtime=0), digest_of(cut))


def huge_claim_layer():
    """A tar entry claiming 100 GB, then ten bytes, then the end of a complete gzip stream."""
    raw = (crafted.tar({"etc/os-release": crafted.DEBIAN_OS_RELEASE})[:-1024]
           + crafted.header(crafted.regular("usr/share/huge", b"", size=100 * 1000 ** 3)[0]) + b"x" * 10)
    return crafted.Layer(gzip.compress(raw, mtime=0), digest_of(raw))


def traversal_layer():
    return over_layer([
        crafted.raw_path("../../var/lib/dpkg/status", crafted.dpkg_status((b"escapee", b"6.6.6"))),
        crafted.raw_path("../../etc/x", b"outside\n"),
        crafted.raw_path("/etc/absolute-x", b"absolute\n"),
        crafted.raw_path("usr/../../../../../../../tmp/" + ESCAPE_MARK, b"escaped\n"),
        crafted.raw_path("/../../../tmp/" + ESCAPE_MARK, b"escaped\n"),
    ])


def images():
    """{repository:tag: Manifest} and {repository:tag: blob digest -> replacement body}."""
    good_layer = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE,
                                      "var/lib/dpkg/status": crafted.dpkg_status((b"goodpkg", b"1.0-1"))})
    bad_status = b"Package: bad\xffname\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n"
    truncated = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE, "usr/share/data": b"t" * 300000})
    truncated = crafted.Layer(truncated.blob.data[:len(truncated.blob.data) // 2], truncated.diff_id)
    mismatched = crafted.files_layer({"etc/served": b"the manifest names these bytes"})
    built = {
        "good/app:1.0": crafted.image([good_layer]),
        "config/long-values:1": long_values_image(),
        "tar/cut-in-gzip:1": crafted.image([cut_tar_layer()]),
        "tar/huge-claim:1": crafted.image([huge_claim_layer()]),
        "dpkg/control:1": crafted.image([LOWER]),
        "dpkg/over-directory:1": crafted.image([LOWER, over_layer([crafted.directory(STATUS)])]),
        "dpkg/over-symlink:1": crafted.image([LOWER, over_layer([crafted.symlink(STATUS, "/nonexistent")])]),
        "dpkg/over-hardlink:1": crafted.image([LOWER, over_layer([crafted.regular("etc/hostname", b"box\n"),
                                                                  crafted.hardlink(STATUS, "etc/hostname")])]),
        "dpkg/over-big-file:1": crafted.image([LOWER, crafted.zero_file_layer(STATUS, OVER_FILE_LIMIT)]),
        "dpkg/invalid-utf8:1": crafted.image([crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE,
                                                                   "var/lib/dpkg/status": bad_status})]),
        "config/wrong-diff-id:1": crafted.image([good_layer], diff_ids=[digest_of(b"not this layer")]),
        "tar/traversal:1": crafted.image([LOWER, traversal_layer()]),
        "blob/digest-mismatch:1": crafted.image([mismatched]),
        "gzip/truncated:1": crafted.image([truncated]),
        "bomb/zeros-2g:1": crafted.image([crafted.zero_file_layer("usr/share/zeros", 2 * GiB)]),
        "tar/200k-entries:1": crafted.image([crafted.many_entries_layer(200000)]),
    }
    replaced = {"blob/digest-mismatch:1": {mismatched.blob.digest: gzip.compress(crafted.tar({"etc/x": b"other"}))}}
    return built, replaced


class Content(HostileCase):
    @classmethod
    def setUpClass(cls):
        cls.hostile = HostileRegistry().start()
        cls.addClassCleanup(cls.hostile.stop)
        built, replaced = images()
        for reference, manifest in built.items():
            repository, tag = reference.rsplit(":", 1)
            cls.hostile.push(repository, tag, manifest)
            for digest, body in replaced.get(reference, {}).items():
                cls.hostile.on(f"/v2/{repository}/blobs/{digest}",
                               lambda request, body=body: Reply(200, body, {"Content-Type": "application/octet-stream"}))
        cls.result = cls.scan(cls.hostile, timeout=240)

    def run_result(self):
        self.assertFinished(self.result, 6)
        return self.result

    def image(self, reference):
        entries = self.entries(self.run_result(), self.hostile.host, reference)
        self.assertEqual(len(entries), 1, f"{reference}: {entries}\n{self.result!r}")
        return entries[0]

    def packages(self, reference):
        return {(p["name"], p["version"]) for p in self.image(reference)["packages"]}

    def test_run_finished_in_bounded_memory(self):
        result = self.run_result()
        self.assertBoundedMemory(result)
        self.assertImageScanned(result, self.hostile.host, "good/app:1.0")
        for name in result.output_files():
            self.assertFalse(os.path.islink(os.path.join(result.output_dir, name)))

    # point 1
    def test_30_kb_config_values_are_checked_without_a_crash(self):
        image = self.assertImageScanned(self.run_result(), self.hostile.host, "config/long-values:1")[0]
        self.assertIn(("RS-CFG-003", "config.Env.API_TOKEN"), {(m["id"], m["location"]) for m in image["misconfigurations"]})
        self.assertNotIn("a" * 1000, json.dumps(image), "the secret itself is in the report")

    # point 9
    def test_tar_cut_inside_a_complete_gzip_fails_the_image(self):
        self.assertImageFailed(self.run_result(), self.hostile.host, "tar/cut-in-gzip:1")

    def test_tar_entry_claiming_100_gb_fails_the_image(self):
        self.assertImageFailed(self.run_result(), self.hostile.host, "tar/huge-claim:1")

    # point 10
    def test_control_lower_layer_package_is_reported(self):
        self.assertIn(("libvulnerable", "1.2.3-1"), self.packages("dpkg/control:1"))

    def check_replaced_status(self, reference):
        image = self.image(reference)
        self.assertEqual(image["status"], "scanned", f"{image}\n{self.result!r}")
        self.assertNotIn("libvulnerable", {p["name"] for p in image["packages"]}, f"{image}\n{self.result!r}")
        self.assertTrue(any(STATUS in note for note in image["notes"]),
                        f"{reference}: no note names {STATUS}: {image['notes']}\n{self.result!r}")

    def test_status_replaced_by_a_directory_hides_the_lower_package(self):
        self.check_replaced_status("dpkg/over-directory:1")

    def test_status_replaced_by_a_dangling_symlink_hides_the_lower_package(self):
        self.check_replaced_status("dpkg/over-symlink:1")

    def test_status_replaced_by_a_hard_link_hides_the_lower_package(self):
        self.check_replaced_status("dpkg/over-hardlink:1")

    def test_status_replaced_by_a_file_over_the_size_limit_hides_the_lower_package(self):
        self.check_replaced_status("dpkg/over-big-file:1")

    # point 11
    def test_invalid_utf8_package_name_is_reported_in_valid_json(self):
        image = self.image("dpkg/invalid-utf8:1")  # the report was read with json.load
        self.assertEqual(image["status"], "scanned", f"{image}\n{self.result!r}")
        names = [p["name"] for p in image["packages"] if p["version"] == "1.0"]
        self.assertTrue(any(n.startswith("bad") and n.endswith("name") and len(n) > 7 for n in names),
                        f"{image['packages']}\n{self.result!r}")

    # point 14
    def test_diff_id_mismatch_fails_the_image(self):
        self.assertImageFailed(self.run_result(), self.hostile.host, "config/wrong-diff-id:1", "diff_id")

    # cases that already hold
    def test_path_traversal_entries_are_read_where_containerd_extracts_them(self):
        """containerd joins an entry's path under the root: "../../var/lib/dpkg/status" is the container's
        /var/lib/dpkg/status (replacing the lower layer's), so it is read there; nothing is written anywhere."""
        self.assertEqual(self.packages("tar/traversal:1"), {("escapee", "6.6.6")})
        self.assertEqual(self.image("tar/traversal:1")["status"], "scanned")
        self.assertFalse(os.path.exists(os.path.join("/tmp", ESCAPE_MARK)))

    def test_layer_digest_mismatch_fails_the_image(self):
        self.assertImageFailed(self.run_result(), self.hostile.host, "blob/digest-mismatch:1", "digest")

    def test_truncated_gzip_fails_the_image(self):
        self.assertImageFailed(self.run_result(), self.hostile.host, "gzip/truncated:1")

    def test_2_gib_of_zeros_is_scanned(self):
        self.assertImageScanned(self.run_result(), self.hostile.host, "bomb/zeros-2g:1")

    def test_200k_tar_entries_are_scanned(self):
        self.assertImageScanned(self.run_result(), self.hostile.host, "tar/200k-entries:1")


if __name__ == "__main__":
    unittest.main()
