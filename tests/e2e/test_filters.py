"""--allowList / --denyList / --max-images against a real registry (docs/cli.md "Filters").

Each expected set below is written out by hand from the pattern table in
docs/cli.md; the rows themselves come from what setUpClass pushed.
"""
import os
import re
import tempfile
import unittest

from harness import case, content, oci_layout as oci, push, registry

TAGS = {
    "foo": ["1.0", "bar", "v1.2.3", "v1x2x3"],   # v1x2x3: a dot is not "any character"
    "foofoo": ["bar"],
    "xfoo": ["bar"],
    "foo/bar": ["1.0", "bar", "baz"],
    "team/foo": ["bar", "baz"],
    "team/x/foo": ["bar"],
    "team/foox": ["bar"],
    "foo/x/bar": ["baz", "qux"],
    "foo/x/y/bar": ["baz"],
    "a/foo/b": ["1"],
    "x/y/foo/z/w": ["1"],
    "foo/z": ["1"],
    "tools/jq": ["1.7"],
    "tools/yq": ["4.0"],
}
ALL = sorted((repo, tag) for repo, tags in TAGS.items() for tag in tags)
FOO = {("foo", t) for t in TAGS["foo"]}
TOOLS = {("tools/jq", "1.7"), ("tools/yq", "4.0")}

# pattern -> the (repository, tag) pairs it matches
EXAMPLES = {
    "*": set(ALL),
    "foo:*": FOO,
    "foo": FOO,
    "*:bar": {(r, "bar") for r in ("foo", "foofoo", "xfoo", "foo/bar", "team/foo",
                                   "team/x/foo", "team/foox")},
    "*/foo:bar": {("team/foo", "bar"), ("team/x/foo", "bar")},
    "foo/*/bar:baz": {("foo/x/bar", "baz"), ("foo/x/y/bar", "baz")},
    "*/foo/*:*": {("a/foo/b", "1"), ("x/y/foo/z/w", "1")},
    "foo:v1.2.3": {("foo", "v1.2.3")},
    "*:1.0": {("foo", "1.0"), ("foo/bar", "1.0")},
    "tools/*": TOOLS,
}


class Filters(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.registry = registry.Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.host = cls.registry.host
        cls.inventory = content.Inventory(cls.host)
        images = {}
        for i, (repo, tag) in enumerate(ALL):
            created = f"2020-01-{1 + i:02d}T{i % 24:02d}:00:00Z"
            images[f"{repo}:{tag}"] = oci.image(created, files={"id": f"{repo}:{tag}".encode()})
            cls.inventory.add(repo, tag, {"": created})
        push.skopeo_push(cls.registry, images)

    def check(self, result, kept, reason):
        """Rows with exactly `kept` scanned, the rest skipped, each skip logged with a
        reason matching `reason` (a regex, or a function of (repo, tag) giving one)."""
        skipped = set(ALL) - set(kept)
        self.assertInventory(result, self.host, self.inventory.rows(skipped=skipped))
        for repo, tag in sorted(skipped):
            expected = reason((repo, tag)) if callable(reason) else reason
            self.assertLogged(result, r"^Skipping image image=" + re.escape(f"{self.host}/{repo}:{tag}")
                              + r" reason=.*" + expected, "info")
        messages = result.messages()
        for repo, tag in sorted(kept):
            image = f"image={self.host}/{repo}:{tag}"
            self.assertFalse([m for m in messages if m.startswith(f"Skipping image {image} ")],
                             f"{repo}:{tag} must be scanned\n{result!r}")

    def test_allow_list_examples(self):
        for pattern, matched in EXAMPLES.items():
            with self.subTest(allowList=pattern):
                result = self.dry_run(self.registry.url, f"--allowList={pattern}")
                self.check(result, matched, "allowList")

    def test_deny_list_examples(self):
        for pattern, matched in EXAMPLES.items():
            if pattern == "*":
                continue
            with self.subTest(denyList=pattern):
                result = self.dry_run(self.registry.url, f"--denyList={pattern}")
                self.check(result, set(ALL) - matched, "denyList")

    def test_deny_reason_names_the_pattern(self):
        result = self.dry_run(self.registry.url, "--denyList=tools/*")
        self.assertLogged(result, r"^Skipping image image=" + re.escape(f"{self.host}/tools/jq:1.7")
                          + r" reason=matches denyList pattern 'tools/\*(:\*)?'$", "info")

    def test_deny_wins_over_allow(self):
        result = self.dry_run(self.registry.url, "--allowList=foo", "--denyList=foo:bar")
        self.check(result, FOO - {("foo", "bar")},
                   lambda key: "denyList" if key == ("foo", "bar") else "allowList")
        result = self.dry_run(self.registry.url, "--allowList=*", "--denyList=*")
        self.check(result, set(), "denyList")

    def test_comma_separated_lists(self):
        result = self.dry_run(self.registry.url, "--allowList=foo,tools/*")
        self.check(result, FOO | TOOLS, "allowList")
        result = self.dry_run(self.registry.url, "--denyList=foo,*:bar")
        self.check(result, set(ALL) - FOO - EXAMPLES["*:bar"], "denyList")

    def test_repeated_flags(self):
        result = self.dry_run(self.registry.url, "--allowList=foo", "--allowList=tools/*")
        self.check(result, FOO | TOOLS, "allowList")
        result = self.dry_run(self.registry.url, "--denyList", "foo", "--denyList", "*:bar")
        self.check(result, set(ALL) - FOO - EXAMPLES["*:bar"], "denyList")

    def test_patterns_with_registry_host_and_port(self):
        for pattern in ("foo", "foo/*/bar:baz", "*/foo:bar", "tools/*"):
            with self.subTest(allowList=f"{self.host}/{pattern}"):
                result = self.dry_run(self.registry.url, f"--allowList={self.host}/{pattern}")
                self.check(result, EXAMPLES[pattern], "allowList")
        result = self.dry_run(self.registry.url, f"--denyList={self.host}/tools/*")
        self.check(result, set(ALL) - TOOLS, "denyList")

    def test_max_images_keeps_first_in_repository_tag_order(self):
        result = self.dry_run(self.registry.url, "--max-images=3")
        self.check(result, set(ALL[:3]), "max-images")

    def test_max_images_counts_only_images_that_pass_the_filters(self):
        # "--max-images N: scan at most N images": denied images are not scanned,
        # so they do not use up the budget.
        result = self.dry_run(self.registry.url, "--denyList=a/*", "--max-images=2")
        allowed = [key for key in ALL if key[0] != "a/foo/b"]
        self.assertInventory(result, self.host,
                             self.inventory.rows(skipped=set(ALL) - set(allowed[:2])))
        self.assertLogged(result, r"^Skipping image image=" + re.escape(f"{self.host}/a/foo/b:1")
                          + r" reason=.*denyList", "info")
        self.assertLogged(result, r"^Skipping image image=" + re.escape(
            f"{self.host}/{allowed[2][0]}:{allowed[2][1]}") + r" reason=.*max-images", "info")

    def test_max_images_larger_than_inventory(self):
        result = self.dry_run(self.registry.url, f"--max-images={len(ALL) + 5}")
        self.assertInventory(result, self.host, self.inventory.rows())

    def test_filters_from_config_file_and_command_line_wins(self):
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-config-") as directory:
            config = os.path.join(directory, "regscan.conf")
            with open(config, "w") as f:
                f.write("# filters for the e2e test\nmode = dry-run\ndenyList = tools/*\n")
            result = self.regscan("registry", self.registry.url, f"--config={config}")
            self.check(result, set(ALL) - TOOLS, "denyList")
            result = self.regscan("registry", self.registry.url, f"--config={config}",
                                  "--denyList=foo")
            self.check(result, set(ALL) - FOO, "denyList")


if __name__ == "__main__":
    unittest.main()
