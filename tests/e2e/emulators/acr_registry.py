"""The Azure Container Registry data plane, as the 2021-07-01 spec and ACR's
auth docs describe it, in front of a real distribution registry.

- `/v2/...` (reads) answer 401 with ACR's Bearer challenge
  (realm https://<login server>/oauth2/token, service <login server>, scope)
  unless the request carries one of this registry's access tokens with that
  scope, or the admin user's Basic credentials; then they pass through to
  the upstream registry.
- `GET /oauth2/token` (Basic: admin user) and `POST /oauth2/token`
  (grant_type=refresh_token) give access tokens for the scopes the caller
  may have; `POST /oauth2/exchange` (grant_type=access_token) turns an Entra
  ID token of a principal holding AcrPull into an ACR refresh token.
- `GET /acr/v1/_catalog` (scope registry:catalog:*) and
  `GET /acr/v1/<name>/_tags` (scope repository:<name>:metadata_read), paged
  by n/last (capped at `page_size`) with `Link: <...>; rel="next"`.

Errors have ACR's shape: {"errors": [{"code", "message", "detail"}]}.
Knobs for tests: `acr_api` (False: /acr/v1 answers 404, as a registry without
the ACR API), `failing_tags` ({repository: Reply}).
"""
import base64
import json
import threading
import urllib.parse

from . import acr_https
from .acr_identity import AUDIENCES
from .acr_tokens import Signer

REFRESH_LIFETIME = 3 * 3600
ACCESS_LIFETIME = 75 * 60
MANIFEST_TYPES = ", ".join([
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json"])
# What AcrPull lets a principal do on the data plane.
ACR_PULL = {"registry": {"*"}, "repository": {"pull", "metadata_read"}}
DEFAULT_TAG_TIME = "2023-05-06T07:08:09.1234567Z"


def acr_error(status, code, message, detail=None, headers=None):
    return acr_https.json_reply(status, {"errors": [{"code": code, "message": message, "detail": detail}]},
                                headers)


def parse_scope(scope):
    """("repository", "team/app", {"pull"}) from "repository:team/app:pull", or None."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    if not kind or not name or not actions:
        return None
    return kind, name, set(actions.split(","))


class AcrEmulator:
    def __init__(self, upstream, tls, directory, login_server="test.azurecr.io", admin=None,
                 pull_principals=(), page_size=2, tag_times=None):
        self.upstream = upstream           # harness.registry.Registry (plain HTTP)
        self.tls = tls
        self.directory = directory         # acr_identity.AzureDirectory whose tokens we accept
        self.login_server = login_server
        self.admin = admin                 # (user, password) of the admin user, or None
        self.pull_principals = set(pull_principals)  # object ids holding AcrPull
        self.page_size = page_size
        self.tag_times = tag_times or {}   # (repo, tag) -> (createdTime, lastUpdateTime)
        self.signer = Signer()
        self.acr_api = True
        self.failing_tags = {}
        self.issued = []                   # every refresh and access token handed out
        self.token_grants = []             # (how, [scopes]) per access token: "basic" or "refresh"
        self.access_lifetime = ACCESS_LIFETIME  # seconds; a test may issue tokens already due
        self.refresh_lifetime = REFRESH_LIFETIME
        self.exchanges = []                # (tenant form field, object id) per refresh token
        self.lock = threading.Lock()
        self.server = None

    # -- lifecycle ----------------------------------------------------------

    def start(self):
        self.server = acr_https.bind_port_443(self.handle, self.tls)
        return self

    def stop(self):
        if self.server:
            self.server.stop()

    @property
    def port(self):
        return self.server.port

    @property
    def authority(self):
        """host[:port] as in image references and report names."""
        return self.login_server if self.port == 443 else f"{self.login_server}:{self.port}"

    @property
    def url(self):
        return f"https://{self.authority}"

    @property
    def resolve(self):
        return f"--resolve={self.login_server}:{self.port}:{self.server.address}"

    def reset(self):
        self.acr_api = True
        self.failing_tags = {}
        with self.lock:
            self.token_grants.clear()
            self.exchanges.clear()
        self.server.clear()

    # -- auth ---------------------------------------------------------------

    def challenge(self, scope=None):
        value = f'Bearer realm="{self.url}/oauth2/token",service="{self.login_server}"'
        return value + (f',scope="{scope}"' if scope else "")

    def unauthorized(self, scope=None):
        detail = None
        if scope:
            kind, name, actions = parse_scope(scope)
            detail = [{"Type": kind, "Name": name, "Action": sorted(actions)[0]}]
        return acr_error(401, "UNAUTHORIZED",
                         "authentication required, visit https://aka.ms/acr/authorization for more information.",
                         detail, {"WWW-Authenticate": self.challenge(scope),
                                  "Docker-Distribution-Api-Version": "registry/2.0"})

    def basic_user(self, request):
        """The admin user named by valid Basic credentials, or None."""
        scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "basic" or not self.admin:
            return None
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return None
        return user if (user, password) == self.admin else None

    def allowed(self, request, scope):
        """Whether the request's credentials cover `scope` (None: any valid credential)."""
        if self.basic_user(request):
            return True
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        claims = self.signer.verify(token)
        if not claims or claims.get("grant_type") != "access_token" or claims.get("aud") != self.login_server:
            return False
        if scope is None:
            return True
        kind, name, actions = parse_scope(scope)
        return any(a["type"] == kind and a["name"] == name and actions <= set(a["actions"])
                   for a in claims.get("access", []))

    def grant(self, rights, scopes):
        access = []
        for scope in scopes:
            kind, name, actions = parse_scope(scope)
            held = rights.get(kind, set())
            granted = sorted(actions if "*" in held else actions & held)
            if granted:
                access.append({"type": kind, "name": name, "actions": granted})
        return access

    def access_token(self, subject, access):
        token = self.signer.mint({"iss": "Azure Container Registry", "aud": self.login_server, "sub": subject,
                                  "version": "1.0", "grant_type": "access_token", "access": access,
                                  "roles": []}, self.access_lifetime)
        with self.lock:
            self.issued.append(token)
        return token

    # -- routes -------------------------------------------------------------

    def handle(self, request):
        route = request.route
        if route == "/oauth2/exchange":
            return self.exchange(request) if request.method == "POST" else acr_https.Reply(405)
        if route == "/oauth2/token":
            if request.method == "POST":
                return self.token_from_refresh(request)
            return self.token_from_basic(request)
        if route.startswith("/acr/v1/"):
            return self.acr_v1(request)
        if route == "/v2/" or route.startswith("/v2/"):
            return self.v2(request)
        return acr_error(404, "NOT_FOUND", "not found")

    def exchange(self, request):
        form = request.form()
        if form is None:
            return acr_error(400, "BAD_REQUEST", "expected application/x-www-form-urlencoded")
        field = lambda name: form.get(name, [""])[0]  # noqa: E731
        if field("grant_type") != "access_token":
            return acr_error(400, "UNSUPPORTED_GRANT_TYPE", f"grant type '{field('grant_type')}' is not supported")
        if field("service") != self.login_server:
            return acr_error(400, "BAD_REQUEST", f"invalid service '{field('service')}'")
        claims = self.directory.verify(field("access_token"))
        if not claims or claims.get("aud") not in AUDIENCES:
            return acr_error(401, "UNAUTHORIZED", "invalid or expired Entra ID access token")
        if field("tenant") and field("tenant") != claims.get("tid"):
            return acr_error(401, "UNAUTHORIZED", f"token is not from tenant '{field('tenant')}'")
        if claims.get("oid") not in self.pull_principals:
            return acr_error(401, "UNAUTHORIZED",
                             f"principal '{claims.get('oid')}' has no role assignment on this registry")
        refresh = self.signer.mint({"iss": "Azure Container Registry", "aud": self.login_server,
                                    "sub": claims["oid"], "tenant": claims["tid"], "version": "1.0",
                                    "grant_type": "refresh_token",
                                    "permissions": {"actions": ["pull", "metadata_read"], "notActions": []},
                                    "roles": []}, self.refresh_lifetime)
        with self.lock:
            self.issued.append(refresh)
            self.exchanges.append((field("tenant"), claims["oid"]))
        return acr_https.json_reply(200, {"refresh_token": refresh})

    def requested_scopes(self, values):
        scopes = [s for value in values for s in value.split(" ") if s]
        return scopes if all(parse_scope(s) for s in scopes) else None

    def token_from_refresh(self, request):
        form = request.form()
        if form is None:
            return acr_error(400, "BAD_REQUEST", "expected application/x-www-form-urlencoded")
        field = lambda name: form.get(name, [""])[0]  # noqa: E731
        if field("grant_type") != "refresh_token":
            return acr_error(400, "UNSUPPORTED_GRANT_TYPE", f"grant type '{field('grant_type')}' is not supported")
        if field("service") != self.login_server:
            return acr_error(400, "BAD_REQUEST", f"invalid service '{field('service')}'")
        scopes = self.requested_scopes(form.get("scope", []))
        if not scopes:
            return acr_error(400, "BAD_REQUEST", "scope is missing or malformed")
        claims = self.signer.verify(field("refresh_token"))
        if (not claims or claims.get("grant_type") != "refresh_token" or claims.get("aud") != self.login_server
                or claims.get("sub") not in self.pull_principals):
            return acr_error(401, "UNAUTHORIZED", "invalid or expired refresh token")
        with self.lock:
            self.token_grants.append(("refresh", scopes))
        return acr_https.json_reply(200, {"access_token": self.access_token(claims["sub"],
                                                                            self.grant(ACR_PULL, scopes))})

    def token_from_basic(self, request):
        user = self.basic_user(request)
        if user is None:
            return acr_error(401, "UNAUTHORIZED",
                             "authentication required, visit https://aka.ms/acr/authorization for more information.")
        if request.arg("service") != self.login_server:
            return acr_error(400, "BAD_REQUEST", f"invalid service '{request.arg('service')}'")
        scopes = self.requested_scopes(request.query.get("scope", []))
        if scopes is None:
            return acr_error(400, "BAD_REQUEST", "malformed scope")
        with self.lock:
            self.token_grants.append(("basic", scopes))
        everything = {"registry": {"*"}, "repository": {"*"}}
        return acr_https.json_reply(200, {"access_token": self.access_token(user, self.grant(everything, scopes))})

    def acr_v1(self, request):
        if not self.acr_api:
            return acr_https.Reply(404, "404 page not found\n", {"Content-Type": "text/plain; charset=utf-8"})
        rest = request.route[len("/acr/v1/"):]
        if request.method != "GET":
            return acr_error(405, "UNSUPPORTED", "method not allowed")
        if rest == "_catalog":
            if not self.allowed(request, "registry:catalog:*"):
                return self.unauthorized("registry:catalog:*")
            return self.catalog(request)
        if rest.endswith("/_tags"):
            name = rest[:-len("/_tags")]
            scope = f"repository:{name}:metadata_read"
            if not self.allowed(request, scope):
                return self.unauthorized(scope)
            if name in self.failing_tags:
                return self.failing_tags[name]
            return self.tags(request, name)
        return acr_error(404, "NOT_FOUND", "not found")

    def page(self, items, request, key, link_path):
        """One page of `items` (already in order) after `last`, and its Link header."""
        n = min(int(request.arg("n") or self.page_size), self.page_size)
        last, orderby = request.arg("last"), request.arg("orderby") or ""
        if last is not None:
            names = [key(i) for i in items]
            items = items[names.index(last) + 1:] if last in names else [i for i in items if key(i) > last]
        page, rest = items[:n], items[n:]
        headers = {}
        if rest:
            query = f"last={urllib.parse.quote(key(page[-1]), safe='/')}&n={n}&orderby={orderby}"
            headers["Link"] = f'<{link_path}?{query}>; rel="next"'
        return page, headers

    def upstream_json(self, path):
        status, _, body = self.upstream.request("GET", path)
        return status, (json.loads(body) if status == 200 else None)

    def catalog(self, request):
        _, document = self.upstream_json("/v2/_catalog?n=1000")
        names = sorted(document.get("repositories") or [])
        page, headers = self.page(names, request, lambda n: n, "/acr/v1/_catalog")
        return acr_https.json_reply(200, {"repositories": page}, headers)

    def tags(self, request, name):
        status, document = self.upstream_json(f"/v2/{name}/tags/list")
        if status != 200:
            return acr_error(404, "NAME_UNKNOWN", "repository name not known to registry", {"name": name})
        entries = []
        for tag in document.get("tags") or []:
            _, headers, _ = self.upstream.request("HEAD", f"/v2/{name}/manifests/{tag}",
                                                  headers={"Accept": MANIFEST_TYPES})
            created, updated = self.tag_times.get((name, tag), (DEFAULT_TAG_TIME, DEFAULT_TAG_TIME))
            entries.append({"name": tag, "digest": headers.get("Docker-Content-Digest"),
                            "createdTime": created, "lastUpdateTime": updated, "signed": False,
                            "changeableAttributes": {"deleteEnabled": True, "writeEnabled": True,
                                                     "readEnabled": True, "listEnabled": True}})
        orderby = request.arg("orderby") or ""
        if orderby in ("timedesc", "timeasc"):
            entries.sort(key=lambda e: (e["lastUpdateTime"], e["name"]), reverse=orderby == "timedesc")
        else:
            entries.sort(key=lambda e: e["name"])
        page, headers = self.page(entries, request, lambda e: e["name"], f"/acr/v1/{name}/_tags")
        return acr_https.json_reply(200, {"registry": self.login_server, "imageName": name, "tags": page},
                                    headers)

    def v2(self, request):
        route = request.route
        if request.method not in ("GET", "HEAD"):
            return acr_error(405, "UNSUPPORTED", "the emulator serves reads only")
        scope = None
        if route == "/v2/_catalog":
            scope = "registry:catalog:*"
        elif route != "/v2/":
            rest = route[len("/v2/"):]
            for marker in ("/manifests/", "/blobs/", "/tags/list", "/referrers/"):
                at = rest.rfind(marker)
                if at > 0:
                    scope = f"repository:{rest[:at]}:pull"
                    break
            else:
                return acr_error(404, "NOT_FOUND", "not found")
        if not self.allowed(request, scope):
            return self.unauthorized(scope)
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in ("host", "authorization", "connection", "content-length")}
        status, response_headers, body = self.upstream.request(request.method, request.path, headers=headers)
        dropped = ("transfer-encoding", "connection") + (() if request.method == "HEAD" else ("content-length",))
        return acr_https.Reply(status, body, {k: v for k, v in response_headers.items() if k.lower() not in dropped})
