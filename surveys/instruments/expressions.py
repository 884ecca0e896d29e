"""A tiny, safe expression language for skip logic, checks and computed values (PURE).

Expressions are Python-looking text (``age >= 6 and age <= 15``) parsed with :mod:`ast` and
walked by an interpreter that accepts only a short list of node types: literals, names of
answers, comparisons (including ``in`` / ``not in``), ``and`` / ``or`` / ``not``, ``+ - * / %``,
``x if c else y`` and calls to the functions listed in :data:`FUNCTIONS`. Nothing is ever
passed to ``eval``; attribute access, subscripts, lambdas, comprehensions, ``**`` and names
beginning with an underscore are rejected when the expression is parsed.

Missing answers are ``None`` and propagate like SQL's NULL: arithmetic or a comparison with
``None`` gives ``None``; ``and`` / ``or`` / ``not`` follow three-valued (Kleene) logic. Callers
decide what ``None`` means (a ``relevant`` of ``None`` hides a question, a check of ``None``
passes because ``required`` reports the missing answer instead).

Group functions take the name of a repeating group first and evaluate their other arguments
once per row, in the row's scope: ``count(roster, age >= 6 and age <= 15)``,
``sum(roster, wage_income)``, ``max(roster, age, relation == 'head')``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

MAX_SOURCE_LENGTH = 1000
MAX_DEPTH = 40

#: Functions over a repeating group: name -> (min, max) number of arguments after the group.
GROUP_FUNCTIONS = {
    "count": (0, 1),  # count(g) or count(g, condition)
    "sum": (1, 2),  # sum(g, value[, condition])
    "min": (1, 2),
    "max": (1, 2),
    "any": (1, 1),  # any(g, condition)
    "all": (1, 1),
}
#: Plain functions: name -> (min, max) number of arguments.
SCALAR_FUNCTIONS = {
    "abs": (1, 1),
    "round": (1, 2),
    "coalesce": (1, 8),  # first argument that is not None
    "answered": (1, 1),  # not None, not "" and not an empty list
    "len": (1, 1),  # number of codes chosen in a multiple choice (0 when unanswered)
}
FUNCTIONS = frozenset(GROUP_FUNCTIONS) | frozenset(SCALAR_FUNCTIONS)

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: None if b == 0 else a / b,
    ast.Mod: lambda a, b: None if b == 0 else a % b,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


class ExpressionError(ValueError):
    """An expression that is not allowed or cannot be evaluated."""


class Scope(Protocol):
    """Where names are looked up while evaluating."""

    def value(self, name: str) -> Any:
        """The value of ``name`` (``None`` when unanswered)."""

    def rows(self, group: str) -> Sequence[Scope]:
        """One scope per row of the repeating group ``group``."""


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression.

    Attributes
    ----------
    source : str
        The text as written in the definition.
    names : frozenset of str
        Names read outside group functions (answers, computed values, context values).
    row_names : mapping of str to frozenset of str
        For each group used in a group function (the keys), the names read inside its row
        arguments.
    """

    source: str
    tree: ast.Expression = field(repr=False, compare=False)
    names: frozenset[str]
    row_names: Mapping[str, frozenset[str]] = field(compare=False)

    def evaluate(self, scope: Scope) -> Any:
        """Evaluate in ``scope``; raises :class:`ExpressionError` on a type mismatch."""
        try:
            return _eval(self.tree.body, scope)
        except ExpressionError:
            raise
        except (TypeError, ValueError, OverflowError) as exc:
            raise ExpressionError(f"cannot evaluate {self.source!r}: {exc}") from exc


def parse_expression(source: str) -> Expression:
    """Parse and check ``source``.

    Parameters
    ----------
    source : str
        The expression text.

    Returns
    -------
    Expression

    Raises
    ------
    ExpressionError
        When the text is not an expression or uses anything outside the language.
    """
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError(f"expression must be non-empty text, got {source!r}")
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_SOURCE_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"not a valid expression: {source!r}") from exc
    names: set[str] = set()
    row_names: dict[str, set[str]] = {}
    _check(tree.body, source, names, row_names, None, 0)
    frozen = MappingProxyType({g: frozenset(n) for g, n in row_names.items()})
    return Expression(source, tree, frozenset(names), frozen)


_LEAVES = (ast.Constant, ast.Name)
_ALLOWED = (
    ast.BoolOp,
    ast.UnaryOp,
    ast.BinOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.List,
    ast.Tuple,
    *_LEAVES,
)
_OPERATORS = (ast.And, ast.Or, ast.Not, ast.USub, ast.UAdd, *_BINOPS, *_COMPARE)


def _check(node, source, names, row_names, group, depth) -> None:
    """Reject every node outside the language; collect the names read."""
    if depth > MAX_DEPTH:
        raise ExpressionError(f"expression nested too deeply: {source!r}")
    if not isinstance(node, _ALLOWED):
        raise ExpressionError(f"{type(node).__name__} is not allowed in {source!r}")
    if isinstance(node, ast.Constant):
        if not (node.value is None or isinstance(node.value, bool | int | float | str)):
            raise ExpressionError(f"constant {node.value!r} is not allowed in {source!r}")
        return
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            raise ExpressionError(f"name {node.id!r} is not allowed in {source!r}")
        (row_names.setdefault(group, set()) if group else names).add(node.id)
        return
    for op in _operators_of(node):
        if not isinstance(op, _OPERATORS):
            raise ExpressionError(f"operator {type(op).__name__} is not allowed in {source!r}")
    if isinstance(node, ast.Call):
        _check_call(node, source, names, row_names, group, depth)
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.expr):
            _check(child, source, names, row_names, group, depth + 1)


def _operators_of(node) -> list:
    if isinstance(node, ast.BoolOp | ast.UnaryOp | ast.BinOp):
        return [node.op]
    if isinstance(node, ast.Compare):
        return list(node.ops)
    return []


def _check_call(node: ast.Call, source, names, row_names, group, depth) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        shown = node.func.id if isinstance(node.func, ast.Name) else type(node.func).__name__
        raise ExpressionError(f"unknown function {shown!r} in {source!r}")
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise ExpressionError(f"keyword or starred arguments are not allowed in {source!r}")
    name, args = node.func.id, node.args
    if name in GROUP_FUNCTIONS:
        low, high = GROUP_FUNCTIONS[name]
        if not args or not isinstance(args[0], ast.Name) or args[0].id.startswith("_"):
            raise ExpressionError(f"{name}() needs a group name first in {source!r}")
        if group is not None:
            raise ExpressionError(f"group functions cannot be nested in {source!r}")
        row_names.setdefault(args[0].id, set())
        inner, scope_group = args[1:], args[0].id
    else:
        low, high = SCALAR_FUNCTIONS[name]
        inner, scope_group = args, group
    if not low <= len(inner) <= high:
        raise ExpressionError(f"wrong number of arguments to {name}() in {source!r}")
    for arg in inner:
        _check(arg, source, names, row_names, scope_group, depth + 1)


def _truth(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _number(value: Any) -> Any:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    raise TypeError(f"{value!r} is not a number")


def _eval(node, scope: Scope) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return scope.value(node.id)
    if isinstance(node, ast.List | ast.Tuple):
        return tuple(_eval(e, scope) for e in node.elts)
    if isinstance(node, ast.BoolOp):
        return _bool_op(node, scope)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return None if value is None else not value
        value = _number(value)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp):
        left, right = _number(_eval(node.left, scope)), _number(_eval(node.right, scope))
        if left is None or right is None:
            return None
        return _BINOPS[type(node.op)](left, right)
    if isinstance(node, ast.Compare):
        return _compare(node, scope)
    if isinstance(node, ast.IfExp):
        chosen = node.body if _truth(_eval(node.test, scope)) else node.orelse
        return _eval(chosen, scope)
    return _call(node, scope)


def _bool_op(node: ast.BoolOp, scope: Scope) -> bool | None:
    # Kleene logic: a decisive operand wins even when another one is unknown.
    decisive = isinstance(node.op, ast.Or)
    unknown = False
    for operand in node.values:
        value = _truth(_eval(operand, scope))
        if value is decisive:
            return decisive
        unknown = unknown or value is None
    return None if unknown else not decisive


def _compare(node: ast.Compare, scope: Scope) -> bool | None:
    left = _eval(node.left, scope)
    result: bool | None = True
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _eval(right_node, scope)
        if left is None or right is None:
            result = None
        elif isinstance(op, ast.In | ast.NotIn) and not isinstance(right, tuple | list | str):
            raise TypeError(f"'in' needs a list or text on the right, got {right!r}")
        elif not _COMPARE[type(op)](left, right):
            return False
        left = right
    return result


def _call(node: ast.Call, scope: Scope) -> Any:
    name = node.func.id
    if name in GROUP_FUNCTIONS:
        return _group_call(name, node.args[0].id, node.args[1:], scope)
    args = [_eval(a, scope) for a in node.args]
    if name == "coalesce":
        return next((a for a in args if a is not None), None)
    if name == "answered":
        return args[0] not in (None, "", [], ())
    if name == "len":
        return 0 if args[0] is None else len(args[0])
    if any(a is None for a in args):
        return None
    if name == "abs":
        return abs(_number(args[0]))
    ndigits = int(_number(args[1])) if len(args) > 1 else 0
    value = round(_number(args[0]), ndigits)
    return value if math.isfinite(value) else None


def _group_call(name: str, group: str, args: list, scope: Scope) -> Any:
    rows = scope.rows(group)
    if name == "count":
        if not args:
            return len(rows)
        return sum(1 for row in rows if _truth(_eval(args[0], row)))
    if name in ("any", "all"):
        values = [_truth(_eval(args[0], row)) for row in rows]
        decisive = name == "any"
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    kept = [row for row in rows if len(args) < 2 or _truth(_eval(args[1], row))]
    values = [_number(_eval(args[0], row)) for row in kept]
    present = [v for v in values if v is not None]
    if name == "sum":
        return sum(present)
    if not present:
        return None
    return min(present) if name == "min" else max(present)
