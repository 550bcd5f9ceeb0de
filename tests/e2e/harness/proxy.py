"""A loopback HTTP proxy in front of a real registry that can misbehave on purpose.

Rules see each request first; the first rule that returns a Reply answers it,
otherwise the request is forwarded to the registry unchanged. Every request is
recorded (time, method, path) so tests can check retries and their delays.
"""
import http.client
import json
import threading
import time
import urllib.parse

from . import http_server, net
from .http_server import Reply, Request  # noqa: F401 (the rules' vocabulary)


class FaultProxy(http_server.Served):
    def __init__(self, upstream, rules=()):
        self.upstream = upstream  # a registry.Registry (plain HTTP)
        self.rules = list(rules)
        self.local = threading.local()
        self.server = http_server.Server(
            self._answer, record=lambda request, reply: (time.monotonic(), request.method, request.path, reply.status))

    @property
    def host(self):
        return f"{net.LOOPBACK}:{self.port}"

    @property
    def log(self):
        """(monotonic time, method, path, status) of every request."""
        with self.server.lock:
            return list(self.server.log)

    def forward(self, request):
        """The registry's own answer to `request`."""
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in ("host", "connection", "content-length")}
        status, response_headers, body = self._upstream_request(request, headers)
        dropped = ("transfer-encoding", "connection")
        if request.method != "HEAD":  # a HEAD answer keeps the entity's length
            dropped += ("content-length",)
        kept = {k: v for k, v in response_headers.items() if k.lower() not in dropped}
        return Reply(status, body, kept)

    def _upstream_request(self, request, headers):
        """Forward on this thread's kept-alive connection (one per client connection)."""
        for attempt in (1, 2):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = self.local.connection = self.upstream.connection()
            try:
                connection.request(request.method, request.path, body=request.body or None,
                                   headers=headers)
                response = connection.getresponse()
                return response.status, response.headers, response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise

    def _answer(self, request):
        for rule in self.rules:
            reply = rule(request, self)
            if reply is not None:
                return reply
        return self.forward(request)

    def requests_to(self, route):
        return [entry for entry in self.log if urllib.parse.urlsplit(entry[2]).path == route]


# Rules -----------------------------------------------------------------------

def fail_once(route, status, retry_after="1", methods=("GET", "HEAD"), header="Retry-After"):
    """Answer `status` with `header` (Retry-After) the first time `route` is asked for, then pass."""
    state = {"done": False}
    lock = threading.Lock()

    def rule(request, proxy):
        if request.route != route or request.method not in methods:
            return None
        with lock:
            if state["done"]:
                return None
            state["done"] = True
        body = json.dumps({"errors": [{"code": "UNAVAILABLE", "message": "try later"}]})
        return Reply(status, body, {header: retry_after, "Content-Type": "application/json"})
    return rule


def always(route, status, body, headers=None, methods=("GET", "HEAD")):
    """Answer every request for `route` with a fixed reply."""
    def rule(request, proxy):
        if request.route == route and request.method in methods:
            return Reply(status, body, dict(headers or {}))
        return None
    return rule


def paginate_tags(page_size=100):
    """Serve /v2/<name>/tags/list in pages with Link headers, as the distribution
    spec allows and distribution 3 does (2.8 ignores `n` on tags/list)."""
    def rule(request, proxy):
        if request.method != "GET" or not request.route.endswith("/tags/list"):
            return None
        upstream = proxy.forward(Request("GET", request.route, request.headers, None))
        if upstream.status != 200:
            return upstream
        document = json.loads(upstream.body)
        tags = sorted(document.get("tags") or [])
        last = request.query.get("last", [None])[0]
        if last is not None:
            tags = [t for t in tags if t > last]
        n = min(int(request.query.get("n", [page_size])[0]), page_size)
        page, rest = tags[:n], tags[n:]
        headers = {"Content-Type": "application/json",
                   "Docker-Distribution-Api-Version": "registry/2.0"}
        if rest:
            query = urllib.parse.urlencode({"last": page[-1], "n": n})
            headers["Link"] = f'<{request.route}?{query}>; rel="next"'
        return Reply(200, json.dumps({"name": document["name"], "tags": page}), headers)
    return rule


def cap_catalog_page(page_size=100):
    """Forward /v2/_catalog with `n` lowered to page_size, so a client that asks
    for a huge page still gets several (servers may return fewer than `n`)."""
    def rule(request, proxy):
        if request.method != "GET" or request.route != "/v2/_catalog":
            return None
        query = {k: v[0] for k, v in request.query.items()}
        if int(query.get("n", page_size)) <= page_size:
            return None
        query["n"] = str(page_size)
        capped = f"{request.route}?{urllib.parse.urlencode(query)}"
        return proxy.forward(Request("GET", capped, request.headers, None))
    return rule


class Hold:
    """A rule holding GETs of one route until `release` is set (or `cap` seconds, longer than any wait of the
    test using it, so that a client which waits for the answer fails that wait); `reached` is set when one
    arrives. A client that gives up meanwhile leaves the held request to end when released."""

    def __init__(self, route, cap=600):
        self.route, self.cap = route, cap
        self.reached, self.release = threading.Event(), threading.Event()

    def __call__(self, request, _proxy):
        if request.route == self.route and request.method == "GET":
            self.reached.set()
            self.release.wait(self.cap)
        return None


def hang(route, release, methods=("GET", "HEAD")):
    """Hold every request for `route` until the `release` event is set (or 60 s),
    then pass it on: a registry that stops answering."""
    def rule(request, proxy):
        if request.route == route and request.method in methods:
            release.wait(60)
        return None
    return rule
