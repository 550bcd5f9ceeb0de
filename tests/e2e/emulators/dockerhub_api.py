"""The Docker Hub API (hub.docker.com) as documented in
../shared/reference/registries/dockerhub-api-latest.yaml and its newer
revision with listNamespaceRepositories.

Routes: POST /v2/auth/token {identifier, secret} -> {access_token};
POST /v2/users/login {username, password} -> {token} (deprecated);
GET /v2/namespaces/{ns}/repositories (list_repositories_response);
GET /v2/namespaces/{ns}/repositories/{repo}/tags (paginated_tags); and the
undocumented older GET /v2/repositories/{ns}/ and /v2/repositories/{ns}/{repo}/tags/.
Pages are {count, next, previous, results}, `next` an absolute URL built from
the Host header, `page_size` capped at `max_page_size` (the spec's 100 unless
a test lowers it to force pagination). Tag entries carry `digest` and
`media_type` and an `images` array as Docker Hub sends them, although the spec
lists neither field and declares `images` an object.
Errors use the spec's `error` schema ({errinfo, detail, message}); the login
route's 401 is PostUsersLoginErrorResponse ({detail}). Every answer carries
X-RateLimit-Limit/-Remaining/-Reset; `fail_next_get(n)` answers the next n
listing GETs 429 with Retry-After: 1; `expire_tokens_after(path)` makes every
token issued so far expire once the listing page `path` has been served (a
token running out mid-listing: its holder is answered 401 and must log in again).
"""
import re
import threading
import time
import urllib.parse

from harness import http_server as server

AUDIENCE = "hub.docker.com"
TOKEN_LIFETIME = 600  # "This expires in 10 minutes."
API_LIMIT = 180

_REPOSITORIES = re.compile(r"^/v2/namespaces/([^/]+)/repositories/?$")
_TAGS = re.compile(r"^/v2/namespaces/([^/]+)/repositories/([^/]+)/tags/?$")
_LEGACY_REPOSITORIES = re.compile(r"^/v2/repositories/([^/]+)/?$")
_LEGACY_TAGS = re.compile(r"^/v2/repositories/([^/]+)/([^/]+)/tags/?$")


def error(status, message, detail=None):
    return server.json_reply(status, {"errinfo": None, "detail": detail or message, "message": message})


class HubApi:
    def __init__(self, model, max_page_size=100):
        self.model = model
        self.max_page_size = max_page_size
        self.scheme = "http"              # what it is served with, for absolute `next` links
        self.auth_token_route = True      # False: an older Hub without POST /v2/auth/token
        self.namespaces_routes = True     # False: an older Hub without /v2/namespaces/...
        self.logins = []                  # (route, username, accepted)
        self.listings = []                # (path, user or None, status)
        self.on_listing = None            # called with (path, status) once each listing GET is answered
        self.lock = threading.Lock()
        self._failures = 0
        self._window = (0, 0)             # (minute, requests in it)
        self._expire_after = None         # a listing path, see expire_tokens_after
        self._expired = set()             # tokens refused as expired before their `exp`

    def fail_next_get(self, count=1):
        with self.lock:
            self._failures = count

    def expire_tokens_after(self, path):
        """Once the listing GET of `path` (with its query) is answered 200, every token issued until then
        is refused as expired; None: no such expiry pending."""
        with self.lock:
            self._expire_after = path

    # -- rate limit ------------------------------------------------------------
    def _limit_headers(self, exhausted=False):
        minute = int(time.time()) // 60
        with self.lock:
            start, used = self._window
            used = used + 1 if start == minute else 1
            self._window = (minute, used)
        remaining = 0 if exhausted else max(API_LIMIT - used, 0)
        return {"X-RateLimit-Limit": str(API_LIMIT), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": str((minute + 1) * 60)}

    def _take_failure(self):
        with self.lock:
            if self._failures <= 0:
                return False
            self._failures -= 1
            return True

    # -- routes ----------------------------------------------------------------
    def __call__(self, request):
        reply = self._route(request)
        reply.headers.update(self._limit_headers(exhausted=reply.status == 429))
        return reply

    def _route(self, request):
        route = request.route
        if request.method == "POST" and route == "/v2/auth/token" and self.auth_token_route:
            return self._create_access_token(request)
        if request.method == "POST" and route == "/v2/users/login":
            return self._users_login(request)
        if request.method not in ("GET", "HEAD"):
            return error(405, "method not allowed")
        patterns = [(_LEGACY_REPOSITORIES, self._repositories), (_LEGACY_TAGS, self._tags)]
        if self.namespaces_routes:
            patterns += [(_REPOSITORIES, self._repositories), (_TAGS, self._tags)]
        for pattern, handler in patterns:
            match = pattern.match(route)
            if match:
                return self._listing(request, handler, *map(urllib.parse.unquote, match.groups()))
        return error(404, "not found")

    def _create_access_token(self, request):
        body = request.json()
        if body is None or not isinstance(body.get("identifier"), str) or not isinstance(body.get("secret"), str):
            return error(400, "bad request", "identifier and secret are required")
        account = self.model.authenticate(body["identifier"], body["secret"])
        with self.lock:
            self.logins.append(("/v2/auth/token", body["identifier"], account is not None))
        if account is None:
            return error(401, "unauthorized", "Incorrect authentication credentials")
        token = self.model.sign({"iss": AUDIENCE, "aud": AUDIENCE, "sub": account.name}, TOKEN_LIFETIME)
        return server.json_reply(200, {"access_token": token})

    def _users_login(self, request):
        body = request.json()
        if body is None or not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
            return server.json_reply(400, {"detail": "username and password are required"})
        account = self.model.authenticate(body["username"], body["password"])
        with self.lock:
            self.logins.append(("/v2/users/login", body["username"], account is not None))
        if account is None:
            return server.json_reply(401, {"detail": "Incorrect authentication credentials"})
        token = self.model.sign({"iss": AUDIENCE, "aud": AUDIENCE, "sub": account.name}, TOKEN_LIFETIME)
        return server.json_reply(200, {"token": token})

    def _listing(self, request, handler, *args):
        claims = self.model.bearer(request, AUDIENCE)
        token = (request.headers.get("Authorization") or "").partition(" ")[2].strip()
        with self.lock:
            expired = token in self._expired
        if claims is False or expired:
            reply = error(401, "unauthorized", "token is invalid or expired")
            user = None
        elif self._take_failure():
            reply = server.json_reply(429, {"detail": "Rate limit exceeded", "error": False},
                                      {"Retry-After": "1"})
            user = claims and claims["sub"]
        else:
            user = claims and claims["sub"]
            reply = handler(request, user, *args)
        with self.model.lock:
            issued = list(self.model.issued)
        with self.lock:
            self.listings.append((request.path, user, reply.status))
            if reply.status == 200 and request.path == self._expire_after:
                self._expired.update(issued)
                self._expire_after = None
        if self.on_listing:
            self.on_listing(request.path, reply.status)
        return reply

    def _page(self, request, items):
        """One page of `items` (already JSON-ready) with absolute next/previous links."""
        try:
            page = int(request.arg("page", "1"))
            size = int(request.arg("page_size", "10"))
        except ValueError:
            return server.json_reply(400, {"fields": {"page": ["must be an integer"]}, "text": "Invalid page"})
        if page < 1 or size < 1:
            return server.json_reply(400, {"fields": {"page_size": ["must be at least 1"]}, "text": "Invalid page"})
        size = min(size, self.max_page_size)
        start = (page - 1) * size
        if page > 1 and start >= len(items):
            return error(404, "not found", "page not found")
        base = f"{self.scheme}://{request.headers.get('Host')}{request.route}"

        def link(number):
            # Docker Hub's own order: page, page_size, then any other parameter.
            query = {"page": str(number), "page_size": str(size)}
            query.update({k: v[0] for k, v in request.query.items() if k not in query})
            return f"{base}?{urllib.parse.urlencode(query)}"

        return server.json_reply(200, {
            "count": len(items),
            "next": link(page + 1) if start + size < len(items) else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": items[start:start + size],
        })

    def _repositories(self, request, user, namespace):
        with self.model.lock:
            known = namespace in self.model.namespaces
        if not known:
            return error(404, "not found", "namespace not found")
        entries = []
        for repo in self.model.visible(user, namespace):
            entries.append({
                "name": repo.name, "namespace": repo.namespace, "repository_type": "image",
                "status": 1, "status_description": "active", "description": "",
                "is_private": repo.private, "star_count": 0, "pull_count": 0,
                "last_updated": repo.last_updated, "last_modified": repo.last_updated,
                "date_registered": repo.registered, "affiliation": "",
                "media_types": sorted({t.media_type for t in repo.tags.values()}),
                "content_types": ["image"], "categories": [],
                "storage_size": sum(t.full_size for t in repo.tags.values()),
            })
        return self._page(request, entries)

    def _tags(self, request, user, namespace, name):
        if not self.model.can_read(user, namespace, name):
            return error(404, "not found", "object not found")
        with self.model.lock:
            repo = self.model.repositories[(namespace, name)]
            tags = sorted(repo.tags.values(), key=lambda t: t.pushed, reverse=True)
        entries = []
        for number, tag in enumerate(tags, 1):
            entries.append({
                "creator": 1, "id": number, "images": tag.images, "last_updated": tag.pushed,
                "last_updater": 1, "last_updater_username": namespace, "name": tag.name,
                "repository": 1, "full_size": tag.full_size, "v2": "true", "status": "active",
                "tag_status": "active", "tag_last_pulled": None, "tag_last_pushed": tag.pushed,
                "media_type": tag.media_type, "content_type": "image", "digest": tag.digest,
            })
        return self._page(request, entries)
