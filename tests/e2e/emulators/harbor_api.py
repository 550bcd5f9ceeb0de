"""Harbor's REST API v2.0 (/api/v2.0), as harbor-v2.0-swagger.yaml documents
it and as Harbor behaves where users found it surprising:

- GET /systeminfo answers anonymous requests, with fewer fields.
- Listings take page (default 1) and page_size (default 10, at most 100:
  above that Harbor answers 422 "validation failure list: page_size in query
  should be less than or equal to 100"), and answer X-Total-Count and a Link
  header with rel="prev" and rel="next" (relative, every query kept).
- A repository name inside a path is the name without its project, with "/"
  URL-encoded twice (team/app -> team%252Fapp): the router decodes the path
  once, so a single %2F becomes a "/" and the route is not found (404
  NOT_FOUND "path ... was not found").
- The API takes Basic credentials (admin, member or robot$... accounts) or
  none (anonymous: public projects only); a wrong password is 401.
- Artifacts' `media_type` is the config's media type; `manifest_media_type`
  is the manifest's. An index lists its children in `references[]`.
"""
import urllib.parse

from harness import http_server as server

PREFIX = "/api/v2.0"
MAX_PAGE_SIZE = 100


def errors(status, code, message):
    return server.json_reply(status, {"errors": [{"code": code, "message": message}]})


def harbor_time(value):
    """RFC 3339 with milliseconds and Z, as Harbor writes times."""
    if not value:
        return "0001-01-01T00:00:00.000Z"
    return value


class HarborApi:
    def __init__(self, model, version="v2.11.0-emulated"):
        self.model = model
        self.version = version
        self.requests = []  # (method, path, user or None, authorization header present, status)

    def __call__(self, request):
        ok, user = self.model.authenticate(request.headers.get("Authorization"))
        if not ok:
            reply = errors(401, "UNAUTHORIZED", "unauthorized")
        else:
            reply = self._route(request, user)
        with self.model.lock:
            self.requests.append((request.method, request.path, user,
                                  request.headers.get("Authorization") is not None, reply.status))
        return reply

    # -- routing ------------------------------------------------------------------
    def _route(self, request, user):
        if request.method != "GET":
            return errors(405, "METHOD_NOT_ALLOWED", "method not allowed")
        # The router sees the path decoded once.
        path = urllib.parse.unquote(request.route)
        if not path.startswith(PREFIX + "/"):
            return errors(404, "NOT_FOUND", f"path {path} was not found")
        parts = path[len(PREFIX) + 1:].split("/")
        if parts == ["systeminfo"]:
            return self._systeminfo(user)
        if parts == ["projects"]:
            return self._projects(request, user)
        if len(parts) == 3 and parts[0] == "projects" and parts[2] == "repositories":
            return self._repositories(request, user, parts[1])
        if len(parts) == 5 and parts[0] == "projects" and parts[2] == "repositories" and parts[4] == "artifacts":
            return self._artifacts(request, user, parts[1], urllib.parse.unquote(parts[3]))
        return errors(404, "NOT_FOUND", f"path {path} was not found")

    def _page(self, request, items, route_key):
        """One page of `items` with X-Total-Count and Link, or Harbor's 422."""
        try:
            page = int(request.arg("page", "1"))
            size = int(request.arg("page_size", "10"))
        except ValueError:
            return errors(400, "BAD_REQUEST", "page and page_size must be integers")
        if size > MAX_PAGE_SIZE:
            return errors(422, "UNPROCESSABLE_ENTITY",
                          "validation failure list:\npage_size in query should be less than or equal to 100")
        if page < 1 or size < 1:
            return errors(422, "UNPROCESSABLE_ENTITY", "validation failure list:\npage in query should be "
                                                       "greater than or equal to 1")
        replaced = self.model.replace_page.get((route_key, page))
        if replaced:
            return replaced(request)
        hook = self.model.before_page.pop((route_key, page), None)
        if hook:
            hook()
            items = items()
        elif callable(items):
            items = items()
        total = len(items)
        chunk = items[(page - 1) * size:page * size]
        links = []

        def link(number):
            query = [(k, v) for k, v in urllib.parse.parse_qsl(request.raw_query, keep_blank_values=True)
                     if k not in ("page", "page_size")]
            query += [("page", str(number)), ("page_size", str(size))]
            return f"<{request.route}?{urllib.parse.urlencode(query)}>"

        if page > 1:
            links.append(f'{link(page - 1)}; rel="prev"')
        if page * size < total:
            links.append(f'{link(page + 1)}; rel="next"')
        headers = {"X-Total-Count": str(total)}
        if links:
            headers["Link"] = " , ".join(links)
        return chunk, headers

    def _reply(self, paged, render):
        if isinstance(paged, server.Reply):
            return paged
        chunk, headers = paged
        return server.json_reply(200, [render(item) for item in chunk], headers)

    # -- resources ------------------------------------------------------------------
    def _systeminfo(self, user):
        info = {"auth_mode": "db_auth", "primary_auth_mode": False, "self_registration": False,
                "banner_message": "", "current_time": "2026-01-01T00:00:00.000Z"}
        if user:  # anonymous requests get fewer fields
            info.update(harbor_version=self.version, registry_url="harbor.example.test",
                        external_url="https://harbor.example.test", has_ca_root=False, read_only=False,
                        notification_enable=True, registry_storage_provider_name="filesystem")
        return server.json_reply(200, info)

    def _projects(self, request, user):
        account = self.model.users.get(user) if user else None
        if account and not account.admin and account.list_projects == "denied":
            return errors(403, "FORBIDDEN", "forbidden")

        def visible():
            with self.model.lock:
                return [p for _, p in sorted(self.model.projects.items())
                        if self.model.can_read(user, p.name)]

        return self._reply(self._page(request, visible, request.route), lambda p: {
            "project_id": p.id, "name": p.name, "owner_id": 1, "owner_name": "admin",
            "repo_count": len(p.repositories), "chart_count": 0,
            "creation_time": "2024-01-01T00:00:00.000Z", "update_time": "2024-01-01T00:00:00.000Z",
            "metadata": {"public": "true" if p.public else "false"}, "deleted": False})

    def _refusal(self, user, project_name, repository=None):
        project = self.model.projects.get(project_name)
        if project is None:
            return errors(404 if user else 401, "NOT_FOUND" if user else "UNAUTHORIZED",
                          f"project {project_name} not found" if user else "unauthorized")
        if ("project", project_name) in self.model.denied or (
                repository and ("repository", repository) in self.model.denied):
            return errors(403, "FORBIDDEN", "forbidden")
        if not self.model.can_read(user, project_name):
            return errors(403 if user else 401, "FORBIDDEN" if user else "UNAUTHORIZED",
                          "forbidden" if user else "unauthorized")
        return None

    def _repositories(self, request, user, project_name):
        refused = self._refusal(user, project_name)
        if refused:
            return refused
        project = self.model.projects[project_name]

        def listing():
            with self.model.lock:
                return [r for _, r in sorted(project.repositories.items())]

        return self._reply(self._page(request, listing, request.route), lambda r: {
            "id": r.id, "project_id": r.project_id, "name": r.name, "description": "",
            "artifact_count": len(r.artifacts), "pull_count": 0,
            "creation_time": "2024-01-01T00:00:00.000Z", "update_time": "2024-01-01T00:00:00.000Z"})

    def _artifacts(self, request, user, project_name, short):
        full = f"{project_name}/{short}"
        refused = self._refusal(user, project_name, full)
        if refused:
            return refused
        repo = self.model.find_repository(project_name, short)
        if repo is None:
            return errors(404, "NOT_FOUND", f"repository {full} not found")
        with_tag = request.arg("with_tag", "true") != "false"

        def listing():
            with self.model.lock:
                return list(repo.artifacts)

        return self._reply(self._page(request, listing, request.route),
                           lambda a: self._artifact(repo, a, with_tag))

    def _artifact(self, repo, artifact, with_tag):
        is_index = artifact.references
        config_type = artifact.media_type if is_index else "application/vnd.oci.image.config.v1+json"
        extra = {} if is_index else dict(artifact.platform, created=artifact.created)
        return {
            "id": abs(hash(artifact.digest)) % 100000, "type": "IMAGE",
            "media_type": config_type, "manifest_media_type": artifact.media_type,
            "project_id": repo.project_id, "repository_id": repo.id, "repository_name": repo.name,
            "digest": artifact.digest, "size": 1234, "icon": "",
            "push_time": harbor_time(artifact.push_time), "pull_time": harbor_time(None),
            "extra_attrs": extra, "annotations": None, "labels": None,
            "references": [{"parent_id": 1, "child_id": 2, "child_digest": d, "platform": p, "urls": None,
                            "annotations": None} for d, p in artifact.references] or None,
            "tags": [{"id": 1, "repository_id": repo.id, "artifact_id": 1, "name": t,
                      "push_time": harbor_time(p), "pull_time": harbor_time(None), "immutable": False}
                     for t, p in artifact.tags] if with_tag and artifact.tags else None,
            "addition_links": {"vulnerabilities": {
                "href": f"{PREFIX}/projects/x/repositories/y/artifacts/{artifact.digest}/additions/vulnerabilities",
                "absolute": False}},
        }
