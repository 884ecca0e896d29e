"""Design JSON: the issue's formats, canonical serialisation and error messages."""

from __future__ import annotations

import json

import pytest

from sampling.designs import (
    DesignError,
    StratifiedSrsDesign,
    TwoStageDesign,
    canonical_json,
    design_hash,
    parse_design,
)

TWO_STAGE = (
    '{"type": "two-stage", "villages": {"poor": 20, "non_poor": 10}, "households_per_village":'
    ' {"exited": 10, "not_exited": 2, "non_registered": 10}, "reserves_per_household": 2,'
    ' "screening": true}'
)
ONE_STAGE = (
    '{"type": "stratified-srs", "strata": ["status"], "allocation": "fixed", "sizes":'
    ' {"exited": 600, "not_exited": 100, "non_registered": 600}}'
)


def test_issue_examples_parse():
    two = parse_design(TWO_STAGE)
    assert isinstance(two, TwoStageDesign)
    assert two.villages == {"non_poor": 10, "poor": 20}
    assert two.households_per_village["not_exited"] == 2
    assert two.reserves_per_household == 2 and two.screening
    one = parse_design(ONE_STAGE)
    assert isinstance(one, StratifiedSrsDesign)
    assert one.sizes == {"exited": 600, "non_registered": 600, "not_exited": 100}


def test_canonical_json_ignores_key_order_and_written_defaults():
    data = json.loads(TWO_STAGE)
    reordered = dict(reversed(list(data.items())))
    reordered["household_allocation"] = "fixed"
    assert canonical_json(parse_design(reordered)) == canonical_json(parse_design(data))
    assert design_hash(parse_design(reordered)) == design_hash(parse_design(data))
    text = canonical_json(parse_design(data))
    assert " " not in text and json.loads(text)["villages"] == {"non_poor": 10, "poor": 20}


def test_canonical_json_differs_when_the_design_differs():
    changed = json.loads(TWO_STAGE)
    changed["villages"]["poor"] = 21
    assert design_hash(parse_design(changed)) != design_hash(parse_design(TWO_STAGE))


def test_proportional_and_neyman_forms():
    prop = parse_design(
        {
            "type": "two-stage",
            "villages": {"poor": 2, "remote": 1},
            "household_allocation": "proportional",
            "households_per_village": 20,
        }
    )
    assert prop.households_total == 20 and "remote" in prop.villages
    neyman = parse_design(
        {
            "type": "stratified-srs",
            "strata": ["village_type", "status"],
            "allocation": "neyman",
            "n": 1000,
            "anticipated": {"poor/exited": 0.05},
        }
    )
    assert neyman.n == 1000 and neyman.anticipated == {"poor/exited": 0.05}
    assert neyman.default_anticipated == 0.5


@pytest.mark.parametrize(
    ("design", "msgid"),
    [
        ('{"type": "three-stage"}', "Unknown design type {value}"),
        ("not json", "The design is not valid JSON"),
        ("[1, 2]", "The design must be a JSON object."),
        (
            {
                "type": "two-stage",
                "villages": {"poor": -1},
                "households_per_village": {"exited": 1},
            },
            "Design field {field} must be a whole number",
        ),
        (
            {"type": "two-stage", "villages": {"rich": 2}, "households_per_village": {"exited": 1}},
            "Design field {field} has unknown key {key}",
        ),
        (
            {
                "type": "two-stage",
                "villages": {"poor": 2},
                "households_per_village": {"exited": 1},
                "colour": "red",
            },
            "Unknown design field {field}.",
        ),
        (
            {
                "type": "two-stage",
                "villages": {"poor": 2},
                "households_per_village": {"exited": 1},
                "household_allocation": "random",
            },
            "Design field {field} must be one of",
        ),
        (
            {"type": "two-stage", "villages": {"poor": 0}, "households_per_village": {"exited": 1}},
            "The design selects no villages.",
        ),
        (
            {
                "type": "two-stage",
                "villages": {"poor": 1},
                "households_per_village": {"exited": 1},
                "reserves_per_household": 11,
            },
            "Design field {field} must be at most {high}.",
        ),
        (
            {
                "type": "stratified-srs",
                "strata": ["colour"],
                "allocation": "fixed",
                "sizes": {"a": 1},
            },
            "Design field strata must list",
        ),
        (
            {
                "type": "stratified-srs",
                "allocation": "neyman",
                "n": 10,
                "anticipated": {"exited": 1.5},
            },
            "Design field {field} must be a proportion",
        ),
        (
            {"type": "stratified-srs", "allocation": "proportional"},
            "Design field {field} must be a whole number",
        ),
    ],
)
def test_bad_designs_give_specific_messages(design, msgid):
    with pytest.raises(DesignError) as caught:
        parse_design(design)
    assert any(m.msgid.startswith(msgid) for m in caught.value.messages), caught.value.messages
    assert isinstance(caught.value, ValueError)


def test_all_problems_are_reported_together():
    with pytest.raises(DesignError) as caught:
        parse_design({"type": "two-stage", "villages": {"poor": -1, "x": 1}, "extra": 1})
    assert len(caught.value.messages) >= 3
