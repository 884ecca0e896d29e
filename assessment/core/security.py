"""Authentication (server-side session), principals, ACL authorisation, CSRF, passwords."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pyramid.authentication import SessionAuthenticationHelper
from pyramid.authorization import (
    ALL_PERMISSIONS,
    ACLHelper,
    Allow,
    Authenticated,
    Everyone,
)
from pyramid.csrf import SessionCSRFStoragePolicy

from assessment.core.models import Role, User
from assessment.core.permissions import Permission

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


TEAM_ROLES = (Role.assessor, Role.supervisor)  # the roles whose rights come from a team


def role_principal(role: Role | str) -> str:
    return f"role:{role}"


def team_principal(team_id: int) -> str:
    return f"team:{team_id}"


def team_supervisor_principal(team_id: int) -> str:
    return f"team-supervisor:{team_id}"


def liaison_principal(county_id: int) -> str:
    """A county liaison (县级联络员) of county ``county_id``."""
    return f"county-liaison:{county_id}"


APPEAL_EXPERT = "appeal-expert"  # the right to rule on appeals, given to named users
EXPERT_ROLES = (Role.supervisor, Role.coordinator, Role.admin)


class RootFactory:
    """The application root: role-wide permissions. Feature resources add per-object ACLs."""

    __acl__ = (
        (Allow, role_principal(Role.admin), ALL_PERMISSIONS),
        (Allow, Authenticated, (Permission.home, Permission.account)),
        (
            Allow,
            role_principal(Role.coordinator),
            (
                Permission.dashboard,
                Permission.report,
                Permission.report_manage,
                Permission.export,
                Permission.frame,
                Permission.plan_view,
                Permission.plan_manage,
                Permission.team_view,
                Permission.household_view,
            ),
        ),
        (
            Allow,
            role_principal(Role.reader),
            (Permission.dashboard, Permission.report, Permission.plan_view),
        ),
        # Role-wide list pages only; a household's own ACL (surveys) names the team, and
        # resource ACLs must not inherit these two entries.
        (
            Allow,
            role_principal(Role.supervisor),
            (Permission.dashboard, Permission.interview_review),
        ),
        (Allow, role_principal(Role.assessor), (Permission.interview_edit,)),
        # The appeals list page in the menu; each county's page has its own ACL.
        (Allow, role_principal(Role.liaison), (Permission.appeal_view,)),
        (Allow, APPEAL_EXPERT, (Permission.appeal_view,)),
        (Allow, role_principal(Role.coordinator), (Permission.appeal_view,)),
        (
            Allow,
            role_principal(Role.coordinator),
            (Permission.quality_view, Permission.backcheck_draw),
        ),
        (Allow, role_principal(Role.supervisor), (Permission.quality_view,)),
    )

    def __init__(self, request):
        self.request = request


class SecurityPolicy:
    """Pyramid 2 security policy: the user id lives in the server-side session."""

    def __init__(self):
        self.helper = SessionAuthenticationHelper()
        self.acl = ACLHelper()

    def identity(self, request) -> User | None:
        return request.user

    def authenticated_userid(self, request):
        user = request.user
        return None if user is None else user.id

    def permits(self, request, context, permission):
        return self.acl.permits(context, self.principals(request), permission)

    def principals(self, request) -> list[str]:
        # Asked once per permission check (the menu alone makes a dozen): computed once per
        # request for the same user, role and team (the bearer tween may set ``request.user``
        # after a first check; an admin may change a role within the request).
        user = request.user
        key = (
            (user, None)
            if user is None
            else (user, user.role, user.team_id, user.county_id, user.appeal_expert)
        )
        cached = request.__dict__.get("_principals")
        if cached is not None and cached[0] == key:
            return list(cached[1])
        principals = self._principals(user)
        request.__dict__["_principals"] = (key, tuple(principals))
        return principals

    @staticmethod
    def _principals(user: User | None) -> list[str]:
        principals = [Everyone]
        if user is None:
            return principals
        principals += [Authenticated, f"user:{user.id}", role_principal(user.role)]
        # Team rights belong to field roles only: a reader or coordinator given a team in
        # the admin form gets no household, interview or API access through it.
        if user.team_id is not None and user.role in TEAM_ROLES:
            principals.append(team_principal(user.team_id))
            if user.role == Role.supervisor:
                principals.append(team_supervisor_principal(user.team_id))
        if user.role == Role.liaison and user.county_id is not None:
            principals.append(liaison_principal(user.county_id))
        if user.appeal_expert and user.role in EXPERT_ROLES:
            principals.append(APPEAL_EXPERT)
        return principals

    def remember(self, request, userid, **kw):
        return self.helper.remember(request, userid, **kw)

    def forget(self, request, **kw):
        return self.helper.forget(request, **kw)


def _load_user(request) -> User | None:
    userid = SessionAuthenticationHelper().authenticated_userid(request)
    if userid is None:
        return None
    user = request.dbsession.get(User, userid)
    return user if user is not None and user.active else None


def restart_session(request, user: User) -> list:
    """A fresh session for ``user`` on this device (after log-in or a password change)."""
    from pyramid.security import remember

    request.session.invalidate()
    headers = remember(request, user.id)
    request.session.new_csrf_token()  # now, in this write, rather than on the next page
    return headers


def includeme(config) -> None:
    from assessment.core.sessions import session_factory

    config.set_session_factory(session_factory)
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True)
    config.add_request_method(_load_user, "user", reify=True)
    config.set_security_policy(SecurityPolicy())
    config.set_root_factory(RootFactory)
