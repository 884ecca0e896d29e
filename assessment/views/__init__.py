"""Web views of the application shell: log-in, home, account, admin, teams, errors."""

from assessment.i18n import translate


def flash(request, msgid: str, queue: str = "success", **mapping) -> None:
    """Queue a message for the next page, already in the user's language."""
    request.session.flash(translate(msgid, request.locale_name, **mapping), queue)


def render_problem(request, message) -> str:
    """A :class:`~assessment.i18n.Message` in the user's language."""
    return message.render(request.locale_name)
