"""The assessor's offline day in headless Chromium: what the phone caches, how long sync takes.

Fills a throwaway database (SQLite file by default; ``--database-url`` a PostgreSQL server)
with two teams of ``--households`` sampled households each (2 villages, 2 reserves per
village), serves the app with waitress on a loopback port, and at a phone viewport:

1. **cache**: logs in as team A's assessor, opens the work list online and waits until the
   day is cached; reports the bytes in Cache Storage (the app shell and the day's pages,
   counted as the bodies' sizes) and the pages cached.
2. **capture**: cuts the network, and for every household opens the household page, taps
   "interviewed", fills the whole questionnaire, attaches a ``--photo`` camera-sized JPEG
   (resized on the phone to 1600 px) and submits - all on the phone.
3. **sync**: restores the network and times until the phone has nothing left to send (the
   ``online`` event starts the queue: outcome, photo, submission per household).
4. **baseline** (same run): team B's assessor sends the same three requests per household
   (outcome, the same resized photo, the same answers) straight to the sync endpoint from
   the browser context's request client, one after the other - the server's own cost
   without the page's queue. The ratio is sync / baseline.

Afterwards every interview is checked to be submitted once with one photo.

    .venv/bin/python bench/bench_offline.py                       # SQLite, 12 households
    .venv/bin/python bench/bench_offline.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"


def camera_photo(width: int, height: int, seed: int = 7) -> bytes:
    """A JPEG with a camera photo's detail (gradients and noise), as a phone takes it."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 / width, y * 255 / height, (x + y) * 127 / (width + height)], -1)
    pixels = np.clip(base + rng.normal(0, 18, base.shape), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=92)
    return out.getvalue()


def resized(data: bytes) -> bytes:
    """The photo as the phone sends it (long side 1600 px, JPEG), for the baseline."""
    image = Image.open(io.BytesIO(data))
    image.thumbnail((1600, 1600))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def fill_database(url: str, households: int):
    from sqlalchemy.orm import Session

    from assessment.core.db import make_engine
    from assessment.core.models import Role
    from surveys.instrument_store import ensure_builtin_instruments
    from tests.factories import make_team, make_user
    from tests.survey_factories import make_drawn_plan

    engine = make_engine(url)
    out = {}
    with Session(engine) as db:
        ensure_builtin_instruments(db)
        for name in ("a", "b"):
            team = make_team(db)
            user = make_user(db, Role.assessor, team=team)
            plan = make_drawn_plan(
                db, team, villages=2, selected=households // 2, reserves=2, household_size=1
            )
            ids = [ph.id for queue in plan.selected.values() for ph in queue]
            out[name] = (user.username, ids)
        db.commit()
    return engine, out


FILL = """([choices, text]) => {
  const form = document.getElementById('interview-form');
  for (const [name, value] of choices) {
    form.querySelector(`input[name="${name}"][value="${value}"]`).checked = true;
  }
  for (const [name, value] of Object.entries(text)) {
    form.querySelector(`[name="${name}"]`).value = value;
  }
  form.dispatchEvent(new Event('change', {bubbles: true}));
}"""

CACHED = """async () => {
  let bytes = 0, entries = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      bytes += (await response.blob()).size;
      entries += 1;
    }
  }
  const estimate = await navigator.storage.estimate();
  return {bytes, entries, usage: estimate.usage || 0};
}"""


def run(args) -> None:
    from playwright.sync_api import sync_playwright
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session
    from waitress.server import create_server

    from assessment import main
    from surveys.models import Interview, InterviewPhoto
    from tests.factories import PASSWORD
    from tests.live import live_database
    from tests.surveys_web.test_browser import ARGS, CHOICES, TEXT

    settings = {
        "pyramid.reload_templates": "false",
        "session.secret": "bench-secret-" + "x" * 40,
        "assess.trusted_hosts": "127.0.0.1 localhost",
    }
    if args.database_url and args.database_url != "sqlite":
        os.environ["TEST_DATABASE_URL"] = args.database_url
    photo = camera_photo(*args.photo)
    with tempfile.TemporaryDirectory() as tmp, live_database(Path(tmp)) as (url, _):
        engine, teams = fill_database(url, args.households)
        app = main({}, **{**app_settings(), **settings, "sqlalchemy.url": url})
        counted = Counted(app)
        server = create_server(counted, host="127.0.0.1", port=0, threads=2)
        threading.Thread(target=server.run, daemon=True).start()
        base = f"http://127.0.0.1:{server.effective_port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                figures = phone_day(
                    browser, base, teams["a"], photo, CHOICES, TEXT, PASSWORD, counted
                )
                figures["baseline"] = baseline(
                    browser, base, teams["b"], photo, CHOICES, TEXT, PASSWORD
                )
                browser.close()
        finally:
            server.close()
            app.registry.dbengine.dispose()
        with Session(engine) as db:
            submitted = db.scalar(
                select(func.count()).select_from(Interview).where(Interview.status == "submitted")
            )
            photos = db.scalar(select(func.count()).select_from(InterviewPhoto))
        engine.dispose()
    expected = 2 * args.households
    assert submitted == expected and photos == expected, (submitted, photos)
    report(args, figures, len(photo), url)


class Counted:
    """WSGI wrapper counting the sync requests and the seconds the server spent on them."""

    def __init__(self, app):
        self.app, self.requests, self.seconds = app, 0, 0.0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").endswith("/sync"):
            return self.app(environ, start_response)
        started = time.perf_counter()
        try:
            return list(self.app(environ, start_response))
        finally:
            with self.lock:
                self.requests += 1
                self.seconds += time.perf_counter() - started

    def reset(self):
        with self.lock:
            self.requests, self.seconds = 0, 0.0


def app_settings() -> dict:
    """The app settings of the benchmark server: production-like (no template reloading)."""
    from pyramid.paster import get_appsettings

    return dict(get_appsettings(str(ROOT / "development.ini")))


def login(page, base, username, password):
    page.goto(f"{base}/login?_LOCALE_=en")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def phone_day(browser, base, team, photo, choices, text, password, counted) -> dict:
    username, ids = team
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(60000)
    login(page, base, username, password)
    page.goto(f"{base}/surveys/assignments")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("() => navigator.serviceWorker.controller !== null"):
        page.reload()
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    cached = page.evaluate(CACHED)
    context.set_offline(True)
    for household in ids:
        page.goto(f"{base}/surveys/households/{household}")
        page.click("button[value=interviewed]")
        page.wait_for_selector("#interview-form.offline-form")
        page.evaluate(FILL, [choices, text])
        page.set_input_files(
            "#photo", files=[{"name": "house.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
        page.wait_for_selector("#interview-form[data-photo-width]", state="attached")
        page.click("button[name=submit]")
        page.wait_for_selector("#offline-notice:has-text('Submitted on this phone')")
    queued = page.evaluate(
        "() => OfflineStore.all().then("
        "rs => rs.reduce((n, r) => n + (r.photo ? r.photo.blob.size : 0), 0))"
    )
    page.goto(f"{base}/surveys/assignments")
    counted.reset()
    started = time.perf_counter()
    context.set_offline(False)
    page.wait_for_selector(
        'html[data-offline-pending="0"][data-offline-online="1"]', state="attached"
    )
    elapsed = time.perf_counter() - started
    context.close()
    return {
        "cached": cached,
        "sync": elapsed,
        "queued_photo_bytes": queued,
        "requests": counted.requests,
        "server_seconds": counted.seconds,
    }


def baseline(browser, base, team, photo, choices, text, password) -> float:
    username, ids = team
    context = browser.new_context()
    page = context.new_page()
    login(page, base, username, password)
    token = page.get_attribute('input[name="csrf_token"]', "value")
    headers = {"X-CSRF-Token": token}
    small = resized(photo)
    answers = {name: value for name, value in choices} | text
    started = time.perf_counter()
    for n, household in enumerate(ids):
        url = f"{base}/api/households/{household}/sync"
        post = context.request.post
        first = post(
            url,
            headers=headers,
            multipart={"key": f"o-{n}-bench", "action": "outcome", "outcome": "interviewed"},
        )
        version = str(first.json()["version"])
        post(
            url,
            headers=headers,
            multipart={
                "key": f"p-{n}-bench",
                "action": "photo",
                "version": version,
                "photo": {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": small},
            },
        )
        done = post(
            url,
            headers=headers,
            multipart={"key": f"s-{n}-bench", "action": "submit", "version": version, **answers},
        )
        assert done.status == 200, done.text()
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed


def report(args, figures, photo_bytes, url) -> None:
    database = "postgresql" if url.startswith("postgresql") else "sqlite"
    cached = figures["cached"]
    print(
        f"database: {database}; households: {args.households}; camera photo "
        f"{args.photo[0]}x{args.photo[1]}, {photo_bytes / 1024:.0f} KiB"
    )
    print(
        f"cached for the day: {cached['entries']} responses, {cached['bytes'] / 1024:.0f} KiB "
        f"(storage estimate {cached['usage'] / 1024:.0f} KiB)"
    )
    print(
        f"photos queued on the phone: {figures['queued_photo_bytes'] / 1024:.0f} KiB "
        f"({figures['queued_photo_bytes'] / args.households / 1024:.0f} KiB each)"
    )
    print(
        f"sync after reconnecting: {figures['sync']:.2f} s; same requests sent directly: "
        f"{figures['baseline']:.2f} s; ratio {figures['sync'] / figures['baseline']:.2f}x"
    )
    print(
        f"sync requests from the phone: {figures['requests']} "
        f"(server time {figures['server_seconds']:.2f} s)"
    )


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=12)
    parser.add_argument("--photo", type=int, nargs=2, default=(4000, 3000), metavar=("W", "H"))
    parser.add_argument("--database-url", default="sqlite")
    return parser.parse_args(argv)


if __name__ == "__main__":
    run(parse())
