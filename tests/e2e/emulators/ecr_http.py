"""The HTTP(S) plumbing of the ECR emulators: one threaded server on loopback
that hands each request to an app (a function Request -> Reply), over TLS when
given a certificate, and can answer several host names (virtual hosts) on one
address, as api.ecr.<region>.amazonaws.com and <account>.dkr.ecr... would.
"""
import http.server
import json
import random
import ssl
import threading
import urllib.parse

from harness import net


class Request:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        split = urllib.parse.urlsplit(path)
        self.route = split.path
        self.raw_query = split.query
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        self.headers = headers  # email.message.Message: case-insensitive, get_all keeps repeats
        self.body = body or b""

    @property
    def host(self):
        """The Host header without its port, lowercase."""
        value = (self.headers.get("Host") or "").lower()
        if value.startswith("["):
            return value[:value.find("]") + 1]
        return value.rsplit(":", 1)[0] if ":" in value else value


class Reply:
    def __init__(self, status, body=b"", headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = dict(headers or {})


def json_reply(status, document, content_type="application/x-amz-json-1.1"):
    return Reply(status, json.dumps(document), {"Content-Type": content_type})


class VirtualHosts:
    """Sends each request to the app of its Host header; unknown hosts get 421."""

    def __init__(self, apps):
        self.apps = {name.lower(): app for name, app in apps.items()}

    def __call__(self, request):
        app = self.apps.get(request.host)
        if app is None:
            return Reply(421, f"no emulator answers for host {request.host!r}\n")
        return app(request)


class Server:
    """Serves `app` on (address, port). `tls`: (cert file, key file) or None.
    Every exchange is recorded in `log` as (host, method, path, status)."""

    def __init__(self, app, tls=None, address=net.LOOPBACK, port=0):
        self.app = app
        self.tls = tls
        self.address = address
        self.requested_port = port
        self.port = None
        self.httpd = None
        self.log = []
        self.lock = threading.Lock()

    @property
    def url(self):
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.address}:{self.port}"

    def _answer(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(handler.command, handler.path, handler.headers,
                          handler.rfile.read(length) if length else b"")
        try:
            reply = self.app(request)
        except Exception as e:  # an emulator bug must show up as a failure, not a hang
            reply = Reply(500, f"emulator error: {e!r}\n")
        with self.lock:
            self.log.append((request.host, request.method, request.path, reply.status))
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
            context.load_cert_chain(*self.tls)

        class ThreadedServer(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def finish_request(self, request, client_address):
                # The TLS handshake runs here, in the connection's own thread.
                if context is None:
                    return super().finish_request(request, client_address)
                try:
                    wrapped = context.wrap_socket(request, server_side=True)
                except (ssl.SSLError, OSError):
                    return
                try:
                    super().finish_request(wrapped, client_address)
                finally:
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

    def requests(self, host=None, method=None, route=None):
        with self.lock:
            return [entry for entry in self.log
                    if (host is None or entry[0] == host) and (method is None or entry[1] == method)
                    and (route is None or urllib.parse.urlsplit(entry[2]).path == route)]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def start_on_port_443(app, tls, attempts=20):
    """A started Server on port 443 of a random 127.x.y.z address, so URLs need
    no port (https://<account>.dkr.ecr.<region>.amazonaws.com), or None where
    port 443 cannot be bound (no privilege, or every try taken)."""
    for _ in range(attempts):
        address = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        try:
            return Server(app, tls=tls, address=address, port=443).start()
        except PermissionError:
            return None
        except OSError:
            continue
    return None

