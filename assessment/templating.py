"""Jinja2 filters shared by every page (thin wrappers of :mod:`assessment.core.formatting`)."""

from jinja2 import pass_context

from assessment.core import formatting


def format_percent(value, digits: int = 2) -> str:
    """A proportion (0-1) as a percentage for display; blank when missing."""
    if value is None:
        return ""
    return formatting.format_percent(value, digits)


def format_number(value, digits: int = 0) -> str:
    """A count or amount: no ".0" on whole numbers, thousands separated, "—" when missing."""
    return formatting.format_number(value, digits)


@pass_context
def format_yuan(context, value) -> str:
    """A yuan amount in the page's language (``3,218 元``)."""
    return formatting.format_yuan(value, context.get("language"))


@pass_context
def format_duration(context, seconds) -> str:
    """Seconds as minutes and seconds in the page's language (``1 分钟 20 秒``)."""
    return formatting.format_duration(seconds, context.get("language"))
