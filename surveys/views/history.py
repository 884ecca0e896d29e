"""An interview's change history in words: question labels and answer texts, not paths and codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessment.formatting import plain_number
from assessment.i18n import N_, translate
from surveys.audit import changes_of, history
from surveys.instruments import Group
from surveys.labels import INTERVIEW_STATUS_LABELS, NO, OUTCOME_LABELS, YES
from surveys.views import display_value, problem_label

# Fields of the interview itself (not answers) and the names of their values.
_FIELD_LABELS = {"status": N_("Status"), "contact_outcome": N_("Contact outcome")}
_VALUE_LABELS = {"status": INTERVIEW_STATUS_LABELS, "contact_outcome": OUTCOME_LABELS}


@dataclass(frozen=True)
class ReadableChange:
    """One field change as the page shows it; ``path`` stays for the screen reader's title."""

    path: str
    label: str
    old: str
    new: str


def _value(path: str, value: Any, instruments, language: str) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if path in _VALUE_LABELS:
        return translate(_VALUE_LABELS[path].get(value, str(value)), language)
    part, _, rest = path.partition(".")
    try:
        question = instruments[part].question(rest)
    except KeyError:
        question = None
    if isinstance(question, Group) or (
        isinstance(value, list) and value and isinstance(value[0], dict)
    ):
        return translate(N_("{count} rows"), language, count=len(value))
    if question is not None:
        return display_value(question, value, language)
    if isinstance(value, bool):
        return translate(YES if value else NO, language)
    return str(plain_number(value))


def _label(path: str, instruments, language: str) -> str:
    if path in _FIELD_LABELS:
        return translate(_FIELD_LABELS[path], language)
    return problem_label(instruments, path, language)


def readable_history(dbsession, interview, instruments, language: str) -> list[tuple]:
    """(audit row, [ReadableChange]) for each row of the interview's history, oldest first."""
    return [
        (
            row,
            [
                ReadableChange(
                    c.path,
                    _label(c.path, instruments, language),
                    _value(c.path, c.old, instruments, language),
                    _value(c.path, c.new, instruments, language),
                )
                for c in changes_of(row)
            ],
        )
        for row in history(dbsession, interview)
    ]
