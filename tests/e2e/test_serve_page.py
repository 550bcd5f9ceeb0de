"""The dashboard of `regscan serve` in a real headless browser (Debian's chromium,
driven by playwright-core from npm through browser/drive.js).

A real registry holds images this test built; `regscan serve` runs on a loopback
port; chromium logs in, creates a connector with Save & Import, waits for the
import, and reads the Images page, its sorting, search and status filter, an
image's page and the import's reports. Every value the page showed is compared
with the API's own answer for the same question, never with a hard-coded
result. A hostile registry then serves HTML/JS as repository names, package
names, label and environment names and error texts: whatever of it reaches the
API must show on the page as text, and nothing may run.

Screenshots of every step go to $REGSCAN_ARTIFACTS_DIR/serve-page (or
tests/e2e/artifacts/serve-page). node_modules is installed with `npm ci` from
the committed lock file when missing; playwright-core downloads no browser.
"""
import json
import os
import re
import shutil
import subprocess
import threading
import unittest
import urllib.parse

from harness import crafted, http_server, measured_run, net, osv_db, proxy
from harness.hostile_registry import HostileRegistry
from harness.push import push_manifest
from harness.registry import Registry
from harness import serve

HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER_DIR = os.path.join(HERE, "browser")
ARTIFACTS = os.path.join(os.environ.get("REGSCAN_ARTIFACTS_DIR") or os.path.join(HERE, "artifacts"), "serve-page")
SITE = "/usr/lib/python3/dist-packages"
IMAGE_COLUMNS = ["Repository", "Tag", "Digest", "Platform", "Connector", "Last scanned", "Vulnerabilities",
                 "Malware", "Status"]
SEVERITIES = ["critical", "high", "medium", "low", "unknown"]
# Script that, if it ever ran, would leave a mark the browser test reads back.
PAYLOAD = "<img src=x onerror=\"window.__pwned=1;document.title='pwned'\">"
PAYLOAD_SHORT = "<svg/onload=window.__pwned=2>"
REORDERING = "evil\u202ehs.gnp"  # a package name shown as "evilpng.sh" where the override works
# Characters that show nothing: "admin" to the eye, a hidden "Hi" in tag characters.
INVISIBLE = "admin\u200b\u2060\ufeff\U000e0048\U000e0069"
SHOWN_INVISIBLE = "admin\\u{200b}\\u{2060}\\u{feff}\\u{e0048}\\u{e0069}"


def ensure_node_modules():
    """`npm ci` from the committed lock file, once (no browser is downloaded)."""
    if os.path.isfile(os.path.join(BROWSER_DIR, "node_modules", "playwright-core", "package.json")):
        return
    env = dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1", npm_config_fund="false",
               npm_config_audit="false", npm_config_update_notifier="false")
    result = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=BROWSER_DIR,
                            env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"npm ci in {BROWSER_DIR} failed:\n{result.stdout}\n{result.stderr}")


def metadata(name, version):
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


WEB_DIR = os.path.join(HERE, "..", "..", "core", "src", "serve", "web")


class PageSource(unittest.TestCase):
    """What the CSP relies on, read from the files the server embeds."""

    def read(self, name):
        with open(os.path.join(WEB_DIR, name), encoding="utf-8") as f:
            return f.read()

    def test_no_inline_script_or_style_in_the_page(self):
        html = self.read("index.html")
        self.assertEqual(re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html), [], "inline <script>")
        self.assertEqual(re.findall(r"<style\b", html), [], "inline <style>")
        self.assertEqual(re.findall(r"\son[a-z]+\s*=", html), [], "inline event handler")
        self.assertEqual(re.findall(r"\sstyle\s*=", html), [], "inline style attribute")
        self.assertEqual(re.findall(r"(?:src|href)=\"(?:https?:)?//", html), [], "a file from another origin")

    def test_script_never_parses_text_as_html(self):
        script = self.read("app.js")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                     "setTimeout('", 'setTimeout("', "DOMParser", "createContextualFragment"):
            code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("//"))
            self.assertNotIn(sink, code, f"app.js uses {sink}")


def import_finished(server, name):
    """The connector's last import once none is queued or running, else None."""
    connector = server.connector(name)
    if connector.get("running") or not connector.get("last_import"):
        return None
    return connector["last_import"]


class PageCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ensure_node_modules()
        cls.workdir = measured_run.temp_dir("regscan-e2e-page-")
        cls.db = osv_db.make_db(cls.workdir)

    @classmethod
    def start_server(cls, **kwargs):
        server = serve.start(os.path.join(cls.workdir, "serve"), db=cls.db, **kwargs)
        cls.addClassCleanup(server.stop)
        return server

    @classmethod
    def push_images(cls, pushed):
        """A started registry (cls.registry) holding `pushed` (cls.pushed): {target: manifest}."""
        cls.registry = Registry()
        cls.registry.start()
        cls.addClassCleanup(cls.registry.stop)
        cls.pushed = pushed
        for target, manifest in pushed.items():
            push_manifest(cls.registry, target, manifest)

    @classmethod
    def hold_one_image(cls, pushed, held):
        """A registry with `pushed` behind a proxy holding `held`'s layer until the browser, having read
        the page, asks `cls.releaser.url + "/release"` (node's own request, not the page's)."""
        cls.push_images(pushed)
        cls.release = threading.Event()
        cls.addClassCleanup(cls.release.set)
        repository = held.rsplit(":", 1)[0]
        layer = pushed[held].dependencies[1]
        cls.proxy = proxy.FaultProxy(cls.registry, [proxy.hang(f"/v2/{repository}/blobs/{layer.digest}", cls.release)])
        cls.proxy.start()
        cls.addClassCleanup(cls.proxy.stop)

        def releaser(request):
            if request.route != "/release":
                return http_server.Reply(404)
            cls.release.set()
            return http_server.Reply(200, b"released")
        cls.releaser = http_server.Server(releaser)
        cls.releaser.start()
        cls.addClassCleanup(cls.releaser.stop)

    def drive(self, scenario, **config):
        """Runs browser/drive.js; returns what the page showed (the JSON it printed)."""
        artifacts = os.path.join(ARTIFACTS, self._testMethodName)
        shutil.rmtree(artifacts, ignore_errors=True)
        config = dict(config, url=self.server.url.rstrip("/") + "/", token=self.server.token,
                      artifacts=artifacts, timeout_ms=config.get("timeout_ms", 120000))
        path = os.path.join(self.workdir, f"{scenario}-config.json")
        with open(path, "w") as f:
            json.dump(config, f)
        done = subprocess.run(["node", os.path.join(BROWSER_DIR, "drive.js"), scenario, path], cwd=BROWSER_DIR,
                              capture_output=True, text=True, timeout=600)
        try:
            shown = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
        except ValueError:
            shown = {}
        if done.returncode != 0 or shown.get("error"):
            self.fail(f"drive.js {scenario} failed ({done.returncode}); screenshots in {artifacts}\n"
                      f"{shown.get('error') or done.stderr}\nshown so far: {json.dumps(shown)[:3000]}\n"
                      f"server log: {self.server.log_tail()}")
        return shown

    def assertNothingRan(self, shown):
        self.assertEqual(shown["pageErrors"], [], "script errors on the page")
        self.assertEqual(shown["csp_violations"], [], "something tried to run or load against the CSP")
        self.assertEqual(shown["requestsOffOrigin"], [], "the page asked another origin")

    def assertRowsMatchApi(self, rows, api_rows):
        """The page's image rows are the API's, in the API's order, cell by cell."""
        self.assertEqual([r["id"] for r in rows], [str(i["id"]) for i in api_rows])
        for row, image in zip(rows, api_rows):
            where = f"{image['repository']}:{image['tag']}"
            self.assertEqual(row["repository"], image["repository"], where)
            self.assertEqual(row["tag"], image["tag"], where)
            self.assertEqual(row["digest_title"], image["digest"], where)
            self.assertTrue(image["digest"].startswith(row["digest_shown"]), where)
            self.assertEqual(row["platform"], image["platform"], where)
            self.assertEqual(row["connector"], image["connector"], where)
            self.assertEqual(bool(row["last_scanned"]), bool(image.get("last_scanned")), where)
            if image["status"] == "scan_failed":
                # Scan Failed in both columns, the reason under the status and as their tooltip.
                for column in ("vulnerabilities", "malware"):
                    text = row["vulnerabilities_text" if column == "vulnerabilities" else column]
                    self.assertEqual(text, "Scan Failed", f"{where}: {column}")
                    self.assertEqual(row[column + "_tooltip"], image["reason"], f"{where}: {column}")
                self.assertTrue(image["reason"], where)
                self.assertIn(image["reason"], row["status"], where)
            else:
                self.assertEqual(row["vulnerabilities"], {s: image["vulnerabilities"].get(s, 0) for s in SEVERITIES},
                                 where)
                verdict = image["malware"]["verdict"].replace("not_scanned", "not scanned")
                self.assertTrue(row["malware"].startswith(verdict), f"{where}: {row['malware']!r}")
            self.assertTrue(row["status"].startswith({"scan_failed": "Scan Failed", "failed": "Failed"}.get(
                image["status"], image["status"])), f"{where}: {row['status']!r}")


class LiveImages(PageCase):
    """The Images page open while an import runs: it says so and updates itself as images finish,
    without a navigation or a reload; the notice goes when the import ends."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hold_one_image({"web/app:1.0": crafted.requests_image("2.19.0", "2024-02-01T00:00:00Z", dpkg=True),
                            "tools/cli:latest": crafted.requests_image("2.25.0", "2024-01-15T00:00:00Z", dpkg=True),
                            "slow/image:1.0": crafted.requests_image("2.20.0", "2024-01-20T00:00:00Z", dpkg=True)},
                           "slow/image:1.0")
        cls.server = cls.start_server()

    def test_the_images_list_updates_itself_while_an_import_runs(self):
        self.server.api("POST", "/api/v1/connectors", {
            "name": "live", "url": self.proxy.url, "schedule": {"enabled": False, "every": "12h"},
            "import_now": True}, expect=201)
        # The two quick images are indexed; slow/image waits at the proxy, so the import runs on.
        net.wait_until(lambda: self.server.images(limit=50)["total"] == 2, timeout=120, what="the quick images indexed")
        running = self.server.connector("live")["running"]
        self.assertIsNotNone(running, "the import ended before the page was read")
        shown = self.drive("live", release_url=self.releaser.url + "/release", expect_total=len(self.pushed))
        self.assertNothingRan(shown)
        self.assertEqual(shown["before"]["total"], "2", shown)
        self.assertIn("Importing live", shown["before"]["notice"] or "", shown)
        self.assertTrue(shown["same_document"], "the page reloaded instead of updating itself")
        self.assertEqual(shown["after"]["hash"], shown["before"]["hash"], "the page navigated")
        self.assertIsNone(shown["after"]["notice"], shown)
        done = self.server.wait_for_import(running["id"], timeout=120)
        self.assertEqual(done["state"], "succeeded", done)
        listed = self.server.images(limit=50)
        self.assertEqual(listed["total"], len(self.pushed))
        self.assertRowsMatchApi(shown["after"]["rows"], listed["images"])


class CancelFromThePage(PageCase):
    """Cancel import on the Connectors page: asked to confirm, the import stops, the image in flight
    left for the next import (its layer still held by the registry), and the row shows it cancelled,
    with Import now back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hold_one_image({"a/first:1": crafted.requests_image("2.19.0", "2024-02-01T00:00:00Z", dpkg=True),
                            "b/held:1": crafted.requests_image("2.25.0", "2024-01-15T00:00:00Z", dpkg=True),
                            "c/never:1": crafted.requests_image("2.20.0", "2024-01-20T00:00:00Z", dpkg=True)},
                           "b/held:1")
        cls.server = cls.start_server(args=["--concurrency", "1"])  # one image at a time: c/never waits

    def test_cancel_import_from_the_connectors_page(self):
        self.server.api("POST", "/api/v1/connectors", {
            "name": "big", "url": self.proxy.url, "schedule": {"enabled": False, "every": "12h"},
            "import_now": True}, expect=201)
        running = self.server.connector("big")["running"]
        net.wait_until(lambda: self.server.images(limit=50)["total"] == 1, timeout=120, what="a/first indexed")
        shown = self.drive("cancel", connector={"name": "big"}, release_url=self.releaser.url + "/release")
        self.assertNothingRan(shown)
        self.assertIn(f"Cancel import {running['id']} of big?", shown["confirmation"])
        self.assertIn("cancelled", shown["message"])
        done = self.server.api("GET", f"/api/v1/imports/{running['id']}")
        self.assertEqual(done["state"], "cancelled", done)
        self.assertIn("cancelled", shown["last_import"])
        self.assertIn(done["error"], shown["last_import"])
        self.assertIn("Import now", shown["buttons"])
        self.assertNotIn("Cancel import", shown["buttons"])
        self.assertEqual(sorted(f"{i['repository']}:{i['tag']}" for i in self.server.images(limit=50)["images"]),
                         ["a/first:1"])


class SuppressedFindings(PageCase):
    """An image's page under `serve --ignore-file`: every finding listed, the one the ignore entry
    leaves out saying why in a Suppressed column, as the API's detail marks it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.push_images({"web/app:1.0": crafted.requests_image("2.19.0", "2024-02-01T00:00:00Z")})
        ignore = os.path.join(cls.workdir, "regscanignore")
        with open(ignore, "w") as f:
            f.write("PYSEC-2018-28 # accepted <b>until</b> the upgrade\n")
        cls.server = cls.start_server(args=[f"--ignore-file={ignore}"])

    def test_the_image_page_says_why_a_finding_does_not_count(self):
        started = self.server.api("POST", "/api/v1/connectors", {
            "name": "lab", "url": self.registry.url, "schedule": {"enabled": False, "every": "12h"},
            "import_now": True}, expect=201)
        done = self.server.wait_for_import(started["running"]["id"], timeout=240)
        self.assertEqual(done["state"], "succeeded", done)
        [row] = self.server.images(limit=50)["images"]
        detail = self.server.api("GET", f"/api/v1/images/{row['id']}")
        marked = {v["id"]: v["suppressed"] for v in detail["vulnerabilities"] if "suppressed" in v}
        self.assertEqual(list(marked), ["PYSEC-2018-28"], detail["vulnerabilities"])
        self.assertEqual(row["vulnerabilities"]["total"], len(detail["vulnerabilities"]) - 1, row)

        shown = self.drive("image", image_id=row["id"])
        self.assertNothingRan(shown)
        table = shown["tables"]["vulnerabilities"]
        self.assertIn("Suppressed", table["headers"])
        self.assertEqual([r["id"] for r in table["rows"]], [v["id"] for v in detail["vulnerabilities"]])
        why = {r["id"]: r["suppressed"] for r in table["rows"] if r["suppressed"]}
        # As text: the reason's markup is not markup.
        self.assertEqual(why, {"PYSEC-2018-28": "ignore-file: accepted <b>until</b> the upgrade"})
        self.assertIsNone(shown["tables"]["misconfigurations"])  # none: "No misconfiguration."


class Dashboard(PageCase):
    """Log in, create a connector, import, read the images, open one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.push_images({"web/app:1.0": crafted.requests_image("2.19.0", "2024-02-01T00:00:00Z", dpkg=True),
                         "web/app:2.0": crafted.requests_image("2.31.0", "2024-03-01T00:00:00Z", dpkg=True),
                         "tools/cli:latest": crafted.requests_image("2.25.0", "2024-01-15T00:00:00Z", dpkg=True),
                         "slow/image:1.0": crafted.requests_image("2.20.0", "2024-01-20T00:00:00Z", dpkg=True)})
        # slow/image's layer never comes (until the test ends): past the connector's
        # image timeout it is Scan Failed, and only it.
        cls.release = threading.Event()
        cls.addClassCleanup(cls.release.set)
        layer = cls.pushed["slow/image:1.0"].dependencies[1]
        cls.proxy = proxy.FaultProxy(cls.registry, [proxy.hang(f"/v2/slow/image/blobs/{layer.digest}", cls.release)])
        cls.proxy.start()
        cls.addClassCleanup(cls.proxy.stop)
        cls.server = cls.start_server()

    def test_log_in_create_import_and_read_the_images(self):
        name = "lab-registry"
        secret = "Page-Secret-7f3a9c"
        allow = ["web/*", "tools/*", "slow/*"]
        # slow/image's hang lasts its image timeout: long enough for the page's polling to show it running.
        shown = self.drive("flow", connector={"name": name, "url": self.proxy.url, "image_timeout": "8s",
                                              "username": "robot$ci"}, secret=secret, edit_allow=allow,
                           wait_progress=True,
                           search="web/", open_image={"repository": "web/app", "tag": "1.0"})
        self.assertNothingRan(shown)
        self.assertTrue(shown["wrong_token_message"].strip(), "a wrong token says nothing")
        self.assertEqual(shown["default_every"], ["12", "h", True], "a new connector's schedule is not every 12h")
        # The Type menu: identify, then the server's plugins' types, as the API lists them.
        types = [t["type"] for t in self.server.api("GET", "/api/v1/registry-types")["types"]]
        self.assertIn("HARBOR", types)
        self.assertEqual(shown["type_options"], [""] + types)
        self.assertEqual(shown["after_logout"], 401, "the session outlived Log out")

        # The connector as the API has it now: what the form sent.
        connector = self.server.connector(name)
        self.assertEqual(connector["url"], self.proxy.url)
        self.assertEqual(connector["schedule"]["every"], "30m")
        self.assertEqual(connector["username"], "robot$ci")
        self.assertTrue(connector["has_password"], connector)
        self.assertEqual(connector["allow"], allow, "the edit form's allow list was not saved")
        self.assertEqual(shown["edit_form"]["password"], "", "the stored password came back into the form")
        self.assertTrue(shown["edit_form"]["name_readonly"])
        self.assertEqual(shown["secret_seen_on"], [], "the connector password is in a page")
        self.assertNotIn(secret, json.dumps(self.server.api("GET", "/api/v1/connectors")))
        # Two imports, newest first: Save & Import's, then Import now's (after the schedule went off).
        imports = self.server.api("GET", f"/api/v1/imports?connector={name}&limit=10")["imports"]
        self.assertEqual(len(imports), 2, imports)
        second, first = imports
        for finished in imports:
            self.assertIn(finished["state"], ("succeeded", "partial"), finished)
        self.assertEqual(second["trigger"], "manual", second)
        self.assertEqual(connector["last_import"]["id"], second["id"])
        self.assertFalse(connector["schedule"]["enabled"], connector)
        self.assertEqual(shown["schedule_after_toggle"], "off")
        self.assertEqual(shown["imports_seen"], [f"#/imports/{first['id']}", f"#/imports/{second['id']}"])
        self.assertEqual(shown["edit_form"]["imports_listed"], len(imports))
        # Progress while slow/image was the current image: done / total of what the import found.
        done, total = (int(n) for n in shown["progress"]["text"].split(" / "))
        self.assertEqual(total, first["images_found"], shown["progress"])
        self.assertLess(done, total, shown["progress"])
        self.assertEqual(shown["progress"]["bar"], [done, total], shown["progress"])
        self.assertTrue(any(image.split(":")[0] in shown["progress"]["current"] for image in self.pushed),
                        shown["progress"])
        row = dict(zip(shown["connector_headers"], shown["connector_row"]))  # as the first import ended
        self.assertEqual(row["Name"], name)
        self.assertEqual(row["URL"], self.proxy.url)
        self.assertEqual(row["Schedule"], "every 30m")
        for word in (first["state"], f"found {first['images_found']}", f"new {first['images_new']}",
                     f"failed {first['images_failed']}"):
            self.assertIn(word, row["Last import"])

        # The last import's reports (its link on the list): the API's list, as download links.
        reports = self.server.api("GET", f"/api/v1/imports/{second['id']}/reports")["reports"]
        self.assertTrue(reports, "the import wrote no report")
        self.assertEqual(sorted(r["text"] for r in shown["reports"]), sorted(r["name"] for r in reports))
        for link in shown["reports"]:
            self.assertEqual(link["href"], f"/api/v1/imports/{second['id']}/reports/{urllib.parse.quote(link['text'])}")

        # The images: what was pushed, the page's rows are the API's.
        listed = self.server.images(limit=50)
        self.assertEqual({f"{i['repository']}:{i['tag']}" for i in listed["images"]}, set(self.pushed))
        by_name = {f"{i['repository']}:{i['tag']}": i for i in listed["images"]}
        self.assertEqual(by_name["slow/image:1.0"]["status"], "scan_failed", by_name["slow/image:1.0"])
        self.assertGreater(by_name["web/app:1.0"]["vulnerabilities"]["total"], 0, by_name["web/app:1.0"])
        self.assertEqual(shown["image_headers"], IMAGE_COLUMNS)
        self.assertRowsMatchApi(shown["images"], listed["images"])
        self.assertEqual(shown["page_range"], f"1\u2013{len(listed['images'])} of {listed['total']}")
        self.assertRowsMatchApi(shown["sorted_by_tag_desc"], self.server.images(sort="tag", order="desc", limit=50)["images"])
        searched = self.server.images(q="web/", sort="tag", order="desc", limit=50)["images"]  # the sort stays
        self.assertTrue(searched)
        self.assertRowsMatchApi(shown["searched"], searched)
        # Pages of 2: the API's pages, Next and Previous.
        pages = [self.server.images(limit=2, offset=0), self.server.images(limit=2, offset=2)]
        for shown_page, (api_page, offset) in zip(shown["pages"], zip(pages + pages[:1], (0, 2, 0))):
            self.assertRowsMatchApi(shown_page["rows"], api_page["images"])
            self.assertEqual(shown_page["range"],
                             f"{offset + 1}\u2013{offset + len(api_page['images'])} of {api_page['total']}")
        self.assertEqual(shown["pages"][1]["next_disabled"], pages[1]["total"] <= 4)
        self.assertTrue(shown["pages"][2]["prev_disabled"])
        failed = self.server.images(status="scan_failed", limit=50)["images"]
        self.assertTrue(failed)
        self.assertRowsMatchApi(shown["scan_failed_rows"], failed)

        # web/app:1.0's page (the image with a vulnerability) is the API's detail of it.
        first = by_name["web/app:1.0"]
        detail = self.server.api("GET", f"/api/v1/images/{first['id']}")
        page = shown["image_page"]
        self.assertTrue(detail["vulnerabilities"], detail)
        self.assertEqual(page["title"], f"{first['repository']}:{first['tag']}")
        self.assertEqual(page["facts"]["Digest"], first["digest"])
        self.assertEqual([v["id"] for v in page["vulnerabilities"]], [v["id"] for v in detail["vulnerabilities"]])
        self.assertEqual([v["fixed_version"] for v in page["vulnerabilities"]],
                         [v.get("fixed_version", "") for v in detail["vulnerabilities"]])
        self.assertEqual([v["status"] for v in page["vulnerabilities"]], [v["status"] for v in detail["vulnerabilities"]])
        self.assertTrue(all(v["status"] in ("fixed", "affected") for v in page["vulnerabilities"]), page)
        self.assertEqual([p["name"] for p in page["packages"]], [p["name"] for p in detail["packages"]])
        self.assertEqual(len(page["misconfigurations"]), len(detail["misconfigurations"]))
        self.assertEqual(len(page["history"]), len(detail["history"]))
        self.assertEqual(page["sections"], ["Vulnerabilities", "Misconfigurations", "Malware findings", "Packages",
                                            "Layers", "History of scans"])


class HostileText(PageCase):
    """Attacker text from a registry shows as text on every page and runs nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = HostileRegistry().start()
        cls.addClassCleanup(cls.registry.stop)
        layer = crafted.files_layer({
            "etc/os-release": crafted.DEBIAN_OS_RELEASE,
            "var/lib/dpkg/status": crafted.dpkg_status((PAYLOAD.encode(), b"1.0-1"), (b"goodpkg", b"1.0-1"),
                                                       (REORDERING.encode(), b"1.0-1"),
                                                       (INVISIBLE.encode(), b"1.0-1")),
            f"{SITE[1:]}/evil-1.0.dist-info/METADATA": metadata(PAYLOAD_SHORT, "1.0")})
        cls.registry.push("ok/app", "1.0", crafted.image([layer], config={
            "Env": ["PATH=/bin", f"API_TOKEN{PAYLOAD_SHORT}=abcdef123456"],
            "Labels": {f"X_TOKEN{PAYLOAD}": "label-secret-value-1"}}))
        # Names outside the distribution grammar: the engine refuses them before any request
        # (today no image row holds them); whatever of them the API ever returns is checked below.
        cls.registry.catalog = sorted(["ok/app", PAYLOAD, "evil/" + PAYLOAD_SHORT])
        # A second registry whose discovery fails with attacker text in the error body.
        cls.broken = HostileRegistry().start()
        cls.addClassCleanup(cls.broken.stop)
        cls.broken.on("/v2/_catalog", lambda request: crafted_error(PAYLOAD))
        cls.server = cls.start_server()
        for name, registry in (("hostile", cls.registry), ("broken", cls.broken)):
            cls.server.api("POST", "/api/v1/connectors", {
                "name": name, "url": registry.url, "schedule": {"enabled": False, "every": "12h"}, "import_now": True},
                expect=201)
        for name in ("hostile", "broken"):
            net.wait_until(lambda: import_finished(cls.server, name), timeout=120, what=f"the import of {name}")

    def api_strings(self):
        """Every string in the API's answers the page shows (connectors, images, details)."""
        answers = [self.server.api("GET", "/api/v1/connectors"), self.server.images(limit=200)]
        answers += [self.server.api("GET", f"/api/v1/images/{i['id']}") for i in answers[1]["images"]]
        strings = []

        def walk(value):
            if isinstance(value, str):
                strings.append(value)
            elif isinstance(value, dict):
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)
        walk(answers)
        return strings

    def test_registry_html_is_shown_as_text_and_runs_nothing(self):
        hostile = sorted({s for s in self.api_strings() if "<img" in s or "<svg" in s})
        # The test proves something only if attacker text reached the API (and so the page).
        self.assertTrue(hostile, "no attacker text reached the API: this test would prove nothing")
        shown = self.drive("xss")
        self.assertNothingRan(shown)
        for check in [shown["images_check"], shown["connectors_check"]] + [p["check"] for p in shown["image_pages"]]:
            self.assertEqual(check["title"], shown["title_before"], "an injected script changed the title")
            self.assertIsNone(check["pwned"], "an injected script ran")
            self.assertEqual(check["injected_elements"], 0, "attacker text became an element")
        page_text = "\n".join([shown["connectors_text"]] + [p["text"] for p in shown["image_pages"]]
                              + [r["repository"] for r in shown["images"]])
        # Each attacker string shows whole, as text (a nested object's field as its JSON text).
        missing = [s for s in hostile if s not in page_text and json.dumps(s)[1:-1] not in page_text]
        self.assertEqual(missing, [], "attacker text in the API but not shown as text on the page")
        self.assertRowsMatchApi(shown["images"], self.server.images(limit=200)["images"])
        print(f"\nattacker strings that reached the page as text: {hostile}")

    def test_text_that_reorders_itself_is_shown_escaped(self):
        """A right-to-left override in a package name would show "evil<RLO>hs.gnp" as "evilpng.sh", a
        zero-width space "admin<ZWSP>" as "admin": the page shows them as \\u{202e}, as the reports do."""
        reordering = sorted({s for s in self.api_strings() if "\u202e" in s})
        self.assertTrue(reordering, "no reordering text reached the API: this test would prove nothing")
        shown = self.drive("xss")
        page_text = "\n".join([shown["connectors_text"]] + [p["text"] for p in shown["image_pages"]])
        self.assertNotIn("\u202e", page_text)
        for text in reordering:
            self.assertIn(text.replace("\u202e", "\\u{202e}"), page_text)
        # Nor do the characters that show nothing hide in it.
        self.assertIn(INVISIBLE, self.api_strings(), "the invisible name did not reach the API")
        self.assertIn(SHOWN_INVISIBLE, page_text)
        for hidden in ("\u200b", "\u2060", "\ufeff", "\U000e0048"):
            self.assertNotIn(hidden, page_text)


def crafted_error(text):
    from harness.hostile_registry import error
    return error(500, "UNKNOWN", text)


if __name__ == "__main__":
    unittest.main()
