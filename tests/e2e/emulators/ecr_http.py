"""The HTTP(S) plumbing of the ECR emulators: harness.http_server with AWS's
JSON 1.1 replies, virtual hosts (api.ecr.<region>.amazonaws.com and
<account>.dkr.ecr... on one address) and a log that names the host asked.
"""
import urllib.parse

from harness import http_server
from harness.http_server import Reply, Request, VirtualHosts  # noqa: F401 (the emulators' vocabulary)


def json_reply(status, document, content_type="application/x-amz-json-1.1"):
    return http_server.json_reply(status, document, content_type=content_type)


class Server(http_server.Server):
    """Logs each exchange as (host, method, path, status)."""

    def __init__(self, app, tls=None, **kwargs):
        super().__init__(app, tls=tls,
                         record=lambda request, reply: (request.host, request.method, request.path, reply.status),
                         **kwargs)

    def requests(self, host=None, method=None, route=None):
        with self.lock:
            return [entry for entry in self.log
                    if (host is None or entry[0] == host) and (method is None or entry[1] == method)
                    and (route is None or urllib.parse.urlsplit(entry[2]).path == route)]


def start_on_port_443(app, tls, attempts=20):
    return http_server.start_on_port_443(app, tls, attempts, server_class=Server)
