"""The recognising-household rule is data in the instrument version (domain.md §4 [D])."""

from __future__ import annotations

import copy
import json

import pytest

from surveys.instruments.definition import DEFINITIONS_DIR, builtin_instrument, parse_instrument
from surveys.instruments.model import RecognitionRule
from surveys.instruments.validation import check_answers
from surveys.instruments.verdicts import is_recognising

RECOGNITION = builtin_instrument("recognition", 1)
RULE = RECOGNITION.recognition_rule
ALL_FIVE = {
    "rec_identification": "5",
    "rec_exit": "5",
    "rec_own_exit": "5",
    "rec_measures": "5",
    "rec_results": "5",
    "rec_work_team": "5",
    "helper_known": True,
    "rec_helper": "5",
}


def answers(**changes):
    out = dict(ALL_FIVE)
    out.update(changes)
    return out


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # v1: recognising unless any core item is "not recognised" (1 or 2).
        (answers(), True),
        (answers(rec_helper="2"), False),  # one "mostly not" on a core item is enough
        (answers(rec_exit="1"), False),
        (answers(rec_identification="3", rec_exit="3"), True),  # neutral is not a refusal
        ({k: "8" for k in ALL_FIVE if k != "helper_known"}, True),  # no opinion, no objection
        ({k: "9" for k in ALL_FIVE if k != "helper_known"}, True),
        ({}, True),
    ],
)
def test_version_1_rule(case, expected):
    assert is_recognising(case, RULE) is expected


def test_a_low_answer_on_a_non_core_item_does_not_count():
    # rec_public_services is asked of non-registered households but is not a core item.
    base = {"rec_identification": "4", "rec_exit": "4", "rec_work_team": "4"}
    assert is_recognising({**base, "rec_public_services": "1"}, RULE)


def test_other_rule_settings():
    tolerant = RecognitionRule(items=RULE.items, not_recognised=("1", "2"), max_not_recognised=1)
    assert is_recognising(answers(rec_helper="1"), tolerant)
    assert not is_recognising(answers(rec_helper="1", rec_exit="2"), tolerant)
    strict = RecognitionRule(
        items=RULE.items,
        not_recognised=("1", "2"),
        ignored=("8", "9"),
        min_substantive=3,
        when_undecided=False,
    )
    two_opinions = {"rec_identification": "5", "rec_exit": "4", "rec_work_team": "8"}
    assert not is_recognising(two_opinions, strict)  # only 2 substantive answers < 3
    assert is_recognising({**two_opinions, "rec_work_team": "3"}, strict)


def test_an_admin_changes_the_rule_by_creating_a_new_version():
    data = json.loads((DEFINITIONS_DIR / "recognition-v1.json").read_text(encoding="utf-8"))
    v2 = copy.deepcopy(data)
    v2["version"] = 2
    v2["recognition_rule"]["not_recognised"] = ["1", "2", "3"]  # neutral now counts against
    instrument = parse_instrument(v2)
    neutral = answers(rec_results="3")
    assert is_recognising(neutral, RECOGNITION.recognition_rule)
    assert not is_recognising(neutral, instrument.recognition_rule)
    assert instrument.content_hash != RECOGNITION.content_hash


def test_items_not_asked_count_for_nothing():
    # A non-registered household is not asked about its own exit, measures or helper.
    given = {"rec_identification": "5", "rec_exit": "2", "rec_work_team": "5", "rec_own_exit": "1"}
    cleaned = check_answers(RECOGNITION, given, context={"status": "non_registered"}).answers
    assert "rec_own_exit" not in cleaned
    assert not is_recognising(cleaned, RULE)  # rec_exit = 2 still counts
    assert is_recognising({**cleaned, "rec_exit": "4"}, RULE)


def test_rule_argument_is_checked():
    with pytest.raises(ValueError, match="rule"):
        is_recognising(ALL_FIVE, {"items": []})
