"""`regscan serve` through its JSON API (issue 10, "Done means"), on the real binary.

Two connectors are made through the API: "lab", a real distribution registry behind a
fault proxy (Save & Import), and "harbor", the Harbor emulator over HTTPS (Save, then
Import now). One image of "lab" never gets its layer: past the connector's image
timeout it is Scan Failed, and only it. The server is restarted (SIGTERM) and must
answer the same; then it is killed (kill -9) while an import waits on a layer, and the
import queued at the next start must complete with every image once. The `connector`
command talks to the running server; the reports of an import are downloaded.

The steps build on each other and run in name order (test_1_..., test_2_..., ...).
"""
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.parse

from emulators import harbor as harbor_emulator
from harness import crafted, measured_run, net, oci_layout, osv_db, proxy, serve
from harness.push import push_manifest
from harness.registry import Registry
from harness.run import regscan_binary, run

HARBOR_NAME = "harbor.example.test"
ADMIN = ("admin", "Harbor-" + secrets.token_hex(10))
LAB_PASSWORD = "lab-pw-" + secrets.token_hex(12)  # the distribution registry ignores it; it must never show
FINISHED = ("succeeded", "partial", "failed", "interrupted")


def hang_and_tell(route, reached, release):
    """Holds requests for `route` until `release` (at most 60 s), setting `reached` when one arrives."""
    def rule(request, _proxy):
        if request.route == route and request.method in ("GET", "HEAD"):
            reached.set()
            release.wait(60)
        return None
    return rule


def names(images):
    return sorted(f"{i['repository']}:{i['tag']}" for i in images)


class ServeApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-serve-api-")
        cls.db = osv_db.make_db(cls.workdir)

        # The distribution registry, behind a proxy that can hold one blob.
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        cls.lab_images = {"web/app:1.0": crafted.requests_image("2.19.0", "2024-02-01T00:00:00Z", dpkg=True),
                          "web/app:2.0": crafted.requests_image("2.31.0", "2024-03-01T00:00:00Z", dpkg=True),
                          "tools/cli:latest": crafted.requests_image("2.25.0", "2024-01-15T00:00:00Z", dpkg=True),
                          "slow/image:1.0": crafted.requests_image("2.20.0", "2024-01-20T00:00:00Z", dpkg=True)}
        for target, manifest in cls.lab_images.items():
            push_manifest(cls.registry, target, manifest)
        cls.slow_reached, cls.slow_release = threading.Event(), threading.Event()
        cls.late_reached, cls.late_release = threading.Event(), threading.Event()
        cls.addClassCleanup(cls.slow_release.set)
        cls.addClassCleanup(cls.late_release.set)
        slow_layer = cls.lab_images["slow/image:1.0"].dependencies[1]
        cls.late_image = crafted.requests_image("2.21.0", "2024-01-21T00:00:00Z", dpkg=True)
        late_layer = cls.late_image.dependencies[1]
        cls.proxy = proxy.FaultProxy(cls.registry, [
            hang_and_tell(f"/v2/slow/image/blobs/{slow_layer.digest}", cls.slow_reached, cls.slow_release),
            hang_and_tell(f"/v2/late/app/blobs/{late_layer.digest}", cls.late_reached, cls.late_release)])
        cls.proxy.start()
        cls.addClassCleanup(cls.proxy.stop)

        # The Harbor emulator on HTTPS, its name resolved to loopback by the server's --resolve.
        cls.ca, cls.harbor = harbor_emulator.serve_for_class(cls, cls.workdir, HARBOR_NAME, ADMIN)
        cls.harbor_images = {}
        for i, (repo, tag) in enumerate([("team/app", "1.0"), ("team/app", "2.0"), ("team/web", "prod")]):
            created = f"2023-0{i + 1}-01T00:00:00Z"
            image = oci_layout.image(created, files={"etc/os-release": f"ID={repo.replace('/', '-')}{tag}\n".encode()})
            cls.harbor.publish(repo, tag, image, f"2024-01-01T00:00:0{i}.000Z", created=created,
                               platform={"os": "linux", "architecture": "amd64"})
            cls.harbor_images[f"{repo}:{tag}"] = image

        cls.server = serve.Server(os.path.join(cls.workdir, "serve"), db=cls.db, log_level="trace",
                                  args=[f"--ca-cert={cls.ca.ca_cert}", cls.harbor.resolve(HARBOR_NAME)])
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    # -- helpers ------------------------------------------------------------------------
    def imports_of(self, name):
        return self.server.api("GET", f"/api/v1/imports?connector={name}&limit=50")["imports"]

    def images_of(self, name):
        found = self.server.images(connector=name, limit=500)
        self.assertEqual(found["total"], len(found["images"]), found)
        return found["images"]

    def connector_cli(self, *args, stdin=None, env=None):
        full_env = {k: v for k, v in os.environ.items() if k != "REGSCAN_SERVE_TOKEN"}
        full_env["HOME"] = os.path.join(self.workdir, "cli-home")
        full_env.update(env or {})
        return subprocess.run([regscan_binary(), "connector", *args, f"--server={self.server.url}"], input=stdin,
                              capture_output=True, text=True, env=full_env, timeout=120)

    # -- the scenario -------------------------------------------------------------------
    def test_1_two_connectors_save_and_import_and_import_now(self):
        lab = self.server.api("POST", "/api/v1/connectors", {
            "name": "lab", "url": self.proxy.url, "username": "scanner", "password": LAB_PASSWORD,
            "schedule": {"enabled": True, "every": "12h"}, "image_timeout": "4s", "import_now": True}, expect=201)
        self.assertEqual(lab["name"], "lab")
        self.assertTrue(lab["has_password"])
        harbor = self.server.api("POST", "/api/v1/connectors", {
            "name": "harbor", "url": self.harbor.url_for(HARBOR_NAME), "type": "HARBOR", "username": ADMIN[0],
            "password": ADMIN[1], "schedule": {"enabled": False, "every": "1d"}, "import_now": False}, expect=201)
        self.assertIsNone(harbor.get("last_import"))
        self.assertIsNone(harbor.get("running"))
        self.assertEqual(self.imports_of("harbor"), [], "Save alone imported")
        duplicate = self.server.api("POST", "/api/v1/connectors", {"name": "lab", "url": self.proxy.url}, expect=409)
        self.assertTrue(duplicate["error"])
        # The types are the loaded plugins' (as `regscan plugins` lists them); another one is refused.
        types = self.server.api("GET", "/api/v1/registry-types")["types"]
        listed = run("plugins", output_dir=False)
        self.assertEqual(listed.code, 0, listed)
        rows = [row for row in (line.split() for line in listed.stdout.splitlines()[1:])
                if len(row) == 5 and row[4].endswith(".so")]
        self.assertTrue(rows, listed.stdout)
        self.assertEqual(sorted((t["type"], t["plugin"]) for t in types),
                         sorted((row[3], row[0]) for row in rows))
        unknown = self.server.api("POST", "/api/v1/connectors", {"name": "typo", "url": self.proxy.url,
                                                                "type": "HARBR"}, expect=400)
        self.assertIn('"type" HARBR is not a registry type of this server\'s plugins (ACR, ', unknown["error"])
        self.assertEqual(self.server.request("GET", "/api/v1/connectors/typo").status, 404)

        started = self.server.api("POST", "/api/v1/connectors/harbor/imports", expect=202)
        self.assertEqual(started["connector"], "harbor")
        self.assertEqual(started["trigger"], "manual")

        lab_imports = self.imports_of("lab")
        self.assertEqual(len(lab_imports), 1, lab_imports)
        lab_done = self.server.wait_for_import(lab_imports[0]["id"], timeout=240)
        harbor_done = self.server.wait_for_import(started["id"], timeout=240)
        self.assertEqual(harbor_done["state"], "succeeded", harbor_done)
        self.assertEqual(harbor_done["images_found"], len(self.harbor_images), harbor_done)
        self.assertEqual(harbor_done["images_failed"], 0, harbor_done)
        self.assertEqual(harbor_done["registry_type"].upper(), "HARBOR", harbor_done)
        self.assertEqual(lab_done["state"], "partial", lab_done)  # one image failed
        self.assertEqual(lab_done["images_found"], len(self.lab_images), lab_done)
        self.assertEqual(lab_done["images_new"], len(self.lab_images), lab_done)
        self.assertEqual(lab_done["images_failed"], 1, lab_done)
        self.assertTrue(self.slow_reached.is_set(), "the slow image's layer was never asked for")
        self.assertGreaterEqual(lab_done["duration_seconds"], 0)

    def test_2_images_counts_and_scan_failed(self):
        lab = self.images_of("lab")
        self.assertEqual(names(lab), sorted(self.lab_images))
        by_name = {f"{i['repository']}:{i['tag']}": i for i in lab}
        slow = by_name["slow/image:1.0"]
        self.assertEqual(slow["status"], "scan_failed", slow)
        self.assertRegex(slow["reason"], "timed out|deadline|image timeout", slow)
        for name, image in by_name.items():
            self.assertEqual(image["connector"], "lab")
            self.assertEqual(image["digest"], self.lab_images[name].digest, name)
            if name != "slow/image:1.0":
                self.assertEqual(image["status"], "scanned", image)
        # requests 2.19.0 is affected by PYSEC-2018-28, 2.31.0 is not.
        self.assertGreater(by_name["web/app:1.0"]["vulnerabilities"]["total"], 0, by_name["web/app:1.0"])
        self.assertEqual(by_name["web/app:2.0"]["vulnerabilities"]["total"], 0, by_name["web/app:2.0"])
        counts = by_name["web/app:1.0"]["vulnerabilities"]
        self.assertEqual(counts["total"], sum(counts[s] for s in ("critical", "high", "medium", "low", "unknown")))
        self.assertEqual(self.server.images(status="scan_failed", limit=50)["images"], [slow])
        harbor = self.images_of("harbor")
        self.assertEqual(names(harbor), sorted(self.harbor_images))
        self.assertTrue(all(i["status"] == "scanned" for i in harbor), harbor)
        everything = self.server.images(limit=500)
        self.assertEqual(everything["total"], len(self.lab_images) + len(self.harbor_images))
        # Paging: two pages of 4 hold every row once.
        first = self.server.images(limit=4, offset=0, sort="repository")["images"]
        second = self.server.images(limit=4, offset=4, sort="repository")["images"]
        self.assertEqual(sorted(i["id"] for i in first + second), sorted(i["id"] for i in everything["images"]))
        detail = self.server.api("GET", f"/api/v1/images/{by_name['web/app:1.0']['id']}")
        self.assertEqual(detail["image"]["id"], by_name["web/app:1.0"]["id"])
        self.assertIn("PYSEC-2018-28", [v["id"] for v in detail["vulnerabilities"]])
        self.assertTrue(detail["history"], detail)
        self.assertEqual(self.server.request("GET", "/api/v1/images/999999").status, 404)
        metrics = self.server.request("GET", "/metrics")
        self.assertEqual(metrics.status, 200)
        self.assertIn("regscan_", metrics.body.decode())

    def test_3_reports_download(self):
        last = self.server.connector("lab")["last_import"]
        reports = self.server.api("GET", f"/api/v1/imports/{last['id']}/reports")["reports"]
        formats = {r["format"] for r in reports}
        self.assertIn("json", formats, reports)
        report = next(r for r in reports if r["format"] == "json")
        reply = self.server.request("GET", f"/api/v1/imports/{last['id']}/reports/{urllib.parse.quote(report['name'])}")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.headers.get("Content-Disposition"), f'attachment; filename="{report["name"]}"')
        document = json.loads(reply.body)
        self.assertEqual(sorted(f"{i['repository']}:{i['tag']}" for i in document["images"]), sorted(self.lab_images))
        missing = self.server.request("GET", f"/api/v1/imports/{last['id']}/reports/..%2Fserve-token")
        self.assertEqual(missing.status, 404)

    def test_4_restart_keeps_everything(self):
        before = {"connectors": self.server.api("GET", "/api/v1/connectors"),
                  "images": self.server.images(limit=500, sort="repository"),
                  "imports": self.server.api("GET", "/api/v1/imports?limit=50")}
        token = self.server.token
        self.assertEqual(self.server.stop(), 0, self.server.log_tail())
        self.assertIn("SIGTERM", self.server.log_text())
        self.server.start()
        self.assertEqual(self.server.token, token, "a restart made a new token")
        after = {"connectors": self.server.api("GET", "/api/v1/connectors"),
                 "images": self.server.images(limit=500, sort="repository"),
                 "imports": self.server.api("GET", "/api/v1/imports?limit=50")}
        for c in before["connectors"]["connectors"] + after["connectors"]["connectors"]:
            c.pop("next_run", None)  # may be recomputed; the rest must be equal
        self.assertEqual(after["connectors"], before["connectors"])
        self.assertEqual(after["images"], before["images"])
        self.assertEqual(after["imports"], before["imports"])

    def test_5_kill_mid_import_then_the_next_import_completes(self):
        push_manifest(self.registry, "late/app:1.0", self.late_image)
        self.slow_release.set()  # from now on the slow image scans
        started = self.server.api("POST", "/api/v1/connectors/lab/imports", expect=202)
        net.wait_until(self.late_reached.is_set, timeout=120, what="the import to wait on late/app's layer")
        running = self.server.api("GET", f"/api/v1/imports/{started['id']}")
        self.assertEqual(running["state"], "running", running)
        self.server.kill()
        self.late_release.set()
        self.server.start()

        interrupted = self.server.api("GET", f"/api/v1/imports/{started['id']}")
        self.assertEqual(interrupted["state"], "interrupted", interrupted)
        newer = [i for i in self.imports_of("lab") if i["id"] > started["id"]]
        self.assertEqual(len(newer), 1, newer)  # queued once, not once per missed run
        self.assertEqual(newer[0]["trigger"], "startup", newer[0])
        done = self.server.wait_for_import(newer[0]["id"], timeout=240)
        self.assertEqual(done["state"], "succeeded", done)

        lab = self.images_of("lab")
        expected = sorted(list(self.lab_images) + ["late/app:1.0"])
        self.assertEqual(names(lab), expected)  # nothing lost, nothing twice
        self.assertEqual(len({i["id"] for i in lab}), len(lab))
        self.assertTrue(all(i["status"] == "scanned" for i in lab), lab)
        late = next(i for i in lab if i["repository"] == "late/app")
        self.assertEqual(late["digest"], self.late_image.digest)

    def test_6_connector_command_against_the_running_server(self):
        token_file = self.server.token_path
        listed = self.connector_cli("list", f"--token-file={token_file}")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertRegex(listed.stdout, r"(?m)^lab\t")
        self.assertRegex(listed.stdout, r"(?m)^harbor\t")

        added = self.connector_cli("add", "--name=cli-made", f"--url={self.proxy.url}", "--username=robot$ci",
                                   "--password-stdin", "--schedule=6h", "--allowList=web/*", "--denyList=web/app:2.0",
                                   stdin=LAB_PASSWORD + "\n", env={"REGSCAN_SERVE_TOKEN": self.server.token})
        self.assertEqual(added.returncode, 0, added.stderr)
        self.assertNotIn(LAB_PASSWORD, added.stdout + added.stderr)
        made = self.server.connector("cli-made")
        self.assertEqual(made["username"], "robot$ci")
        self.assertTrue(made["has_password"])
        self.assertEqual(made["schedule"], {"enabled": True, "every": "6h"})
        self.assertEqual(made["allow"], ["web/*"])
        self.assertEqual(made["deny"], ["web/app:2.0"])

        imported = self.connector_cli("import", "cli-made", f"--token-file={token_file}")
        self.assertEqual(imported.returncode, 0, imported.stderr)
        import_id = int(re.search(r"import (\d+)", imported.stdout).group(1))
        done = self.server.wait_for_import(import_id, timeout=240)
        self.assertEqual(done["images_found"], 1, done)  # web/app:1.0 only

        wrong = self.connector_cli("list", env={"REGSCAN_SERVE_TOKEN": "0" * 64})
        self.assertEqual(wrong.returncode, 4, wrong.stderr)
        removed = self.connector_cli("remove", "cli-made", f"--token-file={token_file}")
        self.assertEqual(removed.returncode, 0, removed.stderr)
        self.assertEqual(self.server.request("GET", "/api/v1/connectors/cli-made").status, 404)
        gone = self.connector_cli("remove", "cli-made", f"--token-file={token_file}")
        self.assertEqual(gone.returncode, 2, gone.stderr)


class ServeCommandLine(unittest.TestCase):
    """The flags of `regscan serve` that refuse to start, and its help."""

    def test_help_and_refused_flags(self):
        shown = run("serve", "--help", output_dir=False)
        self.assertEqual(shown.code, 0, shown)
        for flag in ("--listen", "--tls-cert", "--data-dir", "--max-concurrent-imports", "--keep-imports", "--image-timeout"):
            self.assertIn(flag, shown.stdout)
        data = tempfile.mkdtemp(prefix="regscan-e2e-serve-cli-")
        self.addCleanup(shutil.rmtree, data, True)
        for args, message in ((["--password=hunter2-x"], "credentials belong to a connector"),
                              (["--mode=dry-run"], "imports always scan"),
                              (["--listen=127.0.0.1"], "--listen takes ADDRESS:PORT"),
                              (["--tls-cert=/nonexistent.pem"], "--tls-cert and --tls-key go together")):
            with self.subTest(args=args):
                refused = run("serve", f"--data-dir={data}", *args, output_dir=False, timeout=30)
                self.assertEqual(refused.code, 2, refused)
                self.assertIn(message, refused.stderr)
                self.assertNotIn("hunter2-x", refused.stderr)

    def test_a_token_file_others_can_read_is_refused(self):
        data = tempfile.mkdtemp(prefix="regscan-e2e-serve-cli-")
        self.addCleanup(shutil.rmtree, data, True)
        token = os.path.join(data, "serve-token")
        with open(token, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        os.chmod(token, 0o644)
        refused = run("serve", f"--data-dir={data}", f"--listen=127.0.0.1:{net.free_port()}", output_dir=False,
                      timeout=30)
        self.assertEqual(refused.code, 2, refused)
        self.assertIn("can be read by other users", refused.stderr)


if __name__ == "__main__":
    unittest.main()
