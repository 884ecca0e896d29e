"""Admin pages: instrument versions, and a new version from edited JSON."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from assessment.core.i18n import N_
from assessment.core.permissions import Permission
from assessment.core.views import flash
from surveys.instrument_store import (
    DefinitionRejected,
    create_version,
    ensure_builtin_instruments,
    pretty_definition,
    versions,
)
from surveys.views import close_spooled_body


@view_config(
    route_name="surveys.instruments.model",
    renderer="surveys/instruments.jinja2",
    permission=Permission.admin,
)
def instruments(request):
    """Every stored instrument version (the built-in ones are stored on first view)."""
    ensure_builtin_instruments(request.dbsession)
    return {"versions": versions(request.dbsession)}


@view_config(
    route_name="surveys.instrument_new",
    renderer="surveys/instrument_new.jinja2",
    permission=Permission.admin,
)
def instrument_new(request):
    """Edit the JSON of a version and save it as the instrument's next (active) version."""
    base = request.context.version
    text, problems = pretty_definition(base), []
    if request.method == "POST":
        close_spooled_body(request)
        text = request.POST.get("definition", "")
        try:
            row = create_version(
                request.dbsession, base, text, request.user, request.POST.get("note", "").strip()
            )
        except DefinitionRejected as exc:
            problems = exc.problems
            request.response.status = 400
        else:
            flash(
                request,
                N_("Version {version} of {name} saved and active."),
                version=row.version,
                name=row.instrument_id,
            )
            return HTTPSeeOther(request.route_url("surveys.instruments.model"))
    return {"base": base, "text": text, "problems": problems}
