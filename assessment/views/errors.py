"""Friendly 400 and 403 (a form sent from a stale page), 403, 404 and 500 pages in the user's
language."""

import logging
from urllib.parse import urlsplit, urlunsplit

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPException, HTTPSeeOther
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config

log = logging.getLogger(__name__)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


@notfound_view_config(renderer="errors/404.jinja2")
def not_found(request):
    """Nothing at this address."""
    request.response.status = 404
    if _wants_json(request):
        request.override_renderer = "json"
        return {"error": "not_found"}
    return {}


@forbidden_view_config(renderer="errors/403.jinja2")
def forbidden(request):
    """Anonymous users go to log in (told their session ended, when they sent a form); others
    are told they may not see this."""
    if request.user is None and not _wants_json(request) and request.method == "GET":
        return HTTPSeeOther(request.route_url("auth.login", _query={"next": request.path_qs}))
    request.response.status = 403
    if _wants_json(request):
        request.override_renderer = "json"
        return {"error": "forbidden"}
    if request.user is None:
        # A form sent after the session ended (idle, or logged out in another tab) is checked
        # for permission before its token: "your role does not give access" would mislead.
        request.override_renderer = "errors/stale_form.jinja2"
        return {"ended": True, "again": _page_of_the_form(request)}
    return {}


@exception_view_config(BadCSRFToken, renderer="errors/stale_form.jinja2")
@exception_view_config(BadCSRFOrigin, renderer="errors/stale_form.jinja2")
def bad_csrf(exc, request):
    """A form sent with a stale token (the page was open past the session, or the user logged
    out in another tab): say so in the user's language and offer the page again, instead of
    WebOb's English 400 page."""
    request.response.status = 400
    if _wants_json(request):
        request.override_renderer = "json"
        return {"error": "bad_csrf"}
    return {"ended": False, "again": _page_of_the_form(request)}


def _page_of_the_form(request) -> str | None:
    """The page the form was sent from (the Referer, this site's only; None without one): the
    address posted to may take no GET (log-out, bulk approval)."""
    sent_from = urlsplit(request.referer or "")
    path = sent_from.path
    same_site = f"{sent_from.scheme}://{sent_from.netloc}" == request.host_url
    if same_site and path.startswith("/") and path[1:2] not in ("/", "\\"):
        return urlunsplit(("", "", path, sent_from.query, ""))
    return None


@exception_view_config(Exception, renderer="errors/500.jinja2")
def server_error(exc, request):
    """Log the failure; show a calm page without internals."""
    log.exception("unhandled error on %s", request.path, exc_info=exc)
    request.response.status = 500
    return {}


@exception_view_config(HTTPException)
def http_exception(exc, request):
    """Other HTTP answers (405, ...) pass through as they are."""
    return exc
