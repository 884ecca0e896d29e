"""Simulated answers are valid for the real instruments and give the intended verdicts."""

import numpy as np
import pytest

from surveys.instruments.definition import builtin_instrument
from surveys.instruments.validation import validate
from surveys.instruments.verdicts import assess_household, is_recognising
from surveys.simulate import recognition_answers, verification_answers

LINE = 3218.0


@pytest.mark.parametrize("seed", range(80))
@pytest.mark.parametrize("status", ["exited", "not_exited", "non_registered"])
def test_simulated_answers_pass_validation_and_give_the_intended_verdict(seed, status):
    rng = np.random.default_rng(seed)
    persons = int(rng.integers(1, 7))
    poor = bool(seed % 3 == 0)
    answers = verification_answers(
        rng, persons=persons, head_name="张三", poverty_line=LINE, poor=poor
    )
    verification = builtin_instrument("verification", 1)
    assert validate(verification, answers, context={"status": status}) == []
    verdict = assess_household(answers, status=status, poverty_line=LINE)
    expected = {
        ("exited", True): "wrongly_exited",
        ("exited", False): "meets_standard",
        ("non_registered", True): "missed",
        ("not_exited", True): "still_poor",
    }
    if (status, poor) in expected:
        assert verdict.verdict == expected[(status, poor)]
    assert verdict.meets is (not poor)
    recognising = bool(seed % 4)
    rec = recognition_answers(rng, status=status, recognising=recognising)
    instrument = builtin_instrument("recognition", 1)
    assert validate(instrument, rec, context={"status": status}) == []
    assert is_recognising(rec, instrument.recognition_rule) is recognising
