"""The JSON API under ``/api/``: assignments, an interview, outcome, draft, submit, tokens.

Same services and permissions as the pages. A session-authenticated POST must carry the
CSRF token in the ``X-CSRF-Token`` header; a bearer-token request needs none (no cookie is
involved, see :mod:`assessment.core.tokens`).
"""

from __future__ import annotations

from pyramid.csrf import check_csrf_token
from pyramid.httpexceptions import HTTPForbidden
from pyramid.view import view_config

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.permissions import Permission
from assessment.core.tokens import BEARER_FLAG, issue_token
from surveys import assignments as work
from surveys.models import INTERVIEWED
from surveys.openapi import openapi_document
from surveys.review import ReviewService
from surveys.schemas import BodyInvalid, OutcomeBody, SaveBody, parse_body
from surveys.views import close_spooled_body, team_scope
from surveys.views.assessor import service_for
from surveys.workflow import (
    ABSENT,
    PARTS,
    REPLACEABLE,
    AnswersRefused,
    StaleInterview,
    SubmissionRejected,
    load_answers,
)


def check_csrf_unless_bearer(request) -> None:
    if request.environ.get(BEARER_FLAG):
        return
    if not check_csrf_token(request, raises=False):
        raise HTTPForbidden()


def _error(request, status: int, code: str, message) -> dict:
    request.response.status = status
    return {"error": code, "message": message.render(request.locale_name)}


def _invalid(request, status: int, message, problems) -> dict:
    """A 400 (bad body) or 422 (answers that fail validation) with messages per field path."""
    language = request.locale_name
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p.field_path, []).append(p.message.render(language))
    request.response.status = status
    return {"error": "invalid", "message": message.render(language), "errors": errors}


def _body(request) -> bytes:
    """The raw body (WebOb spools a large one to a temporary file: closed at the end)."""
    close_spooled_body(request)
    return request.body


def _bad_body(request, exc: BodyInvalid) -> dict:
    return _invalid(request, 400, Message(MSG_BAD_BODY), exc.problems)


MSG_BAD_BODY = N_("The request body does not fit the API's schema; nothing was saved.")


@view_config(route_name="api.openapi", renderer="json", permission=Permission.home)
def openapi(request):
    """The OpenAPI 3 description of this API."""
    return openapi_document(request.application_url, getattr(request.registry, "openapi_parts", ()))


@view_config(
    route_name="api.tokens",
    renderer="json",
    permission=Permission.home,
    request_method="POST",
    require_csrf=False,
)
def tokens(request):
    """Issue a bearer token to the logged-in user (shown once; only its hash is kept)."""
    check_csrf_unless_bearer(request)
    if request.environ.get(BEARER_FLAG):
        raise HTTPForbidden()  # a token cannot mint tokens; log in with a session
    token, row = issue_token(
        request.dbsession,
        request.user,
        lifetime_days=request.registry.app_settings.token_lifetime_days,
    )
    return {"token": token, "expires_at": row.expires_at.isoformat() + "Z"}


@view_config(route_name="api.assignments", renderer="json", permission=Permission.interview_edit)
def assignments(request):
    """The households assigned to the user's team, with status and version."""
    items = work.assignments(request.dbsession, team_scope(request))
    progress = work.progress(items)
    return {
        "progress": {
            "total": progress.total,
            "done": progress.done,
            "by_status": progress.by_status,
        },
        "assignments": [
            {
                "household": a.plan_household_id,
                "household_id": a.household_id,
                "head_name": a.head_name,
                "village": a.village,
                "township": a.township,
                "status": a.status,
                "version": a.version,
            }
            for a in items
        ],
    }


def _interview_json(request, context) -> dict:
    item = context.interview
    household = context.household
    out = {
        "household": {
            "id": context.plan_household.id,
            "household_id": household.household_id,
            "head_name": household.head_name,
            "village": household.frame_village.village.name,
        },
        "interview": None,
    }
    if item is not None:
        out["interview"] = {
            "status": item.status,
            "contact_outcome": item.contact_outcome,
            "version": item.version,
            "answers": load_answers(item),
            "instruments": {
                part: {"id": v.instrument_id, "version": v.version, "content_hash": v.content_hash}
                for part in PARTS
                if (v := getattr(item, f"{part}_version")) is not None
            },
            "comments": [
                {"path": c.field_path, "text": c.text}
                for c in ReviewService(request.dbsession).open_comments(item)
            ],
        }
    return out


@view_config(
    route_name="api.interview",
    renderer="json",
    permission=Permission.interview_edit,
    request_method="GET",
)
def interview(context, request):
    """An interview's data (blinded household header, answers, version, open comments)."""
    return _interview_json(request, context)


@view_config(
    route_name="api.outcome",
    renderer="json",
    permission=Permission.interview_edit,
    request_method="POST",
    require_csrf=False,
)
def outcome(context, request):
    """Record the contact outcome (``{"outcome": "interviewed" | "absent" | ...}``)."""
    check_csrf_unless_bearer(request)
    try:
        value = parse_body(OutcomeBody, _body(request)).outcome
    except BodyInvalid as exc:
        return _bad_body(request, exc)
    service, ph = service_for(request), context.plan_household
    try:
        if value == ABSENT and ph.role in REPLACEABLE:
            # Each 不在家 is one visit; the reserve comes once the round's rule is met.
            visits = service.record_visit(ph, request.user)
            if visits.needed:
                item = service.interview_of(ph)
                return {
                    "status": item.status if item is not None else "not_started",
                    "visits_counted": visits.counted,
                    "visits_needed": visits.needed,
                    "released_reserve": None,
                    "no_reserve_left": False,
                }
        result = service.record_outcome(ph, value, request.user)
    except DomainError as exc:
        return _error(request, 409, "conflict", exc.message)
    released = result.release.reserve_id if result.release is not None else None
    return {
        "status": result.interview.status,
        "visits_needed": 0,
        "released_reserve": released,
        "no_reserve_left": result.no_reserve_left,
    }


def _save(context, request, *, submit: bool):
    check_csrf_unless_bearer(request)
    item = context.interview
    if item is None or item.contact_outcome != INTERVIEWED:
        request.response.status = 404
        return {"error": "not_found"}
    try:
        body = parse_body(SaveBody, _body(request))
    except BodyInvalid as exc:
        return _bad_body(request, exc)
    answers = {part: getattr(body.answers, part) for part in PARTS}
    service, language = service_for(request), request.locale_name
    try:
        if submit:
            service.submit(item, answers, base_version=body.version, user=request.user)
            request.dbsession.flush()
            return {"status": item.status, "version": item.version, "verdict": item.verdict}
        warnings = service.save_draft(item, answers, base_version=body.version, user=request.user)
    except AnswersRefused as exc:
        return _invalid(request, 400, exc.message, exc.problems)
    except SubmissionRejected as exc:
        return _invalid(request, 422, exc.message, exc.problems)
    except StaleInterview as exc:
        out = _error(request, 409, "stale", exc.message)
        out["version"] = exc.current_version
        out["changes"] = [
            {"path": c.path, "theirs": c.theirs, "yours": c.yours} for c in exc.changes
        ]
        return out
    except DomainError as exc:
        return _error(request, 409, "locked", exc.message)
    request.dbsession.flush()
    warned: dict[str, list[str]] = {}
    for p in warnings:
        warned.setdefault(p.field_path, []).append(p.message.render(language))
    return {"status": item.status, "version": item.version, "warnings": warned}


@view_config(
    route_name="api.draft",
    renderer="json",
    permission=Permission.interview_edit,
    request_method="POST",
    require_csrf=False,
)
def draft(context, request):
    """Save a draft: ``{"version": n, "answers": {"verification": {}, "recognition": {}}}``."""
    return _save(context, request, submit=False)


@view_config(
    route_name="api.submit",
    renderer="json",
    permission=Permission.interview_edit,
    request_method="POST",
    require_csrf=False,
)
def submit(context, request):
    """Submit: the same validation as the form; 422 with a message per field path."""
    return _save(context, request, submit=True)
