"""A screening-flagged household the SRS selected, out of contact: its reserve does not stand
in for it in the census of flagged households (docs/estimation.md, "Non-contact of a flagged
household the SRS selected")."""

import pytest

from assessment.core.models import Role
from reports import county_estimates as ce
from reports.survey_export import HOUSEHOLD_COLUMNS, export_sheets
from surveys.instrument_store import ensure_builtin_instruments
from tests.factories import make_team, make_user
from tests.rounds.helpers import interview, not_reached
from tests.survey_factories import _household, _plan_household, make_drawn_plan

PERSONS = 3


@pytest.fixture
def county(dbsession):
    """One village (weight 2) with screening. Non-registered SRS: s1 (flagged, dibao) and s2,
    weight 20 each (pi_household 0.1), two unflagged reserves. Screening: c1 and c2 (flagged,
    weight 2). Every household has three persons; the village's list holds these six."""
    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    drawn = make_drawn_plan(
        dbsession,
        team,
        villages=1,
        strata=("non_registered",),
        selected=2,
        reserves=2,
        household_size=PERSONS,
    )
    drawn.plan.design_json = '{"screening": true}'
    village = drawn.villages[0]
    s1, s2 = drawn.selected[(village.id, "non_registered")]
    s1.household.dibao = True
    census = []
    for k in (1, 2):
        household = _household(
            dbsession, drawn.frame, village.frame_village, "non_registered", PERSONS, 900 + k
        )
        household.dibao = True
        dbsession.flush()
        ph = _plan_household(
            dbsession, drawn.plan, village, household, "non_registered", "screening", None
        )
        ph.pi_household, ph.pi, ph.weight = 1.0, 0.5, 2.0  # the census: 1 / pi_village
        census.append(ph)
    dbsession.flush()
    assessor = make_user(dbsession, Role.assessor, team=team)
    supervisor = make_user(dbsession, Role.supervisor, team=team)
    return drawn, (s1, s2), census, assessor, supervisor


def _missed_rate(dbsession, drawn):
    data = ce.county_data(dbsession, drawn.county)
    return data, ce.assess(data)["missed_rate"].estimate


def test_the_reserve_of_a_flagged_household_counts_for_recognition_not_for_missed(
    dbsession, county
):
    """s1 (flagged) is out of contact; its reserve r1 is found missed. r1 counts no missed
    person (it holds the SRS slot, whose unflagged share was nil), and s1 becomes a
    non-respondent of the village's census of flagged households: c1 and c2 (weight 2 each)
    carry its census weight, 20 × 0.1 = 2, so weigh 3 each. c1 is missed (three persons):
    漏评率 = 3 × 3 / (2 × 18) = 0.25. Had r1 stood in for s1, the rate would have been
    (20 × 3 + 2 × 3) / 36."""
    drawn, (s1, s2), (c1, c2), assessor, supervisor = county
    r1 = not_reached(dbsession, s1, assessor)
    assert r1 is not None and not any(
        getattr(r1.household, f) for f in ("dibao", "unsafe_house", "serious_illness")
    )
    interview(dbsession, r1, assessor, supervisor, poor=True)
    interview(dbsession, s2, assessor, supervisor)
    interview(dbsession, c1, assessor, supervisor, poor=True)
    interview(dbsession, c2, assessor, supervisor)

    data, estimate = _missed_rate(dbsession, drawn)
    rows = {r["plan_household_id"]: r for r in data.rows}
    assert rows[r1.id]["verdict"] == "missed"
    assert rows[r1.id]["missed_persons"] == 0.0 and rows[r1.id]["missed_size"] == 0.0
    assert rows[r1.id]["weight"] == pytest.approx(20.0)  # the SRS slot is filled
    assert rows[r1.id]["recognises"] == 1.0  # and answers for recognition
    assert (rows[c1.id]["weight"], rows[c2.id]["weight"]) == pytest.approx((3.0, 3.0))
    assert rows[c1.id]["missed_persons"] == PERSONS
    assert estimate == pytest.approx(0.25, rel=1e-12)

    # the export carries the same figures, so `assess estimate` reproduces the report
    households = export_sheets(dbsession, data)[0]
    names = [c.name for c in HOUSEHOLD_COLUMNS]
    exported = {r[0]: r for r in households.rows}
    r1_row = exported[r1.household.household_id]
    assert r1_row[names.index("missed_persons")] == 0.0
    assert exported[c1.household.household_id][names.index("weight")] == pytest.approx(3.0)


def test_a_flagged_household_reached_itself_counts_in_the_census_at_weight_one(dbsession, county):
    """Nobody out of contact: s1 (flagged, missed) counts its persons at its census weight,
    the village's 2 (weight 20 × pi_household 0.1), as the screening households do; no reserve
    is used: 漏评率 = (2 × 3 + 2 × 3) / 36 = 1/3 with s1 and c1 missed."""
    drawn, (s1, s2), (c1, c2), assessor, supervisor = county
    interview(dbsession, s1, assessor, supervisor, poor=True)
    interview(dbsession, s2, assessor, supervisor)
    interview(dbsession, c1, assessor, supervisor, poor=True)
    interview(dbsession, c2, assessor, supervisor)
    data, estimate = _missed_rate(dbsession, drawn)
    rows = {r["plan_household_id"]: r for r in data.rows}
    assert rows[s1.id]["missed_persons"] == pytest.approx(PERSONS * 0.1)
    assert (rows[c1.id]["weight"], rows[c2.id]["weight"]) == pytest.approx((2.0, 2.0))
    assert estimate == pytest.approx(1 / 3, rel=1e-12)
