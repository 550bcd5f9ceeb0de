"""`regscan man` (issue 12 part 5): the manual page, generated from the option table --help and the
completion scripts use, renders with groff without a warning and documents every long option of
`registry --help` and `image --help`."""
import re
import subprocess
import unittest

from harness.case import RegscanCase


class ManPage(RegscanCase):
    def test_renders_cleanly_and_lists_every_option(self):
        result = self.regscan("man", output_dir=False)
        self.assertExit(result, 0)
        groff = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=result.stdout, capture_output=True,
                               text=True, timeout=60)
        self.assertEqual((groff.returncode, groff.stderr), (0, ""))
        page = subprocess.run(["groff", "-man", "-Tascii", "-P-c", "-rLL=200n"], input=result.stdout,
                              capture_output=True, text=True, timeout=60).stdout
        page = re.sub(r".\x08", "", page)  # overstrike bold
        for command in ("registry", "image"):
            self.assertIn(f"OPTIONS OF regscan {command}", page)
            help_text = self.regscan(command, "--help", output_dir=False).stdout
            for option in set(re.findall(r"^\s+(?:-\w \[ )?--([a-z][a-z0-9-]+)", help_text, re.M)):
                self.assertIn(f"--{option}", page, f"--{option} of {command} --help is not in the man page")

    def test_takes_no_arguments(self):
        self.assertExit(self.regscan("man", "extra", output_dir=False), 2)


if __name__ == "__main__":
    unittest.main()
