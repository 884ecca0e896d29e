"""Back-checks: draw the sample, record the re-visits, compare with the originals.

The original interviews are only read: a back-check's answers are stored on its own row, and
a supervisor who finds a problem returns the interview through the normal review.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import Team, User, utcnow
from assessment.core.services import county_round
from backchecks.compare import (
    Comparison,
    DrawCheck,
    Pair,
    compare,
    differs,
    draw_commitment,
    draw_digest,
    draw_sample,
    population_hash,
    seed_hash,
    verify_draw,
)
from backchecks.models import ASSIGNED, DONE, Backcheck, BackcheckDraw
from backchecks.spec import BackcheckItem, parse_spec, shipped_spec
from sampling.services import PlanHousehold, PlanVillage, SamplePlan
from surveys.services import APPROVED, Interview, ReviewService, builtin_instrument

SEED_LIMIT = 2**31  # a 32-bit column
MAX_NUMBER = 10**9


def backcheck_items(
    instrument_id: str = "verification", version: int = 1
) -> tuple[BackcheckItem, ...]:
    """The shipped back-check items of an instrument version, checked against it."""
    return parse_spec(
        shipped_spec(instrument_id, version), builtin_instrument(instrument_id, version)
    )


def assessor_code(user_id: int | None) -> str:
    """How reports name an assessor: a code, never the name."""
    return "A–" if user_id is None else f"A{user_id:04d}"


def original_answers(interview: Interview) -> dict[str, Any]:
    """The answers a back-check is compared with (household size from the roster's count)."""
    answers = json.loads(interview.verification_json or "{}")
    answers["household_size"] = interview.persons
    return answers


def assigned_backchecks(dbsession: Session, team_id: int) -> list[Backcheck]:
    """The back-checks assigned to the team ``team_id`` and still to do, oldest first."""
    query = select(Backcheck).where(Backcheck.team_id == team_id, Backcheck.status == ASSIGNED)
    return list(dbsession.scalars(query.order_by(Backcheck.id)))


class BackcheckService:
    """Draw a plan's back-check sample, record re-visits, compare them."""

    def __init__(
        self,
        dbsession: Session,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        items: tuple[BackcheckItem, ...] | None = None,
    ):
        self.db = dbsession
        self.clock = clock
        self.items = items or backcheck_items()

    def draw_of(self, plan: SamplePlan | None) -> BackcheckDraw | None:
        if plan is None:
            return None
        return self.db.scalar(select(BackcheckDraw).where(BackcheckDraw.plan_id == plan.id))

    def _approved(self, plan: SamplePlan) -> list[tuple[Interview, int | None]]:
        query = (
            # A re-visit's team is the one the appeal ruling named.
            select(Interview, func.coalesce(Interview.revisit_team_id, PlanVillage.team_id))
            .join(PlanHousehold, Interview.plan_household_id == PlanHousehold.id)
            .join(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
            .where(
                Interview.plan_id == plan.id,
                Interview.status == APPROVED,
                Interview.contact_outcome == "interviewed",
            )
            .order_by(Interview.id)
        )
        return [(i, t) for i, t in self.db.execute(query)]

    def draw(self, plan: SamplePlan, user: User | None, *, seed: int | None = None):
        """Draw the back-check sample of ``plan`` (once) and assign it to other teams."""
        if self.draw_of(plan) is not None:
            raise DomainError(Message(N_("The back-check sample of this plan is drawn already.")))
        approved = self._approved(plan)
        if not approved:
            raise DomainError(Message(N_("No approved interview to back-check yet.")))
        seed = secrets.randbelow(SEED_LIMIT) if seed is None else int(seed)
        if not 0 <= seed < SEED_LIMIT:
            raise DomainError(Message(N_("The seed must be a whole number below 2^31.")))
        share, minimum = _settings(self.db, plan)
        population: dict[str, list[int]] = {}
        for interview, _team in approved:
            population.setdefault(assessor_code(_author(interview)), []).append(interview.id)
        record = self._commit(plan, user, share, minimum, population, seed)
        drawn = draw_sample(population, share, minimum, seed)
        record.selected_json = json.dumps(drawn)
        record.digest = draw_digest(population, share, minimum, seed, drawn)
        record.drawn_at = self.clock()
        teams = list(self.db.scalars(select(Team.id).order_by(Team.id)))
        by_id = {i.id: (i, t) for i, t in approved}
        for n, interview_id in enumerate(drawn):
            interview, team = by_id[interview_id]
            others = [t for t in teams if t != team]
            if not others:
                raise DomainError(
                    Message(N_("A back-check needs a team other than the one that interviewed."))
                )
            self.db.add(
                Backcheck(
                    draw_id=record.id,
                    interview_id=interview_id,
                    assessor_id=_author(interview),
                    original_team_id=team,
                    team_id=others[n % len(others)],
                    status=ASSIGNED,
                )
            )
        self.db.flush()
        self.db.refresh(record)
        return record

    def _commit(self, plan, user, share, minimum, population, seed) -> BackcheckDraw:
        """Record the commitment to the draw (flushed) before the sample is drawn."""
        seed_sha = seed_hash(seed)
        record = BackcheckDraw(
            plan_id=plan.id,
            share=share,
            minimum=minimum,
            seed=seed,
            population_json=json.dumps(population, sort_keys=True),
            selected_json="[]",
            digest="",
            seed_hash=seed_sha,
            commitment=draw_commitment(
                plan.id, share, minimum, population_hash(population), seed_sha
            ),
            committed_at=self.clock(),
            committed_by_id=user.id if user else None,
            drawn_by_id=user.id if user else None,
            drawn_at=self.clock(),
        )
        self.db.add(record)
        self.db.flush()  # the commitment is on record before the draw
        return record

    def verify(self, draw: BackcheckDraw) -> DrawCheck:
        """Re-check the recorded draw (seed, commitment, sample, digest)."""
        return verify_draw(
            plan_id=draw.plan_id,
            share=draw.share,
            minimum=draw.minimum,
            seed=draw.seed,
            population=json.loads(draw.population_json),
            selected=json.loads(draw.selected_json),
            recorded_seed_sha256=draw.seed_hash,
            recorded_commitment=draw.commitment,
            recorded_digest=draw.digest,
        )

    def record(self, backcheck: Backcheck, user: User, raw: Mapping[str, Any]) -> Backcheck:
        """Store the re-visit's answers (form text or JSON values), checked item by item."""
        answers = {}
        for item in self.items:
            value = _parse(item, raw.get(item.name))
            if value is not None:
                answers[item.name] = value
        if not answers:
            raise DomainError(Message(N_("Answer at least one back-check question.")))
        if backcheck.status == DONE:
            raise DomainError(Message(N_("This back-check is recorded already.")))
        backcheck.answers_json = json.dumps(answers, ensure_ascii=False, sort_keys=True)
        backcheck.status, backcheck.done_by_id, backcheck.done_at = DONE, user.id, self.clock()
        self.db.flush()
        return backcheck

    def differences(
        self, backcheck: Backcheck
    ) -> list[tuple[BackcheckItem, Any, Any, bool | None]]:
        """Item by item: the original answer, the back-check's, and whether they differ
        beyond the tolerance (None: not compared)."""
        first, again = original_answers(backcheck.interview), json.loads(backcheck.answers_json)
        return [
            (
                i,
                first.get(i.name),
                again.get(i.name),
                differs(i, first.get(i.name), again.get(i.name)),
            )
            for i in self.items
        ]

    def return_interview(self, backcheck: Backcheck, user: User, reason: str | None) -> None:
        """Return the back-checked (approved) interview to its assessor through the normal
        review, with a reason; the back-check's answers never touch the interview's."""
        if backcheck.status != DONE:
            raise DomainError(Message(N_("The back-check is not recorded yet.")))
        discrepant = [i.name for i, _a, _b, found in self.differences(backcheck) if found]
        ReviewService(self.db, clock=self.clock).return_approved(
            backcheck.interview,
            user,
            "backcheck",
            reason or "",
            [("backcheck", backcheck.id), ("backcheck.discrepant", ", ".join(discrepant) or "-")],
        )

    def comparison(self, plan: SamplePlan | None) -> Comparison | None:
        draw = self.draw_of(plan)
        if draw is None:
            return None
        pairs = [
            Pair(
                assessor_code(b.assessor_id),
                b.original_team.name if b.original_team else "–",
                original_answers(b.interview),
                json.loads(b.answers_json),
            )
            for b in draw.backchecks
            if b.status == DONE
        ]
        return compare(pairs, self.items)


def _author(interview: Interview) -> int | None:
    return interview.entered_by_id or interview.submitted_by_id


def _settings(db: Session, plan: SamplePlan) -> tuple[float, int]:
    """The round's share and minimum (the plan's round, else the county's)."""
    found = plan.assessment_round or county_round(db, plan.county)
    if found is None:
        return 0.1, 2
    return float(found.backcheck_share), int(found.backcheck_min)


MSG_NUMBER = N_("{label}: enter a number between 0 and {max}.")
MSG_CHOICE = N_("{label}: choose one of the options.")


def _parse(item: BackcheckItem, value: Any) -> Any:
    """One answer from text or JSON; None when blank; DomainError when not valid."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    label = item.label.zh
    if not isinstance(value, str | bool | int | float):
        raise DomainError(Message(MSG_CHOICE, {"label": label}), item.name)
    if item.numeric:
        try:
            number = float(str(value).strip()) if not isinstance(value, bool) else math.nan
        except ValueError:
            number = math.nan
        if not (math.isfinite(number) and 0 <= number <= MAX_NUMBER):
            raise DomainError(Message(MSG_NUMBER, {"label": label, "max": MAX_NUMBER}), item.name)
        if item.answer_type == "integer":
            if number != int(number):
                raise DomainError(
                    Message(MSG_NUMBER, {"label": label, "max": MAX_NUMBER}), item.name
                )
            return int(number)
        return number
    if item.answer_type == "yes_no":
        found = {"yes": True, "no": False, True: True, False: False}.get(value)
        if found is None:
            raise DomainError(Message(MSG_CHOICE, {"label": label}), item.name)
        return found
    if value not in {c.code for c in item.choices}:
        raise DomainError(Message(MSG_CHOICE, {"label": label}), item.name)
    return value
