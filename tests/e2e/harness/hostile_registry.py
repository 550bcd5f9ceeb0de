"""A programmable OCI distribution server that a test turns hostile route by route.

By default it is a small, honest registry: `GET /v2/` answers 200 with
`Docker-Distribution-API-Version: registry/2.0` (regscan identifies it as
DEFAULT_V2), and `/v2/_catalog`, `/v2/<name>/tags/list`, manifests (GET and
HEAD, with Docker-Content-Digest) and blobs are served from what the test
pushed (harness.oci_layout Manifests), paged by `n`/`last` with Link headers.

A test overrides any route with `on(route, handler)`: the handler gets the
harness Request and returns a Reply (or a stream_server.StreamReply), or None
to fall through to the default. `basic=(user, password)` makes every /v2/
route require those Basic credentials first. Every request is recorded
(method, path, headers, time) before it is answered, so a test can say who
was asked what; `arrival(route)` gives an Event set when a request for that
route comes in. `closing` is set when the server stops: handlers that delay
or trickle wait on it, so nothing outlives the test.
"""
import base64
import re
import threading
import time
import urllib.parse

from . import http_server, net
from .http_server import Reply, json_reply
from .stream_server import StreamingServer

API_VERSION = {"Docker-Distribution-API-Version": "registry/2.0"}
_OBJECT = re.compile(r"^/v2/(?P<name>.+)/(?P<kind>manifests|blobs)/(?P<reference>[^/]+)$")
_TAGS = re.compile(r"^/v2/(?P<name>.+)/tags/list$")


class Seen:
    """One request as it arrived."""

    def __init__(self, request):
        self.time = time.monotonic()
        self.method = request.method
        self.path = request.path
        self.route = request.route
        self.headers = {name.lower(): value for name, value in request.headers.items()}

    def __repr__(self):
        return f"{self.method} {self.path}"


def error(status, code, message, headers=None):
    return json_reply(status, {"errors": [{"code": code, "message": message}]}, dict(API_VERSION, **(headers or {})))


def page_link(route, query):
    return f'<{route}?{urllib.parse.urlencode(query)}>; rel="next"'


class HostileRegistry(http_server.Served):
    def __init__(self, address=net.LOOPBACK, tls=None, basic=None):
        self.address = address
        self.basic = basic
        self.tags = {}       # repository -> {tag: manifest digest}
        self.manifests = {}  # digest -> (media type, bytes)
        self.blobs = {}      # digest -> bytes
        self.catalog = None  # a list of names to serve instead of sorted(self.tags)
        self.rules = []      # (route or compiled regex, methods, handler), first match wins
        self.seen = []
        self.waiters = []    # (route, Event)
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.server = StreamingServer(self._answer, tls=tls, address=address)

    # -- addressing --------------------------------------------------------

    @property
    def host(self):
        """host:port, as in image references and report names."""
        return f"{self.address}:{self.port}"

    def stop(self):
        self.closing.set()
        super().stop()

    # -- content -----------------------------------------------------------

    def push(self, repository, tag, manifest):
        """Serve an oci_layout.Manifest (and every blob it needs) as repository:tag."""
        for blob in [manifest.blob] + manifest.dependencies:
            if blob.media_type in (_INDEX_TYPES | _MANIFEST_TYPES):
                self.manifests[blob.digest] = (blob.media_type, blob.data)
            else:
                self.blobs[blob.digest] = blob.data
        self.tags.setdefault(repository, {})[tag] = manifest.digest
        return manifest

    # -- behaviour ---------------------------------------------------------

    def on(self, route, handler, methods=("GET", "HEAD")):
        """Answer requests for `route` (a path, or a compiled regex over the path
        without its query) with `handler(request)`; None falls through."""
        self.rules.insert(0, (route, tuple(methods), handler))

    def arrival(self, route):
        """An Event set when a request for `route` arrives."""
        event = threading.Event()
        with self.lock:
            self.waiters.append((route, event))
        return event

    def delay(self, seconds):
        """Wait `seconds` or until the server stops: pacing, never synchronisation."""
        self.closing.wait(seconds)

    # -- what was asked ----------------------------------------------------

    def requests(self, route=None, method=None, prefix=None):
        with self.lock:
            return [s for s in self.seen
                    if (route is None or s.route == route) and (method is None or s.method == method)
                    and (prefix is None or s.route.startswith(prefix))]

    def clear(self):
        with self.lock:
            self.seen.clear()

    @property
    def raw_lines(self):
        with self.server.lock:
            return list(self.server.raw_lines)

    # -- answering ---------------------------------------------------------

    def _answer(self, request):
        with self.lock:
            self.seen.append(Seen(request))
            ready = [event for route, event in self.waiters if _matches(route, request.route)]
        for event in ready:
            event.set()
        if self.basic and not self._authorised(request):
            return error(401, "UNAUTHORIZED", "authentication required",
                         {"WWW-Authenticate": 'Basic realm="hostile-registry"'})
        for route, methods, handler in list(self.rules):
            if request.method in methods and _matches(route, request.route):
                reply = handler(request)
                if reply is not None:
                    return reply
        return self.default(request)

    def _authorised(self, request):
        user, password = self.basic
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        return request.headers.get("Authorization") == expected

    def default(self, request):
        """The honest answer to `request`."""
        route = request.route
        if route in ("/v2", "/v2/"):
            return json_reply(200, {}, API_VERSION)
        if route == "/v2/_catalog":
            names = self.catalog if self.catalog is not None else sorted(self.tags)
            return self.paged(request, "repositories", names, {})
        match = _TAGS.match(route)
        if match:
            name = match["name"]
            if name not in self.tags:
                return error(404, "NAME_UNKNOWN", "repository name not known to registry")
            return self.paged(request, "tags", sorted(self.tags[name]), {"name": name})
        match = _OBJECT.match(route)
        if match and match["kind"] == "manifests":
            return self.manifest(match["name"], match["reference"])
        if match and match["kind"] == "blobs":
            data = self.blobs.get(match["reference"])
            if data is None:
                return error(404, "BLOB_UNKNOWN", "blob unknown to registry")
            return Reply(200, data, dict(API_VERSION, **{"Content-Type": "application/octet-stream",
                                                         "Docker-Content-Digest": match["reference"]}))
        return error(404, "NOT_FOUND", f"no route {route}")

    def manifest(self, name, reference):
        digest = reference if reference.startswith("sha256:") else self.tags.get(name, {}).get(reference)
        if digest not in self.manifests:
            return error(404, "MANIFEST_UNKNOWN", "manifest unknown")
        media_type, data = self.manifests[digest]
        return Reply(200, data, dict(API_VERSION, **{"Content-Type": media_type, "Docker-Content-Digest": digest}))

    def paged(self, request, key, items, extra):
        """`items` after `last`, at most `n`, with a Link to the rest (as distribution pages)."""
        last = request.arg("last")
        if last is not None:
            items = [item for item in items if item > last]
        n = int(request.arg("n") or 100)
        page, rest = items[:n], items[n:]
        headers = dict(API_VERSION)
        if rest and page:
            headers["Link"] = page_link(request.route, {"n": n, "last": page[-1]})
        return json_reply(200, dict(extra, **{key: page}), headers)


def _matches(route, path):
    return route.fullmatch(path) is not None if isinstance(route, re.Pattern) else route == path


_MANIFEST_TYPES = {"application/vnd.oci.image.manifest.v1+json",
                   "application/vnd.docker.distribution.manifest.v2+json"}
_INDEX_TYPES = {"application/vnd.oci.image.index.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json"}
