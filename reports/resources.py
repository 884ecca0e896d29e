"""Route factories of the report pages: a county (by code), a report version, a province.

The root's role-wide rights apply (readers and coordinators see reports, coordinators manage).
"""

from __future__ import annotations

from assessment.core.models import County, Province
from assessment.core.resources import Resource, load_or_404
from reports.models import ReportVersion


class CountyResource(Resource):
    """A county's report pages."""

    def load(self, request) -> None:
        self.county: County = load_or_404(request, County, "code", by=County.code)


class ReportVersionResource(Resource):
    """One stored report version."""

    def load(self, request) -> None:
        self.version: ReportVersion = load_or_404(request, ReportVersion, "version_id")


class ProvinceResource(Resource):
    """A province (its summary PDF)."""

    def load(self, request) -> None:
        self.province: Province = load_or_404(request, Province, "province_id")
