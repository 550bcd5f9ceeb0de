"""Quay's API (/api/v1) as documented in ../shared/reference/registries/quay-api-*.adoc,
with the behaviour of quay/quay's endpoints/api where the documents are silent:

- GET /api/v1/discovery: the Swagger 2.0 document ("info.title": "Quay Frontend"),
  anonymous.
- GET /api/v1/repository?namespace=NS[&public=true][&next_page=TOKEN] (listRepos):
  {"repositories": [{namespace, name, description, is_public, kind, state, ...}],
  "next_page": TOKEN only while more follow}. One of namespace, starred, public
  is required (400 otherwise). `repos_per_page` is Quay's 100 unless a test lowers it.
- GET /api/v1/repository/{ns}/{repo}/tag/?onlyActiveTags=true&limit=N&page=P
  (listRepoTags): {"tags": [{name, reversion, start_ts, [end_ts, expiration],
  manifest_digest, is_manifest_list, size, last_modified}], "page", "has_additional"};
  `limit` defaults to 50 and above 100 is a 400 (quay.io did answer that hard
  error in June 2024: akuity/kargo#2186); without onlyActiveTags the history
  (expired tags, with end_ts) comes too. `tag_page_cap` lowers the page size
  below the requested limit so a test sees pages.
- Authentication as endpoints/api's process_oauth: only `Authorization: Bearer
  <OAuth token>` counts. A Basic header (a robot) is ignored and so is a token
  Quay cannot validate: the request goes on anonymously, seeing public
  repositories only; with anonymous access off (`anonymous_access`, a
  self-hosted setting) an anonymous request is a 401.
- Errors are the ApiError shape {detail, error_message, error_type, title, type, status}.
  `forbidden_namespaces` / `forbidden_repositories` answer the documented 403
  for one namespace listing or one repository's tags, with `forbidden_message`
  as its message (a hostile one may quote another status).
- Hostile knob: `next_page_padding` lengthens every listRepos next_page token by
  that many `.` (outside the token's alphabet, stripped when it comes back).
"""
import email.utils
import re
import threading
import urllib.parse

from harness import http_server as server

_TAGS = re.compile(r"^/api/v1/repository/([^/]+)/([^/]+)/tag/?$")


def api_error(status, error_type, message, host="quay.io"):
    return server.json_reply(status, {"detail": message, "error_message": message, "error_type": error_type,
                                      "title": error_type, "type": f"https://{host}/api/v1/error/{error_type}",
                                      "status": status})


def rfc2822(ts):
    return email.utils.formatdate(ts, usegmt=False).replace("+0000", "-0000")


class QuayApi:
    def __init__(self, model, repos_per_page=100, tag_page_cap=100):
        self.model = model
        self.repos_per_page = repos_per_page
        self.tag_page_cap = tag_page_cap
        self.anonymous_access = True
        self.discovery = True
        self.forbidden_namespaces = set()
        self.forbidden_repositories = set()
        self.forbidden_message = "Unauthorized"
        self.next_page_padding = 0
        self.requests = []    # (method, path, caller or None, authorization scheme or None, status)
        self.lock = threading.Lock()

    def _caller(self, request):
        value = request.headers.get("Authorization") or ""
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None, (scheme or None)
        return self.model.oauth_user(token.strip()), "Bearer"

    def __call__(self, request):
        caller, scheme = self._caller(request)
        reply = self._route(request, caller)
        with self.lock:
            self.requests.append((request.method, request.path, caller, scheme, reply.status))
        return reply

    def _route(self, request, caller):
        if request.method != "GET":
            return api_error(405, "method_not_allowed", "Method Not Allowed")
        if request.route == "/api/v1/discovery":
            if not self.discovery:
                return api_error(404, "not_found", "Not Found")
            return server.json_reply(200, self._swagger(request))
        if caller is None and not self.anonymous_access:
            return api_error(401, "invalid_token", "Anonymous access is not available for this registry")
        if request.route in ("/api/v1/repository", "/api/v1/repository/"):
            return self._list_repos(request, caller)
        match = _TAGS.match(request.route)
        if match:
            ns, repo = (urllib.parse.unquote(g) for g in match.groups())
            return self._list_tags(request, caller, ns, repo)
        return api_error(404, "not_found", "Not Found")

    def _swagger(self, request):
        return {"swagger": "2.0", "host": request.headers.get("Host"), "basePath": "/", "schemes": ["https"],
                "info": {"version": "v1", "title": "Quay Frontend",
                         "description": "This API allows you to perform many of the operations required to work "
                                        "with Quay repositories, users, and organizations.",
                         "contact": {"email": "support@quay.io"}},
                "securityDefinitions": {"oauth2_implicit": {"type": "oauth2", "flow": "implicit",
                                                            "authorizationUrl": "/oauth/authorize",
                                                            "scopes": {"repo:read": "View all visible repositories"}}},
                "paths": {"/api/v1/repository": {}, "/api/v1/repository/{repository}/tag/": {}}}

    def _list_repos(self, request, caller):
        namespace = request.arg("namespace")
        truthy = ("true", "1", "yes")
        if not namespace and request.arg("starred", "false").lower() not in truthy \
                and request.arg("public", "false").lower() not in truthy:
            return api_error(400, "invalid_request", "namespace, starred or public are required for this API call")
        if namespace in self.forbidden_namespaces:
            return api_error(403, "insufficient_scope", self.forbidden_message)
        repos = self.model.visible(caller, namespace)
        if request.arg("public", "false").lower() not in truthy:
            repos = [r for r in repos if caller is not None and caller in self.model.readers.get((r.namespace, r.name), ())]
        token = (request.arg("next_page") or "").rstrip(".")
        start = (self.model.read_page_token(token) or {}).get("start_id", 0)
        repos = [r for r in repos if r.id > start]
        page, more = repos[:self.repos_per_page], len(repos) > self.repos_per_page
        body = {"repositories": [{"namespace": r.namespace, "name": r.name, "description": None,
                                  "is_public": r.public, "kind": "image", "state": "NORMAL",
                                  "is_starred": False} for r in page]}
        if more:
            body["next_page"] = self.model.page_token({"start_id": page[-1].id}) + "." * self.next_page_padding
        return server.json_reply(200, body)

    def _list_tags(self, request, caller, ns, name):
        try:
            limit = int(request.arg("limit", "50"))
            page = int(request.arg("page", "1"))
        except ValueError:
            return api_error(400, "invalid_request", "limit and page must be integers")
        if limit > 100:
            return api_error(400, "invalid_request", "Limit must be between 1 and 100")
        limit, page = max(limit, 1), max(page, 1)
        repo = self.model.repositories.get((ns, name))
        if (ns, name) in self.forbidden_repositories or (repo and not self.model.can_read(caller, ns, name)):
            return api_error(403, "insufficient_scope", "Unauthorized")
        if repo is None:
            return api_error(404, "not_found", "Not Found")
        active = request.arg("onlyActiveTags", "false").lower() in ("true", "1")
        entries = []
        for tag in sorted(repo.tags.values(), key=lambda t: (-t.start_ts, t.name)):
            entries.append({"name": tag.name, "reversion": False, "start_ts": tag.start_ts,
                            "manifest_digest": tag.digest, "is_manifest_list": tag.is_manifest_list,
                            "size": tag.size, "last_modified": rfc2822(tag.start_ts)})
        if not active:  # the history: each tag's previous, expired entry
            for tag in list(repo.tags.values()):
                entries.append({"name": tag.name + "-removed", "reversion": False, "start_ts": tag.start_ts - 86400,
                                "end_ts": tag.start_ts - 3600, "manifest_digest": tag.digest,
                                "is_manifest_list": tag.is_manifest_list, "size": tag.size,
                                "last_modified": rfc2822(tag.start_ts - 86400),
                                "expiration": rfc2822(tag.start_ts - 3600)})
        size = min(limit, self.tag_page_cap)
        chunk = entries[(page - 1) * size: page * size]
        return server.json_reply(200, {"tags": chunk, "page": page, "has_additional": len(entries) > page * size})
