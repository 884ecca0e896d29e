"""What the phone caches for offline work: the service worker, the day's list, blank pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from surveys.models import Interview
from tests.surveys_web.conftest import csrf_of

pytestmark = pytest.mark.db


def test_the_day_lists_the_team_households_and_reserves_in_rank_order(testapp, world):
    testapp.login(world.assessor.username)
    day = testapp.get("/api/offline/day").json
    plan = world.plan
    selected = {ph.id for queue in plan.selected.values() for ph in queue}
    assert {h["id"] for h in day["households"]} == selected
    assert all(h["status"] == "not_started" for h in day["households"])
    for (village, stratum), reserves in plan.reserves.items():
        queue = day["reserves"][f"{village}:{stratum}"]
        ranked = sorted(reserves, key=lambda ph: (ph.reserve_rank, ph.id))
        assert [r["id"] for r in queue] == [ph.id for ph in ranked]
    first = plan.first_selected()
    pages = {p["key"]: p["url"] for p in day["pages"]}
    assert pages["/surveys/assignments"] == "/surveys/assignments"
    assert pages[f"/surveys/households/{first.id}"] == f"/surveys/households/{first.id}"
    assert pages[f"/surveys/households/{first.id}/interview"] == (
        f"/surveys/households/{first.id}/capture"
    )
    reserve = plan.reserves[(plan.villages[0].id, "exited")][0]
    assert pages[f"/surveys/households/{reserve.id}/interview"].endswith("/capture")
    assert f"/surveys/households/{reserve.id}" not in pages  # not released: no outcome page


def test_another_team_admins_and_readers_get_no_day(testapp, world):
    testapp.login(world.other_assessor.username)
    day = testapp.get("/api/offline/day").json
    assert day["households"] == [] and day["reserves"] == {}
    testapp.reset()
    testapp.login(world.admin.username)  # sees every team's list, caches none of it
    day = testapp.get("/api/offline/day").json
    assert day["households"] == [] and day["reserves"] == {}
    testapp.reset()
    testapp.login(world.reader.username)
    testapp.get("/api/offline/day", status=403)


def test_the_blank_questionnaire_is_rendered_without_storing_anything(testapp, dbsession, world):
    ph = world.plan.first_selected()
    testapp.login(world.assessor.username)
    page = testapp.get(f"/surveys/households/{ph.id}/capture")
    assert 'id="interview-form"' in page.text
    assert page.html.find("input", {"name": "version"})["value"] == "0"
    assert page.html.find("input", {"name": "v-roster-0-name"}) is not None
    assert csrf_of(page)
    assert dbsession.scalar(select(func.count()).select_from(Interview)) == 0


def test_an_unreleased_reserve_is_cached_for_its_team_only(testapp, dbsession, world):
    reserve = world.plan.reserves[(world.plan.villages[0].id, "exited")][0]
    testapp.login(world.assessor.username)
    testapp.get(f"/surveys/households/{reserve.id}/capture", status=200)
    # Working on it still waits for its release (the server checks it on sync).
    testapp.get(f"/surveys/households/{reserve.id}", status=403)
    testapp.reset()
    testapp.login(world.other_assessor.username)
    testapp.get(f"/surveys/households/{reserve.id}/capture", status=403)


def test_the_service_worker_is_served_from_the_root_to_users(testapp, world):
    testapp.login(world.assessor.username)
    worker = testapp.get("/sw.js")
    assert worker.content_type == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert 'importScripts("/static/js/offline-store.js")' in worker.text
    page = testapp.get("/surveys/assignments")
    assert 'id="offline-strings"' in page.text and "static/js/offline.js" in page.text


def test_the_service_worker_is_an_asset_served_to_anyone(testapp, world):
    # The browser re-fetches the script to look for an update with or without a session; a
    # redirect to the log-in page would fail the update (and the script holds no user data).
    anonymous = testapp.get("/sw.js", status=200)
    assert anonymous.content_type == "text/javascript" and anonymous.charset == "utf-8"
    assert anonymous.headers["Service-Worker-Allowed"] == "/"
    assert anonymous.headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in anonymous.headers
    # Asked again each time (no-cache, not no-store): an unchanged script is a 304.
    cache = anonymous.headers["Cache-Control"]
    assert "no-cache" in cache and "no-store" not in cache
    etag = anonymous.headers["ETag"]
    testapp.get("/sw.js", headers={"If-None-Match": etag}, status=304)
    # The same bytes as the file in the source tree, whoever asks: nothing of a user in it.
    source = Path(__file__).parents[2] / "assessment" / "static" / "js" / "sw.js"
    assert anonymous.body == source.read_bytes()
    testapp.login(world.assessor.username)
    assert testapp.get("/sw.js").body == anonymous.body
