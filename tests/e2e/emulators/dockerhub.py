"""Docker Hub on loopback: the Hub API, auth.docker.io and registry-1.docker.io
emulators (sharing one HubModel) in front of a real distribution registry.

Two layouts:
- default: the Hub API serves HTTPS on a free port of 127.0.0.1 with a
  certificate for hub.docker.com, so `https://hub.docker.com:<port>` with
  `--resolve` identifies the registry by its real name without privileges;
  the auth server and the registry front serve plain HTTP on free ports and
  are reached through --hub-registry (the realm comes from the challenge),
  the front as `http://registry-1.docker.io:<port>` (`--resolve` again: a
  --hub-registry that is not Docker Hub's name is a mirror, which gets no
  pull-limit probe), or as a mirror at its loopback address (`mirror_url`).
- real_names=True: each server on port 443 of its own random 127.x.y.z with
  the real host names (hub.docker.com, docker.io, index.docker.io,
  registry.hub.docker.com; registry-1.docker.io; auth.docker.io), so the
  plugin's defaults are used unchanged. Needs the right to bind port 443;
  start() raises unittest.SkipTest when it is missing.
"""
import errno
import os
import random
import shutil
import subprocess
import tempfile
import unittest

from harness import net, push, registry

from . import dockerhub_api, dockerhub_auth, dockerhub_model, dockerhub_registry
from harness import http_server as server

HUB_NAMES = ("hub.docker.com", "docker.io", "index.docker.io", "registry.hub.docker.com")
REGISTRY_NAME = "registry-1.docker.io"
AUTH_NAME = "auth.docker.io"


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, timeout=60)


def make_certificates(directory):
    """A CA and one server certificate for every Docker Hub name and 127.0.0.1:
    (ca_cert, server_cert, server_key)."""
    ca_cert, ca_key = os.path.join(directory, "ca.pem"), os.path.join(directory, "ca.key")
    cert, key = os.path.join(directory, "hub.pem"), os.path.join(directory, "hub.key")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
             "-keyout", ca_key, "-out", ca_cert, "-subj", "/CN=regscan e2e Docker Hub CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-sha256", "-keyout", key,
             "-out", "hub.csr", "-subj", "/CN=hub.docker.com", cwd=directory)
    names = ",".join(f"DNS:{n}" for n in HUB_NAMES + (REGISTRY_NAME, AUTH_NAME))
    with open(os.path.join(directory, "hub.ext"), "w") as f:
        f.write(f"subjectAltName={names},IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "hub.csr", "-CA", ca_cert, "-CAkey", ca_key, "-set_serial", "3",
             "-days", "2", "-sha256", "-extfile", "hub.ext", "-out", cert, cwd=directory)
    return ca_cert, cert, key


def _start_on_443(apps, tls):
    """Start one server per app on port 443 of 127.a.b.1, .2, ...: [Server]."""
    for _ in range(20):
        block = f"127.{random.randint(64, 254)}.{random.randint(0, 255)}"
        started = []
        try:
            for number, app in enumerate(apps, 1):
                started.append(server.Server(app, tls=tls, address=f"{block}.{number}", port=443).start())
            return started
        except OSError as e:
            for s in started:
                s.stop()
            if e.errno in (errno.EACCES, errno.EPERM):
                raise unittest.SkipTest("binding port 443 on loopback needs root or CAP_NET_BIND_SERVICE")
            if e.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                raise
    raise RuntimeError("no free 127.x.y.z block with port 443 found")


class DockerHub:
    def __init__(self, max_page_size=2, real_names=False):
        self.real_names = real_names
        self.model = dockerhub_model.HubModel()
        self.api = dockerhub_api.HubApi(self.model, max_page_size=max_page_size)
        self.auth = dockerhub_auth.AuthServer(self.model)
        self.registry = registry.Registry()
        self.front = None
        self.servers = []
        self.directory = tempfile.mkdtemp(prefix="regscan-e2e-dockerhub-")

    # -- lifecycle ---------------------------------------------------------------
    def start(self):
        try:
            self.ca_cert, cert, key = make_certificates(self.directory)
            self.registry.start()
            if self.real_names:
                self.front = dockerhub_registry.RegistryFront(self.model, self.registry,
                                                              f"https://{AUTH_NAME}/token")
                self.api.scheme = "https"
                self.servers = _start_on_443([self.api, self.front, self.auth], (cert, key))
                self.api_server, self.front_server, self.auth_server = self.servers
            else:
                self.auth_server = server.Server(self.auth).start()
                self.front = dockerhub_registry.RegistryFront(self.model, self.registry,
                                                              f"{self.auth_server.url}/token")
                self.front_server = server.Server(self.front).start()
                self.api.scheme = "https"
                self.api_server = server.Server(self.api, tls=(cert, key)).start()
                self.servers = [self.auth_server, self.front_server, self.api_server]
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        for s in self.servers:
            s.stop()
        self.servers = []
        self.registry.stop()
        if not os.environ.get("REGSCAN_E2E_KEEP"):
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- addresses ---------------------------------------------------------------
    @property
    def hub_url(self):
        """The Docker Hub URL a user gives regscan (real name, port when not 443)."""
        if self.real_names:
            return "https://hub.docker.com"
        return f"https://hub.docker.com:{self.api_server.port}"

    @property
    def registry_url(self):
        if self.real_names:
            return f"https://{REGISTRY_NAME}"
        return f"http://{REGISTRY_NAME}:{self.front_server.port}"

    @property
    def mirror_url(self):
        """The registry front under its loopback address: to the plugin, a mirror of Docker Hub."""
        return self.front_server.url

    def args(self):
        """--resolve and --ca-cert arguments that send the real names here."""
        if self.real_names:
            entries = [f"{name}:443:{self.api_server.address}" for name in HUB_NAMES]
            entries += [f"{REGISTRY_NAME}:443:{self.front_server.address}",
                        f"{AUTH_NAME}:443:{self.auth_server.address}"]
        else:
            entries = [f"hub.docker.com:{self.api_server.port}:{net.LOOPBACK}",
                       f"{REGISTRY_NAME}:{self.front_server.port}:{net.LOOPBACK}"]
        return [f"--resolve={e}" for e in entries] + [f"--ca-cert={self.ca_cert}"]

    def endpoint_options(self):
        """--hub-api / --hub-registry pointing at the emulators (default layout)."""
        return [f"--hub-api={self.hub_url}", f"--hub-registry={self.registry_url}"]

    # -- content -----------------------------------------------------------------
    def publish(self, images):
        """Push [(namespace, repository, tag, oci_layout.Manifest, pushed, private)]
        to the registry and describe them to the Hub API."""
        push.skopeo_push(self.registry, {f"{ns}/{repo}:{tag}": manifest
                                         for ns, repo, tag, manifest, _, _ in images})
        for ns, repo, tag, manifest, pushed, private in images:
            self.model.add_tag(ns, repo, tag, manifest, pushed, private)
