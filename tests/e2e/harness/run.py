"""Run the regscan binary and read back what it produced."""
import atexit
import csv
import os
import re
import shutil
import subprocess
import tempfile

LOG_LINE = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000) (trace|debug|info|warning|error|critical) (.*)$")


def regscan_binary():
    path = os.environ.get("REGSCAN_BIN")
    if not path:
        raise AssertionError("REGSCAN_BIN is not set (path of the regscan binary)")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"REGSCAN_BIN={path} is not an executable file")
    return path


def report_name(host):
    """`127.0.0.1:5000` -> `127-0-0-1-5000-report.csv` (docs/cli.md)."""
    return host.replace(".", "-").replace(":", "-") + "-report.csv"


class Result:
    def __init__(self, args, completed, output_dir):
        self.args = args
        self.code = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.output_dir = output_dir

    def __repr__(self):
        return (f"regscan {' '.join(self.args)}\n-> exit {self.code}\n"
                f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}")

    @property
    def log_lines(self):
        return self.stderr.splitlines()

    def messages(self, level=None):
        """Log messages (text after the level), only those of `level` if given."""
        found = []
        for line in self.log_lines:
            match = LOG_LINE.match(line)
            if match and (level is None or match.group(2) == level):
                found.append(match.group(3))
        return found

    def summary(self):
        """The 'Registry Summary:' block of stdout as {label: value}."""
        values, inside = {}, False
        for line in self.stdout.splitlines():
            if line.strip() == "Registry Summary:":
                inside = True
            elif inside and ":" in line:
                label, _, value = line.partition(":")
                values[label.strip()] = value.strip()
        return values

    def report_path(self, host):
        return os.path.join(self.output_dir, report_name(host))

    def rows(self, host):
        """The inventory CSV: (header, [row tuples])."""
        with open(self.report_path(host), newline="") as f:
            records = list(csv.reader(f))
        return records[0], [tuple(r) for r in records[1:]]

    def output_files(self):
        return sorted(os.listdir(self.output_dir))


def run(*args, env=None, stdin=None, cwd=None, output_dir=True, timeout=120, binary=None):
    """Run `regscan ARGS`, with --output-dir set to a fresh temp dir unless
    output_dir is False. The environment is the caller's minus credentials,
    with HOME and the working directory in temp dirs so no user config leaks in."""
    scratch = tempfile.mkdtemp(prefix="regscan-e2e-run-")
    if not os.environ.get("REGSCAN_E2E_KEEP"):
        atexit.register(shutil.rmtree, scratch, True)
    out = os.path.join(scratch, "out")
    os.mkdir(out)
    home = os.path.join(scratch, "home")
    os.mkdir(home)
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("REGSCAN_REGISTRY_", "TCS_REGISTRY_", "REGSCAN_PLUGIN_PATH"))}
    full_env["HOME"] = home
    full_env.update(env or {})
    argv = [binary or regscan_binary(), *args]
    if output_dir:
        argv.append(f"--output-dir={out}")
    completed = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                               env=full_env, cwd=cwd or scratch, timeout=timeout)
    return Result(list(args), completed, out if output_dir else (cwd or scratch))
