"""What the fleet tests share: `regscan worker` processes, each in its own process group with its own
log file, and the route of a blob GET (to count or hold layer pulls at a proxy)."""
import os
import re
import signal
import subprocess

BLOB_ROUTE = re.compile(r"^/v2/(.+)/blobs/(sha256:[0-9a-f]{64})$")


class Worker:
    """One `regscan worker` process with its own id and log file."""

    def __init__(self, worker_id, argv, env, log_path):
        self.id = worker_id
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env, start_new_session=True)

    def alive(self):
        return self.process.poll() is None

    def kill9(self):
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self, timeout=60):
        """SIGTERM and wait: the exit code (a worker that will not stop is killed and fails the test)."""
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            return "did not stop within %ss of SIGTERM" % timeout

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()
