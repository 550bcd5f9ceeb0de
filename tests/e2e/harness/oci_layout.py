"""The project's own OCI image-layout writer.

Builds images, multi-platform indexes and non-image artifacts byte for byte,
so a test knows every digest and every `created` time it pushed.
"""
import gzip
import hashlib
import io
import json
import os
import tarfile

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json"
HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
SBOM_ARTIFACT = "application/spdx+json"
COSIGN_SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
COSIGN_SIG_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json"


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical_json(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def tar(files):
    """A deterministic tar of {path: bytes} (root owned, mode 0644)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(files):
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size = len(files[path])
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(files[path]))
    return raw.getvalue()


def tar_gz(files):
    """A deterministic gzipped tar of {path: bytes} (mtime 0, root owned)."""
    return gzip.compress(tar(files), mtime=0)


class Blob:
    """Content plus its descriptor."""

    def __init__(self, media_type, data, **extra):
        self.media_type = media_type
        self.data = data
        self.digest = digest_of(data)
        self.extra = extra

    def descriptor(self):
        desc = {"mediaType": self.media_type, "digest": self.digest, "size": len(self.data)}
        desc.update(self.extra)
        return desc


class Manifest:
    """A manifest (or index) with the blobs it needs, children included."""

    def __init__(self, blob, dependencies):
        self.blob = blob
        self.dependencies = dependencies  # every blob reachable from it, manifests included

    @property
    def digest(self):
        return self.blob.digest

    @property
    def media_type(self):
        return self.blob.media_type

    @property
    def data(self):
        return self.blob.data


def image(created, os_name="linux", arch="amd64", variant=None, files=None):
    """A single-platform OCI image whose config says `created`."""
    files = files or {"etc/os-release": b'ID=regscan-e2e\nVERSION_ID="1"\n'}
    layer = Blob(OCI_LAYER_GZIP, tar_gz(files))
    diff_id = digest_of(gzip.decompress(layer.data))
    config = {
        "created": created,
        "architecture": arch,
        "os": os_name,
        "config": {"Env": ["PATH=/usr/bin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": created, "created_by": "regscan e2e"}],
    }
    if variant:
        config["variant"] = variant
    config_blob = Blob(OCI_CONFIG, canonical_json(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config_blob.descriptor(),
        "layers": [layer.descriptor()],
    }
    return Manifest(Blob(OCI_MANIFEST, canonical_json(manifest)), [config_blob, layer])


def index(children):
    """A multi-platform OCI index of (image Manifest, platform dict) pairs."""
    entries, deps = [], []
    for child, platform in children:
        entries.append(dict(child.blob.descriptor(), platform=platform))
        deps += [child.blob] + child.dependencies
    body = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}
    return Manifest(Blob(OCI_INDEX, canonical_json(body)), deps)


def helm_chart(name="demo", version="0.1.0"):
    """A Helm chart as pushed by `helm push`: not an image."""
    config = Blob(HELM_CONFIG, canonical_json(
        {"apiVersion": "v2", "name": name, "version": version}))
    chart = Blob(HELM_CHART, tar_gz({f"{name}/Chart.yaml":
                                     f"apiVersion: v2\nname: {name}\nversion: {version}\n".encode()}))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": config.descriptor(),
        "layers": [chart.descriptor()],
    }
    return Manifest(Blob(OCI_MANIFEST, canonical_json(manifest)), [config, chart])


def sbom_artifact():
    """An OCI 1.1 artifact (artifactType, empty config), e.g. an SBOM: not an image."""
    empty = Blob(OCI_EMPTY, b"{}")
    sbom = Blob(SBOM_ARTIFACT, canonical_json({"spdxVersion": "SPDX-2.3", "name": "e2e"}))
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": SBOM_ARTIFACT,
        "config": empty.descriptor(),
        "layers": [sbom.descriptor()],
    }
    return Manifest(Blob(OCI_MANIFEST, canonical_json(manifest)), [empty, sbom])


def cosign_signature(signed_digest):
    """A signature as cosign pushes it to tag sha256-<digest>.sig: an image config
    media type (zero-valued, created 0001-01-01) over a simplesigning payload layer."""
    payload = Blob(COSIGN_SIMPLESIGNING, canonical_json({
        "critical": {"identity": {"docker-reference": "e2e"}, "image":
                     {"docker-manifest-digest": signed_digest}, "type": "cosign container image signature"},
        "optional": None}), annotations={"dev.cosignproject.cosign/signature": "MEUCIQ=="})
    config = Blob(OCI_CONFIG, canonical_json({
        "architecture": "", "os": "", "created": "0001-01-01T00:00:00Z",
        "history": [{"created": "0001-01-01T00:00:00Z"}], "config": {},
        "rootfs": {"type": "layers", "diff_ids": [payload.digest]}}))
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": config.descriptor(), "layers": [payload.descriptor()]}
    return Manifest(Blob(OCI_MANIFEST, canonical_json(manifest)), [config, payload])


def cosign_oci11_signature():
    """A cosign signature in the OCI 1.1 form: artifactType, empty config."""
    empty = Blob(OCI_EMPTY, b"{}")
    bundle = Blob("application/vnd.dev.sigstore.bundle.v0.3+json",
                  canonical_json({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}))
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "artifactType": COSIGN_SIG_ARTIFACT,
                "config": empty.descriptor(), "layers": [bundle.descriptor()]}
    return Manifest(Blob(OCI_MANIFEST, canonical_json(manifest)), [empty, bundle])


def write_layout(path, refs):
    """Write an OCI image layout at `path` holding {ref name: Manifest}."""
    blobs_dir = os.path.join(path, "blobs", "sha256")
    os.makedirs(blobs_dir, exist_ok=True)
    with open(os.path.join(path, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    entries = []
    for ref, manifest in sorted(refs.items()):
        for blob in [manifest.blob] + manifest.dependencies:
            target = os.path.join(blobs_dir, blob.digest.split(":", 1)[1])
            if not os.path.exists(target):
                with open(target, "wb") as f:
                    f.write(blob.data)
        entries.append(dict(manifest.blob.descriptor(),
                            annotations={"org.opencontainers.image.ref.name": ref}))
    with open(os.path.join(path, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}, f)
    return path


# Docker formats (schema2 and manifest list). An OCI layout cannot hold them as-is,
# so tests push these through the registry HTTP API (push.ApiPusher.push).
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def docker_image(created, os_name="linux", arch="amd64"):
    """A Docker schema2 image whose config says `created`."""
    layer = Blob(DOCKER_LAYER, tar_gz({"etc/os-release": f"ID=docker-{arch}\n".encode()}))
    config = Blob(DOCKER_CONFIG, canonical_json({
        "created": created, "architecture": arch, "os": os_name,
        "config": {}, "rootfs": {"type": "layers",
                                 "diff_ids": [digest_of(gzip.decompress(layer.data))]}}))
    manifest = {"schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
                "config": config.descriptor(), "layers": [layer.descriptor()]}
    return Manifest(Blob(DOCKER_MANIFEST, canonical_json(manifest)), [config, layer])


def docker_manifest_list(children):
    """A Docker manifest list of (docker_image Manifest, platform dict) pairs."""
    entries, deps = [], []
    for child, platform in children:
        entries.append(dict(child.blob.descriptor(), platform=platform))
        deps += [child.blob] + child.dependencies
    body = {"schemaVersion": 2, "mediaType": DOCKER_LIST, "manifests": entries}
    return Manifest(Blob(DOCKER_LIST, canonical_json(body)), deps)
