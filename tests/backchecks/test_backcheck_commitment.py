"""The back-check draw commits to its seed before drawing and can be verified (issue 19)."""

from __future__ import annotations

import hashlib
import json

import pytest

import backchecks.services as services
from backchecks.compare import (
    draw_commitment,
    draw_digest,
    draw_sample,
    population_hash,
    seed_hash,
    verify_draw,
)
from backchecks.models import BackcheckDraw
from backchecks.services import BackcheckService

POPULATION = {"A0001": [5, 3, 9, 11], "A0002": [20, 21, 22]}


def _record(seed=42, population=POPULATION, plan_id=7, share=0.25, minimum=2):
    drawn = draw_sample(population, share, minimum, seed)
    seed_sha = seed_hash(seed)
    return {
        "plan_id": plan_id,
        "share": share,
        "minimum": minimum,
        "seed": seed,
        "population": population,
        "selected": drawn,
        "recorded_seed_sha256": seed_sha,
        "recorded_commitment": draw_commitment(
            plan_id, share, minimum, population_hash(population), seed_sha
        ),
        "recorded_digest": draw_digest(population, share, minimum, seed, drawn),
    }


def test_the_commitment_is_the_sha256_of_the_documented_text():
    population_sha = hashlib.sha256(b'{"A0001":[3,5,9,11],"A0002":[20,21,22]}').hexdigest()
    seed_sha = hashlib.sha256(b"42").hexdigest()
    text = f"exit-assessment back-check commitment v1\n7\n0.25\n2\n{population_sha}\n{seed_sha}\n"
    assert population_hash(POPULATION) == population_sha
    assert seed_hash(42) == seed_sha
    assert draw_commitment(7, 0.25, 2, population_sha, seed_sha) == (
        hashlib.sha256(text.encode()).hexdigest()
    )
    with pytest.raises(ValueError, match="seed_sha256"):
        draw_commitment(7, 0.25, 2, population_sha, "not a hash")


def test_a_faithful_record_verifies():
    check = verify_draw(**_record())
    assert check.verified
    assert (check.seed_ok, check.commitment_ok, check.sample_ok, check.digest_ok) == (
        True,
        True,
        True,
        True,
    )


def test_a_changed_seed_fails_verification():
    record = _record(seed=42)
    record["seed"] = 43
    check = verify_draw(**record)
    assert not check.verified
    assert not check.seed_ok and not check.commitment_ok


def test_a_changed_sample_list_fails_verification():
    record = _record()
    population_ids = sorted(i for ids in POPULATION.values() for i in ids)
    other = next(i for i in population_ids if i not in record["selected"])
    record["selected"] = sorted([*record["selected"][1:], other])
    check = verify_draw(**record)
    assert not check.verified
    assert not check.sample_ok and not check.digest_ok
    assert check.seed_ok and check.commitment_ok


def test_a_changed_population_list_fails_verification():
    record = _record()
    record["population"] = {**POPULATION, "A0002": [20, 21, 22, 23]}
    assert not verify_draw(**record).commitment_ok


def test_a_draw_without_a_commitment_is_not_verified():
    record = _record()
    record["recorded_seed_sha256"] = record["recorded_commitment"] = None
    check = verify_draw(**record)
    assert not check.committed and not check.verified


def test_the_commitment_is_on_record_before_the_sample_is_drawn(dbsession, field, monkeypatch):
    seen = []
    real = services.draw_sample

    def spy(population, share, minimum, seed):
        (row,) = dbsession.execute(
            BackcheckDraw.__table__.select().where(BackcheckDraw.plan_id == field.drawn.plan.id)
        ).all()
        seen.append((row.commitment, row.seed_hash, row.selected_json))
        return real(population, share, minimum, seed)

    monkeypatch.setattr(services, "draw_sample", spy)
    draw = BackcheckService(dbsession).draw(field.drawn.plan, field.coordinator, seed=77)
    population = json.loads(draw.population_json)
    expected = draw_commitment(
        field.drawn.plan.id, draw.share, draw.minimum, population_hash(population), seed_hash(77)
    )
    assert seen == [(expected, seed_hash(77), "[]")]
    assert draw.commitment == expected and draw.committed_by_id == field.coordinator.id
    assert BackcheckService(dbsession).verify(draw).verified


def test_the_quality_page_shows_the_commitment_and_a_tampered_seed_fails(
    testapp,
    dbsession,
    field,
):
    draw = BackcheckService(dbsession).draw(field.drawn.plan, field.coordinator, seed=31)
    testapp.login(field.coordinator.username)
    url = f"/quality/county/{field.drawn.county.code}"
    page = testapp.get(url)
    assert draw.commitment in page.text
    assert 'data-verified="yes"' in page.text
    assert testapp.get(f"/api/quality/county/{field.drawn.county.code}").json["verified"] is True
    draw.seed = 32  # someone edits the record after the draw
    dbsession.flush()
    page = testapp.get(url)
    assert 'data-verified="no"' in page.text
    assert "核验失败" in page.text or "Verification failed" in page.text


def test_report_section_six_states_the_commitment_and_its_verification(dbsession, field):
    from reports.pdf import render_county_report
    from reports.snapshots import county_snapshot
    from tests.appeals.test_appeal_report import pdf_text

    draw = BackcheckService(dbsession).draw(field.drawn.plan, field.coordinator, seed=11)
    snap = county_snapshot(dbsession, field.drawn.county)
    assert (snap.quality.commitment, snap.quality.verified) == (draw.commitment, True)
    zh = pdf_text(render_county_report(snap, lang="zh"))
    en = pdf_text(render_county_report(snap, lang="en"))
    assert draw.commitment[:16] in zh and "核验通过" in zh
    assert draw.commitment[:16] in en and "verified: the seed" in en
    draw.selected_json = "[]"  # the sample list edited after the draw
    dbsession.flush()
    tampered = county_snapshot(dbsession, field.drawn.county)
    assert tampered.quality.verified is False
    assert "核验未通过" in pdf_text(render_county_report(tampered, lang="zh"))
