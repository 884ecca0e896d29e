"""Hostile frame files uploaded through the web form of a real server (waitress, real database).

Each upload runs in a thread while another browser keeps asking the server for a page: the
server must answer it while the upload is being read (the file is read in a child process with
memory and time limits). Each hostile file ends with a 422 page holding its message in Chinese
(the default language) and leaves the database exactly as it was: no county (the upload names a
new one), no frame, no household, no import log row.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.core.models import County, Role
from sampling.models import Frame, FrameImportLog, Household
from tests.factories import PASSWORD, make_user
from tests.hostile_frames import CASES, good_csv
from tests.live import Client, live_database, serving

pytestmark = [pytest.mark.db, pytest.mark.slow]
UPLOAD_LIMIT = 20 * 2**20


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from pyramid.paster import get_appsettings

    from tests.conftest import ROOT  # the same settings as the app fixture, on a live database

    settings = dict(get_appsettings(str(ROOT / "development.ini")))
    settings.update(
        {
            "pyramid.reload_templates": "false",
            "session.secret": "test-secret-" + "x" * 40,
            "upload.max_bytes": str(UPLOAD_LIMIT),
        }
    )
    with live_database(tmp_path_factory.mktemp("hostile")) as (url, engine):
        with Session(engine) as db:
            make_user(db, Role.coordinator, username="coord")
            db.commit()
        with serving(settings, url) as port:
            yield engine, port


def _multipart(fields: dict, file_name: str, body: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + body
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _counts(engine) -> tuple:
    with Session(engine) as db:
        return tuple(
            db.scalar(select(func.count()).select_from(model))
            for model in (County, Frame, Household, FrameImportLog)
        )


def _upload_while_probing(port: int, body: bytes, county: str) -> tuple[int, str, list[int]]:
    """Upload ``body`` naming a new county; meanwhile probe the login page. The upload's status
    and page, and the statuses of the probes answered while the upload was still running."""
    uploader, prober = Client(port), Client(port)
    try:
        assert uploader.login("coord", PASSWORD)[0] == 303
        uploader.fetch_csrf("/sampling/frames")
        data, content_type = _multipart(
            {
                "csrf_token": uploader.csrf,
                "county_id": "0",
                "encoding": "",
                "new_county_code": county,
            },
            "frame.bin",
            body,
        )
        outcome = {}

        def upload():
            outcome["answer"] = uploader.request(
                "POST", "/sampling/frames", data, {"Content-Type": content_type}
            )

        thread = threading.Thread(target=upload)
        thread.start()
        answered = []
        while thread.is_alive():
            # a probe counts when the upload was still running after it was answered
            status, _ = prober.request("GET", "/login")
            if thread.is_alive():
                answered.append(status)
        thread.join()
        status, page = outcome["answer"]
        return status, page, answered
    finally:
        uploader.close()
        prober.close()


@pytest.mark.parametrize(("name", "build", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_hostile_upload_is_refused_with_a_message_while_the_server_answers(
    live, name, build, expected
):
    engine, port = live
    before = _counts(engine)
    status, page, answered = _upload_while_probing(port, build(), f"HX-{name}")
    assert status == 422, page[:500]
    assert expected in page
    assert "未导入任何数据" in page
    assert "Traceback" not in page
    assert answered and set(answered) == {200}, "the server did not answer during the upload"
    assert _counts(engine) == before


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(live):
    engine, port = live
    before = _counts(engine)
    status, page, _ = _upload_while_probing(port, b"a" * (UPLOAD_LIMIT + 1), "HXBIG")
    assert status == 413 and "请求内容过大" in page
    assert _counts(engine) == before


def test_a_good_upload_naming_a_new_county_creates_it(live):
    engine, port = live
    status, page, answered = _upload_while_probing(port, good_csv(), "HXGOOD")
    assert status == 303, page[:500]
    assert set(answered) <= {200}
    with Session(engine) as db:
        county = db.scalars(select(County).where(County.code == "HXGOOD")).one()
        assert db.scalar(select(func.count()).where(Frame.county_id == county.id)) == 1
