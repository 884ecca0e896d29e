"""Dashboard, report pages and downloads, survey-data exports."""

from __future__ import annotations

import tempfile

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from assessment.core.errors import DomainError
from assessment.core.exports import write_csv, write_xlsx
from assessment.core.forms import bind
from assessment.core.i18n import N_, Message
from assessment.core.labels import STAGE_LABELS
from assessment.core.permissions import Permission
from assessment.core.views import XLSX, file_response, flash, render_problem
from reports import county_estimates as ce
from reports.forms import CloseFieldworkForm
from reports.pdf import render_county_report, render_province_report
from reports.province import province_snapshot
from reports.services import (
    FILTER_STAGES,
    FILTER_VERDICTS,
    ReportService,
    county_snapshot,
    dashboard,
)
from reports.status import county_status
from reports.survey_export import export_sheets, reproduction_notes
from sampling.services import current_plan, require_current_plan
from surveys.services import FieldworkService

PDF = "application/pdf"


def _lang(request) -> str:
    lang = request.params.get("lang", request.locale_name)
    return lang if lang in ("zh", "en") else "zh"


def _pdf(body: bytes, name: str) -> Response:
    return Response(body=body, content_type=PDF, content_disposition=f'inline; filename="{name}"')


def _font(request):
    return request.registry.app_settings.font_path


def _round_id(request) -> int | None:
    """The ``round`` query parameter (None when absent; 404 when not a number)."""
    raw = request.params.get("round", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise HTTPNotFound()
    return int(raw)


def _households(request) -> bool:
    """Whether the user may see households, so the problem list may name them (a reader
    gets counts by category instead)."""
    return request.has_permission(Permission.household_view, request.root)


def _number(request, name: str) -> int | None:
    """A whole-number query parameter (None when absent; 404 when not a number)."""
    raw = request.params.get(name, "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise HTTPNotFound()
    return int(raw)


def _choice(request, name: str, choices: tuple[str, ...]) -> str | None:
    """A filter among ``choices``; an unknown value is said so and ignored."""
    raw = request.params.get(name, "")
    if raw and raw not in choices:
        flash(request, N_("Unknown filter value; showing every county."), "error")
        return None
    return raw or None


@view_config(
    route_name="dashboard.view",
    renderer="reports/dashboard.jinja2",
    permission=Permission.dashboard,
)
def dashboard_view(request):
    """Every county of a round with progress, indicators and verdicts; no household record."""
    filters = {
        "province_id": _number(request, "province"),
        "verdict": _choice(request, "verdict", FILTER_VERDICTS),
        "stage": _choice(request, "stage", FILTER_STAGES),
    }
    try:
        board = dashboard(
            request.dbsession, _round_id(request), page=_number(request, "page") or 1, **filters
        )
    except DomainError:
        raise HTTPNotFound() from None
    return {
        "board": board,
        "filters": filters,
        "verdicts": FILTER_VERDICTS,
        "stages": FILTER_STAGES,
        "stage_labels": STAGE_LABELS,
    }


@view_config(
    route_name="reports.list", renderer="reports/list.jinja2", permission=Permission.report
)
def report_list(request):
    """Counties with report versions."""
    return dashboard_view(request)


@view_config(
    route_name="reports.county", renderer="reports/county.jinja2", permission=Permission.report
)
def county_page(request):
    """A county's state and verdict, report versions, the live draft, exports."""
    county, round_id = request.context.county, _round_id(request)
    try:
        status = county_status(request.dbsession, county, round_id)
    except DomainError:
        raise HTTPNotFound() from None
    return {
        "county": county,
        "status": status,
        "round_id": round_id,
        "versions": ReportService(request.dbsession).versions(county),
        "form": CloseFieldworkForm(),
    }


@view_config(
    route_name="reports.county_close_fieldwork",
    request_method="POST",
    permission=Permission.plan_manage,
)
def close_fieldwork(request):
    """Close the fieldwork of the county's current plan, with a reason (who/when recorded)."""
    county, round_id = request.context.county, _round_id(request)
    form = bind(CloseFieldworkForm, request)
    try:
        plan = require_current_plan(request.dbsession, county, round_id)
        reason = form.reason.data if form.validate() else ""
        FieldworkService(request.dbsession).close(plan, request.user, reason)
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(request, N_("Fieldwork of {county} closed."), county=county.name)
    query = {"round": round_id} if round_id else {}
    return HTTPSeeOther(request.route_url("reports.county", code=county.code, _query=query))


@view_config(route_name="reports.county_draft", permission=Permission.report)
def county_draft(request):
    """The report of the current approved data, marked as a draft."""
    county, lang = request.context.county, _lang(request)
    try:
        snap = county_snapshot(request.dbsession, county, lang=lang, round_id=_round_id(request))
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
        return HTTPSeeOther(request.route_url("reports.county", code=county.code))
    return _pdf(
        render_county_report(
            snap, lang=lang, font_path=_font(request), households=_households(request)
        ),
        f"{county.code}-draft-{lang}.pdf",
    )


@view_config(
    route_name="reports.county_versions", request_method="POST", permission=Permission.report_manage
)
def create_version(request):
    """Lock the current approved data into a new report version."""
    county = request.context.county
    try:
        version = ReportService(request.dbsession).create_version(
            county, lang=_lang(request), user=request.user
        )
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(
            request,
            N_("Report version {version} created from the approved data."),
            version=version.version,
        )
    return HTTPSeeOther(request.route_url("reports.county", code=county.code))


@view_config(route_name="reports.version_pdf", permission=Permission.report)
def version_pdf(request):
    """A stored version's PDF (the signed-off bytes, or rendered from its snapshot; a reader's
    copy is always rendered from the snapshot, without household identities)."""
    version = request.context.version
    body = ReportService(request.dbsession).pdf(version, households=_households(request))
    return _pdf(body, f"{version.county.code}-v{version.version}-{version.language}.pdf")


@view_config(
    route_name="reports.version_sign_off",
    request_method="POST",
    permission=Permission.report_manage,
)
def sign_off(request):
    """Sign a version off: its PDF is stored and never changes."""
    version = request.context.version
    try:
        ReportService(request.dbsession).sign_off(version, request.user)
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
    else:
        flash(request, N_("Report version {version} signed off."), version=version.version)
    return HTTPSeeOther(request.route_url("reports.county", code=version.county.code))


@view_config(route_name="reports.province_pdf", permission=Permission.report)
def province_pdf(request):
    """The provincial summary across counties."""
    province = request.context.province
    try:
        snap = province_snapshot(request.dbsession, province.name, round_id=_round_id(request))
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
        return HTTPSeeOther(request.route_url("dashboard.view"))
    lang = _lang(request)
    return _pdf(
        render_province_report(snap, lang=lang, font_path=_font(request)),
        f"province-{province.id}-{lang}.pdf",
    )


@view_config(route_name="reports.county_export", permission=Permission.export)
def county_export(request):
    """Approved survey data: XLSX (households, members, codebook) or households CSV."""
    county, fmt, round_id = request.context.county, request.matchdict["format"], _round_id(request)
    if fmt not in ("csv", "xlsx"):
        raise HTTPNotFound()
    plan = current_plan(request.dbsession, county, round_id)
    data = ce.county_data(request.dbsession, county, plan) if plan is not None else None
    if data is None or not data.rows:
        request.session.flash(
            render_problem(
                request,
                Message(
                    N_("County {county} has no approved interview yet."), {"county": county.code}
                ),
            ),
            "error",
        )
        return HTTPSeeOther(request.route_url("reports.county", code=county.code))
    sheets = export_sheets(request.dbsession, data)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileIter closes it once sent
    if fmt == "csv":
        write_csv(sheets[0], spool)  # households; the XLSX holds every sheet and the codebook
    else:
        write_xlsx(list(sheets), spool, notes=reproduction_notes(data))
    return file_response(spool, "text/csv" if fmt == "csv" else XLSX, f"{county.code}-survey.{fmt}")
