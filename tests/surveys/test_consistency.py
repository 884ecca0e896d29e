"""The household head of the questionnaire's header against the roster's 户主 row."""

from __future__ import annotations

from surveys.consistency import head_problems
from surveys.instruments.definition import builtin_instrument
from tests.surveys.households import MEMBER_CHILD, MEMBER_HEAD, MEMBER_SPOUSE, household, member

VERIFICATION = builtin_instrument("verification", 1)
RECOGNITION = builtin_instrument("recognition", 1)


def _paths(answers):
    return [(p.field_path, p.check_id) for p in head_problems(VERIFICATION, answers)]


def test_a_consistent_household_has_no_problem():
    assert _paths(household()) == []


def test_head_sex_contradicting_the_roster_is_named_with_the_roster_head():
    problems = head_problems(VERIFICATION, household(head_sex="female"))
    assert [(p.field_path, p.kind) for p in problems] == [("head_sex", "check")]
    assert problems[0].message.render("en") == (
        "The head's sex differs from the sex of the head in the household roster (王大山)."
    )
    assert "王大山" in problems[0].message.render("zh")


def test_head_name_contradicting_the_roster():
    assert _paths(household(head_name="王二山")) == [("head_name", "head_name_in_roster")]
    # Surrounding spaces are not a difference.
    assert _paths(household(head_name=" 王大山 ")) == []


def test_both_contradictions_are_reported():
    answers = household(head_name="李四", head_sex="female")
    assert sorted(p for p, _ in _paths(answers)) == ["head_name", "head_sex"]


def test_nothing_to_compare_until_both_sides_are_answered():
    assert _paths(household(head_sex=None)) == []
    headless_sex = member(MEMBER_HEAD, sex=None)
    assert _paths(household(roster=[headless_sex, MEMBER_SPOUSE], head_sex="female")) == []
    # No head, or two heads, is the definition's own one_head check, not this one.
    assert _paths(household(roster=[MEMBER_SPOUSE, MEMBER_CHILD], head_sex="female")) == []
    two = [MEMBER_HEAD, member(MEMBER_SPOUSE, relation="head")]
    assert _paths(household(roster=two, head_sex="female")) == []


def test_odd_shapes_are_ignored_and_other_instruments_not_checked():
    assert _paths(household(roster="x")) == []
    assert _paths(household(roster=[1, None, {"relation": "head", "sex": "female"}])) == [
        ("head_sex", "head_sex_in_roster")
    ]
    assert head_problems(RECOGNITION, household(head_sex="female")) == []
