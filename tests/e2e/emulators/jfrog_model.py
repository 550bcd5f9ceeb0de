"""What an emulated JFrog Artifactory knows: repositories, users and their
credentials, and who may read what.

Repository kinds are Artifactory's (LOCAL, REMOTE, VIRTUAL, FEDERATED). The
images of a local, federated or remote repository live in the real
distribution registry behind the emulator under `<repoKey>/<image>`; a virtual
repository has none of its own and shows its members' (first member wins, as
Artifactory resolves them in order).

Credentials as Artifactory takes them: a user's password, API key or access
token as the Basic password, or an access token alone as `Bearer <token>`.
Rights: `read` is a {repoKey: [excluded image prefixes]} map (a permission
target with exclude patterns, `**` excluding everything); an admin reads
everything.
"""
import base64
import secrets
import threading
from dataclasses import dataclass, field


@dataclass
class ArtRepository:
    key: str
    kind: str                      # LOCAL | REMOTE | VIRTUAL | FEDERATED
    package_type: str = "docker"
    members: list = field(default_factory=list)   # virtual: member keys in resolution order
    images: dict = field(default_factory=dict)    # image -> [tags] (filled from what was pushed)


@dataclass
class User:
    name: str
    password: str
    api_key: str = ""
    tokens: list = field(default_factory=list)
    admin: bool = False
    read: dict = field(default_factory=dict)       # repoKey -> [excluded image prefixes]


ANONYMOUS = User("anonymous", "")


class Model:
    def __init__(self):
        self.repositories = {}
        self.users = {}
        self.anonymous_read = None     # None: anonymous access disabled; else a read map
        self.lock = threading.Lock()
        self.docker_tokens = {}        # registry token -> user (issued by /v2/token)
        self.issued = []               # every token handed out

    # -- content ------------------------------------------------------------

    def add_repository(self, key, kind, package_type="docker", members=()):
        self.repositories[key] = ArtRepository(key, kind, package_type, list(members))

    def add_user(self, user):
        self.users[user.name] = user
        return user

    def images_of(self, key):
        """{image: (storage key, [tags])} a repository shows (a virtual: its members')."""
        repository = self.repositories.get(key)
        if repository is None:
            return {}
        if repository.kind != "VIRTUAL":
            return {image: (key, tags) for image, tags in repository.images.items()}
        shown = {}
        for member in repository.members:
            for image, found in self.images_of(member).items():
                shown.setdefault(image, found)
        return shown

    # -- credentials --------------------------------------------------------

    def user_of_basic(self, value):
        try:
            name, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
        except ValueError:
            return None
        user = self.users.get(name)
        if user is None or not secret:
            return None
        return user if secret in (user.password, user.api_key, *user.tokens) else None

    def user_of_access_token(self, token):
        return next((u for u in self.users.values() if token in u.tokens), None)

    def authenticate(self, authorization, docker=False):
        """(user, refused): the caller, ANONYMOUS-like user for no credentials
        (None when anonymous access is off), refused=True for bad credentials."""
        scheme, _, value = (authorization or "").partition(" ")
        if not authorization:
            if self.anonymous_read is None:
                return None, False
            return User("anonymous", "", read=self.anonymous_read), False
        if scheme.lower() == "basic":
            user = self.user_of_basic(value)
        elif scheme.lower() == "bearer":
            user = self.user_of_access_token(value)
            if user is None and docker:
                with self.lock:
                    user = self.docker_tokens.get(value)
        else:
            user = None
        return user, user is None

    def issue_docker_token(self, user):
        token = "art-docker-" + secrets.token_hex(20)
        with self.lock:
            self.docker_tokens[token] = user
            self.issued.append(token)
        return token

    # -- rights -------------------------------------------------------------

    def may_read(self, user, key, image=None):
        if user.admin:
            return True
        repository = self.repositories.get(key)
        if repository is None:
            return False
        if repository.kind == "VIRTUAL":
            # Artifactory checks the member the image resolves to.
            if image is None:
                return key in user.read
            found = self.images_of(key).get(image)
            return key in user.read and (found is None or self.may_read(user, found[0], image))
        if key not in user.read:
            return False
        return image is None or not any(image == p or image.startswith(p + "/") for p in user.read[key])

    def may_list(self, user, key):
        """Reading a repository's catalog: a permission target excluding `**`
        shows the repository but none of its content."""
        return self.may_read(user, key) and (user.admin or "**" not in user.read.get(key, []))

    def visible_repositories(self, user):
        """Repositories `user` sees in /api/repositories: those it may read."""
        return [r for r in self.repositories.values() if self.may_read(user, r.key)]
