"""Evaluate skip logic, computed values and cross-field checks on typed answers (PURE).

The answers given here are already typed (see
:func:`surveys.instruments.validation.coerce_answers`): ``None`` for unanswered or ill-typed
values. Nodes are visited in the instrument's dependency order, so a ``relevant`` or computed
expression always sees final values. An answer to a question that is not relevant is *cleared*
(treated as unanswered) and its path reported in :attr:`Evaluation.cleared`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from surveys.instruments.model import Check, Computed, Group, Instrument, Question


@dataclass(frozen=True)
class Evaluation:
    """The answers as the instrument sees them.

    Attributes
    ----------
    values : mapping
        Top-level answers (irrelevant ones cleared to ``None``), computed values and context.
    rows : mapping of str to tuple of mapping
        Per group, the rows: answers (cleared likewise) and the row's computed values.
    relevant : mapping of str to bool
        For every question path (``"income_ok_reason"``, ``"roster.0.schooling"``), whether it
        is asked.
    cleared : tuple of str
        Paths that had an answer although the question was not relevant.
    """

    values: Mapping[str, Any]
    rows: Mapping[str, tuple[Mapping[str, Any], ...]]
    relevant: Mapping[str, bool]
    cleared: tuple[str, ...]


class _TopScope:
    def __init__(self, values: dict, rows: dict, members: dict) -> None:
        self._values, self._rows, self._members = values, rows, members

    def value(self, name: str) -> Any:
        return self._values.get(name)

    def rows(self, group: str) -> Sequence[_RowScope]:
        return [_RowScope(row, self._members[group], self) for row in self._rows[group]]


class _RowScope:
    def __init__(self, row: dict, members: frozenset, top: _TopScope) -> None:
        self._row, self._members, self._top = row, members, top

    def value(self, name: str) -> Any:
        return self._row.get(name) if name in self._members else self._top.value(name)

    def rows(self, group: str) -> Sequence[_RowScope]:
        return self._top.rows(group)


def _nodes(instrument: Instrument) -> dict[tuple[str | None, str], Question | Computed]:
    nodes: dict[tuple[str | None, str], Question | Computed] = {}
    for item in instrument.items:
        if isinstance(item, Group):
            for member in (*item.questions, *item.computed):
                nodes[(item.name, member.name)] = member
        else:
            nodes[(None, item.name)] = item
    for computed in instrument.computed:
        nodes[(None, computed.name)] = computed
    return nodes


def evaluate(
    instrument: Instrument, typed: Mapping[str, Any], context: Mapping[str, Any] | None = None
) -> Evaluation:
    """Apply skip logic and compute values.

    Parameters
    ----------
    instrument : Instrument
    typed : mapping
        Typed answers; a group's value is a list of row mappings.
    context : mapping, optional
        Values of the instrument's declared context names (e.g. ``status``).

    Returns
    -------
    Evaluation
    """
    context = context or {}
    values: dict[str, Any] = {c.name: context.get(c.name) for c in instrument.context}
    groups = {g.name: g for g in instrument.items if isinstance(g, Group)}
    rows = {name: [{} for _ in typed.get(name) or ()] for name in groups}
    members = {name: frozenset(g.members) for name, g in groups.items()}
    top = _TopScope(values, rows, members)
    relevant: dict[str, bool] = {}
    cleared: list[str] = []
    nodes = _nodes(instrument)
    for group, name in instrument.order:
        node = nodes[(group, name)]
        if group is None:
            values[name] = _visit(node, top, typed.get(name), name, relevant, cleared)
            continue
        source = typed.get(group) or ()
        for i, row in enumerate(rows[group]):
            scope = _RowScope(row, members[group], top)
            raw = source[i].get(name) if isinstance(source[i], Mapping) else None
            row[name] = _visit(node, scope, raw, f"{group}.{i}.{name}", relevant, cleared)
    return Evaluation(
        values=MappingProxyType(values),
        rows=MappingProxyType({g: tuple(map(MappingProxyType, r)) for g, r in rows.items()}),
        relevant=MappingProxyType(relevant),
        cleared=tuple(cleared),
    )


def _visit(node, scope, raw: Any, path: str, relevant: dict, cleared: list) -> Any:
    if isinstance(node, Computed):
        return node.expression.evaluate(scope)
    asked = node.relevant is None or node.relevant.evaluate(scope) is True
    relevant[path] = asked
    if not asked and raw not in (None, "", [], ()):
        cleared.append(path)
    return raw if asked else None


def run_checks(instrument: Instrument, evaluation: Evaluation) -> list[tuple[str, Check, dict]]:
    """Every failed cross-field check as ``(field path, check, values for its message)``.

    A check fails only when its expression is ``False``; ``None`` (an input unanswered or not
    asked) passes, as ``required`` already reports missing answers.
    """
    groups = {g.name: g for g in instrument.items if isinstance(g, Group)}
    members = {name: frozenset(g.members) for name, g in groups.items()}
    rows = {g: [dict(r) for r in rs] for g, rs in evaluation.rows.items()}
    top = _TopScope(dict(evaluation.values), rows, members)
    failed: list[tuple[str, Check, dict]] = []
    for name, group in groups.items():
        for i, row in enumerate(rows[name]):
            scope = _RowScope(row, members[name], top)
            for check in group.checks:
                if check.expression.evaluate(scope) is False:
                    failed.append((f"{name}.{i}.{check.field}", check, _mapping(check, scope)))
    for check in instrument.checks:
        if check.expression.evaluate(top) is False:
            failed.append((check.field, check, _mapping(check, top)))
    return failed


def _mapping(check: Check, scope) -> dict[str, Any]:
    return {name: scope.value(name) for name in check.expression.names}


def sample_answers(instrument: Instrument, variant: int = 0) -> dict[str, Any]:
    """Plausible typed answers for a dry run: every question answered, two roster rows."""
    out: dict[str, Any] = {}
    for item in instrument.items:
        if isinstance(item, Group):
            out[item.name] = [
                {q.name: _sample(q, variant + i) for q in item.questions} for i in range(2)
            ]
        else:
            out[item.name] = _sample(item, variant)
    return out


def _sample(question: Question, variant: int) -> Any:
    kind = question.type
    if kind in ("single_choice", "multiple_choice"):
        code = question.codes[-1 if variant % 2 else 0]
        return code if kind == "single_choice" else [code]
    if kind == "yes_no":
        return variant % 2 == 0
    if kind in ("integer", "decimal"):
        value = question.min if question.min is not None else 1
        value = question.max if variant % 2 and question.max is not None else value
        return float(value) if kind == "decimal" else value
    if kind == "date":
        return question.min or "2020-01-01"
    return "x"
