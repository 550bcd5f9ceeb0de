"""A Bearer token server (Docker token auth spec) for the distribution registry.

Checks Basic credentials, grants each requested scope only as far as the user's
rights go, and returns a JWT signed RS256 with `openssl dgst` whose `x5c` header
carries the signing cert, which the registry verifies against `rootcertbundle`.
"""
import base64
import datetime
import json
import secrets
import threading
import time

from . import http_server, net


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer(http_server.Served):
    """users: {name: (password, {resource type: set of actions})}, e.g.
    {"reader": ("pw", {"repository": {"pull"}, "registry": {"*"}})}.

    token_field: "token", "access_token" or "both" (real servers send either).
    access_tokens: {token: user}: personal access tokens this server also takes as
    `Authorization: Bearer <token>` (as GitLab's and Artifactory's realms do).
    refresh_tokens: {token: user}: identity (OAuth2 refresh) tokens, taken only
    as docker sends them (distribution's oauth.md): a POST of the form
    grant_type=refresh_token&refresh_token=..&service=..&scope=..&client_id=..
    with scopes space-separated; never in a GET or an Authorization header. A
    refused one is answered 400 invalid_grant with the token echoed in the
    error text, as a careless server would (its client must not print it).
    rotate_refresh_tokens: each exchange answers a new refresh token and takes
    the one presented out of `refresh_tokens` (OAuth2 refresh token rotation);
    every one handed out is kept in `refresh_tokens_issued`.
    """

    def __init__(self, signer, users, service="regscan-e2e-registry",
                 issuer="regscan-e2e-token-issuer", token_field="both", expires_in=300,
                 access_tokens=None, refresh_tokens=None):
        self.signer = signer
        self.users = users
        self.service = service
        self.issuer = issuer
        self.token_field = token_field
        self.expires_in = expires_in
        self.access_tokens = dict(access_tokens or {})
        self.issued = []        # every token handed out (tests check none leaks)
        self.requests = []      # (user or None, [scopes]) per token request
        self.refresh_tokens = dict(refresh_tokens or {})
        self.oauth_requests = []  # (user or None, [scopes], form) per POST
        self.rotate_refresh_tokens = False
        self.refresh_tokens_issued = []
        self.lock = threading.Lock()
        self.server = http_server.Server(self._handle)

    @property
    def realm(self):
        return f"http://{net.LOOPBACK}:{self.port}/token"

    def _authenticate(self, header):
        """(ok, user): ok is False for bad credentials; user None means anonymous."""
        if not header:
            return True, None
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            user = self.access_tokens.get(value)
            return (True, user) if user else (False, None)
        if scheme.lower() != "basic":
            return False, None
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except Exception:
            return False, None
        entry = self.users.get(user)
        if entry is None or entry[0] != password:
            return False, None
        return True, user

    def _grant(self, user, scope):
        """The part of one requested scope ("type:name:actions") this user holds."""
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        if user is None or not name:
            return None
        rights = self.users[user][1].get(kind, set())
        wanted = set(actions.split(","))
        granted = sorted(wanted if "*" in rights else wanted & rights)
        return {"type": kind, "name": name, "actions": granted} if granted else None

    def _handle(self, request):
        if request.method == "POST":
            return self._oauth(request)
        scopes = [s for value in request.query.get("scope", []) for s in value.split(" ") if s]
        ok, user = self._authenticate(request.headers.get("Authorization"))
        with self.lock:
            self.requests.append((user, scopes))
        if not ok or request.arg("service") != self.service:
            return http_server.json_reply(401, {"errors": [{"code": "UNAUTHORIZED"}]})
        return self._issue(user, scopes)

    def _oauth(self, request):
        """The OAuth2 token endpoint: only grant_type=refresh_token is offered."""
        form = request.form() or {}
        field = lambda name: (form.get(name) or [""])[0]
        scopes = [s for s in field("scope").split(" ") if s]
        with self.lock:
            user = self.refresh_tokens.get(field("refresh_token"))
            self.oauth_requests.append((user, scopes, form))
            if user is not None and self.rotate_refresh_tokens:
                del self.refresh_tokens[field("refresh_token")]
        if request.form() is None or field("grant_type") != "refresh_token" or not field("client_id"):
            return http_server.json_reply(400, {"error": "unsupported_grant_type"})
        if user is None or field("service") != self.service or request.headers.get("Authorization"):
            return http_server.json_reply(400, {"error": "invalid_grant", "error_description":
                                                f"refresh token {field('refresh_token')} is not valid"})
        extra = {}
        if self.rotate_refresh_tokens:
            extra["refresh_token"] = "Rot-" + secrets.token_hex(16)
            with self.lock:
                self.refresh_tokens[extra["refresh_token"]] = user
                self.refresh_tokens_issued.append(extra["refresh_token"])
        return self._issue(user, scopes, extra)

    def _issue(self, user, scopes, extra=None):
        access = [g for g in (self._grant(user, s) for s in scopes) if g]
        token = self.make_token(user or "", access)
        with self.lock:
            self.issued.append(token)
        answer = {"expires_in": self.expires_in,
                  "issued_at": datetime.datetime.now(datetime.timezone.utc).isoformat(), **(extra or {})}
        if self.token_field in ("token", "both"):
            answer["token"] = token
        if self.token_field in ("access_token", "both"):
            answer["access_token"] = token
        return http_server.json_reply(200, answer)

    def make_token(self, subject, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256",
                  "x5c": [base64.b64encode(self.signer.der).decode()]}
        claims = {"iss": self.issuer, "sub": subject, "aud": self.service,
                  "exp": now + self.expires_in, "nbf": now - 10, "iat": now,
                  "jti": f"{now}-{len(self.issued)}-{subject}", "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        return signing_input.decode() + "." + b64url(self.signer.sign(signing_input))

