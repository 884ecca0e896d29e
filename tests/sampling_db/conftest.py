"""A small imported county frame for plan tests."""

import numpy as np
import pytest

from sampling.services import FrameService
from sampling.synthetic import synthetic_frame_csv
from tests.factories import make_county

HIERARCHY = {f"乡{t}": [f"村{t}-{v}" for v in range(1, 7)] for t in range(1, 4)}
SMALL_DESIGN = {
    "type": "two-stage",
    "villages": {"poor": 3, "non_poor": 2},
    "households_per_village": {"exited": 4, "not_exited": 1, "non_registered": 4},
    "reserves_per_household": 2,
    "screening": True,
}


@pytest.fixture
def frame(dbsession):
    county = make_county(dbsession, townships=0)
    data = synthetic_frame_csv(HIERARCHY, 1800, rng=np.random.default_rng(7), id_prefix="T")
    outcome = FrameService(dbsession).import_file(county, data, "t.csv")
    assert outcome.frame is not None, outcome.result.issues[:3]
    return outcome.frame
