"""Routes of the appeal feature (included from ``assessment.routes``)."""

from appeals.resources import CaseResource, CountyAppealResource, EvidenceResource

CASE = "/appeals/cases/{case_id:[0-9]{1,9}}"


def includeme(config) -> None:
    add = config.add_route
    add("appeals.list", "/appeals")
    add("appeals.county", "/appeals/county/{code}", factory=CountyAppealResource)
    add("appeals.publish", "/appeals/county/{code}/publish", factory=CountyAppealResource)
    add("appeals.answer", CASE + "/answer", factory=CaseResource)
    add("appeals.rule", CASE + "/rule", factory=CaseResource)
    add("api.appeals_county", "/api/appeals/county/{code}", factory=CountyAppealResource)
    add("api.appeal_answer", "/api" + CASE + "/answer", factory=CaseResource)
    add("api.appeal_evidence", "/api" + CASE + "/evidence", factory=CaseResource)
    add("api.appeal_rule", "/api" + CASE + "/rule", factory=CaseResource)
    add(
        "appeals.evidence",
        "/appeals/evidence/{evidence_id:[0-9]{1,9}}",
        factory=EvidenceResource,
    )
