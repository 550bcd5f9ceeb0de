"""Harbor on loopback: its REST API (harbor_api.py), token service and /v2/
front (harbor_registry.py) on one HTTPS origin, as a real Harbor serves
them, in front of a real CNCF distribution registry holding the images.

The server listens on 127.0.0.1 with a certificate for 127.0.0.1 and the
names given, so a test reaches it by a Harbor-looking name
(harbor.example.test, through --resolve) or a neutral one.
"""
import json

from harness import http_server as server
from harness import certs, oci_layout, push, registry

from . import harbor_api, harbor_model, harbor_registry


class Harbor(server.Served):
    def __init__(self, ca):
        self.ca = ca
        self.model = harbor_model.HarborModel()
        self.api = harbor_api.HarborApi(self.model)
        self.upstream = registry.Registry()
        self.front = harbor_registry.RegistryFront(self.model, self.upstream)
        self.server = server.Server(self._route, tls=ca)
        self._pusher = None

    def _route(self, request):
        if request.route.startswith("/api/"):
            return self.api(request)
        if request.route == "/service/token":
            return self.front.token(request)
        if request.route == "/v2" or request.route.startswith("/v2/"):
            return self.front(request)
        return harbor_api.errors(404, "NOT_FOUND", "not found")

    def start(self):
        try:
            self.upstream.start()
            self.server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        if self._pusher:
            self._pusher.close()
            self._pusher = None
        self.server.stop()
        self.front.close()
        self.upstream.stop()

    # -- addresses -------------------------------------------------------------------
    def url_for(self, name):
        return f"https://{name}:{self.port}"

    def authority(self, name="127.0.0.1"):
        return f"{name}:{self.port}"

    def resolve(self, name):
        return f"--resolve={name}:{self.port}:127.0.0.1"

    # -- content ---------------------------------------------------------------------
    @property
    def pusher(self):
        if self._pusher is None:
            self._pusher = push.ApiPusher(self.upstream)
        return self._pusher

    def add_user(self, name, password, **rights):
        self.model.users[name] = harbor_model.User(password, **rights)

    def publish(self, full_name, tag, manifest, push_time, created=None, platform=None):
        """Pushes `manifest` (image or index) to the registry, by tag or, with
        tag None, by digest only (an untagged artifact), and lists it in Harbor."""
        pusher = self.pusher
        reference = tag or manifest.digest
        pusher.push(full_name, reference, manifest)
        references = []
        if manifest.media_type == oci_layout.OCI_INDEX:
            for entry in json.loads(manifest.data)["manifests"]:
                references.append((entry["digest"], entry.get("platform", {})))
        artifact = harbor_model.Artifact(manifest.digest, manifest.media_type, push_time,
                                         tags=[(tag, push_time)] if tag else [], references=references,
                                         created=created, platform=platform)
        return self.model.add_artifact(full_name, artifact)

    def list_only(self, full_name, digest, push_time, tags=(), media_type=oci_layout.OCI_MANIFEST):
        """An artifact Harbor lists without its registry holding it (API-only listings)."""
        artifact = harbor_model.Artifact(digest, media_type, push_time, tags=[(t, push_time) for t in tags])
        return self.model.add_artifact(full_name, artifact)


def serve_for_class(test_class, directory, name, admin):
    """(CA, started Harbor) for a test class: the Harbor on HTTPS for `name` and 127.0.0.1 with a CA made
    in `directory`, stopped with the class, `admin` (user, password) its system administrator."""
    ca = certs.CertificateAuthority(directory, names=f"DNS:{name},IP:127.0.0.1", common_name=name)
    harbor = Harbor(ca)
    test_class.addClassCleanup(harbor.stop)
    harbor.start()
    harbor.add_user(*admin, admin=True)
    return ca, harbor

