"""What each role sees and may open; the per-team boundary; the language switch."""

import pytest
from sqlalchemy import select

from assessment.core.models import AssessmentRound, Role
from tests.factories import make_county, make_team, make_user


def menu_of(page) -> str:
    start = page.text.index('<nav class="menu"')
    return page.text[start : page.text.index("</nav>", start)]


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.admin, ["用户", "评估组", "评估批次", "总览"], []),
        (Role.coordinator, ["总览"], ["用户", "评估批次"]),
        (Role.reader, ["总览"], ["用户", "评估组", "评估批次"]),
        (Role.supervisor, ["总览"], ["用户", "评估批次"]),
        (Role.assessor, ["首页"], ["用户", "总览", "评估批次"]),
    ],
)
def test_each_role_sees_only_its_menu(testapp, dbsession, role, shown, hidden):
    user = make_user(dbsession, role)
    testapp.login(user.username)
    menu = menu_of(testapp.get("/"))
    for label in shown:
        if label == "总览" and "dashboard.view" not in _routes(testapp):
            continue  # the dashboard joins the menu with the reports feature
        assert label in menu
    for label in hidden:
        assert label not in menu


def _routes(testapp):
    from pyramid.interfaces import IRoutesMapper

    mapper = testapp.app.registry.queryUtility(IRoutesMapper)
    return {route.name for route in mapper.get_routes()}


@pytest.mark.parametrize("role", [Role.coordinator, Role.reader, Role.supervisor, Role.assessor])
def test_only_admins_open_admin_pages(testapp, dbsession, role):
    user = make_user(dbsession, role)
    testapp.login(user.username)
    for path in ("/admin/users", "/admin/users/new", "/admin/teams", "/admin/rounds/new"):
        page = testapp.get(path, status=403)
        assert "您无权打开此页面" in page.text


def test_assessor_cannot_open_another_teams_page(testapp, dbsession):
    mine, other = make_team(dbsession), make_team(dbsession)
    user = make_user(dbsession, Role.assessor, team=mine)
    testapp.login(user.username)
    testapp.get(f"/teams/{mine.id}", status=200)
    testapp.get(f"/teams/{other.id}", status=403)


def test_supervisor_of_another_team_is_refused(testapp, dbsession):
    mine, other = make_team(dbsession), make_team(dbsession)
    make_user(dbsession, Role.assessor, team=other)
    leader = make_user(dbsession, Role.supervisor, team=mine)
    testapp.login(leader.username)
    testapp.get(f"/teams/{other.id}", status=403)


def test_reader_cannot_open_team_records(testapp, dbsession):
    team = make_team(dbsession)
    reader = make_user(dbsession, Role.reader)
    testapp.login(reader.username)
    testapp.get(f"/teams/{team.id}", status=403)


def test_missing_record_is_404_in_chinese(testapp, dbsession):
    user = make_user(dbsession, Role.admin)
    testapp.login(user.username)
    page = testapp.get("/teams/999999", status=404)
    assert "页面不存在" in page.text


def test_language_switch_to_english_sticks(testapp, dbsession):
    user = make_user(dbsession, Role.admin)
    testapp.login(user.username)
    page = testapp.get("/?_LOCALE_=en")
    assert "Log out" in page.text and "退出登录" not in page.text
    assert "Log out" in testapp.get("/admin/users").text  # the cookie keeps the choice
    assert "退出登录" in testapp.get("/?_LOCALE_=zh").text


def test_user_language_preference_is_used(testapp, dbsession):
    user = make_user(dbsession, Role.reader, language="en")
    testapp.login(user.username)
    assert "Log out" in testapp.get("/").text


def test_admin_creates_a_user_who_can_log_in(testapp, dbsession):
    admin = make_user(dbsession, Role.admin)
    team = make_team(dbsession, "田野一组")
    testapp.login(admin.username)
    data = {
        "username": "newbie",
        "display_name": "新调查员",
        "role": "assessor",
        "team_id": str(team.id),
        "password": "long-enough-pw",
    }
    testapp.post_form("/admin/users/new", data, status=303)
    assert "newbie" in testapp.get("/admin/users").text
    testapp.reset()
    testapp.login("newbie", "long-enough-pw")


def test_rejected_user_form_keeps_what_was_typed(testapp, dbsession):
    admin = make_user(dbsession, Role.admin)
    testapp.login(admin.username)
    data = {
        "username": "lonely",
        "display_name": "孤独的调查员",
        "role": "assessor",
        "team_id": "0",
        "password": "long-enough-pw",
    }
    page = testapp.post_form("/admin/users/new", data, status=200)
    assert "调查员和组长必须属于一个评估组" in page.text
    assert 'value="孤独的调查员"' in page.text


def test_admin_resets_a_password(testapp, dbsession):
    admin = make_user(dbsession, Role.admin)
    victim = make_user(dbsession, Role.reader)
    testapp.login(admin.username)
    path = f"/admin/users/{victim.id}"
    testapp.post_form(path, {"reset": "1", "password": "brand-new-pass"}, status=303)
    testapp.reset()
    testapp.login(victim.username, "brand-new-pass")


def test_admin_edits_round_thresholds_in_percent(testapp, dbsession):
    admin = make_user(dbsession, Role.admin)
    county = make_county(dbsession)
    testapp.login(admin.username)
    data = {
        "name": "2019 省级专项评估",
        "year": "2019",
        "poverty_line": "3218",
        "incidence_max": "2",
        "incidence_max_west": "3",
        "incidence_comparator": "<",
        "wrongful_exit_max": "1.5",
        "wrongful_exit_comparator": "<=",
        "missed_max": "1",
        "missed_comparator": "<=",
        "recognition_min": "95",
        "recognition_comparator": ">=",
        "absent_visits": "3",
        "absent_visit_gap_minutes": "90",
        "county_ids": str(county.id),
    }
    blank = testapp.get("/admin/rounds/new")
    assert 'value="3218' in blank.text and 'value="90' in blank.text  # the national defaults
    assert blank.html.select_one("[name=absent_visits]")["value"] == "2"
    assert blank.html.select_one("[name=absent_visit_gap_minutes]")["value"] == "120"
    testapp.post_form("/admin/rounds/new", data, status=303)
    saved = dbsession.scalars(select(AssessmentRound)).one()
    assert saved.wrongful_exit_max == pytest.approx(0.015)
    assert saved.recognition_min == pytest.approx(0.95)
    assert saved.counties == [county]
    assert (saved.absent_visits, saved.absent_visit_gap_minutes) == (3, 90)
