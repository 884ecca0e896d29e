"""A county without a sampling plan: publishing its appeal cases and drawing its back-checks
are refused with the one message (sampling.services.require_current_plan), nothing made."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from appeals.models import AppealPublication
from assessment.core.models import Role
from backchecks.models import BackcheckDraw
from tests.factories import make_county, make_user


@pytest.mark.parametrize(
    ("action", "page", "model"),
    [
        ("/appeals/county/{code}/publish", "/appeals/county/{code}", AppealPublication),
        ("/quality/county/{code}/draw", "/quality/county/{code}", BackcheckDraw),
    ],
)
def test_acting_on_a_county_without_plan_is_refused_in_words(
    testapp, dbsession, action, page, model
):
    county = make_county(dbsession)
    coordinator = make_user(dbsession, Role.coordinator)
    testapp.login(coordinator.username)
    answer = testapp.post_form(
        action.format(code=county.code), {}, token_from=page.format(code=county.code), status=303
    )
    shown = answer.follow()
    assert f"{county.code} 县尚未抽取样本。" in shown.text
    assert dbsession.scalar(select(func.count()).select_from(model)) == 0
