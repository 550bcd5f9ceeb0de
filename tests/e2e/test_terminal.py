"""The terminal table (issue 12 part 5): the CVE as the main id with the vendor id as DETAIL, TITLE
(the OSV summary, cut, control characters escaped) and STATUS (fixed / affected) columns, one line
per image before the long tables, --table-mode summary|detailed, and --color auto|always|never with
NO_COLOR (auto tested with standard output on a pseudo-terminal).

Real images pushed with skopeo to a real registry; a real OSV database (harness/osv_db.make_db with
a real PyPI record, plus records written here for a package of our own)."""
import json
import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import tempfile
import unittest

from harness import oci_layout, osv_db, run as runner
from harness.case import RegscanCase
from harness.push import skopeo_push
from harness.registry import Registry

SITE = "/usr/lib/python3/dist-packages"
ESC = "\x1b"
COLOURED = re.compile(r"\x1b\[[0-9;]*m(critical|high|medium|low)\x1b\[0m")
LONG = "examplepkg parses " + "a very long and winding input " * 6
OWN_RECORDS = [
    # No CVE alias, no fix: the id stays the main id, STATUS affected.
    {"schema_version": "1.6.0", "id": "EXAMPLE-2026-1", "modified": "2026-11-01T00:00:00Z",
     "published": "2026-11-01T00:00:00Z", "summary": "examplepkg \x1b[31mevaluates\x1b[0m untrusted input",
     "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
     "affected": [{"package": {"ecosystem": "PyPI", "name": "examplepkg"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]},
    # A CVE alias and a fix: CVE-2026-9002 main, EXAMPLE-2026-2 the detail, STATUS fixed.
    {"schema_version": "1.6.0", "id": "EXAMPLE-2026-2", "modified": "2026-11-01T00:00:00Z",
     "published": "2026-11-01T00:00:00Z", "aliases": ["GHSA-aaaa-bbbb-cccc", "CVE-2026-9002"],
     "summary": LONG,
     "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"}],
     "affected": [{"package": {"ecosystem": "PyPI", "name": "examplepkg"},
                   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]},
]


def metadata(name, version):
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()


def python_image(distributions):
    files = {f"{SITE}/{name}-{version}.dist-info/METADATA": metadata(name, version) for name, version in distributions}
    return oci_layout.image("2024-01-01T00:00:00Z", files=files)


class TerminalTest(RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="regscan-e2e-terminal-")
        cls.addClassCleanup(shutil.rmtree, cls.workdir, True)
        cls.registry = Registry().start()
        cls.addClassCleanup(cls.registry.stop)
        skopeo_push(cls.registry, {
            "app/api:1.0": python_image([("requests", "2.19.0"), ("examplepkg", "1.0")]),
            "tools/jq:1.7": python_image([("requests", "2.19.0")]),
        })
        cls.db = osv_db.make_db(cls.workdir, ["PYSEC-2018-28"])
        own = os.path.join(cls.workdir, "own-records")
        os.makedirs(own)
        for record in OWN_RECORDS:
            with open(os.path.join(own, record["id"] + ".json"), "w") as f:
                json.dump(record, f)
        imported = subprocess.run([os.environ["REGSCAN_BIN"], "db", "import", "--db", cls.db, own],
                                  capture_output=True, text=True, timeout=120)
        assert imported.returncode == 0, imported.stderr
        cls.image_ref = f"http://{cls.registry.host}/app/api:1.0"

    def scan(self, *args, env=None):
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        return self.regscan("registry", self.registry.url, "--db", self.db, "--state", state, "--no-progress",
                            "--format=table,json", *args, env=env)

    def image(self, *args, env=None):
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        return self.regscan("image", self.image_ref, "--db", self.db, "--state", state, "--no-progress", *args,
                            output_dir=False, env=env)

    def row(self, stdout, package, main_id):
        """The columns of the table row of `package` whose VULNERABILITY is `main_id`."""
        for line in stdout.splitlines():
            cells = re.split(r"\s{2,}", line.strip())
            if len(cells) >= 3 and cells[0] == package and cells[2] == main_id:
                return cells
        self.fail(f"no row {package} {main_id} in\n{stdout}")

    def test_cve_as_main_id_detail_status_and_title(self):
        result = self.image("--color=never")
        self.assertExit(result, 0)
        out = result.stdout
        self.assertRegex(out, r"PACKAGE\s+VERSION\s+VULNERABILITY\s+DETAIL\s+SEVERITY\s+STATUS\s+FIXED VERSION\s+TITLE")
        requests = self.row(out, "requests", "CVE-2018-18074")
        # The real record carries no severity.
        self.assertEqual(requests[1:7], ["2.19.0", "CVE-2018-18074", "PYSEC-2018-28", "unknown", "fixed", "2.20.0"])
        self.assertTrue(requests[7].startswith("The Requests package before 2.20.0"), requests)
        own = self.row(out, "examplepkg", "EXAMPLE-2026-1")
        self.assertEqual(own[3:5], ["critical", "affected"])  # no detail column value: the id is the main id
        self.assertEqual(own[5], "examplepkg \\e[31mevaluates\\e[0m untrusted input")
        fixed = self.row(out, "examplepkg", "CVE-2026-9002")
        self.assertEqual(fixed[3:7], ["EXAMPLE-2026-2", "medium", "fixed", "2.0"])
        self.assertTrue(fixed[7].endswith("...") and LONG.startswith(fixed[7][:-3]), fixed)
        self.assertLessEqual(len(fixed[7]), 60)
        self.assertNotIn(ESC, out)

    def test_one_line_per_image_before_the_tables_and_summary_mode(self):
        result = self.scan()
        self.assertExit(result, 0)
        with open(os.path.join(result.output_dir, runner.report_name(self.registry.host).replace("-report.csv", "-report.json"))) as f:
            report = json.load(f)
        lines = result.stdout.splitlines()
        self.assertEqual(lines[0], f"Images: {len(report['images'])}")
        for image in report["images"]:
            counts = {}
            for v in image["vulnerabilities"]:
                counts[v["severity"]] = counts.get(v["severity"], 0) + 1
            parts = [f"{counts[s]} {s}" for s in ("critical", "high", "medium", "low", "unknown") if s in counts]
            expected = (f"  {self.registry.host}/{image['repository']}:{image['tag']} ({image['platform']}): "
                        f"vulnerabilities {len(image['vulnerabilities'])} ({', '.join(parts)}), misconfigurations ")
            matching = [i for i, line in enumerate(lines) if line.startswith(expected)]
            self.assertEqual(len(matching), 1, f"{expected!r} not once in\n{result.stdout}")
            self.assertLess(matching[0], lines.index(next(l for l in lines if "PACKAGE" in l)))
        summary = self.scan("--table-mode=summary")
        self.assertExit(summary, 0)
        self.assertNotIn("PACKAGE", summary.stdout)
        summary_lines = summary.stdout.splitlines()
        count = len(report["images"])
        self.assertEqual(summary_lines[:count + 2], lines[:count + 2])  # "Images: N", a line each, a blank line
        self.assertEqual(summary_lines[count + 1], "")
        bad = self.scan("--table-mode=wide")
        self.assertExit(bad, 2)
        self.assertIn("--table-mode", bad.stderr)

    def tables(self, stdout):
        """Standard output up to the registry summary (which names the run's own output directory)."""
        return stdout.split("Registry Summary:")[0]

    def test_color_always_and_never(self):
        always = self.scan("--color=always")
        self.assertExit(always, 0)
        self.assertRegex(always.stdout, r"\x1b\[1;31mcritical\x1b\[0m")
        self.assertRegex(always.stdout, r"\x1b\[33mmedium\x1b\[0m  ")  # padded after the reset
        # Only the severity words are coloured.
        self.assertEqual(COLOURED.sub(r"\1", always.stdout).count(ESC), 0)
        never = self.scan("--color=never")
        self.assertNotIn(ESC, never.stdout)
        self.assertEqual(COLOURED.sub(r"\1", self.tables(always.stdout)), self.tables(never.stdout))
        # Never in a file.
        path = os.path.join(tempfile.mkdtemp(dir=self.workdir), "table.txt")
        to_file = self.image("--color=always", "--format=table", "-o", path)
        self.assertExit(to_file, 0)
        with open(path) as f:
            text = f.read()
        self.assertIn("CVE-2018-18074", text)
        self.assertNotIn(ESC, text)
        bad = self.scan("--color=sometimes")
        self.assertExit(bad, 2)
        self.assertIn("--color", bad.stderr)

    def on_terminal(self, *args, env, command="registry"):
        """Runs `regscan registry` (or `regscan image`, its report to standard output) with standard output on
        a pseudo-terminal; returns (exit code, output)."""
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        full_env["HOME"] = tempfile.mkdtemp(dir=self.workdir)
        full_env.update(env)
        if command == "registry":
            target = [self.registry.url, "--format=table", "--output-dir", tempfile.mkdtemp(dir=self.workdir)]
        else:
            target = [self.image_ref]
        master, slave = pty.openpty()
        process = subprocess.Popen([os.environ["REGSCAN_BIN"], command, *target, "--db", self.db,
                                    "--state", state, "--no-progress", *args],
                                   stdout=slave, stderr=subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL, env=full_env, cwd=tempfile.mkdtemp(dir=self.workdir))
        os.close(slave)
        chunks = []
        try:
            while True:
                ready, _, _ = select.select([master], [], [], 120)
                self.assertTrue(ready, "no output within 120 s")
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(master)
            code = process.wait(timeout=120)
        return code, b"".join(chunks).decode().replace("\r\n", "\n")

    def test_color_auto_on_a_terminal_follows_no_color(self):
        code, out = self.on_terminal(env={})
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"\x1b\[1;31mcritical\x1b\[0m")
        code, out = self.on_terminal(env={"NO_COLOR": "1"})
        self.assertEqual(code, 0, out)
        self.assertIn("CVE-2018-18074", out)
        self.assertNotIn(ESC, out)
        code, out = self.on_terminal(env={"NO_COLOR": ""})  # empty: as if unset
        self.assertRegex(out, r"\x1b\[1;31mcritical\x1b\[0m")
        code, out = self.on_terminal("--color=never", env={})
        self.assertIn("CVE-2018-18074", out)
        self.assertNotIn(ESC, out)
        # auto with standard output not a terminal (a pipe): no colour.
        piped = self.scan(env={})
        self.assertExit(piped, 0)
        self.assertIn("critical", piped.stdout)
        self.assertNotIn(ESC, piped.stdout)

    def test_image_colours_standard_output_as_registry_does(self):
        # `regscan image` writes its table to standard output after the run (-o -, the default): coloured
        # on a terminal as `registry` is, under the same --color and NO_COLOR rules.
        code, out = self.on_terminal(env={}, command="image")
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"\x1b\[1;31mcritical\x1b\[0m")
        self.assertRegex(out, r"\x1b\[33mmedium\x1b\[0m  ")
        self.assertEqual(COLOURED.sub(r"\1", out).count(ESC), 0)  # only the severity words
        code, explicit = self.on_terminal("-o", "-", "--color=auto", env={}, command="image")
        self.assertEqual(code, 0, explicit)
        self.assertRegex(explicit, r"\x1b\[1;31mcritical\x1b\[0m")
        for args, env in ((("--color=never",), {}), ((), {"NO_COLOR": "1"})):
            code, plain = self.on_terminal(*args, env=env, command="image")
            self.assertEqual(code, 0, plain)
            self.assertIn("CVE-2018-18074", plain)
            self.assertNotIn(ESC, plain, (args, env))
            self.assertEqual(COLOURED.sub(r"\1", out), plain)
        code, empty = self.on_terminal(env={"NO_COLOR": ""}, command="image")
        self.assertRegex(empty, r"\x1b\[1;31mcritical\x1b\[0m")
        # A pipe: colour only when asked for (--color always with -o -).
        piped = self.image(env={})
        self.assertExit(piped, 0)
        self.assertIn("critical", piped.stdout)
        self.assertNotIn(ESC, piped.stdout)
        self.assertNotIn(ESC, piped.stderr)
        forced = self.image("--color=always", env={})
        self.assertExit(forced, 0)
        self.assertRegex(forced.stdout, r"\x1b\[1;31mcritical\x1b\[0m")
        self.assertEqual(COLOURED.sub(r"\1", forced.stdout), piped.stdout)
        # A file named by -o is never coloured, even with standard output on a terminal.
        path = os.path.join(tempfile.mkdtemp(dir=self.workdir), "table.txt")
        code, out = self.on_terminal("-o", path, env={}, command="image")
        self.assertEqual(code, 0, out)
        self.assertNotIn(ESC, out)
        with open(path) as f:
            text = f.read()
        self.assertIn("CVE-2018-18074", text)
        self.assertNotIn(ESC, text)



class CompletionTest(RegscanCase):
    """`regscan completion bash|zsh|fish`: generated from the options --help lists."""

    def script(self, shell):
        result = self.regscan("completion", shell, output_dir=False)
        self.assertExit(result, 0)
        return result.stdout

    def help_options(self, command):
        result = self.regscan(command, "--help", output_dir=False)
        self.assertExit(result, 0)
        options = set(re.findall(r"^  (?:-\w \[ )?--([A-Za-z][\w-]*)", result.stdout, re.M))
        self.assertIn("table-mode", options)
        return options

    def bash(self, script, commands):
        with tempfile.NamedTemporaryFile("w", suffix=".bash") as f:
            f.write(script)
            f.flush()
            done = subprocess.run(["bash", "-c", f"source {f.name}\n{commands}"], capture_output=True, text=True,
                                  timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def test_bash_registers_the_function_and_completes_options_and_values(self):
        script = self.script("bash")
        self.assertEqual(self.bash(script, "complete -p regscan").strip(), "complete -o default -F _regscan regscan")
        def complete(*words):
            line = " ".join(f"'{w}'" for w in words)
            return self.bash(script, f"COMP_WORDS=(regscan {line}); COMP_CWORD={len(words)}; _regscan; "
                                     "printf '%s\\n' \"${COMPREPLY[@]}\"").split()
        self.assertIn("completion", complete("co"))
        self.assertEqual(sorted(complete("registry", "--table")), ["--table-mode"])
        self.assertEqual(sorted(complete("image", "--color", "")), ["always", "auto", "never"])
        self.assertIn("--output", complete("image", "--out"))
        self.assertNotIn("--output", complete("registry", "--out"))  # image only
        self.assertEqual(sorted(complete("completion", "")), ["bash", "fish", "zsh"])

    def test_every_long_option_of_help_is_in_every_script(self):
        for command in ("registry", "image"):
            options = self.help_options(command)
            for shell in ("bash", "zsh", "fish"):
                script = self.script(shell)
                missing = sorted(o for o in options if not re.search(rf"--{re.escape(o)}\b|-l {re.escape(o)}\b",
                                                                     script))
                self.assertEqual(missing, [], f"{shell}: {command} options missing")
        bash_registry = re.search(r"registry\) options='([^']*)'", self.script("bash")).group(1).split()
        registry = self.expected_options("registry")
        self.assertEqual({o[2:] for o in bash_registry if o.startswith("--")}, set(registry))
        self.assertEqual({o[1:] for o in bash_registry if not o.startswith("--")},
                         {short for short, _ in registry.values() if short})

    def help_table(self, command):
        """{long name: (short name or None, description)} of every option `regscan COMMAND --help` lists, and
        {plugin options} (those under "Options of the X plugin:")."""
        result = self.regscan(command, "--help", output_dir=False)
        self.assertExit(result, 0)
        table, plugin, current, in_plugin = {}, set(), None, False
        for line in result.stdout.splitlines():
            if line and not line.startswith(" "):
                in_plugin = bool(re.match(r"Options of the \w+ plugin:", line))
                current = None
                continue
            start = re.match(r"^  (?:-(\w) \[ )?--([A-Za-z][\w-]*)(?: \])?(?: arg(?: \(=[^)]*\))?)?(?:\s+(.*))?$", line)
            if start:
                current = start.group(2)
                table[current] = (start.group(1), " ".join((start.group(3) or "").split()))
                if in_plugin:
                    plugin.add(current)
            elif current and line.startswith("        "):
                short, text = table[current]
                table[current] = (short, " ".join((text + " " + line).split()))
            else:
                current = None
        self.assertIn("table-mode", table)
        return table, plugin

    def expected_options(self, command):
        """What completion offers after `regscan COMMAND --`: the options its --help lists; for image also the
        plugins' options (which --help sends to `registry --help`), never the registry-only ones."""
        table, _ = self.help_table(command)
        if command == "image":
            registry, plugin = self.help_table("registry")
            self.assertTrue(plugin, "registry --help lists no plugin options")
            table.update({name: registry[name] for name in plugin})
        return table

    def zsh_complete(self, script, line, install):
        """The matches real zsh (compinit) adds when TAB is pressed once after `line`, with the script installed as
        zsh users install it: saved as _regscan in $fpath ("fpath") or sourced after compinit ("source")."""
        home = tempfile.mkdtemp(prefix="regscan-e2e-zsh-")
        self.addCleanup(shutil.rmtree, home, True)
        functions = os.path.join(home, "functions")
        os.makedirs(functions)
        script_path = os.path.join(functions if install == "fpath" else home, "_regscan")
        with open(script_path, "w") as f:
            f.write(script)
        capture = os.path.join(home, "capture")
        with open(os.path.join(home, ".zshrc"), "w") as f:
            f.write(f"""fpath=({functions} $fpath)
autoload -Uz compinit
compinit -u -d {home}/.zcompdump
{"source " + script_path if install == "source" else ""}
LISTMAX=100000
# Every match the completion adds (after zsh's own matching against the word) goes to the capture file.
compadd() {{
    if [[ ${{@[1,(i)(-|--)]}} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return; fi
    local -a __hits
    builtin compadd -O __hits "$@"
    (( $#__hits )) && print -rl -- $__hits >> {capture}
    builtin compadd "$@"
}}
_capture_complete() {{ zle complete-word; print -r -- @@done >> {capture} }}
zle -N _capture_complete
bindkey '^I' _capture_complete
PROMPT='> '
""")
        env = {"HOME": home, "ZDOTDIR": home, "TERM": "xterm", "PATH": os.environ["PATH"]}
        master, slave = pty.openpty()
        process = subprocess.Popen(["zsh", "--no-globalrcs", "-i"], stdin=slave, stdout=slave, stderr=slave, env=env,
                                   cwd=home, start_new_session=True)
        os.close(slave)
        screen = b""
        try:
            os.write(master, (line + "\t").encode())
            for _ in range(600):  # bounded: the marker comes once the completion widget returned
                ready, _, _ = select.select([master], [], [], 0.1)
                if ready:
                    try:
                        screen += os.read(master, 65536)
                    except OSError:
                        break
                if os.path.exists(capture):
                    with open(capture) as f:
                        if "@@done" in f.read():
                            break
            else:
                self.fail(f"zsh never finished completing {line!r}: {screen[-2000:]!r}")
        finally:
            process.kill()
            process.wait(timeout=60)
            os.close(master)
        with open(capture) as f:
            return set(f.read().split()) - {"@@done"}

    def fish_complete(self, script, line):
        """The candidates real fish gives for `line` (complete -C) with the script sourced: {candidate: description}."""
        home = tempfile.mkdtemp(prefix="regscan-e2e-fish-")
        self.addCleanup(shutil.rmtree, home, True)
        path = os.path.join(home, "regscan.fish")
        with open(path, "w") as f:
            f.write(script)
        done = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C {shlex.quote(line)}"],
                              capture_output=True, text=True, timeout=60, cwd=home,
                              env={"HOME": home, "PATH": os.environ["PATH"], "TERM": "dumb"})
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stderr, "")  # the script loads without a complaint
        candidates = {}
        for entry in done.stdout.splitlines():
            name, _, description = entry.partition("\t")
            candidates[name] = description
        return candidates

    def test_zsh_completes_commands_options_and_values_from_the_option_table(self):
        script = self.script("zsh")
        for install in ("fpath", "source"):
            with self.subTest(install=install):
                self.assertEqual(self.zsh_complete(script, "regscan reg", install), {"registry"})
                self.assertEqual(self.zsh_complete(script, "regscan completion ", install), {"bash", "zsh", "fish"})
                registry = self.expected_options("registry")
                self.assertEqual(self.zsh_complete(script, "regscan registry --us", install),
                                 {f"--{o}" for o in registry if o.startswith("us")})
                self.assertEqual(self.zsh_complete(script, "regscan registry --", install),
                                 {f"--{o}" for o in registry})
                image = self.expected_options("image")
                self.assertEqual(self.zsh_complete(script, "regscan image --", install), {f"--{o}" for o in image})
                shorts = {f"-{short}" for short, _ in image.values() if short}
                self.assertIn("-o", shorts)
                self.assertTrue(shorts <= self.zsh_complete(script, "regscan image -", install))
                self.assertEqual(self.zsh_complete(script, "regscan image --color ", install),
                                 {"auto", "always", "never"})
                self.assertEqual(self.zsh_complete(script, "regscan registry --table-mode=", install),
                                 {"summary", "detailed"})
                # Given once, not offered again; a repeatable option is.
                self.assertNotIn("--table-mode",
                                 self.zsh_complete(script, "regscan registry --table-mode summary --tab", install))
                self.assertIn("--vex", self.zsh_complete(script, "regscan registry --vex a.json --ve", install))

    def test_fish_completes_commands_options_and_values_from_the_option_table(self):
        script = self.script("fish")
        self.assertIn("registry", self.fish_complete(script, "regscan reg"))
        self.assertEqual(set(self.fish_complete(script, "regscan completion ")), {"bash", "zsh", "fish"})
        # Before a command, the top-level options, as bash and zsh offer them; not after one.
        self.assertEqual(self.fish_complete(script, "regscan --"),
                         {"--help": "show this help", "--version": "show the version"})
        self.assertIn("-h", self.fish_complete(script, "regscan -"))
        self.assertNotIn("--version", self.fish_complete(script, "regscan image --"))
        registry = self.expected_options("registry")
        self.assertEqual(set(self.fish_complete(script, "regscan registry --us")),
                         {f"--{o}" for o in registry if o.startswith("us")})
        for command, expected in (("registry", registry), ("image", self.expected_options("image"))):
            candidates = self.fish_complete(script, f"regscan {command} --")
            self.assertEqual(set(candidates), {f"--{o}" for o in expected}, command)
            for name, description in candidates.items():
                # The description is the start of what --help says of the option.
                self.assertTrue(description and expected[name[2:]][1].startswith(" ".join(description.split())),
                                f"{name}: {description!r} vs {expected[name[2:]][1]!r}")
        shorts = {f"-{short}" for short, _ in self.expected_options("image").values() if short}
        self.assertTrue(shorts <= set(self.fish_complete(script, "regscan image -")))
        self.assertEqual(set(self.fish_complete(script, "regscan image --color ")), {"auto", "always", "never"})
        self.assertEqual(set(self.fish_complete(script, "regscan registry --table-mode=")),
                         {"--table-mode=summary", "--table-mode=detailed"})

    def test_an_unknown_shell_is_refused(self):
        result = self.regscan("completion", "tcsh", output_dir=False)
        self.assertExit(result, 2)
        self.assertIn("tcsh", result.stderr)


if __name__ == "__main__":
    unittest.main()
