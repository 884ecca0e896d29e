"""Web views of the application shell: log-in, home, account, admin, teams, errors."""

from pyramid.response import FileIter, Response

from assessment.core.i18n import translate


def flash(request, msgid: str, queue: str = "success", **mapping) -> None:
    """Queue a message for the next page, already in the user's language."""
    request.session.flash(translate(msgid, request.locale_name, **mapping), queue)


def render_problem(request, message) -> str:
    """A :class:`~assessment.core.i18n.Message` in the user's language."""
    return message.render(request.locale_name)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_response(spool, content_type: str, name: str) -> Response:
    """Stream a spooled export from disk in chunks (constant memory, never truncated)."""
    size = spool.tell()
    spool.seek(0)
    response = Response(
        content_type=content_type,
        app_iter=FileIter(spool),
        content_disposition=f'attachment; filename="{name}"',
    )
    response.content_length = size
    return response
