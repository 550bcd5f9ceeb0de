"""Pagination: more than 250 repositories and a repository with more than 250 tags.

The distribution registry pages /v2/_catalog itself (100 entries when `n` is
absent, then a Link header). distribution 2.8 ignores `n` on tags/list, so the
registry is put behind harness.proxy.paginate_tags, which pages tags/list the
way the spec and distribution 3 do (Link with `last` and `n`); the proxy also
caps catalog pages at 100 so asking for a huge `n` does not avoid pagination.

One image is pushed with skopeo; the other repositories and tags are made
through the registry HTTP API (cross-repository blob mount + manifest PUT).
"""
import http.client
import json
import sys
import time
import unittest

from harness import case, content, net, oci_layout as oci, proxy, push, registry, run as runner

REPOSITORIES = 260
TAGS = 270
CREATED = "2019-01-01T01:29:27Z"


class Pagination(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        started = time.monotonic()
        cls.registry = registry.Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        image = oci.image(CREATED)
        push.skopeo_push(cls.registry, {"seed/app:1.0": image})
        api = push.ApiPusher(cls.registry)
        cls.addClassCleanup(api.close)
        cls.proxy = proxy.FaultProxy(cls.registry, [proxy.paginate_tags(100), proxy.cap_catalog_page(100)])
        cls.addClassCleanup(cls.proxy.stop)
        cls.proxy.start()
        cls.inventory = content.Inventory(cls.proxy.host)
        cls.inventory.add("seed/app", "1.0", {"": CREATED})
        for i in range(REPOSITORIES):
            api.copy(image, "seed/app", f"bulk/repo-{i:03d}", "latest")
            cls.inventory.add(f"bulk/repo-{i:03d}", "latest", {"": CREATED})
        for i in range(TAGS):
            api.copy(image, "seed/app", "many/tags", f"v{i // 100}.{i % 100}.0")
            cls.inventory.add("many/tags", f"v{i // 100}.{i % 100}.0", {"": CREATED})
        cls.fixture_seconds = time.monotonic() - started
        print(f"\n[pagination fixture: {REPOSITORIES + 1} repositories, {TAGS} tags in "
              f"{cls.fixture_seconds:.1f}s]", file=sys.stderr)
        cls.result = runner.run("registry", cls.proxy.url, "--mode=dry-run")

    def test_registry_really_paginates(self):
        """Guard: a client that does not follow Link misses entries."""
        status, headers, body = self.registry.request("GET", "/v2/_catalog")
        self.assertEqual(status, 200)
        self.assertEqual(len(json.loads(body)["repositories"]), 100)
        self.assertIn('rel="next"', headers.get("Link", ""))
        connection = http.client.HTTPConnection(net.LOOPBACK, self.proxy.port, timeout=30)
        try:
            connection.request("GET", "/v2/many/tags/tags/list")
            response = connection.getresponse()
            self.assertEqual(len(json.loads(response.read())["tags"]), 100)
            self.assertIn('rel="next"', response.headers.get("Link", ""))
        finally:
            connection.close()

    def test_every_repository_and_tag_listed(self):
        self.assertInventory(self.result, self.proxy.host, self.inventory.rows())
        _, rows = self.result.rows(self.proxy.host)
        repositories = {r[0] for r in rows}
        self.assertEqual(len(repositories), REPOSITORIES + 2)
        self.assertEqual(sum(1 for r in rows if r[0].endswith("/many/tags")), TAGS)

    def test_tag_pages_were_followed(self):
        pages = [path for _, method, path, status in self.proxy.log
                 if method == "GET" and path.startswith("/v2/many/tags/tags/list")]
        self.assertTrue(any("last=" in p for p in pages), pages)
        catalog = [path for _, method, path, status in self.proxy.log
                   if method == "GET" and path.startswith("/v2/_catalog")]
        self.assertGreaterEqual(len(catalog), 3, catalog)


if __name__ == "__main__":
    unittest.main()
