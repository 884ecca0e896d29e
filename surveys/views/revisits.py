"""The households of a re-visit draw, as the supervisor finds them in the field."""

from __future__ import annotations

import json

from sqlalchemy import select

from sampling.models import FrameVillage, Household, PlanHousehold, Village
from surveys.models import Interview


def revisit_households(dbsession, draws) -> list[tuple]:
    """(draw, [(plan household id, head's name, household id, village name)]) per draw, in
    the order drawn; the page links each to its review page."""
    out = []
    for draw in draws:
        ids = json.loads(draw.interview_ids_json)
        rows = {
            interview_id: row
            for interview_id, *row in dbsession.execute(
                select(
                    Interview.id,
                    PlanHousehold.id,
                    Household.head_name,
                    Household.household_id,
                    Village.name,
                )
                .join(PlanHousehold, Interview.plan_household_id == PlanHousehold.id)
                .join(Household, PlanHousehold.household_pk == Household.id)
                .join(FrameVillage, Household.frame_village_id == FrameVillage.id)
                .join(Village, FrameVillage.village_id == Village.id)
                .where(Interview.id.in_(ids))
            )
        }
        out.append((draw, [tuple(rows[i]) for i in ids if i in rows]))
    return out
