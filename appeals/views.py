"""Appeal pages: the county's cases (liaison, coordinator, expert), answers, rulings, files."""

from __future__ import annotations

import json
from urllib.parse import quote

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from appeals.evidence import MAX_BYTES, MAX_FILES, MSG_TOO_MANY, EvidenceRefused, check_evidence
from appeals.forms import RESPONSE_LABELS, RULING_LABELS, AnswerCaseForm, RuleCaseForm
from appeals.services import (
    AppealService,
    earlier_rulings,
    failed_revisit_of,
    is_final,
    outcome,
    revisit_failed,
)
from assessment.core.errors import DomainError
from assessment.core.forms import bind
from assessment.core.i18n import N_, Message
from assessment.core.models import County, Role
from assessment.core.permissions import Permission
from assessment.core.services import TeamService, counties_by_ids, counties_in_rounds
from assessment.core.views import flash, render_problem
from sampling.services import current_plan, require_current_plan
from surveys.services import (
    INTERVIEW_STATUS_LABELS,
    OUTCOME_LABELS,
    STANDARD_LABELS,
    VERDICT_LABELS,
    FieldworkService,
)


def _county_url(request, county: County, anchor: str | None = None) -> str:
    return request.route_url("appeals.county", code=county.code, _anchor=anchor)


@view_config(
    route_name="appeals.list", renderer="appeals/list.jinja2", permission=Permission.appeal_view
)
def appeal_list(request):
    """The counties whose appeal the user may see (a liaison goes to its own county)."""
    user, db = request.user, request.dbsession
    if user.role == Role.liaison:
        if user.county is not None:
            return HTTPSeeOther(_county_url(request, user.county))
        return {"rows": []}
    published = AppealService(db).publications_by_county()
    if user.role in (Role.coordinator, Role.admin):
        counties = counties_in_rounds(db)
    else:
        counties = counties_by_ids(db, published)
    failed = {  # re-visits that could not reach the household: the cases await a ruling
        county_id: [c for c in p.cases if revisit_failed(c)] for county_id, p in published.items()
    }
    return {
        "rows": [(c, published.get(c.id), failed.get(c.id, [])) for c in counties],
        "outcome_names": OUTCOME_LABELS,
    }


@view_config(
    route_name="appeals.county", renderer="appeals/county.jinja2", permission=Permission.appeal_view
)
def county_page(context, request):
    """The county's published cases, each with the finding, answer, evidence and ruling."""
    db, county = request.dbsession, context.county
    plan = current_plan(db, county)
    service = AppealService(db)
    publication = service.publication(plan) if plan is not None else None
    may_publish = request.has_permission(Permission.appeal_publish, context)
    complete = bool(plan and may_publish and FieldworkService(db).state(plan).complete)
    return {
        "county": county,
        "plan": plan,
        "publication": publication,
        "state": service.state(plan),
        "now": service.clock(),
        "complete": complete,
        "cases": [_case_view(c, service) for c in (publication.cases if publication else [])],
        "may_publish": may_publish,
        "may_answer": request.has_permission(Permission.appeal_answer, context),
        "may_rule": request.has_permission(Permission.appeal_rule, context),
        "user_may_rule": lambda case: service.may_rule(case, request.user),
        "teams": TeamService(db).list(),
        "answer_form": AnswerCaseForm(),
        "rule_form": RuleCaseForm(),
        "response_names": RESPONSE_LABELS,
        "ruling_names": RULING_LABELS,
        "verdict_names": VERDICT_LABELS,
        "status_names": INTERVIEW_STATUS_LABELS,
        "outcome_names": OUTCOME_LABELS,
        "standard_names": STANDARD_LABELS,
        "max_files": MAX_FILES,
    }


def _case_view(case, service) -> dict:
    return {
        "case": case,
        "basis": json.loads(case.basis_json),
        "final": is_final(case, service.clock()),
        "outcome": outcome(case),
        "revisit_failed": revisit_failed(case),
        "failed_revisit": failed_revisit_of(case),
        "earlier": earlier_rulings(case),
    }


@view_config(
    route_name="appeals.publish", request_method="POST", permission=Permission.appeal_publish
)
def publish(context, request):
    """Publish the county's suspected cases (once fieldwork is complete or closed)."""
    try:
        plan = require_current_plan(request.dbsession, context.county)
        publication = AppealService(request.dbsession).publish(plan, request.user)
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(request, N_("{n} suspected cases published to the county."), n=len(publication.cases))
    return HTTPSeeOther(_county_url(request, context.county))


def _uploads(request) -> list:
    uploads = [u for u in request.POST.getall("evidence") if hasattr(u, "file")]
    if len(uploads) > MAX_FILES:
        raise DomainError(Message(MSG_TOO_MANY, {"max": MAX_FILES}), field="evidence")
    files = []
    for upload in uploads:
        try:
            data = upload.file.read(MAX_BYTES + 1)
        finally:
            upload.file.close()
        if data:
            try:
                files.append(check_evidence(upload.filename or "", data))
            except EvidenceRefused as exc:
                raise DomainError(exc.message, field="evidence") from None
    return files


@view_config(
    route_name="appeals.answer", request_method="POST", permission=Permission.appeal_answer
)
def answer(context, request):
    """The county liaison accepts the finding or disputes it with a statement and files."""
    case = context.case
    form = bind(AnswerCaseForm, request)
    try:
        if not form.validate():
            raise DomainError(Message(N_("Choose to accept or to dispute.")), field="response")
        service = AppealService(request.dbsession)
        service.answer(
            case, request.user, form.response.data, form.statement.data, _uploads(request)
        )
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(request, N_("Your answer on household {code} is recorded."), code=case.household_code)
    return HTTPSeeOther(_county_url(request, context.county, f"case-{case.id}"))


@view_config(route_name="appeals.rule", request_method="POST", permission=Permission.appeal_rule)
def rule(context, request):
    """An appeal expert rules on a disputed case, with a reason."""
    case = context.case
    form = bind(RuleCaseForm, request)
    form.team.choices = [("", "—")] + [
        (str(t.id), t.name) for t in TeamService(request.dbsession).list()
    ]
    try:
        if not form.validate():
            raise DomainError(Message(N_("Choose a ruling.")), field="ruling")
        AppealService(request.dbsession).rule(
            case, request.user, form.ruling.data, form.reason.data, revisit_team_id=form.team_id()
        )
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(request, N_("The ruling on household {code} is recorded."), code=case.household_code)
    return HTTPSeeOther(_county_url(request, context.county, f"case-{case.id}"))


@view_config(route_name="appeals.evidence", permission=Permission.appeal_view)
def evidence(context, request):
    """One evidence file, as a download (never rendered by the browser as a page)."""
    item = context.evidence
    response = Response(body=item.data, content_type=item.content_type, cache_control="private")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    name = quote(item.file_name)
    response.content_disposition = (
        f"attachment; filename=\"evidence-{item.id}\"; filename*=UTF-8''{name}"
    )
    return response
