"""A county with a frame and a drawn plan, built directly from ORM rows (for survey tests).

Per plan village and stratum: ``selected`` households with role "selected" and ``reserves``
households with role "reserve" ranked 1..k. Household statuses follow the stratum name
(``exited``, ``not_exited``, ``non_registered``); every household has ``household_size``
members in the frame.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from assessment.core.models import AssessmentRound, County, Team
from sampling.models import Frame, FrameVillage, Household, PlanHousehold, PlanVillage, SamplePlan
from tests.factories import make_county

_counter = itertools.count(1)


@dataclass
class DrawnPlan:
    county: County
    frame: Frame
    plan: SamplePlan
    villages: list[PlanVillage]
    assessment_round: AssessmentRound | None
    selected: dict[tuple[int, str], list[PlanHousehold]] = field(default_factory=dict)
    reserves: dict[tuple[int, str], list[PlanHousehold]] = field(default_factory=dict)

    def first_selected(self, village: int = 0, stratum: str = "exited") -> PlanHousehold:
        return self.selected[(self.villages[village].id, stratum)][0]


def _household(db, frame, fv, stratum, size, n) -> Household:
    hh = Household(
        frame_id=frame.id,
        frame_village_id=fv.id,
        household_id=f"H{n:06d}",
        status=stratum,
        exit_year=2018 if stratum == "exited" else None,
        household_size=size,
        head_name=f"户主{n}",
        dibao=False,
        unsafe_house=False,
        serious_illness=False,
        no_labour=False,
        elderly_alone=False,
        attributes="{}",
        source_row=n,
    )
    db.add(hh)
    return hh


def _plan_household(db, plan, pv, hh, stratum, role, rank) -> PlanHousehold:
    ph = PlanHousehold(
        plan_id=plan.id,
        plan_village_id=pv.id,
        household_pk=hh.id,
        stratum=stratum,
        role=role,
        reserve_rank=rank,
        pi_village=0.5,
        pi_household=0.1,
        pi=0.05,
        weight=20.0,
    )
    db.add(ph)
    return ph


def make_drawn_plan(
    db,
    team: Team | None,
    *,
    county: County | None = None,
    villages: int = 2,
    strata: tuple[str, ...] = ("exited",),
    selected: int = 2,
    reserves: int = 3,
    household_size: int = 3,
    poverty_line: float | None = 3218.0,
    version: int = 1,
) -> DrawnPlan:
    """A county, its frame and a drawn plan whose villages are all assigned to ``team``."""
    county = county or make_county(db, townships=1, villages=villages)
    now = dt.datetime(2019, 7, 1)
    frame = Frame(
        county_id=county.id,
        version=version,
        content_hash="0" * 64,
        file_name="f.csv",
        file_format="csv",
        households=0,
        persons=0,
        created_at=now,
    )
    db.add(frame)
    db.flush()
    plan = SamplePlan(
        county_id=county.id,
        frame_id=frame.id,
        version=version,
        design_json="{}",
        seed_hash="0" * 64,
        seed_hex="0" * 64,
        commitment="0" * 64,
        committed_at=now,
        drawn_at=now,
    )
    db.add(plan)
    db.flush()
    drawn = DrawnPlan(county, frame, plan, [], None)
    village_rows = [v for t in county.townships for v in t.villages][:villages]
    for i, village in enumerate(village_rows):
        fv = FrameVillage(
            frame_id=frame.id,
            village_id=village.id,
            village_key=f"k{i}",
            village_type="poor",
            remote=False,
            households=100,
            persons=330,
        )
        db.add(fv)
        db.flush()
        pv = PlanVillage(
            plan_id=plan.id,
            frame_village_id=fv.id,
            stratum="poor",
            pi_village=0.5,
            team_id=team.id if team is not None else None,
        )
        db.add(pv)
        db.flush()
        drawn.villages.append(pv)
        for stratum in strata:
            for role, count in (("selected", selected), ("reserve", reserves)):
                households = [
                    _household(db, frame, fv, stratum, household_size, next(_counter))
                    for _ in range(count)
                ]
                db.flush()
                rows = [
                    _plan_household(
                        db, plan, pv, hh, stratum, role, k + 1 if role == "reserve" else None
                    )
                    for k, hh in enumerate(households)
                ]
                target = drawn.selected if role == "selected" else drawn.reserves
                target[(pv.id, stratum)] = rows
    db.flush()
    if poverty_line is not None:
        drawn.assessment_round = AssessmentRound(
            name=f"round {county.code}", year=2019, poverty_line=poverty_line, counties=[county]
        )
        db.add(drawn.assessment_round)
        db.flush()
    return drawn
