"""Request guards at the WSGI level, before anything parses, spools or stores the input.

- Every request body is capped at ``request.max_body_bytes`` (a questionnaire with its
  photo is far below it); the frame upload alone may reach ``upload.max_bytes``. A larger
  body is answered 413 without being read, so a 50 MB field never reaches a form, a draft
  or the audit.
- The temporary files WebOb spools a large body and its uploaded files into are closed after
  the response.
- A posted form field holding a NUL character is answered 400 as well (a tween, over the
  transaction: nothing has touched the database yet).
- A path or query string that is not UTF-8 once percent-decoded, or that holds a NUL
  character (which PostgreSQL text cannot store), is answered 400: no view, locale
  negotiator or error page has to cope with it.
"""

from __future__ import annotations

import io
from urllib.parse import unquote_to_bytes

# Paths whose POST carries a whole sampling frame (the frame upload form).
LARGE_UPLOAD_PATHS = frozenset({"/sampling/frames"})
TOO_LARGE = "请求内容过大。 / The request body is too large."
BAD_TEXT = "请求含有无效字符。 / The request holds invalid characters."


def _bad_text(data: bytes) -> bool:
    if b"\x00" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


class InputGuard:
    """WSGI middleware: 413 for bodies over the limit, 400 for undecodable addresses."""

    def __init__(self, app, limit: int, *, large_limit: int):
        self.app = app
        self.limit = limit
        self.large_limit = max(large_limit, limit)

    def __getattr__(self, name):
        return getattr(self.app, name)  # e.g. ``registry`` of the Pyramid router

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        if _bad_text(path.encode("latin-1", "replace")) or _bad_text(
            unquote_to_bytes(query.replace("+", " "))
        ):
            return _refuse(environ, start_response, "400 Bad Request", "bad_request", BAD_TEXT)
        limit = self.large_limit if path in LARGE_UPLOAD_PATHS else self.limit
        length = environ.get("CONTENT_LENGTH") or ""
        if length:
            if not length.isascii() or not length.isdigit():
                return _refuse(environ, start_response, "400 Bad Request", "bad_request", BAD_TEXT)
            if int(length) > limit:
                return _refuse(environ, start_response, "413 Content Too Large", "too_large")
        elif environ.get("wsgi.input_terminated"):
            # A body of unknown length (chunked): read at most the limit, then decide.
            body = environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return _refuse(environ, start_response, "413 Content Too Large", "too_large")
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        try:
            return self.app(environ, start_response)
        finally:
            _close_spooled_body(environ)


def _close_spooled_body(environ) -> None:
    """WebOb copies a body over 10 KB into a temporary file (pyramid_retry asks for a seekable
    body), and the multipart parser each uploaded file into another; it closes neither, so
    their disk space stays taken until the garbage collector finds the request's reference
    cycles. Close them here, for every route (the app's iterable never reads the request)."""
    streams = [environ.get("wsgi.input")]
    parsed = environ.get("webob._parsed_post_vars")
    if parsed and hasattr(parsed[0], "values"):
        streams += [getattr(value, "file", None) for value in parsed[0].values()]
    for stream in streams:
        if isinstance(stream, io.BufferedRandom | io.BufferedWriter) and not stream.closed:
            stream.close()


def _refuse(environ, start_response, status: str, code: str, message: str = TOO_LARGE):
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body = f'{{"error": "{code}", "message": "{message}"}}'.encode()
        content_type = "application/json"
    else:
        body, content_type = message.encode(), "text/plain; charset=utf-8"
    start_response(
        status,
        [
            ("Content-Type", content_type),
            # No "Connection: close": PEP 3333 forbids hop-by-hop headers (waitress answers a
            # 500 instead); the server reads or discards the unread body itself.
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]


def form_guard_tween_factory(handler, registry):
    """Refuse posted form fields (names or text values) that hold a NUL character."""

    def tween(request):
        if request.method == "POST" and request.content_type in FORM_TYPES:
            for name, value in request.POST.items():
                if "\x00" in name or (isinstance(value, str) and "\x00" in value):
                    return _refused_response(request)
        return handler(request)

    return tween


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _refused_response(request):
    from pyramid.response import Response

    body = BAD_TEXT
    if request.path.startswith("/api/"):
        return Response(json_body={"error": "bad_request", "message": body}, status=400)
    return Response(body, status=400, content_type="text/plain", charset="utf-8")
