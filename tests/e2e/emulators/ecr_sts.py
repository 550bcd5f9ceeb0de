"""An emulator of AWS STS AssumeRole (Query API: a form POST to /, Version
2011-06-15, XML answers), SigV4-checked with service "sts".

Roles are {arn: (account, {access key ids allowed to assume it}, external id or
None)}. Each AssumeRole hands out new temporary keys that the ECR emulator
then knows as a principal of the role's account, expiring after the request's
DurationSeconds, or after `lifetime` seconds when a test sets it (keys that
are due for renewal at once: a client renews them before each use).
"""
import datetime
import re
import secrets
import threading
import urllib.parse
from xml.sax.saxutils import escape

from . import ecr_api, ecr_http, ecr_sigv4

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


class StsError(Exception):
    def __init__(self, code, message, status=400, kind="Sender"):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status, self.kind = code, message, status, kind

    def reply(self):
        body = (f'<ErrorResponse xmlns="{NAMESPACE}">\n  <Error>\n    <Type>{self.kind}</Type>\n'
                f"    <Code>{self.code}</Code>\n    <Message>{escape(self.message)}</Message>\n  </Error>\n"
                f"  <RequestId>{secrets.token_hex(16)}</RequestId>\n</ErrorResponse>\n")
        return ecr_http.Reply(self.status, body, {"Content-Type": "text/xml"})


class StsEmulator:
    def __init__(self, api, roles):
        self.api = api        # ecr_api.EcrApi: knows the keys, learns the issued ones
        self.roles = roles
        self.calls = []       # (access key id, form dict, status, code)
        self.issued = []      # ecr_api.Identity handed out
        self.lifetime = None  # seconds the keys handed out are valid; None: DurationSeconds
        self.lock = threading.Lock()

    def __call__(self, request):
        key, form = None, {}
        try:
            if request.method != "POST" or request.route != "/":
                raise StsError("InvalidAction", "Only POST / is served")
            if not (request.headers.get("Content-Type") or "").startswith("application/x-www-form-urlencoded"):
                raise StsError("InvalidParameterValue", "Content-Type must be application/x-www-form-urlencoded")
            form = {k: v[0] for k, v in urllib.parse.parse_qs(request.body.decode(), keep_blank_values=True).items()}
            identity = self._authenticate(request)
            key = identity.access_key_id
            if form.get("Action") != "AssumeRole" or form.get("Version") != "2011-06-15":
                raise StsError("InvalidAction", f"Could not find operation {form.get('Action')} for version "
                                                f"{form.get('Version')}")
            reply = self._assume_role(identity, form)
            self._record(key, form, 200, None)
            return reply
        except StsError as e:
            self._record(key, form, e.status, e.code)
            return e.reply()

    def _record(self, key, form, status, code):
        with self.lock:
            self.calls.append((key, form, status, code))

    def _authenticate(self, request):
        def secret_of(key):
            identity = self.api.identities.get(key)
            return identity.secret_access_key if identity else None
        try:
            key = ecr_sigv4.verify(request, secret_of, self.api.region, "sts")
        except ecr_sigv4.Refusal as e:
            code = {"UnrecognizedClientException": "InvalidClientTokenId",
                    "InvalidSignatureException": "SignatureDoesNotMatch",
                    "MissingAuthenticationTokenException": "MissingAuthenticationToken"}.get(e.error_type, e.error_type)
            raise StsError(code, e.message, status=403)
        identity = self.api.identities[key]
        if identity.session_token is not None and request.headers.get("X-Amz-Security-Token") != identity.session_token:
            raise StsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403)
        if identity.expired:
            raise StsError("ExpiredToken", "The security token included in the request is expired", 400)
        return identity

    def _assume_role(self, identity, form):
        arn, session = form.get("RoleArn", ""), form.get("RoleSessionName", "")
        if not SESSION_NAME.match(session):
            raise StsError("ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to "
                                              "satisfy constraint: Member must satisfy regular expression pattern: "
                                              "[\\w+=,.@-]*")
        role = self.roles.get(arn)
        external = form.get("ExternalId")
        if role is None or identity.access_key_id not in role[1] or (role[2] is not None and external != role[2]):
            raise StsError("AccessDenied", f"User: {identity.arn} is not authorized to perform: sts:AssumeRole on "
                                           f"resource: {arn}", status=403)
        account = role[0]
        duration = self.lifetime or int(form.get("DurationSeconds", "3600"))
        role_name = arn.rsplit("/", 1)[-1]
        issued = ecr_api.new_identity(account, f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}")
        self.api.add_identity(issued)
        with self.lock:
            self.issued.append(issued)
        expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=duration))
        body = (f'<AssumeRoleResponse xmlns="{NAMESPACE}">\n  <AssumeRoleResult>\n'
                f"    <AssumedRoleUser>\n      <AssumedRoleId>AROA{secrets.token_hex(8).upper()}:{escape(session)}"
                f"</AssumedRoleId>\n      <Arn>{escape(issued.arn)}</Arn>\n    </AssumedRoleUser>\n"
                f"    <Credentials>\n      <AccessKeyId>{issued.access_key_id}</AccessKeyId>\n"
                f"      <SecretAccessKey>{escape(issued.secret_access_key)}</SecretAccessKey>\n"
                f"      <SessionToken>{escape(issued.session_token)}</SessionToken>\n"
                f"      <Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%S.') + f'{expiration.microsecond // 1000:03d}Z'}"
                f"</Expiration>\n    </Credentials>\n  </AssumeRoleResult>\n"
                f"  <ResponseMetadata>\n    <RequestId>{secrets.token_hex(16)}</RequestId>\n  </ResponseMetadata>\n"
                f"</AssumeRoleResponse>\n")
        return ecr_http.Reply(200, body, {"Content-Type": "text/xml"})
