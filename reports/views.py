"""Dashboard, report pages and downloads, survey-data exports."""

from __future__ import annotations

import tempfile

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from assessment import county_estimates as ce
from assessment.i18n import N_
from assessment.models import County, Province
from assessment.permissions import Permission
from assessment.services import DomainError
from assessment.views import XLSX, file_response, flash, render_problem
from reports.exports import write_csv, write_xlsx
from reports.models import ReportVersion
from reports.pdf import render_county_report, render_province_report
from reports.services import ReportService, county_snapshot, dashboard, province_snapshot
from reports.survey_export import export_sheets

PDF = "application/pdf"


def _county(request) -> County:
    code = request.matchdict["code"]
    county = request.dbsession.scalar(select(County).where(County.code == code))
    if county is None:
        raise HTTPNotFound()
    return county


def _lang(request) -> str:
    lang = request.params.get("lang", request.locale_name)
    return lang if lang in ("zh", "en") else "zh"


def _pdf(body: bytes, name: str) -> Response:
    return Response(body=body, content_type=PDF, content_disposition=f'inline; filename="{name}"')


def _font(request):
    return request.registry.app_settings.font_path


@view_config(
    route_name="dashboard.view",
    renderer="reports/dashboard.jinja2",
    permission=Permission.dashboard,
)
def dashboard_view(request):
    """Every county with progress, indicators and verdicts; no household record."""
    statuses = dashboard(request.dbsession)
    provinces = {s.county.province for s in statuses}
    return {"statuses": statuses, "provinces": sorted(provinces, key=lambda p: p.name)}


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
    """A county's report versions, the live draft, exports."""
    county = _county(request)
    return {"county": county, "versions": ReportService(request.dbsession).versions(county)}


@view_config(route_name="reports.county_draft", permission=Permission.report)
def county_draft(request):
    """The report of the current approved data, marked as a draft."""
    county, lang = _county(request), _lang(request)
    try:
        snap = county_snapshot(request.dbsession, county, lang=lang)
    except DomainError as exc:
        request.session.flash(render_problem(request, exc.message), "error")
        return HTTPSeeOther(request.route_url("reports.county", code=county.code))
    return _pdf(
        render_county_report(snap, lang=lang, font_path=_font(request)),
        f"{county.code}-draft-{lang}.pdf",
    )


@view_config(
    route_name="reports.county_versions", request_method="POST", permission=Permission.report_manage
)
def create_version(request):
    """Lock the current approved data into a new report version."""
    county = _county(request)
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


def _version(request) -> ReportVersion:
    version = request.dbsession.get(ReportVersion, int(request.matchdict["version_id"]))
    if version is None:
        raise HTTPNotFound()
    return version


@view_config(route_name="reports.version_pdf", permission=Permission.report)
def version_pdf(request):
    """A stored version's PDF (the signed-off bytes, or rendered from its snapshot)."""
    version = _version(request)
    body = ReportService(request.dbsession).pdf(version)
    return _pdf(body, f"{version.county.code}-v{version.version}-{version.language}.pdf")


@view_config(
    route_name="reports.version_sign_off",
    request_method="POST",
    permission=Permission.report_manage,
)
def sign_off(request):
    """Sign a version off: its PDF is stored and never changes."""
    version = _version(request)
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
    province = request.dbsession.get(Province, int(request.matchdict["province_id"]))
    if province is None:
        raise HTTPNotFound()
    try:
        snap = province_snapshot(request.dbsession, province.name)
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
    county, fmt = _county(request), request.matchdict["format"]
    data = ce.county_data(request.dbsession, county)
    if fmt not in ("csv", "xlsx") or data is None:
        raise HTTPNotFound()
    households, members = export_sheets(request.dbsession, data)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileIter closes it once sent
    if fmt == "csv":
        write_csv(households, spool)
    else:
        write_xlsx([households, members], spool)
    return file_response(spool, "text/csv" if fmt == "csv" else XLSX, f"{county.code}-survey.{fmt}")
