"""A phone's retries arriving together: the same idempotency key is applied once.

The page and the service worker may send the same queued change at once, or a retry may
overtake its first attempt on a slow network. Served by waitress on a throwaway database
(PostgreSQL when ``TEST_DATABASE_URL`` is set, else a SQLite file).
"""

from __future__ import annotations

import io
import json
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.core.models import Role
from surveys.instrument_store import ensure_builtin_instruments
from surveys.models import Interview, InterviewChange, InterviewPhoto, SyncReceipt
from tests.factories import PASSWORD, make_team, make_user
from tests.live import Client, live_database, run_together, serving
from tests.survey_factories import make_drawn_plan

pytestmark = pytest.mark.db
SENDERS = 6


def _multipart(fields: dict, photo: bytes | None = None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    if photo is not None:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; '
            'filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        )
        parts.append(head.encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _sender(port: int, username: str, path: str, fields: dict, photo=None):
    client = Client(port)
    client.login(username, PASSWORD)
    client.fetch_csrf("/")
    body, content_type = _multipart(fields, photo)

    def send():
        try:
            status, text = client.request(
                "POST",
                path,
                body,
                {"Content-Type": content_type, "X-CSRF-Token": client.csrf},
            )
            return status, json.loads(text)
        finally:
            client.close()

    return send


@pytest.fixture
def live(tmp_path, app_settings):
    with live_database(tmp_path) as (url, engine):
        with Session(engine) as db:
            ensure_builtin_instruments(db)
            team = make_team(db)
            user = make_user(db, Role.assessor, team=team)
            plan = make_drawn_plan(db, team, villages=1, selected=1, reserves=1)
            ph_id, username = plan.first_selected().id, user.username
            db.commit()
        with serving(app_settings, url) as port:
            yield engine, port, username, ph_id


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def test_the_same_change_sent_at_once_is_stored_once(live):
    engine, port, username, ph_id = live
    path = f"/api/households/{ph_id}/sync"
    outcome = {"key": "race-outcome-1", "action": "outcome", "outcome": "interviewed"}
    results = run_together([_sender(port, username, path, outcome) for _ in range(SENDERS)])
    assert [r[0] for r in results] == [200] * SENDERS, results
    assert sum(1 for _, body in results if body.get("replayed")) == SENDERS - 1
    version = results[0][1]["version"]
    draft = {"key": "race-draft-01", "action": "draft", "version": version, "v-income_wages": 700}
    photo = {"key": "race-photo-01", "action": "photo", "version": version}
    # One change at a time, as the phone's queue sends them (each retried at once).
    for fields, image in ((draft, None), (photo, _photo())):
        senders = [_sender(port, username, path, fields, image) for _ in range(SENDERS)]
        results = run_together(senders)
        assert [r[0] for r in results] == [200] * SENDERS, results
        assert sum(1 for _, body in results if body.get("replayed")) == SENDERS - 1
    with Session(engine) as db:
        item = db.scalars(select(Interview).where(Interview.plan_household_id == ph_id)).one()
        actions = db.scalars(
            select(InterviewChange.action).where(InterviewChange.interview_id == item.id)
        ).all()
        assert sorted(actions) == ["outcome", "photo", "save"]
        photos = select(func.count()).where(InterviewPhoto.interview_id == item.id)
        assert db.scalar(photos) == 1
        assert db.scalar(select(func.count()).select_from(SyncReceipt)) == 3
        assert json.loads(item.verification_json)["income_wages"] == 700
