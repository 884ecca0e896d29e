"""The county PDF shows the rulings a failed re-visit replaced (issue 19).

An expert orders a re-visit, the re-visit cannot reach the household and an expert rules
again: the appeal section's case table gives the final ruling and, under it, the earlier
re-visit order with its reason, expert, time, team and how the re-visit ended, in Chinese and
in English; the problem list points there. Snapshots stored before the earlier rulings were
kept still load and render.
"""

from __future__ import annotations

import json

from appeals.services import AppealService
from reports import snapshot as snapshot_json
from reports.model import EarlierRuling
from reports.pdf import render_county_report
from reports.pdf_appeals import _earlier
from reports.snapshots import county_snapshot
from tests.appeals.test_appeal_report import pdf_text
from tests.appeals.test_revisit_failed import _failed, field  # noqa: F401  (fixture)


def squeezed(text: str) -> str:
    """The text without whitespace: a table cell wraps at spaces, which the extraction drops."""
    return "".join(text.split())


def _ruled_again(dbsession, field, ruling: str, reason: str, contact: str):  # noqa: F811
    field.expert.display_name = "王建国"
    first, _second, ph = _failed(dbsession, field, contact)
    AppealService(dbsession).rule(first, field.expert, ruling, reason)
    snap = county_snapshot(dbsession, field.drawn.county)
    return snap, ph.household.household_id


def test_the_snapshot_keeps_the_failed_revisit_order_under_the_final_ruling(
    dbsession,
    field,  # noqa: F811
):
    snap, household = _ruled_again(dbsession, field, "upheld", "住户已搬离，维持原认定", "moved")
    (problem,) = [p for p in snap.problems if p.household_id == household]
    (earlier,) = problem.appeal.earlier
    assert (earlier.ruling, earlier.reason, earlier.expert) == ("revisit", "需复访核实", "王建国")
    assert (earlier.team, earlier.contact_outcome) == (field.other_team.name, "moved")
    assert len(earlier.ruled_at) == len("2026-01-01 10:00")
    assert snapshot_json.loads(snapshot_json.dumps(snap)) == snap
    # The other disputed case had no re-visit: nothing earlier.
    others = [p.appeal for p in snap.problems if p.appeal and p.household_id != household]
    assert others and all(n.earlier == () for n in others)


def test_the_pdf_lists_the_earlier_ruling_in_both_languages_and_only_in_the_household_copy(
    dbsession,
    field,  # noqa: F811
):
    snap, _household = _ruled_again(dbsession, field, "upheld", "住户已搬离，维持原认定", "moved")
    team = field.other_team.name
    zh = squeezed(pdf_text(render_county_report(snap, lang="zh")))
    for part in (
        "复访未能完成，维持认定：住户已搬离，维持原认定",
        "此前的裁定：",
        "1.责成复访：需复访核实（王建国",
        f"复访评估组：{team}；复访未能完成（已迁出））",
        "复访未能完成，重新裁定（此前的裁定见第五部分）",  # in the problem list
    ):
        assert squeezed(part) in zh, part
    en = squeezed(pdf_text(render_county_report(snap, lang="en")))
    for part in (
        "Re-visit failed; upheld: 住户已搬离，维持原认定",
        "Earlier rulings:",
        "1. Re-visit ordered: 需复访核实 (王建国",
        f"re-visit team: {team}; re-visit failed (moved away))",
        "re-visit failed, ruled again (earlier rulings: section 5)",
    ):
        assert squeezed(part) in en, part
    readers = pdf_text(render_county_report(snap, lang="zh", households=False))
    assert "需复访核实" not in readers and "王建国" not in readers


def test_an_overturned_case_shows_its_earlier_ruling_too(dbsession, field):  # noqa: F811
    snap, household = _ruled_again(dbsession, field, "overturned", "县里的工资单可信", "refused")
    (gone,) = snap.appeals.overturned_cases
    assert gone.household_id == household
    assert [e.contact_outcome for e in gone.appeal.earlier] == ["refused"]
    zh = squeezed(pdf_text(render_county_report(snap, lang="zh")))
    assert squeezed("复访未能完成，不予认定：县里的工资单可信") in zh
    assert squeezed("复访未能完成（拒访）") in zh
    en = squeezed(pdf_text(render_county_report(snap, lang="en")))
    assert squeezed("re-visit failed (refused)") in en


def _without_earlier(value):
    """The snapshot JSON as stored before the earlier rulings were kept."""
    if isinstance(value, dict):
        return {k: _without_earlier(v) for k, v in value.items() if k != "earlier"}
    if isinstance(value, list):
        return [_without_earlier(v) for v in value]
    return value


def test_a_snapshot_from_before_the_earlier_rulings_loads_and_renders(
    dbsession,
    field,  # noqa: F811
):
    snap, household = _ruled_again(dbsession, field, "upheld", "住户已搬离，维持原认定", "moved")
    stored = json.loads(snapshot_json.dumps(snap))
    old_text = json.dumps(_without_earlier(stored), ensure_ascii=False)
    assert '"earlier"' not in old_text and "EarlierRuling" not in old_text
    old = snapshot_json.loads(old_text)
    (problem,) = [p for p in old.problems if p.household_id == household]
    assert problem.appeal.earlier == () and problem.appeal.ruling == "revisit_failed_upheld"
    assert snap.problems != old.problems  # the field was there before it was stripped
    zh = squeezed(pdf_text(render_county_report(old, lang="zh")))
    assert squeezed("复访未能完成，维持认定：住户已搬离，维持原认定") in zh
    assert "此前的裁定" not in zh and "重新裁定" not in zh
    en = squeezed(pdf_text(render_county_report(old, lang="en")))
    assert squeezed("Re-visit failed; upheld") in en and "Earlierrulings" not in en


def test_an_earlier_ruling_without_details_renders_what_is_known():
    bare = EarlierRuling(ruling="revisit")
    assert _earlier(bare, "zh") == "责成复访"
    assert _earlier(bare, "en") == "Re-visit ordered"
    partial = EarlierRuling(ruling="revisit", reason="核实", contact_outcome="absent")
    assert _earlier(partial, "zh") == "责成复访：核实（复访未能完成（不在家））"
    assert _earlier(partial, "en") == "Re-visit ordered: 核实 (re-visit failed (absent))"
