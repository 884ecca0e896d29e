"""Log in, log out, CSRF, wrong passwords and the throttle."""

import datetime as dt

from sqlalchemy import func, select

from assessment.core.models import LoginFailure, Role
from tests.factories import make_user


def test_login_page_is_chinese_by_default(testapp):
    page = testapp.get("/login")
    assert "登录" in page.text
    assert 'lang="zh-CN"' in page.text


def test_anonymous_visitor_is_sent_to_log_in(testapp):
    response = testapp.get("/", status=303)
    assert "/login?next=%2F" in response.location


def test_login_and_logout(testapp, dbsession):
    user = make_user(dbsession, Role.coordinator, username="zhang")
    response = testapp.login("zhang")
    assert response.location.endswith("/")
    home = testapp.get("/")
    assert user.display_name in home.text
    token = testapp.get_csrf_token("/")
    testapp.post("/logout", {"csrf_token": token}, status=303)
    testapp.get("/", status=303)


def test_login_returns_to_the_page_asked_for_but_never_off_site(testapp, dbsession):
    make_user(dbsession, Role.admin, username="root1")
    token = testapp.get_csrf_token("/login")
    data = {"username": "root1", "password": "password123", "csrf_token": token}
    ok = testapp.post("/login?next=/admin/users", data, status=303)
    assert ok.location.endswith("/admin/users")
    testapp.reset()
    token = testapp.get_csrf_token("/login")
    data["csrf_token"] = token
    off = testapp.post("/login?next=//evil.example/x", data, status=303)
    assert "evil.example" not in off.location


def test_wrong_password_is_refused_and_recorded(testapp, dbsession):
    make_user(dbsession, Role.assessor, username="li")
    page = testapp.login("li", "not-the-password", status=400)
    assert "用户名或密码错误" in page.text
    testapp.get("/", status=303)
    count = dbsession.scalar(select(func.count()).where(LoginFailure.username == "li"))
    assert count == 1


def test_post_without_csrf_token_is_rejected(testapp, dbsession):
    make_user(dbsession, Role.assessor, username="wang")
    testapp.post("/login", {"username": "wang", "password": "password123"}, status=400)
    testapp.get("/", status=303)  # not logged in


def test_logout_without_csrf_token_is_rejected(testapp, dbsession):
    make_user(dbsession, Role.reader, username="reader9")
    testapp.login("reader9")
    testapp.post("/logout", {}, status=400)
    testapp.get("/", status=200)  # still logged in


def test_account_is_locked_after_five_failures_even_with_the_right_password(testapp, dbsession):
    make_user(dbsession, Role.assessor, username="zhao")
    for _ in range(5):
        testapp.login("zhao", "wrong-password", status=400)
    page = testapp.login("zhao", "password123", status=400)
    assert "登录失败次数过多" in page.text


def test_throttle_counts_per_address_across_accounts(testapp, dbsession):
    for i in range(20):
        dbsession.add(LoginFailure(username=f"guess{i}", address="10.0.0.1"))
    make_user(dbsession, Role.assessor, username="qian")
    page = testapp.login("qian", "password123", status=400)
    assert "登录失败次数过多" in page.text


def test_old_failures_outside_the_window_do_not_count(testapp, dbsession):
    make_user(dbsession, Role.assessor, username="sun")
    old = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=2)
    for _ in range(10):
        dbsession.add(LoginFailure(username="sun", address="10.9.9.9", at=old))
    testapp.login("sun")


def test_password_is_stored_as_argon2_hash(dbsession):
    from assessment.core.services import UserService

    user = UserService(dbsession).create("hashme", "s3cret-password", Role.reader)
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret-password" not in user.password_hash
