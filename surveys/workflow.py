"""The assessor's day: contact outcome and reserve release, draft saving, submission.

Every save goes through :class:`InterviewService`: it refuses a stale version (showing what
changed since), refuses locked interviews, and appends one audit row per save.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import NATIONAL_SCHEME, User, utcnow
from assessment.core.photos import PhotoRefused, normalise_photo
from assessment.core.services import latest_round
from assessment.core.staleness import mark_stale, refresh_now
from sampling.services import PlanHousehold
from surveys import audit
from surveys.consistency import head_problems
from surveys.instrument_store import active_versions, ensure_builtin_instruments, instrument_of
from surveys.instruments.validation import (
    MSG_MAX_ROWS,
    MSG_ROW_TYPE,
    MSG_ROWS_TYPE,
    MSG_UNKNOWN,
    FieldProblem,
    check_answers,
)
from surveys.instruments.verdicts import assess_household, is_recognising
from surveys.models import (
    APPROVED,
    DRAFT,
    INTERVIEWED,
    NON_INTERVIEW_OUTCOMES,
    NOT_INTERVIEWED,
    OUTCOMES,
    RETURNED,
    SUBMITTED,
    SUPERSEDED,
    Interview,
    InterviewPhoto,
    ReserveRelease,
    VisitAttempt,
)
from surveys.quality import SurveySettings, flags_to_json, quality_flags, village_location
from surveys.schemas import answer_problems

PARTS = ("verification", "recognition")
EDITABLE = (DRAFT, RETURNED)
MSG_LOCKED = {
    SUBMITTED: N_("This interview is submitted and awaits review; it cannot be changed now."),
    "approved": N_("This interview is approved and locked."),
    NOT_INTERVIEWED: N_("This household was not interviewed; there is nothing to edit."),
}


class InterviewLocked(DomainError):
    """A save on an interview that is not a draft or returned."""


@dataclass(frozen=True)
class StaleChange:
    """A field changed by someone else since the editor loaded the interview."""

    path: str
    theirs: Any
    yours: Any


class StaleInterview(DomainError):
    """A save carrying an old version; ``changes`` lists what changed since."""

    def __init__(self, current_version: int, changes: list[StaleChange]):
        super().__init__(
            Message(
                N_(
                    "Someone saved this interview after you opened it (now version {version}). "
                    "Nothing was saved; check the differences below."
                ),
                {"version": current_version},
            )
        )
        self.current_version = current_version
        self.changes = changes


# Problems a draft may not keep either: not warnings about what was typed, but answers that
# do not fit the questionnaire's shape at all.
STRUCTURAL = (MSG_UNKNOWN, MSG_MAX_ROWS, MSG_ROWS_TYPE, MSG_ROW_TYPE)


class AnswersRefused(DomainError):
    """Answers out of bounds or out of the questionnaire's shape: nothing stored or audited.

    ``problems`` names each field (paths prefixed by part, like a submission's).
    """

    def __init__(self, problems: list[FieldProblem]):
        super().__init__(
            Message(
                N_(
                    "{count} answers are too long, too many or not in the questionnaire; "
                    "nothing was saved."
                ),
                {"count": len(problems)},
            )
        )
        self.problems = problems


class SubmissionRejected(DomainError):
    """Submission refused by validation; ``problems`` has every problem, paths prefixed."""

    def __init__(self, problems: list[FieldProblem]):
        super().__init__(
            Message(
                N_("The interview has {count} problems; nothing was submitted."),
                {"count": len(problems)},
            )
        )
        self.problems = problems


@dataclass(frozen=True)
class OutcomeResult:
    """The interview row of a recorded outcome and the reserve released, if any."""

    interview: Interview
    release: ReserveRelease | None
    no_reserve_left: bool = False


ABSENT = "absent"
REPLACEABLE = ("selected", "reserve")


@dataclass(frozen=True)
class VisitRule:
    """The round's rule for 不在家: ``visits`` visits, each ``gap_minutes`` after the last."""

    visits: int
    gap_minutes: int


@dataclass(frozen=True)
class Visits:
    """The 不在家 visits of one household measured against its round's rule.

    ``counted`` are the visits that count (each at least the gap after the previous counted
    one); ``next_from`` is when the next visit would count (None once the rule is met).
    """

    rule: VisitRule
    attempts: tuple[VisitAttempt, ...]
    counted: int
    next_from: dt.datetime | None

    @property
    def needed(self) -> int:
        return max(0, self.rule.visits - self.counted)


class VisitsNeeded(DomainError):
    """不在家 recorded before the round's visit rule is met: no reserve is released."""


MSG_VISITS_NEEDED = N_(
    "Away from home releases a reserve only after {visits} visits at least {hours} hours "
    "apart; {counted} counted so far. Record this visit and come back later."
)
MSG_RECORDED = N_("The contact outcome of this household is recorded already.")


MSG_ARCHIVED = N_(
    "This household's plan was re-drawn; its interviews are archived and can no longer change."
)


def check_not_archived(plan) -> None:
    """Refuse any change to the fieldwork of a plan archived by a re-draw."""
    if plan.fieldwork_archived_at is not None:
        raise InterviewLocked(Message(MSG_ARCHIVED))


def load_answers(interview: Interview) -> dict[str, dict[str, Any]]:
    """The stored answers as ``{"verification": {...}, "recognition": {...}}``."""
    return {
        "verification": json.loads(interview.verification_json or "{}"),
        "recognition": json.loads(interview.recognition_json or "{}"),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _prefixed(part: str, problems) -> list[FieldProblem]:
    return [dataclasses.replace(p, field_path=f"{part}.{p.field_path}") for p in problems]


class InterviewService:
    """Contact outcomes, reserve releases, drafts and submissions of interviews."""

    def __init__(
        self,
        dbsession: Session,
        *,
        settings: SurveySettings | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ):
        self.db = dbsession
        self.settings = settings or SurveySettings()
        self.clock = clock

    # -- visits ---------------------------------------------------------------------------
    def visit_rule(self, ph: PlanHousehold) -> VisitRule:
        """The 不在家 rule of the plan's round (the county's newest round, else the usual)."""
        found = ph.plan.assessment_round or latest_round(self.db, ph.plan.county)
        if found is None:
            return VisitRule(
                NATIONAL_SCHEME["absent_visits"], NATIONAL_SCHEME["absent_visit_gap_minutes"]
            )
        return VisitRule(found.absent_visits, found.absent_visit_gap_minutes)

    def visits(self, ph: PlanHousehold) -> Visits:
        """The household's 不在家 visits and how far they go towards the rule."""
        rule = self.visit_rule(ph)
        query = select(VisitAttempt).where(
            VisitAttempt.plan_household_id == ph.id, VisitAttempt.outcome == ABSENT
        )
        current = self.interview_of(ph)
        if current is not None and current.revisit_of_id is not None:  # its own visits only
            query = query.where(VisitAttempt.visited_at >= current.started_at)
        attempts = tuple(self.db.scalars(query.order_by(VisitAttempt.visited_at)))
        gap = dt.timedelta(minutes=rule.gap_minutes)
        counted, last = 0, None
        for attempt in attempts:
            if last is None or attempt.visited_at - last >= gap:
                counted, last = counted + 1, attempt.visited_at
        met = counted >= rule.visits
        return Visits(rule, attempts, counted, None if met or last is None else last + gap)

    def offline_visits(self, ids: list[int]) -> tuple[dict, dict]:
        """For the phone, per plan household of ``ids``: the round's 不在家 rule (None for a
        role that is never replaced) and the 不在家 visits recorded, oldest first."""
        if not ids:
            return {}, {}
        rules, by_plan = {}, {}
        for ph in self.db.scalars(select(PlanHousehold).where(PlanHousehold.id.in_(ids))):
            if ph.plan_id not in by_plan:
                rule = self.visit_rule(ph)
                by_plan[ph.plan_id] = {"visits": rule.visits, "gap_minutes": rule.gap_minutes}
            rules[ph.id] = by_plan[ph.plan_id] if ph.role in REPLACEABLE else None
        visits: dict[int, list[str]] = {}
        query = (
            select(VisitAttempt.plan_household_id, VisitAttempt.visited_at)
            .where(VisitAttempt.plan_household_id.in_(ids), VisitAttempt.outcome == ABSENT)
            .order_by(VisitAttempt.visited_at)
        )
        for ph_id, at in self.db.execute(query):
            visits.setdefault(ph_id, []).append(at.isoformat() + "Z")
        return rules, visits

    def _check_open(self, ph: PlanHousehold) -> Interview | None:
        check_not_archived(ph.plan)
        interview = self.interview_of(ph)
        if interview is not None and interview.status not in (DRAFT, ""):
            raise DomainError(Message(MSG_RECORDED))
        return interview

    def record_visit(
        self, ph: PlanHousehold, user: User | None, *, at: dt.datetime | None = None
    ) -> Visits:
        """Record one visit that found nobody at home (不在家); returns the count so far."""
        self._check_open(ph)
        self.db.add(
            VisitAttempt(
                plan_household_id=ph.id,
                outcome=ABSENT,
                visited_at=(at or self.clock()).replace(tzinfo=None),
                recorded_by_id=user.id if user is not None else None,
            )
        )
        self.db.flush()
        return self.visits(ph)

    def complete_absent_visits(self, ph: PlanHousehold, user: User | None) -> Visits:
        """Record the 不在家 visits the rule still needs, each the gap after the one before,
        the last one now (or later if earlier visits leave no room): rehearsals
        (``assess simulate-fieldwork``) and tests."""
        found = self.visits(ph)
        gap = dt.timedelta(minutes=found.rule.gap_minutes)
        start = self.clock().replace(tzinfo=None) - (found.needed - 1) * gap
        if found.next_from is not None:
            start = max(start, found.next_from)
        for i in range(found.needed):
            self.record_visit(ph, user, at=start + i * gap)
        return self.visits(ph)

    # -- outcome and reserves -------------------------------------------------------------
    def record_outcome(self, ph: PlanHousehold, outcome: str, user: User | None) -> OutcomeResult:
        """Record the contact outcome; a non-interview releases the next reserve in order.

        不在家 on a selected or released reserve household needs the round's visits first
        (:meth:`record_visit`); :class:`VisitsNeeded` otherwise, nothing recorded.
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome: expected one of {OUTCOMES}, got {outcome!r}")
        check_not_archived(ph.plan)
        interview = self.interview_of(ph)
        # A re-visit ordered by an appeal ruling may end in a non-contact (its reason is the
        # outcome, as for any household): the case goes back to the expert; no reserve.
        revisit = interview is not None and interview.revisit_of_id is not None
        reopened = interview is not None and interview.contact_outcome == ""
        if (
            interview is not None
            and not reopened
            and not (interview.status == DRAFT and outcome in NON_INTERVIEW_OUTCOMES)
        ):
            raise DomainError(Message(MSG_RECORDED))
        if outcome == ABSENT and ph.role in REPLACEABLE:
            found = self.visits(ph)
            if found.needed:
                values = {
                    "visits": found.rule.visits,
                    "hours": round(found.rule.gap_minutes / 60, 1),
                    "counted": found.counted,
                }
                raise VisitsNeeded(Message(MSG_VISITS_NEEDED, values))
        now = self.clock()
        if outcome in NON_INTERVIEW_OUTCOMES and outcome != ABSENT:
            self.db.add(
                VisitAttempt(
                    plan_household_id=ph.id,
                    outcome=outcome,
                    visited_at=now.replace(tzinfo=None),
                    recorded_by_id=user.id if user is not None else None,
                )
            )
        if interview is None:
            interview = self._new_interview(ph, user, now)
        old = {"status": interview.status, "contact_outcome": interview.contact_outcome}
        interview.contact_outcome = outcome
        interview.status = DRAFT if outcome == INTERVIEWED else NOT_INTERVIEWED
        interview.updated_at = now
        self.db.flush()
        new = {"status": interview.status, "contact_outcome": outcome}
        mark_stale(self.db, [ph.plan.county_id])
        if outcome == INTERVIEWED:  # a non-contact's reserve is released below: at commit
            refresh_now(self.db)  # before the audit row takes the chain's lock
        audit.record(self.db, interview, "outcome", user, audit.diff(old, new), at=now)
        if outcome == INTERVIEWED:
            return OutcomeResult(interview, None)
        if ph.role not in REPLACEABLE or revisit:
            return OutcomeResult(interview, None)  # screening households, re-visits: none
        release = self._release_next_reserve(ph, outcome, user, now)
        return OutcomeResult(interview, release, no_reserve_left=release is None)

    def next_reserve(self, ph: PlanHousehold) -> PlanHousehold | None:
        """The reserve a non-interview of ``ph`` would release now (None: none left, or
        ``ph`` is not replaced)."""
        if ph.role not in REPLACEABLE:
            return None
        current = self.interview_of(ph)
        if current is not None and current.revisit_of_id is not None:
            return None  # a re-visit replaces no one: the case goes back to the expert
        return self.db.scalars(self._next_reserve_query(ph)).first()

    def release_of(self, ph: PlanHousehold) -> ReserveRelease | None:
        """The release made in place of ``ph``, if any."""
        return self.db.scalar(select(ReserveRelease).where(ReserveRelease.replaced_id == ph.id))

    def release_bringing_in(self, ph: PlanHousehold) -> ReserveRelease | None:
        """The release that brought ``ph`` (a reserve) in, if any."""
        return self.db.scalar(select(ReserveRelease).where(ReserveRelease.reserve_id == ph.id))

    def reserve_started(self, release: ReserveRelease) -> bool:
        """Whether the released reserve's fieldwork began (an outcome or a visit recorded)."""
        reserve_id = release.reserve_id
        interview = select(Interview.id).where(Interview.plan_household_id == reserve_id)
        visit = select(VisitAttempt.id).where(VisitAttempt.plan_household_id == reserve_id)
        return (
            self.db.scalar(interview.limit(1)) is not None
            or self.db.scalar(visit.limit(1)) is not None
        )

    def undo_release(self, ph: PlanHousehold, user: User | None) -> PlanHousehold:
        """Take back the reserve released in place of ``ph`` (until the reserve's fieldwork
        starts): ``ph`` is open again, the reserve unreleased; audited on ``ph``'s interview.
        Returns the reserve household."""
        check_not_archived(ph.plan)
        release = self.release_of(ph)
        if release is None:
            raise DomainError(Message(N_("No reserve household was released for this household.")))
        if self.reserve_started(release):
            raise DomainError(
                Message(
                    N_(
                        "The reserve household's fieldwork has started; its release can no "
                        "longer be undone."
                    )
                )
            )
        interview, reserve = self.interview_of(ph), release.reserve
        old = {
            "status": interview.status,
            "contact_outcome": interview.contact_outcome,
            "reserve_released": reserve.household.household_id,
        }
        now = self.clock()
        self.db.delete(release)
        interview.status, interview.contact_outcome, interview.updated_at = DRAFT, "", now
        self.db.flush()
        new = {"status": DRAFT, "contact_outcome": None, "reserve_released": None}
        audit.record(self.db, interview, "undo_release", user, audit.diff(old, new), at=now)
        mark_stale(self.db, [ph.plan.county_id])  # progress and response rates change
        return reserve

    def _new_interview(self, ph: PlanHousehold, user: User | None, now: dt.datetime) -> Interview:
        active = active_versions(self.db)
        if not {"verification", "recognition"} <= active.keys():
            ensure_builtin_instruments(self.db)
            active = active_versions(self.db)
        interview = Interview(
            plan_household_id=ph.id,
            plan_id=ph.plan_id,
            status="",
            contact_outcome="",
            verification_version_id=active["verification"].id,
            recognition_version_id=active["recognition"].id,
            started_at=now,
            updated_at=now,
            entered_by_id=user.id if user is not None else None,
        )
        self.db.add(interview)
        return interview

    @staticmethod
    def _next_reserve_query(ph: PlanHousehold):
        released = select(ReserveRelease.reserve_id).where(ReserveRelease.plan_id == ph.plan_id)
        return (
            select(PlanHousehold)
            .where(
                PlanHousehold.plan_id == ph.plan_id,
                PlanHousehold.plan_village_id == ph.plan_village_id,
                PlanHousehold.stratum == ph.stratum,
                PlanHousehold.role == "reserve",
                PlanHousehold.id.not_in(released),
            )
            .order_by(PlanHousehold.reserve_rank, PlanHousehold.id)
            .limit(1)
        )

    def _release_next_reserve(
        self, ph: PlanHousehold, reason: str, user: User | None, now: dt.datetime
    ) -> ReserveRelease | None:
        reserve = self.db.scalars(self._next_reserve_query(ph)).first()
        if reserve is None:
            return None
        release = ReserveRelease(
            plan_id=ph.plan_id,
            plan_village_id=ph.plan_village_id,
            stratum=ph.stratum,
            reserve_id=reserve.id,
            replaced_id=ph.id,
            reason=reason,
            released_by_id=user.id if user is not None else None,
            released_at=now,
        )
        self.db.add(release)
        self.db.flush()
        return release

    def interview_of(self, ph: PlanHousehold) -> Interview | None:
        """The household's current interview (a superseded first visit is history)."""
        return self.db.scalar(
            select(Interview).where(
                Interview.plan_household_id == ph.id, Interview.status != SUPERSEDED
            )
        )

    def superseded_of(self, ph: PlanHousehold) -> list[Interview]:
        """The household's earlier interviews superseded by re-visits, oldest first."""
        query = select(Interview).where(
            Interview.plan_household_id == ph.id, Interview.status == SUPERSEDED
        )
        return list(self.db.scalars(query.order_by(Interview.id)))

    def start_revisit(self, interview: Interview, team_id: int, user: User | None) -> Interview:
        """Supersede an approved interview by a re-visit of its household by ``team_id``
        (an appeal expert's ruling; the caller checks the team differs).

        The first interview is kept - marked superseded, left out of every estimate, its
        audit trail continued - and a new interview of the same plan household is opened
        for the team like a household to visit: its contact outcome, answers, submission and
        review go through the normal workflow. Both steps are audited.
        """
        check_not_archived(interview.plan)
        if interview.status != APPROVED:
            raise DomainError(Message(N_("Only an approved interview can be re-visited.")))
        now = self.clock()
        interview.status, interview.updated_at = SUPERSEDED, now
        self.db.flush()  # the household's current interview is free for the re-visit
        superseded = [
            audit.FieldChange("status", APPROVED, SUPERSEDED),
            audit.FieldChange("revisit_team", None, team_id),
        ]
        audit.record(self.db, interview, "revisit_superseded", user, superseded, at=now)
        new = self._new_interview(interview.plan_household, None, now)
        new.status, new.revisit_of_id, new.revisit_team_id = DRAFT, interview.id, team_id
        self.db.flush()
        started = [
            audit.FieldChange("status", None, DRAFT),
            audit.FieldChange("revisit_of", None, interview.id),
            audit.FieldChange("revisit_team", None, team_id),
        ]
        audit.record(self.db, new, "revisit_start", user, started, at=now)
        mark_stale(self.db, [interview.plan.county_id])
        return new

    def restore_after_failed_revisit(
        self, original: Interview, failed: Interview, user: User | None
    ) -> None:
        """Make a superseded interview the household's current one again after its re-visit
        ``failed`` ended in a non-contact (an appeal expert's ruling says so): the failed
        re-visit becomes history (superseded), the original approved again; both audited."""
        check_not_archived(original.plan)
        if (
            original.status != SUPERSEDED
            or failed.revisit_of_id != original.id
            or failed.status != NOT_INTERVIEWED
        ):
            raise DomainError(Message(N_("Only a re-visit that could not be made is set aside.")))
        now = self.clock()
        failed.status, failed.updated_at = SUPERSEDED, now
        self.db.flush()  # one current interview per household: free the slot first
        audit.record(
            self.db,
            failed,
            "revisit_failed",
            user,
            [audit.FieldChange("status", NOT_INTERVIEWED, SUPERSEDED)],
            at=now,
        )
        original.status, original.updated_at = APPROVED, now
        self.db.flush()
        audit.record(
            self.db,
            original,
            "revisit_restored",
            user,
            [audit.FieldChange("status", SUPERSEDED, APPROVED)],
            at=now,
        )
        mark_stale(self.db, [original.plan.county_id])

    # -- saving ---------------------------------------------------------------------------
    def _check_editable(self, interview: Interview, base_version: int, answers) -> None:
        check_not_archived(interview.plan)
        if interview.status not in EDITABLE:
            raise InterviewLocked(Message(MSG_LOCKED.get(interview.status, MSG_LOCKED["approved"])))
        if base_version != interview.version:
            current = audit.flatten(load_answers(interview))
            yours = audit.flatten(answers)
            paths = audit.changed_since(self.db, interview, base_version)
            changes = [StaleChange(p, current.get(p), yours.get(p)) for p in paths]
            raise StaleInterview(interview.version, changes)

    def _store(self, interview, answers, location, now) -> tuple[dict, dict]:
        old = load_answers(interview)
        new = {part: _plain(answers.get(part) or {}) for part in PARTS}
        interview.verification_json = json.dumps(new["verification"], ensure_ascii=False)
        interview.recognition_json = json.dumps(new["recognition"], ensure_ascii=False)
        interview.updated_at = now
        if location is not None:
            interview.latitude, interview.longitude, interview.location_accuracy_m = location
        return old, new

    @staticmethod
    def check_bounds(answers) -> None:
        """Refuse answers beyond the bounds of :mod:`surveys.schemas` (sizes, counts,
        numbers) before anything else reads them."""
        problems = answer_problems({part: answers.get(part) or {} for part in PARTS})
        if problems:
            raise AnswersRefused(problems)

    def check(self, interview: Interview, answers, *, for_submission: bool):
        """Validate both parts; returns ``(validations by part, prefixed problems)``."""
        status = interview.plan_household.household.status
        results, problems = {}, []
        for part in PARTS:
            version = getattr(interview, f"{part}_version")
            result = check_answers(
                instrument_of(version),
                answers.get(part) or {},
                for_submission=for_submission,
                context={"status": status},
            )
            results[part] = result
            problems += _prefixed(part, result.problems)
            problems += _prefixed(
                part, head_problems(instrument_of(version), answers.get(part) or {})
            )
        return results, problems

    def save_draft(
        self, interview: Interview, answers, *, base_version: int, user: User | None, location=None
    ) -> list[FieldProblem]:
        """Save what was typed (warnings allowed); returns the warnings, paths prefixed."""
        self.check_bounds(answers)
        self._check_editable(interview, base_version, answers)
        _, warnings = self.check(interview, answers, for_submission=False)
        refused = [p for p in warnings if p.message.msgid in STRUCTURAL]
        if refused:
            raise AnswersRefused(refused)
        now = self.clock()
        old, new = self._store(interview, answers, location, now)
        self.db.flush()
        audit.record(self.db, interview, "save", user, audit.diff(old, new), at=now)
        return warnings

    def submit(
        self, interview: Interview, answers, *, base_version: int, user: User | None, location=None
    ) -> Interview:
        """Validate everything; on success store cleared answers, derived values and flags."""
        self.check_bounds(answers)
        self._check_editable(interview, base_version, answers)
        results, problems = self.check(interview, answers, for_submission=True)
        if problems:
            raise SubmissionRejected(problems)
        ph = interview.plan_household
        # The plan's own round: a county's verdicts follow the round its plan was drawn for.
        assessment_round = ph.plan.assessment_round or latest_round(self.db, ph.plan.county)
        if assessment_round is None:
            raise DomainError(
                Message(
                    N_(
                        "No assessment round covers this county, so the verdict cannot be "
                        "computed. Ask an administrator."
                    )
                )
            )
        now = self.clock()
        cleaned = {part: results[part].answers for part in PARTS}
        old, new = self._store(interview, cleaned, location, now)
        old["status"], new["status"] = interview.status, SUBMITTED
        self._derive(interview, cleaned, assessment_round, now)
        interview.status, interview.submitted_at = SUBMITTED, now
        interview.submitted_by_id = user.id if user is not None else None
        self.db.flush()
        mark_stale(self.db, [ph.plan.county_id])
        refresh_now(self.db)  # before the audit row takes the chain's lock
        audit.record(self.db, interview, "submit", user, audit.diff(old, new), at=now)
        return interview

    def _derive(self, interview: Interview, cleaned, assessment_round, now: dt.datetime) -> None:
        ph = interview.plan_household
        household = ph.household
        verdict = assess_household(
            cleaned["verification"],
            status=household.status,
            poverty_line=assessment_round.poverty_line,
        )
        rule = instrument_of(interview.recognition_version).recognition_rule
        interview.round_id, interview.poverty_line = (
            assessment_round.id,
            assessment_round.poverty_line,
        )
        interview.registry_status = household.status
        interview.verdict, interview.meets_standard = verdict.verdict, verdict.meets
        interview.net_income = verdict.income.net_income
        interview.income_per_capita = verdict.income.per_capita
        interview.persons, interview.near_line = verdict.income.members, verdict.income.near_line
        interview.standards_json = json.dumps(dataclasses.asdict(verdict.standards))
        interview.recognising = is_recognising(cleaned["recognition"], rule) if rule else None
        interview.ended_at = now
        interview.duration_seconds = int((now - interview.started_at).total_seconds())
        location = (
            (interview.latitude, interview.longitude) if interview.latitude is not None else None
        )
        village = village_location(self.db, household.frame_village_id) if location else None
        flags = quality_flags(
            settings=self.settings,
            duration_seconds=interview.duration_seconds,
            verification=cleaned["verification"],
            recognition=cleaned["recognition"],
            rule=rule,
            verdict=verdict,
            frame_size=household.household_size,
            location=location,
            village=village,
        )
        interview.flags_json = flags_to_json(flags)


class PhotoNotStored(DomainError):
    """An upload that is not stored as the house photo (too big, not a plain photo)."""


def add_photo(service: InterviewService, interview: Interview, data: bytes, user: User | None):
    """Store a house photo: size-capped, decoded and re-encoded (:mod:`assessment.core.photos`: a
    metadata-free JPEG), with the SHA-256 of the stored bytes."""
    if interview.status not in EDITABLE:
        raise InterviewLocked(Message(MSG_LOCKED.get(interview.status, MSG_LOCKED["approved"])))
    limit = service.settings.photo_max_bytes
    if len(data) > limit:
        raise PhotoNotStored(
            Message(N_("The photo is larger than {mb} MB."), {"mb": round(limit / 2**20, 1)})
        )
    try:
        photo = normalise_photo(data)
    except PhotoRefused as exc:
        raise PhotoNotStored(exc.message) from None
    now = service.clock()
    digest = hashlib.sha256(photo.data).hexdigest()
    row = InterviewPhoto(
        interview_id=interview.id,
        sha256=digest,
        content_type=photo.content_type,
        size=len(photo.data),
        data=photo.data,
        uploaded_by_id=user.id if user is not None else None,
        uploaded_at=now,
    )
    service.db.add(row)
    audit.record(
        service.db, interview, "photo", user, [audit.FieldChange("photo", None, digest)], at=now
    )
    return row
