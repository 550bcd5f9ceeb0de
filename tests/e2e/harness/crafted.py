"""Crafted image content: tar layers with any entry (directory, symlink, hard
link, huge or cut-short file), images whose config says anything, and bombs.

Bombs are built, not compressed: a deflate stream that is fully flushed after
each 1 MiB run of one byte compresses every run to the same bytes, so a
gzip of gigabytes is a few kilobytes repeated, plus a CRC and a SHA-256 over
the bytes it inflates to. Those sums still cost a second per GiB: each bomb
is built once and kept in a cache directory under the system temp dir,
written atomically, so parallel suites and later runs share it.
"""
import gzip
import hashlib
import io
import json
import lzma
import os
import struct
import subprocess
import tarfile
import tempfile
import zlib

from . import oci_layout
from .oci_layout import Blob, Manifest, canonical_json, digest_of

MiB = 1 << 20
GiB = 1 << 30
CACHE = os.path.join(tempfile.gettempdir(), "regscan-e2e-crafted")


# -- tar entries ----------------------------------------------------------------

def regular(path, data, mode=0o644, size=None):
    """A file entry; `size` claims another size in the header than len(data)."""
    info = tarfile.TarInfo(path.lstrip("/"))
    info.size = len(data) if size is None else size
    info.mode = mode
    return info, data


def directory(path):
    info = tarfile.TarInfo(path.lstrip("/"))
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    return info, b""


def symlink(path, target):
    info = tarfile.TarInfo(path.lstrip("/"))
    info.type, info.linkname, info.mode = tarfile.SYMTYPE, target, 0o777
    return info, b""


def hardlink(path, target):
    info = tarfile.TarInfo(path.lstrip("/"))
    info.type, info.linkname, info.mode = tarfile.LNKTYPE, target.lstrip("/"), 0o644
    return info, b""


def raw_path(path, data):
    """A file entry whose name is kept exactly as given ('../../x', '/abs')."""
    info = tarfile.TarInfo(path)
    info.size, info.mode = len(data), 0o644
    return info, data


def pax_entry(path, pax_headers, data, size=None):
    """One tar entry's bytes with the given pax records (any keys, hostile ones too), its header
    claiming `size` bytes (default: the data's), the data padded to a block."""
    info = tarfile.TarInfo(path)
    info.size = len(data) if size is None else size
    info.pax_headers = pax_headers
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape") + data + b"\0" * (-len(data) % 512)


def pax_hardlink_with_data(path, target, data):
    """A hard link entry in pax form whose header claims `data` as its content, followed by it: libarchive
    skips those bytes as the link's data, Go's archive/tar (container runtimes) reads them as entries."""
    info = tarfile.TarInfo(path)
    info.type, info.linkname = tarfile.LNKTYPE, target
    info.pax_headers = {"comment": "a hard link with data"}
    block = bytearray(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))
    at = len(block) - 512  # the link's own header, after the pax record's
    block[at + 124:at + 136] = b"%011o\0" % len(data)
    block[at + 148:at + 156] = b" " * 8
    block[at + 148:at + 156] = b"%06o\0 " % sum(block[at:at + 512])
    return bytes(block) + data + b"\0" * (-len(data) % 512)


def tar(entries):
    """The tar bytes (PAX) of `entries` in order: (TarInfo, data) pairs or {path: bytes}."""
    if isinstance(entries, dict):
        entries = [regular(path, data) for path, data in sorted(entries.items())]
    out = io.BytesIO()
    for info, data in entries:
        out.write(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))
        if info.isreg() and data:
            out.write(data)
            out.write(b"\0" * (-len(data) % 512))
    out.write(b"\0" * 1024)
    return out.getvalue()


def header(info):
    """The header block(s) alone of one entry."""
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


# -- layers and images ----------------------------------------------------------

class Layer:
    """A layer blob and the diff_id its config should name."""

    def __init__(self, data, diff_id, media_type=oci_layout.OCI_LAYER_GZIP):
        self.blob = Blob(media_type, data)
        self.diff_id = diff_id


def gzip_layer(raw):
    return Layer(gzip.compress(raw, compresslevel=6, mtime=0), digest_of(raw))


def files_layer(files):
    return gzip_layer(tar(files))


def zstd_layer(raw, window_log=None):
    """A zstd layer (the `zstd` tool's frame; with `window_log`, one naming a 2^window_log window)."""
    command = ["zstd", "-q", "-c"] + ([f"--long={window_log}"] if window_log else [])
    data = subprocess.run(command, input=raw, capture_output=True, check=True).stdout
    return Layer(data, digest_of(raw), oci_layout.OCI_LAYER_ZSTD)


def xz_layer(chunks, dictionary_code=None):
    """An xz layer of the bytes `chunks` yields, compressed with a 1 MiB dictionary. With
    `dictionary_code`, its block header claims another size (liblzma's property byte: 39 is 3 GiB),
    which a decoder allocates before reading any data. Sent under the gzip media type: registries
    do not check, and regscan reads a layer by its bytes."""
    compressor = lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64,
                                     filters=[{"id": lzma.FILTER_LZMA2, "dict_size": MiB, "preset": 0}])
    sha, parts = hashlib.sha256(), []
    for chunk in chunks:
        sha.update(chunk)
        parts.append(compressor.compress(chunk))
    data = bytearray(b"".join(parts) + compressor.flush())
    if dictionary_code is not None:
        # stream header (12 bytes), then the block header: its size, flags, LZMA2's id, one property byte
        assert data[12:16] == b"\x02\x00\x21\x01", "unexpected xz block header"
        data[16] = dictionary_code
        struct.pack_into("<I", data, 20, zlib.crc32(bytes(data[12:20])))
    return Layer(bytes(data), "sha256:" + sha.hexdigest())


def image(layers, config=None, created="2024-01-01T00:00:00Z", diff_ids=None, platform=("linux", "amd64"),
          annotations=None):
    """An OCI image of Layer objects. `config` is merged into the config JSON's
    `config`; `diff_ids` replaces the true rootfs.diff_ids."""
    document = {"created": created, "architecture": platform[1], "os": platform[0],
                "config": dict({"User": "1000", "Healthcheck": {"Test": ["CMD", "true"]}}, **(config or {})),
                "rootfs": {"type": "layers", "diff_ids": diff_ids or [layer.diff_id for layer in layers]},
                "history": [{"created": created, "created_by": "regscan hostile e2e"}]}
    return image_from_config(document, layers, annotations)


def image_from_config(document, layers, annotations=None):
    """An OCI image whose config is exactly `document`."""
    config = Blob(oci_layout.OCI_CONFIG, canonical_json(document))
    body = {"schemaVersion": 2, "mediaType": oci_layout.OCI_MANIFEST, "config": config.descriptor(),
            "layers": [layer.blob.descriptor() for layer in layers]}
    if annotations:
        body["annotations"] = annotations
    unique = {layer.blob.digest: layer.blob for layer in layers}
    return Manifest(Blob(oci_layout.OCI_MANIFEST, canonical_json(body)), [config, *unique.values()])


def index(entries):
    """An OCI index of (Manifest, platform dict) pairs, entries kept as given (repeats too)."""
    body = {"schemaVersion": 2, "mediaType": oci_layout.OCI_INDEX,
            "manifests": [dict(child.blob.descriptor(), platform=platform) for child, platform in entries]}
    dependencies = {}
    for child, _ in entries:
        for blob in [child.blob] + child.dependencies:
            dependencies[blob.digest] = blob
    return Manifest(Blob(oci_layout.OCI_INDEX, canonical_json(body)), list(dependencies.values()))


def dpkg_status(*packages):
    """A dpkg status file of (name, version) installed packages."""
    return b"".join(b"Package: " + name + b"\nStatus: install ok installed\nPriority: optional\n"
                    b"Architecture: amd64\nVersion: " + version + b"\nDescription: e2e\n\n"
                    for name, version in packages)


DEBIAN_OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
PYTHON_SITE = "usr/lib/python3/dist-packages"


def named_image(name):
    """A one-layer Debian image whose only other file is named after `name` (each image its own layer)."""
    safe = name.replace("/", "-").replace(":", "-")
    return image([files_layer({"etc/os-release": DEBIAN_OS_RELEASE, f"srv/{safe}.txt": safe.encode()})])


def requests_image(version, created="2024-01-01T00:00:00Z", dpkg=False):
    """A Debian-looking image with the Python distribution `requests` at `version` (osv_db's
    PYSEC-2018-28 affects it before 2.20.0); `dpkg`: with two Debian packages installed too."""
    files = {"etc/os-release": DEBIAN_OS_RELEASE,
             f"{PYTHON_SITE}/requests-{version}.dist-info/METADATA":
                 f"Metadata-Version: 2.1\nName: requests\nVersion: {version}\n\n".encode()}
    if dpkg:
        files["var/lib/dpkg/status"] = dpkg_status((b"base-files", b"12.4"), (b"libc6", b"2.36-9"))
    return image([files_layer(files)], created=created)


# -- bombs ----------------------------------------------------------------------

def _cached(name, build):
    """(bytes, metadata dict) of a built artefact, from the cache when there."""
    os.makedirs(CACHE, exist_ok=True)
    data_path, meta_path = os.path.join(CACHE, name), os.path.join(CACHE, name + ".json")
    try:
        with open(meta_path) as f:
            meta = json.load(f)
        with open(data_path, "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() == meta["sha256"]:
            return data, meta
    except (OSError, ValueError, KeyError):
        pass
    data, meta = build()
    meta["sha256"] = hashlib.sha256(data).hexdigest()
    for path, content in ((data_path, data), (meta_path, json.dumps(meta).encode())):
        fd, scratch = tempfile.mkstemp(dir=CACHE)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(scratch, path)
    return data, meta


def repeated_gzip(prefix, byte, count, suffix=b""):
    """A gzip member of prefix + byte * count + suffix, and the SHA-256 digest of
    what it inflates to: (gzip bytes, "sha256:..."). Cached."""
    key = hashlib.sha256(repr((prefix, byte, count, suffix)).encode()).hexdigest()[:24]

    def build():
        run = byte * MiB
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = deflate.compress(prefix) + deflate.flush(zlib.Z_FULL_FLUSH)
        segment = deflate.compress(run) + deflate.flush(zlib.Z_FULL_FLUSH)
        whole, rest = divmod(count, MiB)
        # each flushed segment is independent of what came before it
        tail = deflate.compress(run[:rest] + suffix) + deflate.flush(zlib.Z_FINISH)
        crc, sha = zlib.crc32(prefix), hashlib.sha256(prefix)
        for _ in range(whole):
            crc = zlib.crc32(run, crc)
            sha.update(run)
        crc = zlib.crc32(run[:rest] + suffix, crc)
        sha.update(run[:rest] + suffix)
        total = len(prefix) + count + len(suffix)
        data = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + head + segment * whole + tail
                + struct.pack("<II", crc & 0xFFFFFFFF, total & 0xFFFFFFFF))
        return data, {"inflated_digest": "sha256:" + sha.hexdigest(), "inflated_size": total}

    data, meta = _cached("repeated-" + key + ".gz", build)
    return data, meta["inflated_digest"]


def zero_file_layer(path, size, before=None):
    """A gzip layer whose tar holds the `before` entries and then `path`, a file
    of `size` zero bytes (the tar after its header is zeros through to the end)."""
    prefix = tar(before or [])[:-1024] + header(regular(path, b"", size=size)[0])
    data, diff_id = repeated_gzip(prefix, b"\0", size + (-size % 512) + 1024)
    return Layer(data, diff_id)


def many_entries_layer(count):
    """A gzip layer of `count` empty files (many/000000 ...). Cached."""
    def build():
        template = bytearray(tarfile.TarInfo("many/000000").tobuf(tarfile.USTAR_FORMAT))
        template[148:156] = b" " * 8
        base = sum(template) - sum(b"000000")
        blocks = []
        for i in range(count):
            name = b"%06d" % i
            block = bytearray(template)
            block[5:11] = name
            block[148:156] = b"%06o\0 " % (base + sum(name))
            blocks.append(bytes(block))
        raw = b"".join(blocks) + b"\0" * 1024
        return gzip.compress(raw, compresslevel=6, mtime=0), {"diff_id": digest_of(raw)}

    data, meta = _cached(f"many-entries-{count}.gz", build)
    return Layer(data, meta["diff_id"])


def repeated_entry_layer(entry, count):
    """A gzip layer whose tar is one entry's header block(s) `count` times over (an entry without
    content: a whiteout, an empty file), as a bomb of tar headers is: a few MB of gzip holding
    millions of entries. Built from one compressed segment repeated, and cached."""
    block = header(entry[0])
    key = hashlib.sha256(block + b"%d" % count).hexdigest()[:24]

    def build():
        per_segment = max(1, MiB // len(block))
        run = block * per_segment
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        segment = deflate.compress(run) + deflate.flush(zlib.Z_FULL_FLUSH)
        whole, rest = divmod(count, per_segment)
        tail_raw = block * rest + b"\0" * 1024
        tail = deflate.compress(tail_raw) + deflate.flush(zlib.Z_FINISH)
        crc, sha = 0, hashlib.sha256()
        for _ in range(whole):
            crc = zlib.crc32(run, crc)
            sha.update(run)
        crc = zlib.crc32(tail_raw, crc)
        sha.update(tail_raw)
        total = len(run) * whole + len(tail_raw)
        data = (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + segment * whole + tail
                + struct.pack("<II", crc & 0xFFFFFFFF, total & 0xFFFFFFFF))
        return data, {"diff_id": "sha256:" + sha.hexdigest()}

    data, meta = _cached("repeated-entry-" + key + ".gz", build)
    return Layer(data, meta["diff_id"])
