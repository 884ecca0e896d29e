"""Route factories of the appeal pages: a county's cases, one case, one evidence file.

Each carries the county's ACL: coordinators publish, the county's own liaisons answer,
appeal experts rule; no one else (and no liaison of another county) sees anything.
"""

from __future__ import annotations

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated

from appeals.models import AppealCase, AppealEvidence
from assessment.core.models import County, Role
from assessment.core.permissions import Permission
from assessment.core.resources import Resource, load_or_404
from assessment.core.security import APPEAL_EXPERT, liaison_principal, role_principal


def county_acl(county_id: int) -> list:
    return [
        (Allow, role_principal(Role.admin), ALL_PERMISSIONS),
        (Allow, Authenticated, (Permission.home, Permission.account)),
        (
            Allow,
            role_principal(Role.coordinator),
            (Permission.appeal_view, Permission.appeal_publish),
        ),
        (Allow, liaison_principal(county_id), (Permission.appeal_view, Permission.appeal_answer)),
        (Allow, APPEAL_EXPERT, (Permission.appeal_view, Permission.appeal_rule)),
        DENY_ALL,
    ]


class CountyAppealResource(Resource):
    """A county's appeal page (by county code)."""

    def load(self, request) -> None:
        self.county: County = load_or_404(request, County, "code", by=County.code)

    def acl(self) -> list:
        return county_acl(self.county.id)


class CaseResource(Resource):
    """One published case."""

    def load(self, request) -> None:
        self.case: AppealCase = load_or_404(request, AppealCase, "case_id")
        self.county = self.case.publication.county

    def acl(self) -> list:
        return county_acl(self.county.id)


class EvidenceResource(Resource):
    """One evidence file of a case."""

    def load(self, request) -> None:
        self.evidence: AppealEvidence = load_or_404(request, AppealEvidence, "evidence_id")
        self.county = self.evidence.case.publication.county

    def acl(self) -> list:
        return county_acl(self.county.id)
