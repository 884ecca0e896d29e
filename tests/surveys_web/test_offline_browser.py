"""The assessor's day offline, in headless Chromium at a phone viewport.

The app is served by waitress on a loopback port against a temporary database filled with
committed rows (as in ``test_browser``). "Cutting the network" is Playwright's
``context.set_offline(True)``: the page and its service worker see no network.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import threading

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.core.models import Role
from surveys.instrument_store import ensure_builtin_instruments
from surveys.models import Interview, InterviewChange, InterviewPhoto, SyncReceipt
from tests.factories import make_team, make_user
from tests.live import live_database
from tests.survey_factories import make_drawn_plan
from tests.surveys_web.test_browser import ARGS, ARTIFACTS, CHROMIUM, TEXT, _login
from tests.surveys_web.test_browser import fill_answers as _fill

pytestmark = [
    pytest.mark.browser,
    pytest.mark.db,  # on SQLite, and on PostgreSQL when TEST_DATABASE_URL names one
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (CI installs it and must run this test)",
    ),
]

PHONE = {"width": 390, "height": 844}
SECOND_MEMBER = (
    [
        ("v-roster-1-relation", "spouse"),
        ("v-roster-1-sex", "female"),
        ("v-roster-1-education", "junior"),
        ("v-roster-1-insured", "yes"),
        ("v-roster-1-health", "healthy"),
        ("v-roster-1-labour", "able"),
        ("v-roster-1-migrant", "no"),
    ],
    {"v-roster-1-name": "李小花", "v-roster-1-age": "43"},
)


@pytest.fixture
def served(tmp_path, app_settings):
    from waitress.server import create_server

    from assessment import main

    with live_database(tmp_path) as (url, engine):
        with Session(engine) as db:
            ensure_builtin_instruments(db)
            team = make_team(db)
            users = {
                name: make_user(db, role, team=team).username
                for name, role in (
                    ("phone_a", Role.assessor),
                    ("phone_b", Role.assessor),
                    ("supervisor", Role.supervisor),
                )
            }
            plan = make_drawn_plan(db, team, villages=1, selected=3, reserves=2, household_size=1)
            village = plan.villages[0].id
            ids = {
                "selected": [ph.id for ph in plan.selected[(village, "exited")]],
                "reserves": [ph.id for ph in plan.reserves[(village, "exited")]],
            }
            db.commit()
        app = main({}, **{**app_settings, "sqlalchemy.url": url})
        server = create_server(app, host="127.0.0.1", port=0, threads=2)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.effective_port}", users, ids, engine
        finally:
            server.close()
            app.registry.dbengine.dispose()


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 140, 60)).save(out, "JPEG", quality=90)
    return out.getvalue()


def _phone(browser, base, username):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20000)
    _login(page, base, username)
    return context, page


def _open_day(page, base):
    """Open the work list online and wait until the day is cached and the worker in control."""
    page.goto(f"{base}/surveys/assignments")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()  # installed while this page was loading: the next load is controlled
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", polling=250)
    page.wait_for_selector("html[data-offline-ready]", state="attached")


def _pending(page) -> list:
    return page.evaluate(
        "() => OfflineStore.all().then(rs => rs.filter(OfflineStore.pending).map(r => r.household))"
    )


def _wait_sent(page):
    """Wait until the phone has nothing left to send (offline.js marks the count on <html>)."""
    page.wait_for_selector(
        'html[data-offline-pending="0"][data-offline-online="1"]', state="attached"
    )


def _screenshot(page, request):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)


def test_an_interview_typed_offline_reaches_the_server_once(served, request):
    from playwright.sync_api import sync_playwright

    base, users, ids, engine = served
    household = ids["selected"][0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = _phone(browser, base, users["phone_a"])
        try:
            _open_day(page, base)
            context.set_offline(True)
            # A household never opened before, from the phone's cache.
            page.goto(f"{base}/surveys/households/{household}")
            page.click("button[value=interviewed]")
            page.wait_for_url(f"**/surveys/households/{household}/interview")
            page.wait_for_selector("#interview-form.offline-form")
            _fill(page)
            # A second household member, added in the page (no network needed).
            page.click("[data-add-row]")
            _fill(page, SECOND_MEMBER[0], SECOND_MEMBER[1])
            page.set_input_files(
                "#photo",
                files=[
                    {"name": "house.jpg", "mimeType": "image/jpeg", "buffer": _jpeg(3000, 2000)}
                ],
            )
            page.wait_for_selector("#interview-form[data-photo-width]", state="attached")
            assert page.eval_on_selector(
                "#interview-form", "f => [f.dataset.photoWidth, f.dataset.photoHeight]"
            ) == ["1600", "1067"]
            page.click("button[name=submit]")
            page.wait_for_selector("#offline-notice:has-text('Submitted on this phone')")
            # A reload offline: the page comes from the cache, the answers from the phone.
            page.reload()
            page.wait_for_selector("#interview-form")
            page.wait_for_function(
                "() => document.querySelector('[name=\"v-income_wages\"]').value === '9000'"
            )
            assert page.is_checked('input[name="v-roster-0-sex"][value="male"]')
            # The added row is back after the reload, with its answers.
            assert page.input_value('[name="v-roster-1-name"]') == "李小花"
            assert page.is_checked('input[name="v-roster-1-sex"][value="female"]')
            assert _pending(page) == [household]
            with Session(engine) as db:
                assert db.scalar(select(func.count()).select_from(Interview)) == 0
            context.set_offline(False)
            _wait_sent(page)
        except Exception:
            _screenshot(page, request)
            raise
        with Session(engine) as db:
            item = db.scalars(
                select(Interview).where(Interview.plan_household_id == household)
            ).one()
            assert (item.status, item.verdict) == ("submitted", "meets_standard")
            stored = json.loads(item.verification_json)
            assert stored["income_wages"] == 9000
            assert [(m["name"], m["relation"], m["sex"], m["age"]) for m in stored["roster"]] == [
                ("王大山", "head", "male", 45),
                ("李小花", "spouse", "female", 43),
            ]
            photos = db.scalars(
                select(InterviewPhoto).where(InterviewPhoto.interview_id == item.id)
            ).all()
            assert len(photos) == 1
            assert Image.open(io.BytesIO(photos[0].data)).size == (1600, 1067)
            actions = db.scalars(
                select(InterviewChange.action).where(InterviewChange.interview_id == item.id)
            ).all()
            assert sorted(actions) == ["outcome", "photo", "submit"]
            assert db.scalar(select(func.count()).select_from(SyncReceipt)) == 3
        # A second browser (the supervisor's) sees it.
        _other, review = _phone(browser, base, users["supervisor"])
        try:
            review.goto(f"{base}/surveys/review/{household}")
            assert "9000" in review.content()
        except Exception:
            _screenshot(review, request)
            raise
        finally:
            browser.close()


def _offline_draft(page, base, household, wages: str):
    page.goto(f"{base}/surveys/households/{household}")
    page.click("button[value=interviewed]")
    page.wait_for_selector("#interview-form.offline-form")
    page.check('input[name="v-respondent_relation"][value="head"]')
    page.fill('[name="v-income_wages"]', wages)
    page.click("button[name=save]")
    page.wait_for_selector("#offline-notice:has-text('Draft saved on this phone')")


def test_two_phones_editing_one_household_offline_show_the_conflict(served, request):
    from playwright.sync_api import sync_playwright

    base, users, ids, engine = served
    household = ids["selected"][1]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        first, page_a = _phone(browser, base, users["phone_a"])
        second, page_b = _phone(browser, base, users["phone_b"])
        page = page_a
        try:
            _open_day(page_a, base)
            page = page_b
            _open_day(page_b, base)
            first.set_offline(True)
            second.set_offline(True)
            page = page_a
            _offline_draft(page_a, base, household, "9000")
            page = page_b
            _offline_draft(page_b, base, household, "7000")
            page = page_a
            first.set_offline(False)
            _wait_sent(page_a)
            page = page_b
            second.set_offline(False)
            card = page_b.wait_for_selector("#offline-conflict")
            rows = page_b.eval_on_selector_all(
                "#offline-conflict tbody tr",
                "rows => rows.map(r => Array.from(r.cells, c => c.textContent))",
            )
            assert ["Wage income", "9000", "7000"] in rows
            with Session(engine) as db:
                item = db.scalars(
                    select(Interview).where(Interview.plan_household_id == household)
                ).one()
                assert json.loads(item.verification_json)["income_wages"] == 9000
                version = item.version
            # Never overwritten silently: only the assessor's choice sends the phone's copy.
            card.wait_for_selector("#offline-keep-mine").click()
            _wait_sent(page_b)
        except Exception:
            _screenshot(page, request)
            raise
        finally:
            browser.close()
    with Session(engine) as db:
        item = db.scalars(select(Interview).where(Interview.plan_household_id == household)).one()
        assert json.loads(item.verification_json)["income_wages"] == 7000
        assert item.version == version + 1


def test_a_reserve_released_offline_is_worked_offline_and_checked_on_sync(served, request):
    from playwright.sync_api import sync_playwright

    from assessment.core.models import AssessmentRound, utcnow
    from sampling.models import SamplePlan
    from surveys.models import ReserveRelease, VisitAttempt

    base, users, ids, engine = served
    absent, reserve = ids["selected"][2], ids["reserves"][0]
    with Session(engine) as db:  # the test round asks for 2 visits with no gap between them
        county = db.scalars(select(SamplePlan)).one().county
        db.add(
            AssessmentRound(
                name="offline round",
                year=2019,
                poverty_line=4000,
                counties=[county],
                absent_visits=2,
                absent_visit_gap_minutes=0,
            )
        )
        db.commit()
    started = utcnow().replace(tzinfo=None)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = _phone(browser, base, users["phone_a"])
        try:
            _open_day(page, base)
            context.set_offline(True)
            page.goto(f"{base}/surveys/households/{absent}")
            # The first 不在家: one visit on the phone, no reserve yet.
            page.click("button[value=absent]")
            page.wait_for_selector("#offline-notice:has-text('Visit 1 recorded on this phone')")
            assert "Visits still needed before a reserve household is released: 1" in (
                page.text_content("#offline-notice")
            )
            assert page.query_selector("#offline-confirm") is None
            # The second: the rule is met; the confirmation names the reserve first.
            page.click("button[value=absent]")
            page.wait_for_selector("#offline-confirm")
            assert page.text_content("#offline-confirm-reserve").startswith(
                "Reserve household 户主"
            )
            assert "will be released in its place" in page.text_content("#offline-confirm-reserve")
            page.click("#offline-confirm-button")
            page.wait_for_url("**/surveys/assignments?released=*")
            # The first reserve in rank order, named on the work list (cached page).
            assert page.text_content("#offline-notice").startswith("Reserve household 户主")
            page.click(f'#offline-released a[href$="/surveys/households/{reserve}/interview"]')
            page.wait_for_selector("#interview-form.offline-form")
            page.check('input[name="v-respondent_relation"][value="head"]')
            page.fill('[name="v-income_wages"]', "8000")
            page.click("button[name=save]")
            page.wait_for_selector("#offline-notice:has-text('Draft saved on this phone')")
            with Session(engine) as db:
                assert db.scalar(select(func.count()).select_from(ReserveRelease)) == 0
                assert db.scalar(select(func.count()).select_from(VisitAttempt)) == 0
            synced = utcnow().replace(tzinfo=None)
            context.set_offline(False)
            _wait_sent(page)
        except Exception:
            _screenshot(page, request)
            raise
        finally:
            browser.close()
    with Session(engine) as db:
        release = db.scalars(select(ReserveRelease)).one()
        assert (release.replaced_id, release.reserve_id, release.reason) == (
            absent,
            reserve,
            "absent",
        )
        gone = db.scalars(select(Interview).where(Interview.plan_household_id == absent)).one()
        assert (gone.status, gone.contact_outcome) == ("not_interviewed", "absent")
        # The server holds the phone's two visits, stamped with the phone's clock (during
        # this test, before the network came back), and released on them.
        visits = db.scalars(
            select(VisitAttempt.visited_at).where(VisitAttempt.plan_household_id == absent)
        ).all()
        assert len(visits) == 2
        assert all(started - dt.timedelta(seconds=5) <= v <= synced for v in visits)
        item = db.scalars(select(Interview).where(Interview.plan_household_id == reserve)).one()
        assert item.status == "draft"
        assert json.loads(item.verification_json)["income_wages"] == 8000


def _absent_twice_and_confirm(page, base, household):
    """Two 不在家 visits offline (a round with no gap), then the confirmation."""
    page.goto(f"{base}/surveys/households/{household}")
    page.click("button[value=absent]")
    page.wait_for_selector("#offline-notice:has-text('Visit 1 recorded on this phone')")
    page.click("button[value=absent]")
    page.wait_for_selector("#offline-confirm")
    page.click("#offline-confirm-button")
    page.wait_for_url("**/surveys/assignments?released=*")


def test_the_server_refusing_an_offline_release_is_said_in_words(served, request):
    """The round's rule changed after the day was cached: the server refuses the release;
    the phone says why (not an HTTP code), drops its own release, and the answers typed for
    that reserve stay on the phone with a message."""
    from playwright.sync_api import sync_playwright

    from assessment.core.models import AssessmentRound
    from sampling.models import PlanHousehold, SamplePlan
    from surveys.models import ReserveRelease, VisitAttempt

    base, users, ids, engine = served
    absent, reserve = ids["selected"][2], ids["reserves"][0]
    with Session(engine) as db:
        county = db.scalars(select(SamplePlan)).one().county
        round_ = AssessmentRound(
            name="offline round",
            year=2019,
            poverty_line=4000,
            counties=[county],
            absent_visits=2,
            absent_visit_gap_minutes=0,
        )
        db.add(round_)
        db.commit()
        round_id = round_.id
        named = db.get(PlanHousehold, reserve).household
        reserve_name = f"{named.head_name} {named.household_id}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = _phone(browser, base, users["phone_a"])
        try:
            _open_day(page, base)
            context.set_offline(True)
            _absent_twice_and_confirm(page, base, absent)
            page.click(f'#offline-released a[href$="/surveys/households/{reserve}/interview"]')
            page.wait_for_selector("#interview-form.offline-form")
            page.fill('[name="v-income_wages"]', "8000")
            page.click("button[name=save]")
            page.wait_for_selector("#offline-notice:has-text('Draft saved on this phone')")
            with Session(engine) as db:  # meanwhile the coordinator asks for 3 visits
                db.get(AssessmentRound, round_id).absent_visits = 3
                db.commit()
            context.set_offline(False)
            _wait_sent(page)  # nothing left to send: both changes answered
            page.goto(f"{base}/surveys/assignments")
            page.wait_for_selector("#offline-problems li")
            problems = page.text_content("#offline-problems")
            assert "only after 3 visits" in problems
            assert "this household is not yours to change" in problems
            assert "HTTP" not in problems
            assert reserve_name in problems  # the reserve named as the day cached it
            # The phone's own release is withdrawn: the work list is the server's.
            assert page.query_selector("#offline-released") is None
            server_rows = f'a[href$="/surveys/households/{reserve}"]:not(#offline-problems a)'
            assert page.query_selector(server_rows) is None
            # The reserve's answers are still on the phone.
            kept = page.evaluate(f"() => OfflineStore.get({reserve}).then(r => r.fields)")
            assert ["v-income_wages", "8000"] in kept
        except Exception:
            _screenshot(page, request)
            raise
        finally:
            browser.close()
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(ReserveRelease)) == 0
        visits = db.scalars(
            select(VisitAttempt).where(VisitAttempt.plan_household_id == absent)
        ).all()
        assert len(visits) == 2  # the phone's visits are recorded all the same
        assert (
            db.scalars(select(Interview).where(Interview.plan_household_id == reserve)).all() == []
        )


def test_a_reserve_another_phone_took_first_is_replaced_by_the_servers_choice(served, request):
    from playwright.sync_api import sync_playwright

    from assessment.core.models import AssessmentRound
    from sampling.models import PlanHousehold, SamplePlan
    from surveys.models import ReserveRelease
    from surveys.workflow import InterviewService

    base, users, ids, engine = served
    other, absent = ids["selected"][1], ids["selected"][2]
    taken, next_one = ids["reserves"][:2]
    with Session(engine) as db:
        county = db.scalars(select(SamplePlan)).one().county
        db.add(
            AssessmentRound(
                name="offline round",
                year=2019,
                poverty_line=4000,
                counties=[county],
                absent_visits=2,
                absent_visit_gap_minutes=0,
            )
        )
        db.commit()
        named = db.get(PlanHousehold, next_one).household
        next_name = f"{named.head_name} {named.household_id}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = _phone(browser, base, users["phone_a"])
        try:
            _open_day(page, base)
            context.set_offline(True)
            _absent_twice_and_confirm(page, base, absent)
            # The list is drawn from the phone's store after the page loads: wait for it.
            page.wait_for_selector(
                f'#offline-released a[href$="/surveys/households/{taken}/interview"]'
            )
            with Session(engine) as db:  # meanwhile another phone releases that reserve
                InterviewService(db).record_outcome(db.get(PlanHousehold, other), "refused", None)
                db.commit()
            context.set_offline(False)
            _wait_sent(page)
            page.goto(f"{base}/surveys/assignments")
            page.wait_for_selector("#offline-problems li")
            said = page.text_content("#offline-problems")
            head, household_id = next_name.split(" ")
            assert f"The server released reserve household {head} ({household_id})" in said
            assert "another phone had taken" in said
            released = page.text_content("#offline-released")
            assert next_name in released
            assert (
                page.query_selector(
                    f'#offline-released a[href$="/surveys/households/{taken}/interview"]'
                )
                is None
            )
        except Exception:
            _screenshot(page, request)
            raise
        finally:
            browser.close()
    with Session(engine) as db:
        rows = db.scalars(select(ReserveRelease).order_by(ReserveRelease.id)).all()
        assert [(r.replaced_id, r.reserve_id) for r in rows] == [(other, taken), (absent, next_one)]


def test_a_visit_sent_between_two_offline_spells_still_counts(served, request):
    """Visit 1 offline, sent when the network came back; visit 2 offline again: the phone
    counts the server's first visit (not in the day's cache) and asks to release."""
    from playwright.sync_api import sync_playwright

    from assessment.core.models import AssessmentRound
    from sampling.models import SamplePlan
    from surveys.models import ReserveRelease, VisitAttempt

    base, users, ids, engine = served
    absent, reserve = ids["selected"][0], ids["reserves"][0]
    with Session(engine) as db:
        county = db.scalars(select(SamplePlan)).one().county
        db.add(
            AssessmentRound(
                name="offline round",
                year=2019,
                poverty_line=4000,
                counties=[county],
                absent_visits=2,
                absent_visit_gap_minutes=0,
            )
        )
        db.commit()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = _phone(browser, base, users["phone_a"])
        try:
            _open_day(page, base)
            context.set_offline(True)
            page.goto(f"{base}/surveys/households/{absent}")
            page.click("button[value=absent]")
            page.wait_for_selector("#offline-notice:has-text('Visit 1 recorded on this phone')")
            context.set_offline(False)
            _wait_sent(page)
            with Session(engine) as db:
                assert db.scalar(select(func.count()).select_from(VisitAttempt)) == 1
            context.set_offline(True)
            page.click("button[value=absent]")
            page.wait_for_selector("#offline-confirm")
            page.click("#offline-confirm-button")
            page.wait_for_url("**/surveys/assignments?released=*")
            context.set_offline(False)
            _wait_sent(page)
        except Exception:
            _screenshot(page, request)
            raise
        finally:
            browser.close()
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(VisitAttempt)) == 2
        release = db.scalars(select(ReserveRelease)).one()
        assert (release.replaced_id, release.reserve_id) == (absent, reserve)


def _submit_online_once(served, request, before_submit=None):
    """Submit an interview online (the page's own POST); the work list then confirms it and
    nothing is left to send: the queue never sends it a second time."""
    from playwright.sync_api import sync_playwright

    base, users, ids, engine = served
    household = ids["selected"][0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        _context, page = _phone(browser, base, users["phone_a"])
        try:
            _open_day(page, base)
            page.goto(f"{base}/surveys/households/{household}")
            page.click("button[value=interviewed]")  # online: the page's own POST
            page.wait_for_selector("#interview-form:not(.offline-form)")
            _fill(page)
            if before_submit is not None:
                before_submit(page, household)
            page.click("button[name=submit]")
            page.wait_for_selector("text=Interview submitted for review.")
            # The work list (online) confirms the page's post: nothing waits on the phone.
            page.wait_for_selector("html[data-offline-ready]", state="attached")
            page.wait_for_selector('html[data-offline-records="0"]', state="attached")
            assert page.evaluate("() => OfflineStore.all().then(rs => rs.length)") == 0
        except Exception:
            _screenshot(page, request)
            raise
        finally:
            browser.close()
    with Session(engine) as db:
        item = db.scalars(select(Interview).where(Interview.plan_household_id == household)).one()
        assert item.status == "submitted"
        assert db.scalar(select(func.count()).select_from(SyncReceipt)) == 0


def test_online_the_page_posts_and_the_queue_sends_nothing_twice(served, request):
    _submit_online_once(served, request)


def _until(page, script: str, seconds: float = 20.0) -> None:
    """Poll an (async) page script until it returns true."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not true after {seconds} s: {script}")


def _slow_store(page, household: int) -> None:
    """Once every answer typed is kept on the phone, make the phone's store answer 1 s late."""
    name, value = list(TEXT.items())[-1]
    kept = json.dumps(json.dumps([name, value], ensure_ascii=False, separators=(",", ":")))
    _until(
        page,
        f"() => OfflineStore.get({household}).then("
        f"r => !!r && JSON.stringify(r.fields).includes({kept}))",
    )
    page.evaluate(
        """() => {
            const update = OfflineStore.update;
            OfflineStore.update = (h, fn) =>
                new Promise(done => setTimeout(done, 1000)).then(() => update(h, fn));
        }"""
    )


def test_a_slow_phone_store_still_marks_the_pages_post_before_it_leaves(served, request):
    """The page posts its answers itself (online) only once the phone has marked them as
    posted by the page. A mark still being written when the page unloads is lost, and the
    queue then sent the same interview a second time from the work list (seen in about one
    run in five of the test above, at random). Here the phone's store is slowed on purpose
    after the answers are kept, so that a post that did not wait would lose the mark."""
    _submit_online_once(served, request, before_submit=_slow_store)


def test_a_save_lost_on_the_way_online_is_sent_by_the_queue(served, request):
    from playwright.sync_api import sync_playwright

    base, users, ids, engine = served
    household = ids["selected"][1]

    def drop_posts(route):
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context, page = _phone(browser, base, users["phone_a"])
        try:
            _open_day(page, base)
            page.goto(f"{base}/surveys/households/{household}")
            page.click("button[value=interviewed]")
            page.wait_for_selector("#interview-form:not(.offline-form)")
            page.check('input[name="v-respondent_relation"][value="head"]')
            page.fill('[name="v-income_wages"]', "6500")
            # The network drops the page's own POST (the browser still thinks it is online).
            context.route(f"**/surveys/households/{household}/interview", drop_posts)
            page.click("button[name=save]")
            page.wait_for_url("**/interview?unsent=1")
            # The answers come back from the phone's store (asynchronously, after the load).
            page.wait_for_function(
                "() => document.querySelector('[name=\"v-income_wages\"]').value === '6500'"
            )
            _wait_sent(page)
        except Exception:
            _screenshot(page, request)
            raise
        finally:
            browser.close()
    with Session(engine) as db:
        item = db.scalars(select(Interview).where(Interview.plan_household_id == household)).one()
        assert json.loads(item.verification_json)["income_wages"] == 6500
        assert db.scalar(select(func.count()).select_from(SyncReceipt)) == 1
