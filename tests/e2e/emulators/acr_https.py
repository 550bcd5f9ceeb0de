"""The HTTP(S) plumbing of the Azure emulators: harness.http_server with
Azure's JSON content type, serving a registry on port 443 where it may so a
test can use a real URL without a port (https://test.azurecr.io).
"""
from harness import http_server
from harness.http_server import Reply, Request, Server  # noqa: F401 (the emulators' vocabulary)


def json_reply(status, document, headers=None):
    return http_server.json_reply(status, document, headers, content_type="application/json; charset=utf-8")


def bind_port_443(app, tls, attempts=20):
    """A started Server on port 443 of some 127.x.y.z address, or, where port
    443 cannot be bound (not root, or taken), on a free port of 127.0.0.1."""
    return http_server.start_on_port_443(app, tls, attempts) or Server(app, tls=tls).start()
