"""What the supervisor sees: the photos (thumbnails, full size), and the audit trail with
question labels in the user's language."""

from __future__ import annotations

import hashlib
import io

from PIL import Image
from sqlalchemy import select

from surveys.models import InterviewPhoto
from surveys.workflow import InterviewService, add_photo
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


def _jpeg(size, colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def _submitted_with_photos(testapp, dbsession, world, ph):
    testapp.login(world.assessor.username)
    start_interview(testapp, ph)
    item = interview_of(dbsession, ph)
    service = InterviewService(dbsession)
    add_photo(service, item, _jpeg((1200, 800), (200, 30, 30)), world.assessor)
    add_photo(service, item, _jpeg((600, 900), (30, 30, 200)), world.assessor)
    backdate(dbsession, ph)
    submit(testapp, dbsession, ph, full_answers())
    testapp.post_form("/logout", {}, token_from="/", status=303)
    return item


def test_supervisor_sees_every_photo_as_a_thumbnail_and_full_size(testapp, dbsession, world):
    ph = world.plan.first_selected()
    item = _submitted_with_photos(testapp, dbsession, world, ph)
    stored = list(
        dbsession.scalars(
            select(InterviewPhoto)
            .where(InterviewPhoto.interview_id == item.id)
            .order_by(InterviewPhoto.id)
        )
    )
    testapp.login(world.supervisor.username)
    page = testapp.get(f"/surveys/review/{ph.id}")
    links = page.html.select("#photos a.thumb")
    assert len(links) == 2
    for link, row in zip(links, stored, strict=True):
        full = testapp.get(link["href"])
        assert hashlib.sha256(full.body).hexdigest() == row.sha256  # the stored photo
        thumb = testapp.get(link.select_one("img")["src"])
        assert thumb.content_type == "image/jpeg"
        assert thumb.headers["X-Content-Type-Options"] == "nosniff"
        small = Image.open(io.BytesIO(thumb.body))
        big = Image.open(io.BytesIO(full.body))
        assert max(small.size) == 320 and max(big.size) > 320
        # Same shape as the photo (within a pixel of rounding).
        assert abs(small.size[0] / small.size[1] - big.size[0] / big.size[1]) < 0.01
    # A photo id of another interview is not served through this household.
    other = world.plan.first_selected(1)
    testapp.post_form("/logout", {}, token_from="/", status=303)
    testapp.login(world.assessor.username)
    start_interview(testapp, other)
    testapp.get(url(other, f"/photo?id={stored[0].id}"), status=404)
    testapp.get(url(ph, "/photo?id=x"), status=404)


def test_photos_are_refused_to_other_teams(testapp, dbsession, world):
    ph = world.plan.first_selected()
    _submitted_with_photos(testapp, dbsession, world, ph)
    for who in (world.other_supervisor, world.other_assessor, world.reader):
        testapp.login(who.username)
        testapp.get(url(ph, "/photo"), status=403)
        testapp.get(url(ph, "/photo?size=thumb"), status=403)
        testapp.post_form("/logout", {}, token_from="/", status=303)


def test_history_shows_question_labels_and_answer_texts(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    answers = full_answers()
    pairs = form_pairs(answers, version=interview_of(dbsession, ph).version, token=csrf_of(page))
    testapp.post(url(ph, "/interview"), pairs, status=303)
    answers["verification"]["roster"][1]["health"] = ["serious"]
    answers["verification"]["housing_rating"] = "C"
    answers["verification"]["housing_renovated"] = True
    pairs = form_pairs(answers, version=interview_of(dbsession, ph).version, token=csrf_of(page))
    testapp.post(url(ph, "/interview"), pairs, status=303)
    for language, expected in (
        ("en", ("Health (Member 2)", "Chronic illness → Serious illness")),
        ("zh", ("健康状况 (成员 2)", "慢性病 → 大病")),
    ):
        shown = testapp.get(url(ph, "/interview"), {"_LOCALE_": language})
        items = shown.html.select("li[data-path='verification.roster.1.health']")
        label = items[-1].select_one(".change-label").text
        assert (label, items[-1].text.split(": ", 1)[1]) == expected
        assert "verification.roster.1.health" not in items[-1].text
    english = testapp.get(url(ph, "/interview"), {"_LOCALE_": "en"})
    status = english.html.select("li[data-path='contact_outcome']")[0].text
    assert status == "Contact outcome: — → Interviewed"
