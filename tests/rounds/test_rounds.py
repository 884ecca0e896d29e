"""A county belongs to a round explicitly: its pages, reports and dashboard row use its own."""

import io

import pytest
from pypdf import PdfReader

from assessment.core.models import AssessmentRound, Role
from assessment.core.services import county_round
from sampling.services import current_plan
from surveys.instrument_store import ensure_builtin_instruments
from tests.factories import make_county, make_team, make_user
from tests.rounds.helpers import interview
from tests.survey_factories import make_drawn_plan


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def two_provinces(dbsession):
    """County A (round 甲, with one approved interview and a county C without a frame) in one
    province; county B in another province, its round 乙 created after 甲."""
    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    a = make_drawn_plan(dbsession, team, villages=2, selected=2)
    a.assessment_round.name = "甲省2019年评估"
    a.plan.round_id = a.assessment_round.id
    c = make_county(dbsession, townships=1, villages=1)
    c.province = a.county.province
    a.assessment_round.counties.append(c)
    b = make_drawn_plan(dbsession, team, villages=2, selected=2)
    b.assessment_round.name = "乙省2019年评估"
    assessor = make_user(dbsession, Role.assessor, team=team)
    supervisor = make_user(dbsession, Role.supervisor, team=team)
    interview(dbsession, a.first_selected(), assessor, supervisor)
    dbsession.flush()
    return a, b, c


def test_a_round_for_another_province_hides_no_county(testapp, dbsession, two_provinces):
    a, b, c = two_provinces
    testapp.login(make_user(dbsession, Role.reader).username)
    every = testapp.get("/dashboard").text
    for county in (a.county, b.county, c):
        assert f'data-county="{county.code}"' in every
    assert "甲省2019年评估" in every and "乙省2019年评估" in every
    only_b = testapp.get(f"/dashboard?round={b.assessment_round.id}").text
    assert f'data-county="{b.county.code}"' in only_b
    assert f'data-county="{a.county.code}"' not in only_b
    testapp.get("/dashboard?round=999999", status=404)
    testapp.get("/dashboard?round=abc", status=404)


def test_the_provincial_summary_is_per_round_and_lists_every_county(
    testapp, dbsession, two_provinces
):
    a, b, c = two_provinces
    testapp.login(make_user(dbsession, Role.reader).username)
    province = a.county.province_id
    text = pdf_text(testapp.get(f"/reports/province/{province}.pdf").body)
    assert "甲省2019年评估" in text and "乙省2019年评估" not in text
    assert a.county.name in text and c.name in text and b.county.name not in text
    assert "无抽样框" in text  # county C is listed, as having no frame
    other = testapp.get(f"/reports/province/{province}.pdf?round={b.assessment_round.id}")
    assert other.status_code == 303  # round 乙 lists no county of this province


def test_a_county_in_two_rounds_uses_the_newest_unless_asked(testapp, dbsession, two_provinces):
    a, _, _ = two_provinces
    newer = AssessmentRound(name="甲省2020年评估", year=2020, poverty_line=3400.0)
    newer.counties.append(a.county)
    dbsession.add(newer)
    dbsession.flush()
    assert county_round(dbsession, a.county) is newer
    assert current_plan(dbsession, a.county) is None  # no plan drawn for 2020 yet
    assert current_plan(dbsession, a.county, a.assessment_round.id) is a.plan
    testapp.login(make_user(dbsession, Role.reader).username)
    page = testapp.get(f"/reports/county/{a.county.code}").text
    assert "甲省2020年评估" in page and 'data-state="no_plan"' in page
    old = testapp.get(f"/reports/county/{a.county.code}?round={a.assessment_round.id}").text
    assert "甲省2019年评估" in old and 'data-state="interim"' in old
    pdf = testapp.get(
        f"/reports/county/{a.county.code}/draft.pdf?round={a.assessment_round.id}"
    ).body
    assert "甲省2019年评估" in pdf_text(pdf)


@pytest.mark.usefixtures("two_provinces")
def test_the_home_page_shows_every_round_of_the_newest_year(testapp, dbsession):
    dbsession.add(AssessmentRound(name="甲省2018年评估", year=2018, poverty_line=2995.0))
    dbsession.flush()
    testapp.login(make_user(dbsession, Role.reader).username)
    home = testapp.get("/").text
    assert "甲省2019年评估" in home and "乙省2019年评估" in home
    assert "甲省2018年评估" not in home
