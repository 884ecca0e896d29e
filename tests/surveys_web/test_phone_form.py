"""The questionnaire on a phone, server side: units, section index, live checks per row,
head of household against the roster."""

from __future__ import annotations

import re

from tests.surveys.households import MEMBER_CHILD, MEMBER_HEAD, member
from tests.surveys_web.conftest import (
    csrf_of,
    form_pairs,
    full_answers,
    interview_of,
    start_interview,
    submit,
    url,
)


def _unit_after(text: str, name: str) -> str | None:
    """The unit shown right after the input named ``name``."""
    found = re.search(
        rf'<input[^>]*name="{re.escape(name)}"[^>]*><span class="unit">([^<]*)</span>', text
    )
    return found.group(1) if found else None


def test_every_amount_shows_its_unit_from_the_instrument(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    assert _unit_after(page.text, "v-income_wages") == "元"
    assert _unit_after(page.text, "v-income_transfer_other") == "元"
    assert _unit_after(page.text, "v-water_quantity") == "升/人·天"
    assert _unit_after(page.text, "v-water_interruption_days") == "天"
    assert _unit_after(page.text, "v-respondent_name") is None  # text has no unit
    english = testapp.get(url(ph, "/interview"), {"_LOCALE_": "en"})
    assert _unit_after(english.text, "v-water_quantity") == "L/person/day"
    assert _unit_after(english.text, "v-income_wages") == "yuan"


def test_section_index_links_every_section_of_both_instruments(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    index = page.html.select_one("#q-index")
    targets = [a["href"] for a in index.select("a")]
    sections = [f"#{f['id']}" for f in page.html.select("fieldset.q-section")]
    assert targets == sections
    assert "#s-v-income" in targets and "#s-v-water" in targets
    assert any(t.startswith("#s-r-") for t in targets)
    assert len(sections) == len(set(sections))


def _live(testapp, ph, pairs):
    return testapp.post(url(ph, "/interview/relevance?_LOCALE_=en"), pairs).json


def test_live_checks_name_the_row_as_typed_even_after_a_blank_row(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    version = interview_of(dbsession, ph).version
    # Row 0 left blank, row 1 a 7-year-old with a college education: the problem must land
    # on the page's row 1 (the stored answers would call it row 0).
    young = member(MEMBER_CHILD, age=7, education="college")
    answers = {"verification": {"roster": [{}, young]}}
    pairs = form_pairs(answers, version=version, token=csrf_of(page))
    pairs.append(("v-roster-0-name", ""))
    answer = _live(testapp, ph, pairs)
    assert answer["problems"]["v-roster-1-education"] == [
        "A member aged 7 cannot have a college education."
    ]
    assert "v-roster-0-education" not in answer["problems"]
    # Skip logic is keyed the same way: the 7-year-old's schooling is asked.
    assert answer["relevant"]["v-roster-1-schooling"] is True
    assert interview_of(dbsession, ph).version == version  # nothing saved


def test_head_contradicting_the_roster_is_shown_live_and_refused_at_submission(
    testapp, dbsession, world
):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    version = interview_of(dbsession, ph).version
    answers = full_answers(head_sex="female")
    pairs = form_pairs(answers, version=version, token=csrf_of(page))
    message = "The head's sex differs from the sex of the head in the household roster (王大山)."
    assert _live(testapp, ph, pairs)["problems"]["v-head_sex"] == [message]
    refused = submit(testapp, dbsession, ph, answers, status=400)
    assert "户主" in refused.text and "王大山" in refused.text
    assert interview_of(dbsession, ph).status == "draft"
    # Corrected in the roster instead: the roster's head is now a woman named as the header.
    head = member(MEMBER_HEAD, sex="female")
    fixed = full_answers(head_sex="female")
    fixed["verification"]["roster"][0] = head
    english = testapp.post(
        url(ph, "/interview/relevance?_LOCALE_=en"),
        form_pairs(fixed, version=version, token=csrf_of(page)),
    ).json
    assert "v-head_sex" not in english["problems"]


def test_the_save_on_leaving_needs_the_csrf_token(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = start_interview(testapp, ph)
    version = interview_of(dbsession, ph).version
    typed = {"verification": {"income_wages": "7700"}}
    forged = [p for p in form_pairs(typed, version=version, token="") if p[0] != "csrf_token"]
    testapp.post(url(ph, "/interview/autosave"), forged, status=400)
    assert interview_of(dbsession, ph).version == version  # nothing saved
    sent = form_pairs(typed, version=version, token=csrf_of(page))
    answer = testapp.post(url(ph, "/interview/autosave"), sent).json
    assert answer == {"saved": True, "version": version + 1}
