"""Run regscan as harness.run does, and also measure it: its own peak RSS
(os.wait4 on that child, so no earlier child's peak counts), the wall time,
and an optional hook run in the forked child before exec (the pid regscan
will have is then os.getpid())."""
import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from . import run as runner


class Measured(runner.Result):
    def __init__(self, args, completed, output_dir, peak_rss_kib, elapsed, timed_out, raw_stdout, raw_stderr):
        super().__init__(args, completed, output_dir)
        self.raw_stdout, self.raw_stderr = raw_stdout, raw_stderr  # undecoded, newlines untranslated
        self.peak_rss_kib = peak_rss_kib
        self.elapsed = elapsed
        self.timed_out = timed_out

    def __repr__(self):
        return (super().__repr__() + f"--- peak RSS {self.peak_rss_kib} KiB, {self.elapsed:.1f} s"
                + (", killed at the timeout" if self.timed_out else "") + " ---\n")

    def everything(self):
        """stdout, stderr, every output file's name and bytes: all regscan wrote."""
        parts = [self.raw_stdout, self.raw_stderr]
        for name in self.output_files():
            parts.append(name.encode())
            path = os.path.join(self.output_dir, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    parts.append(f.read())
        return b"\n".join(parts)


def temp_dir(prefix="regscan-e2e-hostile-"):
    """A fresh temp dir, removed when the tests end unless REGSCAN_E2E_KEEP is set."""
    path = tempfile.mkdtemp(prefix=prefix)
    if not os.environ.get("REGSCAN_E2E_KEEP"):
        atexit.register(shutil.rmtree, path, True)
    return path


def scratch_dirs():
    scratch = temp_dir()
    out, home = os.path.join(scratch, "out"), os.path.join(scratch, "home")
    os.mkdir(out)
    os.mkdir(home)
    return scratch, out, home


def clean_env(home, extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("REGSCAN_REGISTRY_", "TCS_REGISTRY_", "REGSCAN_PLUGIN_PATH"))}
    env["HOME"] = home
    env.update(extra or {})
    return env


def start(*args, output_dir=None, env=None, before_exec=None):
    """Popen regscan ARGS --output-dir=<fresh dir> with stdout/stderr to files;
    returns (process, output dir, stdout path, stderr path)."""
    scratch, out, home = scratch_dirs()
    out = output_dir or out
    stdout, stderr = os.path.join(scratch, "stdout"), os.path.join(scratch, "stderr")
    with open(stdout, "wb") as so, open(stderr, "wb") as se:
        process = subprocess.Popen([runner.regscan_binary(), *args, f"--output-dir={out}"],
                                   stdin=subprocess.DEVNULL, stdout=so, stderr=se, cwd=scratch,
                                   env=clean_env(home, env), preexec_fn=before_exec)
    return process, out, stdout, stderr


def run(*args, timeout=120, output_dir=None, env=None, before_exec=None):
    """Run to the end (killed after `timeout` seconds) and measure."""
    began = time.monotonic()
    process, out, stdout, stderr = start(*args, output_dir=output_dir, env=env, before_exec=before_exec)
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.kill(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - began
    with open(stdout, "rb") as so, open(stderr, "rb") as se:
        raw_stdout, raw_stderr = so.read(), se.read()
    completed = subprocess.CompletedProcess(args, process.returncode, raw_stdout.decode(errors="replace"),
                                            raw_stderr.decode(errors="replace"))
    return Measured(list(args), completed, out, usage.ru_maxrss, elapsed, timed_out.is_set(),
                    raw_stdout, raw_stderr)
