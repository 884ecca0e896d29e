"""The appeal JSON API: a county's cases, the liaison's answer and evidence, the ruling.

Same services and ACLs as the pages. A session-authenticated POST carries the CSRF token in
the ``X-CSRF-Token`` header; a bearer-token request needs none (as in ``surveys.views.api``).
"""

from __future__ import annotations

import json

from pyramid.csrf import check_csrf_token
from pyramid.httpexceptions import HTTPForbidden
from pyramid.view import view_config

from appeals.evidence import MAX_BYTES, EvidenceRefused, check_evidence
from appeals.schemas import AnswerBody, RuleBody
from appeals.services import AppealService, earlier_rulings, is_final, outcome, revisit_failed
from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.permissions import Permission
from assessment.core.tokens import BEARER_FLAG
from sampling.services import current_plan
from surveys.services import BodyInvalid, parse_body

MSG_BAD_BODY = N_("The request body does not fit the API's schema; nothing was saved.")


def _csrf(request) -> None:
    if request.environ.get(BEARER_FLAG):
        return
    if not check_csrf_token(request, raises=False):
        raise HTTPForbidden()


def _error(request, status: int, code: str, message: Message, errors=None) -> dict:
    request.response.status = status
    out = {"error": code, "message": message.render(request.locale_name)}
    if errors:
        out["errors"] = errors
    return out


def _bad_body(request, exc: BodyInvalid) -> dict:
    errors: dict[str, list[str]] = {}
    for p in exc.problems:
        errors.setdefault(p.field_path, []).append(p.message.render(request.locale_name))
    return _error(request, 400, "invalid", Message(MSG_BAD_BODY), errors)


def case_json(case, service: AppealService) -> dict:
    """One case as the API shows it."""
    return {
        "id": case.id,
        "household_id": case.household_code,
        "kind": case.kind,
        "persons": case.persons,
        "basis": json.loads(case.basis_json),
        "assessor_note": case.assessor_note,
        "response": case.response,
        "statement": case.statement,
        "evidence": [
            {"id": e.id, "name": e.file_name, "type": e.content_type, "sha256": e.sha256}
            for e in case.evidence
        ],
        "ruling": case.ruling,
        "ruling_reason": case.ruling_reason,
        "revisit_team_id": case.revisit_team_id,
        "revisit_interview": (
            {
                "id": r.id,
                "status": r.status,
                "contact_outcome": r.contact_outcome or None,
                "verdict": r.verdict if r.status == "approved" else None,
            }
            if (r := case.revisit_interview) is not None
            else None
        ),
        "outcome": outcome(case),
        "revisit_failed": revisit_failed(case),
        "earlier_rulings": earlier_rulings(case),
        "final": is_final(case, service.clock()),
    }


@view_config(route_name="api.appeals_county", renderer="json", permission=Permission.appeal_view)
def county_cases(context, request):
    """The county's published cases (an empty list before publication)."""
    service = AppealService(request.dbsession)
    plan = current_plan(request.dbsession, context.county)
    publication = service.publication(plan) if plan is not None else None
    state = service.state(plan)
    return {
        "county": context.county.code,
        "published": publication is not None,
        "deadline": publication.deadline.isoformat() if publication else None,
        "interim": not state.settled,
        "cases": [case_json(c, service) for c in (publication.cases if publication else [])],
    }


@view_config(
    route_name="api.appeal_answer",
    renderer="json",
    permission=Permission.appeal_answer,
    request_method="POST",
    require_csrf=False,
)
def answer(context, request):
    """``{"response": "accepted" | "disputed", "statement": "..."}``."""
    _csrf(request)
    try:
        body = parse_body(AnswerBody, request.body)
    except BodyInvalid as exc:
        return _bad_body(request, exc)
    service = AppealService(request.dbsession)
    try:
        service.answer(context.case, request.user, body.response, body.statement)
    except DomainError as exc:
        return _error(request, 409, "conflict", exc.message)
    return case_json(context.case, service)


@view_config(
    route_name="api.appeal_evidence",
    renderer="json",
    permission=Permission.appeal_answer,
    request_method="POST",
    require_csrf=False,
)
def evidence(context, request):
    """One evidence file (the body) for a disputed case; ``?name=`` names it."""
    _csrf(request)
    data = request.body_file.read(MAX_BYTES + 1)
    try:
        item = check_evidence(str(request.params.get("name", ""))[:200], data)
    except EvidenceRefused as exc:
        return _error(request, 400, "invalid", exc.message)
    service = AppealService(request.dbsession)
    try:
        service.add_evidence(context.case, request.user, [item])
    except DomainError as exc:
        return _error(request, 409, "conflict", exc.message)
    return case_json(context.case, service)


@view_config(
    route_name="api.appeal_rule",
    renderer="json",
    permission=Permission.appeal_rule,
    request_method="POST",
    require_csrf=False,
)
def rule(context, request):
    """``{"ruling": "upheld" | "overturned" | "revisit", "reason": "...", ...}``."""
    _csrf(request)
    try:
        body = parse_body(RuleBody, request.body)
    except BodyInvalid as exc:
        return _bad_body(request, exc)
    service = AppealService(request.dbsession)
    try:
        service.rule(
            context.case,
            request.user,
            body.ruling,
            body.reason,
            revisit_team_id=body.revisit_team_id,
        )
    except DomainError as exc:
        return _error(request, 409, "conflict", exc.message)
    return case_json(context.case, service)
