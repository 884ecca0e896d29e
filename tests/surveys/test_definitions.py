"""Loading definitions: the shipped ones load; bad ones are rejected with clear errors."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from surveys.instruments.definition import (
    DEFINITIONS_DIR,
    builtin_instrument,
    builtin_instruments,
    parse_instrument,
)
from surveys.instruments.model import DefinitionError, Group


def T(text):
    return {"zh": f"中{text}", "en": text}


MINIMAL = {
    "id": "mini",
    "version": 1,
    "kind": "verification",
    "title": T("Mini"),
    "sections": [
        {
            "id": "s1",
            "title": T("S1"),
            "items": [
                {"name": "age", "type": "integer", "label": T("Age"), "min": 0, "max": 120},
                {
                    "name": "pet",
                    "type": "single_choice",
                    "label": T("Pet"),
                    "choices": [{"code": "cat", "label": T("Cat")}],
                },
            ],
        }
    ],
}


def mutated(**changes):
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


def with_item(**item):
    data = copy.deepcopy(MINIMAL)
    data["sections"][0]["items"].append(item)
    return data


def test_shipped_definitions_load():
    keys = {i.key for i in builtin_instruments()}
    assert keys == {"verification-v1", "recognition-v1"}
    verification = builtin_instrument("verification", 1)
    roster = verification.fields["roster"]
    assert isinstance(roster, Group) and roster.min_rows == 1
    assert {q.name for q in roster.questions} >= {
        "relation",
        "sex",
        "age",
        "schooling",
        "out_of_school_reason",
        "insured",
        "health",
        "labour",
        "migrant",
    }
    for standard in ("income", "food", "clothing", "schooling", "medical", "housing", "water"):
        reason = verification.question(f"{standard}_ok_reason")
        assert reason.required and reason.relevant.source == f"{standard}_ok == False"
    recognition = builtin_instrument("recognition", 1)
    assert recognition.recognition_rule.not_recognised == ("1", "2")


def test_labels_are_in_both_languages():
    verification = builtin_instrument("verification", 1)
    age = verification.question("roster.0.age")
    assert (age.label.get("zh"), age.label.get("en")) == ("年龄（周岁）", "Age (completed years)")
    assert age.label.get(None) == "年龄（周岁）"  # Chinese by default


def test_content_hash_ignores_layout_and_changes_with_content():
    text = (DEFINITIONS_DIR / "verification-v1.json").read_text(encoding="utf-8")
    data = json.loads(text)
    relaid = json.dumps(data, indent=None, sort_keys=False)
    assert (
        parse_instrument(relaid).content_hash == builtin_instrument("verification", 1).content_hash
    )
    data["title"]["en"] += "!"
    assert parse_instrument(data).content_hash != builtin_instrument("verification", 1).content_hash


def test_instrument_is_immutable():
    instrument = parse_instrument(MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        instrument.version = 2
    with pytest.raises(TypeError):
        instrument.fields["x"] = 1
    assert isinstance(instrument.sections, tuple)


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (mutated(kind="census"), "kind: must be one of"),
        (mutated(version=0), "version: must be a positive integer"),
        (mutated(colour="red"), "unknown key 'colour'"),
        (mutated(title={"zh": "只有中文"}), "title: must be {'zh': text, 'en': text}"),
        (with_item(name="Age", type="integer", label=T("x")), "name 'Age' must match"),
        (with_item(name="age", type="integer", label=T("x")), "duplicate name 'age'"),
        (with_item(name="x", type="slider", label=T("x")), "type 'slider' is not one of"),
        (with_item(name="x", type="single_choice", label=T("x")), "choices are needed"),
        (
            with_item(
                name="x",
                type="single_choice",
                label=T("x"),
                choices=[{"code": "a", "label": T("A")}, {"code": "a", "label": T("B")}],
            ),
            "duplicate code 'a'",
        ),
        (
            with_item(name="x", type="integer", label=T("x"), min=5, max=1),
            "min is greater than max",
        ),
        (
            with_item(name="x", type="integer", label=T("x"), min=1.5),
            "min/max must be of the question's type",
        ),
        (with_item(name="x", type="text", label=T("x"), min=1), "min/max apply to integer"),
        (
            with_item(name="x", type="integer", label=T("x"), relevant="age.real"),
            "Attribute is not allowed",
        ),
        (
            with_item(name="x", type="integer", label=T("x"), relevant="ghost > 1"),
            "unknown name 'ghost'",
        ),
        (
            with_item(name="x", type="integer", label=T("x"), relevant="system('ls')"),
            "unknown function 'system'",
        ),
        (with_item(name="x", type="integer", label=T("x"), relevant="x > 1"), "cycle"),
        (
            with_item(name="x", type="integer", label=T("x"), relevant="pet + 1 > 0"),
            "fails on sample answers",
        ),
        (
            with_item(name="x", type="integer", label=T("x"), relevant="count(age) > 0"),
            "is not a group",
        ),
        (
            mutated(
                checks=[{"id": "c", "expression": "age > 0", "field": "nope", "message": T("m")}]
            ),
            "field 'nope' is not a question",
        ),
        (
            mutated(
                checks=[
                    {"id": "c", "expression": "age > 0", "field": "age", "message": T("{ghost}")}
                ]
            ),
            "placeholder {ghost}",
        ),
        (mutated(kind="recognition"), "needs a recognition_rule"),
        (
            mutated(recognition_rule={"items": ["age"], "not_recognised": ["1"]}),
            "'age' is not a single-choice",
        ),
        (
            mutated(recognition_rule={"items": ["pet"], "not_recognised": ["dog"]}),
            "'pet' has no code 'dog'",
        ),
        (
            with_item(
                name="g",
                type="group",
                label=T("G"),
                items=[{"name": "age", "type": "integer", "label": T("Age")}],
            ),
            "a member cannot reuse a top-level name",
        ),
        (
            with_item(
                name="g",
                type="group",
                label=T("G"),
                items=[{"name": "h", "type": "group", "label": T("H"), "items": []}],
            ),
            "groups cannot be nested",
        ),
        ("{not json", "not valid JSON"),
    ],
)
def test_bad_definitions_are_rejected_with_clear_errors(definition, expected):
    with pytest.raises(DefinitionError, match="invalid instrument definition") as caught:
        parse_instrument(definition)
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_every_problem_is_listed_at_once():
    data = mutated(version=-1, kind="census", title={"zh": "x"})
    with pytest.raises(DefinitionError) as caught:
        parse_instrument(data)
    assert len(caught.value.problems) == 3


def test_unknown_builtin_is_a_value_error():
    with pytest.raises(ValueError, match="instrument_id/version"):
        builtin_instrument("verification", 99)
