#!/usr/bin/env python3
"""Writes the demo's sample images into an OCI image layout, with the
project's own layout writer (tests/e2e/harness/oci_layout.py):

  base: this machine's /etc/os-release and /var/lib/dpkg/status, run as root
  app:  base plus old Python distributions with published advisories, and a
        token left in its environment

usage: demo_images.py LAYOUT_DIR
"""
import gzip
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import oci_layout as oci  # noqa: E402

SITE = "usr/lib/python3/dist-packages"
# Versions matched by the real records in data/demo-osv (see its README).
DISTRIBUTIONS = [("requests", "2.19.1"), ("urllib3", "1.24.1"), ("Jinja2", "2.10"), ("PyYAML", "5.1")]


def image(layers, created, config):
    blobs = [oci.Blob(oci.OCI_LAYER_GZIP, oci.tar_gz(files)) for files in layers]
    document = {"created": created, "architecture": "amd64", "os": "linux", "config": config,
                "rootfs": {"type": "layers", "diff_ids": [oci.digest_of(gzip.decompress(b.data)) for b in blobs]},
                "history": [{"created": created, "created_by": "regscan demo"} for _ in blobs]}
    config_blob = oci.Blob(oci.OCI_CONFIG, oci.canonical_json(document))
    manifest = {"schemaVersion": 2, "mediaType": oci.OCI_MANIFEST, "config": config_blob.descriptor(),
                "layers": [b.descriptor() for b in blobs]}
    return oci.Manifest(oci.Blob(oci.OCI_MANIFEST, oci.canonical_json(manifest)), [config_blob, *blobs])


def main():
    with open("/etc/os-release", "rb") as f:
        os_release = f.read()
    with open("/var/lib/dpkg/status", "rb") as f:
        dpkg_status = f.read()
    base_files = {"etc/os-release": os_release, "var/lib/dpkg/status": dpkg_status}
    app_files = {f"{SITE}/{name}-{version}.dist-info/METADATA":
                 f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
                 for name, version in DISTRIBUTIONS}
    base = image([base_files], "2024-03-01T12:00:00Z", {"User": "root"})
    app = image([base_files, app_files], "2024-05-01T08:30:00Z",
                {"User": "1000", "Env": ["PATH=/usr/bin:/bin", "API_TOKEN=demo-not-a-real-token-1234"]})
    oci.write_layout(sys.argv[1], {"base": base, "app": app})


if __name__ == "__main__":
    main()
