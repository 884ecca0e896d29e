"""No 500 on odd input: every route x odd path ids, query parameters and form fields.

A table-driven fuzz: for each route of the app (read from Pyramid's route mapper, so a new
route is covered without editing this file), its placeholders are filled with ids that exist
and with odd ones (>= 2**31, 30 digits, Unicode digits, letters), and every query parameter
and form field the views read is set to odd values (Unicode digits, 30 digits, NaN, NUL, ...),
anonymously and as an administrator (who passes every permission check). Every answer must
be below 500: a 400, 403, 404 or a page with a message.
"""

from __future__ import annotations

import re

import pytest
from pyramid.interfaces import IRoutesMapper
from webob import Request

from assessment.core.models import Role
from reports.models import ReportVersion
from surveys.instrument_store import active_versions
from tests.factories import make_user
from tests.surveys_web.conftest import start_interview

ODD_IDS = ("2147483648", "99999999999999999999999999999", "٣", "²", "-1", "abc", "0")
ODD_VALUES = (
    "abc",
    "²",
    "٣",
    "9" * 30,
    "-1",
    "nan",
    "1e309",
    "\x00",
    "x" * 3000,
    "",
)
# Every query parameter and form field a view reads (grep request.params / GET / POST).
PARAMETERS = (
    "frame",
    "village",
    "status",
    "q",
    "lang",
    "_LOCALE_",
    "next",
    "kind",
    "threshold",
    "acceptable",
    "alpha",
    "beta",
    "population",
    "margin",
    "confidence",
    "anticipated",
    "deff",
    "nonresponse",
    "percent",
    "seed",
    "outcome",
    "version",
    "lat",
    "lon",
    "accuracy",
    "design",
    "reason",
    "plan_village_id",
    "team_id",
    "home_county_id",
    "county_id",
    "role",
    "display_name",
    "username",
    "name",
    "year",
    "poverty_line",
    "definition",
    "note",
    "comment:verification.head_name",
    "v-head_name",
    "v-roster-0-age",
    "v-income_wages",
)
SKIP_POST = {
    "auth.logout",  # ends the fuzzing session
    "auth.login",  # replaces it
    "sampling.plan_verify",  # re-draws the plan, which the fixture built without a design
}
PLACEHOLDER = re.compile(r"\{(\w+)(?::((?:[^{}]|\{[^{}]*\})*))?\}")


@pytest.fixture
def ids(dbsession, world):
    """A real id for every placeholder name, and a user whose edit page may be fuzzed."""
    ph = world.plan.first_selected()
    version = ReportVersion  # a report version need not exist: its id then 404s
    return {
        "household": str(ph.id),
        "plan_id": str(world.plan.plan.id),
        "frame_id": str(world.plan.frame.id),
        "team_id": str(world.assessor.team_id),
        "user_id": str(make_user(dbsession, Role.reader).id),
        "round_id": str(world.plan.assessment_round.id),
        "version_id": str(active_versions(dbsession)["verification"].id),
        "province_id": str(world.plan.county.province_id),
        "code": world.plan.county.code,
        "format": "csv",
        "_version": version,
    }


def _routes(app):
    mapper = app.registry.queryUtility(IRoutesMapper)
    return [r for r in mapper.get_routes() if not r.name.startswith("__")]


def _fill(pattern: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), "1"), pattern)


def _urls(pattern: str, ids: dict[str, str]) -> list[str]:
    names = [m.group(1) for m in PLACEHOLDER.finditer(pattern)]
    urls = [_fill(pattern, ids)]
    for name in names:
        odd = (*ODD_IDS, "%00", "%FF", "x" * 300) if name != "format" else ("pdf", "%00", "xlsx")
        urls += [_fill(pattern, {**ids, name: _quote(value)}) for value in odd]
    return urls


def _quote(value: str) -> str:
    from urllib.parse import quote

    return value if value.startswith("%") else quote(value, safe="")


def _check(testapp, failures, method, url, **kwargs):
    if "%FF" in url.partition("?")[0]:
        # WebTest's cookie jar cannot rebuild such a URL: send it past the client.
        request = Request.blank(url, environ=dict(testapp.extra_environ), method=method.upper())
        response = request.get_response(testapp.app)
    else:
        try:
            response = getattr(testapp, method)(url, expect_errors=True, **kwargs)
        except Exception as exc:  # escaped the app: the server would answer 500
            failures.append((method, url[:120], repr(exc)[:200]))
            return
    if response.status_int >= 500:
        failures.append((method, url[:120], response.status_int))


@pytest.mark.slow
def test_no_route_answers_500_to_odd_ids_or_parameters(testapp, dbsession, world, ids):
    routes = _routes(testapp.app)
    assert len(routes) > 40
    testapp.login(world.assessor.username)
    start_interview(testapp, world.plan.first_selected())  # an interview to fuzz the form of
    testapp.post_form("/logout", {}, token_from="/", status=303)
    failures: list = []
    for route in routes:  # anonymous: route factories run before the permission check
        for url in _urls(route.pattern, ids):
            _check(testapp, failures, "get", url)
    testapp.login(world.admin.username)
    token = testapp.get_csrf_token("/")
    for route in routes:
        base = _fill(route.pattern, ids)
        for url in _urls(route.pattern, ids):
            _check(testapp, failures, "get", url)
        for value in (*ODD_VALUES, "%FF"):
            query = "&".join(
                f"{p}={value if value == '%FF' else _quote(value)}" for p in PARAMETERS
            )
            _check(testapp, failures, "get", f"{base}?{query}")
            if route.name in SKIP_POST or value == "%FF":
                continue
            form = dict.fromkeys(PARAMETERS, value) | {"csrf_token": token}
            _check(testapp, failures, "post", base, params=form)
            _check(
                testapp,
                failures,
                "post",
                base,
                params=f"csrf_token={token}&q=%FF&name=%FF&design=%FF",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            _check(
                testapp,
                failures,
                "post",
                base,
                params=f'{{"version": {value or 0}}}',
                headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
            )
    assert failures == [], "\n".join(map(str, failures))
