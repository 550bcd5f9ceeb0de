"""An emulated Sonatype Nexus Repository 3: the REST API regscan lists with
(/service/rest/v1/status, repositories, repositorySettings, components with
continuationToken paging) and the Docker API of each docker repository, both
path-based (/repository/<name>/v2/ on the main port) and through a connector
port (a listener of its own per repository that has one). Docker requests go
through to a real distribution registry (nexus_model.py says how).

Reproduced behaviour of Nexus: every answer carries `Server: Nexus/3...`
(a reverse proxy may strip it: `server_header = False`); /service/rest/v1/status
answers 200 with an empty body, unauthenticated; the Basic challenge is
spelt `BASIC realm="Sonatype Nexus Repository Manager"`; repositories lists
only what the caller may browse; repositorySettings needs an administrator
(403 to a browse/read account); components pages hold at most `page_size`
items (Nexus: 10) and end with `"continuationToken": null`; a continuation
token belongs to its repository (another repository's token is a 400);
`repository` missing is a 422; /v2/_catalog is refused to non-administrators.
"""
from harness import http_server
from harness.http_server import Reply, Server

from .nexus_model import NexusModel, Repo, User  # noqa: F401 (the tests' vocabulary)

SERVER = "Nexus/3.94.0-03 (OSS)"
CHALLENGE = 'BASIC realm="Sonatype Nexus Repository Manager"'
REST = "/service/rest/v1/"


def docker_error(status, code, message, headers=None):
    return http_server.json_reply(status, {"errors": [{"code": code, "message": message, "detail": None}]},
                                  dict({"Docker-Distribution-Api-Version": "registry/2.0"}, **(headers or {})))


class NexusEmulator:
    def __init__(self, model):
        self.model = model
        self.server_header = True
        self.refuse_components = {}   # repository -> HTTP status its components listing answers
        self.server = None
        self.connectors = {}          # repository -> Server

    # -- lifecycle ----------------------------------------------------------

    def record(self, request, reply):
        return request.method, request.path, reply.status, request.headers.get("Authorization")

    def start(self):
        self.server = Server(self.main, record=self.record).start()
        for repo in self.model.repositories.values():
            if repo.connector:
                server = Server(lambda request, name=repo.name: self.connector(request, name),
                                record=self.record).start()
                repo.http_port = server.port
                self.connectors[repo.name] = server
        return self

    def stop(self):
        for server in [self.server, *self.connectors.values()]:
            if server:
                server.stop()

    @property
    def url(self):
        return self.server.url

    @property
    def authority(self):
        return f"{self.server.address}:{self.server.port}"

    def reset(self):
        self.server_header = True
        self.refuse_components = {}
        self.model.injected = {}
        self.model.token_size = {}
        for server in [self.server, *self.connectors.values()]:
            server.clear()

    def requests(self, route_prefix="", server=None):
        """(method, path, status, authorization) entries whose path starts with route_prefix."""
        server = server or self.server
        with server.lock:
            return [e for e in server.log if e[1].startswith(route_prefix)]

    # -- plumbing -----------------------------------------------------------

    def stamped(self, reply):
        if self.server_header:
            reply.headers["Server"] = SERVER
        return reply

    def unauthorized(self):
        return Reply(401, "", {"WWW-Authenticate": CHALLENGE})

    def main(self, request):
        route = request.route
        if route.startswith(REST):
            return self.stamped(self.rest(request, route[len(REST):]))
        if route.startswith("/repository/"):
            name, _, rest = route[len("/repository/"):].partition("/")
            if rest == "v2" or rest.startswith("v2/"):
                return self.stamped(self.docker(request, name, rest[len("v2/"):] if rest != "v2" else ""))
        if route == "/v2/" or route == "/v2":
            return self.stamped(self.ping(request))
        return self.stamped(Reply(404, "Not Found\n", {"Content-Type": "text/plain"}))

    def connector(self, request, name):
        if request.route.startswith("/v2/"):
            return self.stamped(self.docker(request, name, request.route[len("/v2/"):]))
        return self.stamped(Reply(404, "Not Found\n", {"Content-Type": "text/plain"}))

    def ping(self, request):
        if self.model.principal(request.headers.get("Authorization")) is None:
            return self.unauthorized()
        return http_server.json_reply(200, {}, {"Docker-Distribution-Api-Version": "registry/2.0"})

    # -- REST API -----------------------------------------------------------

    def rest(self, request, path):
        if request.method != "GET":
            return Reply(405, "")
        if path == "status":
            return Reply(200, "")
        who = self.model.principal(request.headers.get("Authorization"))
        if who is None:
            return self.unauthorized()
        user, name = who
        if path == "repositories":
            return http_server.json_reply(200, [self.repository_xo(r) for r in self.model.repositories.values()
                                                if user.may("browse", r.name)])
        if path == "repositorySettings":
            if not user.admin:
                return Reply(403, "")
            return http_server.json_reply(200, [self.settings(r) for r in self.model.repositories.values()])
        if path == "components":
            return self.components(request, user, name)
        return Reply(404, "")

    def repository_xo(self, repo):
        xo = {"name": repo.name, "format": repo.format, "type": repo.type,
              "url": f"{self.url}/repository/{repo.name}", "attributes": {}}
        if repo.remote:
            xo["attributes"] = {"proxy": {"remoteUrl": repo.remote}}
        return xo

    def settings(self, repo):
        xo = {"name": repo.name, "format": repo.format, "type": repo.type, "online": repo.online,
              "url": f"{self.url}/repository/{repo.name}",
              "storage": {"blobStoreName": "default", "strictContentTypeValidation": True}}
        if repo.format == "docker":
            xo["docker"] = {"v1Enabled": False, "forceBasicAuth": True, "httpPort": repo.http_port,
                            "httpsPort": None, "subdomain": None}
        if repo.type == "group":
            xo["group"] = {"memberNames": repo.members}
        if repo.remote:
            xo["proxy"] = {"remoteUrl": repo.remote, "contentMaxAge": 1440, "metadataMaxAge": 1440}
        return xo

    def components(self, request, user, name):
        repository = request.arg("repository")
        if not repository:
            return http_server.json_reply(422, [{"id": "repository", "message": "Parameter 'repository' is required"}])
        repo = self.model.repositories.get(repository)
        if repo is None:
            return http_server.json_reply(404, {"message": f"Repository not found: {repository}"})
        if not user.may("browse", repository):
            return self.unauthorized() if name is None else Reply(403, "")
        if repository in self.refuse_components:
            return Reply(self.refuse_components[repository], "")
        page = self.model.page(repository, request.arg("continuationToken"))
        if page is None:
            return http_server.json_reply(400, {"message": "Invalid continuation token"})
        items, token = page
        return http_server.json_reply(200, {"items": items, "continuationToken": token})

    # -- Docker API ---------------------------------------------------------

    def docker(self, request, repository, rest):
        repo = self.model.repositories.get(repository)
        if repo is None or repo.format != "docker":
            return docker_error(404, "NAME_UNKNOWN", "repository not found")
        if request.method not in ("GET", "HEAD"):
            return docker_error(405, "UNSUPPORTED", "the emulator serves reads only")
        who = self.model.principal(request.headers.get("Authorization"))
        if who is None:
            return docker_error(401, "UNAUTHORIZED", "access to the requested resource is not authorized",
                                {"WWW-Authenticate": CHALLENGE})
        user, name = who
        if rest in ("", "/"):
            return http_server.json_reply(200, {}, {"Docker-Distribution-Api-Version": "registry/2.0"})
        if rest == "_catalog":
            if not user.admin:
                return docker_error(403, "DENIED", "requested access to the resource is denied")
            return http_server.json_reply(200, {"repositories": []})
        if not user.may("read", repository):
            if name is None:  # anonymous: the client should authenticate
                return docker_error(401, "UNAUTHORIZED", "access to the requested resource is not authorized",
                                    {"WWW-Authenticate": CHALLENGE})
            return docker_error(403, "DENIED", "requested access to the resource is denied")
        for marker in ("/manifests/", "/blobs/", "/tags/list"):
            at = rest.rfind(marker)
            if at > 0:
                upstream = self.model.upstream_name(repository, rest[:at])
                return self.forward(request, f"/v2/{upstream}{rest[at:]}")
        return docker_error(404, "NOT_FOUND", "not found")

    def forward(self, request, path):
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in ("host", "authorization", "connection", "content-length")}
        status, response_headers, body = self.model.upstream.request(request.method, path, headers=headers)
        dropped = ("transfer-encoding", "connection", "server") + \
            (() if request.method == "HEAD" else ("content-length",))
        return Reply(status, body, {k: v for k, v in response_headers.items() if k.lower() not in dropped})
