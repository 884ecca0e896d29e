"""Route factories of the sampling pages (404 when absent; the root ACL applies)."""

from __future__ import annotations

from assessment.core.models import Team
from assessment.core.resources import Resource, load_or_404
from sampling.models import Frame, SamplePlan


class FrameResource(Resource):
    def load(self, request) -> None:
        self.frame: Frame = load_or_404(request, Frame, "frame_id")


class PlanResource(Resource):
    def load(self, request) -> None:
        self.plan: SamplePlan = load_or_404(request, SamplePlan, "plan_id")


class PlanTeamResource(PlanResource):
    """A plan and one team (the team's printable household list)."""

    def load(self, request) -> None:
        super().load(request)
        self.team: Team = load_or_404(request, Team, "team_id")
