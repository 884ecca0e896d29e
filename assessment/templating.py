"""Jinja2 filters shared by every page."""


def format_percent(value, digits: int = 2) -> str:
    """A proportion (0-1) as a percentage for display; blank when missing."""
    if value is None:
        return ""
    return f"{value * 100:.{digits}f}%"
