"""One county through every stage, through the web: every page renders with the right state.

No frame → frame, no plan → plan, no interview → one approved interview (one status group,
one township) → most of the fieldwork (zero 错退, a township left empty) → fieldwork closed:
the final verdict. A second county of the round stays without a frame the whole time; its
row never breaks the first county's, nor the provincial summary.
"""

import io
import json

import numpy as np
from pypdf import PdfReader
from sqlalchemy import select

from assessment.core.models import AssessmentRound, Role
from sampling.models import Frame, FrameVillage, PlanHousehold, PlanVillage, SamplePlan
from sampling.synthetic import synthetic_frame_csv
from surveys.instrument_store import ensure_builtin_instruments
from surveys.simulation import ScriptedFieldwork, ScriptedOutcome
from tests.factories import make_county, make_team, make_user
from tests.sampling_db.conftest import HIERARCHY, SMALL_DESIGN
from tests.surveys_web.conftest import backdate, csrf_of, full_answers, start_interview, submit

VERDICT_WORDS = ("建议同意退出", "不符合退出条件")


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


class Journey:
    """The web client and the people of the journey."""

    def __init__(self, testapp, dbsession):
        self.app, self.db = testapp, dbsession
        ensure_builtin_instruments(dbsession)
        self.county = make_county(dbsession, townships=0)
        self.bystander = make_county(dbsession, townships=0)
        self.bystander.province = self.county.province
        self.round = AssessmentRound(
            name="旅程评估", year=2019, poverty_line=3218.0, counties=[self.county, self.bystander]
        )
        dbsession.add(self.round)
        self.team = make_team(dbsession)
        self.assessor = make_user(dbsession, Role.assessor, team=self.team)
        self.supervisor = make_user(dbsession, Role.supervisor, team=self.team)
        self.coordinator = make_user(dbsession, Role.coordinator)
        dbsession.flush()

    def as_(self, user) -> None:
        self.app.reset()
        self.app.login(user.username)

    def check_pages(self, state: str) -> dict[str, str]:
        """Every page of the county as the coordinator; returns the texts to look into."""
        self.as_(self.coordinator)
        code, app = self.county.code, self.app
        texts = {
            "dashboard": app.get("/dashboard").text,
            "round": app.get(f"/dashboard?round={self.round.id}").text,
            "reports": app.get("/reports").text,
            "county": app.get(f"/reports/county/{code}").text,
        }
        for name in ("dashboard", "round", "county"):
            assert f'data-state="{state}"' in texts[name], (name, state)
        assert f'data-county="{self.bystander.code}"' in texts["dashboard"]
        assert 'data-state="no_frame"' in texts["dashboard"]  # the bystander's row
        for lang in ("zh", "en"):
            pdf = app.get(f"/reports/county/{code}/draft.pdf?lang={lang}")
            assert pdf.content_type == "application/pdf"
            texts[f"pdf_{lang}"] = pdf_text(pdf.body)
        province = app.get(f"/reports/province/{self.county.province_id}.pdf?round={self.round.id}")
        texts["province"] = pdf_text(province.body)
        assert self.county.name in texts["province"] and self.bystander.name in texts["province"]
        return texts

    def upload_frame(self) -> Frame:
        # Under WebOb's 10 KB body limit: a larger body is copied to a temporary file by
        # pyramid_retry's make_body_seekable that nothing closes (a ResourceWarning here).
        body = synthetic_frame_csv(HIERARCHY, 120, rng=np.random.default_rng(9), id_prefix="J")
        token = self.app.get_csrf_token("/sampling/frames")
        self.app.post(
            "/sampling/frames",
            {"csrf_token": token, "county_id": str(self.county.id), "encoding": ""},
            upload_files=[("file", "frame.csv", body)],
            status=303,
        )
        return self.db.scalars(select(Frame).where(Frame.county_id == self.county.id)).one()

    def draw_and_assign(self, frame: Frame, seed: int) -> SamplePlan:
        """Draw with a ceremony seed (the journey's townships and strata depend on it)."""
        path = f"/sampling/plans/new?frame={frame.id}"
        form = {"design": json.dumps(SMALL_DESIGN), "seed": f"{seed:064x}"}
        drawn = self.app.post_form(path, form, status=303)
        plan = self.db.scalars(select(SamplePlan).where(SamplePlan.frame_id == frame.id)).one()
        villages = self.db.scalars(select(PlanVillage.id).where(PlanVillage.plan_id == plan.id))
        for village in villages.all():
            self.app.post_form(
                f"/sampling/plans/{plan.id}/assign",
                {"plan_village_id": village, "team_id": self.team.id},
                token_from=drawn.location,
                status=303,
            )
        return plan

    def interview_one(self, plan: SamplePlan) -> PlanHousehold:
        """The assessor interviews one exited household; the supervisor approves it."""
        ph = self.db.scalars(
            select(PlanHousehold)
            .where(
                PlanHousehold.plan_id == plan.id,
                PlanHousehold.role == "selected",
                PlanHousehold.stratum == "exited",
            )
            .order_by(PlanHousehold.id)
        ).first()
        self.as_(self.assessor)
        start_interview(self.app, ph)
        backdate(self.db, ph)
        submit(self.app, self.db, ph, full_answers())
        self.as_(self.supervisor)
        page = self.app.get(f"/surveys/review/{ph.id}")
        self.app.post(
            f"/surveys/review/{ph.id}", {"csrf_token": csrf_of(page), "approve": "1"}, status=303
        )
        return ph

    def strata_outside(self, plan: SamplePlan, township: str) -> set[str]:
        """The strata of the plan's villages outside ``township``."""
        rows = self.db.execute(
            select(PlanVillage.stratum, FrameVillage.village_key)
            .join(FrameVillage, PlanVillage.frame_village_id == FrameVillage.id)
            .where(PlanVillage.plan_id == plan.id)
        ).all()
        return {stratum for stratum, key in rows if key.split("/")[0] != township}

    def close_fieldwork(self, reason: str) -> None:
        self.as_(self.coordinator)
        page = f"/reports/county/{self.county.code}"
        self.app.post_form(f"{page}/close-fieldwork", {"reason": reason}, token_from=page)

    def rehearse_most(self, plan: SamplePlan, first: PlanHousehold) -> str:
        """Every due household but one township's, none wrongly exited, one not at home per
        village: through the same workflow (the rehearsal of ``simulate-fieldwork``)."""
        rows = self.db.execute(
            select(PlanHousehold.household_pk, PlanVillage.id, FrameVillage.village_key)
            .join(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
            .join(FrameVillage, PlanVillage.frame_village_id == FrameVillage.id)
            .where(PlanHousehold.plan_id == plan.id, PlanHousehold.id != first.id)
            .order_by(PlanHousehold.id)
        ).all()
        left_out = sorted({key.split("/")[0] for *_, key in rows})[-1]
        phs = {
            ph.household_pk: ph
            for ph in self.db.scalars(select(PlanHousehold).where(PlanHousehold.plan_id == plan.id))
        }
        outcomes, absent = {}, set()
        for pk, village, key in rows:
            if key.startswith(left_out):
                continue
            ph = phs[pk]
            away = ph.role == "selected" and village not in absent
            absent.add(village)
            outcomes[ph.household.household_id] = ScriptedOutcome(
                not away, False, False, True, ph.household.household_size
            )
        ScriptedFieldwork(self.db, plan, rng=np.random.default_rng(1), poverty_line=3218.0).run(
            outcomes, approve=True
        )
        self.db.flush()
        return left_out


def test_one_county_through_every_stage(testapp, dbsession):
    j = Journey(testapp, dbsession)
    texts = j.check_pages("no_frame")
    assert "数据不足" in texts["pdf_zh"] and "尚未导入抽样框" in texts["pdf_zh"]
    assert "Insufficient data" in texts["pdf_en"]
    assert "数据不足" in texts["dashboard"]

    frame = j.upload_frame()
    texts = j.check_pages("no_plan")
    assert "尚未抽取样本" in texts["pdf_zh"]

    # Seed 6000 leaves poor and non-poor villages outside the township left out below: each
    # stratum keeps data, so the final verdict can be reached (tested below without that).
    plan = j.draw_and_assign(frame, seed=6000)
    texts = j.check_pages("no_interviews")
    assert "数据不足" in texts["county"] and "无抽样框" in texts["province"]

    first = j.interview_one(plan)
    texts = j.check_pages("interim")
    for name in ("pdf_zh", "dashboard", "county"):
        assert not any(word in texts[name] for word in VERDICT_WORDS), name
    assert "中期" in texts["pdf_zh"] and "数据不足" in texts["pdf_zh"]
    assert "interim" in texts["pdf_en"]

    left_out = j.rehearse_most(plan, first)
    assert j.strata_outside(plan, left_out) == {"poor", "non_poor"}
    texts = j.check_pages("interim")
    assert not any(word in texts["pdf_zh"] for word in VERDICT_WORDS)
    assert "应答情况" in texts["pdf_zh"]  # response rates per status, screening apart

    j.as_(j.coordinator)
    county_page = f"/reports/county/{j.county.code}"
    j.app.post_form(f"{county_page}/close-fieldwork", {"reason": "  "}, token_from=county_page)
    assert 'data-state="interim"' in j.app.get(county_page).text  # no reason, not closed
    j.app.post_form(
        f"{county_page}/close-fieldwork", {"reason": f"{left_out} 山洪断路"}, token_from=county_page
    )
    texts = j.check_pages("final")
    assert "山洪断路" in texts["county"] and "山洪断路" in texts["pdf_zh"]
    assert "中期" not in texts["pdf_zh"]
    assert any(word in texts["pdf_zh"] for word in VERDICT_WORDS)
    assert "置信结论" in texts["pdf_zh"] and "敏感性" in texts["pdf_zh"]
    # Zero events: the estimate is 0 in the indicator table, not an error.
    assert "错退率\n0.00%\n" in texts["pdf_zh"]
    export = j.app.get(f"/reports/county/{j.county.code}/export.csv")
    assert export.content_type == "text/csv"


def test_a_stratum_left_without_data_gives_no_verdict(testapp, dbsession):
    """Seed 6089 puts both sampled non-poor villages in the township left out: fieldwork is
    closed with no non-poor village interviewed, so 综合贫困发生率 and 漏评率 (which need every
    stratum) cannot be estimated and the county's final verdict is 数据不足, not a
    recommendation resting on the poor villages alone."""
    j = Journey(testapp, dbsession)
    j.as_(j.coordinator)
    plan = j.draw_and_assign(j.upload_frame(), seed=6089)
    first = j.interview_one(plan)
    left_out = j.rehearse_most(plan, first)
    assert j.strata_outside(plan, left_out) == {"poor"}
    j.close_fieldwork(f"{left_out} 山洪断路")
    texts = j.check_pages("final")
    for name in ("pdf_zh", "dashboard", "county"):
        assert not any(word in texts[name] for word in VERDICT_WORDS), name
    assert "一、评估结论\n数据不足" in texts["pdf_zh"].replace(" ", "")
    assert "无法估计的指标：综合贫困发生率、漏评率。" in texts["pdf_zh"].replace("\n", "")
    assert "Insufficient data" in texts["pdf_en"]
