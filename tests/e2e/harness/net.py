"""Loopback ports and bounded polling (never sleep as synchronisation)."""
import socket
import time

LOOPBACK = "127.0.0.1"


def free_port():
    """A port the kernel just handed out on loopback (bind to 0, then release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class ClosedPort:
    """A loopback port that refuses connections: bound, never listening, held until closed."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind((LOOPBACK, 0))
        self.port = self.socket.getsockname()[1]

    def close(self):
        self.socket.close()


class GaveUp(Exception):
    """Raised by a polled condition that can never become true (e.g. the server died)."""


def wait_until(condition, timeout=20.0, interval=0.05, what="condition"):
    """Poll `condition()` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except GaveUp:
            raise
        except Exception as e:  # keep polling; report the last error on timeout
            last_error = e
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}"
                       + (f": {last_error!r}" if last_error else ""))
