"""registry-1.docker.io: Docker Hub's registry in front of a real CNCF
distribution registry (harness.registry.Registry, plain and without auth).

Every /v2/ request needs a bearer token from the emulated auth.docker.io;
without one (or without `pull` on the repository) the answer is Docker Hub's
401 with `WWW-Authenticate: Bearer realm="<realm>",service="registry.docker.io",
scope="repository:<name>:pull"`. Accepted requests are passed through, minus
the Authorization header. Manifest GETs count against the pull rate limit and
manifest answers (GET and HEAD) carry `ratelimit-limit: <n>;w=<window>` and
`ratelimit-remaining: <n>;w=<window>`; HEAD costs nothing. With no pulls left
a manifest GET gets 429 TOOMANYREQUESTS (with Retry-After when set), after
which the window moves on when `reset_after_429` is set.

Docker's pull-limit probe, ratelimitpreview/test:latest, is served by the front
itself (it is in no test's registry) as Docker Hub serves it: a schema 1 signed
manifest whatever the Accept header says, with the same rate-limit headers and
costs (unsigned here: only its headers matter to the HEAD that reads them).
`probe_hold`, a threading.Event, holds the probe's answer until it is set (a
Docker Hub that does not answer); `probes_held` has the time.monotonic() each
held probe came in. `answered`, a Condition on `lock`, is notified as each answer
is recorded in `requests` (a test waits there for a held probe to end).
"""
import json
import re
import threading
import time

from . import dockerhub_auth, dockerhub_model
from harness import http_server as server
from harness import oci_layout as oci

_NAME = r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
_CONTENT = re.compile(rf"^/v2/({_NAME})/(manifests|blobs|tags)/(.+)$")

_PROBE_NAME = "/".join(dockerhub_model.RATE_LIMIT_PROBE)
_PROBE_TYPE = "application/vnd.docker.distribution.manifest.v1+prettyjws"
_PROBE_MANIFEST = json.dumps({
    "schemaVersion": 1, "name": _PROBE_NAME, "tag": "latest", "architecture": "amd64",
    "fsLayers": [{"blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}],
    "history": [{"v1Compatibility": json.dumps({"id": "0" * 64, "created": "2020-11-02T00:00:00Z"})}],
}, indent=3).encode()


def _errors(status, code, message, detail=None, headers=None):
    return server.json_reply(status, {"errors": [{"code": code, "message": message, "detail": detail}]},
                             dict({"Docker-Distribution-Api-Version": "registry/2.0"}, **(headers or {})))


class RegistryFront:
    def __init__(self, model, upstream, realm):
        self.model = model
        self.upstream = upstream
        self.realm = realm
        self.pull_limit = 100
        self.pulls_left = 100
        self.window = 21600
        self.limited = True          # False: no ratelimit headers (an account without a pull limit)
        self.reset_after_429 = True
        self.retry_after = "1"
        self.requests = []           # (method, path, user or None, status)
        self.probe_hold = None       # a threading.Event the probe's answer waits for
        self.probes_held = []        # time.monotonic() of each probe held
        self.lock = threading.Lock()
        self.answered = threading.Condition(self.lock)

    def _challenge(self, scope=None, insufficient=False):
        value = f'Bearer realm="{self.realm}",service="{dockerhub_auth.SERVICE}"'
        if scope:
            value += f',scope="{scope}"'
        if insufficient:
            value += ',error="insufficient_scope"'
        return value

    def _refuse(self, name, scope, insufficient):
        detail = [{"Type": "repository", "Class": "", "Name": name, "Action": "pull"}] if name else None
        return _errors(401, "UNAUTHORIZED", "authentication required", detail,
                       {"WWW-Authenticate": self._challenge(scope, insufficient)})

    @staticmethod
    def _granted(claims, name):
        return any(a.get("type") == "repository" and a.get("name") == name and "pull" in a.get("actions", [])
                   for a in claims.get("access", []))

    def _limit_headers(self, remaining):
        if not self.limited:
            return {}
        return {"ratelimit-limit": f"{self.pull_limit};w={self.window}",
                "ratelimit-remaining": f"{max(remaining, 0)};w={self.window}",
                "docker-ratelimit-source": "127.0.0.1"}

    def __call__(self, request):
        claims = self.model.bearer(request, dockerhub_auth.SERVICE)
        user = claims["sub"] or None if claims else None
        reply = self._answer(request, claims)
        with self.lock:
            self.requests.append((request.method, request.path, user, reply.status))
            self.answered.notify_all()
        return reply

    def _answer(self, request, claims):
        if request.route in ("/v2", "/v2/"):
            if not claims:
                return self._refuse(None, None, False)
            return server.json_reply(200, {}, {"Docker-Distribution-Api-Version": "registry/2.0"})
        match = _CONTENT.match(request.route)
        if not match:
            if not claims:
                return self._refuse(None, "registry:catalog:*", False)
            return self._refuse(None, "registry:catalog:*", True)
        name, kind = match.group(1), match.group(2)
        scope = f"repository:{name}:pull"
        if not claims or not self._granted(claims, name):
            return self._refuse(name, scope, bool(claims))
        if kind != "manifests":
            return self._forward(request)
        if request.method == "HEAD":
            reply = self._manifest(request, name, match.group(3))
            reply.headers.update(self._limit_headers(self.pulls_left))
            return reply
        with self.lock:
            exhausted = self.limited and self.pulls_left <= 0
            if exhausted and self.reset_after_429:
                self.pulls_left = self.pull_limit
            elif not exhausted:
                self.pulls_left -= 1
            remaining = 0 if exhausted else self.pulls_left
        if exhausted:
            who = "unauthenticated " if not claims["sub"] else ""
            headers = self._limit_headers(0)
            if self.retry_after:
                headers["Retry-After"] = self.retry_after
            return _errors(429, "TOOMANYREQUESTS",
                           f"You have reached your {who}pull rate limit. You may increase the limit by "
                           "authenticating and upgrading: https://www.docker.com/increase-rate-limit",
                           None, headers)
        reply = self._manifest(request, name, match.group(3))
        reply.headers.update(self._limit_headers(remaining))
        return reply

    def _manifest(self, request, name, reference):
        if name != _PROBE_NAME or reference not in ("latest", oci.digest_of(_PROBE_MANIFEST)):
            return self._forward(request)
        hold = self.probe_hold
        if hold is not None:
            with self.lock:
                self.probes_held.append(time.monotonic())
            hold.wait(300)  # never past the test run, whatever the test forgot
        digest = oci.digest_of(_PROBE_MANIFEST)
        return server.Reply(200, _PROBE_MANIFEST, {
            "Content-Type": _PROBE_TYPE, "Docker-Content-Digest": digest, "Etag": f'"{digest}"',
            "Docker-Distribution-Api-Version": "registry/2.0"})

    def _forward(self, request):
        return server.relay(request, self._send_upstream)

    def _send_upstream(self, method, path, body, headers):
        return self.upstream.request(method, path, body=body, headers=headers)

