"""The command line itself: help, version, bad arguments, plugin discovery (docs/cli.md).

Plugin directories: an empty REGSCAN_PLUGIN_PATH entry, a directory holding a
corrupt .so, a foreign .so (libz) and a plugin built for another SDK major
version (tests/fixtures/plugins/wrong_major.cpp): each bad file is listed as
refused with a reason, and the real plugins still load and work.
"""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import case, content, net, oci_layout as oci, push, registry

SOURCE_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CREATED = "2019-01-01T01:29:27Z"


def documented_options():
    """Every --option in the option table of docs/cli.md."""
    with open(os.path.join(SOURCE_DIR, "docs", "cli.md")) as f:
        rows = [line for line in f if line.startswith("| `--")]
    return sorted({option for row in rows for option in re.findall(r"--[A-Za-z][A-Za-z-]*",
                                                                      row.split("|")[1])})


def project_version():
    with open(os.path.join(SOURCE_DIR, "CMakeLists.txt")) as f:
        return re.search(r"project\(regscan VERSION ([0-9.]+)", f.read()).group(1)


def build_dir():
    path = os.environ.get("REGSCAN_BUILD_DIR")
    if not path:
        raise AssertionError("REGSCAN_BUILD_DIR is not set")
    return path


def installed_plugins():
    directory = os.path.join(build_dir(), "lib", "regscan", "plugins")
    return sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".so"))


def find_libz():
    for candidate in ("/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1",
                      "/usr/lib/aarch64-linux-gnu/libz.so.1", "/usr/lib/libz.so.1"):
        if os.path.exists(candidate):
            return candidate
    raise AssertionError("no libz.so.1 to use as a foreign shared library")


class CommandLine(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.registry = registry.Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        push.skopeo_push(cls.registry, {"app/web:1.0": oci.image(CREATED),
                                        "app/web:1.1": oci.image("2020-01-01T00:00:00Z")})
        cls.inventory = content.Inventory(cls.registry.host)
        cls.inventory.add("app/web", "1.0", {"": CREATED})
        cls.inventory.add("app/web", "1.1", {"": "2020-01-01T00:00:00Z"})
        cls.closed = net.ClosedPort()
        cls.addClassCleanup(cls.closed.close)
        cls.scratch = tempfile.TemporaryDirectory(prefix="regscan-e2e-plugins-")
        cls.addClassCleanup(cls.scratch.cleanup)
        cls.empty_dir = os.path.join(cls.scratch.name, "empty")
        os.mkdir(cls.empty_dir, 0o755)
        cls.bad_dir = os.path.join(cls.scratch.name, "bad")
        os.mkdir(cls.bad_dir, 0o755)
        cls.corrupt = os.path.join(cls.bad_dir, "corrupt.so")
        with open(cls.corrupt, "wb") as f:
            f.write(b"\x7fELF" + os.urandom(4092))
        cls.foreign = os.path.join(cls.bad_dir, "foo.so")
        shutil.copyfile(find_libz(), cls.foreign)
        fixture = os.path.join(build_dir(), "test-plugins", "wrong_major", "libwrong_major.so")
        if not os.path.exists(fixture):
            raise AssertionError(f"fixture plugin not built: {fixture}")
        cls.wrong_major = os.path.join(cls.bad_dir, "libwrong_major.so")
        shutil.copyfile(fixture, cls.wrong_major)
        cls.bad_files = (cls.corrupt, cls.foreign, cls.wrong_major)

    # help and version ------------------------------------------------------

    def test_help(self):
        result = self.regscan("--help", output_dir=False)
        self.assertExit(result, 0)
        self.assertIn("registry", result.stdout)
        self.assertIn("plugins", result.stdout)

    def test_registry_help_mentions_every_documented_option(self):
        options = documented_options()
        self.assertGreaterEqual(len(options), 18, options)  # the doc table was read
        result = self.regscan("registry", "--help", output_dir=False)
        self.assertExit(result, 0)
        missing = [o for o in options if not re.search(re.escape(o) + r"\b", result.stdout)]
        self.assertEqual(missing, [], f"options missing from 'registry --help'\n{result!r}")

    def test_version(self):
        result = self.regscan("--version", output_dir=False)
        self.assertExit(result, 0)
        self.assertIn(project_version(), result.stdout)

    # bad arguments -----------------------------------------------------------

    def test_bad_arguments_exit_2(self):
        url = f"http://{net.LOOPBACK}:{self.closed.port}"  # a wrongly accepted run exits 3
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-config-") as directory:
            bad_config = os.path.join(directory, "bad.conf")
            with open(bad_config, "w") as f:
                f.write("mode = dry-run\nno-such-option = 1\n")
            cases = {
                "unknown command": (["frobnicate"], "frobnicate"),
                "missing url": (["registry", "--mode=dry-run"], "url"),
                "unknown option": (["registry", url, "--mode=dry-run", "--bogus"], "--bogus"),
                "bad mode": (["registry", url, "--mode=bogus"], ("bogus", "--mode")),
                "bad number": (["registry", url, "--mode=dry-run", "--max-images=abc"], ("abc", "--max-images")),
                "bad concurrency": (["registry", url, "--mode=dry-run", "--concurrency=many"], ("many", "--concurrency")),
                "bad log level": (["registry", url, "--mode=dry-run", "--log-level=loud"], ("loud", "--log-level")),
                "missing config": (["registry", url, "--mode=dry-run",
                                    f"--config={directory}/absent.conf"], "absent.conf"),
                "unknown config key": (["registry", url, f"--config={bad_config}"], "no-such-option"),
            }
            for name, (args, mentioned) in cases.items():
                with self.subTest(name):
                    result = self.regscan(*args, output_dir=False)
                    self.assertExit(result, 2)
                    # The message names the offending option or value.
                    alternatives = mentioned if isinstance(mentioned, tuple) else (mentioned,)
                    self.assertTrue(any(a.lower() in result.stderr.lower() for a in alternatives),
                                    f"stderr names none of {alternatives}\n{result!r}")

    # plugins -----------------------------------------------------------------

    def plugin_lines(self, result, path):
        return [line for line in (result.stdout + result.stderr).splitlines() if path in line]

    def assertInstalledPluginsListed(self, result):
        self.assertExit(result, 0)
        for path in installed_plugins():
            self.assertTrue(self.plugin_lines(result, path), f"{path} not listed\n{result!r}")
        v2 = os.path.join(build_dir(), "lib", "regscan", "plugins", "libregscan-v2.so")
        line = " ".join(self.plugin_lines(result, v2))
        self.assertIn("DEFAULT_V2", line)
        self.assertRegex(line, r"\bv2\b")

    def test_plugins_lists_the_installed_plugins(self):
        self.assertInstalledPluginsListed(self.regscan("plugins", output_dir=False))

    def test_empty_plugin_directory(self):
        env = {"REGSCAN_PLUGIN_PATH": self.empty_dir}
        self.assertInstalledPluginsListed(self.regscan("plugins", env=env, output_dir=False))
        result = self.dry_run(self.registry.url, env=env)
        self.assertInventory(result, self.registry.host, self.inventory.rows())

    def test_bad_plugins_are_refused_with_a_reason(self):
        env = {"REGSCAN_PLUGIN_PATH": f"{self.empty_dir}:{self.bad_dir}"}
        result = self.regscan("plugins", env=env, output_dir=False)
        self.assertInstalledPluginsListed(result)
        for path in self.bad_files:
            lines = self.plugin_lines(result, path)
            self.assertEqual(len(lines), 1, f"{path}\n{result!r}")
            self.assertGreater(len(lines[0].replace(path, "").strip(" :-")), 5,
                               f"no reason given for {path}\n{result!r}")
        self.assertRegex(self.plugin_lines(result, self.wrong_major)[0], r"(?i)sdk|abi|major")

    def test_plugin_file_names_are_escaped_in_the_listing(self):
        """`regscan plugins` writes for a terminal: a refused file whose name
        holds control characters is shown escaped, on one line."""
        hostile = os.path.join(self.scratch.name, "hostile")
        os.mkdir(hostile, 0o755)
        with open(os.path.join(hostile, "evil\x1b]0;owned\x07\nforged.so"), "wb") as f:
            f.write(b"\x7fELF" + os.urandom(1020))
        result = self.regscan("plugins", env={"REGSCAN_PLUGIN_PATH": hostile}, output_dir=False)
        self.assertExit(result, 0)
        for byte in ("\x1b", "\x07"):
            self.assertNotIn(byte, result.stdout)
        self.assertIn("  " + os.path.join(hostile, "evil\\e]0;owned\\x07\\nforged.so") + ": ", result.stdout)

    def test_dry_run_works_despite_bad_plugins(self):
        for how, kwargs, args in (
                ("REGSCAN_PLUGIN_PATH", {"env": {"REGSCAN_PLUGIN_PATH": self.bad_dir}}, ()),
                ("--plugin-dir", {}, (f"--plugin-dir={self.bad_dir}",))):
            with self.subTest(how):
                result = self.dry_run(self.registry.url, *args, **kwargs)
                self.assertInventory(result, self.registry.host, self.inventory.rows())

    def test_plugin_path_searched_before_install_directory(self):
        first = os.path.join(self.scratch.name, "first")
        os.makedirs(first, 0o755, exist_ok=True)
        copy = os.path.join(first, "libregscan-v2.so")
        shutil.copyfile(os.path.join(build_dir(), "lib", "regscan", "plugins", "libregscan-v2.so"), copy)
        result = self.regscan("plugins", env={"REGSCAN_PLUGIN_PATH": first}, output_dir=False)
        self.assertExit(result, 0)
        loaded = [line for line in result.stdout.splitlines() if "DEFAULT_V2" in line]
        self.assertEqual(len(loaded), 1, f"{result!r}")
        self.assertIn(copy, loaded[0])

    def test_forced_type(self):
        result = self.dry_run(self.registry.url, "--type=DEFAULT_V2")
        self.assertInventory(result, self.registry.host, self.inventory.rows())
        result = self.dry_run(self.registry.url, "--type=NO_SUCH_TYPE")
        self.assertExit(result, 5)

    # plugin errors and plugin options (issue 9) --------------------------------

    def fixture_dir(self, fixture, name):
        """A 0755 directory holding only the fixture plugin `fixture`, copied as `name`."""
        source = os.path.join(build_dir(), "test-plugins", fixture, f"lib{fixture}.so")
        if not os.path.exists(source):
            raise AssertionError(f"fixture plugin not built: {source}")
        directory = tempfile.mkdtemp(prefix=f"{fixture}-", dir=self.scratch.name)
        os.chmod(directory, 0o755)
        path = os.path.join(directory, name)
        shutil.copyfile(source, path)
        return directory, path

    def test_refused_plugins_option_says_the_plugin_was_refused_and_why(self):
        directory, path = self.fixture_dir("wrong_major", "libregscan-gitlab.so")
        url = f"http://{net.LOOPBACK}:{self.closed.port}"
        result = self.regscan("registry", url, "--mode=dry-run", f"--plugin-dir={directory}",
                              "--gitlab-group=team", output_dir=False)
        self.assertExit(result, 2)
        self.assertIn("--gitlab-group", result.stderr)
        self.assertIn(f"the plugin file {path} (", result.stderr)
        self.assertRegex(result.stderr, r"was refused, so its options are not available")
        self.assertRegex(result.stderr, r"SDK 2\.0")  # the reason
        # without a refused plugin the message is unchanged
        result = self.regscan("registry", url, "--mode=dry-run", "--gitlab-group=team", output_dir=False)
        self.assertExit(result, 2)
        self.assertNotIn("refused", result.stderr)

    def test_another_plugins_option_is_an_error(self):
        # the registry is identified as DEFAULT_V2: --harbor-project would be ignored
        result = self.dry_run(self.registry.url, "--harbor-project=library")
        self.assertExit(result, 2)
        self.assertLogged(result, r"--harbor-project is an option of the harbor plugin, but the registry was "
                                  r"identified as DEFAULT_V2, handled by the v2 plugin.*--type HARBOR", "error")
        self.assertFalse(os.path.exists(result.report_path(self.registry.host)), f"{result!r}")
        # forced onto another plugin, and from the config file
        result = self.dry_run(self.registry.url, "--type=DEFAULT_V2", "--harbor-project=library")
        self.assertExit(result, 2)
        self.assertLogged(result, r"--harbor-project is an option of the harbor plugin, but --type DEFAULT_V2 "
                                  r"chose the v2 plugin", "error")
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-config-") as directory:
            config = os.path.join(directory, "config")
            with open(config, "w") as f:
                f.write("nexus-repository = docker-hosted\n")
            result = self.dry_run(self.registry.url, f"--config={config}")
            self.assertExit(result, 2)
            self.assertLogged(result, r"--nexus-repository is an option of the nexus plugin", "error")

    def test_an_image_without_a_registry_is_read_as_docker_does_and_other_schemes_are_refused_at_once(self):
        # alpine:3.19 is docker.io/library/alpine:3.19, pulled from registry-1.docker.io (sent to a closed
        # loopback port here: no network is used)
        hub = self.regscan("image", "alpine:3.19", "--resolve", "registry-1.docker.io:443:127.0.0.1",
                           "--retries=0", "--no-progress", output_dir=False)
        self.assertExit(hub, 3)
        self.assertLogged(hub, r"^cannot reach registry https://registry-1\.docker\.io: ", "error")
        for command in (["image", "ftp://127.0.0.1/team/app:1"], ["registry", "ftp://127.0.0.1"]):
            refused = self.regscan(*command, "--no-progress", output_dir=False)
            self.assertExit(refused, 2)
            self.assertLogged(refused, r"^unsupported URL scheme 'ftp': a registry is reached over https:// "
                                       r"\(or http://\)$", "error")
            self.assertFalse([m for m in refused.messages() if "retry" in m])
        # https:// to a registry that speaks plain HTTP: a hint, not only OpenSSL's words
        plain = self.dry_run(self.registry.url.replace("http://", "https://"), "--retries=0")
        self.assertExit(plain, 3)
        self.assertLogged(plain, r"wrong version number; the server seems to speak plain HTTP: if you trust this "
                                 r"network, use http://" + re.escape(self.registry.host) + "$", "error")

    def test_typos_get_a_suggestion_version_is_a_command_and_quiet_keeps_only_errors(self):
        command = self.regscan("registy", self.registry.url, output_dir=False)
        self.assertExit(command, 2)
        self.assertLogged(command, r"^unknown command 'registy'; did you mean registry\?", "error")
        flag = self.dry_run(self.registry.url, "--alowList=team/*")
        self.assertExit(flag, 2)
        self.assertLogged(flag, r"unrecognised option '--alowList=team/\*'; did you mean --allowList\?", "error")
        unknown = self.dry_run(self.registry.url, "--no-such-thing-at-all")
        self.assertExit(unknown, 2)
        self.assertNotIn("did you mean", unknown.stderr)

        version = self.regscan("version", output_dir=False)
        self.assertExit(version, 0)
        self.assertEqual(version.stdout, self.regscan("--version", output_dir=False).stdout)
        self.assertRegex(version.stdout, r"^regscan \d+\.\d+\.\d+\n$")

        loud = self.dry_run(self.registry.url)
        quiet = self.dry_run(self.registry.url, "-q")
        self.assertExit(quiet, 0)
        self.assertTrue(loud.messages("info"))
        self.assertEqual(quiet.stderr, "")
        self.assertEqual({k: v for k, v in quiet.summary().items() if k != "Inventory report"},
                         {k: v for k, v in loud.summary().items() if k != "Inventory report"})
        self.assertTrue(quiet.summary())
        explicit = self.dry_run(self.registry.url, "--quiet", "--log-level=info")
        self.assertTrue(explicit.messages("info"))

    def test_an_unrelated_file_named_config_is_a_warning_unless_asked_for(self):
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-config-") as directory:
            with open(os.path.join(directory, "config"), "w") as f:
                f.write("[core]\n\trepositoryformatversion = 0\n\tbare = false\n")  # a git config, say
            implicit = self.dry_run(self.registry.url, cwd=directory)
            self.assertExit(implicit, 0)
            self.assertLogged(implicit, r"^config file config: .*not used as a regscan config file "
                                        r"\(pass --config FILE to use one\)$", "warning")
            explicit = self.dry_run(self.registry.url, "--config=config", cwd=directory)
            self.assertExit(explicit, 2)
            self.assertLogged(explicit, r"^config file config: ", "error")

    def test_identify_exception_is_warned_naming_the_plugin(self):
        # the throwing fixture throws from identify() for the host throw.invalid
        directory, path = self.fixture_dir("throwing_plugin", "libthrowing_plugin.so")
        port = self.registry.url.rsplit(":", 1)[1]
        host = f"throw.invalid:{port}"
        result = self.dry_run(f"http://{host}", f"--plugin-dir={directory}",
                              f"--resolve={host}:{net.LOOPBACK}")
        self.assertExit(result, 0)
        self.assertLogged(result, r"^Plugin failed plugin=throwing file=" + re.escape(path) +
                          r" callback=identify .*error=identify exploded$", "warning")
        self.assertLogged(result, r"^Identified registry as: DEFAULT_V2$", "info")

    def test_wrong_shape_json_from_a_plugin_names_the_plugin(self):
        directory, path = self.fixture_dir("wrong_shape_plugin", "libwrong_shape_plugin.so")
        result = self.dry_run(self.registry.url, f"--plugin-dir={directory}", "--type=WRONG_SHAPE")
        self.assertExit(result, 6)
        self.assertNotIn("internal error", result.stderr)
        self.assertLogged(result, re.escape(f"plugin wrong-shape ({path}) list_repositories: plugin returned "
                                            "JSON of the wrong shape"), "error")

    def test_a_plugins_listed_times_are_normalised_and_an_impossible_one_is_dropped(self):
        # The listing fixture lists a/one:1 created "9999-99-99T99:99:99Z" and c/three:1 created
        # "2024-02-03T04:05:06.123Z" (b/two's listing fails); every image is filtered out, so the
        # inventory shows the listing's times as the core took them. a/one is not in the registry:
        # its build time, dropped from the listing, cannot be read from a config either.
        directory, _ = self.fixture_dir("listing_plugin", "libregscan-listing.so")
        result = self.dry_run(self.registry.url, f"--plugin-dir={directory}", "--type=LISTING",
                              "--allowList=none-such/*")
        self.assertInventory(result, self.registry.host,
                             [(f"{self.registry.host}/a/one", "1", "", "true"),
                              (f"{self.registry.host}/c/three", "1", "2024-02-03T04:05:06Z", "true")],
                             repositories_failed=1)
        self.assertNotIn("9999", result.stdout + result.stderr)

    def test_an_index_configs_time_wins_over_a_newer_listed_time(self):
        # c/three:1 is an index whose one image was built in 2020; the listing says 2024-02-03.
        # (a/one is not in this registry: its row fails, as b/two's listing does.)
        directory, _ = self.fixture_dir("listing_plugin", "libregscan-listing.so")
        with registry.Registry() as own:
            push.skopeo_push(own, {"c/three:1": oci.index([(oci.image("2020-01-01T00:00:00Z"),
                                                                {"os": "linux", "architecture": "amd64"})])})
            result = self.dry_run(own.url, f"--plugin-dir={directory}", "--type=LISTING")
            self.assertInventory(result, own.host,
                                 [(f"{own.host}/a/one", "1", "", "false"),
                                  (f"{own.host}/c/three", "1", "2020-01-01T00:00:00Z", "false")],
                                 repositories_failed=1, images_failed=1)

    def test_relocated_install(self):
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-install-") as directory:
            prefix = os.path.join(directory, "first")
            subprocess.run(["cmake", "--install", build_dir(), "--prefix", prefix],
                           check=True, capture_output=True, timeout=120)
            moved = os.path.join(directory, "moved")
            os.rename(prefix, moved)
            binary = os.path.join(moved, "bin", "regscan")
            result = self.regscan("plugins", env={"REGSCAN_BIN": binary}, output_dir=False,
                                  binary=binary)
            self.assertExit(result, 0)
            loaded = [line for line in result.stdout.splitlines() if "DEFAULT_V2" in line]
            self.assertEqual(len(loaded), 1, f"{result!r}")
            self.assertIn(moved + os.sep, loaded[0])
            result = self.dry_run(self.registry.url, binary=binary)
            self.assertInventory(result, self.registry.host, self.inventory.rows())


if __name__ == "__main__":
    unittest.main()
