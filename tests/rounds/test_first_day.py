"""Issue 13, first bullet: one approved exited household must not take the platform down."""

import io
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader

from assessment.core.models import AssessmentRound, Role
from sampling.models import PlanHousehold
from sampling.plans import PlanService
from surveys.instrument_store import ensure_builtin_instruments
from surveys.review import ReviewService
from surveys.simulate import recognition_answers, verification_answers
from surveys.workflow import InterviewService
from tests.factories import make_team, make_user
from tests.sampling_db.conftest import SMALL_DESIGN, frame  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def first_day(dbsession, frame):  # noqa: F811
    county = frame.county
    dbsession.add(AssessmentRound(name="首日", year=2019, poverty_line=3218.0, counties=[county]))
    team = make_team(dbsession)
    assessor = make_user(dbsession, Role.assessor, team=team)
    supervisor = make_user(dbsession, Role.supervisor, team=team)
    service = PlanService(dbsession)
    plan = service.draw(frame, SMALL_DESIGN, seed_hex="21" * 32)
    for row in service.villages(plan):
        service.assign(plan, row["plan_village"].id, team)
    ensure_builtin_instruments(dbsession)
    ph = (
        dbsession.query(PlanHousehold)
        .filter_by(plan_id=plan.id, role="selected", stratum="exited")
        .first()
    )
    interviews = InterviewService(dbsession)
    interview = interviews.record_outcome(ph, "interviewed", assessor).interview
    rng = np.random.default_rng(3)
    answers = {
        "verification": verification_answers(
            rng, persons=ph.household.household_size, head_name="户主", poverty_line=3218.0
        ),
        "recognition": recognition_answers(rng, status="exited", recognising=True),
    }
    interviews.submit(interview, answers, base_version=interview.version, user=assessor)
    ReviewService(dbsession).approve(interview, supervisor)
    dbsession.flush()
    return county


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_one_approved_household_leaves_every_page_standing(testapp, dbsession, first_day):
    county = first_day
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    dashboard = testapp.get("/dashboard")
    assert county.name in dashboard.text
    assert "数据不足" in dashboard.text and "符合退出条件" not in dashboard.text
    testapp.get("/reports")
    draft = testapp.get(f"/reports/county/{county.code}/draft.pdf")
    text = pdf_text(draft.body)
    assert "数据不足" in text and "中期" in text and "建议同意退出" not in text
    province = testapp.get(f"/reports/province/{county.province_id}.pdf")
    assert province.content_type == "application/pdf"
    assert county.name in pdf_text(province.body)
