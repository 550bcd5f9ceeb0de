"""A real CNCF distribution registry (`docker-registry serve`) on a free loopback port."""
import http.client
import os
import shutil
import signal
import ssl
import subprocess
import tempfile

from . import net

REGISTRY_BINARY = "/usr/bin/docker-registry"


def storage_parent():
    """tmpfs when there is one: the registry writes (and the cleanup deletes) a
    directory tree per repository, which is slow on a disk mounted with discard."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


class Registry:
    """Start with `start()`, always `stop()` (kills the whole process group).

    tls: a certs.CertificateAuthority (serve HTTPS with its server cert), or None.
    htpasswd_users: {user: password} for Basic auth (distribution 2.8 accepts htpasswd
        over plain HTTP; it only logs a warning, which log level error hides).
    token: a token_server.TokenServer for Bearer auth.
    """

    def __init__(self, tls=None, htpasswd_users=None, token=None):
        self.tls = tls
        self.htpasswd_users = htpasswd_users
        self.token = token
        self.workdir = tempfile.mkdtemp(prefix="regscan-e2e-registry-", dir=storage_parent())
        self.port = None
        self.process = None

    @property
    def host(self):
        return f"{net.LOOPBACK}:{self.port}"

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://{self.host}"

    def _config(self):
        lines = [
            "version: 0.1",
            "log:",
            "  level: error",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {os.path.join(self.workdir, 'data')}",
            "  delete:",
            "    enabled: true",
            "http:",
            f"  addr: {self.host}",
        ]
        if self.tls:
            lines += ["  tls:",
                      f"    certificate: {self.tls.server_cert}",
                      f"    key: {self.tls.server_key}"]
        if self.htpasswd_users:
            path = os.path.join(self.workdir, "htpasswd")
            with open(path, "w") as f:
                for user, password in self.htpasswd_users.items():
                    f.write(subprocess.run(["htpasswd", "-Bbn", user, password], check=True,
                                           capture_output=True, text=True).stdout.strip() + "\n")
            lines += ["auth:", "  htpasswd:", "    realm: regscan-e2e", f"    path: {path}"]
        elif self.token:
            lines += ["auth:", "  token:",
                      f"    realm: {self.token.realm}",
                      f"    service: {self.token.service}",
                      f"    issuer: {self.token.issuer}",
                      f"    rootcertbundle: {self.token.signer.cert}"]
        return "\n".join(lines) + "\n"

    def start(self):
        # The port is free when picked but could be taken before the registry binds
        # it: then the registry exits at once and we pick another.
        os.makedirs(self.workdir, exist_ok=True)  # stop() removed it: a restart
        for attempt in range(3):
            self.port = net.free_port()
            config = os.path.join(self.workdir, "config.yml")
            with open(config, "w") as f:
                f.write(self._config())
            self.log_path = os.path.join(self.workdir, "registry.log")
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen([REGISTRY_BINARY, "serve", config],
                                                stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                net.wait_until(self._answers, what=f"registry on {self.url}/v2/")
                return self
            except Exception as e:
                if (isinstance(e, net.GaveUp) and "address already in use" in str(e)
                        and attempt < 2):
                    continue
                self.stop()  # `with Registry()` never reaches __exit__ when start fails
                raise

    def _answers(self):
        if self.process.poll() is not None:
            with open(self.log_path, errors="replace") as f:
                raise net.GaveUp(f"docker-registry exited {self.process.returncode}: {f.read()}")
        status, _, _ = self.request("GET", "/v2/", timeout=1)
        return status in (200, 401)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        if not os.environ.get("REGSCAN_E2E_KEEP"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def connection(self, timeout=30):
        if self.tls:
            context = ssl.create_default_context(cafile=self.tls.ca_cert)
            # The harness trusts its own CA but not the name, so it can also serve
            # a certificate made for another host (the name check is regscan's test).
            context.check_hostname = False
            return http.client.HTTPSConnection(net.LOOPBACK, self.port, timeout=timeout,
                                               context=context)
        return http.client.HTTPConnection(net.LOOPBACK, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=30):
        """One raw request to the registry: (status, headers, body bytes)."""
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
