"""The dashboard at scale: one page of a round's counties, grouped by province, filtered,
with the summary line of the whole round; read from the stored results."""

from __future__ import annotations

import re

import pytest

from assessment.core.models import AssessmentRound, County, Province, Role
from assessment.core.services import set_round_counties
from tests.factories import make_user
from tests.sampling_db.conftest import frame  # noqa: F401 - the fixture

MANY = 52  # one more page than the 50 lines a page shows, with the frame's county


@pytest.fixture
def national(dbsession, frame):  # noqa: F811
    """A round of 53 counties: 52 of 甲省 without a frame, and 癸省's county with one."""
    first = Province(name="甲省")
    counties = [County(code=f"A{i:03d}", name=f"甲县{i}", province=first) for i in range(MANY)]
    dbsession.add_all(counties)
    frame.county.province.name = "癸省"
    assessment_round = AssessmentRound(name="全国2019", year=2019, poverty_line=3218.0)
    dbsession.add(assessment_round)
    set_round_counties(dbsession, assessment_round, [*counties, frame.county])
    return {"round": assessment_round, "first": first, "county": frame.county}


def county_codes(text: str) -> list[str]:
    return re.findall(r'<tr data-county="([^"]+)"', text)


def test_one_page_grouped_by_province_with_the_summary_of_the_whole_round(
    testapp, dbsession, national
):
    testapp.login(make_user(dbsession, Role.reader).username)
    page = testapp.get(f"/dashboard?round={national['round'].id}")
    codes = county_codes(page.text)
    assert len(codes) == 50 and codes == sorted(codes)  # 甲省 first, by code
    assert "共 53 个县" in page.text
    assert re.search(r'data-verdict-count="insufficient_data">数据不足：53<', page.text)
    assert 'data-stage-count="no_frame">尚未导入抽样框 52<' in page.text
    assert 'data-stage-count="no_plan">尚未抽取样本 1<' in page.text
    assert "第 1 页，共 2 页" in page.text
    following = page.click(description="下一页")
    assert county_codes(following.text) == ["A050", "A051", national["county"].code]
    assert following.text.index('data-province="甲省"') < following.text.index(
        'data-province="癸省"'
    )
    testapp.get(f"/dashboard?round={national['round'].id}&page=99")  # the last page, no error


def test_filters_by_province_verdict_and_fieldwork_stage(testapp, dbsession, national):
    testapp.login(make_user(dbsession, Role.reader).username)
    base = f"/dashboard?round={national['round'].id}"
    second = national["county"].province_id
    only = testapp.get(f"{base}&province={second}")
    assert county_codes(only.text) == [national["county"].code]
    assert "符合筛选条件的县：1 个。" in only.text and "共 53 个县" in only.text
    staged = testapp.get(f"{base}&stage=no_plan")
    assert county_codes(staged.text) == [national["county"].code]
    assert len(county_codes(testapp.get(f"{base}&stage=no_frame&page=2").text)) == 2
    assert county_codes(testapp.get(f"{base}&verdict=not_met").text) == []
    everything = testapp.get(f"{base}&verdict=insufficient_data")
    assert "符合筛选条件的县" not in everything.text and len(county_codes(everything.text)) == 50
    # Nothing is recommended or refused yet: no verdict word appears, not even as an option.
    assert "建议同意退出" not in everything.text and "不符合退出条件" not in everything.text


def test_odd_filters_are_refused_with_a_message_never_an_error(testapp, dbsession, national):
    testapp.login(make_user(dbsession, Role.reader).username)
    base = f"/dashboard?round={national['round'].id}"
    odd = testapp.get(f"{base}&verdict=%3Cscript%3E&stage=later")
    assert "筛选条件无法识别，已显示全部县。" in odd.text and "<script>" not in odd.text
    assert len(county_codes(odd.text)) == 50
    for query in ("province=abc", "page=-1", "page=1e9", "province=99999999999"):
        testapp.get(f"{base}&{query}", status=404)
    assert county_codes(testapp.get(f"{base}&province=999999").text) == []


def test_the_dashboard_speaks_english_when_the_user_does(testapp, dbsession, national):
    testapp.login(make_user(dbsession, Role.reader, language="en").username)
    page = testapp.get(f"/dashboard?round={national['round'].id}&stage=no_frame")
    assert "Counties: 53" in page.text and "Page 1 of 2" in page.text
    assert "Counties matching the filters: 52." in page.text
    assert "Insufficient data: 53" in page.text and "No frame 52" in page.text


def test_an_assessor_may_not_see_the_dashboard(testapp, dbsession, national):
    testapp.login(make_user(dbsession, Role.assessor).username)
    testapp.get(f"/dashboard?round={national['round'].id}", status=403)
