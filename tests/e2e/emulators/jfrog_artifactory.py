"""JFrog Artifactory on loopback: the REST API regscan lists through and the
Docker registry API in all its access methods, in front of a real distribution
registry (harness/registry.py) that holds the images as `<repoKey>/<image>`.

Served (what jfrog.com/help "JFrog REST APIs" documents, with the quirks real
servers show):
- `GET /artifactory/api/system/ping` -> `OK` (text/plain), no credentials needed.
- `GET /artifactory/api/repositories?packageType=docker[&type=]` -> [{key, type,
  description, url, packageType}], only the repositories the caller may read;
  anonymous callers get 401 when anonymous access is off.
- `GET /artifactory/api/docker/{repoKey}/v2/_catalog?n=&last=` and
  `.../v2/{image}/tags/list?n=&last=`: at most `page_size` entries a page
  whatever `n` asks. Quirks reproduced: the `Link` of the next page lacks the
  repository path (`</v2/_catalog?last=..&n=..>`, RTFACT-18971: following it
  lands on the global catalog), and the tags' `last` is the numeric position
  of the last tag sent, not its name (the REST API documents `last` as an
  integer; a tag name there is refused with 400).
- the Docker API (`/v2/` ping, `/v2/token`, manifests, blobs) by repository
  path (`/v2/{repoKey}/{image}/...`), through the REST path
  (`/artifactory/api/docker/{repoKey}/v2/...`), by subdomain
  (`Host: {repoKey}.{host}`) and by port (`add_port(repoKey)`).
  `/v2/_catalog` of the whole server needs an admin: others get 403.
- 401 for missing or wrong credentials, 403 for a user without read on a
  repository or image (404 instead with `hide_unauthorized`, Artifactory's
  "Hide Existence of Unauthorized Resources").
Every Artifactory answer carries `X-JFrog-Version` and `X-Artifactory-Id`;
paths Artifactory does not serve get the web server's bare 404.
"""
import json
import re
import urllib.parse

from harness import http_server
from harness.http_server import Reply, Server

from .jfrog_model import Model

VERSION = "Artifactory/7.77.5 77705900"
SERVER_ID = "8d2a0b5e4c3f4a1e9b7f6e5d4c3b2a19f0e1d2c3"
MANIFEST_TYPES = ", ".join([
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json"])


def vendor(headers=None):
    return dict({"X-JFrog-Version": VERSION, "X-Artifactory-Id": SERVER_ID,
                 "X-Artifactory-Node-Id": "art-node-1"}, **(headers or {}))


def rest_error(status, message, headers=None):
    return http_server.json_reply(status, {"errors": [{"status": status, "message": message}]}, vendor(headers))


def docker_error(status, code, message, headers=None):
    headers = dict({"Docker-Distribution-Api-Version": "registry/2.0"}, **(headers or {}))
    return http_server.json_reply(status, {"errors": [{"code": code, "message": message, "detail": None}]},
                                  vendor(headers))


class Artifactory:
    def __init__(self, upstream, tls, host_names, page_size=2, hide_unauthorized=False):
        self.upstream = upstream           # harness.registry.Registry (plain HTTP, no auth)
        self.tls = tls                     # certs.CertificateAuthority (names: each host, *.host, 127.0.0.1)
        self.host_names = [name.lower() for name in host_names]
        self.host_name = self.host_names[0]
        self.page_size = page_size
        self.hide_unauthorized = hide_unauthorized
        self.model = Model()
        self.server = Server(self.handle, tls=tls, record=self.record)
        self.port_servers = {}             # repoKey -> Server of the port access method

    # -- lifecycle ----------------------------------------------------------

    def start(self):
        self.server.start()
        return self

    def stop(self):
        for server in self.port_servers.values():
            server.stop()
        self.server.stop()

    def add_port(self, key):
        """Serves repository `key`'s Docker API alone on a port of its own."""
        server = Server(lambda request: self.handle_port(request, key), tls=self.tls, record=self.record).start()
        self.port_servers[key] = server
        return server.port

    @property
    def port(self):
        return self.server.port

    def authority(self, host_name=None):
        return f"{host_name or self.host_name}:{self.port}"

    def url(self, host_name=None):
        return f"https://{self.authority(host_name)}"

    def resolve(self, *names):
        """--resolve arguments sending each name (default: every host name) to the emulator."""
        return [f"--resolve={name}:{self.port}:{self.server.address}" for name in (names or self.host_names)]

    @staticmethod
    def record(request, reply):
        scheme = (request.headers.get("Authorization") or "").partition(" ")[0]
        return (request.method, request.path, reply.status, (request.headers.get("Host") or "").lower(), scheme)

    def requests(self, method=None, route=None, server=None):
        return (server or self.server).requests(method, route)

    def clear(self):
        self.server.clear()
        for server in self.port_servers.values():
            server.clear()

    def all_requests(self):
        entries = list(self.server.requests())
        for server in self.port_servers.values():
            entries += server.requests()
        return entries

    # -- routing ------------------------------------------------------------

    def handle(self, request):
        host = request.host
        parent = next((name for name in self.host_names if host.endswith("." + name)), None)
        if parent:
            key = host[:-len(parent) - 1]
            if key in self.model.repositories and request.route.startswith("/v2/"):
                origin = f"https://{request.headers.get('Host')}"
                return self.docker(request, key, request.route[len("/v2/"):], origin + "/v2/token")
            return Reply(404, "<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})
        route = request.route
        origin = f"https://{request.headers.get('Host')}"
        if route == "/artifactory/api/system/ping":
            return Reply(200, "OK", vendor({"Content-Type": "text/plain"}))
        if route == "/artifactory/api/repositories":
            return self.repositories(request, origin)
        match = re.fullmatch(r"/artifactory/api/docker/([^/]+)/v2/(.*)", route)
        if match:
            key = urllib.parse.unquote(match.group(1))
            if key not in self.model.repositories:
                return rest_error(404, f"Repository {key} not found")
            return self.docker(request, key, match.group(2),
                               f"{origin}/artifactory/api/docker/{match.group(1)}/v2/token")
        if route.startswith("/artifactory/"):
            return rest_error(404, "Not Found")
        if route == "/v2/" or route.startswith("/v2/"):
            return self.repository_path(request, route[len("/v2/"):], origin + "/v2/token")
        return Reply(404, "<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})

    def handle_port(self, request, key):
        if request.route == "/v2/" or request.route.startswith("/v2/"):
            origin = f"https://{request.headers.get('Host')}"
            return self.docker(request, key, request.route[len("/v2/"):], origin + "/v2/token")
        return Reply(404, "<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})

    # -- REST API -----------------------------------------------------------

    def caller(self, request, docker=False):
        """(user, error reply)."""
        user, refused = self.model.authenticate(request.headers.get("Authorization"), docker)
        if user is None:
            return None, rest_error(401, "Bad credentials" if refused else "Authentication is required",
                                    {"WWW-Authenticate": 'Basic realm="Artifactory Realm"'})
        return user, None

    def repositories(self, request, origin):
        if request.method != "GET":
            return rest_error(405, "Method not allowed")
        user, error = self.caller(request)
        if error:
            return error
        wanted_package = (request.arg("packageType") or "").lower()
        wanted_type = (request.arg("type") or "").lower()
        listed = []
        for repository in self.model.visible_repositories(user):
            if wanted_package and repository.package_type.lower() != wanted_package:
                continue
            if wanted_type and repository.kind.lower() != wanted_type:
                continue
            listed.append({"key": repository.key, "type": repository.kind, "description": "",
                           "url": f"{origin}/artifactory/{repository.key}",
                           "packageType": repository.package_type.capitalize()})
        return http_server.json_reply(200, listed, vendor(),
                                      content_type="application/vnd.org.jfrog.artifactory.repositories."
                                                   "RepositoryDetailsList+json")

    # -- Docker API -----------------------------------------------------------

    def challenge(self, realm, scope=None):
        service = urllib.parse.urlsplit(realm).netloc
        value = f'Bearer realm="{realm}",service="{service}"'
        return value + (f',scope="{scope}"' if scope else "")

    def docker_caller(self, request, realm, scope=None):
        """(user, error reply) for a Docker API request."""
        user, refused = self.model.authenticate(request.headers.get("Authorization"), docker=True)
        if user is None:
            return None, docker_error(401, "UNAUTHORIZED", "authentication required",
                                      {"WWW-Authenticate": self.challenge(realm, scope)})
        return user, None

    def denied(self, user, realm, scope):
        if user.name == "anonymous":
            return docker_error(401, "UNAUTHORIZED", "authentication required",
                                {"WWW-Authenticate": self.challenge(realm, scope)})
        if self.hide_unauthorized:
            return docker_error(404, "NAME_UNKNOWN", "Repository name not known to registry.")
        return docker_error(403, "DENIED", f"{user.name} has no read permission on {scope}")

    def token(self, request):
        user, refused = self.model.authenticate(request.headers.get("Authorization"))
        if user is None:
            return docker_error(401, "UNAUTHORIZED", "Bad credentials" if refused else "authentication required",
                                {"WWW-Authenticate": 'Basic realm="Artifactory Realm"'})
        return http_server.json_reply(200, {"token": self.model.issue_docker_token(user), "expires_in": 3600},
                                      vendor())

    def repository_path(self, request, rest, realm):
        """/v2/... of the whole server: `rest` starts with the repository key."""
        if rest == "token":
            return self.token(request)
        if rest == "":
            user, error = self.docker_caller(request, realm)
            return error or Reply(200, "{}", vendor({"Content-Type": "application/json",
                                                     "Docker-Distribution-Api-Version": "registry/2.0"}))
        if rest == "_catalog":
            user, error = self.docker_caller(request, realm, "registry:catalog:*")
            if error:
                return error
            if not user.admin:
                return docker_error(403, "DENIED", "listing the catalog of all repositories needs an admin")
            names = sorted(f"{r.key}/{image}" for r in self.model.repositories.values()
                           if r.package_type == "docker" for image in self.model.images_of(r.key))
            return http_server.json_reply(200, {"repositories": names}, vendor())
        key, _, inner = rest.partition("/")
        if key not in self.model.repositories or not inner:
            return docker_error(404, "NAME_UNKNOWN", "Repository name not known to registry.")
        return self.docker(request, key, inner, realm, scope_prefix=key + "/")

    def docker(self, request, key, rest, realm, scope_prefix=""):
        """The Docker API of repository `key`; `rest` follows its `/v2/`."""
        if request.method not in ("GET", "HEAD"):
            return docker_error(405, "UNSUPPORTED", "the emulator serves reads only")
        if rest == "token":
            return self.token(request)
        if rest == "":
            user, error = self.docker_caller(request, realm)
            return error or Reply(200, "{}", vendor({"Content-Type": "application/json",
                                                     "Docker-Distribution-Api-Version": "registry/2.0"}))
        if rest == "_catalog":
            user, error = self.docker_caller(request, realm, "registry:catalog:*")
            if error:
                return error
            if not self.model.may_list(user, key):
                return self.denied(user, realm, "registry:catalog:*")
            return self.catalog(request, key)
        for marker in ("/tags/list", "/manifests/", "/blobs/", "/referrers/"):
            at = rest.rfind(marker)
            if at > 0:
                image, tail = rest[:at], rest[at:]
                break
        else:
            return docker_error(404, "NAME_UNKNOWN", "Repository name not known to registry.")
        scope = f"repository:{scope_prefix}{image}:pull"
        user, error = self.docker_caller(request, realm, scope)
        if error:
            return error
        if not self.model.may_read(user, key, image):
            return self.denied(user, realm, scope)
        found = self.model.images_of(key).get(image)
        if found is None:
            return docker_error(404, "NAME_UNKNOWN", "Repository name not known to registry.")
        if tail == "/tags/list":
            return self.tags(request, image, found[1])
        return self.pass_through(request, f"/v2/{found[0]}/{image}{tail}")

    def page_size_of(self, request):
        try:
            asked = int(request.arg("n") or self.page_size)
        except ValueError:
            return None
        return max(1, min(asked, self.page_size))

    def catalog(self, request, key):
        n = self.page_size_of(request)
        if n is None:
            return rest_error(400, "Invalid n parameter")
        names = sorted(self.model.images_of(key))
        last = request.arg("last")
        if last:
            names = [name for name in names if name > last]
        page, rest = names[:n], names[n:]
        headers = {}
        if rest:
            # RTFACT-18971: the next link has lost /artifactory/api/docker/{repoKey}.
            query = urllib.parse.urlencode({"last": page[-1], "n": n})
            headers["Link"] = f'</v2/_catalog?{query}>; rel="next"'
        return http_server.json_reply(200, {"repositories": page}, vendor(headers))

    def tags(self, request, image, tags):
        n = self.page_size_of(request)
        if n is None:
            return rest_error(400, "Invalid n parameter")
        ordered = sorted(tags)
        last = request.arg("last")
        start = 0
        if last:
            if not last.isdigit():
                return rest_error(400, f"Invalid last parameter '{last}': expected the position of the last tag")
            start = int(last)
        page = ordered[start:start + n]
        headers = {}
        if start + n < len(ordered):
            query = urllib.parse.urlencode({"last": start + n, "n": n})
            headers["Link"] = f'</v2/{image}/tags/list?{query}>; rel="next"'
        return http_server.json_reply(200, {"name": image, "tags": page}, vendor(headers))

    def pass_through(self, request, path):
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in ("host", "authorization", "connection", "content-length")}
        status, response_headers, body = self.upstream.request(request.method, path, headers=headers)
        dropped = ("transfer-encoding", "connection") + (() if request.method == "HEAD" else ("content-length",))
        return Reply(status, body, vendor({k: v for k, v in response_headers.items() if k.lower() not in dropped}))

    # -- content --------------------------------------------------------------

    def refresh_images(self):
        """Reads what the upstream registry holds into each repository's images."""
        status, _, body = self.upstream.request("GET", "/v2/_catalog?n=1000")
        assert status == 200, status
        for repository in self.model.repositories.values():
            repository.images = {}
        for name in json.loads(body).get("repositories") or []:
            key, _, image = name.partition("/")
            repository = self.model.repositories.get(key)
            if repository is None or not image:
                continue
            status, _, body = self.upstream.request("GET", f"/v2/{name}/tags/list?n=1000")
            repository.images[image] = sorted(json.loads(body).get("tags") or [])
