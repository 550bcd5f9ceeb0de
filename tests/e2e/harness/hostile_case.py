"""unittest base of the test_hostile_* suites: hostile registries started per
test (stopped by addCleanup), regscan runs measured (harness.measured_run),
and what the reports say about one image or one repository."""
import json
import os
import random
import re

from . import crafted, measured_run, osv_db
from .case import RegscanCase
from .hostile_registry import HostileRegistry
from .run import LOG_LINE

MAX_RSS_KIB = 400 * 1024  # a generous bound: far below what buffering a bomb would take


def other_address():
    """A loopback address other than 127.0.0.1: another host for the client."""
    return f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(2, 254)}"


class HostileCase(RegscanCase):
    _db = None

    @classmethod
    def database(cls):
        """A real OSV database (one PyPI record), imported once per test process."""
        if HostileCase._db is None or not os.path.exists(HostileCase._db):
            HostileCase._db = osv_db.make_db(measured_run.temp_dir("regscan-e2e-hostile-db-"))
        return HostileCase._db

    def registry(self, **kwargs):
        registry = HostileRegistry(**kwargs).start()
        self.addCleanup(registry.stop)
        return registry

    def good_image(self, registry, repository="good/app", tag="1.0", created="2023-03-03T03:03:03Z"):
        """An honest image next to the hostile ones: it must still be listed and scanned."""
        layer = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE,
                                     "var/lib/dpkg/status": crafted.dpkg_status((b"goodpkg", b"1.0-1"))})
        return registry.push(repository, tag, crafted.image([layer], created=created))

    # -- running ---------------------------------------------------------------

    @classmethod
    def scan(cls, registry, *args, state=None, timeout=120, url=None, formats="json,csv", **kwargs):
        """A scan of `registry` (at `url` when given) with a fresh state unless `state`."""
        state = state or os.path.join(measured_run.temp_dir(), "state.db")
        return measured_run.run("registry", url or registry.url, "--db", cls.database(), "--state", state,
                                f"--format={formats}", "--no-progress", *args, timeout=timeout, **kwargs)

    @classmethod
    def dry(cls, registry, *args, timeout=120, **kwargs):
        return measured_run.run("registry", registry.url, "--mode=dry-run", "--no-progress", *args,
                                timeout=timeout, **kwargs)

    # -- reading ---------------------------------------------------------------

    def report(self, result, host):
        path = osv_db.report_json_path(result.output_dir, host)
        self.assertTrue(os.path.isfile(path), f"no JSON report {path}\n{result!r}")
        with open(path) as f:
            return json.load(f)

    def entries(self, result, host, reference):
        """The JSON report's entries (one per platform) of repository:tag."""
        repository, tag = reference.rsplit(":", 1)
        return [i for i in self.report(result, host)["images"]
                if i["repository"] == repository and i["tag"] == tag]

    # -- assertions ------------------------------------------------------------

    def assertFinished(self, result, *codes):
        """Not killed, not crashed, exited with one of `codes`."""
        self.assertFalse(result.timed_out, f"regscan did not finish in time\n{result!r}")
        self.assertGreaterEqual(result.code, 0, f"regscan died of a signal\n{result!r}")
        if codes:
            self.assertIn(result.code, codes, f"unexpected exit code\n{result!r}")

    def assertBoundedMemory(self, result):
        self.assertLess(result.peak_rss_kib, MAX_RSS_KIB, f"peak RSS too high\n{result!r}")

    def assertImageFailed(self, result, host, reference, *words):
        """Every entry of `reference` is scan_failed, and some error says all of `words`."""
        entries = self.entries(result, host, reference)
        self.assertTrue(entries, f"{reference} missing from the JSON report\n{result!r}")
        self.assertEqual({e["status"] for e in entries}, {"scan_failed"}, f"{reference}: {entries}\n{result!r}")
        errors = [e["error"].lower() for e in entries]
        for word in words:
            self.assertTrue(any(word.lower() in error for error in errors),
                            f"{reference}: no error says {word!r}: {errors}\n{result!r}")

    def assertLayersFail(self, repository, layers, reason, bounded=True):
        """An image of `layers` pushed beside a good one fails with `reason` (the child's memory bounded
        unless told otherwise); the good one is scanned and the run ends."""
        registry = self.registry()
        self.good_image(registry)
        registry.push(repository, "1", crafted.image(layers))
        result = self.scan(registry, timeout=300)
        self.assertFinished(result, 6)
        if bounded:
            self.assertBoundedMemory(result)
        self.assertImageFailed(result, registry.host, repository + ":1", reason)
        self.assertImageScanned(result, registry.host, "good/app:1.0")

    def assertImageScanned(self, result, host, reference):
        entries = self.entries(result, host, reference)
        self.assertTrue(entries, f"{reference} missing from the JSON report\n{result!r}")
        self.assertEqual({e["status"] for e in entries}, {"scanned"}, f"{reference}: {entries}\n{result!r}")
        return entries

    def assertRepositoryFailed(self, result, repository, *words):
        """An error line names `repository` (repository=<name>) and says all of `words`."""
        pattern = re.compile(r"repository='?" + re.escape(repository) + r"'?( |$)")
        lines = [m for m in result.messages("error") if pattern.search(m)]
        self.assertTrue(lines, f"no error line for repository {repository!r}\n{result!r}")
        for word in words:
            self.assertTrue(any(word.lower() in line.lower() for line in lines),
                            f"no error line for {repository!r} says {word!r}: {lines}\n{result!r}")
        failed = result.summary().get("Repositories failed", "0")
        self.assertTrue(failed.isdigit() and int(failed) >= 1, f"summary counts no failed repository\n{result!r}")

    def assertStrictLogLines(self, result):
        """Every stderr line (split on LF only) is one well-formed log line."""
        for line in result.raw_stderr.split(b"\n")[:-1]:
            self.assertRegex(line.decode(errors="replace"), LOG_LINE, f"not a log line\n{result!r}")
        self.assertTrue(result.raw_stderr == b"" or result.raw_stderr.endswith(b"\n"), f"{result!r}")
