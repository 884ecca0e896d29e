"""Route factories of the back-check pages, with their ACLs."""

from __future__ import annotations

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated
from sqlalchemy import select

from assessment.core.models import County, Role
from assessment.core.permissions import Permission
from assessment.core.resources import Resource, load_or_404
from assessment.core.security import (
    role_principal,
    team_principal,
    team_supervisor_principal,
)
from backchecks.models import Backcheck
from sampling.services import PlanHousehold, PlanVillage


class CountyQualityResource(Resource):
    """A county's quality page: supervisors and coordinators (role-wide, the root's ACL)."""

    def load(self, request) -> None:
        self.county: County = load_or_404(request, County, "code", by=County.code)


class BackcheckResource(Resource):
    """One back-check: recorded by the team it is assigned to (never the original team);
    its comparison seen by supervisors and coordinators; the interview returned on it by the
    supervisor of the team working the interview's village *now*."""

    def load(self, request) -> None:
        self.backcheck: Backcheck = load_or_404(request, Backcheck, "backcheck_id")
        self.current_team = request.dbsession.scalar(
            select(PlanVillage.team_id)
            .join(PlanHousehold, PlanHousehold.plan_village_id == PlanVillage.id)
            .where(PlanHousehold.id == self.backcheck.interview.plan_household_id)
        )

    def acl(self) -> list:
        acl = [
            (Allow, role_principal(Role.admin), ALL_PERMISSIONS),
            (Allow, Authenticated, (Permission.home, Permission.account)),
            (Allow, team_principal(self.backcheck.team_id), (Permission.backcheck_edit,)),
            (Allow, role_principal(Role.supervisor), (Permission.quality_view,)),
            (Allow, role_principal(Role.coordinator), (Permission.quality_view,)),
        ]
        if self.current_team is not None:
            principal = team_supervisor_principal(self.current_team)
            acl.append((Allow, principal, (Permission.backcheck_return,)))
        return [*acl, DENY_ALL]
