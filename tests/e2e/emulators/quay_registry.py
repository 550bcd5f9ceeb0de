"""Quay's registry endpoints (/v2/) in front of a real CNCF distribution registry
(harness.registry.Registry, plain and without auth), as quay/quay's endpoints/v2 does them:

- GET /v2/: 200 with a valid registry token, else 401 with
  `WWW-Authenticate: Bearer realm="<origin>/v2/auth",service="<host>"`.
- GET /v2/auth (v2auth.py, process_basic_auth): Basic robot `org+name:<token>` or
  `$oauthtoken:<OAuth token>`; bad credentials: 401; no credentials and no scope: 401.
  Each scope must be `repository:<name>:<actions>`; anything else, `registry:catalog:*`
  included, is Quay's 400 INVALID_REQUEST "Unable to decode repository and actions"
  (dregsy#57, oc-mirror#168). With valid credentials and no scope the token grants
  no repository, but names its subject, which is all /v2/_catalog needs.
- GET /v2/_catalog (catalog.py): the repositories the token's subject may read, by
  id; anonymous: an empty list (PUBLIC_CATALOG off), never a 401. n is capped at
  100 (`catalog_page_cap` lowers it); the next page is an absolute
  `Link: <.../v2/_catalog?n=N&next_page=TOKEN>; rel="next"`. `catalog_refused`
  names subjects answered 401 UNAUTHORIZED (a least-privilege robot).
  Hostile knob: `issued_token`, when set, is the token /v2/auth answers valid
  credentials with (a CR/LF inside it, an over-long one).
- manifests, blobs, tags/list: the token must grant pull on the repository, else
  401 with a `scope="repository:<name>:pull"` challenge; accepted requests are
  passed through without the Authorization header.
"""
import base64
import re
import threading
import urllib.parse

from harness import http_server as server

_NAME = r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
_CONTENT = re.compile(rf"^/v2/({_NAME})/(manifests|blobs|tags)/(.+)$")
_SCOPE = re.compile(rf"^repository:({_NAME}):((?:push|pull|\*)(?:,(?:push|pull|\*))*)$")


def _errors(status, code, message, headers=None):
    return server.json_reply(status, {"errors": [{"code": code, "detail": {}, "message": message}]},
                             dict({"Docker-Distribution-API-Version": "registry/2.0"}, **(headers or {})))


class QuayRegistry:
    def __init__(self, model, upstream, scheme="https", catalog_page_cap=100):
        self.model = model
        self.upstream = upstream
        self.scheme = scheme
        self.catalog_page_cap = catalog_page_cap
        self.anonymous_access = True
        self.catalog_refused = set()
        self.issued_token = None
        self.requests = []      # (method, path, subject or None, status)
        self.auth_requests = []  # (username or None, [scopes], status)
        self.lock = threading.Lock()

    def _origin(self, request):
        return f"{self.scheme}://{request.headers.get('Host')}"

    def _challenge(self, request, scope=None):
        value = f'Bearer realm="{self._origin(request)}/v2/auth",service="{request.host}"'
        return value + (f',scope="{scope}"' if scope else "")

    def _claims(self, request):
        value = request.headers.get("Authorization") or ""
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.model.verify(token.strip())

    def __call__(self, request):
        if request.route == "/v2/auth":
            return self._auth(request)
        claims = self._claims(request)
        reply = self._answer(request, claims)
        with self.lock:
            self.requests.append((request.method, request.path, claims and claims.get("sub"), reply.status))
        return reply

    # -- /v2/auth ----------------------------------------------------------------
    def _auth(self, request):
        header = request.headers.get("Authorization") or ""
        scopes = request.query.get("scope", [])
        username, subject, sent = None, None, bool(header)
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                username, _, password = base64.b64decode(value).decode().partition(":")
                subject = self.model.basic_login(username, password)
            except Exception:
                subject = None
        reply = self._token(request, scopes, subject, sent)
        with self.lock:
            self.auth_requests.append((username, scopes, reply.status))
        return reply

    def _token(self, request, scopes, subject, sent):
        if sent and subject is None:
            return _errors(401, "UNAUTHORIZED", "Invalid Username or Password")
        if subject is None and not scopes:
            return _errors(401, "UNAUTHORIZED", "Unauthorized")
        access = []
        for scope in scopes:
            match = _SCOPE.match(scope)
            if not match:
                return _errors(400, "INVALID_REQUEST", f"Unable to decode repository and actions: {scope}")
            name, actions = match.group(1), match.group(2).split(",")
            ns, _, repo = name.partition("/")
            if "pull" in actions and self.model.can_read(subject, ns, repo):
                access.append({"type": "repository", "name": name, "actions": ["pull"]})
        if self.issued_token is not None and subject is not None:
            return server.json_reply(200, {"token": self.issued_token})
        token = self.model.sign({"iss": "quay", "aud": request.host, "sub": subject or "(anonymous)",
                                 "access": access, "context": {"kind": "robot" if subject and "+" in subject
                                                               else "oauth" if subject else "anonymous"}})
        return server.json_reply(200, {"token": token})

    # -- registry ----------------------------------------------------------------
    def _answer(self, request, claims):
        subject = claims.get("sub") if claims else None
        subject = None if subject == "(anonymous)" else subject
        if request.route in ("/v2", "/v2/"):
            if claims is None:
                return server.Reply(401, "true", {"WWW-Authenticate": self._challenge(request),
                                                  "Docker-Distribution-API-Version": "registry/2.0",
                                                  "Content-Type": "text/html; charset=utf-8"})
            return server.Reply(200, "true", {"Docker-Distribution-API-Version": "registry/2.0"})
        if request.route == "/v2/_catalog":
            return self._catalog(request, claims, subject)
        match = _CONTENT.match(request.route)
        if not match:
            return _errors(404, "NOT_FOUND", "not found")
        name = match.group(1)
        granted = claims and any(a.get("name") == name and "pull" in a.get("actions", [])
                                 for a in claims.get("access", []))
        if not granted:
            return _errors(401, "UNAUTHORIZED", "access to the requested resource is not authorized",
                           {"WWW-Authenticate": self._challenge(request, f"repository:{name}:pull")})
        return self._forward(request)

    def _catalog(self, request, claims, subject):
        if claims is None and not self.anonymous_access:
            return _errors(401, "UNAUTHORIZED", "access to the requested resource is not authorized",
                           {"WWW-Authenticate": self._challenge(request)})
        if subject in self.catalog_refused:
            return _errors(401, "UNAUTHORIZED", "access to the requested resource is not authorized",
                           {"WWW-Authenticate": self._challenge(request)})
        try:
            limit = int(request.arg("n", "100"))
        except ValueError:
            limit = 0
        limit = max(min(limit, 100, self.catalog_page_cap), 1)
        repos = self.model.visible(subject) if subject else []
        start = (self.model.read_page_token(request.arg("next_page")) or {}).get("start_id", 0)
        repos = [r for r in repos if r.id > start]
        page = repos[:limit]
        headers = {"Docker-Distribution-API-Version": "registry/2.0"}
        if len(repos) > limit:
            token = self.model.page_token({"start_id": page[-1].id})
            query = urllib.parse.urlencode({"n": limit, "next_page": token})
            headers["Link"] = f'<{self._origin(request)}/v2/_catalog?{query}>; rel="next"'
        return server.json_reply(200, {"repositories": [f"{r.namespace}/{r.name}" for r in page]}, headers)

    def _forward(self, request):
        return server.relay(request, self._send_upstream)

    def _send_upstream(self, method, path, body, headers):
        return self.upstream.request(method, path, body=body, headers=headers)
