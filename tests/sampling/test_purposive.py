"""Purposive villages: added to a two-stage draw by choice, flagged, never disturbing the rest."""

import numpy as np
import pytest

from sampling import rng
from sampling.designs import canonical_json, parse_design
from sampling.frames import read_frame
from sampling.selection import draw
from sampling.synthetic import synthetic_frame_csv

HIERARCHY = {f"乡{t}": [f"村{t}-{v}" for v in range(8)] for t in range(3)}
BASE = {
    "type": "two-stage",
    "villages": {"poor": 2, "non_poor": 2},
    "households_per_village": {"exited": 3, "non_registered": 3},
    "reserves_per_household": 1,
}
SEED = bytes(range(32))


@pytest.fixture(scope="module")
def frame():
    data = synthetic_frame_csv(HIERARCHY, 1200, rng=np.random.default_rng(4))
    return read_frame(data).frame


def test_design_without_purposive_villages_keeps_its_canonical_form():
    assert "purposive" not in canonical_json(parse_design(BASE))


def test_purposive_village_is_added_and_flagged(frame):
    plain = draw(frame, parse_design(BASE), SEED)
    drawn = {v.village_key for v in plain.villages}
    outside = next(k for k in frame.villages.key.tolist() if k not in drawn)
    design = parse_design({**BASE, "purposive_villages": [outside]})
    result = draw(frame, design, SEED)
    by_key = {v.village_key: v for v in result.villages}
    assert by_key[outside].purposive
    assert not any(v.purposive for k, v in by_key.items() if k != outside)
    assert {k for k, v in by_key.items() if not v.purposive} == drawn  # first stage unchanged
    assert any(h.village_key == outside and h.role == "selected" for h in result.households)


def test_a_purposive_village_drawn_at_random_stays_random(frame):
    plain = draw(frame, parse_design(BASE), SEED)
    chosen = plain.villages[0].village_key
    result = draw(frame, parse_design({**BASE, "purposive_villages": [chosen]}), SEED)
    assert not {v.village_key: v for v in result.villages}[chosen].purposive


def test_unknown_or_malformed_purposive_villages_are_refused(frame):
    with pytest.raises(ValueError, match="purposive"):
        parse_design({**BASE, "purposive_villages": "村1"})
    with pytest.raises(ValueError, match="not in the frame"):
        draw(frame, parse_design({**BASE, "purposive_villages": ["nowhere/none"]}), SEED)
    assert rng.seed_hex(SEED)  # the seed itself is fine
