"""What the Docker Hub emulators share: accounts, namespaces, repositories and
tags, and the tokens they sign.

Tags are described from the images a test built with harness.oci_layout, so
the digest, media type and per-platform images the Hub API reports are those
of the bytes pushed to the registry behind the emulated registry-1.docker.io.
Tokens are JWTs signed HS256 with a key made per emulator; both the Hub API
tokens and the registry tokens carry `exp`, as Docker Hub's do.
"""
import hmac
import json
import threading

from harness import jwt
from harness import oci_layout as oci

INDEX_TYPES = (oci.OCI_INDEX, oci.DOCKER_LIST)

# Docker's documented image for reading the pull limit (a HEAD of its `latest`
# manifest): a public repository on every Docker Hub, whose manifest the
# registry front serves itself (dockerhub_registry).
RATE_LIMIT_PROBE = ("ratelimitpreview", "test")


class Account:
    """A Docker ID with a password and personal access tokens; it reads the
    private repositories of its own namespace and of `member_of`."""

    def __init__(self, name, password, tokens=(), member_of=()):
        self.name = name
        self.password = password
        self.tokens = set(tokens)
        self.readable = {name, *member_of}

    def accepts(self, secret):
        return bool(secret) and (hmac.compare_digest(secret, self.password)
                                 or any(hmac.compare_digest(secret, t) for t in self.tokens))


class Tag:
    def __init__(self, name, manifest, pushed):
        self.name = name
        self.digest = manifest.digest
        self.media_type = manifest.media_type
        self.pushed = pushed
        self.images = describe_images(manifest, pushed)

    @property
    def full_size(self):
        return sum(image["size"] for image in self.images)


class Repository:
    def __init__(self, namespace, name, private):
        self.namespace = namespace
        self.name = name
        self.private = private
        self.tags = {}
        self.registered = "2020-01-01T00:00:00.000000Z"

    @property
    def last_updated(self):
        return max((t.pushed for t in self.tags.values()), default=None)


def _blob(manifest, digest):
    for blob in [manifest.blob] + manifest.dependencies:
        if blob.digest == digest:
            return blob
    raise KeyError(digest)


def _layers_size(document):
    return sum(layer.get("size", 0) for layer in document.get("layers", []))


def _image(architecture, os_name, variant, digest, size, pushed):
    return {"architecture": architecture, "features": "", "variant": variant, "digest": digest,
            "layers": [], "os": os_name, "os_features": "", "os_version": None, "size": size,
            "status": "active", "last_pulled": None, "last_pushed": pushed}


def describe_images(manifest, pushed):
    """Docker Hub's `images`: one entry per platform of an index, else one."""
    document = json.loads(manifest.data)
    if manifest.media_type in INDEX_TYPES:
        images = []
        for entry in document["manifests"]:
            platform = entry.get("platform", {})
            child = json.loads(_blob(manifest, entry["digest"]).data)
            images.append(_image(platform.get("architecture", "unknown"), platform.get("os", "unknown"),
                                 platform.get("variant"), entry["digest"], _layers_size(child), pushed))
        return images
    config = json.loads(_blob(manifest, document["config"]["digest"]).data)
    return [_image(config.get("architecture", "unknown"), config.get("os", "unknown"),
                   config.get("variant"), manifest.digest, _layers_size(document), pushed)]


class HubModel:
    def __init__(self):
        self.lock = threading.Lock()
        self.accounts = {}
        self.namespaces = {RATE_LIMIT_PROBE[0]}
        # (namespace, name) -> Repository
        self.repositories = {RATE_LIMIT_PROBE: Repository(*RATE_LIMIT_PROBE, private=False)}
        self.key = jwt.new_key()
        self.issued = []           # every token signed (tests check none leaks)

    # -- content ---------------------------------------------------------------
    def add_account(self, account):
        with self.lock:
            self.accounts[account.name] = account
            self.namespaces.add(account.name)
        return account

    def add_namespace(self, name):
        with self.lock:
            self.namespaces.add(name)

    def add_tag(self, namespace, repository, tag, manifest, pushed, private=False):
        with self.lock:
            self.namespaces.add(namespace)
            repo = self.repositories.setdefault((namespace, repository),
                                                Repository(namespace, repository, private))
            repo.tags[tag] = Tag(tag, manifest, pushed)

    # -- access ----------------------------------------------------------------
    def authenticate(self, name, secret):
        """The Account for a username and password or personal access token, or None."""
        with self.lock:
            account = self.accounts.get(name)
        return account if account and account.accepts(secret) else None

    def can_read(self, user, namespace, repository):
        with self.lock:
            repo = self.repositories.get((namespace, repository))
            account = self.accounts.get(user) if user else None
        if repo is None:
            return False
        return not repo.private or (account is not None and namespace in account.readable)

    def visible(self, user, namespace):
        """The repositories of a namespace `user` (None: anonymous) may see, by name."""
        with self.lock:
            repos = [r for (ns, _), r in self.repositories.items() if ns == namespace]
        return sorted((r for r in repos if self.can_read(user, r.namespace, r.name)), key=lambda r: r.name)

    # -- tokens ----------------------------------------------------------------
    def sign(self, claims, lifetime):
        token = jwt.mint(self.key, claims, lifetime)
        with self.lock:
            self.issued.append(token)
        return token

    def verify(self, token, audience):
        """The claims of a token this emulator signed for `audience`, unexpired; else None."""
        claims = jwt.verify(self.key, token)
        return claims if claims is not None and claims.get("aud") == audience else None

    def bearer(self, request, audience):
        """Claims of the request's `Authorization: Bearer` token: None when
        absent, False when present but invalid."""
        value = request.headers.get("Authorization") or ""
        scheme, _, token = value.partition(" ")
        if not value:
            return None
        if scheme.lower() != "bearer":
            return False
        return self.verify(token.strip(), audience) or False
