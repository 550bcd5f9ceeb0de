"""A hostile registry against regscan's bounds on size, count and time.

Each test serves one honest image next to the hostile answer: the hostile
image or repository fails with the reason the limit names, the honest one is
still listed or scanned, the run ends (exit 6), and where the point is memory
the child's own peak RSS stays far below what buffering the bomb would take.
Bombs are built once and cached (harness.crafted); limits are set low by
flag where the default would make a test slow.
"""
import bz2
import gzip
import io
import json
import re
import tarfile
import unittest

from harness import crafted, oci_layout
from harness.crafted import GiB, MiB
from harness.hostile_case import HostileCase, other_address
from harness.http_server import Reply, json_reply
from harness.hostile_registry import API_VERSION, error, page_link
from harness.stream_server import StreamReply, repeated, trickle


def manifest_route(repository, reference):
    return f"/v2/{repository}/manifests/{reference}"


class BodyLimits(HostileCase):
    """Point 2: bodies that inflate or stream past every cap."""

    def test_gzip_encoded_manifest_bomb_fails_the_image_in_bounded_memory(self):
        registry = self.registry()
        self.good_image(registry)
        bomb, _ = crafted.repeated_gzip(b"", b" ", GiB)  # a gzip of 1 GiB of spaces, about 1 MB
        self.assertLess(len(bomb), 8 * MiB)
        registry.push("bomb/manifest", "1", crafted.image([crafted.files_layer({"etc/x": b"x"})]))
        registry.on(manifest_route("bomb/manifest", "1"), lambda request: Reply(
            200, bomb, {"Content-Type": oci_layout.OCI_MANIFEST, "Content-Encoding": "gzip"}))
        result = self.scan(registry)
        self.assertFinished(result, 6)
        self.assertBoundedMemory(result)
        self.assertImageFailed(result, registry.host, "bomb/manifest:1", "larger than")
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        self.assertTrue(registry.requests(manifest_route("bomb/manifest", "1"), "GET"))

    def test_200_mb_error_body_fails_the_image_in_bounded_memory(self):
        registry = self.registry()
        self.good_image(registry)
        registry.push("huge/error", "1", crafted.image([crafted.files_layer({"etc/x": b"y"})]))
        size = 200 * 1000 * 1000
        registry.on(manifest_route("huge/error", "1"), lambda request: StreamReply(
            404, repeated(b" ", size), {"Content-Type": "application/json"}, length=size))
        result = self.scan(registry)
        self.assertFinished(result, 6)
        self.assertBoundedMemory(result)
        self.assertImageFailed(result, registry.host, "huge/error:1")
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        self.assertTrue(registry.requests(manifest_route("huge/error", "1"), "GET"))

    def test_tags_list_over_max_listing_size_fails_the_repository(self):
        registry = self.registry()
        self.good_image(registry)
        tags = [f"t-{i:06d}" for i in range(100000)]
        body = json.dumps({"name": "big/tags", "tags": tags}).encode()
        self.assertGreater(len(body), 1 * MiB)
        registry.tags["big/tags"] = {}
        registry.on("/v2/big/tags/tags/list", lambda request: Reply(
            200, body, dict(API_VERSION, **{"Content-Type": "application/json"})))
        result = self.dry(registry, "--max-listing-size=256K")
        self.assertFinished(result, 6)
        self.assertBoundedMemory(result)
        self.assertRepositoryFailed(result, "big/tags", "larger than")
        _, rows = result.rows(registry.host)
        self.assertIn((f"{registry.host}/good/app", "1.0", "2023-03-03T03:03:03Z", "false"), rows)
        self.assertFalse([row for row in rows if row[0].endswith("/big/tags")], f"{result!r}")


class JsonLimits(HostileCase):
    """JSON within its size cap whose parsed tree would not be: a 16 MiB config of "{}," held 1 GB."""

    def test_a_config_of_5_million_values_fails_the_image_in_bounded_memory(self):
        registry = self.registry()
        self.good_image(registry)
        layer = crafted.files_layer({"etc/x": b"x"})
        config = {"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": [layer.diff_id]}, "junk": [{}] * 5_000_000}
        registry.push("bomb/config", "1", crafted.image_from_config(config, [layer]))
        result = self.scan(registry, timeout=300)
        self.assertFinished(result, 6)
        self.assertBoundedMemory(result)
        self.assertImageFailed(result, registry.host, "bomb/config:1", "more than 500000 JSON values")
        self.assertImageScanned(result, registry.host, "good/app:1.0")

    def test_a_manifest_of_a_million_values_fails_the_image(self):
        registry = self.registry()
        self.good_image(registry)
        image = crafted.image([crafted.files_layer({"etc/x": b"m"})])
        body = dict(json.loads(image.data), junk=[0] * 1_000_000)
        manifest = oci_layout.Manifest(oci_layout.Blob(oci_layout.OCI_MANIFEST, oci_layout.canonical_json(body)),
                                       image.dependencies)
        registry.push("bomb/manifest", "1", manifest)
        result = self.scan(registry)
        self.assertFinished(result, 6)
        self.assertImageFailed(result, registry.host, "bomb/manifest:1", "manifest: its JSON is more than 500000")
        self.assertImageScanned(result, registry.host, "good/app:1.0")

    def test_a_tags_page_of_a_million_values_fails_the_repository(self):
        """A plugin parses the pages it lists: the host refuses a page past the bounds before it does."""
        registry = self.registry()
        self.good_image(registry)
        body = json.dumps({"name": "bomb/tags", "tags": ["t"] * 1_000_000}).encode()
        registry.tags["bomb/tags"] = {}
        registry.on("/v2/bomb/tags/tags/list", lambda request: Reply(
            200, body, dict(API_VERSION, **{"Content-Type": "text/plain"})))
        result = self.dry(registry)
        self.assertFinished(result, 6)
        self.assertRepositoryFailed(result, "bomb/tags", "more than 500000 JSON values")
        _, rows = result.rows(registry.host)
        self.assertIn((f"{registry.host}/good/app", "1.0", "2023-03-03T03:03:03Z", "false"), rows)

    def test_a_later_page_past_the_bounds_reports_the_listing_cut(self):
        """The SDK's page walk keeps the pages it read when a later one is refused: the run must say so."""
        registry = self.registry()
        self.good_image(registry)
        registry.tags["bomb/pages"] = {}
        bomb = ("\ufeff" + json.dumps({"name": "bomb/pages", "tags": ["t"] * 1_000_000})).encode()

        def tags(request):
            if request.arg("page"):
                return Reply(200, bomb, dict(API_VERSION, **{"Content-Type": "application/json"}))
            headers = dict(API_VERSION, Link=page_link(request.route, {"n": 1000, "page": 1}))
            return json_reply(200, {"name": "bomb/pages", "tags": ["first"]}, headers)

        registry.on("/v2/bomb/pages/tags/list", tags)
        result = self.dry(registry)
        self.assertFinished(result, 6)
        self.assertEqual(len(registry.requests("/v2/bomb/pages/tags/list", "GET")), 2, f"{result!r}")
        self.assertRepositoryFailed(result, "bomb/pages", "cut short", "more than 500000 JSON values")


class ManifestLimits(HostileCase):
    """Point 3: manifests and indexes too big or too wide, and slow children."""

    def assertFailsAlone(self, repository, manifest, reason):
        """`manifest`, pushed beside a good image, fails with `reason`; the good one is scanned."""
        registry = self.registry()
        self.good_image(registry)
        registry.push(repository, "1", manifest)
        result = self.scan(registry)
        self.assertFinished(result, 6)
        self.assertImageFailed(result, registry.host, repository + ":1", reason)
        self.assertImageScanned(result, registry.host, "good/app:1.0")

    def test_6_mib_manifest_is_larger_than_the_cap(self):
        big = crafted.image([crafted.files_layer({"etc/x": b"z"})], annotations={"pad": "x" * (6 * MiB)})
        self.assertGreater(len(big.data), 6 * MiB)
        self.assertFailsAlone("big/manifest", big, "larger than")

    def test_600_layers_are_more_than_max_layers(self):
        layer = crafted.files_layer({"etc/layer": b"one layer, 600 times"})
        self.assertFailsAlone("many/layers", crafted.image([layer] * 600), "layers")

    def test_index_of_1500_entries_is_more_than_max_index_entries(self):
        child = crafted.image([crafted.files_layer({"etc/child": b"amd64"})])
        index = crafted.index([(child, {"os": "linux", "architecture": "amd64"})])
        body = json.loads(index.data)
        for i in range(1499):  # entries of another platform, never fetched
            fake = oci_layout.digest_of(b"absent child %d" % i)
            body["manifests"].append({"mediaType": oci_layout.OCI_MANIFEST, "digest": fake, "size": 500,
                                      "platform": {"os": "linux", "architecture": "s390x"}})
        wide = oci_layout.Manifest(oci_layout.Blob(oci_layout.OCI_INDEX, oci_layout.canonical_json(body)),
                                   index.dependencies)
        self.assertFailsAlone("wide/index", wide, "entries")

    def test_300_identical_index_entries_fetch_the_child_once(self):
        registry = self.registry()
        child = crafted.image([crafted.files_layer({"etc/child": b"the one child"})])
        registry.push("same/children", "1",
                      crafted.index([(child, {"os": "linux", "architecture": "amd64"})] * 300))
        child_route = manifest_route("same/children", child.digest)
        for platform in ("linux/amd64", "all"):
            with self.subTest(platform=platform):
                registry.clear()
                result = self.scan(registry, f"--platform={platform}")
                self.assertFinished(result, 0)
                entries = self.assertImageScanned(result, registry.host, "same/children:1")
                self.assertEqual({e["digest"] for e in entries}, {child.digest})
                self.assertEqual(len(registry.requests(child_route, "GET")), 1, registry.requests(prefix="/v2/same"))

    def test_slow_children_are_cut_by_the_image_timeout(self):
        registry = self.registry()
        self.good_image(registry)
        children = [crafted.image([crafted.files_layer({"etc/child": b"%d" % i})],
                                  created=f"2024-01-{i + 1:02d}T00:00:00Z") for i in range(40)]
        registry.push("slow/children", "1", crafted.index(
            [(child, {"os": "linux", "architecture": "amd64", "variant": f"v{i + 1}"})
             for i, child in enumerate(children)]))
        child_routes = {manifest_route("slow/children", child.digest) for child in children}

        def slow_child(request):
            if request.route not in child_routes:
                return None
            registry.delay(1.0)
            return None  # then the honest answer

        registry.on(re.compile(r"/v2/slow/children/manifests/sha256:[0-9a-f]{64}"), slow_child)
        result = self.scan(registry, "--image-timeout=3s", "--platform=all", "--concurrency=2", timeout=90)
        self.assertFinished(result, 6)
        self.assertLess(result.elapsed, 30, f"{result!r}")
        fetched = [s for s in registry.requests(method="GET") if s.route in child_routes]
        self.assertLess(len(fetched), 20, f"{len(fetched)} of 40 children fetched\n{result!r}")
        entries = self.entries(result, registry.host, "slow/children:1")
        self.assertTrue(entries, f"{result!r}")
        self.assertNotIn("scanned", {e["status"] for e in entries}, f"{entries}\n{result!r}")
        self.assertTrue(any("timed out" in e["error"].lower() for e in entries if e["status"] == "scan_failed"),
                        f"{entries}\n{result!r}")
        self.assertImageScanned(result, registry.host, "good/app:1.0")


    def test_a_token_service_that_never_answers_is_cut_by_the_image_timeout(self):
        """The realm answers every listing's token at once, and holds one image's token request for its
        manifest open: that image fails within its --image-timeout, the run goes on."""
        registry = self.registry()
        realm = self.registry(address=other_address())
        self.good_image(registry)
        held = crafted.image([crafted.files_layer({"etc/held": b"held"})])
        registry.push("held/app", "1", held)

        def bearer(request):
            given = request.headers.get("Authorization")
            if given == "Bearer good-token" or (given == "Bearer list-token" and request.route.endswith("/list")):
                return None  # the honest answer
            return json_reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "token"}]}, dict(
                API_VERSION, **{"WWW-Authenticate": f'Bearer realm="{realm.url}/token",service="hostile"'}))

        held_asked = []

        def token(request):
            if "held" in (request.arg("scope") or ""):
                held_asked.append(request.path)
                if len(held_asked) == 1:
                    return json_reply(200, {"token": "list-token", "expires_in": 300})  # for its tags listing
                realm.delay(300)  # until the test ends
            return json_reply(200, {"token": "good-token", "expires_in": 300})

        registry.on(re.compile(r"/v2/.*"), bearer)
        realm.on("/token", token)
        result = self.scan(registry, "--image-timeout=4s", timeout=100)
        self.assertFinished(result, 6)
        self.assertLess(result.elapsed, 60, f"{result!r}")
        self.assertImageFailed(result, registry.host, "held/app:1")
        self.assertImageScanned(result, registry.host, "good/app:1.0")


class SharedLayerDeadline(HostileCase):

    TIMEOUT = 20  # seconds; b/gap holds c/waiter's start back by half of it

    def test_an_image_waiting_for_a_layer_another_image_timed_out_on_pulls_it_under_its_own_deadline(self):
        """a/owner is the first to need a layer it shares with c/waiter, and the registry holds that pull
        open past a/owner's --image-timeout. c/waiter starts later (after b/gap, whose manifest is held
        half a timeout), waits for a/owner's pull, then pulls the layer itself within its own deadline:
        a/owner's timeout is not its."""
        registry = self.registry()
        shared = crafted.files_layer({"etc/shared": b"shared"})
        own = crafted.files_layer({"etc/waiter": b"w"})
        registry.push("a/owner", "1", crafted.image([shared]))
        registry.push("b/gap", "1", crafted.image([crafted.files_layer({"etc/gap": b"gap"})]))
        registry.push("c/waiter", "1", crafted.image([own, shared]))
        shared_blob = re.compile(r"/v2/[a-z]/[a-z]+/blobs/" + re.escape(shared.blob.digest))
        owner_pull = registry.arrival(f"/v2/a/owner/blobs/{shared.blob.digest}")
        pulls = []

        def hold_the_first_pull(request):
            pulls.append(request.route)
            if len(pulls) == 1:
                registry.delay(300)  # held until the test ends
            return None  # the honest answer

        def gap_manifest(request):
            # images are scanned two at a time in name order: c/waiter starts once b/gap is done
            owner_pull.wait(60)
            registry.delay(self.TIMEOUT / 2)
            return None

        registry.on(shared_blob, hold_the_first_pull, methods=("GET",))
        registry.on("/v2/b/gap/manifests/1", gap_manifest)
        result = self.scan(registry, f"--image-timeout={self.TIMEOUT}s", "--concurrency=2", timeout=180)
        self.assertFinished(result, 6)
        self.assertImageFailed(result, registry.host, "a/owner:1", "timed out")
        self.assertImageScanned(result, registry.host, "b/gap:1")
        self.assertImageScanned(result, registry.host, "c/waiter:1")
        self.assertEqual(pulls, [f"/v2/a/owner/blobs/{shared.blob.digest}",
                                 f"/v2/c/waiter/blobs/{shared.blob.digest}"], f"{result!r}")
        # c/waiter waited: it pulled its own layer long before the shared one, which it pulled only
        # once a/owner's deadline had passed.
        owner_asked = registry.requests(f"/v2/a/owner/blobs/{shared.blob.digest}", "GET")[0].time
        own_pulled = registry.requests(f"/v2/c/waiter/blobs/{own.blob.digest}", "GET")[0].time
        shared_pulled = registry.requests(f"/v2/c/waiter/blobs/{shared.blob.digest}", "GET")[0].time
        self.assertLess(own_pulled, owner_asked + self.TIMEOUT, f"{result!r}")
        self.assertGreater(shared_pulled, owner_asked + self.TIMEOUT / 2 + 1, f"{result!r}")
        self.assertGreater(shared_pulled - own_pulled, 1, f"{result!r}")


class LayerStoppedWording(HostileCase):

    def test_a_registry_quoting_the_stopped_wording_does_not_make_a_layer_pulled_again(self):
        """A layer another layer's failure stopped is pulled again by an image waiting for it; that is
        told by the failure's type, not its words: a registry refusing a blob with those words is
        asked for it once."""
        registry = self.registry()
        layer = crafted.files_layer({"etc/worded": b"w"})
        registry.push("a/worded", "1", crafted.image([layer]))
        self.good_image(registry)
        blob = f"/v2/a/worded/blobs/{layer.blob.digest}"
        registry.on(blob, lambda request: error(403, "DENIED", "stopped: another layer of the image failed"),
                    methods=("GET",))
        result = self.scan(registry)
        self.assertFinished(result, 6)
        self.assertImageFailed(result, registry.host, "a/worded:1", "403")
        self.assertImageScanned(result, registry.host, "good/app:1.0")
        self.assertEqual(len(registry.requests(blob, "GET")), 1, f"{result!r}")


class StoppedSharedLayer(HostileCase):

    def test_an_image_waiting_for_a_layer_whose_image_failed_meanwhile_pulls_it_itself(self):
        """a/owner pulls a layer it shares with c/waiter, slowly; a/owner's other layer fails meanwhile,
        which stops the shared pull. c/waiter, waiting for that pull, is not failed by it: it pulls the
        layer itself."""
        registry = self.registry()
        shared = crafted.files_layer({"etc/shared": b"shared " * 64})
        bad = crafted.files_layer({"etc/bad": b"bad"})
        registry.push("a/owner", "1", crafted.image([bad, shared]))
        waiter = registry.push("c/waiter", "1", crafted.image([shared]))
        config = json.loads(waiter.blob.data)["config"]["digest"]
        owner_shared = f"/v2/a/owner/blobs/{shared.blob.digest}"
        owner_pulls = registry.arrival(owner_shared)
        waiter_in_layers = registry.arrival(f"/v2/c/waiter/blobs/{config}")

        def waiter_manifest(request):
            owner_pulls.wait(60)  # c/waiter finds a/owner's pull of the shared layer under way
            return None

        def bad_layer(request):
            waiter_in_layers.wait(60)
            registry.delay(2)  # pacing: c/waiter is waiting for the shared layer by now
            return error(403, "DENIED", "no")

        registry.on("/v2/c/waiter/manifests/1", waiter_manifest)
        registry.on(f"/v2/a/owner/blobs/{bad.blob.digest}", bad_layer, methods=("GET",))
        registry.on(owner_shared, lambda request: StreamReply(
            200, trickle(shared.blob.data, 0.1, registry.closing), {"Content-Type": "application/octet-stream"},
            length=len(shared.blob.data)), methods=("GET",))
        result = self.scan(registry, "--concurrency=2", timeout=180)
        self.assertFinished(result, 6)
        self.assertImageFailed(result, registry.host, "a/owner:1", "403")
        self.assertImageScanned(result, registry.host, "c/waiter:1")
        refused = registry.requests(f"/v2/a/owner/blobs/{bad.blob.digest}", "GET")[0].time
        waiter_pulls = registry.requests(f"/v2/c/waiter/blobs/{shared.blob.digest}", "GET")
        self.assertEqual(len(waiter_pulls), 1, f"{result!r}")
        self.assertGreater(waiter_pulls[0].time, refused, f"{result!r}")
        self.assertEqual(len(registry.requests(owner_shared, "GET")), 1, f"{result!r}")


class LayerContentLimits(HostileCase):
    """What one layer's tar may make regscan keep: a small gzip of repeated tar headers holds millions
    of entries; each entry regscan remembers (a whiteout, a file with a finding) is bounded."""

    LONG_WHITEOUT = "/".join(["d" * 250] * 15) + "/" + "e" * 200 + "/.wh.gone"  # 3,975 bytes

    def test_four_million_entries_fail_the_image_in_bounded_memory(self):
        layer = crafted.repeated_entry_layer(crafted.regular("srv/empty", b""), 4_000_001)
        self.assertLess(len(layer.blob.data), 16 * MiB)
        self.assertLayersFail("bomb/entries", [layer], "more than 4000000 entries")

    def test_whiteouts_taking_more_than_64_mib_fail_the_image_in_bounded_memory(self):
        # 20,000 whiteouts of 4,000-byte paths hold 80 MB, past the layer's 64 MiB.
        layer = crafted.repeated_entry_layer(crafted.regular(self.LONG_WHITEOUT, b""), 20_000)
        self.assertLayersFail("bomb/whiteouts", [layer], "take more than 64 MiB")

    def test_links_whose_targets_take_more_than_64_mib_fail_the_image(self):
        """A link at a path a cataloger reads is kept with its target: the target counts, not only the path."""
        target = "/".join(["t" * 250] * 16)
        links = [crafted.symlink(f"usr/lib/python3/dist-packages/p{i}.dist-info/METADATA", target)
                 for i in range(20_000)]
        self.assertLayersFail("bomb/links", [crafted.gzip_layer(crafted.tar(links))], "take more than 64 MiB")

    def test_layers_taking_more_than_256_mib_together_fail_the_image(self):
        # One layer holding 60 MB of whiteout paths (under its own 64 MiB), five times over: 300 MB.
        # Memory is not the point here (the layers' facts, and caching them, come before the image's bound).
        layer = crafted.repeated_entry_layer(crafted.regular(self.LONG_WHITEOUT, b""), 15_000)
        self.assertLayersFail("bomb/layers", [layer] * 5, "take more than 256 MiB", bounded=False)

    def test_package_databases_whose_records_take_more_than_64_mib_fail_the_image_in_bounded_memory(self):
        """A file is read whole up to 64 MiB, but what a cataloger makes of it multiplies: a dpkg status of
        a million minimal paragraphs took 1.1 GB, a lockfile of 700,000 entries 700 MB."""
        record = b"Package: p%07d\nStatus: install ok installed\nVersion: 1\n\n"
        status = b"".join(record % i for i in range((63 * MiB) // len(record % 0)))
        entries = ",".join(f'"node_modules/p{i}":{{"version":"1"}}' for i in range(700_000))
        lockfile = ('{"lockfileVersion":3,"packages":{' + entries + "}}").encode()
        for name, files in (("bomb/dpkg", {"var/lib/dpkg/status": status}),
                            ("bomb/npm", {"srv/app/package-lock.json": lockfile})):
            with self.subTest(name):
                path = "/" + next(iter(files))
                self.assertLayersFail(name, [crafted.files_layer(files)],
                                     f"{path}: what it holds takes more than 64 MiB in memory once read")

    def test_a_layer_lists_1000_files_with_findings_and_counts_the_rest(self):
        registry = self.registry()
        self.good_image(registry)
        setuid = [crafted.regular(f"usr/bin/suid-{i:04d}", b"#!/bin/sh\n", mode=0o4755) for i in range(1234)]
        layer = crafted.gzip_layer(crafted.tar(setuid))
        registry.push("many/setuid", "1", crafted.image([layer]))
        result = self.scan(registry)
        self.assertFinished(result, 0)
        [entry] = self.entries(result, registry.host, "many/setuid:1")
        listed = [m for m in entry["misconfigurations"] if m["id"] == "RS-FS-001"]
        self.assertEqual(len(listed), 1000, entry["misconfigurations"][:3])
        self.assertTrue(any(f"234 more files of layer {layer.blob.digest} have findings" in note
                            for note in entry["notes"]), entry["notes"])

    def test_a_later_entry_at_a_path_replaces_the_earlier_ones_findings(self):
        """As extraction does: a setuid file written over by a plain one leaves no finding; one setuid path
        repeated 30,000 times (120 MB of findings, were each kept) is one finding."""
        registry = self.registry()
        long_path = "/".join(["s" * 250] * 15) + "/tool"  # 3,770 bytes
        repeated = crafted.repeated_entry_layer(crafted.regular(long_path, b"", mode=0o4755), 30_000)
        script = b"#!/bin/sh\n"
        replaced = crafted.gzip_layer(crafted.tar([
            crafted.regular("usr/bin/tool", script, mode=0o4755), crafted.regular("usr/bin/tool", script, mode=0o755),
            crafted.regular("usr/bin/kept", script, mode=0o4755)]))
        registry.push("repeated/path", "1", crafted.image([repeated]))
        registry.push("replaced/setuid", "1", crafted.image([replaced]))
        result = self.scan(registry, timeout=300)
        self.assertFinished(result, 0)
        self.assertBoundedMemory(result)
        setuid = {}
        for name in ("repeated/path:1", "replaced/setuid:1"):
            [entry] = self.entries(result, registry.host, name)
            setuid[name] = [m["location"] for m in entry["misconfigurations"] if m["id"] == "RS-FS-001"]
        self.assertEqual(setuid, {"repeated/path:1": ["/" + long_path], "replaced/setuid:1": ["/usr/bin/kept"]})


class LayerDecoderMemory(HostileCase):
    """A compressed layer names the memory its decoder needs: xz's dictionary (up to 4 GiB), zstd's window.
    Filling a claimed dictionary takes only a small blob of zeros (measured before the bound: an xz layer of
    100 KB claiming 3 GiB held 843 MB while it inflated 800 MiB)."""

    DPKG = crafted.dpkg_status((b"xz-utils", b"5.4.1-1"))

    def test_an_xz_layer_claiming_a_3_gib_dictionary_fails_the_image_in_bounded_memory(self):
        size = 600 * MiB
        head = crafted.header(crafted.regular("srv/zeros", b"", size=size)[0])
        chunks = [head, *([b"\0" * MiB] * (size // MiB)), b"\0" * 1024]
        layer = crafted.xz_layer(chunks, dictionary_code=39)
        self.assertLess(len(layer.blob.data), MiB)
        self.assertLayersFail("bomb/xz", [layer], "xz stream needs more memory to decode than 128 MiB")

    def test_a_zstd_layer_naming_a_window_past_128_mib_fails_the_image(self):
        raw = crafted.tar({"var/lib/dpkg/status": self.DPKG})
        self.assertLayersFail("bomb/zstd", [crafted.zstd_layer(raw, window_log=30)],
                              "zstd stream needs a window larger than 128 MiB")

    def test_an_xz_layer_is_read_and_its_diff_id_checked(self):
        """xz is decoded before libarchive, so the tar's sha256 is checked against the config as gzip's is."""
        raw = crafted.tar({"var/lib/dpkg/status": self.DPKG, "etc/os-release": crafted.DEBIAN_OS_RELEASE})
        layer = crafted.xz_layer([raw[:1000], raw[1000:]])
        registry = self.registry()
        registry.push("xz/app", "1", crafted.image([layer]))
        registry.push("xz/app", "wrong", crafted.image([layer], diff_ids=[oci_layout.digest_of(b"another tar")]))
        result = self.scan(registry)
        self.assertFinished(result, 6)
        self.assertImageScanned(result, registry.host, "xz/app:1")
        [entry] = self.entries(result, registry.host, "xz/app:1")
        self.assertIn(("xz-utils", "5.4.1-1"), {(p["name"], p["version"]) for p in entry["packages"]}, entry)
        self.assertImageFailed(result, registry.host, "xz/app:wrong", "diff_id")


class TarReading(HostileCase):
    """A few bytes of tar that libarchive would read otherwise than a container runtime (Go's archive/tar),
    or that would make it work or allocate without end: each fails its image, with the reason, at once."""

    def test_a_pax_hard_link_carrying_data_fails_the_image(self):
        """libarchive skips a pax hard link's data; a runtime extracts it as entries: a status file hidden."""
        hidden = crafted.tar({"var/lib/dpkg/status": crafted.dpkg_status((b"hidden", b"1"))})[:-1024]
        raw = (crafted.tar({"etc/os-release": crafted.DEBIAN_OS_RELEASE})[:-1024]
               + crafted.pax_hardlink_with_data("etc/os-release-link", "etc/os-release", hidden) + b"\0" * 1024)
        # Python's tarfile reads a hard link as runtimes do: the hidden entry is there.
        self.assertIn("var/lib/dpkg/status", [m.name for m in tarfile.open(fileobj=io.BytesIO(raw))])
        self.assertLayersFail("tar/hardlink-data", [crafted.gzip_layer(raw)],
                            "hard link /etc/os-release-link carries 1024 bytes of data")

    def test_a_sparse_map_placing_data_past_the_entrys_size_fails_the_image_at_once(self):
        """The map puts one byte at 2^62: libarchive would stream zeros for the hole without end."""
        entry = crafted.pax_entry("etc/os-release", {"GNU.sparse.numblocks": "1", "GNU.sparse.size": "512",
                                                     "GNU.sparse.map": f"{1 << 62},1"}, b"x" * 512)
        self.assertLayersFail("tar/sparse-hole", [crafted.gzip_layer(entry + b"\0" * 1024)],
                            "/etc/os-release holds more than the 512 bytes its header says")

    def test_a_sparse_map_of_millions_of_blocks_fails_the_image_in_bounded_memory(self):
        """libarchive reads a GNU sparse 1.0 map as the entry's header, one allocation per 4 bytes of map:
        64 MiB of map (a 64 KB blob) held about 900 MB."""
        blocks = 16 * MiB
        sparse_map = b"%d\n" % blocks + b"0\n0\n" * blocks
        entry = crafted.pax_entry("srv/sparse", {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                                                 "GNU.sparse.name": "srv/sparse", "GNU.sparse.realsize": "0"},
                                  sparse_map)
        layer = crafted.gzip_layer(entry + b"\0" * 1024)
        self.assertLess(len(layer.blob.data), MiB)
        self.assertLayersFail("tar/sparse-map", [layer], "the tar headers of one entry take more than 4 MiB")

    def test_a_layer_compressed_otherwise_or_twice_fails_the_image(self):
        """gzip, zstd or xz, once: a chain is terabytes of work, or 25 zstd windows, in a small blob; libarchive's
        own decoders (bzip2 here) would see compressed bytes where the header bound counts tar bytes."""
        raw = crafted.tar({"etc/os-release": crafted.DEBIAN_OS_RELEASE})
        twice_bzip2 = crafted.Layer(bz2.compress(bz2.compress(raw)), crafted.digest_of(raw))
        self.assertLayersFail("tar/bzip2-twice", [twice_bzip2], "layer is not a readable tar stream")
        twice_gzip = crafted.Layer(gzip.compress(gzip.compress(raw, mtime=0), mtime=0), crafted.digest_of(raw))
        self.assertLayersFail("tar/gzip-twice", [twice_gzip], "layer is not a readable tar stream")


class ListingLimits(HostileCase):
    """Point 4: listings that never end, crawl, or loop."""

    def test_endless_catalog_keeps_the_first_max_repositories(self):
        registry = self.registry()
        prefix = "endless/r"

        def catalog(request):
            last = request.arg("last")
            page = int(last[len(prefix):len(prefix) + 6]) + 1 if last else 0
            names = [f"{prefix}{page:06d}-{i:03d}" for i in range(1000)]
            headers = dict(API_VERSION, Link=page_link("/v2/_catalog", {"n": 1000, "last": names[-1]}))
            return json_reply(200, {"repositories": names}, headers)

        registry.on("/v2/_catalog", catalog)
        tag_lists = re.compile(r"/v2/(.+)/tags/list")
        registry.on(tag_lists, lambda request: json_reply(
            200, {"name": tag_lists.fullmatch(request.route)[1], "tags": []}, API_VERSION))
        result = self.dry(registry, "--max-repositories=2500", timeout=180)
        self.assertFinished(result, 6)
        first = {f"{prefix}{page:06d}-{i:03d}" for page in range(3) for i in range(1000)}
        first = set(sorted(first)[:2500])
        listed = {tag_lists.fullmatch(s.route)[1] for s in registry.requests(method="GET")
                  if tag_lists.fullmatch(s.route)}
        self.assertEqual(len(listed), 2500, f"{len(listed)} repositories listed\n{result!r}")
        self.assertEqual(listed, first)
        self.assertTrue(any("repositories" in m.lower() for m in result.messages("error") + result.messages("warning")),
                        f"no error or warning says the repositories were cut\n{result!r}")
        # 2500 names are on the first 3 pages: reading on (to --max-listing-size) only costs
        # time and memory for names that are dropped
        self.assertLessEqual(len(registry.requests("/v2/_catalog")), 10, f"{result!r}")
        self.assertBoundedMemory(result)

    def test_endless_tag_pages_stop_at_max_listing_pages(self):
        registry = self.registry()
        self.good_image(registry)
        registry.tags["endless/tags"] = {}

        def tags(request):
            page = int(request.arg("page") or 0)
            headers = dict(API_VERSION, Link=page_link(request.route, {"n": 1000, "page": page + 1}))
            return json_reply(200, {"name": "endless/tags", "tags": [f"p{page}-{i}" for i in range(2)]}, headers)

        registry.on("/v2/endless/tags/tags/list", tags)
        result = self.dry(registry, "--max-listing-pages=20", "--denyList=endless/*", timeout=90)
        self.assertFinished(result, 6)
        asked = registry.requests("/v2/endless/tags/tags/list")
        self.assertLessEqual(len(asked), 20, f"{len(asked)} pages asked\n{result!r}")
        self.assertRepositoryFailed(result, "endless/tags", "pages")
        _, rows = result.rows(registry.host)
        self.assertIn((f"{registry.host}/good/app", "1.0", "2023-03-03T03:03:03Z", "false"), rows)

    def test_a_token_request_held_past_the_listing_timeout_cuts_the_listing(self):
        """The registry asks for a Bearer token on a tag listing and its token service holds the request:
        the core's token request ends at the listing's deadline, and the listing is cut there (reported as
        timed out), not failed as a refusal of the credentials."""
        registry = self.registry()
        self.good_image(registry)
        registry.push("slow/token", "1", crafted.image([crafted.files_layer({"etc/a": b"a"})]))
        tags = "/v2/slow/token/tags/list"
        challenge = (f'Bearer realm="{registry.url}/token",service="e2e",'
                     'scope="repository:slow/token:pull"')
        registry.on(tags, lambda request: error(401, "UNAUTHORIZED", "authentication required",
                                                {"WWW-Authenticate": challenge}))

        def held_token(request):
            registry.delay(300)  # held until the test ends
            return json_reply(200, {"token": "never-sent"})

        registry.on("/token", held_token)
        result = self.dry(registry, "--listing-timeout=3s", timeout=90)
        self.assertFinished(result, 6)
        self.assertLess(result.elapsed, 30, f"{result!r}")
        self.assertEqual(len(registry.requests("/token")), 1, f"{result!r}")
        self.assertRepositoryFailed(result, "slow/token", "--listing-timeout")
        _, rows = result.rows(registry.host)
        self.assertIn((f"{registry.host}/good/app", "1.0", "2023-03-03T03:03:03Z", "false"), rows)

    def test_tags_list_one_byte_a_second_hits_the_listing_timeout(self):
        registry = self.registry()
        self.good_image(registry)
        registry.tags["slow/tags"] = {}
        body = json.dumps({"name": "slow/tags", "tags": ["1", "2", "3", "4", "5", "6"]}).encode()
        registry.on("/v2/slow/tags/tags/list", lambda request: StreamReply(
            200, trickle(body, 1.0, registry.closing), dict(API_VERSION, **{"Content-Type": "application/json"}),
            length=len(body)))
        result = self.dry(registry, "--listing-timeout=3s", timeout=90)
        self.assertFinished(result, 6)
        self.assertLess(result.elapsed, 30, f"{result!r}")
        self.assertRepositoryFailed(result, "slow/tags", "timed out")
        self.assertEqual(len(registry.requests("/v2/slow/tags/tags/list")), 1, f"{result!r}")
        _, rows = result.rows(registry.host)
        self.assertIn((f"{registry.host}/good/app", "1.0", "2023-03-03T03:03:03Z", "false"), rows)
        self.assertFalse([row for row in rows if row[0].endswith("/slow/tags")], f"{result!r}")

    def test_link_back_to_a_seen_page_lists_each_tag_once(self):
        registry = self.registry()
        created = {"a": "2020-01-01T00:00:00Z", "b": "2020-02-01T00:00:00Z",
                   "c": "2020-03-01T00:00:00Z", "d": "2020-04-01T00:00:00Z"}
        for tag, time in created.items():
            registry.push("loop/app", tag, crafted.image([crafted.files_layer({"etc/tag": tag.encode()})],
                                                         created=time))
        orders = iter([("last", "n"), ("n", "last")] * 50)

        def tags(request):
            if request.arg("last") is None:
                page, last = ["a", "b"], "b"
            else:  # the second page, whatever order its query is in; it links to itself reordered
                page, last = ["c", "d"], "b"
            query = {key: {"last": last, "n": 1000}[key] for key in next(orders)}
            return json_reply(200, {"name": "loop/app", "tags": page}, dict(API_VERSION, Link=page_link(
                request.route, query)))

        registry.on("/v2/loop/app/tags/list", tags)
        result = self.dry(registry, timeout=90)
        self.assertFinished(result, 0, 6)
        _, rows = result.rows(registry.host)
        self.assertEqual(sorted(rows), [(f"{registry.host}/loop/app", tag, time, "false")
                                        for tag, time in sorted(created.items())], f"{result!r}")
        self.assertLessEqual(len(registry.requests("/v2/loop/app/tags/list")), 10)

    def test_slow_catalog_hits_the_discovery_timeout(self):
        registry = self.registry()
        prefix = "crawl/r"

        def catalog(request):
            last = request.arg("last")
            page = int(last[len(prefix):len(prefix) + 6]) + 1 if last else 0
            if page:
                registry.delay(1.0)
            names = [f"{prefix}{page:06d}-{i}" for i in range(3)]
            return json_reply(200, {"repositories": names}, dict(
                API_VERSION, Link=page_link("/v2/_catalog", {"n": 1000, "last": names[-1]})))

        registry.on("/v2/_catalog", catalog)
        result = self.dry(registry, "--discovery-timeout=3s", timeout=90)
        self.assertFinished(result, 6)
        self.assertLess(result.elapsed, 30, f"{result!r}")
        self.assertLessEqual(len(registry.requests("/v2/_catalog")), 10, f"{result!r}")
        self.assertTrue(any("timed out" in m.lower() for m in result.messages("error")), f"{result!r}")


if __name__ == "__main__":
    unittest.main()
