"""Route factories: load the resource (404 if absent) and carry its per-object ACL."""

from __future__ import annotations

import re

from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound

from assessment.core.models import Role, Team
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


def load_or_404(request, model, key: str):
    ident = query_id(request.matchdict.get(key))
    if ident is None:
        raise HTTPNotFound()
    obj = request.dbsession.get(model, ident)
    if obj is None:
        raise HTTPNotFound()
    return obj


class TeamResource:
    """One team: visible to its own members, coordinators and admins."""

    def __init__(self, team: Team):
        self.team = team

    @classmethod
    def from_request(cls, request):
        return cls(load_or_404(request, Team, "team_id"))

    @property
    def __acl__(self):
        return [
            *RootFactory.__acl__,
            (Allow, team_principal(self.team.id), (Permission.team_view,)),
            (Allow, role_principal(Role.coordinator), (Permission.team_view,)),
        ]
