"""A small threaded HTTP(S) server for the Azure emulators.

Each emulator is a function from a Request to a Reply. TLS handshakes run in
the connection's own thread, so one slow client never blocks the others.
`bind_port_443` serves on port 443 of a random 127.x.y.z address when it may,
so a test can use a real URL without a port (https://test.azurecr.io).
"""
import http.server
import json
import random
import socket
import ssl
import threading
import urllib.parse

from harness import net


class Request:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        parsed = urllib.parse.urlsplit(path)
        self.route = parsed.path
        self.query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        self.headers = headers  # email.message.Message: case-insensitive get()
        self.body = body or b""

    def arg(self, name, default=None):
        return self.query.get(name, [default])[0]

    def form(self):
        """The urlencoded body as {name: [values]} (a name may repeat, e.g. scope)."""
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return None
        return urllib.parse.parse_qs(self.body.decode(), keep_blank_values=True)


class Reply:
    def __init__(self, status, body=b"", headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = dict(headers or {})


def json_reply(status, document, headers=None):
    return Reply(status, json.dumps(document), dict({"Content-Type": "application/json; charset=utf-8"},
                                                    **(headers or {})))


class Server:
    """Serves `app(request) -> Reply` on (address, port); HTTPS when `tls`
    (a harness.certs.CertificateAuthority) is given. Every exchange is kept in
    `log` as (method, path, status)."""

    def __init__(self, app, tls=None, address=net.LOOPBACK, port=0):
        self.app = app
        self.tls = tls
        self.address = address
        self.requested_port = port
        self.log = []
        self.lock = threading.Lock()
        self.httpd = None

    @property
    def scheme(self):
        return "https" if self.tls else "http"

    @property
    def url(self):
        return f"{self.scheme}://{self.address}:{self.port}"

    def _answer(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(handler.command, handler.path, handler.headers,
                          handler.rfile.read(length) if length else b"")
        try:
            reply = self.app(request)
        except Exception as error:  # an emulator bug must show, not hang the client
            reply = json_reply(500, {"errors": [{"code": "EMULATOR_ERROR", "message": repr(error)}]})
        with self.lock:
            self.log.append((request.method, request.path, reply.status))
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if not any(name.lower() == "content-length" for name in reply.headers):
            handler.send_header("Content-Length", str(len(reply.body)))
        handler.end_headers()
        if request.method != "HEAD":
            handler.wfile.write(reply.body)

    def start(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server._answer(self)

            do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

            def log_message(self, *args):
                pass

        context = None
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.tls.server_cert, self.tls.server_key)

        class TlsServer(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request, client_address):
                if context is None:
                    return super().finish_request(request, client_address)
                wrapped = context.wrap_socket(request, server_side=True)
                try:
                    super().finish_request(wrapped, client_address)
                finally:
                    try:
                        wrapped.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    wrapped.close()

            def handle_error(self, request, client_address):
                pass  # clients that hang up or fail the handshake on purpose

        self.httpd = TlsServer((self.address, self.requested_port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def requests(self, method=None, route=None):
        with self.lock:
            return [(m, p, s) for m, p, s in self.log
                    if (method is None or m == method)
                    and (route is None or urllib.parse.urlsplit(p).path == route)]

    def clear(self):
        with self.lock:
            self.log.clear()


def bind_port_443(app, tls, attempts=20):
    """A started Server on port 443 of some 127.x.y.z (loopback) address, or, where
    port 443 cannot be bound (not root, or taken), on a free port of 127.0.0.1."""
    for _ in range(attempts):
        address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        try:
            return Server(app, tls=tls, address=address, port=443).start()
        except OSError:
            continue
    return Server(app, tls=tls).start()
