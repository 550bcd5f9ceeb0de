"""auth.docker.io: the token server of Docker Hub's registry.

GET /token?service=registry.docker.io&scope=repository:<ns>/<repo>:pull[&scope=...]
with optional Basic credentials (username and password or personal access
token). Wrong credentials: 401 {"details": "incorrect username or password"}.
Each repository scope is granted `pull` when the repository is public or the
user may read it, and nothing else; unknown repositories get no access (the
registry then refuses), as Docker Hub does. The answer carries both `token`
and `access_token`, with `expires_in` and `issued_at`.
"""
import base64
import binascii
import datetime
import threading

from harness import http_server as server

SERVICE = "registry.docker.io"
TOKEN_LIFETIME = 300


class AuthServer:
    def __init__(self, model):
        self.model = model
        self.requests = []  # (user or None, service, [scopes], status)
        self.lock = threading.Lock()

    def _credentials(self, request):
        """(ok, user): ok False for wrong or malformed credentials; user None when anonymous."""
        value = request.headers.get("Authorization") or ""
        if not value:
            return True, None
        scheme, _, encoded = value.partition(" ")
        if scheme.lower() != "basic":
            return False, None
        try:
            user, _, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False, None
        account = self.model.authenticate(user, secret)
        return (True, account.name) if account else (False, None)

    def _grant(self, user, scope):
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        namespace, _, repository = name.partition("/")
        if kind != "repository" or "pull" not in actions.split(","):
            return None
        if not self.model.can_read(user, namespace, repository):
            return None
        return {"type": "repository", "name": name, "actions": ["pull"]}

    def __call__(self, request):
        if request.route != "/token" or request.method != "GET":
            return server.json_reply(404, {"details": "not found"})
        service = request.arg("service")
        scopes = [s for value in request.query.get("scope", []) for s in value.split(" ") if s]
        ok, user = self._credentials(request)
        if not ok:
            reply = server.json_reply(401, {"details": "incorrect username or password"},
                                      {"WWW-Authenticate": 'Basic realm="Docker Hub"'})
        elif service != SERVICE:
            reply = server.json_reply(400, {"details": "invalid service"})
        else:
            access = [g for g in (self._grant(user, s) for s in scopes) if g]
            token = self.model.sign({"iss": "auth.docker.io", "aud": SERVICE, "sub": user or "",
                                     "access": access}, TOKEN_LIFETIME)
            reply = server.json_reply(200, {
                "token": token, "access_token": token, "expires_in": TOKEN_LIFETIME,
                "issued_at": datetime.datetime.now(datetime.timezone.utc).isoformat()})
        with self.lock:
            self.requests.append((user, service, scopes, reply.status))
        return reply
