"""Back-checks through the service and the pages (issue 19): draw, re-visit, compare."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from assessment.core.errors import DomainError
from backchecks.compare import draw_digest, draw_sample
from backchecks.models import Backcheck
from backchecks.services import BackcheckService, assessor_code, original_answers


def test_the_draw_is_seeded_recorded_and_assigned_to_another_team(dbsession, field):
    service = BackcheckService(dbsession)
    draw = service.draw(field.drawn.plan, field.coordinator, seed=12345)
    population = json.loads(draw.population_json)
    # One assessor with 4 approved interviews: max(2, ceil(25 % of 4)) = 2 drawn.
    assert population == {
        assessor_code(field.assessor.id): sorted(i.id for i in field.poor + field.fine)
    }
    selected = json.loads(draw.selected_json)
    assert len(selected) == 2
    assert selected == draw_sample(population, 0.25, 2, 12345)
    assert draw.digest == draw_digest(population, 0.25, 2, 12345, selected)
    original_team = field.drawn.villages[0].team_id
    assert all(b.team_id != original_team for b in draw.backchecks)
    assert all(b.original_team_id == original_team for b in draw.backchecks)
    with pytest.raises(DomainError, match="drawn already"):
        service.draw(field.drawn.plan, field.coordinator)


def test_a_back_check_is_compared_and_never_changes_the_original(dbsession, field):
    service = BackcheckService(dbsession)
    draw = service.draw(field.drawn.plan, field.coordinator, seed=1)
    first, second = draw.backchecks
    before = first.interview.verification_json, first.interview.version
    size = first.interview.persons
    with pytest.raises(DomainError, match="enter a number"):
        service.record(first, field.checker, {"household_size": "many"})
    with pytest.raises(DomainError, match="at least one"):
        service.record(first, field.checker, {})
    assert first.status == "assigned"
    service.record(first, field.checker, {"household_size": str(size + 2), "income_stable": "yes"})
    again = original_answers(second.interview)
    service.record(second, field.checker, {"household_size": str(again["household_size"])})
    assert (first.interview.verification_json, first.interview.version) == before
    found = service.comparison(field.drawn.plan)
    size_rate = next(r for r in found.items if r.key == "household_size")
    assert (size_rate.compared, size_rate.discrepant, size_rate.flagged) == (2, 1, True)
    (assessor,) = found.assessors
    assert assessor.key == assessor_code(field.assessor.id)
    assert (assessor.compared, assessor.discrepant) == (2, 1)


def test_only_the_assigned_team_records_and_the_quality_page_is_for_supervisors(
    testapp, dbsession, field
):
    BackcheckService(dbsession).draw(field.drawn.plan, field.coordinator, seed=3)
    query = select(Backcheck).where(Backcheck.team_id == field.other_team.id)
    backcheck = dbsession.scalars(query.order_by(Backcheck.id)).first()
    code = field.drawn.county.code
    testapp.login(field.assessor.username)  # the original team
    testapp.get(f"/quality/backchecks/{backcheck.id}", status=403)
    testapp.get(f"/quality/county/{code}", status=403)
    testapp.reset()
    testapp.login(field.liaison.username)  # a county liaison sees no back-check
    testapp.get(f"/quality/county/{code}", status=403)
    testapp.get(f"/quality/backchecks/{backcheck.id}", status=403)
    testapp.reset()
    testapp.login(field.checker.username)
    size = str(backcheck.interview.persons)
    testapp.post(f"/quality/backchecks/{backcheck.id}", {"household_size": size}, status=400)
    assert backcheck.status == "assigned"  # no CSRF token, nothing recorded
    mine = testapp.get("/quality/backchecks")
    assert f"/quality/backchecks/{backcheck.id}" in mine.text
    page = testapp.get(f"/quality/backchecks/{backcheck.id}")
    original = json.loads(backcheck.interview.verification_json)
    assert str(original["income_wages"]) not in page.text  # the first visit is not shown
    form = page.forms["backcheck-form"]
    form["household_size"] = "abc"
    assert "请输入" in form.submit().text or "enter a number" in form.submit().text
    form["household_size"] = str(backcheck.interview.persons)
    form.submit().follow()
    dbsession.refresh(backcheck)
    assert backcheck.status == "done"
    quality = testapp.get(f"/quality/county/{code}")
    assert 'data-key="household_size"' in quality.text
    # Item types in words, assessors by code (never by name), in Chinese.
    assert "（第 1 类）" in quality.text and "调查员编号" in quality.text
    assert not re.search(r"\(\d\)</td>", quality.text)
    # On a phone the rates come first; the sample list, open while back-checks are to do.
    assert quality.text.index('id="comparison"') < quality.text.index('id="sample"')
    assert re.search(r'<details id="sample" open>', quality.text)
    testapp.post_form(f"/quality/county/{code}/draw", {}, token_from="/", status=403)


def test_the_county_report_has_a_qc_section_with_assessor_codes_in_both_languages(dbsession, field):
    import io

    from pypdf import PdfReader

    from reports.pdf import render_county_report
    from reports.snapshots import county_snapshot

    service = BackcheckService(dbsession)
    draw = service.draw(field.drawn.plan, field.coordinator, seed=5)
    first, second = draw.backchecks
    service.record(first, field.checker, {"household_size": str(first.interview.persons + 1)})
    service.record(second, field.checker, {"household_size": str(second.interview.persons)})
    snap = county_snapshot(dbsession, field.drawn.county)
    q = snap.quality
    assert (q.approved, q.drawn, q.done, q.seed) == (4, 2, 2, 5)
    size = next(r for r in q.items if r.key == "household_size")
    assert (size.discrepant, size.compared, size.rate) == (1, 2, 0.5)
    code = assessor_code(field.assessor.id)
    assert [r.label for r in q.assessors] == [code]

    def text(lang):
        body = render_county_report(snap, lang=lang)
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).replace(
            "\n", ""
        )

    zh, en = text("zh"), text("en")
    assert "六、质量控制（回访核查）" in zh and code in zh and "超出容许" in zh
    assert "6. Quality control (back-checks)" in en and code in en
    assert field.assessor.display_name not in zh + en


def test_the_back_check_api_records_for_the_assigned_team_and_reports_rates(
    testapp, dbsession, field
):
    BackcheckService(dbsession).draw(field.drawn.plan, field.coordinator, seed=9)
    query = select(Backcheck).where(Backcheck.team_id == field.other_team.id)
    backcheck = dbsession.scalars(query.order_by(Backcheck.id)).first()
    testapp.login(field.checker.username)
    headers = {"X-CSRF-Token": testapp.get_csrf_token("/")}
    listed = testapp.get("/api/backchecks").json
    assert backcheck.id in [b["id"] for b in listed["backchecks"]]
    assert "household_size" in listed["items"]
    url = f"/api/backchecks/{backcheck.id}"
    body = {"answers": {"household_size": backcheck.interview.persons + 1}}
    testapp.post_json(url, body, status=403)  # no CSRF header
    bad = testapp.post_json(url, {"answers": {"household_size": [1]}}, headers=headers, status=400)
    assert bad.json["error"] == "invalid"
    wrong = testapp.post_json(
        url, {"answers": {"housing_structure": "castle"}}, headers=headers, status=409
    )
    assert wrong.json["error"] == "conflict"
    assert testapp.post_json(url, body, headers=headers).json["status"] == "done"
    testapp.reset()
    testapp.login(field.coordinator.username)
    rates = testapp.get(f"/api/quality/county/{field.drawn.county.code}").json
    size = next(r for r in rates["items"] if r["key"] == "household_size")
    assert (size["compared"], size["discrepant"], size["rate"]) == (1, 1, 1.0)
    assert rates["assessors"][0]["key"] == assessor_code(field.assessor.id)
