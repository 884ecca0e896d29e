"""The resource base: route factories load their object (404 if absent) and carry its ACL."""

from __future__ import annotations

import re

from pyramid.authorization import DENY_ALL, Allow
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from assessment.core.models import ApiToken, AssessmentRound, Role, Team, User
from assessment.core.permissions import Permission
from assessment.core.security import RootFactory, role_principal, team_principal

# Ids in routes and query strings: ASCII digits only (``\d`` and ``int()`` also take "٣", and
# "²" passes ``str.isdigit``), and below 2**31, the range of the 32-bit id columns (a larger
# number is an error on PostgreSQL, not a miss).
ID_PATTERN = "[0-9]{1,9}"
MAX_ID = 2**31 - 1
_ID = re.compile(ID_PATTERN)


def query_id(value: object) -> int | None:
    """The id in ``value`` (a route or query-string text), or None when it is not one."""
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return None


def load_or_404(request, model, key: str, *, by=None):
    """The ``model`` row named by the route's ``key``; 404 when there is none.

    By id (ASCII digits, below 2**31), or by the text column ``by`` (a county's code).
    """
    raw = request.matchdict.get(key)
    if by is None:
        ident = query_id(raw)
        obj = None if ident is None else request.dbsession.get(model, ident)
    else:
        text = raw if isinstance(raw, str) else ""
        column = by.expression
        limit = getattr(column.type, "length", None) or len(text)
        obj = None
        if text and len(text) <= limit:
            obj = request.dbsession.scalar(select(model).where(by == text))
    return found_or_404(obj)


def found_or_404(obj):
    """``obj``, or a 404 when it is None (the one place a route factory says "not found")."""
    if obj is None:
        raise HTTPNotFound()
    return obj


ANONYMOUS_ACL = (DENY_ALL,)


class Resource:
    """The base of every route factory: ``factory=SomeResource`` on a route that names an object.

    A subclass loads its object in :meth:`load` (with :func:`load_or_404`) and gives its
    per-object rights in :meth:`acl` (the root's role-wide rights unless it says otherwise).

    Nothing is loaded for a visitor who is not logged in: the factory runs before the permission
    check, so a 404 there would tell an anonymous visitor which ids and county codes exist. Such
    a visitor gets the one ACL that denies everything, so the answer (the log-in redirect, or
    403) is the same whether or not the object exists.
    """

    def __init__(self, request):
        self.request = request
        if request.user is not None:
            self.load(request)

    def load(self, request) -> None:
        """Load the route's object (raise ``HTTPNotFound`` when it is absent)."""

    def acl(self) -> list:
        return list(RootFactory.__acl__)

    @property
    def __acl__(self):
        if self.request.user is None:
            return ANONYMOUS_ACL
        return self.acl()


class TeamResource(Resource):
    """One team: visible to its own members, coordinators and admins."""

    def load(self, request) -> None:
        self.team: Team = load_or_404(request, Team, "team_id")

    def acl(self) -> list:
        return [
            *RootFactory.__acl__,
            (Allow, team_principal(self.team.id), (Permission.team_view,)),
            (Allow, role_principal(Role.coordinator), (Permission.team_view,)),
        ]


class TokenResource(Resource):
    """One API token (the views decide whose: one's own on the account page, any for admins)."""

    def load(self, request) -> None:
        self.token: ApiToken = load_or_404(request, ApiToken, "token_id")


class UserResource(Resource):
    """One user account (the administration's page; the root ACL applies)."""

    def load(self, request) -> None:
        self.user: User = load_or_404(request, User, "user_id")


class RoundResource(Resource):
    """One assessment round (the administration's page; the root ACL applies)."""

    def load(self, request) -> None:
        self.assessment_round: AssessmentRound = load_or_404(request, AssessmentRound, "round_id")
