"""Names a hostile registry chooses: terminal escapes, line breaks, forged log
lines, path traversal, spaces, spreadsheet formulas.

What must hold: nothing regscan writes for a terminal or a spreadsheet
carries a raw control byte; every stderr line is one real log line; a name
outside the distribution grammar is refused before any request (the server's
raw request lines prove it) and reported failed; the valid names of the same
catalog are listed and scanned as usual.
"""
import contextlib
import csv
import json
import os
import re
import sqlite3
import unittest
import urllib.parse

from harness import crafted, measured_run
from harness.crafted import MiB
from harness.hostile_case import HostileCase
from harness.hostile_registry import API_VERSION
from harness.http_server import Reply, json_reply

FORGED = "FORGED-LINE"
FORGED_LOG = f"\n2024-01-01T00:00:00.000+0000 error {FORGED} "
CONTROL_BYTES = (b"\x1b", b"\x07", b"\r")
FORMULA = "=cmd|' /C calc'!A0"
SITE = "/usr/lib/python3/dist-packages"
ECHOED = 4096  # limits::max_echoed_value
LINK = "[click](https://evil.example/x)"
ESCAPED_LINK = "\\[click\\](https://evil.example/x)"


def metadata(name, version):
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


# The identification probes of the bundled plugins (Harbor, Quay, Artifactory, Nexus).
PROBES = {"/api/v2.0/systeminfo", "/api/v1/discovery", "/artifactory/api/system/ping", "/service/rest/v1/status"}

class Names(HostileCase):
    def test_control_characters_in_names_reach_no_terminal_or_csv(self):
        registry = self.registry()
        layer = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE})
        # findings whose location carries the escapes: a secret in Env and in a label
        registry.push("ok/app", "1.0", crafted.image([layer], config={
            "Env": ["PATH=/bin", "API_TOKEN\x1b]0;pwned\x07=abcdef123456"],
            "Labels": {"X_TOKEN\x1b[2J\r" + FORGED_LOG: "label-secret-value-1"}}))
        evil = ["evil\x1b[2J/app", "term\x1b]0;pwned\x07", "cr\rlf\nrepo", "forged" + FORGED_LOG + "repo"]
        registry.catalog = sorted(["ok/app"] + evil)
        tags = ["1.0", "\x1b[2Jtag", "t\r" + FORGED_LOG + "tag", "bell\x07"]
        registry.on("/v2/ok/app/tags/list", lambda request: json_reply(200, {"name": "ok/app", "tags": tags},
                                                                       API_VERSION))
        result = self.scan(registry, formats="table,json,csv,sarif")
        self.assertFinished(result, 6)
        entries = self.assertImageScanned(result, registry.host, "ok/app:1.0")
        self.assertEqual({m["id"] for m in entries[0]["misconfigurations"]} & {"RS-CFG-003", "RS-CFG-004"},
                         {"RS-CFG-003", "RS-CFG-004"}, f"the findings carrying escapes are missing\n{result!r}")
        for what, data in (("stdout", result.raw_stdout), ("stderr", result.raw_stderr)):
            for byte in CONTROL_BYTES:
                self.assertNotIn(byte, data, f"raw {byte!r} on {what}\n{result!r}")
        written = result.output_files()
        self.assertTrue(any(name.endswith("-misconfigurations.csv") for name in written), written)
        for name in written:
            with open(os.path.join(result.output_dir, name), "rb") as f:
                data = f.read()
            if name.endswith((".json", ".sarif")):
                json.loads(data)
                continue
            for byte in CONTROL_BYTES:
                self.assertNotIn(byte, data, f"raw {byte!r} in {name}")
        self.assertStrictLogLines(result)
        forged = [m for m in result.messages() if m.startswith(FORGED)]
        self.assertEqual(forged, [], f"a registry name forged a log line\n{result!r}")

    def test_brackets_in_names_and_errors_form_no_link_in_a_sarif_viewer(self):
        """SARIF 2.1.0 reads "[text](url)" in a plain text message as an embedded link (§3.11.6): the
        registry's label, platform and error text are quoted with their brackets escaped."""
        registry = self.registry()
        layer = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE})
        registry.push("link/app", "1.0", crafted.image([layer], platform=(LINK, "amd64"), config={
            "Labels": {"X_TOKEN" + LINK: "label-secret-value-1"}}))
        registry.push("link/broken", "1", crafted.image([layer]))
        registry.on("/v2/link/broken/manifests/1", lambda request: Reply(400, "no: " + LINK), methods=("GET",))
        result = self.scan(registry, formats="json,sarif")
        self.assertFinished(result, 6)
        self.assertImageScanned(result, registry.host, "link/app:1.0")
        self.assertImageFailed(result, registry.host, "link/broken:1", "evil.example")
        [name] = [n for n in result.output_files() if n.endswith(".sarif")]
        with open(os.path.join(result.output_dir, name)) as f:
            run = json.load(f)["runs"][0]
        texts = [r["message"]["text"] for r in run["results"]]
        texts += [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
        quoting = [t for t in texts if "evil.example" in t]
        # the label's finding (its platform too) and the failure
        self.assertEqual(len(quoting), 2, f"{texts}\n{result!r}")
        self.assertTrue(any(t.startswith("scan of ") for t in quoting), f"{texts}")
        for text in quoting:
            self.assertIn(ESCAPED_LINK, text)
            self.assertIsNone(re.search(r"(?<!\\)[\[\]]", text), f"an unescaped bracket in {text!r}")

    def test_a_huge_user_and_label_name_are_capped_in_every_output(self):
        """An image config's User and a label's name (up to the 16 MiB config) are quoted by the findings:
        every report, the table and the state hold at most 4 KiB of each, saying how much was left out."""
        registry = self.registry()
        layer = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE})
        user, label = "root:" + "U" * MiB, "X_TOKEN_" + "L" * MiB
        registry.push("huge/config", "1", crafted.image([layer], config={
            "User": user, "Labels": {label: "label-secret-value-1"}}))
        state = os.path.join(measured_run.temp_dir(), "state.db")
        result = self.scan(registry, formats="table,json,csv,sarif", state=state)
        self.assertFinished(result, 0)
        [entry] = self.assertImageScanned(result, registry.host, "huge/config:1")
        found = {m["id"]: m for m in entry["misconfigurations"]}
        self.assertEqual(set(found) & {"RS-CFG-001", "RS-CFG-004"}, {"RS-CFG-001", "RS-CFG-004"}, f"{result!r}")
        self.assertTrue(found["RS-CFG-001"]["detail"].startswith("USER is root:UUU"), found["RS-CFG-001"])
        self.assertTrue(found["RS-CFG-004"]["location"].startswith("config.Labels.X_TOKEN_LLL"), found)
        for m in (found["RS-CFG-001"], found["RS-CFG-004"]):
            for field in ("detail", "location"):
                self.assertLessEqual(len(m[field].encode()), ECHOED, f"{field} of {m['id']}")
        outputs = {name: os.path.join(result.output_dir, name) for name in result.output_files()}
        self.assertTrue(any(n.endswith(".sarif") for n in outputs), outputs)
        texts = {"stdout": result.raw_stdout, "stderr": result.raw_stderr}
        for name, path in outputs.items():
            with open(path, "rb") as f:
                texts[name] = f.read()
        with contextlib.closing(sqlite3.connect(state)) as db:
            texts["state.db"] = "\n".join(db.iterdump()).encode()
        for name, data in texts.items():
            for byte in (b"U", b"L"):
                self.assertNotIn(byte * (ECHOED + 1), data, f"{name} holds more than the cap of the value")
        # Every file that lists misconfigurations quotes the capped values and says what was left out
        # (the table cuts its LOCATION column to its width anyway).
        self.assertIn(b"config.Labels.X_TOKEN_LLLL", result.raw_stdout)
        for name, data in texts.items():
            if name.endswith((".json", ".sarif", "-misconfigurations.csv", ".db")):
                self.assertIn(b"USER is root:UUUU", data, name)
                self.assertRegex(data, rb"U ... \(\d+ bytes left out\)", name)
                self.assertRegex(data, rb"L ... \(\d+ bytes left out\)", name)

    def test_a_huge_platform_variant_fails_the_image_and_no_output_holds_it(self):
        """The platform every output shows comes from the image (its config here) and keys the state: a
        1 MiB variant fails the image, saying why, and no output holds it."""
        registry = self.registry()
        self.good_image(registry)
        layer = crafted.files_layer({"etc/os-release": crafted.DEBIAN_OS_RELEASE})
        document = {"created": "2024-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
                    "variant": "v" + "V" * MiB, "config": {"User": "1000"},
                    "rootfs": {"type": "layers", "diff_ids": [layer.diff_id]}}
        registry.push("huge/variant", "1", crafted.image_from_config(document, [layer]))
        state = os.path.join(measured_run.temp_dir(), "state.db")
        result = self.scan(registry, formats="table,json,csv,sarif", state=state)
        self.assertFinished(result, 6)
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        self.assertImageFailed(result, registry.host, "huge/variant:1", "platform", f"{len(document['variant']) + 12}")
        texts = {"stdout": result.raw_stdout, "stderr": result.raw_stderr}
        for name in result.output_files():
            with open(os.path.join(result.output_dir, name), "rb") as f:
                texts[name] = f.read()
        with contextlib.closing(sqlite3.connect(state)) as db:
            texts["state.db"] = "\n".join(db.iterdump()).encode()
        for name, data in texts.items():
            self.assertNotIn(b"VVVVVVVV", data, f"{name} holds the platform")

    def test_traversal_and_space_in_repository_names_are_refused_before_any_request(self):
        registry = self.registry()
        self.good_image(registry)
        registry.catalog = ["../x", "a b", "good/app"]
        result = self.scan(registry)
        self.assertFinished(result, 6)
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        self.assertTrue(registry.requests("/v2/good/app/tags/list"), f"{result!r}")
        lines = registry.raw_lines
        self.assertTrue(lines)
        for line in lines:
            parts = line.split(b" ")
            target = urllib.parse.unquote(parts[1].decode(errors="replace")) if len(parts) > 1 else ""
            self.assertEqual(len(parts), 3, f"request line {line!r}")
            # Besides /v2/: one anonymous identification probe per plugin, as
            # the registry's /v2/ answer leaves its type open (SDK 1.2).
            if target in PROBES:
                continue
            self.assertTrue(target.startswith("/v2/"), f"request outside /v2/: {line!r}")
            self.assertNotIn("..", target, f"request line {line!r}")
            self.assertNotRegex(target, r"/v2/a[ +]b(/|$)", f"request line {line!r}")
            self.assertNotRegex(target, r"^/v2/x/", f"request line {line!r}")
        for name in ("../x", "a b"):
            self.assertRepositoryFailed(result, name, "invalid")
        self.assertEqual(result.summary().get("Repositories failed"), "2", f"{result!r}")

    def test_a_huge_refused_repository_name_leaves_the_fields_after_it_in_its_log_line(self):
        """A catalog name of 5 KiB (refused: past 255 characters) is echoed twice by its log line, as
        repository= and inside error=: each field is capped on its own, so the error still follows the
        name, each field at most 4 KiB."""
        registry = self.registry()
        self.good_image(registry)
        name = "n" * (5 * 1024)
        registry.catalog = [name, "good/app"]
        result = self.scan(registry)
        self.assertFinished(result, 6)
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        lines = [m for m in result.messages("error") if m.startswith("Refused repository repository=nnn")]
        self.assertEqual(len(lines), 1, f"{result!r}")
        line = lines[0]
        self.assertRegex(line, r"^Refused repository repository=n+ \.\.\. \(\d+ bytes left out\) "
                               r"error=invalid repository name 'n+ \.\.\. \(\d+ bytes left out\)$")
        repository, error = line.split(" error=")
        self.assertLessEqual(len(repository.encode()) - len("Refused repository"), ECHOED)
        self.assertLessEqual(len(error.encode()) + len(" error="), ECHOED)

    def test_formula_in_a_csv_cell_is_neutralised(self):
        registry = self.registry()
        layer = crafted.files_layer({f"{SITE}/requests-2.19.0.dist-info/METADATA": metadata("requests", "2.19.0")})
        # the config's os becomes the platform column of the vulnerabilities CSV
        registry.push("sheet/app", "1", crafted.image([layer], platform=(FORMULA, "amd64")))
        # where ';' separates cells (de, fr, nl spreadsheets) the line is split at each one, quoted or not
        registry.push("sheet/semi", "1", crafted.image([layer], platform=("x;" + FORMULA, "amd64")))
        result = self.scan(registry)
        self.assertFinished(result, 0)
        for image in ("sheet/app:1", "sheet/semi:1"):
            entries = self.assertImageScanned(result, registry.host, image)
            self.assertTrue(entries[0]["vulnerabilities"], f"no vulnerability: no CSV row to check\n{result!r}")
        stem = registry.host.replace(".", "-").replace(":", "-")
        path = os.path.join(result.output_dir, stem + "-vulnerabilities.csv")
        with open(path, newline="") as f:
            header, *rows = list(csv.reader(f))
        self.assertEqual(len({row[header.index("repository")] for row in rows}), 2, f"{result!r}")
        platforms = [row[header.index("platform")] for row in rows]
        for cell in platforms:
            self.assertIn("cmd|", cell)
            self.assertFalse(re.match(r"^[=+\-@\t\r]", cell), f"formula cell {cell!r} not neutralised")
        with open(path, newline="") as f:
            cells = [cell.strip('"') for line in f.read().splitlines() for cell in line.split(";")]
        self.assertTrue(any("cmd|" in cell for cell in cells), path)
        for cell in cells:
            self.assertFalse(re.match(r"^[=+\-@\t\r]", cell), f"formula cell {cell!r} where ';' separates")


class InvalidUtf8(HostileCase):
    def test_bytes_of_invalid_utf8_in_a_header_and_an_error_body_fail_nothing_but_that_repository(self):
        """A /v2/ header value and one repository's 404 body with bytes that are not UTF-8 (0xff, a cut
        character): the run ends as any run with one failed repository, the good image is scanned, the
        reports are valid JSON with the bytes replaced."""
        registry = self.registry()
        self.good_image(registry)
        registry.catalog = ["bad/repo", "good/app"]
        registry.on("/v2/", lambda request: json_reply(200, {}, dict(API_VERSION, **{"X-Odd": "caf\xe9 \xff"})))
        registry.on("/v2/bad/repo/tags/list", lambda request: Reply(
            404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"' + b"\xc3\xa9" * 99 + b'\xff\xfe"}]}' + b"x" * 300,
            dict(API_VERSION, **{"Content-Type": "application/json"})))
        result = self.scan(registry, "--log-level=debug")
        self.assertFinished(result, 6)
        self.assertNotIn("internal error", result.stderr)
        self.assertIn("bad/repo", result.stderr)
        report = self.report(result, registry.host)
        self.assertEqual([(i["repository"], i["tag"], i["status"]) for i in report["images"]],
                         [("good/app", "1.0", "scanned")])

    def test_a_listing_of_thousands_of_invalid_tags_names_ten_and_counts_the_rest(self):
        """5,000 tags outside the grammar in one listing: ten are named, the rest counted in one failure
        (not a failure and a log line each); the other repository is scanned."""
        registry = self.registry()
        self.good_image(registry)
        registry.catalog = ["good/app", "many/bad"]
        registry.on("/v2/many/bad/tags/list", lambda request: json_reply(
            200, {"name": "many/bad", "tags": [f"bad tag {i}" for i in range(5000)]}, API_VERSION))
        result = self.scan(registry)
        self.assertFinished(result, 6)
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        lines = [line for line in result.stderr.splitlines() if "Failed to list tags repository=many/bad" in line]
        self.assertEqual(len(lines), 11, lines[:3])
        self.assertTrue(any("4990 more invalid tags or digests, not requested" in line for line in lines), lines)


if __name__ == "__main__":
    unittest.main()
