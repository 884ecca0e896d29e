"""The report's appeal section: counts, how the indicators moved, each case (issue 19)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from appeals.evidence import Evidence
from appeals.services import AppealService
from reports import snapshot as snapshot_json
from reports.pdf import render_county_report
from reports.snapshots import county_snapshot
from tests.appeals.helpers import Clock, completed_field

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def pdf_text(body: bytes) -> str:
    """The text of every page, lines joined (table cells wrap)."""
    pages = PdfReader(io.BytesIO(body)).pages
    return "".join(page.extract_text() for page in pages).replace("\n", "")


@pytest.fixture
def ruled(dbsession):
    """One case accepted by the county, one disputed with a file and overturned."""
    field = completed_field(dbsession)
    service = AppealService(dbsession, clock=Clock())
    publication = service.publish(field.drawn.plan, field.coordinator)
    accepted, disputed = sorted(publication.cases, key=lambda c: c.id)
    service.answer(accepted, field.liaison, "accepted", None)
    evidence = Evidence("养老金证明.pdf", "application/pdf", PDF)
    service.answer(disputed, field.liaison, "disputed", "户主领取养老金", [evidence])
    service.rule(disputed, field.expert, "overturned", "养老金凭证属实")
    return field, accepted, disputed


def test_the_snapshot_counts_the_rulings_and_shows_how_the_indicators_moved(dbsession, ruled):
    field, accepted, disputed = ruled
    snap = county_snapshot(dbsession, field.drawn.county)
    a = snap.appeals
    assert (a.published, a.accepted, a.unanswered, a.disputed) == (2, 1, 0, 1)
    assert (a.upheld, a.overturned, a.pending) == (0, 1, 0)
    move = next(m for m in a.moves if m.key == "wrongful_exit_rate")
    # Four exited households of three persons: 2 of 4 before the ruling, 1 of 4 after.
    assert (move.before, move.after) == (pytest.approx(0.5), pytest.approx(0.25))
    listed = [p for p in snap.problems if p.kind == "wrongly_exited"]
    assert [p.household_id for p in listed] == [accepted.household_code]
    assert listed[0].appeal.response == "accepted"
    (gone,) = a.overturned_cases
    assert gone.household_id == disputed.household_code
    assert (gone.appeal.ruling, gone.appeal.statement) == ("overturned", "户主领取养老金")
    assert gone.appeal.evidence[0].startswith("养老金证明.pdf (")
    assert snapshot_json.loads(snapshot_json.dumps(snap)) == snap


def test_the_pdf_shows_the_appeal_in_both_languages_and_hides_cases_from_readers(dbsession, ruled):
    field, accepted, disputed = ruled
    snap = county_snapshot(dbsession, field.drawn.county)
    zh = pdf_text(render_county_report(snap, lang="zh"))
    assert "五、申诉举证与裁定" in zh
    assert "不予认定 1 户" in zh and "养老金凭证属实" in zh and "养老金证明.pdf" in zh
    assert disputed.household_code in zh and accepted.household_code in zh
    en = pdf_text(render_county_report(snap, lang="en"))
    assert "5. Appeals and rulings" in en and "overturned 1" in en
    readers = pdf_text(render_county_report(snap, lang="zh", households=False))
    assert "不予认定 1 户" in readers
    assert disputed.household_code not in readers and "户主领取养老金" not in readers


def test_without_an_overturned_case_the_indicators_do_not_move(dbsession):
    field = completed_field(dbsession)
    service = AppealService(dbsession, clock=Clock())
    publication = service.publish(field.drawn.plan, field.coordinator)
    first, second = publication.cases
    service.answer(first, field.liaison, "accepted", None)
    service.answer(second, field.liaison, "disputed", "误判")
    service.rule(second, field.expert, "upheld", "收入确低于贫困线")
    a = county_snapshot(dbsession, field.drawn.county).appeals
    assert (a.upheld, a.overturned, a.overturned_cases) == (1, 0, ())
    move = next(m for m in a.moves if m.key == "wrongful_exit_rate")
    assert move.before == move.after == pytest.approx(0.5)
