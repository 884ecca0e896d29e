"""The round's ρ on the web: the ρ in force of each rare indicator with its history, the value
the round's complete counties would give now, and (admins) applying it with a reason.

The page is the web face of ``assess pool-icc``: the same :func:`reports.icc.pool`,
:func:`reports.icc.apply` and :func:`reports.icc.to_planning` (recording, marking the round's
counties stale, their results computed again before the commit), nothing of it repeated here.
A refused POST renders the page again with the reason the admin typed still in its box.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from assessment.core.errors import DomainError
from assessment.core.forms import bind
from assessment.core.i18n import N_, Message
from assessment.core.labels import INDICATOR_LABELS
from assessment.core.models import AssessmentRound
from assessment.core.permissions import Permission
from assessment.core.resources import query_id
from assessment.core.services import round_by_id, rounds_newest_first
from assessment.core.views import render_problem
from assessment.indicators.model import RARE_RATE_ICC
from reports import icc
from reports.forms import ApplyIccForm, PlanningIccForm


def _source(request, target: AssessmentRound) -> AssessmentRound:
    """The round pooled over: ``from_round`` in the query or the form (404 when no such round),
    else the round itself."""
    raw = request.params.get("from_round", "")
    if not raw:
        return target
    ident = query_id(raw)
    found = None if ident is None else round_by_id(request.dbsession, ident)
    if found is None:
        raise HTTPNotFound()
    return found


def _refusal(pooled: icc.Pooled) -> Message | None:
    """Why nothing can be pooled now (None when some indicator can)."""
    if not pooled.enough_counties:
        return Message(
            N_(
                "A pooled ρ needs at least {least} counties with complete fieldwork; "
                "round {round} has {count}. The round keeps its ρ."
            ),
            {"least": icc.MIN_COUNTIES, "round": pooled.source.name, "count": pooled.complete},
        )
    return None


def _lines(target: AssessmentRound, pooled: icc.Pooled | None) -> list[dict]:
    lines = []
    for indicator in icc.RARE_INDICATORS:
        history = [r for r in reversed(target.icc_history) if r.indicator == indicator]
        found = pooled.values.get(indicator) if pooled is not None else None
        lines.append(
            {
                "indicator": indicator,
                "label": INDICATOR_LABELS[indicator],
                "current": history[0] if history else None,
                "history": history,
                "pooled": found,
                "enough": pooled is not None and pooled.enough(indicator),
                "few_events": (
                    pooled is not None
                    and pooled.enough_counties
                    and found is not None
                    and found.events < icc.MIN_EVENTS
                ),
            }
        )
    return lines


def _page(request, target: AssessmentRound, source: AssessmentRound, **forms) -> dict:
    """The page's values; ``forms`` (``form``, ``planning_form``, ``refused``) after a POST."""
    try:
        pooled = icc.pool(request.dbsession, source)
    except DomainError as exc:  # a county's data that cannot be read: say so, never a 500
        pooled, problem = None, render_problem(request, exc.message)
    else:
        refusal = _refusal(pooled)
        problem = render_problem(request, refusal) if refusal is not None else None
    lines = _lines(target, pooled)
    return {
        "round": target,
        "source": source,
        "rounds": rounds_newest_first(request.dbsession),
        "pooled": pooled,
        "problem": problem,
        "lines": lines,
        "planning": RARE_RATE_ICC,
        "least_events": icc.MIN_EVENTS,
        "least_screening_counties": icc.MIN_SCREENING_COUNTIES,
        "screening": pooled.screening if pooled is not None else None,
        "screening_enough": pooled is not None and pooled.enough_screening,
        "screening_current": target.icc("missed_rate"),
        "can_apply": bool(request.has_permission(Permission.admin)),
        "off_planning": any(
            line["current"] is not None and line["current"].source != "planning" for line in lines
        ),
        "form": forms.get("form") or ApplyIccForm(),
        "planning_form": forms.get("planning_form") or PlanningIccForm(),
        "refused": forms.get("refused"),
    }


@view_config(
    route_name="reports.round_icc",
    request_method="GET",
    renderer="reports/round_icc.jinja2",
    permission=Permission.report_manage,
)
def round_icc(request):
    """Each rare indicator's ρ in force, its history, the pooled value the counties give now."""
    target = request.context.assessment_round
    return _page(request, target, _source(request, target))


def _record(request, form_class, key: str, record):
    """A POST of the page: ``record(target, source, reason)`` (raising :class:`DomainError`
    when refused) with the reason of ``form_class``'s one field; on success the messages
    flashed and back to the page, refused: the page again with the reason still in its box
    (``key`` names the form in the page's values)."""
    target = request.context.assessment_round
    source = _source(request, target)
    form = bind(form_class, request)
    form.validate()
    (field,) = form
    try:
        rows = record(target, source, field.data or "")
    except DomainError as exc:
        refused = render_problem(request, exc.message)
        return _page(request, target, source, **{key: form}, refused=refused)
    for message in icc.applied_messages(target, rows):
        request.session.flash(message.render(request.locale_name), "success")
    query = {"from_round": source.id} if source.id != target.id else {}
    return HTTPSeeOther(request.route_url("reports.round_icc", round_id=target.id, _query=query))


@view_config(
    route_name="reports.round_icc",
    request_method="POST",
    renderer="reports/round_icc.jinja2",
    permission=Permission.admin,
)
def apply_round_icc(request):
    """Record the pooled ρ for the round (with a reason); its counties' results follow."""

    def record(target, source, reason):
        pooled = icc.pool(request.dbsession, source)
        return icc.apply(request.dbsession, target, pooled, request.user, reason)

    return _record(request, ApplyIccForm, "form", record)


@view_config(
    route_name="reports.round_icc",
    request_method="POST",
    request_param="planning_reason",
    renderer="reports/round_icc.jinja2",
    permission=Permission.admin,
)
def round_icc_to_planning(request):
    """Put the round back on the planning value of ρ (with a reason); its counties follow."""

    def record(target, source, reason):
        return icc.to_planning(request.dbsession, target, request.user, reason)

    return _record(request, PlanningIccForm, "planning_form", record)
