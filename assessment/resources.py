"""Route factories: load the resource (404 if absent) and carry its per-object ACL."""

from __future__ import annotations

from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound

from assessment.models import Role, Team
from assessment.permissions import Permission
from assessment.security import RootFactory, role_principal, team_principal


def load_or_404(request, model, key: str):
    try:
        ident = int(request.matchdict[key])
    except (KeyError, ValueError):
        raise HTTPNotFound() from None
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
