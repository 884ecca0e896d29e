"""Only trusted Host names; browser hardening headers on every response.

Two tweens, outermost (before the transaction, so a refused request never touches the
database):

- an unknown ``Host`` (after waitress applied a trusted proxy's ``X-Forwarded-Host``) is
  answered 400, so no redirect, form action or link is ever built from a name an attacker
  chose (``request.route_url`` uses the request's host);
- every response gets a Content-Security-Policy without inline script or style
  attributes, ``X-Frame-Options: DENY`` (and ``frame-ancestors 'none'``),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, in production
  ``Strict-Transport-Security``, and every page that is not a static asset
  ``Cache-Control: no-store`` - pages show households, and a shared tablet's back button
  or disk cache must not show them to the next person. The service worker script
  (``/sw.js``, an asset served from the root) keeps the caching its view sets.
"""

from __future__ import annotations

from pyramid.response import Response

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
STATIC_PREFIX = "/static/"
ROOT_ASSETS = frozenset({"/sw.js"})  # assets outside /static/: they set their own caching


def host_name(host: str) -> str:
    """``Host`` without its port, lower case (``[::1]:8080`` gives ``[::1]``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.split(":", 1)[0]


def trusted_host_tween_factory(handler, registry):
    trusted = frozenset(registry.app_settings.trusted_hosts)

    def tween(request):
        if host_name(request.host or "") not in trusted:
            return Response("Unknown host.\n", status=400, content_type="text/plain")
        return handler(request)

    return tween


def security_headers_tween_factory(handler, registry):
    settings = registry.app_settings
    fixed = {
        "Content-Security-Policy": CSP,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if settings.production:
        fixed["Strict-Transport-Security"] = f"max-age={settings.hsts_seconds}; includeSubDomains"

    def tween(request):
        response = handler(request)
        headers = response.headers
        for name, value in fixed.items():
            headers.setdefault(name, value)
        if not request.path.startswith(STATIC_PREFIX) and request.path not in ROOT_ASSETS:
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response

    return tween


def includeme(config) -> None:
    # Outermost first: the host check answers before anything else runs.
    config.add_tween("assessment.hardening.security_headers_tween_factory", under="INGRESS")
    config.add_tween(
        "assessment.hardening.trusted_host_tween_factory",
        under="assessment.hardening.security_headers_tween_factory",
    )
