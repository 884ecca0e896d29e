"""Route factory of a household of a plan (and its interview), with the per-team ACL.

The ACL does not extend ``RootFactory.__acl__``: the role-wide ``interview_edit`` and
``interview_review`` entries there exist only so the list pages appear in the menu, and a
household must be open only to its own team.
"""

from __future__ import annotations

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated
from sqlalchemy import select

from assessment.models import Role
from assessment.permissions import Permission
from assessment.resources import load_or_404
from assessment.security import role_principal, team_principal, team_supervisor_principal
from sampling.models import PlanHousehold
from surveys.assignments import is_current, is_released
from surveys.models import Interview


class HouseholdResource:
    """One plan household; ``interview`` is its interview row or None (not started)."""

    def __init__(self, request):
        self.request = request
        self.plan_household: PlanHousehold = load_or_404(request, PlanHousehold, "household")
        db = request.dbsession
        self.interview: Interview | None = db.scalar(
            select(Interview).where(Interview.plan_household_id == self.plan_household.id)
        )
        # Unreleased reserves and households of superseded plans are not worked on.
        self.workable = is_released(db, self.plan_household) and is_current(
            db, self.plan_household.plan
        )

    @property
    def household(self):
        return self.plan_household.household

    @property
    def team_id(self) -> int | None:
        village = self.plan_household.plan_village
        return village.team_id if village is not None else None

    @property
    def __acl__(self):
        acl = [
            (Allow, role_principal(Role.admin), ALL_PERMISSIONS),
            (Allow, Authenticated, (Permission.home, Permission.account)),
            (Allow, role_principal(Role.coordinator), (Permission.household_view,)),
        ]
        team = self.team_id
        if team is not None and self.workable:
            acl += [
                (
                    Allow,
                    team_principal(team),
                    (Permission.household_view, Permission.interview_edit),
                ),
                (
                    Allow,
                    team_supervisor_principal(team),
                    (Permission.household_view, Permission.interview_review),
                ),
            ]
        acl.append(DENY_ALL)
        return acl
