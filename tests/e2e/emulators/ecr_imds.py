"""An emulator of the EC2 instance metadata service, IMDSv2 only: a PUT to
/latest/api/token with X-aws-ec2-metadata-token-ttl-seconds gives a session
token; metadata GETs need it in X-aws-ec2-metadata-token (401 otherwise).
The instance role's keys are new temporary keys that the ECR emulator knows,
said to expire after `lifetime` seconds (6 hours, as EC2 says; a test may make
them due for renewal at once).
"""
import datetime
import json
import secrets
import threading

from . import ecr_api, ecr_http

CREDENTIALS = "/latest/meta-data/iam/security-credentials/"
DEFAULT_LIFETIME = 6 * 3600


class ImdsEmulator:
    def __init__(self, api, role_name, account):
        self.api = api
        self.role_name = role_name
        self.identity = api.add_identity(ecr_api.new_identity(
            account, f"arn:aws:sts::{account}:assumed-role/{role_name}/i-0123456789abcdef0"))
        self.tokens = set()
        self.lifetime = DEFAULT_LIFETIME
        self.seen = []   # (method, path, status)
        self.lock = threading.Lock()

    def __call__(self, request):
        reply = self._answer(request)
        with self.lock:
            self.seen.append((request.method, request.path, reply.status))
        return reply

    def _answer(self, request):
        if request.route == "/latest/api/token":
            if request.method != "PUT":
                return ecr_http.Reply(405, "")
            ttl = request.headers.get("X-aws-ec2-metadata-token-ttl-seconds") or ""
            if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return ecr_http.Reply(400, "")
            token = secrets.token_urlsafe(40)
            with self.lock:
                self.tokens.add(token)
            return ecr_http.Reply(200, token, {"Content-Type": "text/plain",
                                               "X-aws-ec2-metadata-token-ttl-seconds": ttl})
        with self.lock:
            known = request.headers.get("X-aws-ec2-metadata-token") in self.tokens
        if not known:
            return ecr_http.Reply(401, "")
        if request.method != "GET":
            return ecr_http.Reply(405, "")
        if request.route == CREDENTIALS:
            return ecr_http.Reply(200, self.role_name, {"Content-Type": "text/plain"})
        if request.route == CREDENTIALS + self.role_name:
            now = datetime.datetime.now(datetime.timezone.utc)
            document = {"Code": "Success",
                        "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "Type": "AWS-HMAC",
                        "AccessKeyId": self.identity.access_key_id,
                        "SecretAccessKey": self.identity.secret_access_key,
                        "Token": self.identity.session_token,
                        "Expiration": (now + datetime.timedelta(seconds=self.lifetime)).strftime("%Y-%m-%dT%H:%M:%SZ")}
            return ecr_http.Reply(200, json.dumps(document, indent=2), {"Content-Type": "text/plain"})
        return ecr_http.Reply(404, "")
