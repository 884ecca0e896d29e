"""The assessor's and the supervisor's journey in headless Chromium at a phone viewport.

The app is served by waitress on a loopback port against a temporary SQLite file that this
test migrates and fills with committed rows (the rolled-back fixture is not visible to
another thread's connections).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.db import make_engine
from assessment.core.models import Role
from assessment.migrate import upgrade
from surveys.instrument_store import ensure_builtin_instruments
from surveys.models import Interview
from tests.factories import PASSWORD, make_team, make_user
from tests.survey_factories import make_drawn_plan

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (CI installs it and must run this test)",
    ),
]

TEXT = {
    "v-respondent_name": "王大山",
    "v-head_name": "王大山",
    "v-roster-0-name": "王大山",
    "v-roster-0-age": "45",
    "v-income_wages": "9000",
    "v-income_business_gross": "3000",
    "v-income_business_costs": "1000",
    "v-income_property": "0",
    "v-income_transfer_dibao": "0",
    "v-income_transfer_pension": "0",
    "v-income_transfer_other": "600",
    "v-water_quantity": "50",
    "v-water_fetch_minutes": "10",
    "v-water_interruption_days": "5",
}
CHOICES = [
    ("v-respondent_relation", "head"),
    ("v-head_sex", "male"),
    ("v-head_education", "junior"),
    ("v-roster-0-relation", "head"),
    ("v-roster-0-sex", "male"),
    ("v-roster-0-education", "junior"),
    ("v-roster-0-insured", "yes"),
    ("v-roster-0-health", "healthy"),
    ("v-roster-0-labour", "able"),
    ("v-roster-0-migrant", "no"),
    ("v-income_stable", "yes"),
    ("v-food_staple_enough", "yes"),
    ("v-food_protein", "yes"),
    ("v-clothing_seasonal", "yes"),
    ("v-clothing_bedding", "yes"),
    ("v-clothing_mainly_donated", "no"),
    ("v-medical_afford", "yes"),
    ("v-family_doctor", "yes"),
    ("v-housing_structure", "brick_concrete"),
    ("v-housing_rating", "B"),
    ("v-relocation", "none"),
    ("v-housing_defects", "no"),
    ("v-elderly_in_old_house", "no"),
    ("v-water_source", "well"),
    ("v-water_short_area", "no"),
    ("v-water_quality_ok", "yes"),
    ("v-assistance", "industry"),
    ("v-assistance_effective", "effective"),
    *[
        (f"v-{s}_ok", "yes")
        for s in ("income", "food", "clothing", "schooling", "medical", "housing", "water")
    ],
    ("r-rec_identification", "5"),
    ("r-rec_exit", "4"),
    ("r-rec_own_exit", "5"),
    ("r-rec_measures", "4"),
    ("r-rec_results", "5"),
    ("r-rec_work_team", "4"),
    ("r-helper_known", "yes"),
    ("r-rec_helper", "5"),
]


@pytest.fixture
def served(tmp_path, app_settings):
    from waitress.server import create_server

    from assessment import main

    url = f"sqlite:///{tmp_path}/browser.sqlite"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        ensure_builtin_instruments(db)
        team = make_team(db)
        users = {r: make_user(db, r, team=team).username for r in (Role.assessor, Role.supervisor)}
        plan = make_drawn_plan(db, team, villages=1, selected=1, reserves=1, household_size=1)
        ph_id = plan.first_selected().id
        db.commit()
    app = main({}, **{**app_settings, "sqlalchemy.url": url})
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", users, ph_id, engine
    server.close()
    app.registry.dbengine.dispose()
    engine.dispose()


def _login(page, base, username):
    page.goto(f"{base}/login?_LOCALE_=en")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def fill_answers(page, choices=CHOICES, text=TEXT):
    """Answer the questionnaire: the members' ages, then the choices, then the other text.

    Choices before text: the fetching time is asked only once the water source is not piped
    (live skip logic evaluated by the server), and Playwright waits for it to appear. The
    members' ages before them all: a member's education is asked only from age 6, and a
    skip-logic answer arriving before the age is typed (a slow machine: more than the page's
    400 ms between two answers) hides it.
    """
    ages = {name: value for name, value in text.items() if name.endswith("-age")}
    for name, value in ages.items():
        page.fill(f'[name="{name}"]', value)
    for name, value in choices:
        page.check(f'input[name="{name}"][value="{value}"]')
    for name, value in text.items():
        if name not in ages:
            page.fill(f'[name="{name}"]', value)


def _fill_questionnaire(page):
    fill_answers(page)


def test_assessor_submits_and_supervisor_approves_on_a_phone(served, request):
    from playwright.sync_api import sync_playwright

    base, users, ph_id, engine = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        page.set_default_timeout(15000)
        # The Content-Security-Policy forbids inline script and style: the pages must not
        # need any (a violation shows as a console error).
        violations = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        try:
            _login(page, base, users[Role.assessor])
            page.click("label.menu-button")  # the phone layout folds the menu
            page.click("nav.menu >> text=My assignments")
            # The progress bar's width is set by app.js (no inline style attribute).
            assert page.eval_on_selector(".progress > span", "e => e.style.width") == "0%"
            page.click(f'a[href$="/surveys/households/{ph_id}"]')
            page.click("button[value=interviewed]")
            page.wait_for_selector("#interview-form")
            _fill_questionnaire(page)
            page.click("button[name=submit]")
            page.wait_for_selector("text=Interview submitted for review.")
            page.click("button:has-text('Log out')")
            page.wait_for_selector("input[name=username]")
            _login(page, base, users[Role.supervisor])
            page.goto(f"{base}/surveys/review")
            page.click(f'a[href$="/surveys/review/{ph_id}"]')
            page.click("button[name=approve]")
            page.wait_for_selector("text=Interview approved.")
            assert violations == []
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            raise
        finally:
            browser.close()
    with Session(engine) as db:
        item = db.scalars(select(Interview).where(Interview.plan_household_id == ph_id)).one()
        assert (item.status, item.verdict) == ("approved", "meets_standard")
