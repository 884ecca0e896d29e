"""Non-contact: adjusted weights in the estimates and the export, response rates, worst case."""

import pytest

from assessment.core.models import Role
from reports import county_estimates as ce
from reports.services import county_snapshot
from reports.survey_export import HOUSEHOLD_COLUMNS, export_sheets
from surveys.instrument_store import ensure_builtin_instruments
from tests.factories import make_team, make_user
from tests.rounds.helpers import interview, not_reached
from tests.survey_factories import make_drawn_plan


@pytest.fixture
def county(dbsession):
    """Two villages of two sampled exited households each (weight 20, three persons, no
    reserve). Village 1: a1 interviewed, a2 refuses. Village 2: b1 wrongly exited, b2 fine."""
    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    drawn = make_drawn_plan(dbsession, team, villages=2, selected=2, reserves=0)
    assessor = make_user(dbsession, Role.assessor, team=team)
    supervisor = make_user(dbsession, Role.supervisor, team=team)
    (a1, a2), (b1, b2) = (drawn.selected[(v.id, "exited")] for v in drawn.villages)
    interview(dbsession, a1, assessor, supervisor)
    assert not_reached(dbsession, a2, assessor, "refused") is None
    interview(dbsession, b1, assessor, supervisor, poor=True)
    interview(dbsession, b2, assessor, supervisor)
    return drawn, (a1, a2, b1, b2)


def test_the_interviewed_household_carries_its_cell_and_the_export_says_so(dbsession, county):
    drawn, (a1, _, b1, b2) = county
    data = ce.county_data(dbsession, drawn.county)
    weights = {r["plan_household_id"]: (r["weight"], r["base_weight"]) for r in data.rows}
    assert weights == {a1.id: (40.0, 20.0), b1.id: (20.0, 20.0), b2.id: (20.0, 20.0)}
    # 错退率 = Σ w persons wrong / Σ w persons = 20·3 / (40·3 + 20·3 + 20·3); unadjusted: 1/3.
    result = ce.assess(data)["wrongful_exit_rate"]
    assert result.estimate == pytest.approx(0.25, rel=1e-12)
    households = export_sheets(dbsession, data)[0]
    names = [c.name for c in HOUSEHOLD_COLUMNS]
    exported = {
        r[0]: (r[names.index("weight")], r[names.index("base_weight")]) for r in households.rows
    }
    assert exported[a1.household.household_id] == (40.0, 20.0)


def test_response_rates_and_the_worst_case_are_in_the_snapshot(dbsession, county):
    drawn, _ = county
    snap = county_snapshot(dbsession, drawn.county)
    (exited,) = snap.coverage.response
    assert (exited.group, exited.fielded, exited.interviewed, exited.non_contacts) == (
        "exited",
        4,
        3,
        1,
    )
    assert exited.rate == pytest.approx(0.75) and exited.definition == "AAPOR RR1"
    # Worst case, base weights: a2 (not reached) counted wrongly exited with b1: 6 of 12.
    assert snap.indicator("wrongful_exit_rate").worst_case == pytest.approx(0.5)
    # Fieldwork is complete, but no non-registered household was sampled: no 漏评率.
    assert not snap.interim and snap.state == "final"
    assert snap.indicator("missed_rate").verdict == "insufficient_data"
    assert snap.verdict == "insufficient_data"
