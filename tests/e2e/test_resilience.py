"""Failures the run must survive, injected by harness.proxy in front of a real registry.

Retries honour Retry-After; one repository whose tags cannot be listed (401,
404, invalid JSON) is reported and the others are still inventoried; an image
whose manifest or config cannot be read keeps its row with an empty build
time; the exit code is then 6 and the summary counts the failures. An
unreachable registry exits 3.
"""
import json
import re
import threading
import unittest

from harness import case, content, net, oci_layout as oci, proxy, push, registry

IMAGES = {
    ("team/app", "1.0"): "2019-01-01T01:29:27Z",
    ("team/app", "2.0"): "2020-02-02T02:02:02Z",
    ("team/locked", "1"): "2021-01-01T00:00:00Z",
    ("team/garbled", "1"): "2021-02-01T00:00:00Z",
    ("team/gone", "1"): "2021-03-01T00:00:00Z",
    ("zeta/last", "9"): "2022-09-09T09:09:09+09:00",
}
BROKEN_MANIFEST = b'{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {'


class Resilience(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.registry = registry.Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.images = {key: oci.image(created, files={"id": "/".join(key).encode()})
                      for key, created in IMAGES.items()}
        push.skopeo_push(cls.registry, {f"{r}:{t}": m for (r, t), m in cls.images.items()})

    def through(self, *rules):
        """A fresh proxy with these rules, and the inventory as seen through it."""
        fault_proxy = proxy.FaultProxy(self.registry, rules).start()
        self.addCleanup(fault_proxy.stop)
        inventory = content.Inventory(fault_proxy.host)
        for key, created in IMAGES.items():
            inventory.add(*key, {"": created})
        return fault_proxy, inventory

    def manifest_routes(self, repo, tag):
        digest = self.images[(repo, tag)].digest
        return [f"/v2/{repo}/manifests/{tag}", f"/v2/{repo}/manifests/{digest}"]

    def test_retry_after_is_honoured(self):
        fault_proxy, inventory = self.through(
            proxy.fail_once("/v2/_catalog", 429),
            proxy.fail_once("/v2/team/app/tags/list", 503),
            *[proxy.fail_once(route, 503) for route in self.manifest_routes("team/app", "2.0")])
        result = self.dry_run(fault_proxy.url)
        self.assertInventory(result, fault_proxy.host, inventory.rows())
        for route in ("/v2/_catalog", "/v2/team/app/tags/list"):
            seen = fault_proxy.requests_to(route)
            self.assertEqual([status for _, _, _, status in seen][:2], [429 if "catalog" in route
                                                                         else 503, 200], seen)
            self.assertGreaterEqual(seen[1][0] - seen[0][0], 0.9, f"{route} retried too early")
        seen = sorted(fault_proxy.requests_to(self.manifest_routes("team/app", "2.0")[0])
                      + fault_proxy.requests_to(self.manifest_routes("team/app", "2.0")[1]))
        failed = [entry for entry in seen if entry[3] == 503]
        self.assertTrue(failed, seen)
        later = [entry for entry in seen if entry[0] > failed[0][0]]
        self.assertTrue(later, "the manifest was not asked for again")
        self.assertGreaterEqual(later[0][0] - failed[0][0], 0.9, "manifest retried too early")

    def test_x_retry_after_is_honoured(self):
        fault_proxy, inventory = self.through(proxy.fail_once("/v2/_catalog", 429, header="X-Retry-After"))
        result = self.dry_run(fault_proxy.url)
        self.assertInventory(result, fault_proxy.host, inventory.rows())
        seen = fault_proxy.requests_to("/v2/_catalog")
        self.assertEqual([status for _, _, _, status in seen][:2], [429, 200], seen)
        self.assertGreaterEqual(seen[1][0] - seen[0][0], 0.9, "retried too early")

    def test_a_long_retry_after_is_capped_and_said(self):
        fault_proxy, inventory = self.through(proxy.fail_once("/v2/_catalog", 429, retry_after="3600"))
        result = self.dry_run(fault_proxy.url, "--max-retry-wait=1")
        self.assertInventory(result, fault_proxy.host, inventory.rows())
        self.assertLogged(result, r"^GET http://127\.0\.0\.1:\d+/v2/_catalog\S* asks to wait 3600 s before a retry; "
                                  r"waiting 1 s \(--max-retry-wait\)$", "warning")
        seen = fault_proxy.requests_to("/v2/_catalog")
        self.assertEqual([status for _, _, _, status in seen][:2], [429, 200], seen)
        self.assertGreaterEqual(seen[1][0] - seen[0][0], 0.9, "retried too early")

    def test_no_retries_when_disabled(self):
        fault_proxy, inventory = self.through(proxy.fail_once("/v2/team/app/tags/list", 503))
        result = self.dry_run(fault_proxy.url, "--retries=0")
        self.assertInventory(result, fault_proxy.host, inventory.rows(missing={"team/app"}),
                             repositories_failed=1)
        self.assertEqual(len(fault_proxy.requests_to("/v2/team/app/tags/list")), 1)

    def test_retries_are_bounded(self):
        fault_proxy, inventory = self.through(proxy.always(
            "/v2/team/app/tags/list", 503, "unavailable", {"Retry-After": "0"}))
        result = self.dry_run(fault_proxy.url, "--retries=2")
        self.assertInventory(result, fault_proxy.host, inventory.rows(missing={"team/app"}),
                             repositories_failed=1)
        self.assertEqual(len(fault_proxy.requests_to("/v2/team/app/tags/list")), 3)

    def check_failed_repository(self, rule, repo):
        fault_proxy, inventory = self.through(rule)
        result = self.dry_run(fault_proxy.url)
        self.assertInventory(result, fault_proxy.host, inventory.rows(missing={repo}),
                             repositories_failed=1)
        self.assertLogged(result, r"repository=" + re.escape(repo) + r"( |$)", "error")

    def test_unauthorized_tags_list(self):
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]})
        self.check_failed_repository(proxy.always(
            "/v2/team/locked/tags/list", 401, body,
            {"Content-Type": "application/json", "WWW-Authenticate": 'Basic realm="regscan-e2e"'}),
            "team/locked")

    def test_missing_tags_list(self):
        body = json.dumps({"errors": [{"code": "NAME_UNKNOWN", "message": "repository name not known"}]})
        self.check_failed_repository(proxy.always(
            "/v2/team/gone/tags/list", 404, body, {"Content-Type": "application/json"}), "team/gone")

    def test_invalid_json_tags_list(self):
        self.check_failed_repository(proxy.always(
            "/v2/team/garbled/tags/list", 200, '{"name": "team/garbled", "tags": ["1",',
            {"Content-Type": "application/json"}), "team/garbled")

    def check_failed_image(self, rules, repo, tag):
        fault_proxy, inventory = self.through(*rules)
        result = self.dry_run(fault_proxy.url)
        self.assertInventory(result, fault_proxy.host, inventory.rows(failed={(repo, tag)}),
                             images_failed=1)
        self.assertLogged(result, re.escape(f"{fault_proxy.host}/{repo}:{tag}") + r"( |$)", "error")

    def test_broken_manifest(self):
        headers = {"Content-Type": oci.OCI_MANIFEST}
        self.check_failed_image([proxy.always(route, 200, BROKEN_MANIFEST, headers)
                                 for route in self.manifest_routes("team/app", "2.0")],
                                "team/app", "2.0")

    def test_config_blob_not_json(self):
        config = self.images[("zeta/last", "9")].dependencies[0]
        self.assertEqual(config.media_type, oci.OCI_CONFIG)
        self.check_failed_image([proxy.always(f"/v2/zeta/last/blobs/{config.digest}", 200,
                                              "this is not JSON",
                                              {"Content-Type": "application/octet-stream"})],
                                "zeta/last", "9")

    def test_several_failures_are_all_counted(self):
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED"}]})
        rules = [proxy.always("/v2/team/locked/tags/list", 401, body,
                              {"WWW-Authenticate": 'Basic realm="regscan-e2e"'}),
                 proxy.always("/v2/team/garbled/tags/list", 200, "[", {})]
        rules += [proxy.always(route, 200, BROKEN_MANIFEST, {"Content-Type": oci.OCI_MANIFEST})
                  for route in self.manifest_routes("team/app", "1.0")]
        fault_proxy, inventory = self.through(*rules)
        result = self.dry_run(fault_proxy.url)
        self.assertInventory(result, fault_proxy.host,
                             inventory.rows(missing={"team/locked", "team/garbled"},
                                            failed={("team/app", "1.0")}),
                             repositories_failed=2, images_failed=1)

    def test_request_timeout(self):
        release = threading.Event()
        routes = self.manifest_routes("zeta/last", "9")
        fault_proxy, inventory = self.through(*[proxy.hang(route, release) for route in routes])
        self.addCleanup(release.set)  # runs before the proxy stops
        result = self.dry_run(fault_proxy.url, "--request-timeout=1", "--retries=0", timeout=30)
        self.assertInventory(result, fault_proxy.host, inventory.rows(failed={("zeta/last", "9")}),
                             images_failed=1)

    def test_unreachable_registry_exits_3(self):
        closed = net.ClosedPort()
        self.addCleanup(closed.close)
        result = self.dry_run(f"http://{net.LOOPBACK}:{closed.port}")
        self.assertExit(result, 3)
        self.assertLogFormat(result)
        self.assertTrue(result.messages("error") or result.messages("critical"), f"{result!r}")


if __name__ == "__main__":
    unittest.main()
