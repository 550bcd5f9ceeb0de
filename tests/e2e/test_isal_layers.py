"""gzip layers through the ISA-L inflater (core/src/scan/gzip_inflater), end to
end: images pushed with skopeo to a real distribution registry whose layer is
the same tar as a plain gzip, as a multi-member gzip, as a gzip whose header
has FEXTRA, FNAME, FCOMMENT and FHCRC, and as a corrupt (a reserved block
type), a wrong-CRC and a truncated stream. One scan covers them all: the good ones report the plain image's
packages, the bad ones fail alone with their reason, and the run goes on.
"""
import gzip
import struct
import unittest
import zlib

from harness import crafted
from harness.hostile_case import HostileCase
from harness.oci_layout import digest_of
from harness.push import skopeo_push
from harness.registry import Registry

PACKAGES = [(b"libisal-e2e", b"2.30.0-1"), (b"goodpkg", b"1.0-1"), (b"zlib1g", b"1:1.2.13.dfsg-1")]


def layer_tar():
    """A tar big enough for several deflate blocks: os-release, dpkg status, filler files."""
    files = {"etc/os-release": crafted.DEBIAN_OS_RELEASE, "var/lib/dpkg/status": crafted.dpkg_status(*PACKAGES)}
    for i in range(40):
        files[f"usr/share/doc/f{i:03d}.txt"] = (f"line {i} of a text file that compresses\n" * 800).encode()
    return crafted.tar(files)


def member(data, extra=b"", name=b"", comment=b"", hcrc=False):
    """One gzip member written by hand, so any header field can be set."""
    flags = (0x02 if hcrc else 0) | (0x04 if extra else 0) | (0x08 if name else 0) | (0x10 if comment else 0)
    header = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", 1700000000) + b"\x00\x03"
    if extra:
        header += struct.pack("<H", len(extra)) + extra
    if name:
        header += name + b"\x00"
    if comment:
        header += comment + b"\x00"
    if hcrc:
        header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = deflater.compress(data) + deflater.flush()
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def layers():
    """{repository: (gzip bytes, diff_id)} for every variant of the same tar."""
    raw = layer_tar()
    diff_id = digest_of(raw)
    third = len(raw) // 3
    plain = gzip.compress(raw, mtime=0)
    corrupt = bytearray(plain)
    corrupt[10] |= 0x06  # the first deflate block's type: 3, reserved
    wrong_crc = bytearray(plain)
    wrong_crc[-8] ^= 0x01  # the trailer's CRC-32: the tar inflates whole, the check fails at the end
    return {
        "isal/plain": (plain, diff_id),
        "isal/multi-member": (member(raw[:third]) + member(raw[third:2 * third]) + member(b"") +
                              member(raw[2 * third:]), diff_id),
        "isal/header-extras": (member(raw, extra=b"RS\x04\x00isal", name=b"layer.tar",
                                      comment=b"FEXTRA FNAME FCOMMENT FHCRC", hcrc=True), diff_id),
        "isal/corrupt": (bytes(corrupt), diff_id),
        "isal/wrong-crc": (bytes(wrong_crc), diff_id),
        "isal/truncated": (plain[:len(plain) * 2 // 3], diff_id),
    }


class IsalLayers(HostileCase):
    @classmethod
    def setUpClass(cls):
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        manifests = {}
        for repository, (data, diff_id) in layers().items():
            manifests[f"{repository}:1"] = crafted.image([crafted.Layer(data, diff_id)])
        skopeo_push(cls.registry, manifests)
        cls.host = cls.registry.host
        cls.result = cls.scan(cls.registry, "--allowList=isal/*", timeout=240)

    def packages(self, reference):
        entries = self.assertImageScanned(self.result, self.host, reference)
        return {(p["name"], p["version"]) for e in entries for p in e["packages"]}

    def test_run_goes_on_and_fails_only_the_bad_images(self):
        self.assertFinished(self.result, 6)  # 6: some image failed
        self.assertEqual(self.result.summary().get("Images scanned"), "6 (3 failed)", f"{self.result!r}")
        self.assertBoundedMemory(self.result)

    def test_plain_gzip_reports_the_packages(self):
        expected = {(n.decode(), v.decode()) for n, v in PACKAGES}
        self.assertTrue(expected <= self.packages("isal/plain:1"), f"{self.result!r}")

    def test_multi_member_gzip_scans_like_plain(self):
        self.assertEqual(self.packages("isal/multi-member:1"), self.packages("isal/plain:1"))

    def test_header_extras_scan_like_plain(self):
        self.assertEqual(self.packages("isal/header-extras:1"), self.packages("isal/plain:1"))

    def test_corrupt_stream_fails_with_its_reason(self):
        self.assertImageFailed(self.result, self.host, "isal/corrupt:1", "gzip stream is corrupt", "invalid block type")

    def test_wrong_crc_fails_with_its_reason(self):
        self.assertImageFailed(self.result, self.host, "isal/wrong-crc:1", "gzip stream is corrupt", "incorrect data check")

    def test_truncated_stream_fails_with_its_reason(self):
        self.assertImageFailed(self.result, self.host, "isal/truncated:1", "cut short")


if __name__ == "__main__":
    unittest.main()
