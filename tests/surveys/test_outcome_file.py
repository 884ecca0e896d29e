"""The outcomes file of ``assess simulate-fieldwork``: every problem named, nothing half-read."""

import pytest

from surveys.simulation import OutcomeFileError, ScriptedOutcome, parse_outcomes

GOOD = {
    "household_id": "H1",
    "contacted": "1",
    "wrongly_exited": "0",
    "missed": "0",
    "recognises": "1",
    "persons": "4",
}


def test_a_good_file_gives_one_outcome_per_household():
    second = {**GOOD, "household_id": " H2 ", "contacted": "0", "persons": "1"}
    assert parse_outcomes([GOOD, second]) == {
        "H1": ScriptedOutcome(True, False, False, True, 4),
        "H2": ScriptedOutcome(False, False, False, True, 1),
    }


def test_every_bad_row_is_listed_with_its_line_number():
    rows = [
        {**GOOD, "contacted": "yes"},
        {**GOOD, "household_id": "H2", "persons": "0"},
        {**GOOD, "household_id": "H3", "persons": "31"},
        GOOD,
        GOOD,
        {**GOOD, "household_id": ""},
    ]
    with pytest.raises(OutcomeFileError) as caught:
        parse_outcomes(rows)
    problems = {row: str(message) for row, message in caught.value.problems}
    assert "contacted must be 0 or 1" in problems[2]
    assert "persons must be 1-30" in problems[3] and "persons must be 1-30" in problems[4]
    assert "listed twice" in problems[6]
    assert "empty" in problems[7]
    # The same problems in Chinese, row by row, for the command line's default language.
    chinese = caught.value.render("zh")
    assert chinese.startswith("访问结果文件中有 5 个问题：第 2 行：contacted 必须是 0 或 1")
    assert "第 3 行：persons 必须在 1 到 30 之间" in chinese
    assert "第 6 行：户 H1 重复列出" in chinese


def test_missing_columns_are_named():
    with pytest.raises(OutcomeFileError, match="missing columns missed, recognises, persons"):
        parse_outcomes([{"household_id": "H1", "contacted": "1", "wrongly_exited": "0"}])


def test_a_file_too_long_is_refused():
    rows = ({**GOOD, "household_id": f"H{i}"} for i in range(10))
    with pytest.raises(OutcomeFileError, match="more than 5 rows"):
        parse_outcomes(rows, max_rows=5)
