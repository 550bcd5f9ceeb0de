"""The built binary and plugins load only what they were linked with: no RUNPATH entry the loader
would read as the working directory. CMake had written `-Wl,-rpath,::::` (empty entries: the working
directory) for the pkg-config imported targets, so a library planted in the directory regscan was run
from was loaded instead of the system's. Checked on the real files with readelf, and by running
`regscan version` and `regscan plugins` (which loads every plugin) from a directory holding a file under
the name of every library they need."""
import glob
import os
import re
import shutil
import subprocess
import tempfile

from harness.case import RegscanCase


def elf_files():
    build = os.environ.get("REGSCAN_BUILD_DIR") or os.path.dirname(os.path.dirname(os.environ["REGSCAN_BIN"]))
    plugins = sorted(glob.glob(os.path.join(build, "lib", "regscan", "plugins", "*.so")))
    assert plugins, f"no plugin under {build}/lib/regscan/plugins"
    return [os.environ["REGSCAN_BIN"], *plugins]


def dynamic_section(path):
    return subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout


class BinaryHygiene(RegscanCase):
    def test_every_search_path_entry_is_absolute_or_origin_relative(self):
        for path in elf_files():
            with self.subTest(path):
                for kind, value in re.findall(r"\((RPATH|RUNPATH)\)\s+Library \w+: \[(.*)\]", dynamic_section(path)):
                    for entry in value.split(":"):
                        self.assertTrue(entry.startswith("/") or entry.startswith("$ORIGIN"),
                                        f"{path}: {kind} entry {entry!r} in {value!r} is searched relative to "
                                        "the working directory")

    def test_libraries_planted_in_the_working_directory_are_not_loaded(self):
        planted = tempfile.mkdtemp(prefix="regscan-e2e-planted-")
        self.addCleanup(shutil.rmtree, planted, True)
        needed = set()
        for path in elf_files():
            needed.update(re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", dynamic_section(path)))
        self.assertIn("libc.so.6", needed)
        for name in needed:
            with open(os.path.join(planted, name), "w") as f:
                f.write("not a library\n")  # the loader stops at it ("file too short") if it looks here
        version = self.regscan("version", cwd=planted, output_dir=False)
        self.assertExit(version, 0)
        self.assertRegex(version.stdout, r"^regscan \d+\.\d+\.\d+")
        plugins = self.regscan("plugins", cwd=planted, output_dir=False)
        self.assertExit(plugins, 0)
        self.assertNotIn("error while loading shared libraries", plugins.stderr)
        for name in ("v2", "ecr", "acr", "dockerhub", "harbor", "quay", "jfrog", "nexus"):
            self.assertIn(name, plugins.stdout.lower())
