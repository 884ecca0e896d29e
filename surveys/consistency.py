"""Checks across the questionnaire's header and its roster (PURE).

The verification instrument asks for the household head twice: in the header (户主姓名,
户主性别) and as the roster row whose relation is 户主. Nothing in the definition's
expression language can compare a header answer with one roster row's text, so this check
lives here, for every instrument version that has these questions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessment.core.i18n import N_, Message
from surveys.instruments.model import Group, Instrument
from surveys.instruments.validation import FieldProblem

ROSTER = "roster"
MSG_HEAD_SEX = N_(
    "The head's sex differs from the sex of the head in the household roster ({name})."
)
MSG_HEAD_NAME = N_("The head's name differs from the head's name in the household roster ({name}).")


def _has(instrument: Instrument, names: tuple[str, ...], row: tuple[str, ...]) -> bool:
    items = {item.name: item for item in instrument.items}
    roster = items.get(ROSTER)
    if not isinstance(roster, Group) or not all(n in items for n in names):
        return False
    return all(n in roster.members for n in row)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def head_problems(instrument: Instrument, answers: Mapping[str, Any]) -> list[FieldProblem]:
    """The header's head of household against the roster's only 户主 row.

    Parameters
    ----------
    instrument : Instrument
        Checked only when it has ``head_name``, ``head_sex`` and a ``roster`` group with
        ``name``, ``relation`` and ``sex``.
    answers : mapping
        The verification answers (rows as dicts; unanswered values may be missing).

    Returns
    -------
    list of FieldProblem
        A ``check`` problem on ``head_sex`` and/or ``head_name`` when both sides are answered
        and differ. Several heads (or none) are the definition's own ``one_head`` check.
    """
    if not _has(instrument, ("head_name", "head_sex"), ("name", "relation", "sex")):
        return []
    rows = answers.get(ROSTER)
    heads = [
        r
        for r in (rows if isinstance(rows, list) else [])
        if isinstance(r, Mapping)
        if r.get("relation") == "head"
    ]
    if len(heads) != 1:
        return []
    head = heads[0]
    name = _text(head.get("name")) or "—"
    problems = []
    sex, roster_sex = answers.get("head_sex"), head.get("sex")
    if isinstance(sex, str) and isinstance(roster_sex, str) and sex and roster_sex != sex:
        message = Message(MSG_HEAD_SEX, {"name": name})
        problems.append(FieldProblem("head_sex", message, "check", "head_sex_in_roster"))
    header_name, roster_name = _text(answers.get("head_name")), _text(head.get("name"))
    if header_name and roster_name and header_name != roster_name:
        message = Message(MSG_HEAD_NAME, {"name": roster_name})
        problems.append(FieldProblem("head_name", message, "check", "head_name_in_roster"))
    return problems
