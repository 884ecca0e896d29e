"""A coordinator uploads a frame in the browser form: accepted, or rejected with every row named."""

import gc
import os
import tempfile

import pytest
from sqlalchemy import func, select

from assessment.core.models import AssessmentRound, Role
from sampling.models import Frame, Household
from tests.factories import make_county, make_user

GOOD = (
    "户编号,乡镇,行政村,村类型,户类型,脱贫年份,家庭人口,户主姓名\n"
    "A1,河口镇,东山村,贫困村,已脱贫,2018,4,张三\n"
    "A2,河口镇,东山村,贫困村,非建档立卡,,2,李四\n"
)
BAD = (
    "household_id,township,village,village_type,status,exit_year,household_size,head_name\n"
    "A1,河口镇,东山村,poor,exited,2018,4,张三\n"
    "A2,河口镇,东山村,poor,gone,,0,李四\n"
)


def upload(testapp, county, body: bytes, name="frame.csv", status=None):
    token = testapp.get_csrf_token("/sampling/frames")
    return testapp.post(
        "/sampling/frames",
        {"csrf_token": token, "county_id": str(county.id), "encoding": ""},
        upload_files=[("file", name, body)],
        status=status,
    )


def test_coordinator_imports_a_gbk_frame_and_sees_its_summary(testapp, dbsession):
    coordinator = make_user(dbsession, Role.coordinator)
    county = make_county(dbsession, townships=0)
    testapp.login(coordinator.username)
    response = upload(testapp, county, GOOD.encode("gbk"), status=303)
    summary = testapp.get(response.location)
    assert "河口镇" in summary.text and "已脱贫户" in summary.text
    frame = dbsession.scalars(select(Frame)).one()
    assert frame.content_hash in summary.text


def test_rejected_upload_lists_row_and_column_and_writes_nothing(testapp, dbsession):
    coordinator = make_user(dbsession, Role.coordinator)
    county = make_county(dbsession, townships=0)
    testapp.login(coordinator.username)
    page = upload(testapp, county, BAD.encode(), status=422)
    assert "未导入任何数据" in page.text
    assert "gone" in page.text
    assert dbsession.scalar(select(func.count()).select_from(Household)) == 0


def test_assessor_and_reader_cannot_upload_or_see_frames(testapp, dbsession):
    county = make_county(dbsession, townships=0)
    for role in (Role.assessor, Role.reader):
        user = make_user(dbsession, role)
        testapp.reset()
        testapp.login(user.username)
        testapp.get("/sampling/frames", status=403)
        token = testapp.get_csrf_token("/")
        testapp.post(
            "/sampling/frames", {"csrf_token": token, "county_id": str(county.id)}, status=403
        )


def test_template_downloads_as_csv(testapp, dbsession):
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    response = testapp.get("/sampling/frame-template.csv")
    assert response.content_type == "text/csv"
    assert "户编号" in response.body.decode("utf-8-sig")


def _upload_for_round(testapp, county, **fields):
    token = testapp.get_csrf_token("/sampling/frames")
    data = {"csrf_token": token, "county_id": str(county.id), "encoding": "", **fields}
    return testapp.post("/sampling/frames", data, upload_files=[("file", "f.csv", GOOD.encode())])


def test_upload_puts_the_county_in_the_round_chosen(testapp, dbsession):
    coordinator = make_user(dbsession, Role.coordinator)
    county = make_county(dbsession, townships=0)
    older = AssessmentRound(name="2018年批次", year=2018, poverty_line=2995.0)
    newer = AssessmentRound(name="2019年批次", year=2019, poverty_line=3218.0)
    dbsession.add_all([older, newer])
    dbsession.flush()
    testapp.login(coordinator.username)
    form = testapp.get("/sampling/frames", {"_LOCALE_": "zh"}).text
    assert "该县列入的评估批次" in form and "2019 · 2019年批次" in form
    response = _upload_for_round(testapp, county, round_id=str(older.id))
    assert response.status_int == 303
    assert county in older.counties and county not in newer.counties
    page = testapp.get(response.location)
    assert "已列入评估批次“2018年批次”" in page.text and 'id="no-round"' not in page.text


def test_a_county_in_no_round_is_told_so_on_its_pages(testapp, dbsession):
    coordinator = make_user(dbsession, Role.coordinator)
    county = make_county(dbsession, townships=0)
    testapp.login(coordinator.username)
    response = _upload_for_round(testapp, county, round_id="0")
    assert response.status_int == 303
    page = testapp.get(response.location, {"_LOCALE_": "zh"})
    assert "未列入任何评估批次" in page.text and 'id="no-round"' in page.text
    frame = dbsession.scalars(select(Frame)).one()
    design = testapp.get(f"/sampling/plans/new?frame={frame.id}")
    assert 'id="no-round"' in design.text


def test_only_an_admin_creates_a_round_from_the_upload_page(testapp, dbsession):
    county = make_county(dbsession, townships=0)
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    new_round = {
        "new_round_name": "新批次",
        "new_round_year": "2020",
        "new_round_poverty_line": "4000",
    }
    refused = _upload_for_round(testapp, county, **new_round)
    assert refused.status_int == 200 and "只有管理员可以新建评估批次" in refused.text
    assert dbsession.scalars(select(AssessmentRound)).all() == []
    assert dbsession.scalars(select(Frame)).all() == []
    admin = make_user(dbsession, Role.admin)
    testapp.reset()
    testapp.login(admin.username)
    created = _upload_for_round(testapp, county, **new_round)
    assert created.status_int == 303
    (made,) = dbsession.scalars(select(AssessmentRound)).all()
    assert (made.name, made.year, made.poverty_line, made.counties) == (
        "新批次",
        2020,
        4000.0,
        [county],
    )
    assert made.recognition_min == 0.90 and made.wrongful_exit_max == 0.02  # national scheme


def _spooled_files(folder) -> list[str]:
    """Files in ``folder``, and files there this process still holds open (deleted or not)."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        if target.startswith(f"{folder}/"):
            held.append(target)
    return sorted(os.listdir(folder)) + held


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to see open files")
def test_uploads_over_10_kb_leave_no_temporary_file_open(testapp, dbsession, tmp_path, monkeypatch):
    """WebOb spools the body (pyramid_retry makes it seekable) and the uploaded file to
    temporary files: closed once the response is made, not when the garbage collector runs."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    coordinator = make_user(dbsession, Role.coordinator)
    county = make_county(dbsession, townships=0)
    testapp.login(coordinator.username)
    lines = [GOOD.splitlines()[0]] + [
        f"B{i},河口镇,东山村,贫困村,非建档立卡,,2,李四" for i in range(2000)
    ]
    body = ("\n".join(lines) + "\n").encode()
    assert len(body) > 10 * 1024
    refused = body + "B1,河口镇,东山村,贫困村,gone,,2,王五\n".encode()  # a duplicate id too
    gc.disable()  # the garbage collector would close them, at a time of its choosing
    try:
        for data, status in ((body, 303), (refused, 422)):
            upload(testapp, county, data, status=status)
            assert _spooled_files(tmp_path) == []
    finally:
        gc.enable()
