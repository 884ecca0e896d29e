"""Project-wide guarantees: every view has a permission, the cores stay pure, schema = models."""

import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assessment.core.db import Base
from assessment.migrate import import_all_models

# Log-in and the static assets need no permission; nor does the service worker, a static
# script served from the root (tests/surveys_web/test_offline_pages.py checks it holds no data).
PUBLIC_VIEWS = {"auth.login", "__static/", "surveys.service_worker"}
PURE_MODULES = [
    "assessment.core.i18n",
    "assessment.estimation",
    "assessment.indicators",
    "sampling.frames",
    "sampling.sizes",
    "sampling.designs",
    "sampling.selection",
    "sampling.frames.hashing",
    "sampling.synthetic",
    "surveys.simulate",
    "reports.snapshot",
    "surveys.instruments.model",
    "surveys.instruments.verdicts",
    "reports.pdf",
    "assessment.core.exports",
    "reports.county_verdict",
    "assessment.core.csvsafe",
    "assessment.core.photos",
    "appeals.evidence",
    "backchecks.compare",
    "backchecks.spec",
]
WEB_PACKAGES = ("pyramid", "sqlalchemy", "wtforms", "transaction", "webob", "zope")


def test_every_view_names_a_permission(app):
    from pyramid.security import NO_PERMISSION_REQUIRED

    introspector = app.registry.introspector
    missing = []
    for view in introspector.get_category("views"):
        intr = view["introspectable"]
        route = intr["route_name"]
        if route is None:
            continue  # exception views (403/404/500) render errors, not resources
        permissions = [r["value"] for r in view["related"] if r.category_name == "permissions"]
        if route in PUBLIC_VIEWS:
            continue
        if not permissions or permissions == [NO_PERMISSION_REQUIRED]:
            missing.append(route)
    assert missing == []


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_imports_no_web_or_database_code(module):
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {WEB_PACKAGES!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if "ModuleNotFoundError" in result.stderr and f"'{module}'" in result.stderr:
        pytest.fail(f"{module} does not exist yet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_migrations_create_exactly_the_models(dbengine):
    import_all_models()
    with dbengine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
