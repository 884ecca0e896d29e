"""A form sent with a token that no longer matches its session, or after the session ended (a
page left open past the session, or logged out in another tab), is refused with a page in the
user's language that says nothing was saved and links back to the page the form came from (or
to log in again, then back to it). Before: WebOb's English "400 Bad Request ... cross-site
request forgery token" page, and for an ended session "your role does not give access"."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from assessment.core.models import AssessmentRound, Role, RoundIcc
from tests.factories import make_user

STALE = {"csrf_token": "0" * 40}


def _again(page) -> str | None:
    found = re.search(r'<a class="button primary" href="([^"]*)">', page.text)
    return found.group(1) if found else None


def _admin_on_round_icc_page(testapp, dbsession, name: str) -> tuple[str, AssessmentRound]:
    """An admin logged in, and the ρ page of a new round (a form that records what it gets)."""
    admin = make_user(dbsession, Role.admin)
    round_ = AssessmentRound(name=name, year=2019, poverty_line=3218.0, counties=[])
    dbsession.add(round_)
    dbsession.flush()
    testapp.login(admin.username)
    return f"/reports/rounds/{round_.id}/icc", round_


def test_a_stale_login_form_is_refused_in_chinese_with_nothing_technical(testapp):
    page = testapp.post("/login", {"username": "x", "password": "y", **STALE}, status=400)
    assert "data-bad-csrf" in page.text
    assert "此表单已失效" in page.text and "没有保存任何内容" in page.text
    assert "CSRF" not in page.text and "Bad Request" not in page.text
    assert _again(page) is None  # no page to return to (no Referer): only the home link


def test_in_english_the_way_back_is_the_page_the_form_came_from(testapp, dbsession):
    path, round_ = _admin_on_round_icc_page(testapp, dbsession, "旧页面批次")
    page = testapp.post(
        f"{path}?_LOCALE_=en",
        {"planning_reason": "typed in a tab left open overnight", **STALE},
        headers={"Referer": f"http://example.com{path}?from_round={round_.id}"},  # testapp's host
        status=400,
    )
    assert "This form has expired" in page.text and "nothing was saved" in page.text
    assert _again(page) == f"{path}?from_round={round_.id}"
    assert dbsession.scalar(select(func.count()).select_from(RoundIcc)) == 0


def test_the_way_back_never_leads_off_the_site(testapp):
    for referer in ("http://evil.example/login", "http://example.com//evil.example/x"):
        page = testapp.post("/login", STALE, headers={"Referer": referer}, status=400)
        assert _again(page) is None, referer


def test_a_form_sent_after_the_session_ended_says_so_not_that_the_role_forbids_it(
    testapp, dbsession
):
    """Permission is checked before the token: an admin whose session had ended was told
    "您的角色无权访问此页面" (your role does not give access) about their own page."""
    path, _ = _admin_on_round_icc_page(testapp, dbsession, "午休后批次")
    token = testapp.get_csrf_token(path)
    testapp.post("/logout", {"csrf_token": token}, status=303)  # or idle past the limit
    page = testapp.post(
        path,
        {"planning_reason": "午休前写的原因", "csrf_token": token},
        headers={"Referer": f"http://example.com{path}"},
        status=403,
    )
    assert "data-session-ended" in page.text and "您的登录已结束" in page.text
    assert "没有保存任何内容" in page.text and "无权" not in page.text
    login = _again(page)
    assert login is not None and login.startswith("http://example.com/login?next=")
    assert login.endswith(path.replace("/", "%2F"))
    assert dbsession.scalar(select(func.count()).select_from(RoundIcc)) == 0
    # and back: logging in from that link returns to the page the form was on
    form = testapp.get(login)
    assert f'value="{path}"' in form.text
