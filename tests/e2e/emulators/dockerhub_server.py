"""The threaded HTTP(S) server under the Docker Hub emulators.

An emulator is a function from a Request to a Reply. TLS handshakes run in
each connection's own thread, so a slow client never blocks the others.
`bind` raises PermissionError when the port needs privileges (443), so a test
can skip instead of failing.
"""
import http.server
import json
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

    def json(self):
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


def json_reply(status, document, headers=None):
    return Reply(status, json.dumps(document),
                 dict({"Content-Type": "application/json"}, **(headers or {})))


class _TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    context = None

    def finish_request(self, request, client_address):
        if self.context is None:
            return super().finish_request(request, client_address)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return None
        # The server closes the plain socket it accepted; the TLS one is ours.
        try:
            return super().finish_request(tls, client_address)
        finally:
            tls.close()


class Server:
    """Serves `app(request) -> Reply` on (address, port), HTTPS when `tls` is a
    (cert file, key file) pair. Every exchange is kept in `log` as
    (method, path, status)."""

    def __init__(self, app, tls=None, address=net.LOOPBACK, port=0):
        self.app = app
        self.tls = tls
        self.address = address
        self.port = port
        self.log = []
        self.lock = threading.Lock()
        self.httpd = None

    @property
    def scheme(self):
        return "https" if self.tls else "http"

    @property
    def url(self):
        return f"{self.scheme}://{self.address}:{self.port}"

    def start(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Docker Hub does

            def do_GET(self):
                server._answer(self)

            do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

            def log_message(self, *args):
                pass

        self.httpd = _TLSServer((self.address, self.port), Handler)
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self.httpd.context = context
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def _answer(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(handler.command, handler.path, handler.headers,
                          handler.rfile.read(length) if length else b"")
        try:
            reply = self.app(request)
        except Exception as e:  # an emulator bug must show up as a 500, not a hang
            reply = json_reply(500, {"message": f"emulator error: {e!r}"})
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

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
