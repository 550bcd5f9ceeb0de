"""harness.http_server.Server, plus replies sent piece by piece and a record of raw request lines.

A `StreamReply` carries an iterable of byte chunks instead of a body: a
200 MB error body, or a listing fed one byte a second, costs the server no
memory, and the chunks stop as soon as the client hangs up. `raw_lines` keeps
every request line as received, including those `http.server` rejects before
an app sees them (a space or a control character in the path).
"""
from . import http_server
from .http_server import Reply


class StreamReply(Reply):
    """A reply whose body is `chunks` (an iterable of bytes). `length` is sent as
    Content-Length; None closes the connection after the last chunk instead."""

    def __init__(self, status, chunks, headers=None, length=None):
        super().__init__(status, b"", headers)
        self.chunks = chunks
        self.length = length


class StreamingServer(http_server.Server):
    def __init__(self, app, **kwargs):
        super().__init__(app, **kwargs)
        self.raw_lines = []  # bytes of every request line received

    def _answer(self, handler):
        request, reply = self._dispatch(handler)
        streamed = isinstance(reply, StreamReply)
        try:
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            if not any(name.lower() == "content-length" for name in reply.headers):
                if not streamed:
                    handler.send_header("Content-Length", str(len(reply.body)))
                elif reply.length is not None:
                    handler.send_header("Content-Length", str(reply.length))
            if streamed and reply.length is None:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            if request.method == "HEAD":
                return
            if not streamed:
                handler.wfile.write(reply.body)
                return
            for chunk in reply.chunks:
                handler.wfile.write(chunk)
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            handler.close_connection = True  # the client gave up: stop producing

    def start(self):
        super().start()
        server, base = self, self.httpd.RequestHandlerClass

        class Recording(base):
            def parse_request(self):
                with server.lock:
                    server.raw_lines.append(bytes(self.raw_requestline))
                return super().parse_request()

        self.httpd.RequestHandlerClass = Recording
        return self


def trickle(data, interval, stop):
    """`data` one byte per `interval` seconds, cut short when `stop` (an Event) is set."""
    for i in range(len(data)):
        if i and stop.wait(interval):
            return
        yield data[i:i + 1]


def repeated(byte, total, chunk=1 << 16):
    """`total` copies of `byte`, in chunks."""
    block = byte * chunk
    sent = 0
    while sent < total:
        piece = block[:min(chunk, total - sent)]
        sent += len(piece)
        yield piece

