"""Frame pages: upload, summary, template download."""

from __future__ import annotations

from importlib import resources

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from assessment.core.forms import bind, choices
from assessment.core.i18n import N_, translate
from assessment.core.models import NATIONAL_SCHEME, AssessmentRound, County
from assessment.core.permissions import Permission
from assessment.core.services import (
    counties,
    county_by_id,
    ensure_county,
    latest_round,
    round_by_id,
    rounds_newest_first,
)
from assessment.core.views import flash
from sampling.forms import UploadFrameForm
from sampling.services import FrameService, frame_limits


def _county_for(request, form):
    """The chosen county, or a function creating the new one (called only for an accepted
    file: a refused upload must not leave a county behind); None when neither is given."""
    if form.new_county_code.data:
        return lambda: ensure_county(
            request.dbsession,
            form.new_county_code.data.strip(),
            form.new_county_name.data or form.new_county_code.data,
            form.new_county_province.data or "未指定省份",
            western=form.new_county_western.data,
        )
    return county_by_id(request.dbsession, form.county_id.data)


NO_ROUND = N_(
    "{county} is in no assessment round: an administrator must add it to one before fieldwork."
)


def _round_choices(request, form) -> None:
    rounds = rounds_newest_first(request.dbsession)
    none = translate(
        N_("— none yet (an administrator adds the county before fieldwork)"), request.locale_name
    )
    form.round_id.choices = choices([(0, none)] + [(r.id, f"{r.year} · {r.name}") for r in rounds])
    if request.method == "GET" and rounds:
        form.round_id.data = rounds[0].id


def _round_problems(request, form) -> list[str]:
    """What is wrong with the round asked for (checked before the file is read)."""
    if not form.new_round_name.data:
        return []
    if not request.has_permission(Permission.admin):
        return [N_("Only an administrator may create an assessment round.")]
    if not (form.new_round_year.data and form.new_round_poverty_line.data):
        return [N_("A new round needs its year and poverty line.")]
    return []


def _join_round(request, form, county: County) -> None:
    """Put the imported county in the round chosen (or the new one), or say it is in none."""
    if form.new_round_name.data:
        chosen = AssessmentRound(
            name=form.new_round_name.data.strip(),
            year=form.new_round_year.data,
            **{**NATIONAL_SCHEME, "poverty_line": float(form.new_round_poverty_line.data)},
        )
        request.dbsession.add(chosen)
    else:
        chosen = round_by_id(request.dbsession, form.round_id.data)
    if chosen is not None and county not in chosen.counties:
        chosen.counties.append(county)
    if chosen is not None:
        flash(
            request, N_("{county} is in the round {round}."), county=county.name, round=chosen.name
        )
    elif latest_round(request.dbsession, county) is None:
        flash(request, NO_ROUND, "error", county=county.name)


@view_config(
    route_name="sampling.frames", renderer="sampling/frames.jinja2", permission=Permission.frame
)
def frames(request):
    """Every frame version by county, and the upload form."""
    form = bind(UploadFrameForm, request)
    form.county_id.choices = choices(
        [(0, "—")] + [(c.id, f"{c.code} {c.name}") for c in counties(request.dbsession)]
    )
    _round_choices(request, form)
    outcome = None
    if request.method == "POST" and form.validate():
        county = _county_for(request, form)
        upload = request.POST.get("file")
        round_problems = _round_problems(request, form)
        if round_problems:
            form.round_id.errors = round_problems  # always shown (the new-round fields: admins)
        if county is None:
            form.county_id.errors.append(N_("Choose a county or give a new county code."))
        elif round_problems:
            pass  # shown at the field; nothing is imported
        elif not hasattr(upload, "file"):
            form.file.errors = [N_("Choose a file to upload.")]
        else:
            limits = frame_limits(request.registry.app_settings)
            service = FrameService(request.dbsession, limits=limits, isolated=True)
            outcome = service.import_file(
                county,
                upload.file,
                upload.filename or "frame",
                user=request.user,
                encoding=form.encoding.data or None,
            )
            if outcome.frame is not None:
                _join_round(request, form, outcome.frame.county)  # created if it was new
                flash(
                    request,
                    N_("Frame imported: {count} households."),
                    count=outcome.frame.households,
                )
                return HTTPSeeOther(request.route_url("sampling.frame", frame_id=outcome.frame.id))
            request.response.status = 422
    frames = FrameService(request.dbsession)
    listing, log = frames.every_frame(), frames.recent_imports(10)
    return {"form": form, "frames": listing, "outcome": outcome, "log": log}


@view_config(
    route_name="sampling.frame", renderer="sampling/frame.jinja2", permission=Permission.frame
)
def frame_summary(context, request):
    """Households and persons by township, village type and status."""
    frame = context.frame
    rows = FrameService(request.dbsession).summary(frame)
    townships = sorted({r["township"] for r in rows})
    totals = {}
    for r in rows:
        for key in (("all", "all"), (r["village_type"], "all"), ("all", r["status"])):
            hh, persons = totals.get(key, (0, 0))
            totals[key] = (hh + r["households"], persons + r["persons"])
    return {
        "frame": frame,
        "rows": rows,
        "townships": townships,
        "totals": totals,
        "assessment_round": latest_round(request.dbsession, frame.county),
    }


@view_config(route_name="sampling.frame_template", permission=Permission.frame)
def frame_template(request):
    """The CSV template with the canonical headers and example rows."""
    body = resources.files("sampling").joinpath("templates/frame-template.csv").read_bytes()
    return Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        content_disposition='attachment; filename="frame-template.csv"',
    )
