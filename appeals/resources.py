"""Route factories of the appeal pages: a county's cases, one case, one evidence file.

Each carries the county's ACL: coordinators publish, the county's own liaisons answer,
appeal experts rule; no one else (and no liaison of another county) sees anything.
"""

from __future__ import annotations

from pyramid.authorization import ALL_PERMISSIONS, DENY_ALL, Allow, Authenticated
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from appeals.models import AppealCase, AppealEvidence
from assessment.core.models import County, Role
from assessment.core.permissions import Permission
from assessment.core.resources import load_or_404
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


class CountyAppealResource:
    """A county's appeal page (by county code)."""

    def __init__(self, request):
        code = request.matchdict.get("code", "")
        county = request.dbsession.scalar(select(County).where(County.code == code[:40]))
        if county is None:
            raise HTTPNotFound()
        self.county = county

    @property
    def __acl__(self):
        return county_acl(self.county.id)


class CaseResource:
    """One published case."""

    def __init__(self, request):
        self.case: AppealCase = load_or_404(request, AppealCase, "case_id")
        self.county = self.case.publication.county

    @property
    def __acl__(self):
        return county_acl(self.county.id)


class EvidenceResource:
    """One evidence file of a case."""

    def __init__(self, request):
        self.evidence: AppealEvidence = load_or_404(request, AppealEvidence, "evidence_id")
        self.county = self.evidence.case.publication.county

    @property
    def __acl__(self):
        return county_acl(self.county.id)
