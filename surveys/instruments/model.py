"""Instruments (questionnaires) as versioned, immutable data (PURE).

An instrument version is a JSON document (format in ``docs/instruments.md``) loaded once,
checked thoroughly, and frozen into the dataclasses below. An interview stores the
``(id, version, content_hash)`` it was started with; the same text always gives the same
:attr:`Instrument.content_hash`, and any edit means a new version.

:mod:`surveys.instruments.definition` checks a definition and freezes it into these classes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from assessment.core.i18n import Text
from surveys.instruments.expressions import Expression

KINDS = ("verification", "recognition")
QUESTION_TYPES = (
    "single_choice",
    "multiple_choice",
    "integer",
    "decimal",
    "text",
    "yes_no",
    "date",
)


class DefinitionError(ValueError):
    """A definition that cannot be used; ``problems`` lists every fault found."""

    def __init__(self, problems: list[str]):
        self.problems = tuple(problems)
        super().__init__("invalid instrument definition:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Choice:
    """One answer option: a stable ``code`` stored in the answers, and its label."""

    code: str
    label: Text


@dataclass(frozen=True)
class Question:
    """One question.

    ``min``/``max`` bound integer and decimal answers (inclusive) and date answers (ISO text);
    ``relevant`` is the skip logic: the question is asked only when it evaluates true.
    ``required`` applies only while the question is relevant.
    """

    name: str
    type: str
    label: Text
    required: bool = False
    relevant: Expression | None = None
    choices: tuple[Choice, ...] = ()
    min: float | str | None = None
    max: float | str | None = None
    max_length: int | None = None
    hint: Text | None = None
    unit: Text | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        """The choice codes, in order."""
        return tuple(c.code for c in self.choices)


@dataclass(frozen=True)
class Computed:
    """A value computed from the answers (shown, stored, never typed in)."""

    name: str
    expression: Expression
    label: Text


@dataclass(frozen=True)
class Check:
    """A cross-field check: ``expression`` must not be false; else ``message`` on ``field``."""

    id: str
    expression: Expression
    field: str
    message: Text


@dataclass(frozen=True)
class Group:
    """A repeating group (the household roster): each row answers ``questions``."""

    name: str
    label: Text
    questions: tuple[Question, ...]
    min_rows: int = 0
    max_rows: int = 30
    computed: tuple[Computed, ...] = ()
    checks: tuple[Check, ...] = ()
    type: str = "group"

    @property
    def members(self) -> Mapping[str, Question | Computed]:
        """Questions and computed values of a row, by name."""
        return {m.name: m for m in (*self.questions, *self.computed)}


@dataclass(frozen=True)
class Section:
    """A page of the questionnaire."""

    id: str
    title: Text
    items: tuple[Question | Group, ...]


@dataclass(frozen=True)
class ContextValue:
    """A value supplied by the platform, not the respondent (e.g. registration status)."""

    name: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class RecognitionRule:
    """When a household counts as recognising (认可户); see :func:`.verdicts.is_recognising`.

    Attributes
    ----------
    items : tuple of str
        The core questions (single choice on the recognition scale).
    not_recognised : tuple of str
        Codes that mean "not recognised" (e.g. "1", "2" on the five-point scale).
    ignored : tuple of str
        Codes that are no opinion (don't know, refused): neither for nor against.
    max_not_recognised : int
        A household with more core items "not recognised" than this is not recognising.
    min_substantive : int
        Fewer answered core items outside ``ignored`` than this leaves the rule undecided...
    when_undecided : bool
        ...and then this is the result.
    """

    items: tuple[str, ...]
    not_recognised: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    max_not_recognised: int = 0
    min_substantive: int = 1
    when_undecided: bool = False


@dataclass(frozen=True, eq=False)
class Instrument:
    """One immutable instrument version (equal and hashed by :attr:`content_hash`)."""

    id: str
    version: int
    kind: str
    title: Text
    sections: tuple[Section, ...]
    computed: tuple[Computed, ...] = ()
    checks: tuple[Check, ...] = ()
    context: tuple[ContextValue, ...] = ()
    recognition_rule: RecognitionRule | None = None
    canonical_json: str = field(default="", repr=False)
    content_hash: str = ""
    order: tuple[tuple[str | None, str], ...] = field(default=(), repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instrument):
            return NotImplemented
        return self.content_hash == other.content_hash

    def __hash__(self) -> int:
        return hash(self.content_hash)

    @property
    def key(self) -> str:
        """``"<id>-v<version>"``, as in the definition's file name."""
        return f"{self.id}-v{self.version}"

    @property
    def items(self) -> tuple[Question | Group, ...]:
        """Top-level questions and groups in document order."""
        return tuple(item for section in self.sections for item in section.items)

    @property
    def fields(self) -> Mapping[str, Question | Group]:
        """Top-level questions and groups by name."""
        return MappingProxyType({item.name: item for item in self.items})

    def question(self, path: str) -> Question | Group:
        """The question at ``path`` (``"age"``, ``"roster"``, ``"roster.2.age"``)."""
        parts = path.split(".")
        item = self.fields.get(parts[0])
        if item is None:
            raise KeyError(path)
        if len(parts) == 1:
            return item
        if not isinstance(item, Group) or len(parts) != 3:
            raise KeyError(path)
        for question in item.questions:
            if question.name == parts[2]:
                return question
        raise KeyError(path)


def canonical_json(data: Mapping[str, Any]) -> str:
    """The definition as canonical JSON text (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of :func:`canonical_json`; equal for equal content whatever the layout."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
