"""The ECR registry host in front of a real distribution registry.

ECR's /v2/ API asks for Basic credentials (`WWW-Authenticate: Basic
realm="https://<host>/",service="ecr.amazonaws.com"`) and takes only user AWS
with a password from GetAuthorizationToken, issued to a principal of the
registry's account and not yet expired. Everything else under /v2/ passes
through to the registry, which runs without auth. ECR has no /v2/_catalog.
"""
import base64
import json
import threading

from . import ecr_http

HOP_BY_HOP = ("connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host",
              "authorization", "content-length")


class EcrRegistryFront:
    def __init__(self, api, registry):
        self.api = api            # ecr_api.EcrApi: which passwords are valid
        self.registry = registry  # harness.registry.Registry (plain HTTP)
        self.seen = []            # (method, path, "anonymous" | "valid" | "refused")
        self.lock = threading.Lock()

    def _challenge(self, message):
        host = self.api.registry_host()
        return ecr_http.Reply(401, json.dumps({"errors": [{"code": "DENIED", "message": message}]}), {
            "Content-Type": "application/json; charset=utf-8",
            "Docker-Distribution-Api-Version": "registry/2.0",
            "WWW-Authenticate": f'Basic realm="https://{host}/",service="ecr.amazonaws.com"'})

    def _verdict(self, header):
        if not header:
            return "anonymous"
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return "refused"
        try:
            user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except Exception:
            return "refused"
        return "valid" if user == "AWS" and self.api.password_account(password) == self.api.account else "refused"

    def __call__(self, request):
        verdict = self._verdict(request.headers.get("Authorization"))
        with self.lock:
            self.seen.append((request.method, request.path, verdict))
        if not request.route.startswith("/v2/"):
            return ecr_http.Reply(404, "404 page not found\n")
        if verdict == "anonymous":
            return self._challenge("Not Authorized")
        if verdict == "refused":
            return self._challenge("Your authorization token has expired or is invalid. Reauthenticate and try again.")
        if request.route == "/v2/_catalog":
            return ecr_http.Reply(405, json.dumps({"errors": [{"code": "UNSUPPORTED",
                                                               "message": "The operation is unsupported."}]}),
                                  {"Content-Type": "application/json; charset=utf-8"})
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        status, response_headers, body = self.registry.request(request.method, request.path,
                                                               body=request.body or None, headers=headers)
        dropped = ("transfer-encoding", "connection") + (() if request.method == "HEAD" else ("content-length",))
        kept = {k: v for k, v in response_headers.items() if k.lower() not in dropped}
        return ecr_http.Reply(status, body, kept)

    def verdicts(self):
        with self.lock:
            return [v for _, _, v in self.seen]
