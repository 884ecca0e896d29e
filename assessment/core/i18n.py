"""Translatable messages, shared by the pure cores and the web layer (no web imports).

User-facing text is written in English in the code and marked with :func:`N_` so that
Babel extracts it; the Chinese catalog (``assessment/locale/zh``) is the default language.
A :class:`Message` carries a msgid with its ``{placeholders}`` filled at display time, so a
pure core can report a problem without knowing who will read it or in which language.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from assessment.core.formatting import join_list, plain_number

LOCALE_DIR = Path(__file__).parents[1] / "locale"
DOMAIN = "assessment"
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction; it is translated when displayed."""
    return msgid


@cache
def _catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def translations_for(language: str | None) -> gettext.NullTranslations:
    """The catalog of ``language`` (the default language's when unknown)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    return _catalog(language)


def gettext_for(language: str | None):
    """Return the ``gettext`` function of ``language`` (English msgids pass through)."""
    return translations_for(language).gettext


def _placeholder(value: Any, language: str | None) -> Any:
    """A placeholder's value as written in ``language``.

    Anything with a ``render(language)`` method (a nested :class:`Message`, a duration) is
    rendered; a list or tuple of values is joined as a list of that language; a whole float
    loses its ".0" (``20.0`` minutes reads "20 分钟").
    """
    if hasattr(value, "render"):
        return value.render(language)
    if isinstance(value, list | tuple):
        return join_list((_placeholder(v, language) for v in value), language)
    return plain_number(value)


def translate(msgid: str, language: str | None = None, **mapping: Any) -> str:
    """Translate ``msgid`` into ``language`` and fill its ``{placeholders}``."""
    text = gettext_for(language)(msgid)
    if not mapping:
        return text
    return text.format(**{k: _placeholder(v, language) for k, v in mapping.items()})


@dataclass(frozen=True)
class Message:
    """A msgid and the values of its ``{placeholders}``, rendered in any language later."""

    msgid: str
    mapping: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mapping", MappingProxyType(dict(self.mapping)))

    def render(self, language: str | None = None) -> str:
        """The message in ``language`` (default Chinese)."""
        return translate(self.msgid, language, **self.mapping)

    def __str__(self) -> str:  # English, for logs and exceptions
        return translate(self.msgid, "en", **self.mapping)


@dataclass(frozen=True)
class Text:
    """A label in Chinese and English, both given (content such as a questionnaire's words,
    not a msgid of the catalogs)."""

    zh: str
    en: str

    def get(self, language: str | None = None) -> str:
        """The text in ``language`` (Chinese unless ``"en"``)."""
        return self.en if (language or DEFAULT_LANGUAGE) == "en" else self.zh
