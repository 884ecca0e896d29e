"""The work list's fold of done villages in headless Chromium: work waiting on the phone for a
household under the fold opens it (offline.js), so nothing unsent hides there."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy.orm import Session

from assessment.core.models import Role
from surveys.instrument_store import ensure_builtin_instruments
from surveys.workflow import InterviewService
from tests.factories import make_team, make_user
from tests.live import live_database
from tests.survey_factories import make_drawn_plan
from tests.surveys_web.test_browser import ARGS, ARTIFACTS, CHROMIUM, _login
from tests.surveys_web.test_offline_browser import PHONE, _open_day

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (CI installs it and must run this test)",
    ),
]


@pytest.fixture
def served(tmp_path, app_settings):
    from waitress.server import create_server

    from assessment import main

    with live_database(tmp_path, sqlite_only=True) as (url, engine):
        with Session(engine) as db:
            ensure_builtin_instruments(db)
            team = make_team(db)
            assessor = make_user(db, Role.assessor, team=team)
            plan = make_drawn_plan(db, team, villages=2, selected=1, reserves=0, household_size=1)
            done = plan.selected[(plan.villages[0].id, "exited")][0]
            InterviewService(db).record_outcome(done, "moved", assessor)
            ids = (assessor.username, done.id, plan.villages[0].frame_village.village.id)
            db.commit()
        app = main({}, **{**app_settings, "sqlalchemy.url": url})
        server = create_server(app, host="127.0.0.1", port=0, threads=2)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.effective_port}", *ids
        finally:
            server.close()
            app.registry.dbengine.dispose()


def test_work_waiting_on_the_phone_opens_the_fold_of_done_villages(served, request):
    from playwright.sync_api import sync_playwright

    base, username, household, village = served
    fold = "details.done-villages"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport=PHONE).new_page()
        page.set_default_timeout(20000)
        try:
            _login(page, base, username)
            _open_day(page, base)
            assert page.eval_on_selector(fold, "d => d.open") is False
            assert page.eval_on_selector(
                f"section[data-village='{village}']", f"s => s.closest('{fold}') !== null"
            )
            # A conflict kept on the phone for the done household (the queue leaves it alone).
            page.evaluate(
                """([household, user]) => OfflineStore.update(household, () =>
                     Object.assign(OfflineStore.blank(household, user, 1),
                                   {state: "conflict", changed: true}))""",
                [household, page.eval_on_selector("#offline-strings", "e => e.dataset.user")],
            )
            page.reload()
            page.wait_for_selector(f"{fold} .offline-mark", state="attached")
            assert page.eval_on_selector(fold, "d => d.open") is True
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            raise
        finally:
            browser.close()
