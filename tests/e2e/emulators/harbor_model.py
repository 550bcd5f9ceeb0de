"""What an emulated Harbor holds: projects, repositories, artifacts, users
(admin and robot accounts) and the refusals a test sets up. Shared by the
API (harbor_api.py) and the registry front with its token service
(harbor_registry.py).

Artifacts mirror what was pushed to the real distribution registry behind
the front: a top-level artifact per manifest or index (an index's children
are not listed on their own, as Harbor lists only top-level artifacts by
default, but appear in its `references`), tags with their push times,
untagged artifacts by digest.
"""
import base64
import secrets
import threading


class Artifact:
    def __init__(self, digest, media_type, push_time, tags=(), references=(), created=None,
                 platform=None):
        self.digest = digest
        self.media_type = media_type
        self.push_time = push_time
        self.tags = list(tags)              # [(name, push_time)]
        self.references = list(references)  # [(child digest, {"os", "architecture", "variant"?})]
        self.created = created
        self.platform = platform or {}


class Repository:
    def __init__(self, full_name, repository_id, project_id):
        self.name = full_name  # "project/sub/app", as Harbor names it
        self.id = repository_id
        self.project_id = project_id
        self.artifacts = []    # newest push first (Harbor's default order)


class Project:
    def __init__(self, name, project_id, public):
        self.name = name
        self.id = project_id
        self.public = public
        self.repositories = {}  # short name -> Repository


class User:
    """admin: a Harbor system administrator (lists everything, /v2/_catalog too).
    Otherwise a robot or member with pull on `projects`; list_projects is
    "member" (GET /projects answers the user's projects and the public ones)
    or "denied" (403, as for a robot without the project-list permission)."""

    def __init__(self, password, admin=False, projects=(), list_projects="member"):
        self.password = password
        self.admin = admin
        self.projects = set(projects)
        self.list_projects = list_projects


class HarborModel:
    def __init__(self):
        self.projects = {}
        self.users = {}
        self.denied = set()     # ("project", name) or ("repository", full name): 403 for anybody
        self.tokens = {}        # bearer token -> (user or None, granted scopes)
        self.issued = []        # every token handed out (tests check none leaks)
        self.token_requests = []  # (user or None, [scopes])
        # (route, page number) -> callable run before that page is answered
        # (a push during the walk).
        self.before_page = {}
        # (route, page number) -> callable(request) whose Reply answers that
        # page instead, every time it is asked (a hostile or failing listing).
        self.replace_page = {}
        self.lock = threading.RLock()
        self._ids = 0

    def _next_id(self):
        self._ids += 1
        return self._ids

    # -- content ------------------------------------------------------------------
    def project(self, name, public=False):
        with self.lock:
            if name not in self.projects:
                self.projects[name] = Project(name, self._next_id(), public)
            return self.projects[name]

    def repository(self, full_name):
        project_name, _, short = full_name.partition("/")
        with self.lock:
            project = self.project(project_name)
            if short not in project.repositories:
                project.repositories[short] = Repository(full_name, self._next_id(), project.id)
            return project.repositories[short]

    def add_artifact(self, full_name, artifact):
        """Adds (or re-tags) an artifact; tags move from any other artifact, as a push does."""
        with self.lock:
            repo = self.repository(full_name)
            names = {t for t, _ in artifact.tags}
            for other in repo.artifacts:
                other.tags = [(t, p) for t, p in other.tags if t not in names]
            existing = next((a for a in repo.artifacts if a.digest == artifact.digest), None)
            if existing:
                existing.tags += artifact.tags
                return existing
            repo.artifacts.insert(0, artifact)
            repo.artifacts.sort(key=lambda a: a.push_time, reverse=True)
            return artifact

    def find_repository(self, project_name, short):
        project = self.projects.get(project_name)
        return project.repositories.get(short) if project else None

    # -- users and rights -----------------------------------------------------------
    def authenticate(self, header):
        """(ok, user name or None) for an Authorization: Basic header (None: anonymous)."""
        if not header:
            return True, None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False, None
        try:
            name, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except Exception:
            return False, None
        user = self.users.get(name)
        if user is None or not secrets.compare_digest(user.password, password):
            return False, None
        return True, name

    def can_read(self, user_name, project_name):
        project = self.projects.get(project_name)
        if project is None:
            return False
        if project.public:
            return True
        user = self.users.get(user_name) if user_name else None
        return bool(user and (user.admin or project_name in user.projects))

    def is_admin(self, user_name):
        user = self.users.get(user_name) if user_name else None
        return bool(user and user.admin)

    def issue_token(self, user_name, scopes):
        granted = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind == "registry" and name == "catalog" and self.is_admin(user_name):
                granted.append(scope)
            elif kind == "repository" and "pull" in actions.split(","):
                if self.can_read(user_name, name.partition("/")[0]):
                    granted.append(f"repository:{name}:pull")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = (user_name, granted)
            self.issued.append(token)
            self.token_requests.append((user_name, list(scopes)))
        return token

    def bearer(self, header):
        """(user, granted scopes) of a valid Bearer token, else None."""
        scheme, _, value = (header or "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        with self.lock:
            return self.tokens.get(value.strip())
