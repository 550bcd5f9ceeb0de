"""Dry-run inventory of a plain-HTTP distribution registry (docs/cli.md, issue 2).

Pushed: OCI images with created times in UTC, with fractions and offsets; a Docker
schema2 image; an OCI index and a Docker manifest list with one created time per
platform; non-image artifacts (Helm chart, OCI 1.1 SBOM, cosign signatures in the
tag-scheme and OCI 1.1 forms); nested repositories
and dotted tags. Every expected row is derived from those pushes.
"""
import os
import re
import tempfile
import unittest

from harness import case, content, oci_layout as oci, push, registry, run as runner

AMD64 = {"os": "linux", "architecture": "amd64"}
ARM64 = {"os": "linux", "architecture": "arm64"}
ARMV7 = {"os": "linux", "architecture": "arm", "variant": "v7"}

SINGLE = {
    ("team/app", "1.0"): "2019-01-01T01:29:27Z",
    ("team/app", "1.1"): "2020-05-06T10:11:12.123456789+02:00",
    ("a/b/c", "v1.2.3"): "2020-12-31T23:30:00-01:00",   # crosses into 2021 in UTC
    ("tools/jq", "1.7"): "2023-08-09T10:11:12.000001Z",
}
# Index entries in this order: the newest is in the middle, so "all" cannot be
# confused with "first" or "last".
MULTI = {
    "linux/amd64": "2021-03-04T05:06:07Z",
    "linux/arm/v7": "2023-01-02T03:04:05.5-05:30",
    "linux/arm64": "2022-07-08T09:10:11+00:00",
}
DOCKER_MULTI = {"linux/amd64": "2017-05-06T07:08:09Z", "linux/arm64": "2018-05-06T07:08:09Z"}
DOCKER_SINGLE = "2016-01-02T03:04:05.999999999-08:00"


def build(reg):
    inventory = content.Inventory(reg.host)
    images = {f"{repo}:{tag}": oci.image(created) for (repo, tag), created in SINGLE.items()}
    for (repo, tag), created in SINGLE.items():
        inventory.add(repo, tag, {"": created})
    platforms = {"linux/amd64": AMD64, "linux/arm/v7": ARMV7, "linux/arm64": ARM64}
    images["multi:latest"] = oci.index([
        (oci.image(MULTI[p], os_name=d["os"], arch=d["architecture"], variant=d.get("variant")), d)
        for p, d in platforms.items()])
    inventory.add("multi", "latest", dict(MULTI))
    images["charts/demo:0.1.0"] = oci.helm_chart()
    inventory.add("charts/demo", "0.1.0", None)
    images["sboms/app:sbom"] = oci.sbom_artifact()
    inventory.add("sboms/app", "sbom", None)
    # Signatures beside the image they sign, under cosign's tag scheme.
    signed = images["team/app:1.0"].digest
    cosign_tag = signed.replace(":", "-") + ".sig"
    images[f"team/app:{cosign_tag}"] = oci.cosign_signature(signed)
    inventory.add("team/app", cosign_tag, None)
    images["team/app:sig-oci11"] = oci.cosign_oci11_signature()
    inventory.add("team/app", "sig-oci11", None)
    push.skopeo_push(reg, images)

    api = push.ApiPusher(reg)
    api.push("docker/app", "2.0", oci.docker_image(DOCKER_SINGLE))
    inventory.add("docker/app", "2.0", {"": DOCKER_SINGLE})
    api.push("docker/multi", "1", oci.docker_manifest_list([
        (oci.docker_image(DOCKER_MULTI["linux/amd64"], arch="amd64"), AMD64),
        (oci.docker_image(DOCKER_MULTI["linux/arm64"], arch="arm64"), ARM64)]))
    inventory.add("docker/multi", "1", dict(DOCKER_MULTI))
    api.close()
    return inventory


class DryRunInventory(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.registry = registry.Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.inventory = build(cls.registry)
        cls.host = cls.registry.host
        cls.default = runner.run("registry", cls.registry.url, "--mode=dry-run")

    def test_report_rows_and_summary(self):
        self.assertInventory(self.default, self.host, self.inventory.rows())

    def test_report_file_name_and_nothing_else_written(self):
        port = self.registry.port
        self.assertEqual(runner.report_name(self.host), f"127-0-0-1-{port}-report.csv")
        self.assertEqual(self.default.output_files(), [f"127-0-0-1-{port}-report.csv"])

    def test_build_times_in_utc_to_the_second(self):
        _, rows = self.default.rows(self.host)
        times = {(r[0], r[1]): r[2] for r in rows}
        # Written out once by hand, as a check on content.utc_second itself.
        self.assertEqual(times[(f"{self.host}/team/app", "1.1")], "2020-05-06T08:11:12Z")
        self.assertEqual(times[(f"{self.host}/a/b/c", "v1.2.3")], "2021-01-01T00:30:00Z")
        self.assertEqual(times[(f"{self.host}/docker/app", "2.0")], "2016-01-02T11:04:05Z")
        for value in times.values():
            self.assertRegex(value, r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)?$")

    def test_log_lines(self):
        result = self.default
        self.assertLogFormat(result)
        messages = result.messages("info")
        identified = messages.index("Identified registry as: DEFAULT_V2")
        beginning = messages.index(f"Beginning discovery of registry: {self.registry.url}")
        self.assertLess(identified, beginning)
        for repo, tag in self.inventory.keys():
            image = f"image={self.host}/{repo}:{tag}"
            if self.inventory.entries[(repo, tag)].created is None:
                self.assertLogged(result, r"^Skipping image " + re.escape(image) + r" reason=\S", "info")
                self.assertNotIn(f"Fetched image discovery details {image}", messages)
            else:
                self.assertIn(f"Fetched image discovery details {image}", messages)

    def test_summary_on_stdout_only(self):
        self.assertIn("Registry Summary:", self.default.stdout)
        self.assertNotIn("Registry Summary:", self.default.stderr)
        for line in self.default.stdout.splitlines():
            self.assertNotRegex(line, runner.LOG_LINE, "log line on stdout")

    def test_platform_arm64(self):
        result = self.dry_run(self.registry.url, "--platform=linux/arm64")
        # --platform given: the single-platform amd64 images do not match and are skipped
        # with their build time and the reason (issue 12), the indexes give their arm64 entry.
        amd64_singles = [*SINGLE, ("docker/app", "2.0")]
        self.assertInventory(result, self.host,
                             self.inventory.rows(skipped=amd64_singles, platform="linux/arm64"))
        for repo, tag in amd64_singles:
            self.assertIn(f"image={self.host}/{repo}:{tag} reason=single-platform image for linux/amd64 does not "
                          "match the requested platform linux/arm64", result.stderr)

    def test_platform_with_variant(self):
        # Only the OCI index has a linux/arm/v7 entry, so the others are filtered out.
        result = self.dry_run(self.registry.url, "--platform=linux/arm/v7", "--allowList=multi")
        others = [key for key in self.inventory.keys() if key != ("multi", "latest")]
        # filtered out, yet with their build time where they have the platform
        rows = self.inventory.rows(skipped=others, platform="linux/arm/v7")
        self.assertIn((f"{self.host}/multi", "latest", content.utc_second(MULTI["linux/arm/v7"]),
                       "false"), rows)
        self.assertInventory(result, self.host, rows)

    def test_skipped_rows_carry_their_build_time(self):
        # As the tool regscan replaces: `test.azurecr.io/example/hello-world,latest,2019-01-01T01:29:27Z,true`
        result = self.dry_run(self.registry.url, "--denyList=team/app:1.1,docker/*")
        _, rows = result.rows(self.host)
        by_key = {(row[0], row[1]): row for row in rows}
        self.assertEqual(by_key[(f"{self.host}/team/app", "1.1")],
                         (f"{self.host}/team/app", "1.1", content.utc_second(SINGLE[("team/app", "1.1")]), "true"))
        self.assertEqual(by_key[(f"{self.host}/docker/multi", "1")],
                         (f"{self.host}/docker/multi", "1", content.utc_second(DOCKER_MULTI["linux/amd64"]), "true"))
        denied = {("team/app", "1.1"), ("docker/app", "2.0"), ("docker/multi", "1")}
        self.assertInventory(result, self.host, self.inventory.rows(skipped=denied))
        # read, yet still skipped: not logged as fetched
        fetched = [m for m in result.messages("info") if m.startswith("Fetched image discovery details")]
        self.assertTrue(fetched, f"{result!r}")
        self.assertFalse([m for m in fetched if "team/app:1.1" in m or "/docker/" in m], f"{result!r}")

    def test_platform_all_picks_newest(self):
        result = self.dry_run(self.registry.url, "--platform=all")
        rows = self.inventory.rows(platform="all")
        self.assertIn((f"{self.host}/multi", "latest", content.utc_second(MULTI["linux/arm/v7"]),
                       "false"), rows)
        self.assertInventory(result, self.host, rows)

    def test_default_output_dir_is_working_directory(self):
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-cwd-") as cwd:
            result = self.dry_run(self.registry.url, cwd=cwd, output_dir=False)
            self.assertExit(result, 0)
            name = runner.report_name(self.host)
            self.assertEqual(sorted(os.listdir(cwd)), [name])
            self.assertEqual(result.rows(self.host)[1], self.inventory.rows())
            self.assertIn(result.summary().get("Inventory report"), (f"./{name}", name))

    def test_sequential_run_gives_same_report(self):
        result = self.dry_run(self.registry.url, "--concurrency=1")
        self.assertInventory(result, self.host, self.inventory.rows())

    def test_trailing_slash_in_url(self):
        result = self.dry_run(self.registry.url + "/")
        self.assertExit(result, 0)
        self.assertEqual(result.rows(self.host)[1], self.inventory.rows())

    def test_log_level_error_keeps_quiet_but_writes_report(self):
        result = self.dry_run(self.registry.url, "--log-level=error")
        self.assertExit(result, 0)
        self.assertEqual(result.stderr, "")
        self.assertEqual(result.rows(self.host)[1], self.inventory.rows())


if __name__ == "__main__":
    unittest.main()
