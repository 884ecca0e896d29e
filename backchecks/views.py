"""Back-check pages: the quality page, the draw, the team's list and the short questionnaire."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, translate
from assessment.core.permissions import Permission
from assessment.core.services import counties_in_rounds
from assessment.core.views import flash, render_problem
from backchecks.models import DONE
from backchecks.services import BackcheckService, assessor_code, assigned_backchecks
from sampling.services import current_plan, require_current_plan
from surveys.services import INTERVIEW_STATUS_LABELS


@view_config(
    route_name="backchecks.list",
    renderer="backchecks/list.jinja2",
    permission=Permission.quality_view,
)
def quality_list(request):
    """The counties of the rounds, each with its quality page."""
    return {"counties": counties_in_rounds(request.dbsession)}


@view_config(
    route_name="backchecks.county",
    renderer="backchecks/county.jinja2",
    permission=Permission.quality_view,
)
def county_quality(context, request):
    """The county's back-check sample, progress and discrepancy rates."""
    db = request.dbsession
    plan = current_plan(db, context.county)
    service = BackcheckService(db)
    draw = service.draw_of(plan)
    return {
        "county": context.county,
        "plan": plan,
        "draw": draw,
        "check": service.verify(draw) if draw is not None else None,
        "comparison": service.comparison(plan),
        "item_labels": {
            i.name: translate(
                N_("{label} (type {type})"),
                request.locale_name,
                label=i.label.get(request.locale_name),
                type=i.type,
            )
            for i in service.items
        },
        "code": assessor_code,
        "may_draw": request.has_permission(Permission.backcheck_draw, context),
    }


@view_config(
    route_name="backchecks.draw", request_method="POST", permission=Permission.backcheck_draw
)
def draw(context, request):
    """Draw the county's back-check sample (seeded, recorded)."""
    try:
        plan = require_current_plan(request.dbsession, context.county)
        record = BackcheckService(request.dbsession).draw(plan, request.user)
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(request, N_("{n} interviews drawn for back-checks."), n=len(record.backchecks))
    return HTTPSeeOther(request.route_url("backchecks.county", code=context.county.code))


@view_config(
    route_name="backchecks.mine", renderer="backchecks/mine.jinja2", permission=Permission.home
)
def mine(request):
    """The back-checks assigned to the user's team, still to do."""
    team = request.user.team_id
    rows = []
    if team is not None and request.user.role in ("assessor", "supervisor"):
        rows = assigned_backchecks(request.dbsession, team)
    return {"backchecks": rows}


@view_config(
    route_name="backchecks.record",
    renderer="backchecks/record.jinja2",
    permission=Permission.backcheck_edit,
)
def record(context, request):
    """The short back-check questionnaire (the original answers are not shown)."""
    item = context.backcheck
    service = BackcheckService(request.dbsession)
    error = None
    if request.method == "POST":
        try:
            service.record(item, request.user, request.POST)
        except DomainError as exc:
            error = render_problem(request, exc.message)
        else:
            flash(request, N_("The back-check is recorded."))
            return HTTPSeeOther(request.route_url("backchecks.mine"))
    return {
        "backcheck": item,
        "household": item.interview.plan_household.household,
        "items": service.items,
        "values": request.POST if request.method == "POST" else {},
        "error": error,
    }


@view_config(
    route_name="backchecks.compare",
    renderer="backchecks/compare.jinja2",
    permission=Permission.quality_view,
)
def compare_one(context, request):
    """One back-check beside the original answers, and the return form (once recorded)."""
    item = context.backcheck
    service = BackcheckService(request.dbsession)
    return {
        "backcheck": item,
        "interview": item.interview,
        "household": item.interview.plan_household.household,
        "rows": service.differences(item) if item.status == DONE else [],
        "code": assessor_code,
        "may_return": request.has_permission(Permission.backcheck_return, context),
        "status_names": INTERVIEW_STATUS_LABELS,
    }


@view_config(
    route_name="backchecks.return", request_method="POST", permission=Permission.backcheck_return
)
def return_interview(context, request):
    """Return the approved interview to its assessor on this back-check's evidence."""
    item = context.backcheck
    try:
        BackcheckService(request.dbsession).return_interview(
            item, request.user, request.POST.get("reason")
        )
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(request, N_("The interview is returned to its assessor."))
    return HTTPSeeOther(request.route_url("backchecks.compare", backcheck_id=item.id))
