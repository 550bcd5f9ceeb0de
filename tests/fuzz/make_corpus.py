#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<harness>/ from the test
fixtures and a few hand-made inputs (a gzip'd, a zstd and a plain tar layer,
manifests, challenges, Link headers, plugin answers). Run it again after
changing a harness's input format and commit what changes (the rpm and
SQLite databases differ a little from run to run).
Needs python3 and the zstd tool; /work/shared/reference (REGSCAN_SHARED_DIR)
adds the version vectors and an rpm Berkeley DB when present."""
import gzip
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tarfile
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, "..", ".."))
fixtures = os.path.join(root, "tests", "fixtures")
shared = os.environ.get("REGSCAN_SHARED_DIR", os.path.normpath(os.path.join(root, "..", "shared")))
corpus = os.path.join(here, "corpus")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(harness, name, data):
    if isinstance(data, str):
        data = data.encode()
    directory = os.path.join(corpus, harness)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def js(value):
    return json.dumps(value, separators=(",", ":"))


# ---- fuzz_manifest: content-type byte + body ----
def manifests():
    cfg = {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + "a" * 64, "size": 7}
    layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + "b" * 64, "size": 9}
    image = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": cfg,
             "layers": [layer, dict(layer, urls=["https://foreign.example/l"])]}
    docker = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
              "config": dict(cfg, mediaType="application/vnd.docker.container.image.v1+json"),
              "layers": [dict(layer, mediaType="application/vnd.docker.image.rootfs.diff.tar.gzip")]}
    entry = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + "c" * 64, "size": 5}
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        dict(entry, platform={"os": "linux", "architecture": "amd64"}),
        dict(entry, platform={"os": "linux", "architecture": "arm64", "variant": "v8"}),
        dict(entry, platform={"os": "linux", "architecture": "arm", "variant": "v7"}),
        dict(entry, platform={"os": "unknown", "architecture": "unknown"},
             annotations={"vnd.docker.reference.type": "attestation-manifest"}),
        dict(entry, artifactType="application/vnd.example.sbom"),
        entry]}
    artifact = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "artifactType": "application/vnd.cncf.helm.chart",
                "config": dict(cfg, mediaType="application/vnd.cncf.helm.config.v1+json"),
                "layers": [dict(layer, mediaType="application/vnd.cncf.helm.chart.content.v1.tar+gzip")]}
    schema1 = {"schemaVersion": 1, "name": "a/b", "tag": "1", "fsLayers": [{"blobSum": "sha256:" + "d" * 64}]}
    no_type_list = {"schemaVersion": 2, "manifests": [dict(entry, platform={"os": "windows", "architecture": "amd64",
                                                                              "os.version": "10.0"})]}
    write("manifest", "oci-image", b"\x02" + js(image).encode())
    write("manifest", "docker-image", b"\x04" + js(docker).encode())
    write("manifest", "oci-index", b"\x01" + js(index).encode())
    write("manifest", "docker-list-no-media-type", b"\x03" + js(no_type_list).encode())
    write("manifest", "helm-artifact", b"\x02" + js(artifact).encode())
    write("manifest", "schema1", b"\x05" + js(schema1).encode())
    write("manifest", "not-json", b"\x00<html>not found</html>")


# ---- fuzz_layer: chunk-size byte + layer blob ----
def tar_of(entries):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry["name"])
            info.mtime = 1700000000
            info.mode = entry.get("mode", 0o644)
            info.type = entry.get("type", tarfile.REGTYPE)
            info.linkname = entry.get("link", "")
            data = entry.get("data", b"")
            info.size = len(data) if info.type == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
    return out.getvalue()


def zstd(data):
    return subprocess.run(["zstd", "-q", "-c", "-19"], input=data, stdout=subprocess.PIPE, check=True).stdout


def layers():
    os_release = read(os.path.join(fixtures, "catalog", "os-release", "quoting"))
    status = read(os.path.join(fixtures, "catalog", "dpkg", "status.d", "libssl3"))
    apk = b"P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\nP:busybox\nV:1.36.1-r5\nA:x86_64\no:busybox\n"
    metadata = read(os.path.join(fixtures, "catalog", "python", "METADATA"))
    base = tar_of([
        {"name": "etc", "type": tarfile.DIRTYPE, "mode": 0o755},
        {"name": "etc/os-release", "data": os_release},
        {"name": "var/lib/dpkg/status.d/libssl3", "data": status},
        {"name": "lib/apk/db/installed", "data": apk},
        {"name": "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA", "data": metadata},
        {"name": "usr/bin/su", "data": b"\x7fELF", "mode": 0o4755},
        {"name": "root/.ssh/id_rsa", "data": b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"},
        {"name": "usr/lib/os-release", "type": tarfile.SYMTYPE, "link": "../../etc/os-release"},
        {"name": "var/lib/dpkg/status", "type": tarfile.LNKTYPE, "link": "var/lib/dpkg/status.d/libssl3"},
    ])
    upper = tar_of([
        {"name": "etc/.wh.os-release"},
        {"name": "var/lib/dpkg/status.d/.wh..wh..opq"},
        {"name": "./a/../" + "long-directory-name/" * 8 + "file", "data": b"x"},
        {"name": "../escapes", "data": b"y"},
    ])
    write("layer", "plain-tar", b"\x00" + base)
    write("layer", "gzip-tar", b"\x07" + gzip.compress(base, mtime=0))
    write("layer", "gzip-two-members", b"\x01" + gzip.compress(base[:1024], mtime=0) + gzip.compress(base[1024:], mtime=0))
    write("layer", "zstd-tar", b"\x03" + zstd(base))
    write("layer", "whiteouts-zstd", b"\x02" + zstd(upper))
    write("layer", "whiteouts-plain", b"\xff" + upper)
    write("layer", "gzip-cut-short", b"\x00" + gzip.compress(base, mtime=0)[:300])


# ---- fuzz_catalogers: cataloger byte + path byte + content ----
# Order of catalog::all_catalogers(), then the direct readers.
OS_RELEASE, DPKG, APK, RPM, NPM, PYTHON, JAVA, GO, RPM_HEADER, GO_MODINFO, ELF = range(11)


def rpm_header_blob(tags):
    """tags: list of (tag, type, value); type 6 string, 4 int32."""
    index, store = b"", b""
    for tag, kind, value in tags:
        if kind == 4:
            while len(store) % 4:
                store += b"\0"
            index += struct.pack(">iiii", tag, kind, len(store), 1)
            store += struct.pack(">I", value)
        else:
            index += struct.pack(">iiii", tag, kind, len(store), 1)
            store += value.encode() + b"\0"
    return struct.pack(">ii", len(tags), len(store)) + index + store


def elf_with_buildinfo():
    """A 64-bit little-endian ELF, no section table, carrying Go 1.18+ inline build info."""
    modinfo = ("0" * 16 + "path\texample.com/hello\nmod\texample.com/hello\t(devel)\t\n"
               "dep\tgolang.org/x/text\tv0.14.0\th1:abc=\n"
               "dep\texample.com/old\tv1.0.0\n=>\texample.com/new\tv1.2.0\th1:def=\n" + "\n" + "1" * 15)
    def varint(n):
        out = b""
        while True:
            byte = n & 0x7F
            n >>= 7
            out += bytes([byte | (0x80 if n else 0)])
            if not n:
                return out
    version = b"go1.21.5"
    header = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    header += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x401000, 0, 0, 0, 64, 56, 0, 64, 0, 0)
    body = header.ljust(128, b"\0")
    info = b"\xff Go buildinf:" + bytes([8, 2]) + b"\0" * 16
    info += varint(len(version)) + version + varint(len(modinfo)) + modinfo.encode()
    return body + info


def elf_old_buildinfo():
    """The pre-1.18 form: pointers to Go string headers, resolved through a PT_LOAD segment."""
    base = 0x400000
    ehdr = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    ehdr += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, base, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    phdr_size = 56
    info_at = 128
    version_header_at = info_at + 32
    modinfo_header_at = version_header_at + 16
    version_at = modinfo_header_at + 16
    version = b"go1.16.15"
    modinfo = b"0" * 16 + b"path\texample.com/old\nmod\texample.com/old\tv0.1.0\t\n" + b"1" * 16
    modinfo_at = version_at + len(version)
    total = modinfo_at + len(modinfo)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, total, total, 0x1000)
    body = (ehdr + phdr).ljust(info_at, b"\0")
    body += b"\xff Go buildinf:" + bytes([8, 0]) + struct.pack("<QQ", base + version_header_at, base + modinfo_header_at)
    body += struct.pack("<QQ", base + version_at, len(version)) + struct.pack("<QQ", base + modinfo_at, len(modinfo))
    body += version + modinfo
    return body


def jar(nested=True):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("META-INF/MANIFEST.MF", (2020, 1, 1, 0, 0, 0)),
                   "Manifest-Version: 1.0\r\nImplementation-Title: demo\r\nImplementation-Version: 1.0\r\n")
        z.writestr(zipfile.ZipInfo("META-INF/maven/org.example/demo/pom.properties", (2020, 1, 1, 0, 0, 0)),
                   "#Generated\ngroupId=org.example\nartifactId=demo\nversion=1.2.3\n")
        if nested:
            z.writestr(zipfile.ZipInfo("BOOT-INF/lib/inner.jar", (2020, 1, 1, 0, 0, 0)), jar(False))
    return out.getvalue()


def sqlite_image(*statements):
    work = subprocess.run(["mktemp", "-d"], stdout=subprocess.PIPE, check=True, text=True).stdout.strip()
    try:
        path = os.path.join(work, "db.sqlite")
        db = sqlite3.connect(path)
        for statement in statements:
            db.execute(statement)
        db.commit()
        db.close()
        return read(path)
    finally:
        shutil.rmtree(work)


def bdb_image(items, overflow):
    """As bdb_image() in test_catalog_rpm.cpp: 512-byte pages, off-page items {first, total}."""
    page = 512
    db = bytearray((2 + len(overflow)) * page)
    struct.pack_into("<I", db, 12, 0x061561)
    struct.pack_into("<I", db, 20, page)
    db[25] = 8
    db[page + 25] = 13
    struct.pack_into("<H", db, page + 20, 2 * len(items))
    key_at = page - 4
    db[page + key_at] = 1
    item_at = key_at
    for i, (first, total) in enumerate(items):
        item_at -= 12
        db[page + item_at] = 3
        struct.pack_into("<II", db, page + item_at + 4, first, total)
        struct.pack_into("<HH", db, page + 26 + 4 * i, key_at, item_at)
    for i, length in enumerate(overflow):
        db[(2 + i) * page + 25] = 7
        struct.pack_into("<H", db, (2 + i) * page + 22, length)
    return bytes(db)


def catalogers():
    cat = os.path.join(fixtures, "catalog")
    seed = lambda name, which, path_byte, content: write("catalogers", name, bytes([which, path_byte]) + content)
    seed("os-release", OS_RELEASE, 0, read(os.path.join(cat, "os-release", "quoting")))
    seed("os-release-usr-lib", OS_RELEASE, 1, b"ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")
    for name in sorted(os.listdir(os.path.join(cat, "dpkg", "status.d"))):
        seed("dpkg-" + name, DPKG, 1, read(os.path.join(cat, "dpkg", "status.d", name)))
    status = b"\n".join(read(os.path.join(cat, "dpkg", "status.d", n)) for n in ("bsdutils", "tzdata"))
    seed("dpkg-status", DPKG, 0, status)
    apk_db = os.path.join(shared, "reference", "package-dbs", "apk", "query-installed.data")
    apk = read(apk_db)[:6000] if os.path.exists(apk_db) else b"P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n"
    seed("apk-installed", APK, 0, apk[: apk.rfind(b"\n\n") + 2])
    bdb = os.path.join(shared, "reference", "package-dbs", "rpm", "libuuid-Packages.bdb")
    if os.path.exists(bdb):
        seed("rpm-bdb", RPM, 1, read(bdb))
    if shutil.which("rpmbuild"):
        work = subprocess.run(["mktemp", "-d"], stdout=subprocess.PIPE, check=True, text=True).stdout.strip()
        try:
            subprocess.run([os.path.join(cat, "rpm", "make-rpmdb.sh"), work], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seed("rpm-sqlite", RPM, 0, read(os.path.join(work, "rpmdb.sqlite")))
        finally:
            shutil.rmtree(work)
    # Regression seeds: a Packages that never ends, one computed per row (see test_catalog_rpm.cpp).
    seed("rpm-sqlite-endless-view", RPM, 0, sqlite_image(
        "CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT x AS hnum, x'00' AS blob FROM c"))
    seed("rpm-sqlite-computed", RPM, 0, sqlite_image(
        "CREATE TABLE Packages(hnum INTEGER PRIMARY KEY, b BLOB, "
        "blob BLOB GENERATED ALWAYS AS (zeroblob(1000000000)) VIRTUAL)",
        "INSERT INTO Packages(hnum, b) VALUES (1, x'00'), (2, x'00')"))
    seed("rpm-bdb-lying-length", RPM, 1, bdb_image([(2, 0xF0000000)], [100]))
    seed("rpm-bdb-shared-chain", RPM, 1, bdb_image([(2, 100)] * 10, [100]))
    seed("rpm-ndb-garbage", RPM, 2, b"RpmP" + b"\0" * 60)
    for name in sorted(os.listdir(os.path.join(cat, "npm"))):
        seed("npm-" + name, NPM, 0, read(os.path.join(cat, "npm", name)))
    seed("npm-installed", NPM, 1, js({"name": "left-pad", "version": "1.3.0"}).encode())
    seed("python-metadata", PYTHON, 0, read(os.path.join(cat, "python", "METADATA")))
    seed("python-pkg-info", PYTHON, 1, b"Metadata-Version: 1.1\nName: legacy\nVersion: 0.9\n\nbody\n")
    seed("java-jar", JAVA, 0, jar())
    seed("go-inline", GO, 0x80, elf_with_buildinfo())
    seed("go-pointers", GO, 0x80, elf_old_buildinfo())
    seed("rpm-header", RPM_HEADER, 0, rpm_header_blob([(1000, 6, "openssl"), (1001, 6, "3.0.7"), (1002, 6, "27.el9"),
                                                         (1003, 4, 1), (1022, 6, "x86_64"),
                                                         (1044, 6, "openssl-3.0.7-27.el9.src.rpm")]))
    seed("go-modinfo", GO_MODINFO, 0, b"path\tx\nmod\tx\t(devel)\t\ndep\ta/b\tv1.0.0\th1:x=\n=>\t./local\t\n")
    seed("go-toolchain", GO_MODINFO, 0, b"go1.21rc2")
    seed("elf-old", ELF, 0, elf_old_buildinfo())


# ---- fuzz_versions: scheme byte + "a\nb\nc" ----
def versions():
    schemes = {"dpkg.tsv": 0, "dpkg-perl.tsv": 0, "rpm.tsv": 1, "apk.tsv": 2, "semver.tsv": 3, "semver-loose.tsv": 3,
               "pep440.tsv": 4, "maven.tsv": 5}
    directory = os.path.join(shared, "reference", "versions")
    pairs = {}
    if os.path.isdir(directory):
        for name, scheme in schemes.items():
            path = os.path.join(directory, name)
            if not os.path.exists(path):
                continue
            lines = [l.split("\t") for l in read(path).decode().splitlines() if l and not l.startswith("#")]
            lines = [l for l in lines if len(l) >= 3]
            # A few triples per file: each line's pair and the next line's right side.
            for i in range(0, len(lines), max(1, len(lines) // 12)):
                third = lines[(i + 1) % len(lines)][2]
                pairs[f"{name}-{i}"] = bytes([scheme]) + f"{lines[i][0]}\n{lines[i][2]}\n{third}".encode()
    builtin = {
        "debian": (0, "1:2.30-1ubuntu1~22.04\n2.30-1\n1:2.30-1"),
        "rpm": (1, "2:1.2.3-4.el9\n1.2.3^git1-4\n1.2.3~rc1-4"),
        "alpine": (2, "1.2.3_rc1-r0\n1.2.3-r1\n1.2.3_p1"),
        "semver": (3, "1.0.0-alpha.1+build.5\n1.0.0\n1.0.0-beta"),
        "pep440": (4, "1!1.0.post1.dev2+local.7\n1.0rc1\nv1.0-a1"),
        "maven": (5, "1.0-SNAPSHOT\n1.0.0.RELEASE\n1-sp2"),
        "go": (6, "v1.2.3-pre+meta\nv1.2.3\n1.2"),
        "generic": (7, "20240101.1\n2024.01\nabc"),
    }
    for name, (scheme, text) in builtin.items():
        pairs[name] = bytes([scheme]) + text.encode()
    for name, data in pairs.items():
        write("versions", name, data)


# ---- fuzz_osv_record: one record ----
def osv():
    base = os.path.join(fixtures, "osv")
    for ecosystem in sorted(os.listdir(base)):
        path = os.path.join(base, ecosystem)
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                write("osv_record", name, read(os.path.join(path, name)))
    write("osv_record", "semver-withdrawn.json", js({
        "id": "GHSA-xxxx", "modified": "2024-01-02T03:04:05+01:00", "withdrawn": "2024-02-01T00:00:00Z",
        "summary": "Important: test", "aliases": ["CVE-2024-1"],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [{"package": {"ecosystem": "crates.io", "name": "x"},
                      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]},
                                 {"type": "GIT", "repo": "https://g", "events": [{"introduced": "abc"}]}],
                      "versions": ["1.0.0"], "database_specific": {"severity": "HIGH"}}]}))

    # Regression seed: a number beyond a double (json out_of_range, see test_vulndb_osv_record.cpp).
    write("osv_record", "number-overflow.json", '{"id": "GHSA-aaaa-bbbb-cccc", "modified": "2024-01-02T03:04:05Z", '
          '"database_specific": {"cvss": 999999999998.9999e99994}}')


# ---- fuzz_challenge: header value ----
def challenges():
    values = [
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
        'Basic realm="Registry, Inc", Bearer realm="https://t/x",error="insufficient_scope",scope="repository:a:pull,push"',
        'Basic realm="say \\"hi\\""',
        'Bearer Realm="r", SERVICE=svc',
        'Negotiate, Bearer realm=https://t/token,service=s',
        'https://r.example/v2/team/app/manifests/latest\nBearer realm="x"',
        'https://r.example/v2/_catalog?n=1000',
    ]
    for i, value in enumerate(values):
        write("challenge", f"challenge-{i}", value)


# ---- fuzz_link: page URL \n Link header ----
def links():
    values = [
        'http://h:1/v2/_catalog?n=5\n</v2/_catalog?last=b&n=2>; rel="next"',
        'https://x/p?a=2\n<https://x/p?a=1>; rel="prev", <https://x/p?a=3>; rel="next"',
        'https://x/a/b\n<c>; rel=next',
        'https://user:pw@[::1]:5000/prefix/v2/team/app/tags/list?n=1000\n<?last=t&n=1000>; rel="next"; type="json"',
        'https://r/v2/\n<https://other.example/v2/_catalog>; rel="next"',
        'https://r/v2/_catalog\n<a,b>; rel="prev"',
    ]
    for i, value in enumerate(values):
        write("link", f"link-{i}", value)


# ---- fuzz_plugin_json: mode byte + JSON (or header block) ----
def plugin_json():
    write("plugin_json", "repositories", b"\x00" + js([{"name": "team/app"}, {"name": "library/nginx",
          "pull_base": "https://registry-1.docker.io", "pull_name": "library/nginx",
          "reference": "docker.io/library/nginx"}, {"name": "Bad Name"}]).encode())
    write("plugin_json", "tags", b"\x01" + js([{"tag": "1.0", "digest": "sha256:" + "a" * 64,
          "created": "2024-01-01T00:00:00Z", "pushed": "2024-01-02T00:00:00Z",
          "media_type": "application/vnd.oci.image.index.v1+json",
          "platforms": [{"platform": "linux/arm64/v8", "digest": "sha256:" + "b" * 64}, {"platform": "bogus"}]},
          {"digest": "sha256:" + "c" * 64}, {"tag": "-bad"}]).encode())
    write("plugin_json", "identify", b"\x02" + js({"score": 90, "type": "ECR"}).encode())
    write("plugin_json", "authorize", b"\x02" + js({"authorization": "Bearer abc"}).encode())
    write("plugin_json", "session-config", b"\x03" + js({"url": "https://r", "type": "DEFAULT_V2", "username": "u",
          "password": "p", "options": {"ecr-endpoint": "x"}, "limits": {"repositories": 10, "tags": 5},
          "ping": {"status": 401, "headers": {"www-authenticate": "Bearer realm=x"}, "error": ""},
          "method": "GET", "scope": "repository:a:pull",
          "challenge": {"scheme": "Bearer", "params": {"realm": "https://t"}}}).encode())
    write("plugin_json", "headers", b"\x04HTTP/1.1 200 OK\r\nLink: </v2/_catalog?last=a>; rel=\"next\"\r\n"
          b"WWW-Authenticate: Bearer realm=\"x\"\r\nContent-Type: application/json\r\n\r\n")
    write("plugin_json", "image-config", b"\x05" + js({
        "architecture": "amd64", "os": "linux",
        "config": {"User": "", "Env": ["PATH=/usr/bin", "DB_PASSWORD=hunter2", "X=AKIAABCDEFGHIJKLMNOP"],
                   "Labels": {"token": "ghp_" + "a" * 36}, "ExposedPorts": {"22/tcp": {}},
                   "Healthcheck": {"Test": ["NONE"]}},
        "history": [{"created_by": "ADD https://example.com/x.tgz /x"}, {"created_by": "RUN curl x | sh"}],
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "d" * 64]}}).encode())


def main():
    if os.path.isdir(corpus):
        shutil.rmtree(corpus)
    manifests()
    layers()
    catalogers()
    versions()
    osv()
    challenges()
    links()
    plugin_json()
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(corpus) for f in fs)
    print(f"corpus: {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
