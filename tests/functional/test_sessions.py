"""Server-side sessions end at log-out, password change or reset and deactivation; API tokens
are listed, revoked, expire and end with the password."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from assessment.core.models import ApiToken, Role, User, UserSession, utcnow
from assessment.core.settings import COOKIE_NAME
from tests.factories import make_user


def _captured(testapp) -> tuple[str, str]:
    """The session cookie and the CSRF token of the current page, as an attacker copies them."""
    return testapp.cookies[COOKIE_NAME], testapp.get_csrf_token("/account")


def _replay(testapp, cookie: str) -> None:
    testapp.reset()
    testapp.set_cookie(COOKIE_NAME, cookie)


def _rename(testapp, csrf: str, name: str, status):
    data = {"display_name": name, "language": "zh", "csrf_token": csrf}
    return testapp.post("/account", data, status=status)


def test_a_cookie_copied_before_log_out_opens_nothing_afterwards(testapp, dbsession):
    user = make_user(dbsession, Role.coordinator, username="copied")
    testapp.login("copied")
    cookie, csrf = _captured(testapp)
    testapp.post("/logout", {"csrf_token": csrf}, status=303)
    _replay(testapp, cookie)
    testapp.get("/account", status=303)  # GET: sent to log in
    _rename(testapp, csrf, "attacker", status="4*")  # POST: refused, nothing changes
    dbsession.refresh(user)
    assert user.display_name != "attacker"
    assert dbsession.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None


def test_the_cookie_holds_a_random_key_and_the_table_only_its_hmac(testapp, dbsession):
    user = make_user(dbsession, Role.reader, username="keyed")
    testapp.get("/login")
    before = testapp.cookies[COOKIE_NAME]
    testapp.login("keyed")
    after = testapp.cookies[COOKIE_NAME]
    assert after != before  # a new session at log-in: no fixation
    row = dbsession.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    assert after not in row.key_hash and len(row.key_hash) == 64


def test_an_admin_password_reset_ends_the_users_sessions_and_tokens(testapp, dbsession, app):
    import webtest

    user = make_user(dbsession, Role.assessor, username="victim")
    admin = make_user(dbsession, Role.admin, username="boss")
    testapp.login("victim")
    cookie, csrf = _captured(testapp)
    token = testapp.post_json("/api/tokens", {}, headers={"X-CSRF-Token": csrf}).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    testapp.get("/api/assignments", headers=bearer)
    other = webtest.TestApp(app, extra_environ=testapp.extra_environ)
    other.set_cookie(COOKIE_NAME, "x")  # a second browser: the admin's
    other.cookies.clear()
    csrf_login = _csrf(other, "/login")
    other.post(
        "/login",
        {"username": admin.username, "password": "password123", "csrf_token": csrf_login},
        status=303,
    )
    admin_csrf = _csrf(other, f"/admin/users/{user.id}")
    other.post(
        f"/admin/users/{user.id}",
        {"reset": "1", "password": "a-new-password", "csrf_token": admin_csrf},
        status=303,
    )
    _replay(testapp, cookie)
    testapp.get("/", status=303)
    testapp.get("/api/assignments", headers=bearer, status=403)
    row = dbsession.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.revoked and row.revoked_at is not None


def _csrf(app, path):
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', app.get(path).text).group(1)


def test_changing_ones_password_ends_other_sessions_but_keeps_this_one(testapp, dbsession, app):
    import webtest

    make_user(dbsession, Role.supervisor, username="changer")
    phone = webtest.TestApp(app, extra_environ=testapp.extra_environ)
    phone.post(
        "/login",
        {"username": "changer", "password": "password123", "csrf_token": _csrf(phone, "/login")},
        status=303,
    )
    testapp.login("changer")
    old_cookie = testapp.cookies[COOKIE_NAME]
    data = {
        "display_name": "Changer",
        "language": "zh",
        "current_password": "password123",
        "new_password": "another-password",
        "csrf_token": testapp.get_csrf_token("/account"),
    }
    testapp.post("/account", data, status=303)
    assert testapp.cookies[COOKIE_NAME] != old_cookie
    testapp.get("/account", status=200)  # this device goes on
    phone.get("/account", status=303)  # the other is logged out
    _replay(testapp, old_cookie)
    testapp.get("/account", status=303)


def test_deactivation_ends_sessions_and_revokes_tokens(dbsession):
    from assessment.core.services import UserService
    from assessment.core.tokens import issue_token

    user = make_user(dbsession, Role.assessor)
    dbsession.add(UserSession(key_hash="a" * 64, user_id=user.id, data_json="{}"))
    _, token = issue_token(dbsession, user)
    UserService(dbsession).update(
        user, role=user.role, team=user.team, active=False, display_name=user.display_name
    )
    dbsession.flush()
    assert dbsession.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None
    dbsession.refresh(token)
    assert token.revoked


def test_idle_and_absolute_lifetimes_end_a_session(testapp, dbsession, app):
    user = make_user(dbsession, Role.reader, username="sleepy")
    settings = app.registry.app_settings
    testapp.login("sleepy")
    row = dbsession.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    row.last_seen_at = utcnow() - dt.timedelta(minutes=settings.session_idle_minutes + 1)
    dbsession.flush()
    testapp.get("/", status=303)
    testapp.login("sleepy")
    row = dbsession.scalars(select(UserSession).where(UserSession.user_id == user.id)).one()
    testapp.get("/", status=200)
    row.created_at = utcnow() - dt.timedelta(hours=settings.session_absolute_hours, minutes=1)
    dbsession.flush()
    testapp.get("/", status=303)


def test_tokens_are_listed_and_revoked_by_their_holder_only(testapp, dbsession):
    owner = make_user(dbsession, Role.assessor, username="holder")
    stranger = make_user(dbsession, Role.assessor, username="stranger")
    testapp.login("holder")
    page = testapp.post_form("/account/tokens", {"name": "平板一号"}, token_from="/account")
    token = page.html.select_one("code.token").text
    listing = testapp.get("/account")
    assert "平板一号" in listing.text and token not in listing.text
    row = dbsession.scalars(select(ApiToken).where(ApiToken.user_id == owner.id)).one()
    testapp.get("/api/assignments", headers={"Authorization": f"Bearer {token}"})
    theirs = ApiToken(
        user_id=stranger.id, token_hash="b" * 64, expires_at=utcnow() + dt.timedelta(days=1)
    )
    dbsession.add(theirs)
    dbsession.flush()
    testapp.post_form(f"/account/tokens/{theirs.id}/revoke", {}, token_from="/account", status=404)
    testapp.post_form(f"/account/tokens/{row.id}/revoke", {}, token_from="/account", status=303)
    testapp.get("/api/assignments", headers={"Authorization": f"Bearer {token}"}, status=403)
    dbsession.refresh(theirs)
    assert not theirs.revoked


def test_an_admin_lists_and_revokes_everyones_tokens(testapp, dbsession):
    from assessment.core.tokens import issue_token

    holder = make_user(dbsession, Role.assessor, username="tabletuser")
    token, row = issue_token(dbsession, holder, name="field tablet")
    make_user(dbsession, Role.admin, username="root2")
    testapp.login("root2")
    page = testapp.get("/admin/tokens")
    assert "tabletuser" in page.text and "field tablet" in page.text
    testapp.post_form(f"/admin/tokens/{row.id}/revoke", {}, token_from="/admin/tokens", status=303)
    testapp.get("/api/assignments", headers={"Authorization": f"Bearer {token}"}, status=403)


def test_an_expired_token_opens_nothing(testapp, dbsession):
    from assessment.core.tokens import issue_token

    holder = make_user(dbsession, Role.assessor)
    token, row = issue_token(dbsession, holder, lifetime_days=1)
    bearer = {"Authorization": f"Bearer {token}"}
    testapp.get("/api/assignments", headers=bearer, status=200)
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    dbsession.flush()
    testapp.get("/api/assignments", headers=bearer, status=403)
    assert dbsession.get(User, holder.id).active
