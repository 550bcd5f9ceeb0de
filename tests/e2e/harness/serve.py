"""`regscan serve` on a free loopback port, with its own data dir, state and log.

    server = serve.start(workdir, db=osv_db_path)      # waits for /healthz, reads the token
    server.api("POST", "/api/v1/connectors", {...})    # JSON with the Bearer token; raises on >= 400
    reply = server.request("GET", "/api/v1/images", token=None)   # raw: status, headers, body
    server.stop()      # SIGTERM, bounded wait, then SIGKILL; server.kill() is kill -9 at once
    server.start()     # again, same data dir, state and port (a restart)

The token is read from <data dir>/serve-token (made 0600 at first start); the
server's standard output and error go to <workdir>/serve.log (log_text(), log_tail()).
"""
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import urllib.parse

from . import net
from .run import regscan_binary

TOKEN_FILE = "serve-token"
FINISHED = ("succeeded", "partial", "failed", "interrupted", "cancelled")


class HttpFailure(AssertionError):
    def __init__(self, method, path, reply):
        super().__init__(f"{method} {path} -> {reply.status}: {reply.body[:500]!r}")
        self.reply = reply


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage (case-insensitive get)
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"Reply({self.status}, {self.body[:300]!r})"


class Server:
    """One `regscan serve` process; start() may be called again after stop() or kill()."""

    def __init__(self, workdir, db=None, state=None, args=(), tls=None, env=None, log_level="debug",
                 data_dir=None):
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.data_dir = data_dir or os.path.join(workdir, "data")
        self.state_path = state or os.path.join(workdir, "state.db")
        self.db = db
        self.args = list(args)
        self.tls = tls  # a certs.CertificateAuthority, or None
        self.env = env or {}
        self.log_level = log_level
        self.log_path = os.path.join(workdir, "serve.log")
        self.port = None
        self.process = None
        self.token = None
        self.starts = 0

    # -- lifecycle ------------------------------------------------------------------
    @property
    def host(self):
        return f"{net.LOOPBACK}:{self.port}"

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://{self.host}"

    @property
    def origin(self):
        return self.url

    @property
    def token_path(self):
        return os.path.join(self.data_dir, TOKEN_FILE)

    def command(self):
        argv = [regscan_binary(), "serve", f"--listen={self.host}", f"--data-dir={self.data_dir}",
                f"--state={self.state_path}", f"--log-level={self.log_level}"]
        if self.db:
            argv.append(f"--db={self.db}")
        if self.tls:
            argv += [f"--tls-cert={self.tls.server_cert}", f"--tls-key={self.tls.server_key}"]
        return argv + self.args

    def environment(self):
        home = os.path.join(self.workdir, "home")
        os.makedirs(home, exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("REGSCAN_REGISTRY_", "TCS_REGISTRY_", "REGSCAN_SERVE_TOKEN"))}
        env["HOME"] = home
        env["XDG_DATA_HOME"] = os.path.join(home, ".local", "share")
        env.update(self.env)
        return env

    def start(self, timeout=60):
        """Starts the server (the same port as last time when there was one) and waits for /healthz."""
        keep_port = self.port is not None
        for attempt in range(3):
            if not keep_port or attempt > 0:
                self.port = net.free_port()
            self.starts += 1
            log = open(self.log_path, "ab")
            try:
                log.write(f"---- start {self.starts}: {' '.join(self.command())}\n".encode())
                log.flush()
                self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, env=self.environment(),
                                                cwd=self.workdir, start_new_session=True)
            finally:
                log.close()
            try:
                net.wait_until(self._healthy, timeout=timeout, what=f"regscan serve on {self.url}/healthz")
            except net.GaveUp as e:
                if "address already in use" in str(e).lower() and attempt < 2:
                    continue
                raise AssertionError(f"{e}\nserver log:\n{self.log_tail()}") from None
            except TimeoutError as e:
                self.kill()
                raise AssertionError(f"{e}\nserver log:\n{self.log_tail()}") from None
            with open(self.token_path) as f:
                self.token = f.read().strip()
            return self
        raise AssertionError("regscan serve found no free port")

    def _healthy(self):
        if self.process.poll() is not None:
            raise net.GaveUp(f"regscan serve exited with {self.process.returncode}: {self.log_tail()}")
        reply = self.request("GET", "/healthz", token=None, timeout=2)
        return reply.status == 200

    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, grace=60):
        """SIGTERM, wait up to `grace` seconds, then SIGKILL. Returns the exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill()
        code = self.process.wait()
        return code

    def kill(self):
        """kill -9 of the server's process group (nothing finishes, nothing is cleaned up)."""
        if self.process is None:
            return None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.process.wait()

    def restart(self, **kwargs):
        self.stop()
        return self.start(**kwargs)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, chars=4000):
        return self.log_text()[-chars:]

    # -- HTTP -----------------------------------------------------------------------
    def connection(self, timeout=30):
        if self.tls:
            context = ssl.create_default_context(cafile=self.tls.ca_cert)
            return http.client.HTTPSConnection(net.LOOPBACK, self.port, timeout=timeout, context=context)
        return http.client.HTTPConnection(net.LOOPBACK, self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, token="default", timeout=30):
        """One request on a fresh connection: a Reply (never raises for an HTTP status).
        `body` may be bytes, str or a JSON-able object; `token` None sends no Authorization."""
        headers = dict(headers or {})
        if token == "default":
            token = self.token
        if token is not None and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = f"Bearer {token}"
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            conn.close()

    def api(self, method, path, body=None, expect=None, **kwargs):
        """A JSON API call with the token; raises HttpFailure on a status >= 400 (or not `expect`).
        Returns the parsed JSON, or None for an empty body."""
        reply = self.request(method, path, body, **kwargs)
        if (expect is not None and reply.status != expect) or (expect is None and reply.status >= 400):
            raise HttpFailure(method, path, reply)
        return reply.json() if reply.body else None

    # -- API helpers ------------------------------------------------------------------
    def connector(self, name):
        return self.api("GET", "/api/v1/connectors/" + urllib.parse.quote(name, safe=""))

    def wait_for_import(self, import_id, timeout=180, states=FINISHED):
        """Polls /api/v1/imports/{id} until its state is one of `states`; returns the Import."""
        def finished():
            if not self.running():
                raise net.GaveUp(f"regscan serve exited with {self.process.returncode}: {self.log_tail()}")
            found = self.api("GET", f"/api/v1/imports/{import_id}")
            return found if found["state"] in states else None
        return net.wait_until(finished, timeout=timeout, interval=0.2, what=f"import {import_id} in {states}")

    def images(self, **params):
        return self.api("GET", "/api/v1/images?" + urllib.parse.urlencode(params))


def start(workdir, **kwargs):
    """A started Server (see Server for the arguments); call stop() when done."""
    return Server(workdir, **kwargs).start()


def remove(server):
    """Stops the server and deletes its workdir (unless REGSCAN_E2E_KEEP)."""
    server.stop()
    if not os.environ.get("REGSCAN_E2E_KEEP"):
        shutil.rmtree(server.workdir, ignore_errors=True)
