"""What a rescan asks the registry, request by request (a recording proxy in front of a real
registry): the HEAD that tells whether a tag changed is sent while the registry is still being
listed, once per tag; only for a tag with a stored result (a first scan sends none) and only for an
image the run scans (never for a denied one); an unchanged tag then needs no manifest at all, a
changed one is scanned again, and a failed HEAD is not sent twice: the image is read from its
manifest, as without the HEAD."""
import json
import shutil
import sqlite3
import tempfile

from harness import oci_layout, osv_db, proxy
from harness.case import RegscanCase
from harness.push import push_manifest
from harness.registry import Registry

SITE = "usr/lib/python3/dist-packages"


def metadata(name, version):
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


def image(created, requests_version):
    return oci_layout.image(created, files={
        "etc/os-release": b'ID=debian\nVERSION_ID="12"\n',
        f"{SITE}/requests-{requests_version}.dist-info/METADATA": metadata("requests", requests_version)})


class RescanRequestsTest(RegscanCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="regscan-e2e-rescan-requests-")
        self.addCleanup(shutil.rmtree, self.workdir, True)
        self.registry = Registry().start()
        self.addCleanup(self.registry.stop)
        for target, created in (("team/a:1", "2024-01-01T00:00:00Z"), ("team/b:1", "2024-01-02T00:00:00Z"),
                                ("other/c:1", "2024-01-03T00:00:00Z")):
            push_manifest(self.registry, target, image(created, "2.19.0"))
        self.db = osv_db.make_db(self.workdir)
        self.state = f"{self.workdir}/state.db"
        self.proxy = proxy.FaultProxy(self.registry).start()
        self.addCleanup(self.proxy.stop)

    def scan(self, *extra):
        result = self.regscan("registry", self.proxy.url, "--db", self.db, "--state", self.state,
                              "--denyList=other/*", "--format=json", "--no-progress", *extra)
        self.assertExit(result, 0)
        images = {f"{i['repository']}:{i['tag']}": i for i in result_images(result, self.proxy.host)}
        return result, images

    def requests(self, method, repository, kind="manifests"):
        return [entry for entry in self.proxy.log
                if entry[1] == method and entry[2].startswith(f"/v2/{repository}/{kind}/")]

    def test_one_head_per_scanned_tag_and_none_on_a_first_scan(self):
        _, images = self.scan()
        self.assertEqual({name: i["status"] for name, i in images.items()},
                         {"team/a:1": "scanned", "team/b:1": "scanned"})
        self.assertEqual([e for e in self.proxy.log if e[1] == "HEAD"], [], "a first scan sends no HEAD")

        mark = len(self.proxy.log)
        result, images = self.scan()
        self.assertEqual({name: i["status"] for name, i in images.items()},
                         {"team/a:1": "reused", "team/b:1": "reused"})
        rescan = self.proxy.log[mark:]
        heads = sorted(e[2] for e in rescan if e[1] == "HEAD")
        self.assertEqual(heads, ["/v2/team/a/manifests/1", "/v2/team/b/manifests/1"])
        self.assertEqual([e for e in rescan if e[1] == "GET" and "/manifests/" in e[2]], [],
                         "an unchanged tag needs no manifest")
        self.assertEqual([e for e in rescan if "/other/" in e[2] and "/tags/list" not in e[2]], [],
                         "nothing is asked about a denied image")
        self.assertIn("2 unchanged", result.summary()["Images scanned"])

        # One repository at a time: each tag's HEAD follows its own repository's listing,
        # before the next repository is listed.
        mark = len(self.proxy.log)
        self.scan("--concurrency=1")
        asked = [(e[1], e[2].split("?")[0]) for e in self.proxy.log[mark:]
                 if "/tags/list" in e[2] or e[1] == "HEAD"]
        self.assertEqual(asked, [("GET", "/v2/other/c/tags/list"),
                                 ("GET", "/v2/team/a/tags/list"), ("HEAD", "/v2/team/a/manifests/1"),
                                 ("GET", "/v2/team/b/tags/list"), ("HEAD", "/v2/team/b/manifests/1")])

    def test_a_changed_tag_is_scanned_again_after_its_one_head(self):
        self.scan()
        push_manifest(self.registry, "team/b:1", image("2024-02-02T00:00:00Z", "2.31.0"))
        mark = len(self.proxy.log)
        _, images = self.scan()
        self.assertEqual(images["team/a:1"]["status"], "reused")
        self.assertEqual(images["team/b:1"]["status"], "scanned")
        self.assertEqual(images["team/b:1"]["build_time"], "2024-02-02T00:00:00Z")
        rescan = self.proxy.log[mark:]
        self.assertEqual(len([e for e in rescan if e[1] == "HEAD" and e[2] == "/v2/team/b/manifests/1"]), 1)

    def test_a_failed_head_is_not_sent_twice_and_the_image_is_read_from_its_manifest(self):
        self.scan()
        self.proxy.rules.append(proxy.always("/v2/team/a/manifests/1", 404, b"", methods=("HEAD",)))
        mark = len(self.proxy.log)
        _, images = self.scan()
        # Its manifest names the same image: that platform's stored result is reused.
        self.assertEqual(images["team/a:1"]["status"], "reused")
        self.assertEqual(images["team/b:1"]["status"], "reused")
        rescan = self.proxy.log[mark:]
        self.assertEqual([e[3] for e in rescan if e[1] == "HEAD" and e[2] == "/v2/team/a/manifests/1"], [404])
        self.assertEqual(len([e for e in rescan if e[1] == "GET" and e[2] == "/v2/team/a/manifests/1"]), 1)

    def test_no_early_head_when_a_limit_chooses_among_all_images(self):
        self.scan()
        mark = len(self.proxy.log)
        _, images = self.scan("--max-images=1")
        self.assertEqual(images["team/a:1"]["status"], "reused")
        # Which images run is known only once every repository is listed: no HEAD is sent during
        # discovery (it would ask about team/b, beyond the limit), only the one image's own.
        self.assertEqual(sorted(e[2] for e in self.proxy.log[mark:] if e[1] == "HEAD"), ["/v2/team/a/manifests/1"])

    def test_a_result_made_by_another_layer_analysis_is_not_reused(self):
        self.scan()
        # The state as a regscan without this layer analysis (before its version was in the
        # key) wrote it: every stored result's fingerprint without its "+analysis:" part.
        with sqlite3.connect(self.state) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                      if any(c[1] == "data_fingerprint" for c in db.execute(f"PRAGMA table_info({row[0]})"))]
            self.assertTrue(tables)
            for table in tables:
                changed = db.execute(f"UPDATE {table} SET data_fingerprint = substr(data_fingerprint, 1, "
                                     "instr(data_fingerprint, '+analysis:') - 1) "
                                     "WHERE instr(data_fingerprint, '+analysis:') > 0").rowcount
                if table == "results":
                    self.assertEqual(changed, 2)
        _, images = self.scan()
        self.assertEqual({name: i["status"] for name, i in images.items()},
                         {"team/a:1": "scanned", "team/b:1": "scanned"})
        _, images = self.scan()
        self.assertEqual({name: i["status"] for name, i in images.items()},
                         {"team/a:1": "reused", "team/b:1": "reused"})


def result_images(result, host):
    with open(osv_db.report_json_path(result.output_dir, host)) as f:
        return json.load(f)["images"]
