"""What an emulated Nexus Repository 3 holds: repositories, users and their
privileges, and the components its REST API lists, read from the real
distribution registry the images live in.

Each Nexus docker repository R keeps its images in the upstream registry
under the prefix "R/" (upstream "docker-hosted/team/app" is image "team/app"
of repository docker-hosted); a group serves its members' images.

Component shape, as Nexus 3 answers GET /service/rest/v1/components for the
docker format (sonatype/nexus-public#253 shows a real one): `group` is "",
`name` the image, `version` the tag, one asset whose `path` is
"/v2/<name>/manifests/<tag>" and whose `checksum.sha256` is the manifest's
sha256 (the docker digest without "sha256:"); `tags` are Nexus's own tagging
feature, never the docker tags, so they are always empty here. The image
manifests of a multi-platform index are stored as components of their own,
versioned by their digest ("sha256:..."), beside the tagged index.
"""
import base64
import hashlib
import json
import secrets
import threading

MANIFEST_TYPES = ", ".join([
    "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json"])
INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
LAST_MODIFIED = "2022-08-29T07:11:42.914+00:00"


class Repo:
    def __init__(self, name, type_, format_="docker", connector=False, members=(), remote=None,
                 online=True):
        self.name, self.type, self.format = name, type_, format_
        self.connector = connector          # whether it has an HTTP connector port
        self.http_port = None               # that connector's port, set when its listener starts
        self.members = list(members)        # a group's member repositories, in order
        self.remote = remote                # a proxy's remote URL
        self.online = online


class User:
    """browse: repositories whose components the user may list; read: whose
    images the user may pull ("*" for all); admin: may read repositorySettings
    and /v2/_catalog."""

    def __init__(self, browse=(), read=(), admin=False):
        self.browse, self.read, self.admin = set(browse), set(read), admin

    def may(self, action, repository):
        held = self.browse if action == "browse" else self.read
        return "*" in held or repository in held


class NexusModel:
    def __init__(self, upstream, repositories, page_size=10):
        self.upstream = upstream              # harness.registry.Registry (plain HTTP)
        self.repositories = {r.name: r for r in repositories}
        self.page_size = page_size
        self.users = {}                       # name -> (password, User)
        self.tokens = {}                      # user token name code -> (pass code, user name)
        self.anonymous = None                 # a User when anonymous access is enabled
        self.tokens_issued = {}               # continuation token -> (repository, offset)
        self.injected = {}                    # repository -> extra raw component dicts (hostile tests)
        self.token_size = {}                  # repository -> length its continuation tokens are padded to (hostile)
        self.lock = threading.Lock()

    # -- principals ---------------------------------------------------------

    def add_user(self, name, password, user):
        self.users[name] = (password, user)

    def add_user_token(self, user_name):
        """A user token (name code, pass code) of an existing user, used as Basic credentials."""
        name_code, pass_code = secrets.token_urlsafe(6), secrets.token_urlsafe(32)
        self.tokens[name_code] = (pass_code, user_name)
        return name_code, pass_code

    def principal(self, authorization):
        """(User, name) for an Authorization header value, (anonymous, None) without one,
        None when the credentials are wrong or anonymous access is off."""
        if not authorization:
            return (self.anonymous, None) if self.anonymous else None
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            name, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except ValueError:
            return None
        if name in self.users and self.users[name][0] == password:
            return self.users[name][1], name
        if name in self.tokens and self.tokens[name][0] == password:
            owner = self.tokens[name][1]
            return self.users[owner][1], owner
        return None

    # -- components ---------------------------------------------------------

    def upstream_json(self, path, accept=None):
        status, headers, body = self.upstream.request("GET", path, headers={"Accept": accept} if accept else {})
        return status, headers, (json.loads(body) if status == 200 else None), body

    def stored_images(self, repository):
        """Image names (without the repository prefix) the upstream holds for `repository`."""
        _, _, catalog, _ = self.upstream_json("/v2/_catalog?n=1000")
        prefix = repository + "/"
        return sorted(n[len(prefix):] for n in catalog.get("repositories") or [] if n.startswith(prefix))

    def component(self, repository, name, version, body, content_type):
        sha256 = hashlib.sha256(body).hexdigest()
        path = f"/v2/{name}/manifests/{version}"
        component_id = base64.b64encode(f"{repository}:{name}:{version}".encode()).decode().rstrip("=")
        return {
            "id": component_id, "repository": repository, "format": "docker", "group": "",
            "name": name, "version": version,
            "assets": [{
                "downloadUrl": f"http://nexus.invalid/repository/{repository}{path}",
                "path": path, "id": component_id + "-a", "repository": repository, "format": "docker",
                "checksum": {"sha1": hashlib.sha1(body).hexdigest(), "sha256": sha256},
                "contentType": content_type, "lastModified": LAST_MODIFIED, "lastDownloaded": None,
                "uploader": "admin", "uploaderIp": "127.0.0.1", "fileSize": len(body), "docker": {},
            }],
            "tags": [],
        }

    def components_of(self, repository):
        """Every component of a hosted or proxy repository, in Nexus's (unsorted) order."""
        found = []
        for name in self.stored_images(repository):
            _, _, listing, _ = self.upstream_json(f"/v2/{repository}/{name}/tags/list")
            for tag in listing.get("tags") or []:
                _, headers, manifest, body = self.upstream_json(f"/v2/{repository}/{name}/manifests/{tag}",
                                                                MANIFEST_TYPES)
                content_type = headers.get("Content-Type", "")
                found.append(self.component(repository, name, tag, body, content_type))
                if content_type in INDEX_TYPES:
                    for child in manifest.get("manifests") or []:
                        _, child_headers, _, child_body = self.upstream_json(
                            f"/v2/{repository}/{name}/manifests/{child['digest']}", MANIFEST_TYPES)
                        found.append(self.component(repository, name, child["digest"], child_body,
                                                    child_headers.get("Content-Type", "")))
        found += self.injected.get(repository, [])
        # Nexus pages in its database's order, not by name: a client must not
        # rely on an image's tags arriving together.
        return sorted(found, key=lambda c: hashlib.sha256(c["id"].encode()).hexdigest())

    def group_components(self, group):
        """A group lists its members' components (each naming its member)."""
        return [c for member in self.repositories[group].members for c in self.components_of(member)]

    def page(self, repository, token):
        """(items, next token or None) of one components page; None for an unknown token."""
        with self.lock:
            if token is None:
                offset = 0
            else:
                bound = self.tokens_issued.get(token)
                if bound is None or bound[0] != repository:
                    return None
                offset = bound[1]
        repo = self.repositories[repository]
        items = self.group_components(repository) if repo.type == "group" else self.components_of(repository)
        page = items[offset:offset + self.page_size]
        next_token = None
        if offset + self.page_size < len(items):
            next_token = secrets.token_hex(16)
            next_token += "0" * max(0, self.token_size.get(repository, 0) - len(next_token))
            with self.lock:
                self.tokens_issued[next_token] = (repository, offset + self.page_size)
        return page, next_token

    # -- pulls --------------------------------------------------------------

    def upstream_name(self, repository, name):
        """Where a /v2/ name of `repository` lives upstream (a group: its first member holding it)."""
        repo = self.repositories[repository]
        if repo.type != "group":
            return f"{repository}/{name}"
        for member in repo.members:
            if name in self.stored_images(member):
                return f"{member}/{name}"
        return f"{repo.members[0]}/{name}"
