"""Entra ID and the Azure Instance Metadata Service, as far as ACR sign-in uses them.

AzureDirectory holds one tenant: its service principals (client id, secret,
object id), its managed identities, and the key its tokens are signed with.
EntraEmulator answers the client-credentials grant of
`POST /<tenant>/oauth2/v2.0/token`; ImdsEmulator answers
`GET /metadata/identity/oauth2/token` (only with `Metadata: true`). Both
answer errors in Entra ID's shape: {"error", "error_description", ...}.
"""
import threading
import time
import uuid

from harness import http_server

from . import acr_https
from .acr_tokens import Signer

ARM = "https://management.azure.com/"
ACR_AUDIENCE = "https://containerregistry.azure.net/"
AUDIENCES = (ARM, ACR_AUDIENCE)
AAD_LIFETIME = 3599


class AzureDirectory:
    def __init__(self, tenant=None):
        self.tenant = tenant or str(uuid.uuid4())
        self.signer = Signer()
        self.apps = {}                # client id -> (secret, object id)
        self.identities = {}          # user-assigned client id -> object id
        self.system_identity = None   # object id of the VM's system-assigned identity
        self.lifetime = AAD_LIFETIME  # seconds; a test may issue tokens already due
        self.issued = []
        self.lock = threading.Lock()

    def add_app(self, secret):
        client_id, object_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.apps[client_id] = (secret, object_id)
        return client_id, object_id

    def add_identity(self):
        client_id, object_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.identities[client_id] = object_id
        return client_id, object_id

    def issue(self, audience, object_id, app_id):
        token = self.signer.mint({"aud": audience, "iss": f"https://sts.windows.net/{self.tenant}/",
                                  "tid": self.tenant, "oid": object_id, "sub": object_id,
                                  "appid": app_id, "idtyp": "app", "ver": "1.0"}, self.lifetime)
        with self.lock:
            self.issued.append(token)
        return token

    def verify(self, token):
        return self.signer.verify(token)


def entra_error(status, error, code, description):
    return acr_https.json_reply(status, {
        "error": error,
        "error_description": f"AADSTS{code}: {description}\r\nTrace ID: {uuid.uuid4()}\r\n"
                             f"Correlation ID: {uuid.uuid4()}\r\nTimestamp: {time.strftime('%Y-%m-%d %H:%M:%SZ', time.gmtime())}",
        "error_codes": [code],
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    })


class EntraEmulator(http_server.Served):
    """HTTPS; point AZURE_AUTHORITY_HOST (or --azure-authority-host) at `url`."""

    def __init__(self, directory, tls):
        self.directory = directory
        self.server = acr_https.Server(self.handle, tls=tls)
        self.grants = []  # (tenant, client id, scope) of every token request

    def handle(self, request):
        parts = request.route.strip("/").split("/")
        if request.method != "POST" or len(parts) != 4 or parts[1:] != ["oauth2", "v2.0", "token"]:
            return acr_https.Reply(404, "Not Found")
        tenant = parts[0]
        form = request.form()
        if form is None:
            return entra_error(400, "invalid_request", 900144,
                               "The request body must contain the following parameter: 'grant_type'.")
        field = lambda name: form.get(name, [""])[0]  # noqa: E731
        self.grants.append((tenant, field("client_id"), field("scope")))
        if tenant != self.directory.tenant:
            return entra_error(400, "invalid_request", 90002,
                               f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
                               "and are signing into the correct cloud.")
        if field("grant_type") != "client_credentials":
            return entra_error(400, "unsupported_grant_type", 70003,
                               "The app requested an unsupported grant type.")
        app = self.directory.apps.get(field("client_id"))
        if app is None:
            return entra_error(400, "unauthorized_client", 700016,
                               f"Application with identifier '{field('client_id')}' was not found in the "
                               f"directory '{tenant}'.")
        if field("client_secret") != app[0]:
            return entra_error(401, "invalid_client", 7000215,
                               "Invalid client secret provided. Ensure the secret being sent in the request "
                               "is the client secret value, not the client secret ID, for a secret added to "
                               f"app '{field('client_id')}'.")
        scope = field("scope")
        if not scope.endswith("/.default") or scope[:-len(".default")] not in AUDIENCES:
            return entra_error(400, "invalid_scope", 1002012,
                               f"The provided value for scope {scope} is not valid. Client credential flows "
                               "must have a scope value with /.default suffixed to the resource identifier.")
        token = self.directory.issue(scope[:-len(".default")], app[1], field("client_id"))
        lifetime = self.directory.lifetime
        return acr_https.json_reply(200, {"token_type": "Bearer", "expires_in": lifetime,
                                          "ext_expires_in": lifetime, "access_token": token})


class ImdsEmulator(http_server.Served):
    """Plain HTTP like the real 169.254.169.254; point AZURE_IMDS_ENDPOINT at `url`."""

    PATH = "/metadata/identity/oauth2/token"

    def __init__(self, directory):
        self.directory = directory
        self.server = acr_https.Server(self.handle)
        self.asked = []  # (client id or None, resource, Metadata header) per request

    def handle(self, request):
        if request.route != self.PATH or request.method != "GET":
            return acr_https.Reply(404, "Not Found")
        client_id, resource = request.arg("client_id"), request.arg("resource")
        self.asked.append((client_id, resource, request.headers.get("Metadata")))
        bad = lambda text: acr_https.json_reply(400, {"error": "invalid_request",  # noqa: E731
                                                      "error_description": text})
        if request.headers.get("Metadata") != "true":
            return bad("Required metadata header not specified")
        if request.arg("api-version") is None:
            return bad("Required query variable 'api-version' is missing")
        if not resource:
            return bad("Required query variable 'resource' is missing")
        if resource not in AUDIENCES:
            return bad(f"Specified resource '{resource}' is not valid")
        if client_id is not None:
            object_id = self.directory.identities.get(client_id)
        else:
            object_id = self.directory.system_identity
        if object_id is None:
            return bad("Identity not found")
        token = self.directory.issue(resource, object_id, client_id or "system-assigned")
        now, lifetime = int(time.time()), self.directory.lifetime
        return acr_https.json_reply(200, {
            "access_token": token, "client_id": client_id or "system-assigned",
            "expires_in": str(lifetime), "expires_on": str(now + lifetime),
            "ext_expires_in": str(lifetime), "not_before": str(now),
            "resource": resource, "token_type": "Bearer"})
