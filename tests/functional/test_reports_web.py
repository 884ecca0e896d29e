"""Dashboard, reports and exports over a county with simulated, approved fieldwork."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from assessment.core.models import AssessmentRound, Role
from reports import county_estimates as ce
from reports.models import ReportVersion
from sampling.plans import PlanService
from surveys.instrument_store import ensure_builtin_instruments
from surveys.simulation import simulate_fieldwork
from tests.factories import make_team, make_user
from tests.sampling_db.conftest import frame  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
DESIGN = {
    "type": "two-stage",
    "villages": {"poor": 4, "non_poor": 3},
    "households_per_village": {"exited": 8, "not_exited": 2, "non_registered": 8},
    "reserves_per_household": 1,
    "screening": False,
}


@pytest.fixture
def county(dbsession, frame):  # noqa: F811
    dbsession.add(
        AssessmentRound(name="测试评估", year=2019, poverty_line=3218.0, counties=[frame.county])
    )
    team = make_team(dbsession)
    make_user(dbsession, Role.assessor, team=team)
    make_user(dbsession, Role.supervisor, team=team)
    service = PlanService(dbsession)
    plan = service.draw(frame, DESIGN, seed_hex="11" * 32)
    for row in service.villages(plan):
        service.assign(plan, row["plan_village"].id, team)
    ensure_builtin_instruments(dbsession)
    simulate_fieldwork(dbsession, plan, rng=np.random.default_rng(1), poverty_line=3218.0)
    return frame.county


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_reader_sees_dashboard_and_pdf_but_not_the_export(testapp, dbsession, county):
    reader = make_user(dbsession, Role.reader)
    testapp.login(reader.username)
    page = testapp.get("/dashboard")
    assert county.name in page.text and "错退率" in page.text and "模拟" in page.text
    pdf = testapp.get(f"/reports/county/{county.code}/draft.pdf")
    assert pdf.content_type == "application/pdf"
    testapp.get(f"/reports/county/{county.code}/export.csv", status=403)
    testapp.post(f"/reports/county/{county.code}/versions", status=403)


def test_report_pdf_shows_the_estimates_and_every_problem_household(testapp, dbsession, county):
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    text = pdf_text(testapp.get(f"/reports/county/{county.code}/draft.pdf").body)
    assessment = ce.assess(ce.county_data(dbsession, county))
    recognition = assessment["recognition_rate"]
    assert f"{recognition.estimate * 100:.2f}" in text
    assert f"{recognition.ci_low * 100:.2f}" in text
    data = ce.county_data(dbsession, county)
    problems = [
        r["household_id"]
        for r in data.rows
        if r["verdict"] in ("wrongly_exited", "missed") or r["recognises"] == 0
    ]
    assert problems, "the simulation should produce some problem households"
    for household_id in problems:
        assert household_id in text


def test_locked_version_renders_identically_and_sign_off_freezes_it(testapp, dbsession, county):
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    path = f"/reports/county/{county.code}"
    testapp.post_form(f"{path}/versions", {"lang": "zh"}, token_from=path, status=303)
    version = dbsession.scalars(select(ReportVersion)).one()
    first = testapp.get(f"/reports/versions/{version.id}.pdf").body
    assert testapp.get(f"/reports/versions/{version.id}.pdf").body == first
    testapp.post_form(f"/reports/versions/{version.id}/sign-off", {}, token_from=path, status=303)
    signed = testapp.get(f"/reports/versions/{version.id}.pdf").body
    assert signed != first  # no draft watermark any more
    assert "草稿" in pdf_text(first) and "草稿" not in pdf_text(signed)
    assert testapp.get(f"/reports/versions/{version.id}.pdf").body == signed


def test_export_reproduces_the_report_through_assess_estimate(testapp, dbsession, county, tmp_path):
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    body = testapp.get(f"/reports/county/{county.code}/export.csv").body
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    data = ce.county_data(dbsession, county)
    assert len(rows) == len(data.rows)
    (tmp_path / "survey.csv").write_bytes(body)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "assessment.cli",
            "estimate",
            str(tmp_path / "survey.csv"),
            "--var",
            "recognises",
            "--stat",
            "mean",
            "--weight",
            "weight",
            "--strata",
            "village_stratum",
            "--cluster",
            "village_id",
            "--lonely-psu",
            "adjust",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    cli = json.loads(result.stdout)[0]
    report = ce.assess(data)["recognition_rate"]
    assert cli["estimate"] == pytest.approx(report.estimate, rel=1e-9)
    assert cli["se"] == pytest.approx(report.se, rel=1e-9)


def test_assessor_cannot_open_dashboard_or_reports(testapp, dbsession, county):
    assessor = make_user(dbsession, Role.assessor)
    testapp.login(assessor.username)
    testapp.get("/dashboard", status=403)
    testapp.get(f"/reports/county/{county.code}/draft.pdf", status=403)


def test_coverage_counts_substitutions_by_stratum_and_reason(dbsession, county):
    from collections import Counter

    from assessment.core.i18n import translate
    from assessment.core.labels import STATUS_LABELS
    from reports.services import county_snapshot
    from surveys.labels import OUTCOME_LABELS
    from surveys.models import ReserveRelease

    releases = dbsession.scalars(select(ReserveRelease)).all()
    assert releases, "the simulation releases reserves for absent households"
    coverage = county_snapshot(dbsession, county).coverage
    assert coverage.substitutions == len(releases)
    assert sum(n for _, n in coverage.substitution_reasons) == len(releases)
    expected = Counter(
        (translate(STATUS_LABELS[r.stratum], "zh"), translate(OUTCOME_LABELS[r.reason], "zh"))
        for r in releases
    )
    assert dict(coverage.substitution_reasons) == {
        f"{stratum} · {reason}": n for (stratum, reason), n in expected.items()
    }


def test_survey_export_csv_neutralises_frame_text(testapp, dbsession, county):
    from assessment.core.models import Township

    township = dbsession.scalars(select(Township).where(Township.county_id == county.id)).first()
    township.name = '=HYPERLINK("http://x.example","点击")'
    dbsession.flush()
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    body = testapp.get(f"/reports/county/{county.code}/export.csv").body
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    hostile = [r for r in rows if "HYPERLINK" in r["township"]]
    assert hostile and all(r["township"] == "'" + township.name for r in hostile)
    assert all(float(r["weight"]) > 0 for r in rows)  # numbers stay numbers


def test_readers_pdfs_have_no_household_identities(testapp, dbsession, county):
    data = ce.county_data(dbsession, county)
    problems = [
        r for r in data.rows if r["verdict"] in ("wrongly_exited", "missed") or r["recognises"] == 0
    ]
    assert problems, "the simulation should produce some problem households"
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    path = f"/reports/county/{county.code}"
    testapp.post_form(f"{path}/versions", {"lang": "zh"}, token_from=path, status=303)
    version = dbsession.scalars(select(ReportVersion)).one()
    testapp.post_form(f"/reports/versions/{version.id}/sign-off", {}, token_from=path, status=303)
    signed = testapp.get(f"/reports/versions/{version.id}.pdf").body
    assert all(r["household_id"] in pdf_text(signed) for r in problems)
    testapp.post_form("/logout", {}, token_from="/", status=303)
    reader = make_user(dbsession, Role.reader)
    testapp.login(reader.username)
    for url in (f"{path}/draft.pdf", f"/reports/versions/{version.id}.pdf"):
        text = pdf_text(testapp.get(url).body)
        entries = sum(
            (r["verdict"] in ("wrongly_exited", "missed")) + (r["recognises"] == 0)
            for r in problems
        )
        assert f"共发现问题户 {entries} 户" in text
        assert "仅向有权查看农户的角色提供" in text
        # The coverage section names sampled villages (counts per cell, no household); the
        # problem section, which would tie a village to a problem household, names none.
        problem_section = text[text.index("四、问题清单") : text.index("附录")]
        for r in problems:
            assert r["household_id"] not in text
            assert r["village"] not in problem_section
    assert "草稿" not in pdf_text(testapp.get(f"/reports/versions/{version.id}.pdf").body)
