"""Derived verdicts on a table of households worked out by hand from shared/domain.md §3.

Poverty line: 3,218 yuan per person per year (the 2019 current-price line, domain.md §3.1).
The base household (tests/surveys/households.py) has 3 members; its net income is
9,000 + 3,000 - 1,000 + 0 + 0 + 0 + 600 = 11,600 yuan, i.e. 3,866.67 per person: above the
line. Every table row is first validated as a submission, and the verdict is computed on the
answers as stored (irrelevant answers cleared).
"""

from __future__ import annotations

import pytest

from surveys.instruments.definition import builtin_instrument
from surveys.instruments.validation import check_answers
from surveys.instruments.verdicts import (
    StandardRules,
    assess_household,
    derive_verdict,
    disagreements,
    household_income,
)
from tests.surveys.households import MEMBER_CHILD, MEMBER_HEAD, MEMBER_SPOUSE, household, member

LINE = 3218
VERIFICATION = builtin_instrument("verification", 1)


def _with_child(**changes):
    return [MEMBER_HEAD, MEMBER_SPOUSE, member(MEMBER_CHILD, **changes)]


# (case id, registration status, answers, expected verdict, expected failed standards)
TABLE = [
    # 1. 3,866.67 >= 3,218 and every other standard met.
    ("base_exited", "exited", household(), "meets_standard", ()),
    # 2. Exactly on the line: wages 7,054 -> 7,054 + 3,000 - 1,000 + 600 = 9,654 = 3 x 3,218.
    #    Poor means *below* the line, so the household meets it.
    ("income_on_line", "exited", household(income_wages=7054), "meets_standard", ()),
    # 3. One yuan less: 9,653 / 3 = 3,217.67 < 3,218 -> income fails alone -> 错退.
    ("income_below", "exited", household(income_wages=7053), "wrongly_exited", ("income",)),
    # 4. A business loss counts: 9,000 + 3,000 - 5,000 + 600 = 7,600 / 3 = 2,533.33 < 3,218.
    (
        "business_loss",
        "exited",
        household(income_business_costs=5000),
        "wrongly_exited",
        ("income",),
    ),
    # 5. High income judged not stable fails 一超过 ("stably above the line").
    ("income_unstable", "exited", household(income_stable=False), "wrongly_exited", ("income",)),
    # 6. No meat, eggs, milk or beans -> 不愁吃 fails alone.
    ("no_protein", "exited", household(food_protein=False), "wrongly_exited", ("food",)),
    # 7. Clothes mainly from donations do not count -> 不愁穿 fails alone.
    (
        "donated_clothes",
        "exited",
        household(clothing_mainly_donated=True),
        "wrongly_exited",
        ("clothing",),
    ),
    # 8. Child aged 10 out of school because of cost -> schooling fails alone.
    (
        "child_dropped_out",
        "exited",
        household(roster=_with_child(schooling="out_of_school", out_of_school_reason="cost")),
        "wrongly_exited",
        ("schooling",),
    ),
    # 9. Child out of school because physically unable is excused -> meets.
    (
        "child_physically_unable",
        "exited",
        household(
            roster=_with_child(schooling="out_of_school", out_of_school_reason="physically_unable")
        ),
        "meets_standard",
        (),
    ),
    # 10. Taught at home (送教上门) counts as schooled.
    (
        "child_home_taught",
        "exited",
        household(roster=_with_child(schooling="home_taught")),
        "meets_standard",
        (),
    ),
    # 11. Age 6 is school age (6-15 inclusive): a 6-year-old out of school for distance fails.
    (
        "age_6_out",
        "exited",
        household(
            roster=_with_child(age=6, schooling="out_of_school", out_of_school_reason="distance")
        ),
        "wrongly_exited",
        ("schooling",),
    ),
    # 12. Age 16 is past school age: not asked, not counted.
    (
        "age_16_not_school_age",
        "exited",
        household(roster=_with_child(age=16, schooling=None, migrant=False)),
        "meets_standard",
        (),
    ),
    # 13. The spouse without basic medical insurance -> medical fails alone.
    (
        "spouse_uninsured",
        "exited",
        household(roster=[MEMBER_HEAD, member(MEMBER_SPOUSE, insured=False), MEMBER_CHILD]),
        "wrongly_exited",
        ("medical",),
    ),
    # 14. House rated C, not renovated, not relocated -> housing fails alone.
    (
        "house_c",
        "exited",
        household(housing_rating="C", housing_renovated=False),
        "wrongly_exited",
        ("housing",),
    ),
    # 15. House rated D but centralised relocation with keys handed over -> safe.
    (
        "relocated_keys",
        "exited",
        household(
            housing_rating="D", housing_renovated=False, relocation="centralised_keys_handed_over"
        ),
        "meets_standard",
        (),
    ),
    # 16. D house, centralised relocation whose keys are not yet handed over -> still unsafe.
    (
        "relocation_pending",
        "exited",
        household(housing_rating="D", housing_renovated=False, relocation="centralised_pending"),
        "wrongly_exited",
        ("housing",),
    ),
    # 17. Dispersed resettlement, moved in -> safe even though the old house is unrated.
    (
        "dispersed_moved_in",
        "exited",
        household(housing_rating="not_rated", relocation="dispersed_moved_in"),
        "meets_standard",
        (),
    ),
    # 18. A C house renovated to the guideline (改造安全) -> safe.
    (
        "house_c_renovated",
        "exited",
        household(housing_rating="C", housing_renovated=True),
        "meets_standard",
        (),
    ),
    # 19. Water: exactly 35 L, exactly 20 min, exactly 36 days in a water-rich area -> all met.
    (
        "water_boundaries",
        "exited",
        household(water_quantity=35, water_fetch_minutes=20, water_interruption_days=36),
        "meets_standard",
        (),
    ),
    # 20. 34.9 L in a water-rich area -> water fails alone.
    ("water_34_9", "exited", household(water_quantity=34.9), "wrongly_exited", ("water",)),
    # 21. 20 L in a water-short area meets; 19.5 does not.
    (
        "water_short_20",
        "exited",
        household(water_short_area=True, water_quantity=20),
        "meets_standard",
        (),
    ),
    (
        "water_short_19_5",
        "exited",
        household(water_short_area=True, water_quantity=19.5),
        "wrongly_exited",
        ("water",),
    ),
    # 22. 21 minutes to fetch water -> fails; 37 days of interruption -> fails.
    ("fetch_21", "exited", household(water_fetch_minutes=21), "wrongly_exited", ("water",)),
    (
        "interrupted_37",
        "exited",
        household(water_interruption_days=37),
        "wrongly_exited",
        ("water",),
    ),
    # 23. Piped into the home: the fetching question is skipped (a stale 60 min answer is
    #     cleared) and convenience is met.
    (
        "piped_home",
        "exited",
        household(water_source="piped_home", water_fetch_minutes=60),
        "meets_standard",
        (),
    ),
    # 24. Non-registered household below the line: dibao 0, wages 5,000 -> 5,000 + 2,000 + 600
    #     = 7,600 / 3 = 2,533.33 < 3,218 -> poor and not registered -> 漏评.
    ("non_registered_poor", "non_registered", household(income_wages=5000), "missed", ("income",)),
    # 25. Non-registered household meeting everything -> not poor.
    ("non_registered_ok", "non_registered", household(), "meets_standard", ()),
    # 26. Not-yet-exited household failing water and housing -> still poor.
    (
        "not_exited_poor",
        "not_exited",
        household(water_quantity=10, housing_rating="D", housing_renovated=False),
        "still_poor",
        ("housing", "water"),
    ),
    # 27. Not-yet-exited household meeting every standard -> meets (ready to exit).
    ("not_exited_ok", "not_exited", household(), "meets_standard", ()),
]


@pytest.mark.parametrize(
    ("status", "answers", "verdict", "failed"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_derived_verdict_matches_the_hand_worked_table(status, answers, verdict, failed):
    checked = check_answers(VERIFICATION, answers, for_submission=True, context={"status": status})
    assert checked.problems == ()
    result = assess_household(checked.answers, status=status, poverty_line=LINE)
    assert (result.verdict, result.failed) == (verdict, failed)


def test_per_capita_income_and_near_line_flag():
    # 11,600 / 3 = 3,866.67; with a 20% band the near-line ceiling is 3,218 x 1.2 = 3,861.6.
    income = household_income(household(), LINE)
    assert income.net_income == 11600
    assert income.per_capita == pytest.approx(3866.6667, abs=1e-3)
    assert not income.near_line
    # With a 25% band the ceiling is 4,022.5: the same household is near the line.
    assert household_income(household(), LINE, StandardRules(near_line_band=0.25)).near_line
    # Exactly on the line is near the line (and meets it).
    assert household_income(household(income_wages=7054), LINE).near_line


def test_strict_comparator_makes_the_line_itself_poor():
    rules = StandardRules(income_at_line_meets=False)
    result = assess_household(
        household(income_wages=7054), status="exited", poverty_line=LINE, rules=rules
    )
    assert result.verdict == "wrongly_exited"


def test_instrument_computed_values_agree_with_the_verdict_module():
    answers = household(income_business_costs=5000)
    evaluation = check_answers(VERIFICATION, answers).evaluation
    income = household_income(answers, LINE)
    assert evaluation.values["net_income"] == income.net_income == 7600
    assert evaluation.values["net_income_per_capita"] == pytest.approx(income.per_capita)
    assert evaluation.values["household_size"] == 3


def test_missing_answers_leave_the_verdict_incomplete():
    result = assess_household(household(food_protein=None), status="exited", poverty_line=LINE)
    assert (result.verdict, result.meets, result.standards.food_ok) == ("incomplete", None, None)
    # ...but one standard failing decides, whatever is missing.
    failing = household(food_protein=None, water_quantity=1)
    assert assess_household(failing, status="exited", poverty_line=LINE).verdict == "wrongly_exited"


def test_assessor_disagreement_is_a_quality_flag_not_an_override():
    answers = household(income_wages=1000, income_ok=True, water_ok=False, water_ok_reason="浑浊")
    result = assess_household(answers, status="exited", poverty_line=LINE)
    assert result.verdict == "wrongly_exited"  # computed, not the assessor's "income ok"
    flags = {
        (d.standard, d.computed, d.assessor, d.reason)
        for d in disagreements(answers, result.standards)
    }
    assert flags == {("income", False, True, None), ("water", True, False, "浑浊")}


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="poverty_line"):
        household_income(household(), 0)
    with pytest.raises(ValueError, match="status"):
        derive_verdict("poor", True)
    with pytest.raises(ValueError, match="near_line_band"):
        StandardRules(near_line_band=1.5)
