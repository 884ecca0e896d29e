"""An interview's change history in words: question labels and answer texts, not paths and codes."""

from __future__ import annotations

from surveys.audit import changes_of, history
from surveys.views import shown_changes


def readable_history(dbsession, interview, instruments, language: str) -> list[tuple]:
    """(audit row, [ShownChange]) for each row of the interview's history, oldest first."""
    return [
        (row, shown_changes(instruments, changes_of(row), language))
        for row in history(dbsession, interview)
    ]
