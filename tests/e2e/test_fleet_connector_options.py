"""A serve connector's plugin options reach the fleet's workers with its jobs.

An Amazon ECR registry (the emulators of tests/e2e/emulators/ecr_*.py in front of a real distribution
registry, under the real AWS host names through --resolve and --ca-cert) that the connector's access
keys may not read: they belong to another account, and only the role named in the connector's plugin
options (`ecr-role-arn`, assumed through `sts-endpoint`) may pull. `regscan serve` on a real PostgreSQL
queues the import for a live `regscan worker --connector-key`; the worker, given no AWS credentials of
its own, opens the ECR plugin with the connector's keys and options, assumes the role and scans every
image. Without the options, the keys' own GetAuthorizationToken is denied and every image fails.

No sleep is synchronisation: every wait is a bounded poll.
"""
import os
import unittest

from emulators import ecr_world
from emulators.ecr_world import READER_ROLE
from harness import measured_run, net, osv_db, serve
from harness import oci_layout as oci
from harness import push
from harness import run as runner
from harness.fleet import BLOB_ROUTE, Worker
from harness.postgres import Postgres
from harness.registry import Registry

IMAGES = {"team/app:1.0": "2023-01-02T03:04:05Z", "team/app:2.0": "2024-02-03T04:05:06Z",
          "tools/jq:1.7": "2023-08-09T10:11:12Z"}


def without_aws(environment):
    return {k: v for k, v in environment.items() if not k.startswith(("AWS_", "REGSCAN_REGISTRY_"))}


class ConnectorOptionsOnWorkers(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.workdir = measured_run.temp_dir("regscan-e2e-fleet-options-")
        cls.db = osv_db.make_db(cls.workdir)
        cls.registry = Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        push.skopeo_push(cls.registry, {name: oci.image(created, files={
            "etc/os-release": b'ID=regscan-e2e\nVERSION_ID="1"\n', f"srv/{name}": name.encode()})
            for name, created in IMAGES.items()})
        cls.world = ecr_world.EcrWorld(cls.registry)
        cls.addClassCleanup(cls.world.stop)
        cls.world.start()
        cls.pg = Postgres()
        cls.addClassCleanup(cls.pg.close)
        cls.pg.start()

    def start_serve(self):
        env = without_aws(os.environ) | self.world.no_metadata_env()
        server = serve.Server(os.path.join(self.workdir, "serve"), db=self.db, state=self.pg.url,
                              args=self.world.connect_args(), env=env)
        self.addCleanup(server.stop)
        server.start()
        return server

    def start_worker(self, key):
        home = os.path.join(self.workdir, "worker-home")
        os.makedirs(home, exist_ok=True)
        env = without_aws(os.environ) | self.world.no_metadata_env() | {"HOME": home}
        argv = [runner.regscan_binary(), "worker", "--state", self.pg.url, "--db", self.db, "--worker-id", "ecr-1",
                "--concurrency", "2", "--lease", "20s", "--poll", "200ms", "--connector-key", key,
                "--log-level=trace", *self.world.connect_args()]
        worker = Worker("ecr-1", argv, env, os.path.join(self.workdir, "worker.log"))
        self.addCleanup(worker.kill9)
        return worker

    def test_the_workers_pull_as_the_role_the_connectors_options_name(self):
        server = self.start_serve()
        worker = self.start_worker(os.path.join(server.data_dir, "serve-secret.key"))
        net.wait_until(lambda: self.pg.query("SELECT count(*) FROM fleet_workers") == [("1",)], timeout=60,
                       what="the worker's heartbeat")
        outsider = self.world.outsider
        options = {"ecr-role-arn": READER_ROLE, "ecr-role-session-name": "fleet-options",
                   "ecr-endpoint": f"https://{self.world.authority(self.world.api_host)}",
                   "sts-endpoint": f"https://{self.world.authority(self.world.sts_host)}"}
        blobs_before = len(self.world.front.seen)
        server.api("POST", "/api/v1/connectors", {
            "name": "ecr", "url": self.world.url, "type": "ECR", "username": outsider.access_key_id,
            "password": outsider.secret_access_key, "options": options,
            "schedule": {"enabled": False, "every": "1d"}, "import_now": True}, expect=201)
        imports = server.api("GET", "/api/v1/imports?connector=ecr&limit=5")["imports"]
        self.assertEqual(len(imports), 1, imports)
        done = server.wait_for_import(imports[0]["id"], timeout=150)
        log = worker.log()
        self.assertEqual((done["state"], done["images_found"], done["images_failed"]),
                         ("succeeded", len(IMAGES), 0), f"{done}\n{server.log_tail()}\n{log[-4000:]}")
        self.assertIn("goes to the fleet's queue", server.log_text())
        # The worker scanned every image, pulling its blobs with a token of the registry's account.
        self.assertEqual(log.count("Done image="), len(IMAGES), log[-4000:])
        pulls = [(path, verdict) for method, path, verdict in self.world.front.seen[blobs_before:]
                 if method == "GET" and BLOB_ROUTE.match(path.split("?")[0])]
        self.assertTrue(pulls, self.world.front.seen[blobs_before:])
        self.assertEqual({verdict for _, verdict in pulls}, {"valid"}, pulls)
        # ...asked for as the role the options name (the session name is the connector's option too).
        sessions = {form.get("RoleSessionName") for key, form, status, _ in self.world.sts.calls
                    if key == outsider.access_key_id and form.get("RoleArn") == READER_ROLE and status == 200}
        self.assertEqual(sessions, {"fleet-options"}, self.world.sts.calls)
        role_tokens = [call for call in self.world.api.operations("GetAuthorizationToken")
                       if call[1] in {issued.access_key_id for issued in self.world.sts.issued}]
        self.assertTrue(role_tokens, self.world.api.operations("GetAuthorizationToken"))
        index = server.images(limit=50)["images"]
        self.assertEqual({f"{i['repository']}:{i['tag']}" for i in index}, set(IMAGES))
        self.assertEqual({i["status"] for i in index}, {"scanned"}, index)
        secrets = [outsider.secret_access_key, *self.world.api.issued_passwords()]
        secrets += [issued.secret_access_key for issued in self.world.sts.issued]
        secrets += [issued.session_token for issued in self.world.sts.issued if issued.session_token]
        for secret in secrets:  # at --log-level=trace
            self.assertNotIn(secret, log)
            self.assertNotIn(secret, server.log_text())
        self.assertEqual(worker.terminate(), 0, log[-3000:])


if __name__ == "__main__":
    unittest.main()
