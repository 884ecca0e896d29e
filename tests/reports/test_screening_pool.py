"""漏评率's screening model pooled for a round (``reports.icc``): what it rests on and when it is
enough (ten complete counties with screening, ten events in each group), on simulated
counties (``bench/sim_population.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from assessment.indicators.icc import (
    PooledIcc,
    pooled_screening_model,
    screening_group_events,
)
from bench.sim_population import draw, make_population
from reports import icc


def _groups(counties: int) -> list[dict]:
    out = []
    for j in range(counties):
        population = make_population(np.random.default_rng([7, j]), 0.02, 0.02)
        out.append(screening_group_events(draw(np.random.default_rng([8, j]), population)))
    return out


def test_the_pooled_model_counts_each_groups_events_by_hand():
    groups = _groups(3)
    found = icc._screening(groups)
    model = pooled_screening_model(groups)
    assert found.model == (*model["census"], *model["unflagged"])
    assert found.counties == 3
    # census events: flagged and missed households; unflagged: missed SRS households unflagged
    assert found.census_events == sum(int(np.sum(g["flagged"][1])) for g in groups)
    assert found.unflagged_events == sum(int(np.sum(g["unflagged"][1])) for g in groups)
    assert found.census_events > 0 and found.unflagged_events > 0
    assert icc._screening([]) == icc.ScreeningPool()


@pytest.mark.parametrize(
    ("counties", "census", "unflagged", "enough"),
    [(10, 10, 10, True), (9, 40, 40, False), (10, 9, 40, False), (10, 40, 9, False)],
)
def test_a_screening_model_needs_ten_counties_and_ten_events_a_group(
    counties, census, unflagged, enough
):
    pool = icc.ScreeningPool(counties, census, unflagged, (0.6, 0.1, 0.4, 0.05))
    assert pool.enough is enough
    values = {
        "wrongful_exit_rate": PooledIcc(0.05, 12, 80, 900, 20),
        "missed_rate": PooledIcc(0.2, 12, 80, 900, 30),
    }
    pooled = icc.Pooled(None, 12, 12, values, pool)  # type: ignore[arg-type]
    assert pooled.enough_screening is enough
    # the pooled ρ of 漏评 itself still needs its own ten events
    few = {**values, "missed_rate": PooledIcc(0.2, 12, 80, 900, 9)}
    assert not icc.Pooled(None, 12, 12, few, pool).enough_screening  # type: ignore[arg-type]
