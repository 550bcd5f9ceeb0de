"""Docker's credentials in the long-running commands. `regscan serve`: a connector without a username
or password of its own uses docker's credentials for its registry (credHelpers, credsStore, auths of
~/.docker/config.json in the server's environment), as `regscan registry` does, looked up again at
each import so that a helper's rotated credentials are the ones used; a connector's own are never
replaced by them. `regscan worker`: without credentials of its own, docker's for each job's registry,
looked up again past --docker-refresh (at 0s for every image: a helper's rotated answer makes a new
session).
Against a real htpasswd registry, with a docker-credential-<name> program the test writes (the
docker-credential-helpers protocol); no secret reaches a log or the API."""
import json
import os
import secrets
import sqlite3
import tempfile
import unittest

from harness import http_server, osv_db, serve
from harness import registry as registries
from harness.measured_run import temp_dir
from harness.run import run
from test_docker_credentials import (IMAGES, PASSWORD, USER, WRONG, DockerDirectory, asked, build,
                                     signals_not_at_default)

SECOND_USER = "second"
SECOND_PASSWORD = "Pw2-" + secrets.token_hex(12)


class RegistryBehindDockerLogin(unittest.TestCase):
    """An htpasswd registry holding IMAGES, and docker's config naming a helper for it (self.docker)."""

    @classmethod
    def setUpClass(cls):
        cls.workdir = temp_dir(prefix="regscan-e2e-docker-long-")
        cls.registry = registries.Registry(htpasswd_users={USER: PASSWORD, SECOND_USER: SECOND_PASSWORD})
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        build(cls.registry, (USER, PASSWORD))
        cls.db = osv_db.make_db(cls.workdir)

    def setUp(self):
        self.docker = DockerDirectory(self)
        self.asked_log = self.answer(PASSWORD)
        self.docker.write_config({"credHelpers": {self.registry.host: "test"}})

    def answer(self, password):
        """The helper answers (USER, password) for the registry from now on."""
        return self.docker.helper("test", {self.registry.host: [USER, password]})


class WorkerDockerCredentials(RegistryBehindDockerLogin):
    def test_a_worker_without_credentials_uses_dockers_for_the_jobs_registry(self):
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        queued = run("registry", self.registry.url, "--state", state, "--db", self.db, "--enqueue",
                     "--no-progress", env=self.docker.env())
        self.assertEqual(queued.code, 0, queued.stderr)
        self.assertEqual(asked(self.asked_log), [self.registry.host])  # the enqueuing run's discovery
        worker = run("worker", "--state", state, "--db", self.db, "--exit-when-idle", "--poll", "100ms",
                     env=self.docker.env(), output_dir=False, timeout=240)
        self.assertEqual(worker.code, 0, worker.stderr)
        self.assertRegex(worker.stderr, r"Credentials for http://%s from docker config \S+ \(credHelpers: test\)"
                         % self.registry.host.replace(".", r"\."))
        with sqlite3.connect(state) as db:
            states = db.execute("SELECT state, count(*) FROM work_queue GROUP BY state").fetchall()
        self.assertEqual(states, [("done", len(IMAGES))], worker.stderr[-3000:])
        self.assertEqual(asked(self.asked_log), [self.registry.host] * 2, "once per registry in the worker")
        for secret in (PASSWORD, WRONG):
            self.assertNotIn(secret, queued.stdout + queued.stderr + worker.stdout + worker.stderr)


    def test_the_helper_a_worker_starts_has_its_signals_at_their_defaults(self):
        """The worker ignores SIGPIPE (and blocks SIGINT/SIGTERM outside its signal thread); the helper
        it starts for a job's registry must not inherit that."""
        record = self.docker.signal_recording_helper("test", USER, PASSWORD)
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        queued = run("registry", self.registry.url, "--state", state, "--db", self.db, "--enqueue",
                     "--no-progress", env=self.docker.env())
        self.assertEqual(queued.code, 0, queued.stderr)
        os.unlink(record)  # the enqueuing run's helper: only the worker's is looked at
        worker = run("worker", "--state", state, "--db", self.db, "--exit-when-idle", "--poll", "100ms",
                     env=self.docker.env(), output_dir=False, timeout=240)
        self.assertEqual(worker.code, 0, worker.stderr)
        self.assertEqual(signals_not_at_default(record), [])

    def test_docker_refresh_0s_looks_dockers_up_for_every_image_and_a_change_makes_a_new_session(self):
        """--docker-refresh (default 10m, above: once per registry) at 0s: the helper is asked for each
        image; its answer rotates at each look-up, so the second image is pulled with other credentials,
        through a new session, and both succeed."""
        self.docker.write_config({"credHelpers": {self.registry.host: "rotating"}})
        rotating = self.docker.helper("rotating", {self.registry.host: [[USER, PASSWORD],
                                                                        [SECOND_USER, SECOND_PASSWORD]]})
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        queued = run("registry", self.registry.url, "--state", state, "--db", self.db, "--enqueue",
                     "--no-progress", env=self.docker.env())
        self.assertEqual(queued.code, 0, queued.stderr)
        worker = run("worker", "--state", state, "--db", self.db, "--exit-when-idle", "--poll", "100ms",
                     "--concurrency", "1", "--docker-refresh", "0s", env=self.docker.env(), output_dir=False,
                     timeout=240)
        self.assertEqual(worker.code, 0, worker.stderr)
        with sqlite3.connect(state) as db:
            states = db.execute("SELECT state, count(*) FROM work_queue GROUP BY state").fetchall()
        self.assertEqual(states, [("done", len(IMAGES))], worker.stderr[-3000:])
        self.assertEqual(asked(rotating), [self.registry.host] * (1 + len(IMAGES)),
                         "the enqueuing run once, the worker once per image")
        changed = f"The credentials or plugin options for {self.registry.url} changed: a new session with them"
        self.assertEqual(worker.stderr.count(changed), len(IMAGES) - 1, worker.stderr[-3000:])
        for secret in (PASSWORD, SECOND_PASSWORD):
            self.assertNotIn(secret, queued.stdout + queued.stderr + worker.stdout + worker.stderr)


    def test_a_workers_own_credentials_go_only_to_the_registry_given_with_credentials_for(self):
        """A worker given --username/--password (no docker config) scans the registry's queued images; a row
        written into the queue by hand for another host gets nothing with --credentials-for, and the
        worker without it warns at start that its credentials go to every registry queued."""
        self.docker.write_config({})
        seen = []
        catcher = http_server.Server(lambda request: http_server.Reply(401, b"", {
            "WWW-Authenticate": 'Basic realm="catch"'}), record=lambda request, reply: seen.append(
                request.headers.get("Authorization")), address="127.0.0.2")
        catcher.start()
        self.addCleanup(catcher.stop)
        state = os.path.join(tempfile.mkdtemp(dir=self.workdir), "state.db")
        queued = run("registry", self.registry.url, "--state", state, "--db", self.db, "--enqueue", "--no-progress",
                     "--username", USER, "--password", PASSWORD, env=self.docker.env())
        self.assertEqual(queued.code, 0, queued.stderr)
        # One row for the catcher; one whose URL names the registry to regscan's checks and the catcher to curl.
        with sqlite3.connect(state) as db:
            for tag, url in (("forged", catcher.url), ("unclear", f"{catcher.url}#@{self.registry.host}")):
                db.execute("INSERT INTO work_queue (batch, project, registry_url, registry_type, repository, tag, "
                           "digest, options, priority, state, attempts, enqueued) SELECT 'forged', project, ?, "
                           "registry_type, repository, ?, digest, options, priority, 'queued', 0, enqueued "
                           "FROM work_queue LIMIT 1", (url, tag))
        own = ("--username", USER, "--password-stdin", "--credentials-for", self.registry.url)
        worker = run("worker", "--state", state, "--db", self.db, "--exit-when-idle", "--poll", "100ms", *own,
                     stdin=PASSWORD, env=self.docker.env(), output_dir=False, timeout=240)
        self.assertEqual(worker.code, 0, worker.stderr)
        with sqlite3.connect(state) as db:
            states = dict(db.execute("SELECT batch = 'forged', group_concat(DISTINCT state) FROM work_queue "
                                     "GROUP BY batch = 'forged'").fetchall())
        self.assertEqual(states, {0: "done", 1: "failed"}, worker.stderr[-3000:])
        with sqlite3.connect(state) as db:
            unclear = db.execute("SELECT reason, attempts FROM work_queue WHERE tag = 'unclear'").fetchone()
        self.assertEqual(unclear, ("the queue row's registry URL is refused: curl would connect to another origin "
                                   "than the URL names to regscan's checks", 1))
        self.assertTrue(seen, "the forged row was pulled from the catcher")
        self.assertEqual(set(seen), {None}, "no credentials reached the catcher")
        self.assertNotIn("are sent to every registry its queue names", worker.stderr)
        self.assertNotIn(PASSWORD, worker.stdout + worker.stderr)
        # Without --credentials-for the worker says where its credentials go.
        idle = run("worker", "--state", state, "--db", self.db, "--exit-when-idle", "--username", USER,
                   "--password-stdin", stdin=PASSWORD, env=self.docker.env(), output_dir=False, timeout=60)
        self.assertEqual(idle.code, 0, idle.stderr)
        self.assertRegex(idle.stderr, r"warning This worker's own credentials \(the command line and standard input\) "
                                      r"are sent to every registry its queue names: give --credentials-for URL")


class ServeDockerCredentials(RegistryBehindDockerLogin):
    def setUp(self):
        super().setUp()
        self.server = serve.Server(tempfile.mkdtemp(dir=self.workdir), db=self.db, env=self.docker.env())
        self.addCleanup(self.server.stop)
        self.server.start()

    def import_of(self, connector):
        created = self.server.api("POST", "/api/v1/connectors", dict(
            connector, url=self.registry.url, schedule={"enabled": False, "every": "12h"}, import_now=True),
            expect=201)
        return self.server.wait_for_import(created["running"]["id"], timeout=240)

    def import_again(self, name):
        started = self.server.api("POST", f"/api/v1/connectors/{name}/imports", expect=202)
        return self.server.wait_for_import(started["id"], timeout=240)

    def assertNoSecrets(self):
        said = self.server.log_text() + json.dumps(self.server.api("GET", "/api/v1/connectors"))
        for secret in (PASSWORD, WRONG):
            self.assertNotIn(secret, said)

    def test_a_connector_without_credentials_uses_dockers_at_each_import(self):
        done = self.import_of({"name": "docker"})
        self.assertEqual(done["state"], "succeeded", done)
        listed = self.server.images(connector="docker", limit=50)["images"]
        self.assertEqual(sorted(f"{i['repository']}:{i['tag']}" for i in listed),
                         sorted(f"{repo}:{tag}" for repo, tag in IMAGES))
        self.assertEqual(asked(self.asked_log), [self.registry.host])
        self.assertRegex(self.server.log_text(),
                         r"serve: connector credentials from docker config \S+config\.json \(credHelpers: test\)")
        self.assertFalse(self.server.connector("docker")["has_password"], "docker's password was stored")

        # The helper's credentials change (rotated, here to a wrong one): the next import asks it again.
        self.answer(WRONG)
        refused = self.import_again("docker")
        self.assertEqual(refused["state"], "failed", refused)
        self.assertIn("(credHelpers: test) were refused", refused["error"])
        self.assertEqual(asked(self.asked_log), [self.registry.host, self.registry.host])
        self.answer(PASSWORD)
        self.assertEqual(self.import_again("docker")["state"], "succeeded")
        self.assertNoSecrets()

    def test_a_connector_whose_plugin_option_names_another_host_gets_no_docker_credentials(self):
        """Whoever holds the API token may not point a connector without credentials at docker's for this
        registry and have a plugin option (Docker Hub's API here) take them to a host of theirs."""
        seen = []
        catcher = http_server.Server(lambda request: http_server.Reply(401, b"{}", {}), address="127.0.0.2",
                                     record=lambda request, reply: seen.append(
                                         (request.path, request.headers.get("Authorization"), request.body)))
        catcher.start()
        self.addCleanup(catcher.stop)
        done = self.import_of({"name": "moved", "type": "DOCKERHUB",
                               "options": {"hub-api": catcher.url, "namespace": "team"}})
        self.assertNotEqual(done["state"], "succeeded", done)
        self.assertEqual(asked(self.asked_log), [], "docker's helper was asked for a connector sending elsewhere")
        self.assertIn("serve: connector moved uses no docker credentials: its plugin option hub-api names a place "
                      "they may not go", self.server.log_text())
        for path, authorization, body in seen:
            self.assertIsNone(authorization, path)
            self.assertNotIn(PASSWORD.encode(), body or b"")
        self.assertNoSecrets()

    def test_a_connectors_own_credentials_are_never_replaced(self):
        done = self.import_of({"name": "own", "username": USER, "password": WRONG})
        self.assertEqual(done["state"], "failed", done)
        self.assertNotIn("credHelpers", done["error"])
        self.assertEqual(asked(self.asked_log), [], "docker's helper was asked for a connector with its own")
        self.assertNoSecrets()


if __name__ == "__main__":
    unittest.main()
