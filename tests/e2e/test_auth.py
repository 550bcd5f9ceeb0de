"""Credentials against htpasswd Basic auth and against a Bearer token server.

Every credential source of docs/cli.md (command line, --password-stdin, both
environment spellings, --config, ./config, ~/.config/regscan/config) and their
precedence; wrong or missing credentials exit 4; no password, Authorization
value or token ever appears in stdout, stderr or the report, even at trace level.
"""
import base64
import os
import secrets
import tempfile
import unittest

from harness import case, certs, content, oci_layout as oci, push, registry, token_server

USER = "reader"
PASSWORD = "Pw-" + secrets.token_hex(12)
WRONG = "Wrong-" + secrets.token_hex(12)
ACCESS_TOKEN = "glpat-" + secrets.token_hex(16)
IMAGES = {("team/app", "1.0"): "2019-01-01T01:29:27Z",
          ("team/app", "2.0"): "2021-06-07T08:09:10.5+01:00",
          ("other/tool", "latest"): "2022-02-02T02:02:02Z"}


def build(reg, creds):
    inventory = content.Inventory(reg.host)
    manifests = {}
    for (repo, tag), created in IMAGES.items():
        manifests[f"{repo}:{tag}"] = oci.image(created)
        inventory.add(repo, tag, {"": created})
    push.skopeo_push(reg, manifests, creds=creds)
    return inventory


class CredentialSources:
    """Tests shared by both auth schemes; the class sets registry, inventory."""

    def secrets_in_play(self):
        return [PASSWORD, WRONG, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
                base64.b64encode(f"{USER}:{WRONG}".encode()).decode()]

    def assertNoSecrets(self, result):
        report = ""
        if os.path.exists(result.report_path(self.registry.host)):
            with open(result.report_path(self.registry.host)) as f:
                report = f.read()
        for secret in self.secrets_in_play():
            for name, text in (("stdout", result.stdout), ("stderr", result.stderr),
                               ("report", report)):
                self.assertNotIn(secret, text, f"a secret leaked into {name}")

    def assertAuthorised(self, result):
        self.assertInventory(result, self.registry.host, self.inventory.rows())
        self.assertNoSecrets(result)

    def assertRefused(self, result):
        self.assertExit(result, 4)
        self.assertLogFormat(result)
        self.assertTrue(result.messages("error") or result.messages("critical"),
                        f"no error logged\n{result!r}")
        self.assertNoSecrets(result)

    def run_with_right_credentials(self, *args):
        return self.dry_run(self.registry.url, *args, f"--username={USER}", f"--password={PASSWORD}")

    def test_command_line(self):
        self.assertAuthorised(self.run_with_right_credentials())

    def test_password_stdin(self):
        self.assertAuthorised(self.dry_run(self.registry.url, f"--username={USER}",
                                           "--password-stdin", stdin=PASSWORD + "\n"))

    def test_environment(self):
        env = {"REGSCAN_REGISTRY_USERNAME": USER, "REGSCAN_REGISTRY_PASSWORD": PASSWORD}
        self.assertAuthorised(self.dry_run(self.registry.url, env=env))

    def test_environment_of_the_replaced_tool(self):
        env = {"TCS_REGISTRY_USERNAME": USER, "TCS_REGISTRY_PASSWORD": PASSWORD}
        self.assertAuthorised(self.dry_run(self.registry.url, env=env))

    def test_config_file(self):
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-config-") as directory:
            path = os.path.join(directory, "creds.conf")
            with open(path, "w") as f:
                f.write(f"# e2e\nusername = {USER}\npassword = {PASSWORD}\n")
            self.assertAuthorised(self.dry_run(self.registry.url, f"--config={path}"))

    def test_config_in_working_directory(self):
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-cwd-") as cwd:
            with open(os.path.join(cwd, "config"), "w") as f:
                f.write(f"username = {USER}\npassword = {PASSWORD}\n")
            self.assertAuthorised(self.dry_run(self.registry.url, cwd=cwd))

    def test_config_in_home(self):
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-home-") as home:
            os.makedirs(os.path.join(home, ".config", "regscan"))
            with open(os.path.join(home, ".config", "regscan", "config"), "w") as f:
                f.write(f"username = {USER}\npassword = {PASSWORD}\n")
            self.assertAuthorised(self.dry_run(self.registry.url, env={"HOME": home}))

    def test_command_line_wins_over_environment(self):
        env = {"REGSCAN_REGISTRY_USERNAME": USER, "REGSCAN_REGISTRY_PASSWORD": WRONG}
        self.assertAuthorised(self.dry_run(self.registry.url, f"--username={USER}",
                                           f"--password={PASSWORD}", env=env))

    def test_environment_wins_over_config_file(self):
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-config-") as directory:
            path = os.path.join(directory, "creds.conf")
            with open(path, "w") as f:
                f.write(f"username = {USER}\npassword = {WRONG}\n")
            env = {"REGSCAN_REGISTRY_USERNAME": USER, "REGSCAN_REGISTRY_PASSWORD": PASSWORD}
            self.assertAuthorised(self.dry_run(self.registry.url, f"--config={path}", env=env))

    def test_wrong_password_exits_4(self):
        result = self.dry_run(self.registry.url, f"--username={USER}", f"--password={WRONG}")
        self.assertRefused(result)
        # which credentials were tried (their source, never their value), and how to give others
        self.assertLogged(result, r"the credentials from the command line were refused; check them, or give "
                                  r"others with --username with --password-stdin", "error")

    def test_wrong_password_from_stdin_exits_4(self):
        result = self.dry_run(self.registry.url, f"--username={USER}", "--password-stdin", stdin=WRONG + "\n")
        self.assertRefused(result)
        self.assertLogged(result, r"the credentials from the command line and standard input were refused", "error")
        env = self.dry_run(self.registry.url, env={"REGSCAN_REGISTRY_USERNAME": USER,
                                                   "REGSCAN_REGISTRY_PASSWORD": WRONG})
        self.assertRefused(env)
        self.assertLogged(env, r"the credentials from the environment were refused", "error")

    def test_no_credentials_exits_4(self):
        result = self.dry_run(self.registry.url)
        self.assertRefused(result)
        self.assertLogged(result, r"no credentials were given; give them with --username", "error")

    def test_image_command_refused_exits_4_naming_the_credentials(self):
        reference = f"http://{self.registry.host}/team/app:1.0"
        for args, said in (((), "no credentials were given"),
                           ((f"--username={USER}", f"--password={WRONG}"),
                            "the credentials from the command line were refused")):
            with self.subTest(said=said):
                result = self.regscan("image", reference, "--mode=dry-run", *args)
                self.assertRefused(result)
                self.assertLogged(result, r"^the registry refused access to " + reference + ": " + said, "error")

    def test_no_secret_at_trace_level(self):
        for password in (PASSWORD, WRONG):
            with self.subTest(password="right" if password == PASSWORD else "wrong"):
                result = self.dry_run(self.registry.url, "--log-level=trace",
                                      f"--username={USER}", f"--password={password}")
                self.assertExit(result, 0 if password == PASSWORD else 4)
                self.assertNoSecrets(result)


class BasicAuth(CredentialSources, case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.registry = registry.Registry(htpasswd_users={USER: PASSWORD})
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.inventory = build(cls.registry, (USER, PASSWORD))


class BearerAuth(CredentialSources, case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-token-")
        cls.addClassCleanup(cls.directory.cleanup)
        cls.pusher_password = "Push-" + secrets.token_hex(8)
        cls.outsider_password = "Out-" + secrets.token_hex(8)
        cls.tokens = token_server.TokenServer(
            certs.SigningCertificate(cls.directory.name),
            {USER: (PASSWORD, {"repository": {"pull"}, "registry": {"*"}}),
             "pusher": (cls.pusher_password, {"repository": {"pull", "push"}}),
             "outsider": (cls.outsider_password, {})},
            access_tokens={ACCESS_TOKEN: USER})
        cls.addClassCleanup(cls.tokens.stop)
        cls.tokens.start()
        cls.registry = registry.Registry(token=cls.tokens)
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.inventory = build(cls.registry, ("pusher", cls.pusher_password))

    def setUp(self):
        self.tokens.token_field = "both"
        self.first_token = len(self.tokens.issued)
        self.first_request = len(self.tokens.requests)

    def secrets_in_play(self):
        issued = self.tokens.issued[self.first_token:]
        # The whole token and its signature alone: neither may be printed.
        return (super().secrets_in_play() + [self.outsider_password, ACCESS_TOKEN] + issued
                + [token.rsplit(".", 1)[1] for token in issued])

    def test_token_server_was_used(self):
        self.assertAuthorised(self.run_with_right_credentials())
        requests = self.tokens.requests[self.first_request:]
        self.assertTrue(requests)
        self.assertTrue(all(user == USER for user, _ in requests), requests)

    def test_only_pull_and_catalog_scopes_requested(self):
        self.assertAuthorised(self.run_with_right_credentials())
        scopes = {s for _, wanted in self.tokens.requests[self.first_request:] for s in wanted}
        allowed = {"registry:catalog:*"} | {f"repository:{repo}:pull"
                                            for repo, _ in self.inventory.keys()}
        self.assertIn("registry:catalog:*", scopes)
        self.assertLessEqual(scopes, allowed)
        self.assertLessEqual({f"repository:{repo}:pull" for repo, _ in self.inventory.keys()},
                             scopes)

    def test_tokens_cached_until_expiry(self):
        # Tokens live 300 s; a sequential run never needs the same scope twice.
        self.assertAuthorised(self.run_with_right_credentials("--concurrency=1"))
        asked = [" ".join(sorted(wanted)) for _, wanted in self.tokens.requests[self.first_request:]]
        repeated = sorted({scope for scope in asked if asked.count(scope) > 1})
        self.assertEqual(repeated, [], f"token requests: {asked}")

    def test_token_field_spellings(self):
        for field in ("token", "access_token"):
            with self.subTest(field=field):
                self.tokens.token_field = field
                self.assertAuthorised(self.run_with_right_credentials())

    def test_token_without_username_goes_to_the_realm_as_bearer(self):
        # A password with no username is a token: Basic ":<token>" is what JWT
        # realms refuse, so it must reach the realm as "Bearer <token>".
        self.assertAuthorised(self.dry_run(self.registry.url, f"--password={ACCESS_TOKEN}",
                                           "--log-level=trace"))
        requests = self.tokens.requests[self.first_request:]
        self.assertTrue(requests)
        self.assertTrue(all(user == USER for user, _ in requests), requests)

    def test_user_without_rights_exits_4(self):
        self.assertRefused(self.dry_run(self.registry.url, "--username=outsider",
                                        f"--password={self.outsider_password}"))



class UnreachableTokenService(case.RegscanCase):
    """A registry whose token service gives no answer (nothing listens at its realm any more): the
    credentials were not refused, so not exit 4 with its advice to check them, but exit 3, unreachable,
    naming the token service; no secret in the output."""

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-token-")
        cls.addClassCleanup(cls.directory.cleanup)
        cls.tokens = token_server.TokenServer(certs.SigningCertificate(cls.directory.name),
                                              {USER: (PASSWORD, {"repository": {"pull"}, "registry": {"*"}})})
        cls.tokens.start()
        cls.registry = registry.Registry(token=cls.tokens)
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.tokens.stop()

    def test_exits_3_naming_the_token_service(self):
        result = self.dry_run(self.registry.url, f"--username={USER}", f"--password={PASSWORD}")
        self.assertExit(result, 3)
        self.assertLogFormat(result)
        self.assertIn(f"(token request to {self.tokens.realm}, which the registry's 401 asked for)", result.stderr)
        for secret in (PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()):
            self.assertNotIn(secret, result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
