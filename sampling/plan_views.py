"""Sampling-plan pages: design and draw, plan view, verification, team assignment, exports."""

from __future__ import annotations

import json
import tempfile

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from assessment.core import pipeline
from assessment.core.errors import DomainError
from assessment.core.exports import write_csv, write_xlsx
from assessment.core.forms import bind, choices
from assessment.core.i18n import N_, Message, translate
from assessment.core.labels import SIZE_MODEL_LABELS
from assessment.core.permissions import Permission
from assessment.core.resources import query_id
from assessment.core.services import TeamService, latest_round, team_by_id
from assessment.core.views import XLSX, file_response, flash, render_problem
from sampling import sizes
from sampling.design_words import design_sentences
from sampling.exports import plan_sheet
from sampling.forms import DEFAULT_DESIGN, AssignTeamForm, AssignVillagesForm, DrawPlanForm
from sampling.plans import PlanService, frame_strata, interview_count, team_list_rows
from sampling.services import FrameService


@view_config(
    route_name="sampling.plans", renderer="sampling/plans.jinja2", permission=Permission.plan_view
)
def plans(request):
    """Every plan version of every county, newest first (the re-draw history)."""
    return {"plans": PlanService(request.dbsession).every_plan()}


@view_config(
    route_name="sampling.plan_new",
    renderer="sampling/plan_new.jinja2",
    permission=Permission.plan_manage,
)
def plan_new(request):
    """Design form with live sample sizes; POST commits to and draws the plan."""
    if not request.params.get("frame"):
        # A plan is drawn from a frame: without one named, the coordinator picks it first.
        flash(request, N_("Choose the frame to draw the plan from."), "error")
        return HTTPSeeOther(request.route_url("sampling.frames"))
    frame_id = query_id(request.params.get("frame"))
    frames = FrameService(request.dbsession)
    frame = frames.frame_by_id(frame_id)
    if frame is None:
        raise HTTPNotFound()
    service = PlanService(request.dbsession)
    previous = service.current(frame.county)
    form = bind(DrawPlanForm, request)
    if request.method == "GET":
        form.design.data = previous.design_json if previous else DEFAULT_DESIGN
    if request.method == "POST" and form.validate():
        try:
            plan = service.draw(
                frame,
                form.design.data,
                user=request.user,
                seed_hex=form.seed.data or None,
                reason=form.reason.data,
                discard_fieldwork=bool(form.discard_fieldwork.data),
            )
        except DomainError as exc:
            for message, field in exc.problems:  # every problem at once, each at its field
                target = getattr(form, field or "", None) or form.design
                target.errors = [*target.errors, render_problem(request, message)]
        else:
            flash(request, N_("Plan version {version} drawn."), version=plan.version)
            return HTTPSeeOther(request.route_url("sampling.plan", plan_id=plan.id))
    decision_deff = pipeline.previous_deff(request.dbsession, frame.county)
    keys = frames.village_keys(frame)
    return {
        "form": form,
        "frame": frame,
        "previous": previous,
        "fieldwork": interview_count(request.dbsession, previous) if previous else 0,
        "village_keys": keys,
        "frame_strata": frame_strata(request.dbsession, frame),
        "decision_deff": decision_deff,
        "assessment_round": latest_round(request.dbsession, frame.county),
    }


class _SizeInputError(ValueError):
    """A sample-size input the page must ask for again, with the message to show."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


# The page's label of each input of the sample-size calculators (plan_new.jinja2).
SIZE_FIELDS = {
    "margin": N_("Margin"),
    "confidence": N_("Confidence"),
    "anticipated": N_("Anticipated rate"),
    "deff": N_("Design effect"),
    "population": N_("Population (households)"),
    "nonresponse": N_("Expected non-response"),
    "threshold": N_("Threshold"),
    "acceptable": N_("Acceptable rate"),
    "alpha": N_("Risk of passing a county at the threshold (α)"),
    "beta": N_("Risk of failing a county at the acceptable rate (β)"),
}


def _number(request, name, default=None, kind=float, *, required=False):
    raw = request.params.get(name, "")
    if raw in ("", None):
        if required:
            raise _SizeInputError(Message(N_("{field}: enter a number."), {"field": _field(name)}))
        return default
    try:
        return kind(raw)
    except ValueError:
        raise _SizeInputError(
            Message(N_("{field}: enter a number."), {"field": _field(name)})
        ) from None


def _field(name: str) -> Message:
    return Message(SIZE_FIELDS.get(name, name))


def _size_problem(exc: ValueError) -> Message:
    """The calculators' ValueError ("margin: must be a proportion ...") in the user's words."""
    name, _, detail = str(exc).partition(":")
    field = _field(name.strip())
    if "proportion" in detail:
        return Message(N_("{field}: enter a percentage above 0 and below 100."), {"field": field})
    if name == "acceptable":
        return Message(N_("The acceptable rate must be below the threshold."))
    if name == "max_n":
        return Message(
            N_(
                "No sample size meets both risks: allow larger risks, or widen the gap between "
                "the threshold and the acceptable rate."
            )
        )
    if name == "population":
        return Message(N_("{field}: enter a whole number of at least 1."), {"field": field})
    if name in SIZE_FIELDS:
        return Message(N_("{field}: enter a number above 0."), {"field": field})
    return Message(N_("Check the values: one of them is outside its range."))


# The exact hypergeometric model matters only for small frames; above this size the
# binomial is indistinguishable and scipy's hypergeometric search takes tens of seconds.
SMALL_FRAME = 3000


def _small_frame(population: int | None) -> int | None:
    return population if population is not None and population <= SMALL_FRAME else None


@view_config(route_name="sampling.sizes", renderer="json", permission=Permission.plan_manage)
def sample_sizes(request):
    """Sample sizes for the design page: precision- or decision-based, with assumptions."""
    try:
        if request.params.get("kind") == "decision":
            plan = sizes.decision_sample_size(
                _number(request, "threshold", required=True),
                _number(request, "acceptable", required=True),
                alpha=_number(request, "alpha", 0.05),
                beta=_number(request, "beta", 0.20),
                population=_small_frame(_number(request, "population", None, int)),
                deff=_number(request, "deff", 1.0),
                deff_source=request.params.get("deff_source") or None,
            )
            curve = sizes.operating_characteristic(
                plan.n_effective, plan.d, population=plan.population
            )
            model = translate(SIZE_MODEL_LABELS.get(plan.model, plan.model), request.locale_name)
            body = {**plan.__dict__, "acceptance_rate": plan.acceptance_rate}
            return {"plan": body, "model_label": model, "oc": [p.__dict__ for p in curve]}
        result = sizes.precision_sample_size(
            _number(request, "margin", required=True),
            confidence=_number(request, "confidence", 0.95),
            anticipated=_number(request, "anticipated", 0.5),
            deff=_number(request, "deff", 1.0),
            population=_number(request, "population", None, int),
            nonresponse=_number(request, "nonresponse", 0.0),
        )
        return {"size": result.__dict__}
    except _SizeInputError as exc:
        request.response.status = 400
        return {"error": render_problem(request, exc.message)}
    except (TypeError, ValueError) as exc:
        request.response.status = 400
        return {"error": render_problem(request, _size_problem(exc))}


@view_config(
    route_name="sampling.plan", renderer="sampling/plan.jinja2", permission=Permission.plan_view
)
def plan_view(context, request):
    """A plan by village with counts per stratum, its commitment, history and assignment."""
    plan = context.plan
    service = PlanService(request.dbsession)
    teams = (
        TeamService(request.dbsession).list()
        if request.has_permission(Permission.plan_manage)
        else []
    )
    villages = service.villages(plan)
    summary = json.loads(plan.summary_json or "{}")
    names = {
        row["plan_village"].frame_village.village_key: f"{row['township']} · {row['village']}"
        for row in villages
    }
    shortfalls = summary.get("shortfalls", [])
    return {
        "plan": plan,
        "villages": villages,
        "village_names": names,
        "sample_shortfalls": [s for s in shortfalls if s.get("kind") != "reserve"],
        "reserve_shortfalls": [s for s in shortfalls if s.get("kind") == "reserve"],
        "history": service.plans_of(plan.county),
        "summary": summary,
        "design": json.loads(plan.design_json),
        "design_sentences": design_sentences(plan.design_json),
        "teams": teams,
        "verification": None,
        "archived": interview_count(request.dbsession, plan) if plan.fieldwork_archived_at else 0,
    }


@view_config(
    route_name="sampling.plan_verify",
    request_method="POST",
    renderer="sampling/plan.jinja2",
    permission=Permission.plan_view,
)
def plan_verify(context, request):
    """Re-run the draw from the stored frame, design and seed, and say whether it matches."""
    data = plan_view(context, request)
    data["verification"] = PlanService(request.dbsession).verify(context.plan)
    return data


@view_config(
    route_name="sampling.plan_assign", request_method="POST", permission=Permission.plan_manage
)
def plan_assign(context, request):
    """Assign one selected village to a team."""
    form = bind(AssignTeamForm, request)
    form.team_id.choices = choices(
        [(0, "—")] + [(t.id, t.name) for t in TeamService(request.dbsession).list()]
    )
    if form.validate():
        team = team_by_id(request.dbsession, form.team_id.data)
        try:
            PlanService(request.dbsession).assign(context.plan, form.plan_village_id.data, team)
        except DomainError as exc:
            request.session.flash(render_problem(request, exc.message), "error")
        else:
            flash(request, N_("Assignment saved."))
    return HTTPSeeOther(request.route_url("sampling.plan", plan_id=context.plan.id))


@view_config(
    route_name="sampling.plan_assign_many",
    request_method="POST",
    permission=Permission.plan_manage,
)
def plan_assign_many(context, request):
    """Assign every ticked village to one team in one save."""
    form = bind(AssignVillagesForm, request)
    form.team_id.choices = choices(
        [(0, "—")] + [(t.id, t.name) for t in TeamService(request.dbsession).list()]
    )
    back = HTTPSeeOther(request.route_url("sampling.plan", plan_id=context.plan.id))
    if not form.validate():
        flash(request, N_("Choose villages and a team from the lists."), "error")
        return back
    if not form.plan_village_id.data:
        flash(request, N_("Choose at least one village."), "error")
        return back
    team = team_by_id(request.dbsession, form.team_id.data)
    try:
        count = PlanService(request.dbsession).assign_many(
            context.plan, form.plan_village_id.data, team
        )
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(request, N_("{count} villages assigned."), count=count)
    return back


@view_config(route_name="sampling.plan_export", permission=Permission.plan_manage)
def plan_export(context, request):
    """The plan's households as CSV or XLSX, every number at full precision."""
    fmt = request.matchdict["format"]
    if fmt not in ("csv", "xlsx"):
        raise HTTPNotFound()
    sheet = plan_sheet(PlanService(request.dbsession).export_rows(context.plan))
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileIter closes it once sent
    if fmt == "csv":
        write_csv(sheet, spool)
    else:
        write_xlsx([sheet], spool)
    name = f"plan-{context.plan.county.code}-v{context.plan.version}.{fmt}"
    return file_response(spool, "text/csv" if fmt == "csv" else XLSX, name)


@view_config(
    route_name="sampling.plan_team_list",
    renderer="sampling/team_list.jinja2",
    permission=Permission.plan_manage,
)
def plan_team_list(context, request):
    """A printable household list for one team: sampled households first, then the reserves
    in order; no household status (the assessors are blinded to it)."""
    team = context.team
    rows = PlanService(request.dbsession).export_rows(context.plan, team_id=team.id)
    return {"plan": context.plan, "team": team, "rows": team_list_rows(rows)}
