"""A county with completed fieldwork, a back-check share of 25 % and a second team."""

from __future__ import annotations

import pytest

from assessment.core.models import Role
from tests.appeals.helpers import completed_field
from tests.factories import make_team, make_user


@pytest.fixture
def field(dbsession):
    field = completed_field(dbsession)
    field.drawn.assessment_round.backcheck_share = 0.25
    field.drawn.assessment_round.backcheck_min = 2
    field.other_team = make_team(dbsession)
    field.checker = make_user(dbsession, Role.supervisor, team=field.other_team)
    dbsession.flush()
    return field
