"""A real PostgreSQL 15 (Debian postgresql-15) for the tests: initdb into a temp dir, a Unix socket
in that dir and 127.0.0.1 on a free port, a database owned by a login role with a password.

    with Postgres() as pg:
        run("worker", "--state", pg.url, ...)
        pg.restart()                      # same port and data: clients must reconnect
        pg.query("SELECT count(*) FROM x")  # [("3",)] through psql, as the superuser

The server refuses to run as root, so when the tests run as root (here and in CI) every server
command runs as the `postgres` user through runuser, in a temp dir chowned to it. fsync and
full-page writes are off: a test database need not survive a power cut, and the tests go faster;
synchronous_commit stays on, so an immediate stop (a crash) never loses a committed transaction.
Readiness is a bounded poll of pg_isready (never a sleep); teardown is `pg_ctl stop -m immediate`
and the removal of the dir, from __exit__ even when the test failed.
"""
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import urllib.parse

from . import net
from .registry import storage_parent

BIN_DIR = "/usr/lib/postgresql/15/bin"
SUPERUSER = "postgres"


def _tool(name):
    path = os.path.join(BIN_DIR, name)
    return path if os.access(path, os.X_OK) else name


class Postgres:
    """Start with `start()` (or `with`), always `stop()` or leave the `with`.

    user, password, database: the login role and the database it owns; .url names them.
    The superuser (`postgres`, trusted on the socket only) is for .query and setup.
    """

    def __init__(self, user="regscan", password=None, database="regscan", settings=None):
        self.user = user
        self.password = password or secrets.token_hex(12)
        self.database = database
        self.settings = dict(settings or {})
        self.port = None
        self.dir = None
        self.process = None
        self.created = False

    # Addresses ------------------------------------------------------------------------------------

    @property
    def url(self):
        """postgresql://user:password@127.0.0.1:port/db: TCP, password checked (scram-sha-256)."""
        return (f"postgresql://{urllib.parse.quote(self.user, safe='')}:{urllib.parse.quote(self.password, safe='')}"
                f"@{net.LOOPBACK}:{self.port}/{urllib.parse.quote(self.database, safe='')}")

    @property
    def redacted_url(self):
        return self.url.replace(urllib.parse.quote(self.password, safe=""), "***")

    @property
    def socket_url(self):
        """The same role over the Unix socket, in libpq's URL form (host= a directory)."""
        query = urllib.parse.urlencode({"host": self.socket_dir, "port": self.port})
        return (f"postgresql://{urllib.parse.quote(self.user, safe='')}:{urllib.parse.quote(self.password, safe='')}"
                f"@/{urllib.parse.quote(self.database, safe='')}?{query}")

    @property
    def socket_dir(self):
        return os.path.join(self.dir, "socket")

    @property
    def data_dir(self):
        return os.path.join(self.dir, "data")

    @property
    def log_path(self):
        return os.path.join(self.dir, "server.log")

    # Processes ------------------------------------------------------------------------------------

    def _as_server_user(self, argv):
        return ["runuser", "-u", SUPERUSER, "--", *argv] if os.geteuid() == 0 else list(argv)

    def _run(self, argv, timeout=60, check=True, **kwargs):
        result = subprocess.run(self._as_server_user(argv), capture_output=True, text=True, timeout=timeout,
                                cwd=self.dir, stdin=subprocess.DEVNULL, **kwargs)
        if check and result.returncode != 0:
            raise RuntimeError(f"{os.path.basename(argv[0])} failed ({result.returncode}): "
                               f"{result.stdout[-2000:]}{result.stderr[-2000:]}\n{self.log_tail()}")
        return result

    def _init(self):
        self.dir = tempfile.mkdtemp(prefix="regscan-e2e-pg-", dir=storage_parent())
        os.mkdir(self.socket_dir)
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SUPERUSER)
            for path in (self.dir, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        # The superuser is trusted on the socket (only this dir's owner can reach it); TCP always
        # wants a password, so the role's URL is tested the way a fleet would use it.
        self._run([_tool("initdb"), "-D", self.data_dir, "-U", SUPERUSER, "--auth-local=trust",
                   "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], timeout=120)

    def _server_options(self):
        options = {"listen_addresses": net.LOOPBACK, "port": str(self.port), "unix_socket_directories": self.socket_dir,
                   "fsync": "off", "full_page_writes": "off",
                   "max_connections": "100", "shared_buffers": "32MB"}
        options.update({k: str(v) for k, v in self.settings.items()})
        return [arg for k, v in options.items() for arg in ("-c", f"{k}={v}")]

    def _running(self):
        return self.process is not None and self.process.poll() is None

    def _ready(self):
        if not self._running():
            raise net.GaveUp(f"postgres exited {self.process.returncode}:\n{self.log_tail()}")
        return self._run([_tool("pg_isready"), "-q", "-h", self.socket_dir, "-p", str(self.port), "-U", SUPERUSER,
                          "-d", "postgres", "-t", "2"], check=False).returncode == 0

    def start(self, timeout=60):
        """Start (the first time: initdb, role and database too) and wait until it accepts connections.
        A restart keeps the port, so a URL handed out before stays valid."""
        first = self.dir is None
        try:
            if first:
                self._init()
            for attempt in range(3):
                if first:
                    self.port = net.free_port()
                # The postmaster is our child (not pg_ctl's), so its death is seen at once; readiness is
                # the bounded pg_isready poll below. Its own session: a test's ^C does not reach it.
                with open(self.log_path, "ab") as log:
                    self.process = subprocess.Popen(
                        self._as_server_user([_tool("postgres"), "-D", self.data_dir, *self._server_options()]),
                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.dir,
                        start_new_session=True)
                try:
                    net.wait_until(self._ready, timeout=timeout, interval=0.05,
                                   what=f"postgres on {net.LOOPBACK}:{self.port}")
                    break
                except net.GaveUp:
                    # The free port was taken before the server bound it: pick another (first start only).
                    if first and attempt < 2 and "in use" in self.log_tail():
                        continue
                    raise
            if not self.created:
                self._setup()
            return self
        except BaseException:
            self.close()  # `with Postgres()` never reaches __exit__ when start fails
            raise

    def _setup(self):
        quoted_password = self.password.replace("'", "''")
        self.query(f'CREATE ROLE "{self.user}" LOGIN PASSWORD \'{quoted_password}\'', database="postgres")
        self.query(f'CREATE DATABASE "{self.database}" OWNER "{self.user}"', database="postgres")
        self.created = True

    def stop(self, mode="immediate"):
        """Stop the server (immediate: like a crash, no checkpoint; fast: clients told, clean)."""
        if self.dir is None or not os.path.isdir(self.data_dir):
            return
        if self._running():
            result = self._run([_tool("pg_ctl"), "stop", "-D", self.data_dir, "-m", mode, "-w", "-t", "30"],
                               check=False)
            if result.returncode != 0:
                self._kill_postmaster()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.process = None

    def restart(self, mode="fast", timeout=60):
        """Stop and start on the same port and data: every client connection is cut."""
        self.stop(mode)
        return self.start(timeout)

    def _kill_postmaster(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass

    def close(self):
        """Stop immediately and remove everything (REGSCAN_E2E_KEEP keeps the dir)."""
        if self.dir is None:
            return
        try:
            self.stop("immediate")
        finally:
            if not os.environ.get("REGSCAN_E2E_KEEP"):
                shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # Looking inside -------------------------------------------------------------------------------

    def query(self, sql, database=None, timeout=60):
        """Rows of `sql` run by the superuser through psql over the socket: a list of tuples of strings
        (NULL is None). Raises with psql's message when the statement fails."""
        result = self._run([_tool("psql"), "-X", "-q", "-h", self.socket_dir, "-p", str(self.port), "-U", SUPERUSER,
                            "-d", database or self.database, "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "\x1f",
                            "-P", "null=\x1e", "-c", sql], timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed on {sql!r}: {result.stderr.strip()}")
        return [tuple(None if v == "\x1e" else v for v in line.split("\x1f"))
                for line in result.stdout.split("\n") if line]  # not splitlines: it splits at \x1e too

    def scalar(self, sql, database=None):
        rows = self.query(sql, database)
        return rows[0][0] if rows else None

    def tables(self):
        return sorted(r[0] for r in self.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"))

    def log_tail(self, chars=3000):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-chars:]
        except OSError:
            return ""
