"""Route factory of a household of a plan (and its interview), with the per-team ACL.

The ACL does not extend ``RootFactory.__acl__``: the role-wide ``interview_edit`` and
``interview_review`` entries there exist only so the list pages appear in the menu, and a
household must be open only to its own team.
"""

from __future__ import annotations

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated
from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import aliased, contains_eager, defer, joinedload

from assessment.core.models import Role
from assessment.core.permissions import Permission
from assessment.core.resources import Resource, found_or_404, load_or_404, query_id
from assessment.core.security import role_principal, team_principal, team_supervisor_principal
from sampling.services import FrameVillage, Household, PlanHousehold, SamplePlan
from surveys.models import SUPERSEDED, InstrumentVersion, Interview, ReserveRelease

_newer = aliased(SamplePlan)


def _household_query():
    """What every household request reads, in one statement instead of a lazy load each.

    The plan household with its plan (and county), plan village, household (frame village,
    village), its interview with both instrument versions, and the two facts behind
    :attr:`HouseholdResource.workable`: whether the plan is its county's latest version and
    whether the household (a reserve) was released.

    The instrument definitions (tens of kB) stay deferred: ``instrument_of`` finds the parsed
    instrument by content hash and reads the text only on a cache miss.
    """
    newest = (
        select(func.max(_newer.version))
        .where(_newer.county_id == SamplePlan.county_id)
        .scalar_subquery()
    )
    released = exists().where(ReserveRelease.reserve_id == PlanHousehold.id)
    return (
        select(PlanHousehold, Interview, newest, released)
        .join(PlanHousehold.plan)
        .outerjoin(
            Interview,
            (Interview.plan_household_id == PlanHousehold.id) & (Interview.status != SUPERSEDED),
        )
        .where(PlanHousehold.id == bindparam("household"))
        .options(
            contains_eager(PlanHousehold.plan).options(
                joinedload(SamplePlan.county),
                defer(SamplePlan.design_json),
                defer(SamplePlan.summary_json),
            ),
            joinedload(PlanHousehold.plan_village),
            joinedload(PlanHousehold.household)
            .joinedload(Household.frame_village)
            .joinedload(FrameVillage.village),
            joinedload(Interview.verification_version).defer(InstrumentVersion.definition),
            joinedload(Interview.recognition_version).defer(InstrumentVersion.definition),
        )
    )


_HOUSEHOLD_QUERY = _household_query()  # built once: it is the same for every request


class HouseholdResource(Resource):
    """One plan household; ``interview`` is its interview row or None (not started)."""

    def load(self, request) -> None:
        ident = query_id(request.matchdict.get("household"))
        row = None
        if ident is not None:
            row = request.dbsession.execute(_HOUSEHOLD_QUERY, {"household": ident}).first()
        row = found_or_404(row)
        self.plan_household: PlanHousehold = row[0]
        self.interview: Interview | None = row[1]
        newest, released = row[2], row[3]
        self.current_plan = self.plan_household.plan.version == newest
        # Unreleased reserves and households of superseded plans are not worked on.
        self.workable = (self.plan_household.role != "reserve" or bool(released)) and (
            self.plan_household.plan.version == newest
        )

    @property
    def household(self):
        return self.plan_household.household

    @property
    def team_id(self) -> int | None:
        """The team working the household now: a re-visit's team, else the village's."""
        if self.interview is not None and self.interview.revisit_team_id is not None:
            return self.interview.revisit_team_id
        village = self.plan_household.plan_village
        return village.team_id if village is not None else None

    def acl(self) -> list:
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


class CaptureResource(HouseholdResource):
    """A household as the phone caches it for offline work: also an unreleased reserve.

    The phone releases a reserve offline from the day's cached reserves when a household of
    its village cannot be interviewed, so the team may fetch its blank questionnaire; the
    server still checks the release when the outcome is sent, and nothing is saved here.
    """

    def load(self, request) -> None:
        super().load(request)
        if self.plan_household.role == "reserve" and self.current_plan:
            self.workable = True


class InstrumentVersionResource(Resource):
    """One stored instrument version (the admin edits a new version from it)."""

    def load(self, request) -> None:
        self.version: InstrumentVersion = load_or_404(request, InstrumentVersion, "version_id")
