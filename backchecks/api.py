"""The back-check JSON API: the team's assigned back-checks, recording one, a county's rates.

Same services and ACLs as the pages; session POSTs carry ``X-CSRF-Token``, bearer-token
requests need none.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr
from pyramid.csrf import check_csrf_token
from pyramid.httpexceptions import HTTPForbidden
from pyramid.view import view_config

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.permissions import Permission
from assessment.core.tokens import BEARER_FLAG
from backchecks.services import BackcheckService, assigned_backchecks
from sampling.services import current_plan
from surveys.services import BodyInvalid, parse_body

Value = StrictBool | StrictInt | StrictFloat | Annotated[StrictStr, Field(max_length=100)]


class BackcheckBody(BaseModel):
    """The re-visit's answers: item name -> value (numbers, yes/no as true/false, codes)."""

    model_config = ConfigDict(extra="forbid")

    answers: Annotated[dict[Annotated[str, Field(max_length=63)], Value], Field(max_length=50)]


MSG_BAD_BODY = N_("The request body does not fit the API's schema; nothing was saved.")


def _csrf(request) -> None:
    if not request.environ.get(BEARER_FLAG) and not check_csrf_token(request, raises=False):
        raise HTTPForbidden()


def _error(request, status: int, code: str, message: Message, errors=None) -> dict:
    request.response.status = status
    out = {"error": code, "message": message.render(request.locale_name)}
    return {**out, "errors": errors} if errors else out


def _bad_body(request, exc: BodyInvalid) -> dict:
    errors: dict[str, list[str]] = {}
    for p in exc.problems:
        errors.setdefault(p.field_path, []).append(p.message.render(request.locale_name))
    return _error(request, 400, "invalid", Message(MSG_BAD_BODY), errors)


def _rate(rate) -> dict:
    out = dataclasses.asdict(rate)
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}


@view_config(route_name="api.backchecks", renderer="json", permission=Permission.home)
def assigned(request):
    """The back-checks assigned to the user's team, still to do (no original answers)."""
    team = request.user.team_id
    if team is None or request.user.role not in ("assessor", "supervisor"):
        return {"backchecks": []}
    rows = assigned_backchecks(request.dbsession, team)
    items = [i.name for i in BackcheckService(request.dbsession).items]
    return {
        "items": items,
        "backchecks": [
            {
                "id": b.id,
                "household_id": b.interview.plan_household.household.household_id,
                "head_name": b.interview.plan_household.household.head_name,
            }
            for b in rows
        ],
    }


@view_config(
    route_name="api.backcheck",
    renderer="json",
    permission=Permission.backcheck_edit,
    request_method="POST",
    require_csrf=False,
)
def record(context, request):
    """``{"answers": {"household_size": 4, "income_stable": true, ...}}``."""
    _csrf(request)
    try:
        body = parse_body(BackcheckBody, request.body)
    except BodyInvalid as exc:
        return _bad_body(request, exc)
    try:
        BackcheckService(request.dbsession).record(context.backcheck, request.user, body.answers)
    except DomainError as exc:
        return _error(request, 409, "conflict", exc.message)
    return {"id": context.backcheck.id, "status": context.backcheck.status}


@view_config(route_name="api.quality", renderer="json", permission=Permission.quality_view)
def quality(context, request):
    """A county's back-check coverage and discrepancy rates (assessors by code)."""
    service = BackcheckService(request.dbsession)
    plan = current_plan(request.dbsession, context.county)
    draw = service.draw_of(plan)
    found = service.comparison(plan)
    return {
        "county": context.county.code,
        "drawn": len(draw.backchecks) if draw else 0,
        "seed": draw.seed if draw else None,
        "digest": draw.digest if draw else None,
        "commitment": draw.commitment if draw else None,
        "committed_at": draw.committed_at.isoformat() if draw and draw.committed_at else None,
        "verified": service.verify(draw).verified if draw else None,
        "compared": found.pairs if found else 0,
        "items": [_rate(r) for r in found.items] if found else [],
        "assessors": [_rate(r) for r in found.assessors] if found else [],
        "teams": [_rate(r) for r in found.teams] if found else [],
    }


PATHS = {
    "/api/backchecks": {
        "get": {
            "summary": "The back-checks assigned to the user's team (first answers not shown)",
            "responses": {"200": {"description": "OK"}},
        }
    },
    "/api/backchecks/{backcheck}": {
        "post": {
            "summary": "Record a back-check (the assigned team only)",
            "parameters": [
                {"name": "backcheck", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "security": [{"session": [], "csrf": []}, {"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/BackcheckBody"}}
                },
            },
            "responses": {
                "200": {"description": "OK"},
                "400": {"description": "The body does not fit the schema"},
                "403": {"description": "Not the assigned team, or no CSRF header"},
                "409": {"description": "An invalid answer, or recorded already"},
            },
        }
    },
    "/api/quality/county/{code}": {
        "get": {
            "summary": "A county's back-check discrepancy rates with 95 % Wilson intervals",
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": {"description": "OK"}, "403": {"description": "Not allowed"}},
        }
    },
}


def schemas() -> dict:
    return {
        "BackcheckBody": BackcheckBody.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
    }
