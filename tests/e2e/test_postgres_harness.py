"""The PostgreSQL harness itself (harness/postgres.py), in a few seconds: what the fleet tests rely on
(a password-checked TCP URL, a restart on the same port that keeps the data and cuts clients, a
teardown that leaves no server and no files) must hold, or their failures would mislead."""
import os
import subprocess
import unittest

from harness.postgres import Postgres


def psql(url, sql):
    return subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                          capture_output=True, text=True, timeout=30, env=dict(os.environ, PGCONNECT_TIMEOUT="5"))


class PostgresHarness(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = Postgres()
        cls.addClassCleanup(cls.pg.close)
        cls.pg.start()

    def test_url_logs_in_as_the_role_that_owns_the_database(self):
        result = psql(self.pg.url, "SELECT current_user, current_database(), inet_server_addr()")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), f"{self.pg.user}|{self.pg.database}|127.0.0.1")
        # The role can create tables in its database (PostgreSQL 15 revoked CREATE on public from PUBLIC).
        self.assertEqual(psql(self.pg.url, "CREATE TABLE owned_by_role (x int)").returncode, 0)

    def test_tcp_wants_the_password(self):
        wrong = self.pg.url.replace(self.pg.password, "not-the-password")
        result = psql(wrong, "SELECT 1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("password authentication failed", result.stderr)
        self.assertNotIn(self.pg.password, self.pg.redacted_url)

    def test_socket_url_reaches_the_same_server(self):
        result = psql(self.pg.socket_url, "SELECT current_user")
        self.assertEqual((result.returncode, result.stdout.strip()), (0, self.pg.user), result.stderr)

    def test_query_returns_rows_with_nulls(self):
        self.assertEqual(self.pg.query("SELECT 1, NULL, '' UNION ALL SELECT 2, 'a|b', 'x'"),
                         [("1", None, ""), ("2", "a|b", "x")])
        with self.assertRaisesRegex(RuntimeError, "no_such_table"):
            self.pg.query("SELECT * FROM no_such_table")

    def test_restart_keeps_port_and_data_and_cuts_clients(self):
        self.pg.query("CREATE TABLE IF NOT EXISTS survives (x int); INSERT INTO survives VALUES (7)")
        port, url = self.pg.port, self.pg.url
        # A client holding a connection across the restart sees it cut, then a new one works.
        client = subprocess.Popen(["psql", "-X", "-A", "-t", url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        client.stdin.write("SELECT 'before';\n")
        client.stdin.flush()
        self.assertEqual(client.stdout.readline().strip(), "before")
        self.pg.restart()
        self.addCleanup(client.kill)
        client.stdin.write("SELECT 'after';\n")
        client.stdin.close()
        err = client.stderr.read()
        client.wait(timeout=30)
        client.stdout.close()
        client.stderr.close()
        self.assertRegex(err, "terminat|server closed the connection")
        self.assertEqual(self.pg.port, port)
        self.assertEqual(self.pg.query("SELECT x FROM survives"), [("7",)])
        result = psql(url, "SELECT 1")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_close_removes_the_server_and_its_files(self):
        other = Postgres()
        other.start()
        process, directory, url = other.process, other.dir, other.url
        other.close()
        self.assertIsNotNone(process.poll())
        self.assertFalse(os.path.exists(directory))
        self.assertNotEqual(psql(url, "SELECT 1").returncode, 0)
        other.close()  # twice is harmless


if __name__ == "__main__":
    unittest.main()
