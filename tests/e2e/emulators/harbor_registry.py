"""Harbor's registry side: the token service (/service/token) and the /v2/
front in front of a real CNCF distribution registry (plain, without auth).

/v2/ answers 401 with `WWW-Authenticate: Bearer realm="<external
URL>/service/token",service="harbor-registry"[,scope=...]` until a token
from /service/token is presented. The token service takes Basic
credentials (admin, member or robot$...; none: anonymous, public projects
only) and grants `repository:<name>:pull` where the account may pull and
`registry:catalog:*` to system administrators only: a robot asking for the
catalog gets a token without it, and /v2/_catalog then answers Harbor's 401
"unauthorized to list catalog". Accepted requests go through to the real
registry, minus the Authorization header.
"""
import datetime
import http.client
import re
import threading

from harness import http_server as server

SERVICE = "harbor-registry"
_NAME = r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
_CONTENT = re.compile(rf"^/v2/({_NAME})/(manifests|blobs|tags)/(.+)$")


def _errors(status, code, message, headers=None):
    return server.json_reply(status, {"errors": [{"code": code, "message": message}]},
                             dict({"Docker-Distribution-Api-Version": "registry/2.0"}, **(headers or {})))


class RegistryFront:
    def __init__(self, model, upstream, scheme="https"):
        self.model = model
        self.upstream = upstream
        self.scheme = scheme
        # The challenge's service; a test changes it to hide Harbor from the ping.
        self.challenge_service = SERVICE
        self.requests = []  # (method, path, user or None, status)
        self._connections = threading.local()  # one kept-alive upstream connection per serving thread
        self._opened = []
        self._opened_lock = threading.Lock()

    def realm(self, request):
        return f"{self.scheme}://{request.headers.get('Host')}/service/token"

    def token(self, request):
        ok, user = self.model.authenticate(request.headers.get("Authorization"))
        if not ok:
            return _errors(401, "UNAUTHORIZED", "invalid credentials")
        if request.arg("service") != self.challenge_service:
            return _errors(400, "BAD_REQUEST", "invalid service")
        scopes = [s for value in request.query.get("scope", []) for s in value.split(" ") if s]
        token = self.model.issue_token(user, scopes)
        return server.json_reply(200, {"token": token, "expires_in": 1800,
                                       "issued_at": datetime.datetime.now(datetime.timezone.utc)
                                       .strftime("%Y-%m-%dT%H:%M:%SZ")})

    def _challenge(self, request, scope=None, insufficient=False):
        value = f'Bearer realm="{self.realm(request)}",service="{self.challenge_service}"'
        if scope:
            value += f',scope="{scope}"'
        if insufficient:
            value += ',error="insufficient_scope"'
        return {"WWW-Authenticate": value}

    def __call__(self, request):
        grant = self.model.bearer(request.headers.get("Authorization"))
        reply = self._answer(request, grant)
        with self.model.lock:
            self.requests.append((request.method, request.path, grant[0] if grant else None, reply.status))
        return reply

    def _answer(self, request, grant):
        if request.route in ("/v2", "/v2/"):
            if grant is None:
                return _errors(401, "UNAUTHORIZED", "unauthorized", self._challenge(request))
            return server.json_reply(200, {}, {"Docker-Distribution-Api-Version": "registry/2.0"})
        if request.route == "/v2/_catalog":
            if grant is None:
                return _errors(401, "UNAUTHORIZED", "unauthorized",
                               self._challenge(request, "registry:catalog:*"))
            if "registry:catalog:*" not in grant[1]:
                return _errors(401, "UNAUTHORIZED", "unauthorized to list catalog: unauthorized to list catalog",
                               self._challenge(request, "registry:catalog:*", True))
            return self._forward(request)
        match = _CONTENT.match(request.route)
        if not match:
            return _errors(404, "NOT_FOUND", "not found")
        name = match.group(1)
        scope = f"repository:{name}:pull"
        if grant is None:
            return _errors(401, "UNAUTHORIZED", "unauthorized", self._challenge(request, scope))
        if scope not in grant[1]:
            return _errors(401, "UNAUTHORIZED",
                           f"unauthorized to access repository: {name}, action: pull",
                           self._challenge(request, scope, True))
        return self._forward(request)

    def _upstream(self, method, path, body, headers):
        """One request to the real registry on this thread's kept-alive connection."""
        for attempt in (1, 2):
            connection = getattr(self._connections, "connection", None)
            if connection is None:
                connection = self._connections.connection = self.upstream.connection()
                with self._opened_lock:
                    self._opened.append(connection)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                return response.status, response.headers, response.read()
            except (http.client.HTTPException, ConnectionError):
                connection.close()
                self._connections.connection = None
                if attempt == 2:
                    raise

    def close(self):
        """Closes the upstream connections of every serving thread."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()

    def _forward(self, request):
        return server.relay(request, self._upstream)
