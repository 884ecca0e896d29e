"""The estimation core's errors and warnings, carrying a msgid so the reader's language is used.

:class:`EstimationError` is a :class:`ValueError` (callers that catch ``ValueError`` keep
working); its ``str()`` is the English text, ``error.message.render(language)`` the text in
any language of the catalogs. :class:`DesignWarning` carries a message the same way.
"""

from __future__ import annotations

from assessment.core.i18n import Message


class EstimationError(ValueError):
    """The data or the arguments cannot give an estimate; ``message`` says why."""

    def __init__(self, msgid: str, **mapping) -> None:
        self.message = Message(msgid, mapping)
        super().__init__(str(self.message))


class DesignWarning(UserWarning):
    """A design was accepted with an assumption the analyst should know about (as R warns)."""

    def __init__(self, msgid: str, **mapping) -> None:
        self.message = Message(msgid, mapping)
        super().__init__(str(self.message))
