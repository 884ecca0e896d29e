"""The domain's error: a broken rule, carrying messages for the user in their language."""

from __future__ import annotations

from assessment.core.i18n import Message


class DomainError(Exception):
    """A rule of the domain was broken; carries a message for the user."""

    def __init__(self, message: Message, field: str | None = None, *, more=()):
        super().__init__(str(message))
        self.message = message
        self.field = field
        # Every problem found, as (message, field) pairs, so a form can list them all at once.
        self.problems: tuple[tuple[Message, str | None], ...] = ((message, field), *more)

    @classmethod
    def of(cls, problems) -> DomainError:
        """One error carrying several (message, field) problems; the first is the headline."""
        (message, field), *more = problems
        return cls(message, field, more=tuple(more))
