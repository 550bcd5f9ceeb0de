"""Quay on loopback: the API (quay_api.py) and the registry endpoints
(quay_registry.py) on one HTTPS origin, as Quay serves them, sharing one
QuayModel, in front of a real distribution registry holding the images.

The certificate names quay.io, a neutral name (quay-neutral.test) and
127.0.0.1, so a test reaches the same emulator as `https://quay.io:<port>`
(identified from the URL) or as `https://127.0.0.1:<port>` (identified by
probing /api/v1/discovery), with --resolve and --ca-cert from `args()`.
"""
import os
import shutil
import tempfile

from harness import certs, http_server as server, net, push, registry

from . import quay_api, quay_model, quay_registry

NAMES = ("quay.io", "quay-neutral.test")


class Quay:
    def __init__(self, repos_per_page=2, tag_page_cap=2, catalog_page_cap=2):
        self.model = quay_model.QuayModel()
        self.api = quay_api.QuayApi(self.model, repos_per_page=repos_per_page, tag_page_cap=tag_page_cap)
        self.registry = registry.Registry()
        self.front = quay_registry.QuayRegistry(self.model, self.registry, catalog_page_cap=catalog_page_cap)
        self.server = None
        self.directory = tempfile.mkdtemp(prefix="regscan-e2e-quay-")

    def _app(self, request):
        if request.route.startswith("/api/"):
            return self.api(request)
        if request.route == "/v2" or request.route.startswith("/v2/"):
            return self.front(request)
        return quay_api.api_error(404, "not_found", "Not Found")

    def start(self):
        try:
            self.ca = certs.CertificateAuthority(self.directory, common_name="quay.io",
                                                 names=",".join(f"DNS:{n}" for n in NAMES) + ",IP:127.0.0.1")
            self.registry.start()
            self.server = server.Server(self._app, tls=self.ca).start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        if self.server:
            self.server.stop()
            self.server = None
        self.registry.stop()
        if not os.environ.get("REGSCAN_E2E_KEEP"):
            shutil.rmtree(self.directory, ignore_errors=True)

    def reset(self):
        """Knobs back to a quay.io-like default, request logs emptied."""
        self.api.anonymous_access = self.front.anonymous_access = True
        self.api.discovery = True
        self.api.forbidden_namespaces = set()
        self.api.forbidden_repositories = set()
        self.api.forbidden_message = "Unauthorized"
        self.api.next_page_padding = 0
        self.front.catalog_refused = set()
        self.front.issued_token = None
        with self.api.lock:
            self.api.requests.clear()
        with self.front.lock:
            self.front.requests.clear()
            self.front.auth_requests.clear()

    # -- addresses ---------------------------------------------------------------
    @property
    def port(self):
        return self.server.port

    def url(self, name="quay.io"):
        return f"https://{name}:{self.port}"

    def args(self):
        return [f"--resolve={n}:{self.port}:{net.LOOPBACK}" for n in NAMES] + [f"--ca-cert={self.ca.ca_cert}"]

    # -- content -----------------------------------------------------------------
    def publish(self, images):
        """Push [(namespace, repository, tag, oci_layout.Manifest, start_ts, public)]."""
        push.skopeo_push(self.registry, {f"{ns}/{repo}:{tag}": m for ns, repo, tag, m, _, _ in images})
        for ns, repo, tag, manifest, start_ts, public in images:
            self.model.add_tag(ns, repo, tag, manifest, start_ts, public)
