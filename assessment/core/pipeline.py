"""Questions an earlier feature of the pipeline asks a later one, answered by the later one.

The features import only the features before them (sampling < surveys < appeals, backchecks <
reports; docs/architecture.md). Two questions go the other way: an appeal is closed once the
county's report is signed off (appeals asks reports), and a new plan's decision-based sample
size takes the design effect the reports estimated from the county's earlier fieldwork
(sampling asks reports). The base holds the question; the later feature answers it when its
module is imported (:mod:`reports.models`, :mod:`reports.county_estimates`), as it registers
its results refresher in :mod:`assessment.core.staleness`. A question nobody answered raises:
a missing answer never passes for "not signed" or "no earlier data".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

_signed_off: list[Callable[[Session, int], bool]] = []
_previous_deff: list[Callable[..., dict]] = []


def _answer(answers: list, question: str) -> Callable:
    if not answers:
        raise LookupError(f"nobody answers {question!r}: is the reports package imported?")
    return answers[0]


def answer_signed_off(check: Callable[[Session, int], bool]) -> None:
    """Have ``check(db, plan_id)`` tell whether a report of the plan is signed off."""
    _signed_off[:] = [check]


def report_signed_off(db: Session, plan_id: int) -> bool:
    """Whether a report of the plan ``plan_id`` is signed off."""
    return _answer(_signed_off, "report_signed_off")(db, plan_id)


def answer_previous_deff(estimate: Callable[..., dict]) -> None:
    """Have ``estimate(db, county, **options)`` give a county's design effect from earlier
    fieldwork (a dict: ``value``, ``source``, ``round``)."""
    _previous_deff[:] = [estimate]


def previous_deff(db: Session, county: Any, **options: Any) -> dict:
    """The design effect of the county's earlier fieldwork, as the reports estimate it."""
    return _answer(_previous_deff, "previous_deff")(db, county, **options)
