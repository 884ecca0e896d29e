"""The expression language: semantics worked out by hand, and unsafe input rejected."""

from __future__ import annotations

import pytest

from surveys.instruments.expressions import ExpressionError, parse_expression


class Scope:
    """Names from a dict; groups as lists of dicts."""

    def __init__(self, values, groups=None, parent=None):
        self.values, self.groups, self.parent = values, groups or {}, parent

    def value(self, name):
        if name in self.values:
            return self.values[name]
        return self.parent.value(name) if self.parent else None

    def rows(self, group):
        root = self.parent or self
        return [Scope(row, parent=root) for row in root.groups[group]]


def ev(source, **values):
    return parse_expression(source).evaluate(Scope(values))


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("age >= 6 and age <= 15", {"age": 6}, True),
        ("age >= 6 and age <= 15", {"age": 16}, False),
        ("6 <= age <= 15", {"age": 15}, True),
        ("a + b * 2 - c / 4", {"a": 1, "b": 2, "c": 8}, 3.0),
        ("x % 7", {"x": 23}, 2),
        ("-x + 1", {"x": 3}, -2),
        ("rating in ('A', 'B')", {"rating": "B"}, True),
        ("'none' not in picked", {"picked": ["dibao"]}, True),
        ("1 if flag else 0", {"flag": False}, 0),
        ("not flag", {"flag": False}, True),
        ("abs(x)", {"x": -4}, 4),
        ("round(x, 1)", {"x": 2.26}, 2.3),
        ("coalesce(x, y, 5)", {"x": None, "y": 3}, 3),
        ("answered(x)", {"x": ""}, False),
        ("len(x)", {"x": ["a", "b"]}, 2),
        # unknown (None) propagates like SQL NULL
        ("age >= 6", {"age": None}, None),
        ("x + 1", {}, None),
        ("x / y", {"x": 1, "y": 0}, None),
        # Kleene logic: a decisive operand wins over an unknown one
        ("x > 1 and y > 1", {"x": 0, "y": None}, False),
        ("x > 1 or y > 1", {"x": 2, "y": None}, True),
        ("x > 1 and y > 1", {"x": 2, "y": None}, None),
        ("not x", {"x": None}, None),
    ],
)
def test_semantics(source, values, expected):
    assert ev(source, **values) == expected


def test_group_functions_evaluate_per_row():
    roster = [
        {"age": 40, "relation": "head", "wage": 100},
        {"age": 10, "relation": "child", "wage": None},
        {"age": 7, "relation": "child", "wage": 5},
    ]
    scope = Scope({"limit": 8}, {"roster": roster})
    cases = {
        "count(roster)": 3,
        "count(roster, age >= 6 and age <= 15)": 2,
        "count(roster, age > limit)": 2,  # a row expression can read top-level names
        "sum(roster, wage)": 105,  # unknown values are skipped
        "sum(roster, wage, relation == 'child')": 5,
        "max(roster, age, relation == 'head')": 40,
        "min(roster, age)": 7,
        "any(roster, age < 8)": True,
        "all(roster, age < 50)": True,
        "max(roster, age, relation == 'spouse')": None,
    }
    for source, expected in cases.items():
        assert parse_expression(source).evaluate(scope) == expected, source


def test_names_are_collected_per_scope():
    expr = parse_expression("count(roster, age > limit) > 0 and flag")
    assert expr.names == {"flag"}
    assert expr.row_names == {"roster": {"age", "limit"}}


@pytest.mark.parametrize(
    "source",
    [
        "x.__class__",  # attribute access
        "().__class__.__bases__",
        "__import__('os')",  # dunder names and unknown functions
        "__builtins__",
        "_private",
        "eval('1')",
        "open('/etc/passwd')",
        "getattr(x, 'y')",
        "x[0]",  # subscripts
        "lambda: 1",
        "[i for i in x]",
        "{'a': 1}",
        "2 ** 100000",  # power is not in the language
        "f'{x}'",
        "(y := 1)",
        "x if y",  # not an expression at all
        "import os",
        "count(roster, count(roster))",  # nested group functions
        "count(1)",  # a group function needs a group name
        "abs(x, y, z)",  # wrong arity
        "abs(x=1)",
        "b'bytes'",
        "x; y",
        "",
        "-" * 200 + "1",  # nested too deeply
        "1 + " * 400 + "1",
    ],
)
def test_unsafe_or_foreign_input_is_rejected(source):
    with pytest.raises(ExpressionError):
        parse_expression(source)


def test_type_mismatch_at_evaluation_is_an_expression_error():
    with pytest.raises(ExpressionError, match="cannot evaluate"):
        ev("name + 1", name="text")
    with pytest.raises(ExpressionError):
        ev("x in 5", x=1)
