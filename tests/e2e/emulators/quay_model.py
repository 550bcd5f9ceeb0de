"""What the Quay emulators share: users, robots, OAuth tokens, organisations,
repositories, tags, and the tokens and page tokens they sign.

As in Quay (quay/quay auth/credentials.py, auth/oauth.py):
- a robot `org+name` authenticates with its token as a Basic password, on
  the registry's token endpoint only (/v2/auth); robots get no OAuth token;
- an OAuth application token is a Bearer token for /api/v1 and, with the
  username `$oauthtoken`, a Basic password for /v2/auth;
- permissions are per repository (read); a public repository is readable by all.
Registry tokens are JWTs signed HS256 with a key made per emulator (Quay signs
RS256 with its instance keys; nothing here depends on the algorithm). Page
tokens are opaque and signed, like Quay's encrypted `next_page` tokens
(util/pagination.py), which begin with the Fernet prefix "gAAAAA".
"""
import hashlib
import hmac
import json
import secrets
import threading

from harness import jwt
from harness import oci_layout as oci

INDEX_TYPES = (oci.OCI_INDEX, oci.DOCKER_LIST)
OAUTH_TOKEN_USERNAME = "$oauthtoken"


class Tag:
    def __init__(self, name, manifest, start_ts):
        self.name = name
        self.digest = manifest.digest
        self.is_manifest_list = manifest.media_type in INDEX_TYPES
        self.size = sum(len(b.data) for b in manifest.dependencies)
        self.start_ts = start_ts


class Repository:
    def __init__(self, namespace, name, public):
        self.namespace = namespace
        self.name = name
        self.public = public
        self.tags = {}
        self.id = None


class QuayModel:
    def __init__(self):
        self.lock = threading.RLock()
        self.users = {}          # name -> password (users log in with $oauthtoken tokens here)
        self.robots = {}         # "org+name" -> token
        self.oauth_tokens = {}   # token -> user name
        self.namespaces = set()
        self.repositories = {}   # (namespace, name) -> Repository
        self.readers = {}        # (namespace, name) -> set of user/robot names with read
        self.key = jwt.new_key()
        self.page_key = secrets.token_bytes(32)
        self.issued = []         # every registry token signed (tests check none leaks)
        self._next_id = 1

    # -- content -----------------------------------------------------------------
    def add_robot(self, name, token):
        with self.lock:
            self.robots[name] = token
            self.namespaces.add(name.split("+", 1)[0])

    def add_oauth_token(self, token, user):
        with self.lock:
            self.oauth_tokens[token] = user
            self.namespaces.add(user)

    def add_tag(self, namespace, repository, tag, manifest, start_ts, public=False):
        with self.lock:
            self.namespaces.add(namespace)
            repo = self.repositories.get((namespace, repository))
            if repo is None:
                repo = self.repositories[(namespace, repository)] = Repository(namespace, repository, public)
                repo.id = self._next_id
                self._next_id += 1
            repo.tags[tag] = Tag(tag, manifest, start_ts)

    def grant_read(self, who, namespace, repository=None):
        """Read on one repository, or on every repository of a namespace now held."""
        with self.lock:
            names = [repository] if repository else [n for (ns, n) in self.repositories if ns == namespace]
            for name in names:
                self.readers.setdefault((namespace, name), set()).add(who)

    # -- access ------------------------------------------------------------------
    def basic_login(self, username, password):
        """The identity a /v2/auth Basic login gives (a robot or the OAuth token's user), or None."""
        with self.lock:
            if username == OAUTH_TOKEN_USERNAME:
                return self.oauth_tokens.get(password)
            if "+" in username:
                token = self.robots.get(username)
                return username if token is not None and hmac.compare_digest(token, password) else None
            return None

    def oauth_user(self, token):
        with self.lock:
            return self.oauth_tokens.get(token)

    def can_read(self, who, namespace, repository):
        with self.lock:
            repo = self.repositories.get((namespace, repository))
            if repo is None:
                return False
            return repo.public or (who is not None and who in self.readers.get((namespace, repository), set()))

    def visible(self, who, namespace=None):
        """Repositories `who` (None: anonymous) may read, by id (Quay's catalog order)."""
        with self.lock:
            repos = [r for r in self.repositories.values() if namespace is None or r.namespace == namespace]
        return sorted((r for r in repos if self.can_read(who, r.namespace, r.name)), key=lambda r: r.id)

    # -- tokens ------------------------------------------------------------------
    def sign(self, claims, lifetime=3600):
        token = jwt.mint(self.key, claims, lifetime)
        with self.lock:
            self.issued.append(token)
        return token

    def verify(self, token):
        return jwt.verify(self.key, token)

    def page_token(self, data):
        """An opaque next_page token, as Quay's encrypt_page_token gives."""
        payload = json.dumps(data).encode()
        mac = hmac.new(self.page_key, payload, hashlib.sha256).digest()[:16]
        return "gAAAAA" + jwt.b64url(mac + payload)

    def read_page_token(self, token):
        """The data of a page token this emulator made, or None (Quay: a bad token is the first page)."""
        if not token or not token.startswith("gAAAAA"):
            return None
        try:
            raw = jwt.b64url_decode(token[6:])
        except (ValueError, TypeError):
            return None
        mac, payload = raw[:16], raw[16:]
        if not hmac.compare_digest(mac, hmac.new(self.page_key, payload, hashlib.sha256).digest()[:16]):
            return None
        try:
            return json.loads(payload)
        except ValueError:
            return None
