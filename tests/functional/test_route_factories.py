"""Route factories: every object route has one; none tells an anonymous visitor what exists.

A route factory runs before the permission check. Were it to answer 404 for a missing object, a
visitor who is not logged in could probe which county codes and ids exist; so the answer to an
anonymous request is the same (the log-in redirect for a GET, 403 otherwise) whether or not the
object exists, and only a logged-in user is told "not found".
"""

import re

import pytest
from pyramid.config import Configurator

from assessment.core.models import AssessmentRound, Role
from assessment.core.resources import Resource, RoundResource, UserResource
from assessment.core.tokens import issue_token
from sampling.models import PlanHousehold
from sampling.plans import PlanService
from sampling.resources import PlanTeamResource
from surveys.instrument_store import ensure_builtin_instruments, versions
from tests.factories import make_team, make_user
from tests.sampling_db.conftest import frame  # noqa: F401 - the fixture

DESIGN = {
    "type": "two-stage",
    "villages": {"poor": 2, "non_poor": 1},
    "households_per_village": {"exited": 2, "not_exited": 1, "non_registered": 2},
    "reserves_per_household": 0,
    "screening": False,
}
MISSING_ID = "999999999"
MISSING_CODE = "NO-SUCH-COUNTY"


@pytest.fixture
def objects(dbsession, frame):  # noqa: F811
    """One existing object of each resource class, as URL parts."""
    team = make_team(dbsession)
    plan = PlanService(dbsession).draw(frame, DESIGN, seed_hex="22" * 32)
    household = dbsession.query(PlanHousehold).filter_by(plan_id=plan.id).first()
    ensure_builtin_instruments(dbsession)
    owner = make_user(dbsession, Role.coordinator)
    _, token = issue_token(dbsession, owner, name="t", lifetime_days=30)
    county = frame.county
    assessment_round = AssessmentRound(name="2019 轮", year=2019, poverty_line=3218.0)
    dbsession.add(assessment_round)
    dbsession.flush()
    return {
        "user": str(owner.id),
        "round": str(assessment_round.id),
        "team": str(team.id),
        "frame": str(frame.id),
        "plan": str(plan.id),
        "household": str(household.id),
        "code": county.code,
        "province": str(county.province_id),
        "version": str(versions(dbsession)[0].id),
        "token": str(token.id),
    }


# (method, URL template) for every resource class; the placeholder is the object's key.
GETS = [
    "/teams/{team}",
    "/admin/users/{user}",
    "/admin/rounds/{round}",
    "/sampling/plans/{plan}/teams/{team}",
    "/sampling/frames/{frame}",
    "/sampling/plans/{plan}",
    "/surveys/households/{household}",
    "/surveys/review/{household}",
    "/surveys/households/{household}/capture",
    "/surveys/instruments/{version}/new",
    "/reports/county/{code}",
    "/reports/county/{code}/draft.pdf",
    "/reports/county/{code}/export.csv",
    "/reports/province/{province}.pdf",
    "/appeals/county/{code}",
    "/quality/county/{code}",
]
POSTS = [
    "/reports/county/{code}/versions",
    "/reports/county/{code}/close-fieldwork",
    "/quality/county/{code}/draw",
    "/appeals/county/{code}/publish",
    "/sampling/plans/{plan}/assign",
    "/account/tokens/{token}/revoke",
    "/admin/tokens/{token}/revoke",
]
API_GETS = ["/api/households/{household}/interview", "/api/appeals/county/{code}"]


def _missing(objects: dict) -> dict:
    return {key: MISSING_CODE if key == "code" else MISSING_ID for key in objects}


def test_anonymous_get_is_sent_to_log_in_whether_or_not_the_object_exists(testapp, objects):
    for template in GETS:
        for values in (objects, _missing(objects)):
            path = template.format(**values)
            response = testapp.get(path, status=303)
            assert re.search(r"/login\?next=", response.location), (path, response.location)


def test_anonymous_post_is_forbidden_whether_or_not_the_object_exists(testapp, objects):
    for template in POSTS:
        testapp.post(template.format(**objects), status=403)
        testapp.post(template.format(**_missing(objects)), status=403)


def test_anonymous_api_request_is_forbidden_whether_or_not_the_object_exists(testapp, objects):
    for template in API_GETS:
        for values in (objects, _missing(objects)):
            response = testapp.get(template.format(**values), status=403)
            assert response.json == {"error": "forbidden"}
    # A bearer token that names no user is anonymous too.
    headers = {"Authorization": "Bearer not-a-token"}
    for values in (objects, _missing(objects)):
        path = API_GETS[0].format(**values)
        assert testapp.get(path, headers=headers, status=403).json == {"error": "forbidden"}


def test_a_user_with_the_permission_is_told_not_found(testapp, dbsession, objects):
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    testapp.get(f"/reports/county/{objects['code']}", status=200)
    testapp.get(f"/quality/county/{objects['code']}", status=200)
    for path in (
        f"/reports/county/{MISSING_CODE}",
        f"/reports/county/{MISSING_CODE}/draft.pdf",
        f"/reports/county/{MISSING_CODE}/export.xlsx",
        f"/reports/versions/{MISSING_ID}.pdf",
        f"/reports/province/{MISSING_ID}.pdf",
        f"/quality/county/{MISSING_CODE}",
        f"/appeals/county/{MISSING_CODE}",
        f"/sampling/plans/{MISSING_ID}",
        f"/teams/{MISSING_ID}",
    ):
        testapp.get(path, status=404)
    token = testapp.get_csrf_token("/account")
    testapp.post(f"/reports/county/{MISSING_CODE}/versions", {"csrf_token": token}, status=404)
    testapp.post(f"/reports/versions/{MISSING_ID}/sign-off", {"csrf_token": token}, status=404)
    # The plan's team list: the plan and the team must both exist.
    testapp.get(f"/sampling/plans/{objects['plan']}/teams/{objects['team']}", status=200)
    testapp.get(f"/sampling/plans/{objects['plan']}/teams/{MISSING_ID}", status=404)
    testapp.get(f"/sampling/plans/{MISSING_ID}/teams/{objects['team']}", status=404)


def test_an_admin_is_told_a_user_or_round_is_not_found(testapp, dbsession, objects):
    testapp.login(make_user(dbsession, Role.admin).username)
    testapp.get(f"/admin/users/{objects['user']}", status=200)
    testapp.get(f"/admin/rounds/{objects['round']}", status=200)
    testapp.get("/admin/rounds/new", status=200)
    testapp.get(f"/admin/users/{MISSING_ID}", status=404)
    testapp.get(f"/admin/rounds/{MISSING_ID}", status=404)


def test_someone_elses_token_is_not_found_on_ones_own_page(testapp, dbsession, objects):
    other = make_user(dbsession, Role.coordinator)
    testapp.login(other.username)
    token = testapp.get_csrf_token("/account")
    path = f"/account/tokens/{objects['token']}/revoke"
    testapp.post(path, {"csrf_token": token}, status=404)


def _routes() -> list[dict]:
    config = Configurator()
    config.include("assessment.routes")
    config.commit()
    return [i["introspectable"] for i in config.registry.introspector.get_category("routes")]


def test_every_route_that_names_an_object_has_a_resource_factory():
    routes = _routes()
    assert len(routes) > 80  # the whole application's routes, from the one module
    factories = {r["name"]: r["factory"] for r in routes}
    # The last three that loaded their object in the view.
    assert factories["admin.user_edit"] is UserResource
    assert factories["admin.round_edit"] is RoundResource
    assert factories["sampling.plan_team_list"] is PlanTeamResource
    for route in routes:
        keys = set(re.findall(r"\{(\w+)", route["pattern"])) - {"format"}
        factory = route["factory"]
        if keys:
            assert isinstance(factory, type) and issubclass(factory, Resource), route["name"]
        else:
            assert factory is None, route["name"]
