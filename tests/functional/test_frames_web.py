"""A coordinator uploads a frame in the browser form: accepted, or rejected with every row named."""

from sqlalchemy import func, select

from assessment.models import Role
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
