"""Validate an interview's answers against its instrument version (PURE).

This is the single authority used by the forms, the JSON API and the submission service, so
they all give the same answers. Every problem is listed at once, each with the path of the
field (``"roster.2.age"``: group, 0-based row, question) and a translatable message.

Skip logic: answers to questions that are not relevant are **cleared, not rejected**. They
produce no problem; :attr:`Validation.answers` is the answer dict without them, and that is
what a submission stores (a draft may keep them, so that toggling an answer back restores
what was typed).

Two modes: ``for_submission=False`` (saving a draft) reports malformed answers, out-of-range
values and failed cross-field checks; ``for_submission=True`` also reports missing required
answers (including the reason demanded for every "not met") and too few roster rows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from assessment.core.i18n import DEFAULT_LANGUAGE, N_, Message
from surveys.instruments.evaluation import Evaluation, evaluate, run_checks
from surveys.instruments.model import Group, Instrument, Question

MSG_UNKNOWN = N_("This is not a question of the questionnaire.")
MSG_REQUIRED = N_("This question needs an answer.")
MSG_INTEGER = N_("Enter a whole number.")
MSG_NUMBER = N_("Enter a number.")
MSG_TEXT = N_("Enter text.")
MSG_YES_NO = N_("Answer yes or no.")
MSG_DATE = N_("Enter a date as YYYY-MM-DD.")
MSG_CHOICE = N_("“{value}” is not one of the choices.")
MSG_MIN = N_("Must be at least {min}.")
MSG_MAX = N_("Must be at most {max}.")
MSG_LENGTH = N_("Use at most {max} characters.")
MSG_ROWS_TYPE = N_("Expected a list of rows.")
MSG_ROW_TYPE = N_("Expected a row of answers.")
MSG_MIN_ROWS = N_("At least {min} rows are needed.")
MSG_MAX_ROWS = N_("At most {max} rows are allowed.")

KINDS = ("unknown", "type", "choice", "range", "rows", "required", "check")


@dataclass(frozen=True)
class TextMessage(Message):
    """A message written in both languages in the definition (a check's message).

    ``msgid`` holds the English text and ``zh`` the Chinese; it renders like :class:`Message`.
    """

    zh: str = ""

    def render(self, language: str | None = None) -> str:
        """The message in ``language`` (default Chinese)."""
        text = self.msgid if (language or DEFAULT_LANGUAGE) == "en" else self.zh
        return text.format(**self.mapping) if self.mapping else text

    def __str__(self) -> str:
        return self.render("en")


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field.

    Attributes
    ----------
    field_path : str
        ``"name"`` or ``"group.row.name"`` (row 0-based), or a group name for row-count
        problems.
    message : Message
        Render with ``message.render(language)``.
    kind : str
        One of :data:`KINDS`; a check's problem also names the check in ``check_id``.
    """

    field_path: str
    message: Message
    kind: str
    check_id: str | None = None


@dataclass(frozen=True)
class Validation:
    """The outcome of :func:`check_answers`."""

    answers: Mapping[str, Any]
    problems: tuple[FieldProblem, ...]
    evaluation: Evaluation

    @property
    def ok(self) -> bool:
        """True when there is no problem."""
        return not self.problems


def validate(
    instrument: Instrument,
    answers: Mapping[str, Any],
    *,
    for_submission: bool = True,
    context: Mapping[str, Any] | None = None,
) -> list[FieldProblem]:
    """Every problem of ``answers`` at once (see :func:`check_answers`)."""
    return list(
        check_answers(instrument, answers, for_submission=for_submission, context=context).problems
    )


def check_answers(
    instrument: Instrument,
    answers: Mapping[str, Any],
    *,
    for_submission: bool = True,
    context: Mapping[str, Any] | None = None,
) -> Validation:
    """Validate ``answers`` and evaluate skip logic and computed values.

    Parameters
    ----------
    instrument : Instrument
        The version the interview is bound to.
    answers : mapping
        The JSON answers: question name -> value; a group is a list of row objects.
    for_submission : bool
        True to also require answers (see the module docstring).
    context : mapping, optional
        Values of the instrument's context names, e.g. ``{"status": "exited"}``.

    Returns
    -------
    Validation
        The problems, the answers with irrelevant ones removed, and the evaluation.
    """
    if not isinstance(answers, Mapping):
        raise ValueError(f"answers: expected a mapping, got {type(answers).__name__}")
    _check_context(instrument, context or {})
    typed, problems = coerce_answers(instrument, answers)
    result = evaluate(instrument, typed, context)
    problems = [p for p in problems if result.relevant.get(p.field_path, True)]
    if for_submission:
        problems += _required(instrument, result, {p.field_path for p in problems})
    for path, check, mapping in run_checks(instrument, result):
        message = TextMessage(check.message.en, _printable(mapping), zh=check.message.zh)
        problems.append(FieldProblem(path, message, "check", check.id))
    order = _path_order(instrument)
    problems.sort(key=lambda p: (*_sort_key(p.field_path, order), KINDS.index(p.kind)))
    return Validation(_without(answers, result.cleared), tuple(problems), result)


def _check_context(instrument: Instrument, context: Mapping[str, Any]) -> None:
    known = {c.name: c.choices for c in instrument.context}
    for name, value in context.items():
        if name not in known or (value is not None and value not in known[name]):
            raise ValueError(f"context: {name}={value!r} is not declared by {instrument.key}")


def coerce_answers(
    instrument: Instrument, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Typed answers (``None`` where unanswered or malformed) and the malformed ones."""
    problems: list[FieldProblem] = []
    fields = instrument.fields
    typed: dict[str, Any] = {}
    for name, raw in answers.items():
        item = fields.get(name)
        if item is None:
            problems.append(FieldProblem(name, Message(MSG_UNKNOWN), "unknown"))
        elif isinstance(item, Group):
            typed[name] = _coerce_group(item, raw, problems)
        else:
            typed[name] = _coerce(item, raw, name, problems)
    return typed, problems


def _coerce_group(group: Group, raw: Any, problems: list[FieldProblem]) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(FieldProblem(group.name, Message(MSG_ROWS_TYPE), "type"))
        return []
    if len(raw) > group.max_rows:
        problems.append(
            FieldProblem(group.name, Message(MSG_MAX_ROWS, {"max": group.max_rows}), "rows")
        )
    questions = {q.name: q for q in group.questions}
    rows = []
    for i, row in enumerate(raw):
        if not isinstance(row, Mapping):
            problems.append(FieldProblem(f"{group.name}.{i}", Message(MSG_ROW_TYPE), "type"))
            rows.append({})
            continue
        typed_row = {}
        for name, value in row.items():
            path = f"{group.name}.{i}.{name}"
            if name not in questions:
                problems.append(FieldProblem(path, Message(MSG_UNKNOWN), "unknown"))
            else:
                typed_row[name] = _coerce(questions[name], value, path, problems)
        rows.append(typed_row)
    return rows


def _coerce(question: Question, raw: Any, path: str, problems: list[FieldProblem]) -> Any:
    if raw is None or raw == "" or raw == []:
        return None
    value, problem = _typed(question, raw)
    if problem is None:
        problem = _out_of_range(question, value)
    if problem is not None:
        kind = "choice" if problem.msgid == MSG_CHOICE else "type"
        kind = "range" if problem.msgid in (MSG_MIN, MSG_MAX, MSG_LENGTH) else kind
        problems.append(FieldProblem(path, problem, kind))
        return None
    return value


def _typed(question: Question, raw: Any) -> tuple[Any, Message | None]:
    kind, is_number = question.type, isinstance(raw, int | float) and not isinstance(raw, bool)
    if kind == "integer":
        if is_number and math.isfinite(raw) and float(raw).is_integer():
            return int(raw), None
        return None, Message(MSG_INTEGER)
    if kind == "decimal":
        return (raw, None) if is_number and math.isfinite(raw) else (None, Message(MSG_NUMBER))
    if kind == "yes_no":
        return (raw, None) if isinstance(raw, bool) else (None, Message(MSG_YES_NO))
    if kind == "text":
        return (raw, None) if isinstance(raw, str) else (None, Message(MSG_TEXT))
    if kind == "date":
        return (raw, None) if _is_iso_date(raw) else (None, Message(MSG_DATE))
    if kind == "single_choice":
        if isinstance(raw, str) and raw in question.codes:
            return raw, None
        return None, Message(MSG_CHOICE, {"value": str(raw)})
    if not isinstance(raw, list):
        return None, Message(MSG_CHOICE, {"value": str(raw)})
    codes = raw
    bad = [c for c in codes if not isinstance(c, str) or c not in question.codes]
    if bad or len(set(codes)) != len(codes):
        return None, Message(MSG_CHOICE, {"value": str(bad[0] if bad else codes)})
    return list(codes), None


def _is_iso_date(raw: Any) -> bool:
    if not isinstance(raw, str) or len(raw) != 10:
        return False
    try:
        date.fromisoformat(raw)
    except ValueError:
        return False
    return True


def _out_of_range(question: Question, value: Any) -> Message | None:
    if question.type == "text" and question.max_length and len(value) > question.max_length:
        return Message(MSG_LENGTH, {"max": question.max_length})
    if question.min is not None and value < question.min:
        return Message(MSG_MIN, {"min": question.min})
    if question.max is not None and value > question.max:
        return Message(MSG_MAX, {"max": question.max})
    return None


def _required(instrument: Instrument, result: Evaluation, flagged: set[str]) -> list[FieldProblem]:
    # A malformed answer already has its own problem: no "needs an answer" on top of it.
    problems = []
    for item in instrument.items:
        if isinstance(item, Group):
            if len(result.rows[item.name]) < item.min_rows:
                message = Message(MSG_MIN_ROWS, {"min": item.min_rows})
                problems.append(FieldProblem(item.name, message, "rows"))
            paths = [
                (f"{item.name}.{i}.{q.name}", row[q.name])
                for i, row in enumerate(result.rows[item.name])
                for q in item.questions
                if q.required
            ]
        else:
            paths = [(item.name, result.values[item.name])] if item.required else []
        for path, value in paths:
            if value is None and result.relevant[path] and path not in flagged:
                problems.append(FieldProblem(path, Message(MSG_REQUIRED), "required"))
    return problems


def _printable(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in mapping.items()}


def _without(answers: Mapping[str, Any], cleared: tuple[str, ...]) -> dict[str, Any]:
    """A copy of ``answers`` without the cleared paths (the caller's dict is not touched)."""
    out = {
        k: [dict(r) if isinstance(r, Mapping) else r for r in v] if isinstance(v, list) else v
        for k, v in answers.items()
    }
    for path in cleared:
        parts = path.split(".")
        if len(parts) == 1:
            out.pop(path, None)
        else:
            out[parts[0]][int(parts[1])].pop(parts[2], None)
    return out


def _path_order(instrument: Instrument) -> dict[str, int]:
    order: dict[str, int] = {}
    for item in instrument.items:
        order[item.name] = len(order)
        if isinstance(item, Group):
            for q in item.questions:
                order[f"{item.name}.{q.name}"] = len(order)
    return order


def _sort_key(path: str, order: dict[str, int]) -> tuple[int, int, int]:
    parts = path.split(".")
    top = order.get(parts[0], len(order))
    if len(parts) < 3:
        return (top, int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else -1, -1)
    row = int(parts[1]) if parts[1].isdigit() else -1
    return (top, row, order.get(f"{parts[0]}.{parts[2]}", len(order)))
