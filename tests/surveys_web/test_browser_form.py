"""The questionnaire's client side in headless Chromium at a phone viewport: roster rows
added and removed in the page with their checks, the section index and progress, and the
draft saved when the assessor leaves the page."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.models import Role
from surveys.models import Interview
from tests.surveys_web import test_browser
from tests.surveys_web.test_browser import ARGS, ARTIFACTS, CHROMIUM, _login

pytestmark = test_browser.pytestmark
served = test_browser.served  # the app on a loopback port, over a migrated SQLite file

PHONE = {"width": 390, "height": 844}


def _stored(engine, ph_id, until, seconds=15.0):
    """The stored verification answers once ``until(answers)`` holds (the save on leaving
    the page is sent as the page goes, so it may land a moment after the next page)."""
    deadline = time.monotonic() + seconds
    while True:
        with Session(engine) as db:
            item = db.scalars(select(Interview).where(Interview.plan_household_id == ph_id)).one()
            answers = json.loads(item.verification_json or "{}")
        if until(answers) or time.monotonic() > deadline:
            return answers
        time.sleep(0.2)


def _names(page):
    return page.eval_on_selector_all(
        "[data-group='v-roster'] [data-row] input[name$='-name']", "els => els.map(e => e.name)"
    )


@pytest.fixture
def phone(served, request):
    from playwright.sync_api import sync_playwright

    base, users, ph_id, engine = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport=PHONE).new_page()
        page.set_default_timeout(15000)
        violations = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        try:
            _login(page, base, users[Role.assessor])
            page.goto(f"{base}/surveys/households/{ph_id}?_LOCALE_=en")
            page.click("button[value=interviewed]")
            page.wait_for_selector("#interview-form")
            yield page, base, ph_id, engine
            assert violations == []
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            raise
        finally:
            browser.close()


def test_roster_rows_are_added_and_removed_in_the_page_with_their_checks(phone):
    page, _, ph_id, engine = phone
    assert _names(page) == ["v-roster-0-name"]
    assert page.is_hidden("[data-row] [data-remove-row]")  # the only row cannot go
    page.fill("[name=v-roster-0-name]", "王大山")
    page.fill("[name=v-roster-0-age]", "45")
    page.click("[data-add-row]")
    assert _names(page) == ["v-roster-0-name", "v-roster-1-name"]
    assert page.input_value("[name=v-roster-1-name]") == ""  # a blank row, not a copy
    assert page.is_visible("[data-field='v-roster-1-age']")
    page.fill("[name=v-roster-1-name]", "王小明")
    page.fill("[name=v-roster-1-age]", "7")
    page.check("[name=v-roster-1-education][value=college]")
    # The row's own check, shown live beside the field of the row as typed.
    error = "[data-field='v-roster-1-education'] .error.live"
    page.wait_for_selector(error)
    assert page.text_content(error) == "A member aged 7 cannot have a college education."
    page.click("[data-add-row]")
    page.fill("[name=v-roster-2-name]", "李小花")
    # Remove the second member: the third becomes member 2, its fields renamed to match.
    page.click("[data-row]:nth-of-type(2) [data-remove-row]")
    assert _names(page) == ["v-roster-0-name", "v-roster-1-name"]
    assert page.input_value("[name=v-roster-1-name]") == "李小花"
    titles = page.eval_on_selector_all(
        "[data-row] .row-title", "els => els.map(e => e.textContent)"
    )
    assert titles == ["Member 1", "Member 2"]
    labels_ok = page.eval_on_selector_all(
        "[data-row] label[for]", "els => els.every(l => document.getElementById(l.htmlFor))"
    )
    assert labels_ok
    page.wait_for_selector(error, state="detached")  # the checked row is gone, so is its error
    # Saved as shown: two members, no round trip needed to add them.
    page.click("button[name=save]")
    page.wait_for_selector("text=Draft saved.")
    roster = _stored(engine, ph_id, lambda a: True)["roster"]
    assert [r["name"] for r in roster] == ["王大山", "李小花"]


def test_section_index_jumps_and_counts_progress(phone):
    page = phone[0]
    progress = page.text_content("#q-progress")
    assert progress.startswith("0 of ")
    page.click("#q-index summary")
    page.click("#q-index a[href='#s-v-water']")
    top = page.eval_on_selector("#s-v-water", "e => e.getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"] / 2  # the section is on the screen, near the top
    assert page.eval_on_selector("#q-index details", "d => d.open") is False
    page.fill("[name=v-water_quantity]", "50")
    page.dispatch_event("[name=v-water_quantity]", "change")
    assert page.text_content("#q-progress").startswith("1 of ")
    count = page.text_content("[data-section='s-v-water']")
    assert count.startswith("1/")
    assert page.text_content(".unit >> nth=0") in ("yuan", "元")
    width = page.eval_on_selector("#q-progress-bar", "e => parseFloat(e.style.width)")
    assert width > 0


def test_leaving_the_page_saves_the_draft(phone):
    page, base, ph_id, engine = phone
    page.fill("[name=v-income_wages]", "12345")
    page.fill("[name=v-roster-0-name]", "王大山")
    page.goto(f"{base}/surveys/assignments?_LOCALE_=en")  # leave without saving
    answers = _stored(engine, ph_id, lambda a: a.get("income_wages") == 12345)
    assert answers["income_wages"] == 12345
    assert answers["roster"][0]["name"] == "王大山"
    page.goto(f"{base}/surveys/households/{ph_id}/interview?_LOCALE_=en")
    assert page.input_value("[name=v-income_wages]") == "12345"


def test_review_queue_flags_fit_a_phone(served, request):
    from playwright.sync_api import sync_playwright

    from surveys.workflow import InterviewService
    from tests.surveys_web.conftest import full_answers

    base, users, ph_id, engine = served
    with Session(engine) as db:  # a submission made at once: flagged as too short
        from sampling.models import PlanHousehold

        ph = db.get(PlanHousehold, ph_id)
        service = InterviewService(db)
        item = service.record_outcome(ph, "interviewed", None).interview
        answers = full_answers()
        answers["verification"]["roster"] = answers["verification"]["roster"][:1]
        answers["verification"]["roster"][0]["name"] = answers["verification"]["head_name"]
        service.submit(item, answers, base_version=item.version, user=None)
        db.commit()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport=PHONE).new_page()
        try:
            _login(page, base, users[Role.supervisor])
            page.goto(f"{base}/surveys/review?_LOCALE_=en")
            flag = page.wait_for_selector("#queue .flag-too_short")
            box = flag.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            # Nothing of the queue is cut off or needs a sideways scroll.
            overflow = page.eval_on_selector(
                "#queue", "t => t.scrollWidth - t.parentElement.clientWidth"
            )
            assert overflow <= 0
            assert "minimum 20" in flag.text_content()
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            raise
        finally:
            browser.close()
