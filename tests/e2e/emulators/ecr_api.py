"""An emulator of the Amazon ECR API (JSON 1.1, POST / with X-Amz-Target), as
described by botocore's ecr-2015-09-21 service model and paginators.

It checks every request's SigV4 signature against the secrets it knows (long-
term keys and the temporary ones STS and the instance role hand out), serves
DescribeRepositories, DescribeImages and GetAuthorizationToken with small pages
so that clients must follow nextToken, and can be told to misbehave: throttle
some calls, deny one repository, list a repository that then vanishes, or
treat some credentials as expired. Errors have AWS's JSON 1.1 shape: HTTP 400
(500 for ServerException), `x-amzn-ErrorType`, body {"__type", "message"}.

Images come from the real registry behind the front: `sync_from_registry`
reads its catalog, tags and manifests, and lists, as ECR does, the platform
manifests of an index as untagged images, plus any digests the test pushed
without a tag.
"""
import base64
import json
import secrets
import threading
import time

from . import ecr_http, ecr_sigv4

TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921."
INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST_ACCEPT = ", ".join(INDEX_TYPES + (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json"))
TOKEN_LIFETIME = 12 * 3600


class Identity:
    """Keys the emulated AWS account system knows. `account` is the account
    the principal belongs to; only principals of the registry's account may
    read it."""

    def __init__(self, access_key_id, secret_access_key, account, arn, session_token=None):
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.account = account
        self.arn = arn
        self.session_token = session_token
        self.expired = False


def new_identity(account, arn, temporary=True):
    prefix = "ASIA" if temporary else "AKIA"
    return Identity(prefix + secrets.token_hex(8).upper(),
                    secrets.token_urlsafe(30).replace("-", "/").replace("_", "+"),
                    account, arn, secrets.token_urlsafe(48) if temporary else None)


class AwsError(Exception):
    def __init__(self, error_type, message, status=400, message_key="message"):
        super().__init__(f"{error_type}: {message}")
        self.error_type, self.message, self.status, self.message_key = error_type, message, status, message_key

    def reply(self):
        reply = ecr_http.json_reply(self.status, {"__type": self.error_type, self.message_key: self.message})
        reply.headers["x-amzn-ErrorType"] = f"{self.error_type}:"
        reply.headers["x-amzn-RequestId"] = secrets.token_hex(16)
        return reply


class EcrApi:
    def __init__(self, account, region, page_size=2):
        self.account = account
        self.region = region
        self.page_size = page_size
        self.identities = {}          # access key id -> Identity
        self.repositories = {}        # name -> [ImageDetail dict]
        self.created_at = {}          # name -> epoch seconds
        self.throttle = {}            # operation -> how many more calls to throttle
        self.denied = set()           # repositories whose DescribeImages is denied
        self.vanished = set()         # listed, but DescribeImages finds no such repository
        self.tokens = {}              # registry password -> (expiresAt, account)
        self.token_lifetime = TOKEN_LIFETIME  # seconds; a test may issue tokens already due
        self.clock_skew = 0           # seconds past expiresAt the registry still accepts a token
        self.calls = []               # (operation, access key id, input, status, error type)
        self.lock = threading.Lock()

    # --- the test's side -----------------------------------------------------

    def add_identity(self, identity):
        with self.lock:
            self.identities[identity.access_key_id] = identity
        return identity

    def registry_host(self):
        return f"{self.account}.dkr.ecr.{self.region}.amazonaws.com"

    def add_repository(self, name, images=()):
        with self.lock:
            self.repositories[name] = list(images)
            self.created_at.setdefault(name, 1600000000 + len(self.created_at))

    def sync_from_registry(self, registry, untagged=None, pushed_at=1700000000.25):
        """Mirror what the distribution registry holds: one ImageDetail per
        manifest digest. untagged: {repository: [digest]} pushed without a tag."""
        untagged = untagged or {}
        status, _, body = registry.request("GET", "/v2/_catalog?n=1000")
        assert status == 200, f"catalog: {status} {body[:200]!r}"
        names = json.loads(body)["repositories"] or []
        for order, name in enumerate(sorted(set(names) | set(untagged))):
            details = {}

            def detail(digest, media_type):
                if digest not in details:
                    details[digest] = {"registryId": self.account, "repositoryName": name,
                                       "imageDigest": digest, "imageTags": [],
                                       "imageSizeInBytes": 1024 + len(details),
                                       "imagePushedAt": pushed_at + order * 3600 + len(details),
                                       "imageManifestMediaType": media_type}
                return details[digest]

            status, _, body = registry.request("GET", f"/v2/{name}/tags/list?n=1000")
            tags = (json.loads(body).get("tags") or []) if status == 200 else []
            references = [(tag, True) for tag in sorted(tags)] + [(d, False) for d in untagged.get(name, [])]
            for reference, is_tag in references:
                status, headers, manifest = registry.request(
                    "GET", f"/v2/{name}/manifests/{reference}", headers={"Accept": MANIFEST_ACCEPT})
                assert status == 200, f"manifest {name}:{reference}: {status}"
                media_type = headers.get("Content-Type")
                entry = detail(headers.get("Docker-Content-Digest"), media_type)
                if is_tag:
                    entry["imageTags"].append(reference)
                if media_type in INDEX_TYPES:
                    for child in json.loads(manifest).get("manifests", []):
                        detail(child["digest"], child.get("mediaType"))
            images = []
            for entry in sorted(details.values(), key=lambda d: d["imageDigest"]):
                if not entry["imageTags"]:
                    del entry["imageTags"]  # ECR leaves the member out for untagged images
                images.append(entry)
            self.add_repository(name, images)

    def password_account(self, password):
        """The account a registry password was issued to, if it is valid now."""
        with self.lock:
            issued = self.tokens.get(password)
        if issued and issued[0] + self.clock_skew > time.time():
            return issued[1]
        return None

    def operations(self, operation=None):
        with self.lock:
            return [c for c in self.calls if operation is None or c[0] == operation]

    # --- the wire ------------------------------------------------------------

    def __call__(self, request):
        operation, key, document = None, None, None
        try:
            if request.method != "POST" or request.route != "/":
                raise AwsError("UnknownOperationException", "Only POST / is served", status=404)
            target = request.headers.get("X-Amz-Target") or ""
            operation = target[len(TARGET_PREFIX):] if target.startswith(TARGET_PREFIX) else None
            handler = {"DescribeRepositories": self.describe_repositories,
                       "DescribeImages": self.describe_images,
                       "GetAuthorizationToken": self.get_authorization_token}.get(operation)
            if handler is None:
                raise AwsError("UnknownOperationException", f"Unknown operation {target!r}")
            if not (request.headers.get("Content-Type") or "").startswith("application/x-amz-json-1.1"):
                raise AwsError("SerializationException", "Content-Type must be application/x-amz-json-1.1")
            identity = self.authenticate(request)
            key = identity.access_key_id
            try:
                document = json.loads(request.body or b"{}")
            except ValueError:
                raise AwsError("SerializationException", "The request body is not JSON")
            if not isinstance(document, dict):
                raise AwsError("SerializationException", "The request body is not a JSON object")
            with self.lock:
                left = self.throttle.get(operation, 0)
                if left:
                    self.throttle[operation] = left - 1
            if left:
                raise AwsError("ThrottlingException", "Rate exceeded")
            reply = ecr_http.json_reply(200, handler(identity, document))
            self._record(operation, key, document, 200, None)
            return reply
        except AwsError as e:
            self._record(operation, key, document, e.status, e.error_type)
            return e.reply()

    def _record(self, operation, key, document, status, error_type):
        with self.lock:
            self.calls.append((operation, key, document, status, error_type))

    def authenticate(self, request):
        def secret_of(key):
            identity = self.identities.get(key)
            return identity.secret_access_key if identity else None
        try:
            key = ecr_sigv4.verify(request, secret_of, self.region, "ecr")
        except ecr_sigv4.Refusal as e:
            raise AwsError(e.error_type, e.message)
        identity = self.identities[key]
        if identity.session_token is not None:
            if request.headers.get("X-Amz-Security-Token") != identity.session_token:
                raise AwsError("UnrecognizedClientException", "The security token included in the request is invalid.")
            if identity.expired:
                raise AwsError("ExpiredTokenException", "The security token included in the request is expired")
        return identity

    def _registry(self, identity, document, action, resource):
        """The registry id a call is about; a principal of another account is denied."""
        registry_id = document.get("registryId", identity.account)
        if not isinstance(registry_id, str) or not registry_id.isdigit() or len(registry_id) != 12:
            raise AwsError("InvalidParameterException", "Invalid parameter at 'registryId'")
        if registry_id == self.account and identity.account != self.account:
            raise self._denied(identity, action, resource)
        return registry_id

    def _denied(self, identity, action, resource):
        return AwsError("AccessDeniedException",
                        f"User: {identity.arn} is not authorized to perform: ecr:{action} on resource: {resource} "
                        f"because no identity-based policy allows the ecr:{action} action",
                        message_key="Message")

    def _page(self, items, document, scope):
        limit = document.get("maxResults", 100)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 1000:
            raise AwsError("InvalidParameterException",
                           "Invalid parameter at 'maxResults' failed to satisfy constraint: "
                           "'Member must have value less than or equal to 1000'")
        start = 0
        if "nextToken" in document:
            try:
                token = json.loads(base64.b64decode(document["nextToken"]))
                assert token["scope"] == scope
                start = int(token["offset"])
            except Exception:
                raise AwsError("InvalidParameterException", "Invalid parameter at 'nextToken'")
        size = min(limit, self.page_size)
        page = items[start:start + size]
        answer = {"page": page}
        if start + size < len(items):
            answer["nextToken"] = base64.b64encode(json.dumps(
                {"scope": scope, "offset": start + size, "nonce": secrets.token_hex(4)}).encode()).decode()
        return answer

    def describe_repositories(self, identity, document):
        registry_id = self._registry(identity, document, "DescribeRepositories",
                                     f"arn:aws:ecr:{self.region}:{self.account}:repository/*")
        with self.lock:
            names = sorted(self.repositories) if registry_id == self.account else []
            created = dict(self.created_at)
        page = self._page(names, document, f"repositories:{registry_id}")
        answer = {"repositories": [{
            "repositoryArn": f"arn:aws:ecr:{self.region}:{registry_id}:repository/{name}",
            "registryId": registry_id,
            "repositoryName": name,
            "repositoryUri": f"{registry_id}.dkr.ecr.{self.region}.amazonaws.com/{name}",
            "createdAt": created[name],
            "imageTagMutability": "MUTABLE",
            "imageScanningConfiguration": {"scanOnPush": False},
            "encryptionConfiguration": {"encryptionType": "AES256"},
        } for name in page["page"]]}
        if "nextToken" in page:
            answer["nextToken"] = page["nextToken"]
        return answer

    def describe_images(self, identity, document):
        name = document.get("repositoryName")
        if not isinstance(name, str) or not name:
            raise AwsError("InvalidParameterException", "Invalid parameter at 'repositoryName'")
        arn = f"arn:aws:ecr:{self.region}:{self.account}:repository/{name}"
        registry_id = self._registry(identity, document, "DescribeImages", arn)
        with self.lock:
            known = registry_id == self.account and name in self.repositories and name not in self.vanished
            images = list(self.repositories.get(name, []))
            denied = name in self.denied
        if denied:
            raise self._denied(identity, "DescribeImages", arn)
        if not known:
            raise AwsError("RepositoryNotFoundException",
                           f"The repository with name '{name}' does not exist in the registry with id '{registry_id}'")
        page = self._page(images, document, f"images:{registry_id}:{name}")
        answer = {"imageDetails": page["page"]}
        if "nextToken" in page:
            answer["nextToken"] = page["nextToken"]
        return answer

    def get_authorization_token(self, identity, document):
        password = "eyJwYXlsb2FkIjoi" + secrets.token_urlsafe(64)
        expires_at = time.time() + self.token_lifetime
        with self.lock:
            self.tokens[password] = (expires_at, identity.account)
        token = base64.b64encode(f"AWS:{password}".encode()).decode()
        return {"authorizationData": [{
            "authorizationToken": token,
            "expiresAt": round(expires_at, 3),
            "proxyEndpoint": f"https://{identity.account}.dkr.ecr.{self.region}.amazonaws.com"}]}

    def issued_passwords(self):
        with self.lock:
            return list(self.tokens)

