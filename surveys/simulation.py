"""Simulated fieldwork: the demo county's, and scripted rehearsals (``simulate-fieldwork``).

Every household goes through the real workflow (contact outcome, reserve release, submission
with the real validation and verdict rules, supervisor approval), with answers from
:mod:`surveys.simulate`. The plan is marked ``simulated_fieldwork`` so that every page and
report of it says "simulated". Known rates (demo) or scripted outcomes per household
(:class:`ScriptedFieldwork`) make the resulting estimates checkable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.i18n import N_, Message
from assessment.core.models import Role, User
from assessment.core.staleness import deferred
from sampling.services import Household, PlanHousehold, PlanVillage, SamplePlan
from surveys.models import DRAFT, INTERVIEWED, RETURNED, SUBMITTED, ReserveRelease
from surveys.review import ReviewService
from surveys.simulate import recognition_answers, verification_answers
from surveys.workflow import InterviewService


@dataclass(frozen=True)
class SimulatedRates:
    """True rates of the synthetic population (households)."""

    wrongly_exited: float = 0.008
    missed: float = 0.004
    recognising: float = 0.95
    absent: float = 0.05


class _Clock:
    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def _team_people(db: Session, team_id: int) -> tuple[User, User]:
    users = db.scalars(select(User).where(User.team_id == team_id)).all()
    assessor = next(u for u in users if u.role == Role.assessor)
    supervisor = next(u for u in users if u.role == Role.supervisor)
    return assessor, supervisor


def _open_villages(db: Session, plan: SamplePlan, leave_open: int) -> set[int]:
    """The last ``leave_open`` villages of each team, left for a demo user to work on."""
    villages = db.execute(
        select(PlanVillage.id, PlanVillage.team_id)
        .where(PlanVillage.plan_id == plan.id, PlanVillage.team_id.is_not(None))
        .order_by(PlanVillage.id.desc())
    ).all()
    kept: dict[int, list[int]] = {}
    for village_id, team_id in villages:
        if len(kept.setdefault(team_id, [])) < leave_open:
            kept[team_id].append(village_id)
    return {v for ids in kept.values() for v in ids}


def simulate_fieldwork(
    db: Session,
    plan: SamplePlan,
    *,
    rng: np.random.Generator,
    poverty_line: float,
    rates: SimulatedRates = SimulatedRates(),
    start: dt.datetime | None = None,
    leave_open: int = 0,
) -> int:
    """Interview, submit and approve the households of ``plan``, except in ``leave_open``
    villages per team (left for a demo user); returns the number approved."""
    plan.simulated_fieldwork = True
    clock = _Clock(start or dt.datetime(2019, 6, 3, 8, 30))
    service, review = InterviewService(db, clock=clock), ReviewService(db, clock=clock)
    queue = list(
        db.scalars(
            select(PlanHousehold)
            .join(PlanVillage)
            .where(
                PlanHousehold.plan_id == plan.id,
                PlanHousehold.role.in_(("selected", "screening")),
                PlanVillage.team_id.is_not(None),
                PlanVillage.id.not_in(_open_villages(db, plan, leave_open) or {0}),
            )
            .order_by(PlanHousehold.id)
        )
    )
    with deferred(db):  # the county's results once, at commit
        return _simulate(db, queue, service, review, rng, clock, poverty_line, rates)


def _simulate(db, queue, service, review, rng, clock, poverty_line, rates) -> int:
    approved = 0
    while queue:
        ph = queue.pop(0)
        assessor, supervisor = _team_people(db, ph.plan_village.team_id)
        clock.now += dt.timedelta(minutes=int(rng.integers(5, 15)))
        if ph.role != "screening" and rng.random() < rates.absent:
            service.complete_absent_visits(ph, assessor)  # the round's visits, then 不在家
            result = service.record_outcome(ph, "absent", assessor)
            if result.release is not None:
                queue.append(result.release.reserve)
            continue
        interview = service.record_outcome(ph, "interviewed", assessor).interview
        approved += _interview(
            db,
            service,
            review,
            ph,
            interview,
            assessor,
            supervisor,
            rng,
            clock,
            poverty_line,
            rates,
        )
    return approved


def _interview(
    db, service, review, ph, interview, assessor, supervisor, rng, clock, poverty_line, rates
) -> int:
    household = db.get(Household, ph.household_pk)
    status = household.status
    poor_rate = {"exited": rates.wrongly_exited, "non_registered": rates.missed}.get(status, 0.6)
    answers = {
        "verification": verification_answers(
            rng,
            persons=int(household.household_size),
            head_name=household.head_name,
            poverty_line=poverty_line,
            poor=bool(rng.random() < poor_rate),
        ),
        "recognition": recognition_answers(
            rng, status=status, recognising=bool(rng.random() < rates.recognising)
        ),
    }
    clock.now += dt.timedelta(minutes=int(rng.integers(30, 55)))
    service.submit(interview, answers, base_version=interview.version, user=assessor)
    review.approve(interview, supervisor)
    return 1


# -- scripted fieldwork: ``assess simulate-fieldwork`` -------------------------------------
OUTCOME_COLUMNS = ("household_id", "contacted", "wrongly_exited", "missed", "recognises", "persons")
MAX_PERSONS = 30


@dataclass(frozen=True)
class ScriptedOutcome:
    """What the rehearsal should find at one household (a row of the outcomes file)."""

    contacted: bool
    wrongly_exited: bool
    missed: bool
    recognises: bool
    persons: int


@dataclass
class SimulationTally:
    """What one run of :func:`simulate_outcomes` did."""

    interviewed: int = 0
    submitted: int = 0
    approved: int = 0
    non_contacts: int = 0
    reserves_released: int = 0
    not_listed: int = 0


class OutcomeFileError(ValueError):
    """The outcomes file is unusable; ``problems`` lists (row, :class:`Message`) pairs."""

    SHOWN = 10

    def __init__(self, problems: list[tuple[int, Message]]):
        self.problems = problems
        super().__init__(self.render("en"))

    def render(self, language: str | None) -> str:
        """The problems (the first ten) in ``language``."""
        shown = [
            Message(N_("row {row}: {problem}"), {"row": row, "problem": problem})
            for row, problem in self.problems[: self.SHOWN]
        ]
        more = len(self.problems) - self.SHOWN
        message = Message(
            N_("{count} problems in the outcomes file: {problems}"),
            {"count": len(self.problems), "problems": shown},
        )
        text = message.render(language)
        if more > 0:
            text += Message(N_(" (and {count} more)"), {"count": more}).render(language)
        return text


class _BadValue(ValueError):
    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


def _flag(value: str, name: str) -> bool:
    text = (value or "").strip()
    if text not in ("0", "1"):
        raise _BadValue(
            Message(N_("{column} must be 0 or 1, got {value!r}"), {"column": name, "value": text})
        )
    return text == "1"


def parse_outcomes(rows, *, max_rows: int = 200_000) -> dict[str, ScriptedOutcome]:
    """Outcomes by household id from CSV dict rows (columns ``OUTCOME_COLUMNS``).

    Raises
    ------
    OutcomeFileError
        Listing every problem (missing column, bad value, repeated household).
    """
    rows = iter(rows)
    out: dict[str, ScriptedOutcome] = {}
    problems: list[tuple[int, str]] = []
    for number, row in enumerate(rows, 2):
        if number > max_rows + 1:
            problems.append((number, Message(N_("more than {count} rows"), {"count": max_rows})))
            break
        missing = [c for c in OUTCOME_COLUMNS if row.get(c) is None]
        if missing:
            raise OutcomeFileError(
                [(1, Message(N_("missing columns {columns}"), {"columns": ", ".join(missing)}))]
            )
        household = row["household_id"].strip()
        try:
            text = row["persons"].strip()
            if not text.isdigit():
                raise _BadValue(
                    Message(N_("persons must be a whole number, got {value!r}"), {"value": text})
                )
            persons = int(text)
            if not 1 <= persons <= MAX_PERSONS:
                raise _BadValue(
                    Message(
                        N_("persons must be 1-{most}, got {value}"),
                        {"most": MAX_PERSONS, "value": persons},
                    )
                )
            outcome = ScriptedOutcome(
                *(_flag(row[c], c) for c in OUTCOME_COLUMNS[1:5]), persons=persons
            )
        except _BadValue as exc:
            problems.append((number, exc.message))
            continue
        if not household:
            problems.append((number, Message(N_("household_id is empty"))))
        elif household in out:
            problems.append(
                (
                    number,
                    Message(N_("household {household} is listed twice"), {"household": household}),
                )
            )
        else:
            out[household] = outcome
    if problems:
        raise OutcomeFileError(problems)
    return out


def _check_fits(status: str, household_id: str, o: ScriptedOutcome) -> Message | None:
    """Why the scripted verdict cannot be derived for a household of ``status``, or None."""
    from assessment.core.labels import STATUS_LABELS

    values = {"household": household_id, "status": Message(STATUS_LABELS.get(status, status))}
    if o.wrongly_exited and status != "exited":
        return Message(
            N_("household {household} ({status}): only an exited household can be wrongly exited"),
            values,
        )
    if o.missed and status != "non_registered":
        return Message(
            N_("household {household} ({status}): only a non-registered household can be missed"),
            values,
        )
    return None


def _due(db: Session, plan: SamplePlan) -> list[PlanHousehold]:
    """Selected, screening and released reserve households, in the workflow's order."""
    released = select(ReserveRelease.reserve_id).where(ReserveRelease.plan_id == plan.id)
    return list(
        db.scalars(
            select(PlanHousehold)
            .where(
                PlanHousehold.plan_id == plan.id,
                PlanHousehold.role.in_(("selected", "screening")) | PlanHousehold.id.in_(released),
            )
            .order_by(PlanHousehold.id)
        )
    )


class ScriptedFieldwork:
    """Walk a plan's due households through the real workflow with scripted outcomes."""

    def __init__(self, db: Session, plan: SamplePlan, *, rng, poverty_line: float, clock=None):
        self.db, self.plan, self.rng, self.line = db, plan, rng, poverty_line
        self.clock = clock or _Clock(dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
        self.service = InterviewService(db, clock=self.clock)
        self.review = ReviewService(db, clock=self.clock)
        self.tally = SimulationTally()

    def check(self, outcomes: dict[str, ScriptedOutcome]) -> None:
        """Refuse outcomes for households not in the plan or verdicts their status forbids."""
        known = dict(
            self.db.execute(
                select(Household.household_id, Household.status)
                .join(PlanHousehold, PlanHousehold.household_pk == Household.id)
                .where(PlanHousehold.plan_id == self.plan.id)
            ).all()
        )
        problems = []
        for number, (household_id, outcome) in enumerate(outcomes.items(), 2):
            if household_id not in known:
                problems.append(
                    (
                        number,
                        Message(
                            N_("household {household} is not in the plan"),
                            {"household": household_id},
                        ),
                    )
                )
            elif (why := _check_fits(known[household_id], household_id, outcome)) is not None:
                problems.append((number, why))
        if problems:
            raise OutcomeFileError(problems)

    def run(self, outcomes: dict[str, ScriptedOutcome], *, approve: bool) -> SimulationTally:
        """Give each listed due household its outcome; continue what an earlier run began."""
        self.check(outcomes)
        self.plan.simulated_fieldwork = True
        queue = _due(self.db, self.plan)
        with deferred(self.db):  # the county's results once, at commit
            while queue:
                ph = queue.pop(0)
                outcome = outcomes.get(ph.household.household_id)
                if outcome is None:
                    self.tally.not_listed += 1
                    continue
                released = self._step(ph, outcome, approve)
                if released is not None:
                    queue.append(released)
        return self.tally

    def _people(self, ph: PlanHousehold) -> tuple[User | None, User | None]:
        team_id = ph.plan_village.team_id if ph.plan_village is not None else None
        if team_id is None:
            return None, None
        users = self.db.scalars(
            select(User).where(User.team_id == team_id, User.active.is_(True)).order_by(User.id)
        ).all()
        assessor = next((u for u in users if u.role == Role.assessor), None)
        supervisor = next((u for u in users if u.role == Role.supervisor), None)
        return assessor, supervisor

    def _step(self, ph, outcome: ScriptedOutcome, approve: bool) -> PlanHousehold | None:
        assessor, supervisor = self._people(ph)
        interview = self.service.interview_of(ph)
        self.clock.now += dt.timedelta(minutes=int(self.rng.integers(5, 15)))
        if interview is None:
            if not outcome.contacted:
                if ph.role != "screening":  # the round's visits first, then 不在家
                    self.service.complete_absent_visits(ph, assessor)
                result = self.service.record_outcome(ph, "absent", assessor)
                self.tally.non_contacts += 1
                if result.release is not None:
                    self.tally.reserves_released += 1
                    return result.release.reserve
                return None
            interview = self.service.record_outcome(ph, INTERVIEWED, assessor).interview
            self.tally.interviewed += 1
        if interview.status in (DRAFT, RETURNED):
            self._submit(ph, interview, outcome, assessor)
        if approve and interview.status == SUBMITTED:
            self.review.approve(interview, supervisor)
            self.tally.approved += 1
        return None

    def _submit(self, ph, interview, outcome: ScriptedOutcome, assessor) -> None:
        household = ph.household
        poor = outcome.wrongly_exited or outcome.missed
        answers = {
            "verification": verification_answers(
                self.rng,
                persons=outcome.persons,
                head_name=household.head_name,
                poverty_line=self.line,
                poor=poor,
            ),
            "recognition": recognition_answers(
                self.rng, status=household.status, recognising=outcome.recognises
            ),
        }
        self.clock.now += dt.timedelta(minutes=int(self.rng.integers(30, 55)))
        self.service.submit(interview, answers, base_version=interview.version, user=assessor)
        self.tally.submitted += 1
        expected = {"exited": "wrongly_exited", "non_registered": "missed"}.get(household.status)
        derived = (
            interview.verdict == expected if expected else False,
            bool(interview.recognising),
            interview.persons,
        )
        if derived != (poor, outcome.recognises, outcome.persons):
            raise RuntimeError(
                f"simulated answers of {household.household_id} derived {derived}, "
                f"expected {(poor, outcome.recognises, outcome.persons)}"
            )
