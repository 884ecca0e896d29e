"""Numbers for people: counts, yuan, durations and percentages in the reader's language (PURE).

One place decides how a figure is written, so the same figure reads the same on every page and
in every report: whole numbers never end in ".0", money and large counts carry thousands
separators, durations are minutes and seconds (分钟 / 秒), and percentages keep the precision
the caller asks for. Nothing here imports the web layer; the Jinja filters wrap these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DASH = "—"

# The unit words of each language; Chinese leaves a space between a figure and its unit
# as the interface's existing messages do ("{minutes} 分钟").
_UNITS = {
    "zh": {"yuan": "元", "minutes": "分钟", "seconds": "秒"},
    "en": {"yuan": "yuan", "minutes": "min", "seconds": "s"},
}
LIST_SEPARATORS = {"zh": "、", "en": ", "}


def _units(language: str | None) -> dict[str, str]:
    return _UNITS.get(language or "zh", _UNITS["zh"])


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def format_number(value, digits: int = 0, *, grouping: bool = True) -> str:
    """``value`` with ``digits`` decimals (none for a whole number), thousands separated.

    ``3218.0`` -> ``"3,218"``, ``2.5`` with ``digits=1`` -> ``"2.5"``, ``None``/NaN -> "—".
    """
    if _missing(value):
        return DASH
    value = float(value)
    if digits <= 0 or value.is_integer():
        text = f"{round(value):,}" if grouping else str(round(value))
        return "0" if text == "-0" else text
    return f"{value:,.{digits}f}" if grouping else f"{value:.{digits}f}"


def plain_number(value):
    """A message placeholder's value without a float artefact: ``20.0`` -> ``20``.

    Other values (text, non-whole floats, ints) are returned unchanged.
    """
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def format_yuan(value, language: str | None = "zh") -> str:
    """A yuan amount, whole yuan with thousands separators: ``3218.0`` -> ``"3,218 元"``."""
    if _missing(value):
        return DASH
    return f"{format_number(value)} {_units(language)['yuan']}"


def format_duration(seconds, language: str | None = "zh") -> str:
    """A duration as minutes and seconds: ``80`` -> ``"1 分钟 20 秒"`` / ``"1 min 20 s"``.

    Under a minute gives seconds only, whole minutes give minutes only; ``None`` gives "—".
    """
    if _missing(seconds):
        return DASH
    total = max(0, round(float(seconds)))
    minutes, rest = divmod(total, 60)
    units = _units(language)
    parts = []
    if minutes:
        parts.append(f"{minutes:,} {units['minutes']}")
    if rest or not minutes:
        parts.append(f"{rest} {units['seconds']}")
    return " ".join(parts)


def format_percent(value, digits: int = 2) -> str:
    """A proportion (0-1) as a percentage with ``digits`` decimals; "—" when missing."""
    if _missing(value):
        return DASH
    return f"{float(value) * 100:.{digits}f}%"


def join_list(items, language: str | None = "zh") -> str:
    """Items joined as a list is written in ``language`` (、 in Chinese, ", " in English)."""
    return LIST_SEPARATORS.get(language or "zh", "、").join(str(i) for i in items)


@dataclass(frozen=True)
class Duration:
    """A duration placed in a :class:`assessment.core.i18n.Message`, written in its language."""

    seconds: float

    def render(self, language: str | None = None) -> str:
        return format_duration(self.seconds, language)


@dataclass(frozen=True)
class Yuan:
    """A yuan amount placed in a :class:`assessment.core.i18n.Message`."""

    amount: float

    def render(self, language: str | None = None) -> str:
        return format_yuan(self.amount, language)
