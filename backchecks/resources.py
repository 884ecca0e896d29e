"""Route factories of the back-check pages, with their ACLs."""

from __future__ import annotations

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from assessment.models import County, Role
from assessment.permissions import Permission
from assessment.resources import load_or_404
from assessment.security import RootFactory, role_principal, team_principal
from backchecks.models import Backcheck


class CountyQualityResource:
    """A county's quality page: supervisors and coordinators (role-wide)."""

    __acl__ = RootFactory.__acl__

    def __init__(self, request):
        code = request.matchdict.get("code", "")
        county = request.dbsession.scalar(select(County).where(County.code == code[:40]))
        if county is None:
            raise HTTPNotFound()
        self.county = county


class BackcheckResource:
    """One back-check: recorded by the team it is assigned to (never the original team)."""

    def __init__(self, request):
        self.backcheck: Backcheck = load_or_404(request, Backcheck, "backcheck_id")

    @property
    def __acl__(self):
        return [
            (Allow, role_principal(Role.admin), ALL_PERMISSIONS),
            (Allow, Authenticated, (Permission.home, Permission.account)),
            (Allow, team_principal(self.backcheck.team_id), (Permission.backcheck_edit,)),
            DENY_ALL,
        ]
