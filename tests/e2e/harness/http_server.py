"""The threaded HTTP(S) server under every emulator and the fault proxy.

An app is a function from a Request to a Reply. TLS handshakes run in each
connection's own thread, so one slow or failing client never blocks the
others. `start_on_port_443` serves on port 443 of a random 127.x.y.z address
where it may, so a test can use a vendor's real URL without a port.
"""
import http.server
import json
import random
import socket
import ssl
import threading
import urllib.parse

from . import net


class Request:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        split = urllib.parse.urlsplit(path)
        self.route = split.path
        self.raw_query = split.query
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.headers = headers  # email.message.Message: case-insensitive get(), get_all keeps repeats
        self.body = body or b""

    @property
    def host(self):
        """The Host header without its port, lowercase."""
        value = (self.headers.get("Host") or "").lower()
        if value.startswith("["):
            return value[:value.find("]") + 1]
        return value.rsplit(":", 1)[0] if ":" in value else value

    def arg(self, name, default=None):
        return self.query.get(name, [default])[0]

    def form(self):
        """The urlencoded body as {name: [values]} (a name may repeat, e.g. scope)."""
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return None
        return urllib.parse.parse_qs(self.body.decode(), keep_blank_values=True)

    def json(self):
        """The body as a JSON object, or None."""
        try:
            document = json.loads(self.body or b"null")
        except ValueError:
            return None
        return document if isinstance(document, dict) else None


class Reply:
    def __init__(self, status, body=b"", headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = dict(headers or {})


def json_reply(status, document, headers=None, content_type="application/json"):
    return Reply(status, json.dumps(document), dict({"Content-Type": content_type}, **(headers or {})))


# What an emulator's /v2/ front passes on to the real registry behind it: the
# request headers that shape a registry's answer, and its answer without the
# hop-by-hop headers (and without Content-Length, which the front recomputes,
# except for a HEAD, whose length is the entity's).
RELAYED_REQUEST_HEADERS = ("accept", "range", "if-none-match")
HOP_BY_HOP = ("transfer-encoding", "connection", "keep-alive")


def relay(request, send):
    """The registry's reply to `request`, through `send(method, path, body, headers)`."""
    headers = {k: v for k, v in request.headers.items() if k.lower() in RELAYED_REQUEST_HEADERS}
    status, response_headers, body = send(request.method, request.path, request.body or None, headers)
    dropped = HOP_BY_HOP if request.method == "HEAD" else HOP_BY_HOP + ("content-length",)
    return Reply(status, body, {k: v for k, v in response_headers.items() if k.lower() not in dropped})


def static_files(files, content_type="application/octet-stream"):
    """An app answering GET of a path in `files` ({"/PyPI/all.zip": bytes}) with its bytes, anything
    else with 404 "Not Found": a download mirror."""
    def app(request):
        body = files.get(request.path) if request.method == "GET" else None
        if body is None:
            return Reply(404, b"Not Found")
        return Reply(200, body, {"Content-Type": content_type})
    return app


class VirtualHosts:
    """Sends each request to the app of its Host header; unknown hosts get 421."""

    def __init__(self, apps):
        self.apps = {name.lower(): app for name, app in apps.items()}

    def __call__(self, request):
        app = self.apps.get(request.host)
        if app is None:
            return Reply(421, f"no emulator answers for host {request.host!r}\n")
        return app(request)


def _cert_pair(tls):
    """(cert file, key file) from a pair or a harness.certs.CertificateAuthority."""
    if tls is None or isinstance(tls, (tuple, list)):
        return tls
    return tls.server_cert, tls.server_key


class Server:
    """Serves `app` on (address, port), HTTPS when `tls` is given. Every
    exchange is kept in `log` as `record(request, reply)`, by default
    (method, path, status)."""

    def __init__(self, app, tls=None, address=net.LOOPBACK, port=0, record=None):
        self.app = app
        self.tls = _cert_pair(tls)
        self.address = address
        self.requested_port = port
        self.port = None
        self.record = record or (lambda request, reply: (request.method, request.path, reply.status))
        self.log = []
        self.lock = threading.Lock()
        self.httpd = None

    @property
    def scheme(self):
        return "https" if self.tls else "http"

    @property
    def url(self):
        return f"{self.scheme}://{self.address}:{self.port}"

    def _dispatch(self, handler):
        """The request as the app sees it and the app's reply, logged."""
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(handler.command, handler.path, handler.headers,
                          handler.rfile.read(length) if length else b"")
        try:
            reply = self.app(request)
        except Exception as error:  # an emulator bug must show up as a 500, not a hang
            reply = json_reply(500, {"errors": [{"code": "EMULATOR_ERROR", "message": repr(error)}]})
        with self.lock:
            self.log.append(self.record(request, reply))
        return request, reply

    def _answer(self, handler):
        request, reply = self._dispatch(handler)
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            if not any(name.lower() == "content-length" for name in reply.headers):
                handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            if request.method != "HEAD":
                handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts are tested on purpose)

    def start(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as registries and vendor APIs do

            def do_GET(self):
                server._answer(self)

            do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

            def log_message(self, *args):
                pass

        context = None
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)

        class ThreadedServer(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request, client_address):
                if context is None:
                    return super().finish_request(request, client_address)
                try:
                    wrapped = context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError):
                    return None  # clients failing the handshake on purpose
                try:
                    return super().finish_request(wrapped, client_address)
                finally:
                    try:
                        wrapped.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    wrapped.close()  # wrapping detached `request`: shutdown_request cannot close it

            def handle_error(self, request, client_address):
                pass  # clients hanging up mid-request are normal

        self.httpd = ThreadedServer((self.address, self.requested_port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def requests(self, method=None, route=None):
        """Logged (method, path, status) entries, filtered."""
        with self.lock:
            return [entry for entry in self.log
                    if (method is None or entry[0] == method)
                    and (route is None or urllib.parse.urlsplit(entry[1]).path == route)]

    def clear(self):
        with self.lock:
            self.log.clear()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class Served:
    """Something that answers through its own Server, set as `self.server`
    in its constructor: starting, stopping and addressing it are the server's."""

    @property
    def port(self):
        return self.server.port

    @property
    def url(self):
        return self.server.url

    def start(self):
        self.server.start()
        return self

    def stop(self):
        self.server.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def start_on_port_443(app, tls, attempts=20, server_class=Server):
    """A started server on port 443 of a random 127.x.y.z (loopback) address,
    or None where port 443 cannot be bound (no privilege, or every try taken)."""
    for _ in range(attempts):
        address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        try:
            return server_class(app, tls=tls, address=address, port=443).start()
        except PermissionError:
            return None
        except OSError:
            continue
    return None
