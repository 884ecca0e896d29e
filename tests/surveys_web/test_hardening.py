"""Security headers on every response, no inline script or style, trusted Host names only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assessment.core.models import Role
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p for p in ROOT.glob("*/templates/**/*.jinja2") if ".venv" not in p.parts)
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _assert_hardened(response):
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", [str(p.relative_to(ROOT)) for p in TEMPLATES])
def test_templates_carry_no_inline_script_or_style(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{path}: {found} (the CSP blocks them; use static/js/app.js)"


def test_every_kind_of_response_is_hardened(testapp, dbsession):
    make_user(dbsession, Role.coordinator, username="headers")
    _assert_hardened(testapp.get("/login"))
    _assert_hardened(testapp.get("/static/app.css"))
    _assert_hardened(testapp.get("/no/such/page", status=404))
    _assert_hardened(testapp.post("/login", {"username": "x"}, status=400))  # no CSRF token
    testapp.login("headers")
    _assert_hardened(testapp.get("/api/openapi.json"))


def test_pages_are_not_stored_but_static_assets_are_cached(testapp, dbsession, world):
    testapp.login(world.assessor.username)
    page = testapp.get(f"/surveys/households/{world.plan.first_selected().id}")
    assert page.headers["Cache-Control"] == "no-store"
    assert testapp.get("/api/assignments").headers["Cache-Control"] == "no-store"
    assert "no-store" not in testapp.get("/static/app.css").headers.get("Cache-Control", "")


def test_hsts_only_in_production(app_settings):
    import webtest

    from assessment import main

    production = main({}, **{**app_settings, "assess.production": "true"})
    page = webtest.TestApp(production, extra_environ={"HTTP_HOST": "localhost"}).get("/login")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    development = webtest.TestApp(
        main({}, **app_settings), extra_environ={"HTTP_HOST": "localhost"}
    )
    assert "Strict-Transport-Security" not in development.get("/login").headers


@pytest.mark.parametrize("host", ["evil.example", "example.com.evil.example", "", "[::2]:80"])
def test_an_unknown_host_is_refused_before_anything_is_built_from_it(testapp, host):
    response = testapp.get("/", headers={"Host": host}, status=400)
    assert "Location" not in response.headers
    assert "evil" not in response.text


def test_redirects_and_form_actions_use_the_trusted_host(testapp, dbsession):
    make_user(dbsession, Role.reader, username="hosted")
    assert testapp.get("/", status=303).location.startswith("http://example.com/login")
    page = testapp.get("/login", headers={"Host": "localhost:6543"})
    assert "evil" not in page.text
    testapp.get("/login", headers={"Host": "evil.example:6543"}, status=400)
