"""Docker's credentials: ~/.docker/config.json and $DOCKER_CONFIG/config.json,
their `auths` entries, and credHelpers / credsStore through a
docker-credential-<name> program this test writes on a temporary PATH (the
docker-credential-helpers protocol: `get`, the server URL on stdin, JSON on
stdout, "credentials not found" and exit 1 when it has none).

Against real registries requiring auth (htpasswd Basic, and a Bearer token
server), for `regscan registry` and `regscan image`: docker's credentials come
after the command line and the environment and before regscan's config file; a
refusal names the file and the helper (never the value); no secret is printed,
even at trace level.

Identity tokens (an `identitytoken` in an auths entry, or a helper answering
the username "<token>") are OAuth2 refresh tokens: the token server here takes
them only as a POST grant_type=refresh_token form and issues the bearer the
real registry behind it verifies.
"""
import base64
import json
import os
import re
import secrets
import stat
import tempfile
import unittest

from harness import case, certs, content, http_server, oci_layout as oci, push, registry, token_server

USER = "reader"
PASSWORD = "Pw-" + secrets.token_hex(12)
WRONG = "Wrong-" + secrets.token_hex(12)
IDENTITY_TOKEN = "Idt-" + secrets.token_hex(16)
WRONG_IDENTITY_TOKEN = "BadIdt-" + secrets.token_hex(16)
# What docker login keeps beside an identity token (ACR's user, empty password).
TOKEN_USER = "00000000-0000-0000-0000-000000000000"
IMAGES = {("team/app", "1.0"): "2019-01-01T01:29:27Z",
          ("other/tool", "latest"): "2022-02-02T02:02:02Z"}

HELPER = """#!/usr/bin/env python3
# docker-credential-{name}: answers `get` from a JSON file of server -> [user, secret] (or a list of
# such pairs, answered in turn at each look-up: a rotating token), and appends every server URL it
# is asked for to a log file.
import json, sys
if sys.argv[1:] != ["get"]:
    sys.exit(3)
server = sys.stdin.readline().strip()
with open({log!r}, "a") as log:
    log.write(server + "\\n")
with open({store!r}) as f:
    store = json.load(f)
if server not in store:
    print("credentials not found in native keychain")
    sys.exit(1)
entry = store[server]
if entry and isinstance(entry[0], list):
    with open({log!r}) as log:
        entry = entry[(len(log.read().split()) - 1) % len(entry)]
user, secret = entry
json.dump({{"ServerURL": server, "Username": user, "Secret": secret}}, sys.stdout)
"""


def b64(text):
    return base64.b64encode(text.encode()).decode()


class DockerDirectory:
    """A docker config directory, a bin/ directory for helpers, and the
    environment pointing regscan at them."""

    def __init__(self, test):
        self.directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-docker-")
        test.addCleanup(self.directory.cleanup)
        self.root = self.directory.name
        self.home = os.path.join(self.root, "home")
        self.config_dir = os.path.join(self.home, ".docker")
        self.bin = os.path.join(self.root, "bin")
        os.makedirs(self.config_dir)
        os.makedirs(self.bin)

    @property
    def config_path(self):
        return os.path.join(self.config_dir, "config.json")

    def write_config(self, config, path=None):
        with open(path or self.config_path, "w") as f:
            json.dump(config, f)

    def helper(self, name, store):
        """docker-credential-<name> answering from `store` ({server: (user, secret)}, or a list of pairs
        answered in turn);
        returns the path of the file listing the servers it was asked for."""
        store_path = os.path.join(self.root, f"{name}-store.json")
        log_path = os.path.join(self.root, f"{name}-asked.log")
        with open(store_path, "w") as f:
            json.dump(store, f)
        path = os.path.join(self.bin, f"docker-credential-{name}")
        with open(path, "w") as f:
            f.write(HELPER.format(name=name, log=log_path, store=store_path))
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return log_path

    def signal_recording_helper(self, name, user, secret):
        """docker-credential-<name>, a shell script answering every server with `user`/`secret`, that
        first records the signals it started with ignored and blocked (/proc's SigIgn and SigBlk, read
        by its own grep, which inherits both); returns the path of that record."""
        record = os.path.join(self.root, f"{name}-signals")
        path = os.path.join(self.bin, f"docker-credential-{name}")
        with open(path, "w") as f:
            f.write(f"#!/bin/sh\ngrep -E '^Sig(Ign|Blk):' /proc/self/status > {record}\nread server\n"
                    f"printf '{{\"ServerURL\":\"%s\",\"Username\":\"{user}\",\"Secret\":\"{secret}\"}}' "
                    f"\"$server\"\n")
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return record

    def env(self, **extra):
        env = {"HOME": self.home, "PATH": self.bin + ":" + os.environ.get("PATH", "/usr/bin:/bin")}
        env.update(extra)
        return env


def signals_not_at_default(record):
    """From a signal_recording_helper's record, what regscan could have passed on: SIGPIPE ignored, or
    SIGPIPE, SIGINT or SIGTERM blocked ("SIGPIPE ignored", ...). (An ignored SIGINT may come from whoever
    started the tests: a background job of a shell ignores it.)"""
    with open(record) as f:
        masks = {name: int(value, 16) for name, value in (line.split(":") for line in f.read().splitlines())}
    checks = [("SIGPIPE", 13, "SigIgn", "ignored")] + [(name, number, "SigBlk", "blocked") for name, number in
                                                       (("SIGPIPE", 13), ("SIGINT", 2), ("SIGTERM", 15))]
    return [f"{name} {how}" for name, number, mask, how in checks if masks[mask] & (1 << (number - 1))]


def asked(log_path):
    if not os.path.exists(log_path):
        return []
    with open(log_path) as f:
        return f.read().split()


class DockerCredentials:
    """Tests shared by both auth schemes; the class sets registry, inventory."""

    def setUp(self):
        self.docker = DockerDirectory(self)

    def secrets_in_play(self):
        return [PASSWORD, WRONG, b64(f"{USER}:{PASSWORD}"), b64(f"{USER}:{WRONG}"),
                IDENTITY_TOKEN, WRONG_IDENTITY_TOKEN]

    def identity_auths(self, token):
        return {"auths": {self.registry.host: {"auth": b64(f"{TOKEN_USER}:"), "identitytoken": token}}}

    def assertNoSecrets(self, result):
        report = ""
        if os.path.exists(result.report_path(self.registry.host)):
            with open(result.report_path(self.registry.host)) as f:
                report = f.read()
        for secret in self.secrets_in_play():
            for name, text in (("stdout", result.stdout), ("stderr", result.stderr), ("report", report)):
                self.assertNotIn(secret, text, f"a secret leaked into {name}")

    def assertAuthorised(self, result):
        self.assertInventory(result, self.registry.host, self.inventory.rows())
        self.assertNoSecrets(result)

    def assertRefusedNaming(self, result, source):
        self.assertExit(result, 4)
        self.assertLogFormat(result)
        self.assertLogged(result, "the credentials from " + source.replace("(", r"\(").replace(")", r"\)")
                          .replace(".", r"\.") + " were refused; check them, or give others with", "error")
        self.assertNoSecrets(result)

    def auths(self, password, key=None):
        return {"auths": {key or self.registry.host: {"auth": b64(f"{USER}:{password}")}}}

    # auths entries

    def test_auths_entry_in_home(self):
        self.docker.write_config(self.auths(PASSWORD))
        self.assertAuthorised(self.dry_run(self.registry.url, "--log-level=trace", env=self.docker.env()))

    def test_auths_key_with_scheme_and_path(self):
        self.docker.write_config(self.auths(PASSWORD, key=f"http://{self.registry.host}/v2/"))
        self.assertAuthorised(self.dry_run(self.registry.url, env=self.docker.env()))

    def test_auths_username_and_password_fields(self):
        self.docker.write_config({"auths": {self.registry.host: {"username": USER, "password": PASSWORD}}})
        self.assertAuthorised(self.dry_run(self.registry.url, env=self.docker.env()))

    def test_docker_config_variable_wins_over_home(self):
        self.docker.write_config(self.auths(WRONG))
        elsewhere = os.path.join(self.docker.root, "elsewhere")
        os.makedirs(elsewhere)
        self.docker.write_config(self.auths(PASSWORD), path=os.path.join(elsewhere, "config.json"))
        self.assertAuthorised(self.dry_run(self.registry.url, env=self.docker.env(DOCKER_CONFIG=elsewhere)))

    def test_wrong_auths_entry_exits_4_naming_the_file(self):
        self.docker.write_config(self.auths(WRONG))
        result = self.dry_run(self.registry.url, "--log-level=trace", env=self.docker.env())
        self.assertRefusedNaming(result, f"docker config {self.docker.config_path} (auths: {self.registry.host})")

    def test_entry_of_another_registry_is_not_used(self):
        self.docker.write_config(self.auths(PASSWORD, key="127.0.0.1:1"))
        result = self.dry_run(self.registry.url, env=self.docker.env())
        self.assertExit(result, 4)
        self.assertLogged(result, "no credentials were given; give them with", "error")

    # credential helpers

    def test_cred_helper_for_the_host(self):
        log = self.docker.helper("test", {self.registry.host: [USER, PASSWORD]})
        self.docker.write_config({"credHelpers": {self.registry.host: "test"}})
        self.assertAuthorised(self.dry_run(self.registry.url, "--log-level=trace", env=self.docker.env()))
        self.assertEqual(asked(log), [self.registry.host], "the helper is asked once, for host:port")

    def test_helper_starts_with_default_signal_handling(self):
        """regscan ignores SIGPIPE (and blocks SIGINT/SIGTERM outside its stop-signal thread); a helper
        inheriting that would not stop when its reader goes away (or when it is told to)."""
        record = self.docker.signal_recording_helper("sig", USER, PASSWORD)
        self.docker.write_config({"credHelpers": {self.registry.host: "sig"}})
        self.assertAuthorised(self.dry_run(self.registry.url, env=self.docker.env()))
        self.assertEqual(signals_not_at_default(record), [])

    def test_creds_store_default(self):
        log = self.docker.helper("store", {self.registry.host: [USER, PASSWORD]})
        self.docker.write_config({"credsStore": "store", "auths": {self.registry.host: {}}})
        self.assertAuthorised(self.dry_run(self.registry.url, env=self.docker.env()))
        self.assertEqual(asked(log), [self.registry.host])

    def test_cred_helper_wins_over_creds_store(self):
        self.docker.helper("test", {self.registry.host: [USER, PASSWORD]})
        store_log = self.docker.helper("store", {self.registry.host: [USER, WRONG]})
        self.docker.write_config({"credsStore": "store", "credHelpers": {self.registry.host: "test"}})
        self.assertAuthorised(self.dry_run(self.registry.url, env=self.docker.env()))
        self.assertEqual(asked(store_log), [])

    def test_helper_without_the_credentials_falls_back_to_auths(self):
        log = self.docker.helper("store", {})
        config = self.auths(PASSWORD)
        config["credsStore"] = "store"
        self.docker.write_config(config)
        self.assertAuthorised(self.dry_run(self.registry.url, env=self.docker.env()))
        self.assertEqual(asked(log), [self.registry.host])

    def test_refused_helper_credentials_name_the_helper(self):
        self.docker.helper("test", {self.registry.host: [USER, WRONG]})
        self.docker.write_config({"credHelpers": {self.registry.host: "test"}})
        result = self.dry_run(self.registry.url, "--log-level=trace", env=self.docker.env())
        self.assertRefusedNaming(result, f"docker config {self.docker.config_path} (credHelpers: test)")

    def test_helper_missing_from_path_is_a_warning(self):
        self.docker.write_config({"credHelpers": {self.registry.host: "absent"}})
        result = self.dry_run(self.registry.url, env=self.docker.env())
        self.assertExit(result, 4)
        self.assertLogged(result, r"credHelpers names docker-credential-absent, which is not on PATH", "warning")
        self.assertLogged(result, "no credentials were given", "error")

    def test_control_characters_in_names_are_escaped_once(self):
        # The log sink escapes them; the message must not escape them again.
        self.docker.write_config({"credHelpers": {self.registry.host: "a\x1b[31mb"}})
        result = self.dry_run(self.registry.url, env=self.docker.env())
        self.assertExit(result, 4)
        self.assertNotIn("\x1b", result.stderr)
        self.assertLogged(result, re.escape("credHelpers names 'a\\e[31mb', not a credential helper name"), "warning")

    def test_helper_in_working_directory_is_not_run(self):
        # Only PATH is searched, and an empty PATH entry is not the working directory.
        with tempfile.TemporaryDirectory(prefix="regscan-e2e-cwd-") as cwd:
            planted = os.path.join(cwd, "docker-credential-test")
            with open(planted, "w") as f:
                f.write(f"#!/bin/sh\ntouch {cwd}/ran\necho '{{\"Username\":\"{USER}\",\"Secret\":\"{PASSWORD}\"}}'\n")
            os.chmod(planted, 0o755)
            self.docker.write_config({"credHelpers": {self.registry.host: "test"}})
            result = self.dry_run(self.registry.url, cwd=cwd,
                                  env=self.docker.env(PATH=":" + self.docker.bin + ":/usr/bin:/bin"))
            self.assertExit(result, 4)
            self.assertFalse(os.path.exists(os.path.join(cwd, "ran")))

    # order: command line, environment, docker, regscan's config file

    def test_command_line_wins_over_docker(self):
        self.docker.write_config(self.auths(WRONG))
        self.assertAuthorised(self.dry_run(self.registry.url, f"--username={USER}", f"--password={PASSWORD}",
                                           env=self.docker.env()))

    def test_environment_wins_over_docker(self):
        self.docker.write_config(self.auths(WRONG))
        env = self.docker.env(REGSCAN_REGISTRY_USERNAME=USER, REGSCAN_REGISTRY_PASSWORD=PASSWORD)
        self.assertAuthorised(self.dry_run(self.registry.url, env=env))

    def test_docker_wins_over_config_file(self):
        self.docker.write_config(self.auths(PASSWORD))
        path = os.path.join(self.docker.root, "regscan.conf")
        with open(path, "w") as f:
            f.write(f"username = {USER}\npassword = {WRONG}\n")
        self.assertAuthorised(self.dry_run(self.registry.url, f"--config={path}", env=self.docker.env()))

    # regscan image

    def test_image_command_uses_docker_credentials(self):
        self.docker.helper("test", {self.registry.host: [USER, PASSWORD]})
        self.docker.write_config({"credHelpers": {self.registry.host: "test"}})
        reference = f"http://{self.registry.host}/team/app:1.0"
        result = self.regscan("image", reference, "--mode=dry-run", env=self.docker.env())
        self.assertExit(result, 0)
        self.assertNoSecrets(result)
        self.docker.helper("test", {self.registry.host: [USER, WRONG]})
        refused = self.regscan("image", reference, "--mode=dry-run", env=self.docker.env())
        self.assertExit(refused, 4)
        self.assertLogged(refused, r"^the registry refused access to " + reference +
                          r": the credentials from docker config .* \(credHelpers: test\) were refused", "error")
        self.assertNoSecrets(refused)

    # identity tokens

    def test_identity_token_never_answers_a_basic_challenge(self):
        # Only a Bearer token service exchanges it; where the registry asks for
        # Basic, nothing is sent (not even "user:"), and the refusal says why.
        self.docker.write_config(self.identity_auths(IDENTITY_TOKEN))
        result = self.dry_run(self.registry.url, "--log-level=trace", env=self.docker.env())
        if self.BEARER:
            self.assertAuthorised(result)
            return
        self.assertExit(result, 4)
        self.assertLogged(result, "an identity token is only exchanged at a Bearer token service", "error")
        self.assertLogged(result, re.escape(f"the identity token from docker config {self.docker.config_path} "
                                            f"(auths: {self.registry.host}) was refused"), "error")
        self.assertNoSecrets(result)


def build(reg, creds):
    inventory = content.Inventory(reg.host)
    manifests = {}
    for (repo, tag), created in IMAGES.items():
        manifests[f"{repo}:{tag}"] = oci.image(created)
        inventory.add(repo, tag, {"": created})
    push.skopeo_push(reg, manifests, creds=creds)
    return inventory


class BasicAuth(DockerCredentials, case.RegscanCase):
    BEARER = False

    @classmethod
    def setUpClass(cls):
        cls.registry = registry.Registry(htpasswd_users={USER: PASSWORD})
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.inventory = build(cls.registry, (USER, PASSWORD))


class BearerAuth(DockerCredentials, case.RegscanCase):
    BEARER = True

    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.TemporaryDirectory(prefix="regscan-e2e-token-")
        cls.addClassCleanup(cls.directory.cleanup)
        cls.pusher_password = "Push-" + secrets.token_hex(8)
        cls.tokens = token_server.TokenServer(
            certs.SigningCertificate(cls.directory.name),
            {USER: (PASSWORD, {"repository": {"pull"}, "registry": {"*"}}),
             "pusher": (cls.pusher_password, {"repository": {"pull", "push"}})},
            refresh_tokens={IDENTITY_TOKEN: USER})
        cls.addClassCleanup(cls.tokens.stop)
        cls.tokens.start()
        cls.registry = registry.Registry(token=cls.tokens)
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.inventory = build(cls.registry, ("pusher", cls.pusher_password))

    def setUp(self):
        super().setUp()
        self.first_token = len(self.tokens.issued)

    def secrets_in_play(self):
        issued = self.tokens.issued[self.first_token:]
        return (super().secrets_in_play() + [self.pusher_password] + issued
                + [token.rsplit(".", 1)[1] for token in issued])

    def test_token_server_saw_the_docker_user(self):
        first = len(self.tokens.requests)
        self.docker.helper("test", {self.registry.host: [USER, PASSWORD]})
        self.docker.write_config({"credHelpers": {self.registry.host: "test"}})
        self.assertAuthorised(self.dry_run(self.registry.url, env=self.docker.env()))
        requests = self.tokens.requests[first:]
        self.assertTrue(requests)
        self.assertTrue(all(user == USER for user, _ in requests), requests)

    def assertExchangedIdentityToken(self, first_get, first_post):
        """Every token came from the refresh_token grant, as docker sends it, for
        the scopes a dry run needs; no GET reached the token server."""
        self.assertEqual(self.tokens.requests[first_get:], [], "an identity token is never sent in a GET")
        posts = self.tokens.oauth_requests[first_post:]
        self.assertTrue(posts)
        for user, scopes, form in posts:
            self.assertEqual(user, USER, form.keys())
            self.assertEqual({k: v for k, v in form.items() if k != "refresh_token"},
                             {"grant_type": ["refresh_token"], "service": [self.tokens.service],
                              "scope": [" ".join(scopes)], "client_id": ["regscan"]})
        allowed = {"registry:catalog:*"} | {f"repository:{repo}:pull" for repo, _ in self.inventory.keys()}
        wanted = {scope for _, scopes, _ in posts for scope in scopes}
        self.assertIn("registry:catalog:*", wanted)
        self.assertLessEqual(wanted, allowed)

    def test_identity_token_in_auths(self):
        first_get, first_post = len(self.tokens.requests), len(self.tokens.oauth_requests)
        self.docker.write_config(self.identity_auths(IDENTITY_TOKEN))
        self.assertAuthorised(self.dry_run(self.registry.url, "--log-level=trace", env=self.docker.env()))
        self.assertExchangedIdentityToken(first_get, first_post)

    def test_identity_token_alone_in_auths(self):
        first_get, first_post = len(self.tokens.requests), len(self.tokens.oauth_requests)
        self.docker.write_config({"auths": {self.registry.host: {"identitytoken": IDENTITY_TOKEN}}})
        self.assertAuthorised(self.dry_run(self.registry.url, env=self.docker.env()))
        self.assertExchangedIdentityToken(first_get, first_post)

    def test_identity_token_from_credential_helper(self):
        first_get, first_post = len(self.tokens.requests), len(self.tokens.oauth_requests)
        log = self.docker.helper("test", {self.registry.host: ["<token>", IDENTITY_TOKEN]})
        self.docker.write_config({"credHelpers": {self.registry.host: "test"}})
        self.assertAuthorised(self.dry_run(self.registry.url, "--log-level=trace", env=self.docker.env()))
        self.assertEqual(asked(log), [self.registry.host])
        self.assertExchangedIdentityToken(first_get, first_post)

    def test_wrong_identity_token_exits_4_naming_the_source(self):
        # The token server echoes the refused token in its error text: it must
        # not reach the output either.
        first_post = len(self.tokens.oauth_requests)
        self.docker.write_config(self.identity_auths(WRONG_IDENTITY_TOKEN))
        result = self.dry_run(self.registry.url, "--log-level=trace", env=self.docker.env())
        self.assertExit(result, 4)
        self.assertLogFormat(result)
        self.assertLogged(result, re.escape(f"the identity token from docker config {self.docker.config_path} "
                                            f"(auths: {self.registry.host}) was refused; check it"), "error")
        self.assertLogged(result, "invalid_grant", "error")
        self.assertNoSecrets(result)
        self.assertTrue(any(form.get("refresh_token") == [WRONG_IDENTITY_TOKEN]
                            for _, _, form in self.tokens.oauth_requests[first_post:]))

    def test_wrong_identity_token_from_helper_names_the_helper(self):
        self.docker.helper("test", {self.registry.host: ["<token>", WRONG_IDENTITY_TOKEN]})
        self.docker.write_config({"credHelpers": {self.registry.host: "test"}})
        reference = f"http://{self.registry.host}/team/app:1.0"
        result = self.regscan("image", reference, "--mode=dry-run", "--log-level=trace", env=self.docker.env())
        self.assertExit(result, 4)
        self.assertLogged(result, r"^the registry refused access to " + re.escape(reference) +
                          r": the identity token from docker config .* \(credHelpers: test\) was refused", "error")
        self.assertNoSecrets(result)

    def test_rotated_refresh_token_is_presented_next(self):
        # The service answers each exchange with a new refresh token and takes
        # the old one back: every exchange must present the latest, even with
        # several images read at once.
        first_post = len(self.tokens.oauth_requests)
        first_rotated = len(self.tokens.refresh_tokens_issued)
        rotating = "Rot0-" + secrets.token_hex(16)
        self.tokens.refresh_tokens[rotating] = USER
        self.tokens.rotate_refresh_tokens = True
        self.addCleanup(setattr, self.tokens, "rotate_refresh_tokens", False)
        self.docker.write_config(self.identity_auths(rotating))
        result = self.dry_run(self.registry.url, "--log-level=trace", "--concurrency=4", env=self.docker.env())
        self.assertAuthorised(result)
        rotated = self.tokens.refresh_tokens_issued[first_rotated:]
        for secret in [rotating] + rotated:
            for text in (result.stdout, result.stderr):
                self.assertNotIn(secret, text)
        presented = [form["refresh_token"][0] for _, _, form in self.tokens.oauth_requests[first_post:]]
        self.assertGreater(len(presented), 1)
        self.assertEqual(presented, [rotating] + rotated[:len(presented) - 1])

    def test_image_command_with_identity_token(self):
        self.docker.write_config(self.identity_auths(IDENTITY_TOKEN))
        result = self.regscan("image", f"http://{self.registry.host}/team/app:1.0", "--mode=dry-run",
                              "--log-level=trace", env=self.docker.env())
        self.assertExit(result, 0)
        self.assertNoSecrets(result)


class IdentityTokenOrigins(case.RegscanCase):
    """The identity token travels in a POST body: a token realm redirecting to
    another origin must not get it re-sent there (only Authorization headers
    were dropped on such redirects before), and a plain-http realm of an https
    registry gets nothing. A registry front challenges with a realm on a second
    server, which redirects to a third that records all."""

    def setUp(self):
        self.docker = DockerDirectory(self)
        self.status = 307
        self.seen = []  # (method, path, body) at the third server
        self.sink = http_server.Server(self._sink).start()
        self.addCleanup(self.sink.stop)
        self.realm = http_server.Server(
            lambda request: http_server.Reply(self.status, b"", {"Location": f"{self.sink.url}/token"})).start()
        self.addCleanup(self.realm.stop)
        self.front = self.registry_front(self.realm.url)

    def registry_front(self, realm_url, tls=None):
        """A registry answering every request with a Bearer challenge naming
        `realm_url`; docker's config holds an identity token for it."""
        challenge = f'Bearer realm="{realm_url}/token",service="svc",scope="registry:catalog:*"'
        front = http_server.Server(lambda request: http_server.json_reply(
            401, {"errors": [{"code": "UNAUTHORIZED"}]}, {"WWW-Authenticate": challenge}), tls=tls).start()
        self.addCleanup(front.stop)
        self.docker.write_config({"auths": {f"{front.address}:{front.port}": {"identitytoken": IDENTITY_TOKEN}}})
        return front

    def _sink(self, request):
        self.seen.append((request.method, request.path, request.body.decode(errors="replace")))
        return http_server.json_reply(400, {"error": "invalid_grant"})

    def run_against_front(self):
        result = self.dry_run(self.front.url, "--log-level=trace", env=self.docker.env())
        self.assertExit(result, 4)
        for text in (result.stdout, result.stderr):
            self.assertNotIn(IDENTITY_TOKEN, text)
        self.assertEqual([m for m, _, _ in self.realm.log][:1], ["POST"], self.realm.log)
        return result

    def test_cross_origin_307_does_not_carry_the_token(self):
        for status in (307, 308, 301, 302):
            with self.subTest(status=status):
                self.status = status
                del self.seen[:]
                result = self.run_against_front()
                self.assertEqual(self.seen, [], "the redirect target got the request")
                self.assertLogged(result, f"identity token exchange \\(OAuth2\\) at .* failed: HTTP {status}",
                                  "error")

    def test_https_registry_with_an_http_realm_gets_no_token(self):
        ca = certs.CertificateAuthority(self.docker.root)
        front = self.registry_front(self.sink.url, tls=ca)
        result = self.dry_run(front.url, f"--ca-cert={ca.ca_cert}", "--log-level=trace", env=self.docker.env())
        self.assertExit(result, 4)
        self.assertTrue(front.log, f"{result!r}")
        self.assertEqual(self.seen, [], "the plain-http realm was asked")
        self.assertLogged(result, "plain http while the registry is https: refused", "error")
        for text in (result.stdout, result.stderr):
            self.assertNotIn(IDENTITY_TOKEN, text)

    def test_cross_origin_303_is_followed_without_the_body(self):
        # The control: redirects are followed, a 303 as a GET with no body.
        self.status = 303
        self.run_against_front()
        self.assertTrue(self.seen)
        for method, path, body in self.seen:
            self.assertEqual((method, body), ("GET", ""))
            self.assertNotIn(IDENTITY_TOKEN, path)


if __name__ == "__main__":
    unittest.main()
