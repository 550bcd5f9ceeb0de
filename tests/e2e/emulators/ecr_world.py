"""The whole AWS side of an ECR end-to-end test, started once per test class:
the real registry with pushed images behind the ECR registry front, the ECR API,
STS and the instance metadata service, and the command-line arguments that
point regscan at them with the real AWS host names.

One TLS server answers the registry host, api.ecr.<region>.amazonaws.com and
sts.<region>.amazonaws.com (virtual hosts, certificate for all three) on port
443 of a 127.x.y.z address when it may, else on a free port (then URLs carry
it). Plain-HTTP copies of the API and STS serve the endpoint-override tests.
"""
import os
import shutil
import socket
import tempfile

from harness import certs, net

from . import ecr_api, ecr_front, ecr_http, ecr_imds, ecr_sts, ecr_certs

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111111111111"
REGION = "us-east-1"
READER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/regscan-reader"
PARTNER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/regscan-partner"
PARTNER_EXTERNAL_ID = "regscan-e2e-external-id"


class EcrWorld:
    def __init__(self, registry, untagged=None, page_size=2):
        self.registry = registry
        self.workdir = tempfile.mkdtemp(prefix="regscan-e2e-ecr-")
        self.api = ecr_api.EcrApi(ACCOUNT, REGION, page_size=page_size)
        self.api.sync_from_registry(registry, untagged=untagged)
        # The registry account's scanner user, and a user of another account
        # that may only assume the reader roles.
        self.user = self.api.add_identity(ecr_api.new_identity(
            ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/regscan-ci", temporary=False))
        self.outsider = self.api.add_identity(ecr_api.new_identity(
            OTHER_ACCOUNT, f"arn:aws:iam::{OTHER_ACCOUNT}:user/auditor", temporary=False))
        self.sts = ecr_sts.StsEmulator(self.api, {
            READER_ROLE: (ACCOUNT, {self.outsider.access_key_id}, None),
            PARTNER_ROLE: (ACCOUNT, {self.outsider.access_key_id}, PARTNER_EXTERNAL_ID)})
        self.imds = ecr_imds.ImdsEmulator(self.api, "regscan-instance-role", ACCOUNT)
        self.front = ecr_front.EcrRegistryFront(self.api, registry)
        self.servers = []

    @property
    def registry_host(self):
        return self.api.registry_host()

    @property
    def api_host(self):
        return f"api.ecr.{REGION}.amazonaws.com"

    @property
    def sts_host(self):
        return f"sts.{REGION}.amazonaws.com"

    def start(self):
        self.ca = certs.CertificateAuthority(self.workdir)
        names = [self.registry_host, self.api_host, self.sts_host]
        tls = ecr_certs.server_certificate(self.ca, names)
        hosts = ecr_http.VirtualHosts({self.registry_host: self.front, self.api_host: self.api,
                                       self.sts_host: self.sts})
        # REGSCAN_E2E_ECR_NO_443=1 tries the fallback where 443 is free too.
        self.aws = None if os.environ.get("REGSCAN_E2E_ECR_NO_443") else ecr_http.start_on_port_443(hosts, tls)
        if self.aws is None:
            self.aws = ecr_http.Server(hosts, tls=tls).start()
        self.servers.append(self.aws)
        self.plain_api = self._plain(self.api)
        self.plain_sts = self._plain(self.sts)
        self.plain_imds = self._plain(self.imds)
        # Bound but never listening: connections to it are refused at once.
        self.closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.closed.bind((net.LOOPBACK, 0))
        return self

    def _plain(self, app):
        server = ecr_http.Server(app).start()
        self.servers.append(server)
        return server

    def stop(self):
        for server in self.servers:
            server.stop()
        if getattr(self, "closed", None):
            self.closed.close()
        if not os.environ.get("REGSCAN_E2E_KEEP"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def on_443(self):
        return self.aws.port == 443

    def authority(self, host):
        return host if self.on_443 else f"{host}:{self.aws.port}"

    @property
    def url(self):
        """The registry URL users type: no port when the emulator has 443."""
        return f"https://{self.authority(self.registry_host)}"

    @property
    def host(self):
        """The registry as it appears in image references and the report."""
        return self.authority(self.registry_host)

    def connect_args(self):
        """--resolve for every AWS name (TLS still checks it) and --ca-cert."""
        args = [f"--resolve={name}:{self.aws.port}:{self.aws.address}"
                for name in (self.registry_host, self.api_host, self.sts_host)]
        return args + [f"--ca-cert={self.ca.ca_cert}"]

    def api_endpoint_args(self):
        """Nothing where the default endpoint (port 443) is the emulator."""
        return [] if self.on_443 else [f"--ecr-endpoint=https://{self.authority(self.api_host)}"]

    def sts_endpoint_args(self):
        return [] if self.on_443 else [f"--sts-endpoint=https://{self.authority(self.sts_host)}"]

    def keys_env(self, identity):
        env = {"AWS_ACCESS_KEY_ID": identity.access_key_id, "AWS_SECRET_ACCESS_KEY": identity.secret_access_key}
        if identity.session_token:
            env["AWS_SESSION_TOKEN"] = identity.session_token
        return env

    def no_metadata_env(self):
        """Keeps a run that should never reach instance metadata on a closed loopback port."""
        return {"AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://{net.LOOPBACK}:{self.closed.getsockname()[1]}"}
