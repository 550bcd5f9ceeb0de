"""The security rules of `regscan serve` (issue 10), on the real binary over loopback.

- no token (or a wrong one, or a forged session) -> 401 on every route but /healthz,
  the page's files and the login;
- a cross-site request with the session cookie (foreign Origin, Sec-Fetch-Site
  cross-site, no X-Regscan-CSRF header, an HTML form body) is refused and changes nothing;
- a connector's password is in no API answer, no log line (at --log-level=trace,
  while an import really uses it against a registry with Basic auth) and not in the
  bytes of the state file or anything else in the data dir;
- a body over the limit is 413, a burst over the rate is 429; security headers on
  every answer; TLS with --tls-cert/--tls-key and a Secure cookie.
"""
import base64
import json
import os
import secrets
import socket
import ssl
import tempfile
import unittest

from harness import certs, crafted, http_server, measured_run, osv_db, serve
from harness.push import ApiPusher
from harness.run import run
from harness.registry import Registry

USER = "scanner"
PASSWORD = "Pw-" + secrets.token_hex(16)  # what must never show
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'")

ROUTES = [("GET", "/metrics"), ("GET", "/api/v1/connectors"), ("POST", "/api/v1/connectors"),
          ("GET", "/api/v1/connectors/sec"), ("PUT", "/api/v1/connectors/sec"), ("DELETE", "/api/v1/connectors/sec"),
          ("POST", "/api/v1/connectors/sec/imports"), ("GET", "/api/v1/imports"), ("GET", "/api/v1/imports/1"),
          ("GET", "/api/v1/imports/1/reports"), ("GET", "/api/v1/imports/1/reports/x-report.json"),
          ("GET", "/api/v1/images"), ("GET", "/api/v1/images/1"), ("DELETE", "/api/v1/session"),
          ("GET", "/api/v1/unknown"), ("GET", "/not-a-page-file")]


def small_image():
    files = {"etc/os-release": crafted.DEBIAN_OS_RELEASE,
             "var/lib/dpkg/status": crafted.dpkg_status((b"base-files", b"12.4"))}
    return crafted.image([crafted.files_layer(files)], created="2024-01-01T00:00:00Z")


class Security(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-serve-sec-")
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry(htpasswd_users={USER: PASSWORD}).start()
        cls.addClassCleanup(cls.registry.stop)
        push_manifest_with_auth(cls.registry, "team/app:1.0", small_image())
        cls.server = serve.Server(os.path.join(cls.workdir, "serve"), db=cls.db, log_level="trace")
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def login(self):
        reply = self.server.request("POST", "/api/v1/session", {"token": self.server.token}, token=None)
        self.assertEqual(reply.status, 204, reply)
        cookie = reply.headers.get("Set-Cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertNotIn("Secure", cookie)  # plain HTTP here; see test_tls
        return cookie.split(";")[0]

    def assertSecurityHeaders(self, reply):
        self.assertEqual(reply.headers.get("Content-Security-Policy"), CSP)
        self.assertEqual(reply.headers.get("X-Content-Type-Options"), "nosniff")
        self.assertEqual(reply.headers.get("Referrer-Policy"), "no-referrer")

    def test_no_token_is_401_on_every_route(self):
        forged = "regscan_session=" + secrets.token_hex(32)
        for method, path in ROUTES:
            for headers, token in (({}, None), ({}, "0" * 64), ({}, self.server.token[:-1]),
                                   ({"Cookie": forged}, None)):
                with self.subTest(method=method, path=path, headers=headers, token=token and token[:4]):
                    reply = self.server.request(method, path, body=b"{}" if method in ("POST", "PUT") else None,
                                                headers=dict(headers, **{"Content-Type": "application/json"}),
                                                token=token)
                    self.assertEqual(reply.status, 401, reply)
                    self.assertIn("error", reply.json())
                    self.assertSecurityHeaders(reply)
        # What needs no token: health, the page's files, the login.
        self.assertEqual(self.server.request("GET", "/healthz", token=None).status, 200)
        for path, kind in (("/", "text/html"), ("/app.js", "text/javascript"), ("/style.css", "text/css")):
            reply = self.server.request("GET", path, token=None)
            self.assertEqual(reply.status, 200, path)
            self.assertTrue(reply.headers.get("Content-Type").startswith(kind), reply.headers.get("Content-Type"))
            self.assertSecurityHeaders(reply)
        self.assertEqual(self.server.request("POST", "/api/v1/session", {"token": "0" * 64}, token=None).status, 401)
        # With the token every listed route is something else than 401.
        self.assertEqual(self.server.request("GET", "/api/v1/connectors").status, 200)

    def test_token_file_is_private(self):
        mode = os.stat(self.server.token_path).st_mode & 0o777
        self.assertEqual(mode, 0o600)
        self.assertGreaterEqual(len(self.server.token), 64)
        self.assertNotIn(self.server.token, self.server.log_text())

    def test_cross_site_requests_with_the_cookie_are_refused(self):
        cookie = self.login()
        body = {"name": "csrf-made", "url": self.registry.url, "schedule": {"enabled": False, "every": "1d"}}
        own = self.server.url
        attempts = {
            "foreign Origin": {"Origin": "http://evil.example", "X-Regscan-CSRF": "1"},
            "Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": "cross-site", "X-Regscan-CSRF": "1"},
            "Sec-Fetch-Site same-site": {"Sec-Fetch-Site": "same-site", "X-Regscan-CSRF": "1", "Origin": own},
            "no CSRF header": {"Origin": own, "Sec-Fetch-Site": "same-origin"},
            "null Origin": {"Origin": "null", "X-Regscan-CSRF": "1"},
        }
        for why, headers in attempts.items():
            with self.subTest(why):
                reply = self.server.request("POST", "/api/v1/connectors", body, token=None,
                                            headers=dict(headers, Cookie=cookie))
                self.assertEqual(reply.status, 403, reply)
                self.assertSecurityHeaders(reply)
        # What an HTML form on another site can send: urlencoded, no custom header.
        form = self.server.request("POST", "/api/v1/connectors", "name=csrf-made&url=http://x", token=None,
                                   headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                                            "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
        self.assertEqual(form.status, 403, form)
        self.assertEqual(self.server.request("GET", "/api/v1/connectors/csrf-made").status, 404, "a refused POST acted")
        # Reading with the cookie works; the same POST from the page itself works too.
        self.assertEqual(self.server.request("GET", "/api/v1/connectors", token=None,
                                             headers={"Cookie": cookie}).status, 200)
        made = self.server.request("POST", "/api/v1/connectors", body, token=None, headers={
            "Cookie": cookie, "X-Regscan-CSRF": "1", "Origin": own, "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(made.status, 201, made)
        deleted = self.server.request("DELETE", "/api/v1/connectors/csrf-made", token=None,
                                      headers={"Cookie": cookie, "Origin": "http://evil.example", "X-Regscan-CSRF": "1"})
        self.assertEqual(deleted.status, 403)
        self.assertEqual(self.server.request("DELETE", "/api/v1/connectors/csrf-made").status, 204)
        # Logging out ends the session.
        out = self.server.request("DELETE", "/api/v1/session", token=None,
                                  headers={"Cookie": cookie, "X-Regscan-CSRF": "1"})
        self.assertEqual(out.status, 204)
        self.assertEqual(self.server.request("GET", "/api/v1/connectors", token=None,
                                             headers={"Cookie": cookie}).status, 401)

    def test_the_password_shows_nowhere(self):
        created = self.server.api("POST", "/api/v1/connectors", {
            "name": "sec", "url": self.registry.url, "username": USER, "password": PASSWORD,
            "schedule": {"enabled": True, "every": "6h"}, "import_now": True}, expect=201)
        self.assertTrue(created["has_password"])
        imports = self.server.api("GET", "/api/v1/imports?connector=sec")["imports"]
        self.assertEqual(len(imports), 1, imports)  # Save & Import queued one
        import_id = imports[0]["id"]
        done = self.server.wait_for_import(import_id, timeout=180)
        # The password was really used: the registry refuses anyone without it.
        self.assertEqual(done["images_found"], 1, done)
        self.assertEqual(done["state"], "succeeded", done)
        images = self.server.images(connector="sec")["images"]
        self.assertEqual(len(images), 1, images)
        # The same connector updated without a password keeps it; with one, replaces it.
        self.server.api("PUT", "/api/v1/connectors/sec", {
            "name": "sec", "url": self.registry.url, "username": USER,
            "schedule": {"enabled": True, "every": "6h"}}, expect=200)
        self.assertTrue(self.server.connector("sec")["has_password"])

        answers = []
        for path in ("/api/v1/connectors", "/api/v1/connectors/sec", "/api/v1/imports?connector=sec",
                     f"/api/v1/imports/{import_id}", f"/api/v1/imports/{import_id}/reports", "/api/v1/images",
                     f"/api/v1/images/{images[0]['id']}", "/metrics"):
            reply = self.server.request("GET", path)
            self.assertEqual(reply.status, 200, (path, reply))
            answers.append(reply.body)
        for report in self.server.api("GET", f"/api/v1/imports/{import_id}/reports")["reports"]:
            answers.append(self.server.request("GET", f"/api/v1/imports/{import_id}/reports/{report['name']}").body)
        for body in answers:
            self.assertNotIn(PASSWORD.encode(), body)
            self.assertNotIn(b'"password"', body)
        # Log lines at trace level, through a restart.
        self.server.stop()
        self.server.start()
        log = self.server.log_text()
        self.assertIn("trace", log)  # the level really was trace
        self.assertNotIn(PASSWORD, log)
        # Every byte the server keeps: the state (and its journal) and the data dir.
        kept = [self.server.state_path] + [self.server.state_path + s for s in ("-wal", "-shm", "-journal")]
        for root, _dirs, files in os.walk(self.server.data_dir):
            kept += [os.path.join(root, f) for f in files]
        checked = 0
        for path in kept:
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    data = f.read()
                self.assertNotIn(PASSWORD.encode(), data, path)
                self.assertNotIn(PASSWORD.encode("utf-16-le"), data, path)
                checked += 1
        self.assertGreaterEqual(checked, 2)

    def test_a_type_spelt_in_another_case_is_the_same_type_and_keeps_the_password(self):
        """The plugins match types case-free: the dashboard's menu sending "DEFAULT_V2" back for a
        connector saved as "default_v2" is no move, and asks for no password again."""
        self.server.api("POST", "/api/v1/connectors", {
            "name": "spelt", "url": self.registry.url, "type": "default_v2", "username": USER, "password": PASSWORD,
            "schedule": {"enabled": False, "every": "6h"}}, expect=201)
        self.server.api("PUT", "/api/v1/connectors/spelt", {"type": "DEFAULT_V2"}, expect=200)
        self.assertTrue(self.server.connector("spelt")["has_password"])
        moved = self.server.request("PUT", "/api/v1/connectors/spelt", {"type": "DOCKERHUB"})
        self.assertEqual(moved.status, 400, moved)
        self.server.api("DELETE", "/api/v1/connectors/spelt", expect=204)

    def test_a_stored_password_never_follows_the_connector_elsewhere(self):
        """Whoever holds the API token cannot read the password back: nor may they point the connector (its
        URL, type or plugin options) at a server of theirs and have the next import send it there."""
        seen = []
        catcher = http_server.Server(lambda request: http_server.Reply(401, b"", {
            "WWW-Authenticate": 'Basic realm="catch"'}), record=lambda request, reply: seen.append(
                (request.path, request.headers.get("Authorization"))))
        catcher.start()
        self.addCleanup(catcher.stop)
        connector = {"name": "moved", "url": self.registry.url, "username": USER, "password": PASSWORD,
                     "schedule": {"enabled": False, "every": "6h"}}
        self.server.api("POST", "/api/v1/connectors", connector, expect=201)
        for edit in ({"url": catcher.url}, {"options": {"hub-api": catcher.url}}, {"type": "DOCKERHUB"}):
            without_password = {k: v for k, v in connector.items() if k != "password"}
            reply = self.server.request("PUT", "/api/v1/connectors/moved", without_password | edit)
            self.assertEqual(reply.status, 400, (edit, reply))
            self.assertIn("give its password (and its secret plugin options) again", reply.json()["error"])
        # The same origin to one URL parser, the catcher to curl: refused whatever comes with it.
        authority = self.registry.url.split("://", 1)[1]
        for unclear in (f"{catcher.url}#@{authority}", f"{catcher.url}?@{authority}", authority):
            reply = self.server.request("PUT", "/api/v1/connectors/moved", {"url": unclear})
            self.assertEqual(reply.status, 400, (unclear, reply))
            self.assertRegex(reply.json()["error"], r'^"url" (is not a plain http\(s\) URL|must start with http)')
        kept = self.server.connector("moved")
        self.assertEqual(kept["url"], self.registry.url)
        self.assertEqual(kept["options"], {})
        done = self.server.wait_for_import(
            self.server.api("POST", "/api/v1/connectors/moved/imports", expect=202)["id"], timeout=180)
        self.assertEqual(done["state"], "succeeded", done)
        # Moved with its password dropped: the import reaches the new server without one.
        self.server.api("PUT", "/api/v1/connectors/moved", {"url": catcher.url, "password": None}, expect=200)
        done = self.server.wait_for_import(
            self.server.api("POST", "/api/v1/connectors/moved/imports", expect=202)["id"], timeout=180,
            states=("succeeded", "partial", "failed", "interrupted", "cancelled"))
        self.assertTrue(seen, "the import never reached the new server")
        # The username stays with the connector; the password went nowhere.
        sent = {base64.b64decode(auth.split(" ", 1)[1]).decode() for _, auth in seen if auth}
        self.assertEqual(sent, {f"{USER}:"}, seen)
        imported = [i["id"] for i in self.server.api("GET", "/api/v1/imports?connector=moved&limit=10")["imports"]]
        report_dirs = [os.path.join(self.server.data_dir, "imports", str(i)) for i in imported]
        self.assertTrue(all(os.path.isdir(d) for d in report_dirs), report_dirs)
        self.server.api("DELETE", "/api/v1/connectors/moved", expect=204)
        # Its imports' reports go with it.
        self.assertEqual([d for d in report_dirs if os.path.exists(d)], [])

    def test_a_secret_plugin_option_is_kept_like_the_password(self):
        """quay-token (SDK 1.3 "secret"): stored encrypted, never answered, never logged; an edit that
        leaves it out keeps it, and moving the connector asks for it again."""
        token = "QuayTok-" + secrets.token_hex(12)
        self.server.api("POST", "/api/v1/connectors", {
            "name": "tok", "url": "https://quay.invalid", "type": "QUAY",
            "schedule": {"enabled": False, "every": "6h"}, "options": {"namespace": "org", "quay-token": token}},
            expect=201)
        shown = self.server.connector("tok")
        self.assertEqual(shown["options"], {"namespace": "org"})
        self.assertEqual(shown["secret_options"], ["quay-token"])
        self.server.api("PUT", "/api/v1/connectors/tok", {"allow": ["team/*"]}, expect=200)
        self.assertEqual(self.server.connector("tok")["secret_options"], ["quay-token"])
        moved = self.server.request("PUT", "/api/v1/connectors/tok", {"url": "https://elsewhere.invalid"})
        self.assertEqual(moved.status, 400, moved)
        for path in ("/api/v1/connectors", "/api/v1/connectors/tok"):
            self.assertNotIn(token.encode(), self.server.request("GET", path).body)
        self.assertNotIn(token, self.server.log_text())
        for path in (self.server.state_path, self.server.state_path + "-wal"):
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    self.assertNotIn(token.encode(), f.read(), path)
        self.server.api("DELETE", "/api/v1/connectors/tok", expect=204)

    def test_body_over_the_limit_is_413(self):
        big = json.dumps({"name": "big", "url": "http://x", "pad": "a" * (2 * 1024 * 1024)})
        reply = self.server.request("POST", "/api/v1/connectors", big)
        self.assertEqual(reply.status, 413, reply)
        self.assertSecurityHeaders(reply)
        self.assertEqual(self.server.request("GET", "/api/v1/connectors/big").status, 404)
        huge_header = self.server.request("GET", "/api/v1/connectors", headers={"X-Pad": "b" * 64 * 1024})
        self.assertEqual(huge_header.status, 431, huge_header)

    def test_a_burst_over_the_rate_is_429(self):
        limited = serve.Server(os.path.join(self.workdir, "limited"), db=self.db, args=["--rate-limit=1"])
        self.addCleanup(limited.stop)
        limited.start()
        statuses = []
        # One connection, so the client is one address and the bucket one: 4 requests of burst.
        conn = limited.connection()
        try:
            for _ in range(12):
                conn.request("GET", "/api/v1/connectors", headers={"Authorization": f"Bearer {limited.token}"})
                response = conn.getresponse()
                response.read()
                statuses.append((response.status, response.headers.get("Retry-After")))
        finally:
            conn.close()
        self.assertIn(200, [s for s, _ in statuses])
        refused = [r for s, r in statuses if s == 429]
        self.assertTrue(refused, statuses)
        self.assertTrue(all(r and int(r) >= 1 for r in refused), statuses)

    def test_behind_a_tls_proxy_the_public_url_is_this_servers_origin(self):
        """A TLS-terminating proxy passes the browser's Host and Origin (https://regscan.example) through
        to a plain-HTTP server on loopback: without --public-url the login is refused as cross-origin;
        with it, it is this server's origin, and the session cookie is Secure. Another origin is still
        refused."""
        proxied = {"Host": "regscan.example", "Origin": "https://regscan.example", "Sec-Fetch-Site": "same-origin"}
        plain = self.server.request("POST", "/api/v1/session", {"token": self.server.token}, token=None,
                                    headers=proxied)
        self.assertEqual(plain.status, 403, plain)
        behind = serve.Server(os.path.join(self.workdir, "behind-proxy"), db=self.db,
                              args=["--public-url=https://regscan.example/"])
        self.addCleanup(behind.stop)
        behind.start()
        login = behind.request("POST", "/api/v1/session", {"token": behind.token}, token=None, headers=proxied)
        self.assertEqual(login.status, 204, login)
        cookie = login.headers.get("Set-Cookie")
        self.assertIn("; Secure", cookie)
        made = behind.request("POST", "/api/v1/connectors", {
            "name": "via-proxy", "url": self.registry.url, "schedule": {"enabled": False, "every": "1d"}},
            token=None, headers=dict(proxied, Cookie=cookie.split(";", 1)[0], **{"X-Regscan-CSRF": "1"}))
        self.assertEqual(made.status, 201, made)
        evil = behind.request("DELETE", "/api/v1/connectors/via-proxy", token=None, headers=dict(
            proxied, Cookie=cookie.split(";", 1)[0], Origin="https://evil.example", **{"X-Regscan-CSRF": "1"}))
        self.assertEqual(evil.status, 403, evil)
        bad = run("serve", "--public-url=https://regscan.example/dashboard", output_dir=False, timeout=30)
        self.assertEqual(bad.code, 2, bad.stderr)
        self.assertIn("--public-url must be http(s)://host[:port]", bad.stderr)

    def test_tls(self):
        ca = certs.CertificateAuthority(tempfile.mkdtemp(dir=self.workdir))
        secure = serve.Server(os.path.join(self.workdir, "tls"), db=self.db, tls=ca)
        self.addCleanup(secure.stop)
        secure.start()
        self.assertTrue(secure.url.startswith("https://"))
        self.assertEqual(secure.request("GET", "/api/v1/connectors").status, 200)
        login = secure.request("POST", "/api/v1/session", {"token": secure.token}, token=None)
        self.assertEqual(login.status, 204)
        self.assertIn("Secure", login.headers.get("Set-Cookie"))
        # Plain HTTP to the TLS port gets no HTTP answer.
        with socket.create_connection(("127.0.0.1", secure.port), timeout=10) as raw:
            raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                answer = raw.recv(100)
            except (ConnectionResetError, socket.timeout):
                answer = b""
        self.assertFalse(answer.startswith(b"HTTP/1.1 200"), answer)
        # A client that does not trust the CA is refused by its own check.
        context = ssl.create_default_context()
        with self.assertRaises(ssl.SSLError):
            with socket.create_connection(("127.0.0.1", secure.port), timeout=10) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                    pass


def push_manifest_with_auth(registry, target, manifest):
    """push.push_manifest through Basic auth (the registry refuses anonymous pushes)."""
    pusher = ApiPusher(registry, creds=(USER, PASSWORD))
    repo, tag = target.rsplit(":", 1)
    for blob in manifest.dependencies:
        pusher.upload_blob(repo, blob.data)
    pusher.put_manifest(repo, tag, manifest.media_type, manifest.data)
    pusher.close()


if __name__ == "__main__":
    unittest.main()
