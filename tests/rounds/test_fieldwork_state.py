"""When is fieldwork complete: every planned household resolved, or closed with a reason."""

import pytest

from assessment.core.errors import DomainError
from assessment.core.models import Role
from surveys.fieldwork import FieldworkService
from surveys.instrument_store import ensure_builtin_instruments
from tests.factories import make_team, make_user
from tests.rounds.helpers import interview, not_reached
from tests.survey_factories import make_drawn_plan


@pytest.fixture
def field(dbsession):
    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    drawn = make_drawn_plan(dbsession, team, villages=2, selected=2, reserves=1)
    assessor = make_user(dbsession, Role.assessor, team=team)
    supervisor = make_user(dbsession, Role.supervisor, team=team)
    return drawn, assessor, supervisor


def state(dbsession, drawn):
    return FieldworkService(dbsession).state(drawn.plan)


def test_fieldwork_is_complete_only_when_every_planned_household_is_resolved(dbsession, field):
    drawn, assessor, supervisor = field
    (a1, a2), (b1, b2) = (drawn.selected[(v.id, "exited")] for v in drawn.villages)
    assert state(dbsession, drawn).planned == 4 and not state(dbsession, drawn).complete
    interview(dbsession, a1, assessor, supervisor)
    submitted_only = interview(dbsession, a2, assessor)  # submitted, not approved: open
    assert state(dbsession, drawn).resolved == 1
    # b1 is not at home: its reserve is released, and b1 is resolved once the reserve is.
    reserve = not_reached(dbsession, b1, assessor)
    assert reserve is not None and state(dbsession, drawn).resolved == 1
    interview(dbsession, reserve, assessor, supervisor)
    assert state(dbsession, drawn).resolved == 2
    # b2 refuses with the village's only reserve used up: resolved as exhausted.
    assert not_reached(dbsession, b2, assessor, "refused") is None
    found = state(dbsession, drawn)
    assert (found.resolved, found.exhausted, found.complete) == (3, 1, False)
    from surveys.review import ReviewService

    ReviewService(dbsession).approve(submitted_only, supervisor)
    found = state(dbsession, drawn)
    assert (found.resolved, found.by_approval, found.complete) == (4, 3, True)
    assert [(c.released, c.available) for c in found.cells] == [(0, 1), (1, 0)]


def test_a_reserve_chain_resolves_through_its_last_link(dbsession):
    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    drawn = make_drawn_plan(dbsession, team, villages=1, selected=1, reserves=2)
    assessor = make_user(dbsession, Role.assessor, team=team)
    (ph,) = drawn.selected[(drawn.villages[0].id, "exited")]
    first = not_reached(dbsession, ph, assessor)
    second = not_reached(dbsession, first, assessor, "moved")
    assert not state(dbsession, drawn).complete  # the second reserve is still due
    assert not_reached(dbsession, second, assessor, "not_found") is None
    found = state(dbsession, drawn)
    assert (found.resolved, found.exhausted, found.complete) == (1, 1, True)
    assert found.dispositions["exited"].fielded == 3
    assert found.dispositions["exited"].outcomes == {"absent": 1, "moved": 1, "not_found": 1}


def test_an_unreached_screening_household_is_resolved_without_reserves(dbsession):
    ensure_builtin_instruments(dbsession)
    team = make_team(dbsession)
    drawn = make_drawn_plan(
        dbsession, team, villages=1, strata=("exited", "non_registered"), selected=1, reserves=1
    )
    assessor = make_user(dbsession, Role.assessor, team=team)
    (screening,) = drawn.reserves[(drawn.villages[0].id, "non_registered")]
    screening.role, screening.reserve_rank = "screening", None
    dbsession.flush()
    assert state(dbsession, drawn).planned == 3
    assert not_reached(dbsession, screening, assessor) is None
    found = state(dbsession, drawn)
    assert found.resolved == 1 and found.dispositions["screening"].outcomes == {"absent": 1}


def test_closing_fieldwork_completes_it_and_records_who_when_why(dbsession, field):
    drawn = field[0]
    coordinator = make_user(dbsession, Role.coordinator)
    service = FieldworkService(dbsession)
    with pytest.raises(DomainError, match="reason"):
        service.close(drawn.plan, coordinator, "   ")
    assert not state(dbsession, drawn).complete
    service.close(drawn.plan, coordinator, "山洪阻断道路，剩余样本无法入户")
    found = state(dbsession, drawn)
    assert found.complete and found.pending == 4
    assert found.closure.closed_by == coordinator.display_name
    assert found.closure.reason == "山洪阻断道路，剩余样本无法入户"
    with pytest.raises(DomainError, match="closed already"):
        service.close(drawn.plan, coordinator, "again")
