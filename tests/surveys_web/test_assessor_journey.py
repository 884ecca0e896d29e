"""The assessor's day through the web pages: assignments, outcome, draft, resume, submit."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from surveys.models import InterviewChange
from tests.surveys_web.conftest import (
    backdate,
    csrf_of,
    form_pairs,
    full_answers,
    interview_of,
    start_interview,
    submit,
    url,
)


def test_assignments_by_village_with_status_progress_and_search(testapp, dbsession, world):
    testapp.login(world.assessor.username)
    page = testapp.get("/surveys/assignments?_LOCALE_=en")
    plan = world.plan
    # 2 villages x 2 selected; reserves are not shown until released.
    assert "0 of 4 households done" in page.text
    for pv in plan.villages:
        assert pv.frame_village.village.name in page.text
    first = plan.first_selected()
    reserve = plan.reserves[(plan.villages[0].id, "exited")][0]
    assert first.household.head_name in page.text
    assert reserve.household.head_name not in page.text
    found = testapp.get("/surveys/assignments", {"q": first.household.household_id})
    assert first.household.head_name in found.text
    assert plan.first_selected(1).household.head_name not in found.text
    village = plan.villages[1].frame_village.village
    only = testapp.get("/surveys/assignments", {"village": village.id})
    assert plan.first_selected(1).household.head_name in only.text
    assert first.household.head_name not in only.text
    start_interview(testapp, first)
    drafts = testapp.get("/surveys/assignments", {"status": "draft", "_LOCALE_": "en"})
    assert first.household.head_name in drafts.text
    assert plan.first_selected(1).household.head_name not in drafts.text


def test_pages_are_blinded_to_registry_values(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    for path in (url(ph), url(ph, "/interview")):
        if path.endswith("interview"):
            start_interview(testapp, ph)
        page = testapp.get(path, {"_LOCALE_": "en"})
        assert ph.household.head_name in page.text and ph.household.household_id in page.text
        assert "Exited household" not in page.text and "2018" not in page.text


def test_draft_resume_invalid_submission_then_valid_submission(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    item = interview_of(dbsession, ph)
    assert item.status == "draft" and item.entered_by_id == world.assessor.id
    partial = {"verification": {"respondent_name": "王大山", "income_wages": "9,000"}}
    pairs = form_pairs(partial, version=item.version, token=csrf_of(page))
    testapp.post(url(ph, "/interview"), pairs, status=303)
    resumed = testapp.get(url(ph, "/interview"))
    assert 'value="王大山"' in resumed.text and 'value="9000"' in resumed.text
    # Invalid: a 7-year-old with a college education and no answers elsewhere.
    answers = full_answers()
    answers["verification"]["roster"][2] = {
        **answers["verification"]["roster"][2],
        "age": 7,
        "education": "college",
    }
    del answers["verification"]["income_stable"]
    answers["verification"]["water_quantity"] = "lots"
    version = interview_of(dbsession, ph).version
    rejected = testapp.post(
        url(ph, "/interview"),
        [
            *form_pairs(answers, version=version, token=csrf_of(resumed), action="submit"),
            ("_LOCALE_", "en"),
        ],
        status=400,
    )
    text = rejected.text
    assert "3 problems to fix" in text
    assert "A member aged 7 cannot have a college education." in text
    assert "This question needs an answer." in text and "Enter a number." in text
    assert 'value="lots"' in text and 'value="9000"' in text  # everything typed is kept
    assert "Everything you typed is saved as a draft" in text
    item = interview_of(dbsession, ph)
    # Nothing submitted, but what was typed is stored as a draft (one more version).
    assert item.status == "draft" and item.version == version + 1 and item.verdict is None
    stored = json.loads(item.verification_json)
    assert stored["water_quantity"] == "lots" and stored["roster"][2]["education"] == "college"
    backdate(dbsession, ph)
    submit(testapp, dbsession, ph, full_answers())
    item = interview_of(dbsession, ph)
    assert item.status == "submitted" and item.submitted_by_id == world.assessor.id
    assert item.duration_seconds >= 45 * 60 and item.ended_at is not None
    assert json.loads(item.flags_json) == []


def test_submitted_interview_stores_the_verdict_of_the_hand_worked_table(testapp, dbsession, world):
    # Table row 3 (tests/surveys/test_verdicts.py): wages 7,053 -> 9,653 / 3 = 3,217.67 < 3,218,
    # income fails alone -> an exited household is wrongly exited (错退).
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    answers = full_answers(income_wages=7053, income_ok=False, income_ok_reason="低于贫困线")
    submit(testapp, dbsession, ph, answers)
    item = interview_of(dbsession, ph)
    assert item.verdict == "wrongly_exited" and item.meets_standard is False
    assert abs(item.income_per_capita - 9653 / 3) < 1e-9 and item.persons == 3
    assert item.poverty_line == 3218 and item.registry_status == "exited"
    assert json.loads(item.standards_json)["income_ok"] is False
    assert item.recognising is True
    # Row 1: the base household meets every standard.
    other = world.plan.first_selected(1)
    start_interview(testapp, other)
    submit(testapp, dbsession, other, full_answers())
    assert interview_of(dbsession, other).verdict == "meets_standard"


def test_stale_save_is_refused_with_what_changed(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    version = interview_of(dbsession, ph).version
    mine = form_pairs(
        {"verification": {"income_wages": "9000"}}, version=version, token=csrf_of(page)
    )
    testapp.post(url(ph, "/interview"), mine, status=303)
    # A second assessor of the team, who opened the page at the same version.
    testapp.post_form("/logout", {}, token_from="/", status=303)
    testapp.login(world.assessor2.username)
    page2 = testapp.get(url(ph, "/interview"))
    theirs = form_pairs(
        {"verification": {"income_wages": "8000", "head_name": "张三"}},
        version=version,
        token=csrf_of(page2),
    )
    refused = testapp.post(url(ph, "/interview"), [*theirs, ("_LOCALE_", "en")], status=409)
    assert "Someone saved this interview after you opened it" in refused.text
    (row,) = refused.html.select(".stale tr[data-path='verification.income_wages']")
    # The question's label in the user's language, not its path; theirs, then yours.
    assert [td.text for td in row.select("td")] == ["Wage income", "9000", "8000"]
    assert 'value="张三"' in refused.text  # the typed values stay in the form
    item = interview_of(dbsession, ph)
    assert json.loads(item.verification_json)["income_wages"] == 9000


def test_every_save_is_audited_with_old_and_new_values(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    item = interview_of(dbsession, ph)
    for wages in ("9000", "9500"):
        pairs = form_pairs(
            {"verification": {"income_wages": wages}}, version=item.version, token=csrf_of(page)
        )
        testapp.post(url(ph, "/interview"), pairs, status=303)
    rows = list(
        dbsession.scalars(
            select(InterviewChange)
            .where(InterviewChange.interview_id == item.id)
            .order_by(InterviewChange.id)
        )
    )
    assert [r.action for r in rows] == ["outcome", "save", "save"]
    assert all(r.user_id == world.assessor.id for r in rows)
    assert json.loads(rows[1].changes_json) == [
        {"path": "verification.income_wages", "old": None, "new": 9000}
    ]
    assert json.loads(rows[2].changes_json) == [
        {"path": "verification.income_wages", "old": 9000, "new": 9500}
    ]
    history = testapp.get(url(ph, "/interview"), {"_LOCALE_": "en"})
    first, second = history.html.select("li[data-path='verification.income_wages']")
    assert first.text == "Wage income: — → 9000"  # the question's label, not its path
    assert second.text == "Wage income: 9000 → 9500"


def test_photo_is_checked_re_encoded_and_served_as_a_jpeg(testapp, dbsession, world):
    import hashlib
    import io

    from PIL import Image

    from surveys.models import InterviewPhoto

    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    item = interview_of(dbsession, ph)
    upload = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (320, 240), (20, 120, 220)).save(upload, "JPEG", exif=exif)
    fields = dict(form_pairs({}, version=item.version, token=csrf_of(page)))
    testapp.post(
        url(ph, "/interview"),
        fields,
        upload_files=[("photo", "h.jpg", upload.getvalue())],
        status=303,
    )
    shown = testapp.get(url(ph, "/photo"))
    assert shown.content_type == "image/jpeg"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    stored = Image.open(io.BytesIO(shown.body))
    assert stored.format == "JPEG" and stored.size == (320, 240) and not stored.getexif()
    row = dbsession.scalars(select(InterviewPhoto)).one()
    assert row.sha256 == hashlib.sha256(shown.body).hexdigest()
    assert row.sha256[:12] in testapp.get(url(ph, "/interview")).text
    refusals = (
        ("h.gif", b"GIF89a....", "JPEG or PNG"),
        ("h.jpg", b"\xff\xd8\xff", "JPEG or PNG"),
        ("h.png", _png_polyglot(), "not a plain photo"),
    )
    for name, data, message in refusals:
        fields["version"] = str(interview_of(dbsession, ph).version)
        bad = testapp.post(
            url(ph, "/interview?_LOCALE_=en"),
            fields,
            upload_files=[("photo", name, data)],
            status=400,
        )
        assert message in bad.text
    assert len(dbsession.scalars(select(InterviewPhoto)).all()) == 1


PHOTO_ERROR_BESIDE_THE_PICKER = (
    r'<input type="file" id="photo"[^>]*>\s*<p class="error" id="photo-error">([^<]*)</p>'
)


def test_a_refused_photo_never_discards_the_answers(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    for action, wages in (("save", 8800), ("submit", 9900)):
        version = interview_of(dbsession, ph).version
        typed = {"verification": {"respondent_name": "王大山", "income_wages": str(wages)}}
        pairs = form_pairs(typed, version=version, token=csrf_of(page), action=action)
        page = testapp.post(
            url(ph, "/interview?_LOCALE_=en"),
            pairs,
            upload_files=[("photo", "h.gif", b"GIF89a....")],
            status=400,
        )
        assert "JPEG or PNG" in page.text and "saved as a draft" in page.text
        # said beside the picker as well: on a phone the banner is a screen above it
        beside = re.search(PHOTO_ERROR_BESIDE_THE_PICKER, page.text)
        assert beside and "JPEG or PNG" in beside.group(1)
        assert 'aria-describedby="photo-error"' in page.text
        assert 'value="王大山"' in page.text and f'value="{wages}"' in page.text
        item = interview_of(dbsession, ph)
        # Saved, never submitted: the photo the assessor meant to send is missing.
        assert item.status == "draft" and item.version == version + 1
        assert json.loads(item.verification_json)["income_wages"] == wages
    assert f'value="{9900}"' in testapp.get(url(ph, "/interview")).text


def _png_polyglot() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    return out.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def test_browser_location_is_stored_with_the_draft(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    item = interview_of(dbsession, ph)
    pairs = form_pairs({}, version=item.version, token=csrf_of(page))
    pairs += [("lat", "26.5"), ("lon", "106.7"), ("accuracy", "12")]
    testapp.post(url(ph, "/interview"), pairs, status=303)
    assert (item.latitude, item.longitude, item.location_accuracy_m) == (26.5, 106.7, 12.0)
