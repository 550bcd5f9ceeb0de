"""unittest base class: runs regscan and checks what docs/cli.md promises."""
import os
import re
import unittest

from . import run as runner

HEADER = ["repository", "tag", "build_time", "skipped"]


class RegscanCase(unittest.TestCase):
    maxDiff = None

    def regscan(self, *args, **kwargs):
        return runner.run(*args, **kwargs)

    def dry_run(self, url, *args, **kwargs):
        return runner.run("registry", url, "--mode=dry-run", *args, **kwargs)

    def assertExit(self, result, code):
        self.assertEqual(result.code, code, f"unexpected exit code\n{result!r}")

    def assertLogFormat(self, result):
        """Every stderr line is a log line: `<ms timestamp>+0000 <level> <message>`."""
        for line in result.log_lines:
            self.assertRegex(line, runner.LOG_LINE, f"not a log line\n{result!r}")

    def assertLogged(self, result, pattern, level=None):
        """Some log message (text after the level) matches the regex `pattern`."""
        messages = result.messages(level)
        self.assertTrue(any(re.search(pattern, m) for m in messages),
                        f"no {level or 'log'} message matches {pattern!r}\n{result!r}")

    def assertOnlyTagListingCut(self, result, repository, requests, kept):
        """`repository`'s tag listing, alone, was cut by --max-listing-pages after `requests` requests,
        `kept` tags read kept."""
        self.assertLogged(result, "^Failed to list tags repository=" + re.escape(repository) +
                          r" error=tag listing cut short: more than " + str(requests) +
                          r" requests \(--max-listing-pages\); " + str(kept) + " tags read are kept$", "error")
        self.assertEqual(len([m for m in result.messages("error") if "cut short" in m]), 1, result)

    def assertReport(self, result, host, expected_rows):
        """The inventory CSV exists under its documented name and holds exactly these rows."""
        path = result.report_path(host)
        self.assertTrue(os.path.isfile(path),
                        f"{runner.report_name(host)} missing; output dir has "
                        f"{result.output_files()}\n{result!r}")
        header, rows = result.rows(host)
        self.assertEqual(header, HEADER)
        self.assertEqual(rows, expected_rows, f"inventory rows differ\n{result!r}")
        self.assertLogged(result, r"^Output report: (.*/)?" + re.escape(runner.report_name(host)) + "$",
                          "info")

    def assertSummary(self, result, host, found, skipped, repositories_failed=0, images_failed=0):
        summary = result.summary()
        self.assertEqual(
            {k: summary.get(k) for k in ("Total images found", "Images skipped",
                                         "Repositories failed", "Images failed")},
            {"Total images found": str(found), "Images skipped": str(skipped),
             "Repositories failed": str(repositories_failed),
             "Images failed": str(images_failed)},
            f"summary differs\n{result!r}")
        self.assertEqual(os.path.realpath(summary.get("Inventory report", "")),
                         os.path.realpath(result.report_path(host)), f"{result!r}")

    def assertInventory(self, result, host, expected_rows, repositories_failed=0, images_failed=0,
                        code=None):
        """Exit code, log format, report rows and summary of one dry run."""
        if code is None:
            code = 6 if repositories_failed or images_failed else 0
        self.assertExit(result, code)
        self.assertLogFormat(result)
        self.assertReport(result, host, expected_rows)
        self.assertSummary(result, host, found=len(expected_rows),
                           skipped=sum(1 for r in expected_rows if r[3] == "true"),
                           repositories_failed=repositories_failed, images_failed=images_failed)
