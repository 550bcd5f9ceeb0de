"""A vendor's plugin built out of tree against the installed SDK (sdk/README.md "Building out of tree").

The SDK component alone is installed into a temporary prefix (`cmake --install <build>
--component sdk`), a one-file plugin is configured in a temporary directory with
`find_package(regscan_sdk 1.2 REQUIRED)` and `regscan_sdk_add_plugin()`, built (one small
compile), and the real binary loads it (`regscan plugins --plugin-dir`) and picks it for a URL
it claims. The SDK directory configured on its own installs the same files.
"""
import os
import subprocess
import tempfile
import unittest

from harness import case, net, registry

SOURCE_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

PLUGIN_CMAKE = """cmake_minimum_required(VERSION 3.25)
project(myreg CXX)
find_package(regscan_sdk 1.2 REQUIRED)
regscan_sdk_add_plugin(regscan-myreg myreg.cpp)
"""

PLUGIN_SOURCE = """#include "regscan/plugin.hpp"
using namespace regscan::sdk;
namespace {
class MySession final : public Session {
public:
    std::vector<Repository> repositories() override { return {}; }
    std::vector<TagInfo> tags(const Repository&) override { return {}; }
};
struct MyRegistry {
    static constexpr const char* types = "MYREG";
    static constexpr const char* options = R"([{"name": "myreg-team", "help": "team to list"}])";
    static Identification identify(const Host&, const Probe& probe) {
        return {probe.parsed.host == "registry.myreg.invalid" ? 90 : 0, types};
    }
    static std::unique_ptr<Session> open(const Host&, const SessionConfig&) {
        return std::make_unique<MySession>();
    }
};
}  // namespace
REGSCAN_PLUGIN("myreg", "3.1.4", "built out of tree", registry_table<MyRegistry>(), nullptr, nullptr)
"""


def build_dir():
    path = os.environ.get("REGSCAN_BUILD_DIR")
    if not path:
        raise AssertionError("REGSCAN_BUILD_DIR is not set")
    return path


def run(*args, **kwargs):
    completed = subprocess.run(list(args), capture_output=True, text=True, timeout=300, **kwargs)
    if completed.returncode != 0:
        raise AssertionError(f"{' '.join(args)} -> exit {completed.returncode}\n"
                             f"{completed.stdout}\n{completed.stderr}")
    return completed


def installed_files(prefix):
    return sorted(os.path.relpath(os.path.join(d, f), prefix) for d, _, files in os.walk(prefix) for f in files)


class SdkOutOfTree(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix="regscan-e2e-sdk-")
        cls.addClassCleanup(cls.scratch.cleanup)
        cls.prefix = os.path.join(cls.scratch.name, "prefix")
        run("cmake", "--install", build_dir(), "--component", "sdk", "--prefix", cls.prefix)
        source = os.path.join(cls.scratch.name, "myreg")
        os.mkdir(source)
        with open(os.path.join(source, "CMakeLists.txt"), "w") as f:
            f.write(PLUGIN_CMAKE)
        with open(os.path.join(source, "myreg.cpp"), "w") as f:
            f.write(PLUGIN_SOURCE)
        cls.plugin_build = os.path.join(cls.scratch.name, "myreg-build")
        run("cmake", "-S", source, "-B", cls.plugin_build, f"-DCMAKE_PREFIX_PATH={cls.prefix}")
        run("cmake", "--build", cls.plugin_build)
        cls.plugin = os.path.join(cls.plugin_build, "libregscan-myreg.so")
        os.chmod(cls.plugin_build, 0o755)  # regscan refuses group- or world-writable plugin directories

    def test_sdk_component_installs_headers_and_package_only(self):
        files = installed_files(self.prefix)
        self.assertIn(os.path.join("include", "regscan", "plugin_abi.h"), files)
        self.assertIn(os.path.join("include", "regscan", "testing", "fake_host.hpp"), files)
        package = [f for f in files if f.startswith(os.path.join("lib", "cmake", "regscan_sdk") + os.sep)
                   or f.startswith(os.path.join("lib64", "cmake", "regscan_sdk") + os.sep)]
        self.assertEqual(sorted(os.path.basename(f) for f in package),
                         ["regscan_sdk-config-version.cmake", "regscan_sdk-config.cmake",
                          "regscan_sdk-targets.cmake"], files)
        # headers and the package, nothing of the binary or the bundled plugins
        self.assertEqual([f for f in files if not f.startswith("include" + os.sep) and f not in package], [])

    def test_fake_host_needs_only_the_installed_sdk(self):
        # the test harness compiles with nothing but the prefix (and the system's nlohmann/Boost)
        source = os.path.join(self.scratch.name, "uses_fake_host.cpp")
        with open(source, "w") as f:
            f.write('#include "regscan/testing/fake_host.hpp"\n'
                    "int main() { fake_host::FakeHost fake; fake.host().info(\"x\"); return fake.logged(\"x\") ? 0 : 1; }\n")
        run("c++", "-std=c++20", "-fsyntax-only", "-I", os.path.join(self.prefix, "include"), source)

    def test_sdk_directory_configured_alone_installs_the_same(self):
        alone = os.path.join(self.scratch.name, "alone")
        run("cmake", "-S", os.path.join(SOURCE_DIR, "sdk"), "-B", os.path.join(alone, "build"),
            f"-DCMAKE_INSTALL_PREFIX={os.path.join(alone, 'prefix')}")
        run("cmake", "--install", os.path.join(alone, "build"))
        self.assertEqual(installed_files(os.path.join(alone, "prefix")), installed_files(self.prefix))

    def test_plugin_exports_only_its_entry_point(self):
        symbols = run("nm", "-D", "--defined-only", self.plugin).stdout.split()
        self.assertIn("regscan_plugin_v1", symbols)
        self.assertFalse([s for s in symbols if "MyRegistry" in s or "MySession" in s], symbols)

    def test_regscan_loads_the_out_of_tree_plugin(self):
        result = self.regscan("plugins", f"--plugin-dir={self.plugin_build}", output_dir=False)
        self.assertExit(result, 0)
        lines = [line for line in result.stdout.splitlines() if self.plugin in line]
        self.assertEqual(len(lines), 1, f"{result!r}")
        self.assertRegex(lines[0], r"^myreg\s+3\.1\.4\s+1\.\d+\s+MYREG\s")
        self.assertNotIn("refused", result.stdout + result.stderr)

    def test_the_plugin_is_identified_and_its_option_offered(self):
        help_text = self.regscan("registry", "--help", f"--plugin-dir={self.plugin_build}", output_dir=False)
        self.assertIn("--myreg-team", help_text.stdout)
        reg = registry.Registry()
        self.addCleanup(reg.stop)
        reg.start()
        port = reg.url.rsplit(":", 1)[1]
        host = f"registry.myreg.invalid:{port}"
        result = self.dry_run(f"http://{host}", f"--plugin-dir={self.plugin_build}",
                              f"--resolve={host}:{net.LOOPBACK}", "--myreg-team=a")
        self.assertExit(result, 0)
        self.assertLogged(result, r"^Identified registry as: MYREG$", "info")
        self.assertLogged(result, r"^Found repositories count=0$", "info")

if __name__ == "__main__":
    unittest.main()
