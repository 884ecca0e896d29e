"""Name resolution, dependency order and a dry run of a parsed definition (PURE).

Skip logic and computed values form a dependency graph: a question's value depends on the
names in its ``relevant`` expression, a computed value on the names in its expression, and a
top-level expression that aggregates a group depends on every member of that group. The graph
must be acyclic; its topological order (document order among equals) is stored on the
instrument and followed by :func:`surveys.instruments.evaluation.evaluate`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from surveys.instruments.evaluation import evaluate, run_checks, sample_answers
from surveys.instruments.expressions import Expression, ExpressionError
from surveys.instruments.model import DefinitionError, Group, Instrument, Question

Node = tuple[str | None, str]  # (group name or None for top level, name)


def check_semantics(instrument: Instrument) -> Instrument:
    """Check names, fields, the recognition rule and cycles; return it with its ``order``."""
    errors: list[str] = []
    top = _top_names(instrument, errors)
    groups = {item.name: item for item in instrument.items if isinstance(item, Group)}
    deps: dict[Node, set[Node]] = {}
    for item in instrument.items:
        if isinstance(item, Group):
            _group_deps(item, top, groups, deps, errors)
        else:
            deps[(None, item.name)] = _deps(item.relevant, None, top, groups, item.name, errors)
    for c in instrument.computed:
        deps[(None, c.name)] = _deps(c.expression, None, top, groups, c.name, errors)
    for check in instrument.checks:
        _deps(check.expression, None, top, groups, f"check {check.id}", errors)
        if check.field not in top or check.field in {c.name for c in instrument.context}:
            errors.append(f"check {check.id}: field {check.field!r} is not a question or group")
    _check_rule(instrument, errors)
    if errors:
        raise DefinitionError(errors)
    order = _topological(deps)
    instrument = dataclasses.replace(instrument, order=order)
    _dry_run(instrument)
    return instrument


def _top_names(instrument: Instrument, errors: list[str]) -> set[str]:
    seen: set[str] = set()
    names = [i.name for i in instrument.items] + [c.name for c in instrument.computed]
    names += [c.name for c in instrument.context]
    for name in names:
        if name in seen:
            errors.append(f"duplicate name {name!r}")
        seen.add(name)
    section_ids = [s.id for s in instrument.sections]
    if len(set(section_ids)) != len(section_ids):
        errors.append("duplicate section id")
    check_ids = [c.id for c in instrument.checks] + [
        c.id for i in instrument.items if isinstance(i, Group) for c in i.checks
    ]
    for check_id in {c for c in check_ids if check_ids.count(c) > 1}:
        errors.append(f"duplicate check id {check_id!r}")
    return seen


def _group_deps(group: Group, top, groups, deps, errors) -> None:
    members = [m.name for m in (*group.questions, *group.computed)]
    for name in {m for m in members if members.count(m) > 1}:
        errors.append(f"{group.name}: duplicate member {name!r}")
    for name in set(members) & top:
        errors.append(f"{group.name}.{name}: a member cannot reuse a top-level name")
    local = set(members)
    for q in group.questions:
        deps[(group.name, q.name)] = _deps(q.relevant, group, top, groups, q.name, errors, local)
    for c in group.computed:
        deps[(group.name, c.name)] = _deps(c.expression, group, top, groups, c.name, errors, local)
    for check in group.checks:
        _deps(check.expression, group, top, groups, f"check {check.id}", errors, local)
        if check.field not in {q.name for q in group.questions}:
            errors.append(f"check {check.id}: field {check.field!r} is not in {group.name}")


def _deps(
    expr: Expression | None,
    group: Group | None,
    top: set[str],
    groups: dict[str, Group],
    where: str,
    errors: list[str],
    local: Iterable[str] = (),
) -> set[Node]:
    """The nodes ``expr`` reads, reporting unknown names."""
    if expr is None:
        return set()
    local = set(local)
    found: set[Node] = set()
    for name in expr.names:
        if name in local:
            found.add((group.name, name))
        elif name in top and name not in groups:
            found.add((None, name))
        else:
            errors.append(f"{where}: unknown name {name!r} in {expr.source!r}")
    for gname, inner in expr.row_names.items():
        target = groups.get(gname)
        if target is None or group is not None:
            errors.append(f"{where}: {gname!r} is not a group usable here in {expr.source!r}")
            continue
        members = {m.name for m in (*target.questions, *target.computed)}
        found |= {(gname, m) for m in members}
        for name in inner - members:
            if name in top and name not in groups:
                found.add((None, name))
            else:
                errors.append(f"{where}: unknown name {name!r} in {expr.source!r}")
    return found


def _check_rule(instrument: Instrument, errors: list[str]) -> None:
    rule = instrument.recognition_rule
    if instrument.kind == "recognition" and rule is None:
        errors.append("a recognition instrument needs a recognition_rule")
    if rule is None:
        return
    fields = instrument.fields
    for name in rule.items:
        question = fields.get(name)
        if not isinstance(question, Question) or question.type != "single_choice":
            errors.append(f"recognition_rule: {name!r} is not a single-choice question")
            continue
        for code in {*rule.not_recognised, *rule.ignored} - set(question.codes):
            errors.append(f"recognition_rule: {name!r} has no code {code!r}")
    if rule.min_substantive > len(rule.items):
        errors.append("recognition_rule: min_substantive exceeds the number of items")


def _topological(deps: dict[Node, set[Node]]) -> tuple[Node, ...]:
    """Kahn's algorithm, taking the earliest node in document order at every step."""
    pending = list(deps)  # dicts keep insertion (document) order
    deps = {n: d & deps.keys() for n, d in deps.items()}  # context values are always known
    done: set[Node] = set()
    order: list[Node] = []
    while pending:
        ready = next((n for n in pending if deps[n] - {n} <= done and n not in deps[n]), None)
        if ready is None:
            names = ", ".join(f"{g}.{n}" if g else n for g, n in pending)
            raise DefinitionError([f"cycle in skip logic or computed values among: {names}"])
        pending.remove(ready)
        done.add(ready)
        order.append(ready)
    return tuple(order)


def _dry_run(instrument: Instrument) -> None:
    """Evaluate every expression on sample answers so type errors surface at load time."""
    context = {c.name: (c.choices[0] if c.choices else None) for c in instrument.context}
    try:
        for variant in (0, 1):
            result = evaluate(instrument, sample_answers(instrument, variant), context)
            run_checks(instrument, result)
    except ExpressionError as exc:
        raise DefinitionError([f"expression fails on sample answers: {exc}"]) from exc
