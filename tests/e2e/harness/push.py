"""Put content into a registry: skopeo for real pushes, the HTTP API for bulk copies."""
import base64
import http.client
import subprocess
import tempfile
import urllib.parse

from . import oci_layout


def skopeo_push(registry, manifests, creds=None):
    """Push {"repo:tag": oci_layout.Manifest} with skopeo from an OCI layout.

    --all keeps indexes whole and --preserve-digests makes skopeo fail rather than
    rewrite a manifest, so the registry holds exactly the bytes (and digests) built here.
    skopeo 1.9 pushes non-image artifacts (Helm config, OCI 1.1 artifactType) unchanged.
    """
    with tempfile.TemporaryDirectory(prefix="regscan-e2e-layout-") as layout:
        refs = {f"ref{i}": m for i, m in enumerate(manifests.values())}
        oci_layout.write_layout(layout, refs)
        for (target, _), ref in zip(manifests.items(), refs):
            command = ["skopeo", "--insecure-policy", "copy", "--quiet", "--all",
                       "--preserve-digests", "--dest-tls-verify=false",
                       f"oci:{layout}:{ref}", f"docker://{registry.host}/{target}"]
            if creds:
                command[4:4] = ["--dest-creds", f"{creds[0]}:{creds[1]}"]
            result = subprocess.run(command, capture_output=True, text=True, timeout=120)
            if result.returncode != 0:
                raise RuntimeError(f"skopeo push of {target} failed: {result.stderr}")


class ApiPusher:
    """Creates repositories and tags through the registry HTTP API (plain or Basic auth)."""

    def __init__(self, registry, creds=None):
        self.registry = registry
        self.connection = None
        self.headers = {}
        if creds:
            token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"

    def _send(self, method, path, body, headers):
        """One request on a kept-alive connection (bulk pushes make hundreds)."""
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = self.registry.connection()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.headers, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _request(self, method, path, body=None, headers=None, expect=(200, 201, 202)):
        status, response_headers, data = self._send(
            method, path, body, dict(self.headers, **(headers or {})))
        if status not in expect:
            raise RuntimeError(f"{method} {path} -> {status}: {data[:300]!r}")
        return response_headers

    def mount_blob(self, digest, from_repo, to_repo):
        """Cross-repository blob mount; falls back to nothing, the mount must succeed."""
        query = urllib.parse.urlencode({"mount": digest, "from": from_repo})
        self._request("POST", f"/v2/{to_repo}/blobs/uploads/?{query}", expect=(201,))

    def upload_blob(self, repo, data):
        """Monolithic upload: POST to open a session, PUT the bytes with ?digest=."""
        headers = self._request("POST", f"/v2/{repo}/blobs/uploads/", expect=(202,))
        location = urllib.parse.urlparse(headers["Location"])
        separator = "&" if location.query else ""
        path = (f"{location.path}?{location.query}{separator}"
                f"digest={urllib.parse.quote(oci_layout.digest_of(data))}")
        self._request("PUT", path, body=data,
                      headers={"Content-Type": "application/octet-stream"}, expect=(201,))

    def put_manifest(self, repo, reference, media_type, data):
        self._request("PUT", f"/v2/{repo}/manifests/{reference}", body=data,
                      headers={"Content-Type": media_type}, expect=(201,))

    def push(self, repo, tag, manifest):
        """Push a Manifest (with its blobs) by uploading everything."""
        manifest_types = (oci_layout.OCI_MANIFEST, oci_layout.OCI_INDEX,
                          oci_layout.DOCKER_MANIFEST, oci_layout.DOCKER_LIST)
        for blob in manifest.dependencies:
            if blob.media_type not in manifest_types:
                self.upload_blob(repo, blob.data)
        for blob in manifest.dependencies:  # children before the index that names them
            if blob.media_type in manifest_types:
                self.put_manifest(repo, blob.digest, blob.media_type, blob.data)
        self.put_manifest(repo, tag, manifest.media_type, manifest.data)

    def copy(self, manifest, from_repo, to_repo, tag):
        """Tag an already pushed single-platform image into another repository."""
        if from_repo != to_repo:
            for blob in manifest.dependencies:
                self.mount_blob(blob.digest, from_repo, to_repo)
        self.put_manifest(to_repo, tag, manifest.media_type, manifest.data)


def push_manifest(registry, target, manifest):
    """Pushes `manifest` and its blobs as "repository:tag" through the registry API."""
    pusher = ApiPusher(registry)
    repo, tag = target.rsplit(":", 1)
    for blob in manifest.dependencies:
        pusher.upload_blob(repo, blob.data)
    pusher.put_manifest(repo, tag, manifest.media_type, manifest.data)
    pusher.close()
