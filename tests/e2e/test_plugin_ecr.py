"""Amazon ECR end to end (issue 4): the real binary against emulators of the
ECR API, STS and EC2 instance metadata (tests/e2e/emulators/ecr_*.py), with the
ECR registry host in front of a real distribution registry, reached under the
real AWS host names through --resolve, a certificate for them and --ca-cert.

Pushed: OCI images in nested repositories, two tags on one image, a multi-
platform index (whose platform manifests ECR lists as untagged images), and
an image pushed by digest only (a genuinely untagged image). The emulators
hand out pages of two entries, so every listing follows nextToken.
"""
import base64
import glob
import json
import os
import re
import shutil
import tempfile
import unittest

from emulators import ecr_api, ecr_imds, ecr_sigv4, ecr_world
from emulators.ecr_world import ACCOUNT, PARTNER_EXTERNAL_ID, PARTNER_ROLE, READER_ROLE
from harness import osv_db
from harness import case, content, oci_layout as oci, push, registry, run as runner

AMD64 = {"os": "linux", "architecture": "amd64"}
ARM64 = {"os": "linux", "architecture": "arm64"}
SINGLE = {
    ("team/app", "1.0"): "2019-01-01T01:29:27Z",
    ("team/app", "1.1"): "2020-05-06T10:11:12.123456789+02:00",
    ("tools/jq", "1.7"): "2023-08-09T10:11:12Z",
    ("team/secret", "1"): "2021-02-03T04:05:06Z",
    ("a/b/c", "v1"): "2020-12-31T23:30:00-01:00",
}
MULTI = {"linux/amd64": "2021-03-04T05:06:07Z", "linux/arm64": "2022-07-08T09:10:11Z"}
UNTAGGED = "2018-06-07T08:09:10Z"
SUITE = os.path.join(os.environ.get("REGSCAN_SHARED_DIR", "../../../shared"), "reference", "aws-sigv4")


def setUpModule():
    # Whatever AWS setup the machine running the tests has must not leak in.
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]


def build(reg):
    """Push the images; returns (Inventory keyed by repository path, untagged digest)."""
    rows = {}
    images = {f"{repo}:{tag}": oci.image(created) for (repo, tag), created in SINGLE.items()}
    images["team/app:latest"] = images["team/app:1.1"]
    rows.update({key: {"": created} for key, created in SINGLE.items()})
    rows[("team/app", "latest")] = {"": SINGLE[("team/app", "1.1")]}
    images["multi:latest"] = oci.index([(oci.image(MULTI["linux/amd64"], arch="amd64"), AMD64),
                                        (oci.image(MULTI["linux/arm64"], arch="arm64"), ARM64)])
    rows[("multi", "latest")] = dict(MULTI)
    push.skopeo_push(reg, images)
    untagged = oci.image(UNTAGGED, files={"etc/untagged": b"no tag points here\n"})
    pusher = push.ApiPusher(reg)
    pusher.push("team/app", untagged.digest, untagged)
    pusher.close()
    rows[("team/app", "")] = {"": UNTAGGED}
    return rows, untagged.digest


class EcrCase(case.RegscanCase):
    @classmethod
    def setUpClass(cls):
        cls.registry = registry.Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        cls.pushed, cls.untagged_digest = build(cls.registry)
        cls.world = ecr_world.EcrWorld(cls.registry, untagged={"team/app": [cls.untagged_digest]})
        cls.addClassCleanup(cls.world.stop)
        cls.world.start()
        cls.api = cls.world.api

    def setUp(self):
        self.api.throttle.clear()
        self.api.denied.clear()
        self.api.vanished.clear()
        for identity in self.api.identities.values():
            identity.expired = False

    def inventory(self):
        inventory = content.Inventory(self.world.host)
        for (repo, tag), created in self.pushed.items():
            inventory.add(repo, tag, created)
        return inventory

    def scan(self, *args, env=None, keys="user"):
        """A dry run of the ECR URL. keys: "user" (the registry account's keys in
        the environment), "outsider", or None (the test gives its own)."""
        full_env = dict(self.world.no_metadata_env())
        if keys:
            full_env.update(self.world.keys_env(getattr(self.world, keys)))
        full_env.update(env or {})
        return self.dry_run(self.world.url, *self.world.connect_args(), *args, env=full_env)

    def calls_by(self, identity, operation=None):
        return [c for c in self.api.operations(operation) if c[1] == identity.access_key_id]

    def assertNoSecrets(self, result, *identities):
        output = result.stdout + result.stderr
        for identity in identities:
            self.assertNotIn(identity.secret_access_key, output)
            if identity.session_token:
                self.assertNotIn(identity.session_token, output)
        for password in self.api.issued_passwords():
            self.assertNotIn(password, output)
            self.assertNotIn(base64.b64encode(f"AWS:{password}".encode()).decode(), output)


class Discovery(EcrCase):
    def test_scan_mode_reads_every_image_through_the_ecr_front(self):
        workdir = tempfile.mkdtemp(prefix="regscan-e2e-ecr-scan-")
        self.addCleanup(shutil.rmtree, workdir, True)
        env = dict(self.world.no_metadata_env())
        env.update(self.world.keys_env(self.world.user))
        result = self.regscan("registry", self.world.url, *self.world.connect_args(), *self.world.api_endpoint_args(),
                              "--mode=scan", "--db", osv_db.make_db(workdir), "--state",
                              os.path.join(workdir, "state.db"), "--format=json", "--no-progress", env=env)
        self.assertExit(result, 0)
        with open(osv_db.report_json_path(result.output_dir, self.world.host)) as f:
            report = json.load(f)
        expected = {(row[0], row[1]) for row in self.inventory().rows() if row[3] == "false"}
        scanned = {(f"{self.world.host}/{i['repository']}", i["tag"]) for i in report["images"]}
        self.assertEqual(scanned, expected)
        self.assertEqual({i["status"] for i in report["images"]}, {"scanned"})
        self.assertNoSecrets(result, self.world.user)

    def test_inventory_with_environment_keys(self):
        before = len(self.calls_by(self.world.user))
        result = self.scan(*self.world.api_endpoint_args())
        self.assertInventory(result, self.world.host, self.inventory().rows())
        self.assertLogged(result, r"^Identified registry as: ECR$", "info")
        calls = self.calls_by(self.world.user)[before:]
        operations = [c[0] for c in calls]
        # Pages of 2: 5 repositories take 3 DescribeRepositories calls; team/app's
        # 3 images (1.0; 1.1 and latest; the untagged one) and multi's 3 (the
        # index and its two platform manifests) take 2 DescribeImages calls each.
        repositories = sorted({repo for repo, _ in self.pushed})
        self.assertEqual(len(repositories), 5)
        self.assertEqual(operations.count("DescribeRepositories"), 3)
        images = [c[2]["repositoryName"] for c in calls if c[0] == "DescribeImages"]
        self.assertEqual(sorted(set(images)), repositories)
        self.assertEqual(images.count("team/app"), 2)
        self.assertEqual(images.count("multi"), 2)
        self.assertEqual(images.count("tools/jq"), 1)
        self.assertTrue(all(c[2].get("registryId") == ACCOUNT for c in calls if c[0] != "GetAuthorizationToken"))
        self.assertTrue(all(c[3] == 200 for c in calls), calls)
        # One registry token serves the whole run: it is cached until it is due.
        self.assertEqual(operations.count("GetAuthorizationToken"), 1)

    def test_registry_token_is_fetched_again_when_due(self):
        """A token past its expiresAt is not reused: the emulator issues tokens
        already expired (its registry front tolerating the clock skew), so
        every registry request needs a fresh one."""
        self.api.token_lifetime, self.api.clock_skew = -60, 3600
        self.addCleanup(setattr, self.api, "token_lifetime", ecr_api.TOKEN_LIFETIME)
        self.addCleanup(setattr, self.api, "clock_skew", 0)
        before = len(self.calls_by(self.world.user))
        result = self.scan(*self.world.api_endpoint_args())
        self.assertInventory(result, self.world.host, self.inventory().rows())
        operations = [c[0] for c in self.calls_by(self.world.user)[before:]]
        self.assertGreater(operations.count("GetAuthorizationToken"), 1)

    def test_report_file_named_after_the_registry_host(self):
        result = self.scan(*self.world.api_endpoint_args())
        self.assertExit(result, 0)
        expected = runner.report_name(self.world.host)
        self.assertEqual(result.output_files(), [expected])
        if not self.world.on_443:
            self.skipTest("port 443 not available: the URL carries a port")
        self.assertEqual(expected, "123456789012-dkr-ecr-us-east-1-amazonaws-com-report.csv")

    def test_untagged_image_reported_and_index_platforms_not(self):
        result = self.scan(*self.world.api_endpoint_args())
        _, rows = result.rows(self.world.host)
        untagged = [r for r in rows if r[1] == ""]
        self.assertEqual(untagged, [(f"{self.world.host}/team/app", "", content.utc_second(UNTAGGED), "false")])
        # The emulator lists multi's two platform manifests as untagged images, as ECR does.
        listed = [d for d in self.api.repositories["multi"] if "imageTags" not in d]
        self.assertEqual(len(listed), 2)
        self.assertEqual([r for r in rows if r[0].endswith("/multi")],
                         [(f"{self.world.host}/multi", "latest", content.utc_second(MULTI["linux/amd64"]), "false")])
        self.assertLogged(result, r"^Fetched image discovery details image=" +
                          re.escape(f"{self.world.host}/team/app@{self.untagged_digest}") + "$", "info")

    def test_registry_front_only_served_with_the_issued_token(self):
        seen = len(self.world.front.seen)
        result = self.scan(*self.world.api_endpoint_args())
        self.assertExit(result, 0)
        verdicts = self.world.front.verdicts()[seen:]
        self.assertNotIn("refused", verdicts)
        self.assertGreater(verdicts.count("valid"), len(self.pushed))
        self.assertEqual(verdicts[0], "anonymous")  # the probe that identifies the registry

    def test_ecr_endpoint_option(self):
        before = len(self.world.plain_api.requests())
        result = self.scan(f"--ecr-endpoint={self.world.plain_api.url}")
        self.assertInventory(result, self.world.host, self.inventory().rows())
        self.assertGreaterEqual(len(self.world.plain_api.requests()) - before, 4)

    def test_endpoint_from_aws_endpoint_url_ecr(self):
        before = len(self.world.plain_api.requests())
        result = self.scan(env={"AWS_ENDPOINT_URL_ECR": self.world.plain_api.url})
        self.assertInventory(result, self.world.host, self.inventory().rows())
        self.assertGreaterEqual(len(self.world.plain_api.requests()) - before, 4)

    def test_denylist_applies_to_ecr_names(self):
        result = self.scan(*self.world.api_endpoint_args(), "--denyList=team/*")
        skipped = [k for k in self.inventory().keys() if k[0].startswith("team/")]
        self.assertInventory(result, self.world.host, self.inventory().rows(skipped=skipped))


class Credentials(EcrCase):
    def write(self, name, text):
        directory = tempfile.mkdtemp(prefix="regscan-e2e-aws-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_shared_credentials_file_and_profile(self):
        user = self.world.user
        credentials = self.write("credentials", f"[default]\naws_access_key_id = AKIANOTTHEONE\n"
                                                f"aws_secret_access_key = wrong\n\n[scanner]\n"
                                                f"aws_access_key_id = {user.access_key_id}\n"
                                                f"aws_secret_access_key = {user.secret_access_key}\n")
        config = self.write("config", "[profile scanner]\nregion = eu-west-1\noutput = json\n")
        before = len(self.calls_by(user))
        result = self.scan(*self.world.api_endpoint_args(), keys=None, env={
            "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config, "AWS_PROFILE": "scanner"})
        self.assertInventory(result, self.world.host, self.inventory().rows())
        self.assertGreater(len(self.calls_by(user)) - before, 0)
        self.assertNoSecrets(result, user)

    def test_missing_profile_is_named(self):
        result = self.scan(*self.world.api_endpoint_args(), keys=None, env={"AWS_PROFILE": "nosuch"})
        self.assertExit(result, 4)
        self.assertLogged(result, r"AWS profile 'nosuch' is in neither .*/\.aws/credentials nor .*/\.aws/config")

    def test_instance_role_through_imdsv2(self):
        role = self.world.imds.identity
        before_calls = len(self.calls_by(role))
        before_seen = len(self.world.imds.seen)
        result = self.scan(*self.world.api_endpoint_args(), keys=None,
                           env={"AWS_EC2_METADATA_SERVICE_ENDPOINT": self.world.plain_imds.url})
        self.assertInventory(result, self.world.host, self.inventory().rows())
        seen = self.world.imds.seen[before_seen:]
        self.assertEqual([(m, p, s) for m, p, s in seen], [
            ("PUT", "/latest/api/token", 200),
            ("GET", "/latest/meta-data/iam/security-credentials/", 200),
            ("GET", "/latest/meta-data/iam/security-credentials/regscan-instance-role", 200)])
        self.assertGreater(len(self.calls_by(role)) - before_calls, 0)
        self.assertNoSecrets(result, role)

    def test_assume_role_for_another_account(self):
        outsider = self.world.outsider
        # Its own keys may not read the registry...
        denied = self.scan(*self.world.api_endpoint_args(), keys="outsider")
        self.assertExit(denied, 4)
        self.assertLogged(denied, r"ECR DescribeRepositories for registry 123456789012 failed: AccessDeniedException: "
                                  r"User: arn:aws:iam::111111111111:user/auditor is not authorized")
        # ...the role it assumes may.
        issued_before = len(self.world.sts.issued)
        result = self.scan(*self.world.api_endpoint_args(), *self.world.sts_endpoint_args(),
                           f"--ecr-role-arn={READER_ROLE}", keys="outsider")
        self.assertInventory(result, self.world.host, self.inventory().rows())
        issued = self.world.sts.issued[issued_before:]
        self.assertEqual(len(issued), 1)
        self.assertEqual(self.world.sts.calls[-1][0], outsider.access_key_id)
        self.assertEqual(self.world.sts.calls[-1][1]["RoleSessionName"], "regscan")
        self.assertTrue(self.calls_by(issued[0], "DescribeRepositories"))
        self.assertNoSecrets(result, outsider, issued[0])

    def test_assume_role_with_external_id_through_sts_endpoint_option(self):
        refused = self.scan(*self.world.api_endpoint_args(), f"--sts-endpoint={self.world.plain_sts.url}",
                            f"--ecr-role-arn={PARTNER_ROLE}", keys="outsider")
        self.assertExit(refused, 4)
        self.assertLogged(refused, r"STS AssumeRole of " + re.escape(PARTNER_ROLE) + r" at .* failed: AccessDenied: ")
        result = self.scan(*self.world.api_endpoint_args(), f"--sts-endpoint={self.world.plain_sts.url}",
                           f"--ecr-role-arn={PARTNER_ROLE}", f"--ecr-role-external-id={PARTNER_EXTERNAL_ID}",
                           "--ecr-role-session-name=nightly-scan", keys="outsider")
        self.assertInventory(result, self.world.host, self.inventory().rows())
        self.assertEqual(self.world.sts.calls[-1][1]["ExternalId"], PARTNER_EXTERNAL_ID)
        self.assertEqual(self.world.sts.calls[-1][1]["RoleSessionName"], "nightly-scan")

    def test_command_line_keys(self):
        user = self.world.user
        result = runner.run("registry", self.world.url, "--mode=dry-run", *self.world.connect_args(),
                            *self.world.api_endpoint_args(), f"--username={user.access_key_id}", "--password-stdin",
                            stdin=user.secret_access_key + "\n", env=self.world.no_metadata_env())
        self.assertInventory(result, self.world.host, self.inventory().rows())
        self.assertNoSecrets(result, user)

    def test_wrong_secret_is_refused_by_the_signature_check(self):
        user = self.world.user
        result = self.scan(*self.world.api_endpoint_args(), keys=None, env={
            "AWS_ACCESS_KEY_ID": user.access_key_id, "AWS_SECRET_ACCESS_KEY": "not/the+secret"})
        self.assertExit(result, 4)
        self.assertLogged(result, r"ECR DescribeRepositories for registry 123456789012 failed: "
                                  r"InvalidSignatureException: The request signature we calculated does not match")
        self.assertNotIn("not/the+secret", result.stdout + result.stderr)

    def test_expired_session_credentials(self):
        session = self.api.add_identity(ecr_api.new_identity(ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/x/y"))
        session.expired = True
        result = self.scan(*self.world.api_endpoint_args(), keys=None, env=self.world.keys_env(session))
        self.assertExit(result, 4)
        self.assertLogged(result, r"ECR DescribeRepositories for registry 123456789012 failed: ExpiredTokenException: "
                                  r"The security token included in the request is expired \(HTTP 400\); the AWS "
                                  r"credentials from environment variables AWS_ACCESS_KEY_ID have expired")
        self.assertNoSecrets(result, session)

    def test_secrets_never_in_output_even_at_trace(self):
        session = self.api.add_identity(ecr_api.new_identity(ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/x/z"))
        self.api.denied.add("tools/jq")
        result = self.scan(*self.world.api_endpoint_args(), "--log-level=trace", keys=None,
                           env=self.world.keys_env(session))
        self.assertExit(result, 6)
        self.assertNoSecrets(result, session)
        self.assertIn(session.access_key_id, result.stderr)  # key ids are not secret and help debugging


class Failures(EcrCase):
    def test_throttling_is_retried(self):
        self.api.throttle.update({"DescribeRepositories": 1, "DescribeImages": 2})
        result = self.scan(*self.world.api_endpoint_args())
        self.assertInventory(result, self.world.host, self.inventory().rows())
        self.assertEqual(self.api.throttle, {"DescribeRepositories": 0, "DescribeImages": 0})
        self.assertLogged(result, r"^ECR DescribeRepositories for registry 123456789012 was throttled "
                                  r"\(ThrottlingException\); retry 1 of 5 in \d+ ms", "warning")
        self.assertLogged(result, r"^ECR DescribeImages for repository '[^']+' was throttled", "warning")

    def test_access_denied_repository_fails_alone(self):
        self.api.denied.add("team/secret")
        result = self.scan(*self.world.api_endpoint_args())
        self.assertInventory(result, self.world.host, self.inventory().rows(missing={"team/secret"}),
                             repositories_failed=1)
        self.assertLogged(result, r"^Failed to list tags repository=team/secret error=.*ECR DescribeImages for "
                                  r"repository 'team/secret' failed: AccessDeniedException: User: "
                                  r"arn:aws:iam::123456789012:user/regscan-ci is not authorized to perform: "
                                  r"ecr:DescribeImages", "error")

    def test_repository_gone_between_listing_and_images(self):
        self.api.vanished.add("tools/jq")
        result = self.scan(*self.world.api_endpoint_args())
        self.assertInventory(result, self.world.host, self.inventory().rows(missing={"tools/jq"}),
                             repositories_failed=1)
        self.assertLogged(result, r"repository=tools/jq error=.*RepositoryNotFoundException: The repository with "
                                  r"name 'tools/jq' does not exist in the registry with id '123456789012'", "error")

    def test_no_credentials_at_all(self):
        result = self.scan(*self.world.api_endpoint_args(), keys=None)
        self.assertExit(result, 4)
        self.assertLogged(result, r"no AWS credentials on the command line, in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
                                  r"or in profile 'default'")

    def test_registry_password_as_username_aws_is_explained(self):
        result = runner.run("registry", self.world.url, "--mode=dry-run", *self.world.connect_args(),
                            "--username=AWS", "--password-stdin", stdin="eyJwYXlsb2FkIjoiZmFrZSJ9\n",
                            env=self.world.no_metadata_env())
        self.assertExit(result, 4)
        self.assertLogged(result, r"get-login-password")
        self.assertNotIn("eyJwYXlsb2FkIjoiZmFrZSJ9", result.stdout + result.stderr)


class ListingCutWorld(EcrCase):
    """Its own registry: four small repositories, then one whose images take more DescribeImages pages than the
    whole catalog takes DescribeRepositories pages, so one bound cuts the catalog or that repository alone."""
    SMALL = [f"lib/r{i}" for i in range(1, 5)]
    MANY = "many/images"

    @classmethod
    def setUpClass(cls):
        cls.registry = registry.Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        times = [f"{2010 + i}-03-04T05:06:07Z" for i in range(len(cls.SMALL) + 7)]
        cls.pushed = {(repo, "1.0"): {"": times.pop()} for repo in cls.SMALL}
        cls.pushed.update({(cls.MANY, f"v{i}"): {"": times.pop()} for i in range(7)})
        pusher = push.ApiPusher(cls.registry)
        for (repo, tag), created in cls.pushed.items():
            pusher.push(repo, tag, oci.image(created[""], files={"etc/which": f"{repo}:{tag}\n".encode()}))
        pusher.close()
        cls.world = ecr_world.EcrWorld(cls.registry)
        cls.addClassCleanup(cls.world.stop)
        cls.world.start()
        cls.api = cls.world.api

    def pages(self, items):
        return -(-items // self.api.page_size)

    def inventory_without(self, cut):
        inventory = self.inventory()
        for key in cut:
            del inventory.entries[key]
        return inventory


class ListingCut(ListingCutWorld):
    """A listing cut at --max-listing-pages keeps what was read (docs/limits.md): the repository, or `<catalog>`,
    is reported failed and the images or repositories of the pages read stay in the inventory."""

    def test_describe_images_cut_keeps_the_pages_read(self):
        catalog_pages = self.pages(len(self.api.repositories))
        self.assertLess(catalog_pages, self.pages(len(self.api.repositories[self.MANY])))
        before = len(self.calls_by(self.world.user))
        result = self.scan(*self.world.api_endpoint_args(), f"--max-listing-pages={catalog_pages}")
        calls = self.calls_by(self.world.user)[before:]
        self.assertEqual([c[3] for c in calls if c[0] == "DescribeRepositories"], [200] * catalog_pages)
        many = [c for c in calls if c[0] == "DescribeImages" and c[2]["repositoryName"] == self.MANY]
        self.assertEqual([(c[3], "nextToken" in c[2]) for c in many],
                         [(200, False)] + [(200, True)] * (catalog_pages - 1), calls)
        # The images of the pages the emulator served, in its order; the next page was never asked.
        read = self.api.repositories[self.MANY][:catalog_pages * self.api.page_size]
        kept = {(self.MANY, tag) for detail in read for tag in detail["imageTags"]}
        self.assertEqual(len(kept), catalog_pages * self.api.page_size)
        cut = [key for key in self.pushed if key[0] == self.MANY and key not in kept]
        self.assertTrue(cut)
        inventory = self.inventory()
        for key in cut:
            del inventory.entries[key]
        self.assertInventory(result, self.world.host, inventory.rows(), repositories_failed=1)
        self.assertOnlyTagListingCut(result, self.MANY, catalog_pages, len(kept))

    def test_describe_repositories_cut_keeps_the_repositories_read(self):
        names = sorted(self.api.repositories)
        self.assertEqual(names[-1], self.MANY)
        cut_after = self.pages(len(names)) - 1
        before = len(self.calls_by(self.world.user))
        result = self.scan(*self.world.api_endpoint_args(), f"--max-listing-pages={cut_after}")
        calls = self.calls_by(self.world.user)[before:]
        self.assertEqual([(c[3], "nextToken" in c[2]) for c in calls if c[0] == "DescribeRepositories"],
                         [(200, False)] + [(200, True)] * (cut_after - 1))
        read = names[:cut_after * self.api.page_size]
        self.assertEqual(read, self.SMALL)
        self.assertEqual(sorted(c[2]["repositoryName"] for c in calls if c[0] == "DescribeImages"), read)
        self.assertInventory(result, self.world.host, self.inventory().rows(missing={self.MANY}),
                             repositories_failed=1)
        self.assertLogged(result, r"^Repository listing cut short error=more than " + str(cut_after) +
                          r" requests \(--max-listing-pages\); " + str(len(read)) + " repositories read are kept$",
                          "error")
        self.assertLogged(result, f"^Found repositories count={len(read)}$", "info")


class CredentialRenewalCut(ListingCutWorld):
    """Keys from STS or the instance role are renewed by the ECR API client as they come due, mid-listing; the
    renewal counts in the listing, and a bound that refuses it cuts the listing there, keeping the pages read, as
    a bound on a page does. The emulators hand out keys due within the plugin's five-minute margin, so they are
    renewed before every ECR call: each page costs the renewal (one STS request, or three of the instance
    metadata service: token, role, keys) and the page."""
    LIFETIME = 240

    def setUp(self):
        super().setUp()
        self.world.sts.lifetime = self.world.imds.lifetime = self.LIFETIME
        self.addCleanup(setattr, self.world.sts, "lifetime", None)
        self.addCleanup(setattr, self.world.imds, "lifetime", ecr_imds.DEFAULT_LIFETIME)

    def assertCutOnTheRenewal(self, result, calls, bound):
        """The catalog was listed whole, MANY's listing cut after its first pages: the catalog's page count."""
        read_pages = self.pages(len(self.api.repositories))
        self.assertEqual([c[3] for c in calls if c[0] == "DescribeRepositories"], [200] * read_pages, result)
        many = [c for c in calls if c[0] == "DescribeImages" and c[2]["repositoryName"] == self.MANY]
        self.assertEqual([(c[3], "nextToken" in c[2]) for c in many],
                         [(200, False)] + [(200, True)] * (read_pages - 1), result)
        read = self.api.repositories[self.MANY][:read_pages * self.api.page_size]
        kept = {(self.MANY, tag) for detail in read for tag in detail["imageTags"]}
        cut = [key for key in self.pushed if key[0] == self.MANY and key not in kept]
        self.assertTrue(cut)
        self.assertInventory(result, self.world.host, self.inventory_without(cut).rows(), repositories_failed=1)
        self.assertOnlyTagListingCut(result, self.MANY, bound, len(kept))

    def test_role_renewal_refused_by_the_bound_keeps_the_pages_read(self):
        # Per page a renewal (AssumeRole) and the page: the catalog takes the whole bound, MANY is cut on the
        # renewal before its page after as many.
        bound = 2 * self.pages(len(self.api.repositories))
        issued_before, calls_before = len(self.world.sts.issued), len(self.api.calls)
        result = self.scan(*self.world.api_endpoint_args(), *self.world.sts_endpoint_args(),
                           f"--ecr-role-arn={READER_ROLE}", f"--max-listing-pages={bound}", keys="outsider")
        calls = self.api.calls[calls_before:]
        issued = {identity.access_key_id for identity in self.world.sts.issued[issued_before:]}
        listing = [c for c in calls if c[0] in ("DescribeRepositories", "DescribeImages")]
        # Renewed before every call: each with keys of its own, fresh from STS.
        self.assertTrue(listing)
        self.assertTrue({c[1] for c in listing} <= issued)
        self.assertEqual(len({c[1] for c in listing}), len(listing))
        self.assertCutOnTheRenewal(result, calls, bound)
        self.assertFalse([m for m in result.messages() if "AssumeRole" in m], result)

    def test_instance_role_renewal_refused_by_the_bound_keeps_the_pages_read(self):
        # Per page the three metadata requests and the page; the bound falls on each of the three in turn.
        catalog = 4 * self.pages(len(self.api.repositories))
        for step, bound in enumerate((catalog, catalog + 1, catalog + 2)):
            with self.subTest(refused=("token", "role", "keys")[step]):
                seen_before, calls_before = len(self.world.imds.seen), len(self.api.calls)
                result = self.scan(*self.world.api_endpoint_args(), f"--max-listing-pages={bound}", keys=None,
                                   env={"AWS_EC2_METADATA_SERVICE_ENDPOINT": self.world.plain_imds.url})
                calls = [c for c in self.api.calls[calls_before:] if c[1] == self.world.imds.identity.access_key_id]
                self.assertCutOnTheRenewal(result, calls, bound)
                self.assertFalse([m for m in result.messages() if "instance metadata service" in m and
                                  "failed" in m], result)
                self.assertTrue(all(status == 200 for _, _, status in self.world.imds.seen[seen_before:]))


class IndexChildrenCut(EcrCase):
    """ECR lists an index's platform manifests as untagged images; the plugin reads the index to leave them out.
    When the listing's bound refuses that read, which untagged images are platforms is unknown: none is listed
    (the repository is reported cut), rather than each platform as an image of its own."""

    @classmethod
    def setUpClass(cls):
        cls.registry = registry.Registry()
        cls.addClassCleanup(cls.registry.stop)
        cls.registry.start()
        push.skopeo_push(cls.registry, {"multi:latest": oci.index(
            [(oci.image(MULTI["linux/amd64"], arch="amd64"), AMD64),
             (oci.image(MULTI["linux/arm64"], arch="arm64"), ARM64)])})
        cls.pushed = {("multi", "latest"): dict(MULTI)}
        cls.world = ecr_world.EcrWorld(cls.registry)
        cls.addClassCleanup(cls.world.stop)
        cls.world.start()
        cls.api = cls.world.api

    def test_index_read_refused_by_the_bound_lists_no_platform_as_an_untagged_image(self):
        details = self.api.repositories["multi"]
        self.assertEqual(len([d for d in details if "imageTags" not in d]), 2)  # the two platforms
        pages = -(-len(details) // self.api.page_size)
        self.assertGreater(pages, 1)  # the catalog takes fewer: only DescribeImages meets the bound
        before = len(self.calls_by(self.world.user, "DescribeImages"))
        result = self.scan(*self.world.api_endpoint_args(), f"--max-listing-pages={pages}")
        self.assertEqual(len(self.calls_by(self.world.user, "DescribeImages")[before:]), pages, result)
        self.assertInventory(result, self.world.host, self.inventory().rows(), repositories_failed=1)
        self.assertOnlyTagListingCut(result, "multi", pages, 1)
        self.assertNotIn("Could not read index", result.stderr)

    def test_token_request_refused_by_the_bound_lists_no_platform_as_an_untagged_image(self):
        """The index read is let through but answered 401 (no registry token yet): the GetAuthorizationToken it
        needs is the request the bound refuses, and the read fails with it, as refused."""
        details = self.api.repositories["multi"]
        pages = -(-len(details) // self.api.page_size)
        calls_before, seen_before = len(self.calls_by(self.world.user)), len(self.world.front.seen)
        result = self.scan(*self.world.api_endpoint_args(), f"--max-listing-pages={pages + 1}")
        # The listing's requests: DescribeImages' pages, then the index read without a token; the token request
        # that came next never reached the API. The image's own reads after discovery fetch their token.
        listing = [(c[0], c[2].get("repositoryName")) for c in self.calls_by(self.world.user)[calls_before:]]
        self.assertEqual(listing[:1 + pages + 1], [("DescribeRepositories", None)] + [("DescribeImages", "multi")] *
                         pages + [("GetAuthorizationToken", None)], result)
        self.assertEqual(listing.count(("GetAuthorizationToken", None)), 1, listing)
        index = next(d["imageDigest"] for d in details if d.get("imageTags"))
        front = [seen for seen in self.world.front.seen[seen_before:] if seen[1].startswith("/v2/multi/")]
        self.assertEqual(front[0], ("GET", f"/v2/multi/manifests/{index}", "anonymous"), front)
        self.assertInventory(result, self.world.host, self.inventory().rows(), repositories_failed=1)
        self.assertOnlyTagListingCut(result, "multi", pages + 1, 1)
        self.assertNotIn("Could not read index", result.stderr)


class PluginSet(EcrCase):
    """Installs without the ECR plugin: a copy of the binary whose own plugin
    directory lacks libregscan-ecr.so (the install directory is always searched)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tree = tempfile.mkdtemp(prefix="regscan-e2e-no-ecr-")
        cls.addClassCleanup(shutil.rmtree, cls.tree, True)
        os.makedirs(os.path.join(cls.tree, "bin"))
        plugins = os.path.join(cls.tree, "lib", "regscan", "plugins")
        os.makedirs(plugins)
        shutil.copy2(os.environ["REGSCAN_BIN"], os.path.join(cls.tree, "bin", "regscan"))
        for path in glob.glob(os.path.join(os.path.dirname(os.environ["REGSCAN_BIN"]), "..", "lib", "regscan", "plugins",
                                           "*.so")):
            if os.path.basename(path) != "libregscan-ecr.so":
                shutil.copy2(path, plugins)
        cls.without_ecr = os.path.join(cls.tree, "bin", "regscan")

    def run_without_ecr(self, *args):
        saved = os.environ["REGSCAN_BIN"]
        os.environ["REGSCAN_BIN"] = self.without_ecr
        try:
            return self.scan(*args)  # no --ecr-endpoint: that flag comes with the plugin
        finally:
            os.environ["REGSCAN_BIN"] = saved

    def test_plugins_lists_ecr(self):
        result = self.regscan("plugins", output_dir=False)
        self.assertExit(result, 0)
        # The SDK column: the major.minor the bundled plugins were built against (the SDK's header).
        header = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sdk", "include", "regscan",
                              "plugin_abi.h")
        with open(header) as f:
            abi = dict(re.findall(r"#define REGSCAN_ABI_(MAJOR|MINOR) (\d+)", f.read()))
        sdk = re.escape(f"{abi['MAJOR']}.{abi['MINOR']}")
        self.assertRegex(result.stdout, rf"(?m)^ecr\s+1\.0\.0\s+{sdk}\s+ECR\s+\S+libregscan-ecr\.so$")

    def test_forced_type_without_the_plugin(self):
        result = self.run_without_ecr("--type=ECR")
        self.assertExit(result, 5)
        self.assertLogged(result, r"no plugin for this registry: " + re.escape(self.world.url) + r" \(type ECR\)")

    def test_ecr_url_without_the_plugin(self):
        # The generic V2 plugin vetoes well-known vendor hosts (score -1), so the
        # core does not fall back to it and no AWS secret is sent as Basic auth.
        result = self.run_without_ecr()
        self.assertExit(result, 5)
        self.assertLogged(result, r"no plugin for this registry: .* looks like ECR, whose plugin is not installed")


class EmulatorSignatures(unittest.TestCase):
    """The emulators' SigV4 check is only worth something if it is right: it
    must reproduce every signature of AWS's suite."""

    def test_python_signature_matches_aws_suite(self):
        cases = sorted(n for n in os.listdir(SUITE) if os.path.isdir(os.path.join(SUITE, n)))
        self.assertGreater(len(cases), 30)
        for name in cases:
            with self.subTest(name):
                directory = os.path.join(SUITE, name)
                with open(os.path.join(directory, "context.json")) as f:
                    context = json.load(f)
                with open(os.path.join(directory, "header-signed-request.txt"), encoding="utf-8") as f:
                    text = f.read()
                head, _, body = text.partition("\n\n")
                lines = head.split("\n")
                method, _, rest = lines[0].partition(" ")
                target = rest[:rest.rfind(" HTTP/")]
                path, _, query = target.partition("?")
                headers = []
                for line in lines[1:]:
                    if line[:1] in (" ", "\t"):
                        headers[-1] = (headers[-1][0], headers[-1][1] + "\n" + line)
                    else:
                        header, _, value = line.partition(":")
                        headers.append((header, value))
                authorization = dict(headers)["Authorization"]
                match = ecr_sigv4.AUTHORIZATION.match(authorization)
                self.assertIsNotNone(match, authorization)
                amz_date = dict((k.lower(), v) for k, v in headers)["x-amz-date"]
                _, _, signature = ecr_sigv4.signature(
                    context["credentials"]["secret_access_key"], method, path, query,
                    [h for h in headers if h[0] != "Authorization"], match["signed"].split(";"),
                    body.encode(), amz_date, context["region"], context["service"], context.get("normalize", True))
                with open(os.path.join(directory, "header-signature.txt")) as f:
                    self.assertEqual(signature, f.read().strip())


if __name__ == "__main__":
    unittest.main()
