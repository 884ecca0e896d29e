"""Route factories of the sampling pages (404 when absent; the root ACL applies)."""

from __future__ import annotations

from assessment.core.resources import load_or_404
from assessment.core.security import RootFactory
from sampling.models import Frame, SamplePlan


class FrameResource(RootFactory):
    def __init__(self, request):
        super().__init__(request)
        self.frame = load_or_404(request, Frame, "frame_id")


class PlanResource(RootFactory):
    def __init__(self, request):
        super().__init__(request)
        self.plan = load_or_404(request, SamplePlan, "plan_id")
