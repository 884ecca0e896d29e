"""The appeal workflow (申诉举证): publish, answer, rule; and the rulings the indicators use.

States of a case (one suspected household):

- published, not answered, deadline not passed: *open* (the county may still answer);
- ``accepted`` by the county, or not answered by the deadline: *final*, the finding stands;
- ``disputed``: waits for an expert's ruling; ``upheld`` (the finding stands) and
  ``overturned`` (it does not count) are final; ``revisit`` supersedes the first interview
  and opens a new interview of the household for another team (the normal workflow: contact,
  answers, submission, review); once that interview is approved the case is final and its
  outcome follows the re-visit's own verdict (:func:`outcome`). When the re-visiting team
  cannot reach the household (a non-contact on the re-visit) the re-visit has *failed*
  (:func:`revisit_failed`): the case is open again for an expert, who rules upheld or
  overturned (the first interview becomes the household's data again, with that ruling) or
  orders another re-visit by a team that has not visited the household yet.

A county's results are interim while any published case is not final. Every step is
appended to the interview's audit trail (``interview_changes``, hash-chained); rulings and
answers are refused once a report of the plan is signed off.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from appeals.evidence import MAX_FILES, MSG_TOO_MANY, Evidence
from appeals.models import (
    ACCEPTED,
    DISPUTED,
    KINDS,
    OVERTURNED,
    RESPONSES,
    REVISIT,
    RULINGS,
    UPHELD,
    AppealCase,
    AppealEvidence,
    AppealPublication,
)
from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import AssessmentRound, County, Role, Team, User, utcnow
from assessment.core.pipeline import report_signed_off
from assessment.core.security import EXPERT_ROLES
from assessment.core.services import county_round
from assessment.core.staleness import mark_stale
from sampling.services import PlanHousehold, PlanVillage, SamplePlan
from surveys.services import (
    APPROVED,
    NOT_INTERVIEWED,
    STANDARDS,
    FieldworkService,
    Interview,
    InterviewService,
    ReviewService,
    check_not_archived,
    record_interview_change,
)

MAX_TEXT = 4000  # characters of a statement or a reason
MAX_CASE_FILES = 12  # evidence files of one case, all answers together


@dataclass(frozen=True)
class AppealState:
    """Where a plan's appeal stands: published or not, and how many cases are not final."""

    published: bool
    cases: int
    unsettled: int
    deadline: dt.datetime | None

    @property
    def settled(self) -> bool:
        return self.unsettled == 0


def revisit_outcome(case: AppealCase) -> str | None:
    """A re-visited case's outcome once the re-visit is approved: ``upheld`` when the new
    interview finds 错退 / 漏评 again, ``overturned`` when it does not; None before."""
    revisit = case.revisit_interview
    if case.ruling != REVISIT or revisit is None or revisit.status != APPROVED:
        return None
    return UPHELD if revisit.verdict in KINDS else OVERTURNED


def revisit_failed(case: AppealCase) -> bool:
    """Whether the case's re-visit could not reach the household (a non-contact) and the
    case awaits an expert's ruling again (复访未能完成)."""
    revisit = case.revisit_interview
    return case.ruling == REVISIT and revisit is not None and revisit.status == NOT_INTERVIEWED


def failed_revisit_of(case: AppealCase) -> Interview | None:
    """The re-visit that could not reach the household, if the case has one (pending or
    ruled on since)."""
    revisit = case.revisit_interview
    if revisit is None or revisit.contact_outcome in ("", "interviewed"):
        return None
    return revisit


def earlier_rulings(case: AppealCase) -> list[dict]:
    """The rulings a later one replaced, oldest first (see ``AppealCase.earlier_rulings_json``)."""
    return json.loads(case.earlier_rulings_json or "[]")


def outcome(case: AppealCase) -> str | None:
    """The expert's final ruling, or the re-visit's outcome; None while not decided."""
    if case.ruling in (UPHELD, OVERTURNED):
        return case.ruling
    return revisit_outcome(case)


def is_final(case: AppealCase, now: dt.datetime) -> bool:
    """Whether the case's outcome is decided (see the module docstring)."""
    if case.response == ACCEPTED or outcome(case) is not None:
        return True
    if case.response is None:
        return now > case.publication.deadline
    return False


def _text(value: str | None, field: str, *, required: bool, missing: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(Message(missing), field=field)
    if len(value) > MAX_TEXT:
        raise DomainError(
            Message(N_("The text is longer than {n} characters."), {"n": MAX_TEXT}), field=field
        )
    return value


class AppealService:
    """Publish a plan's suspected cases, take the county's answers and the experts' rulings."""

    def __init__(self, dbsession: Session, *, clock: Callable[[], dt.datetime] = utcnow):
        self.db = dbsession
        self.clock = clock

    # -- reading -------------------------------------------------------------------------
    def publication(self, plan: SamplePlan) -> AppealPublication | None:
        return self.db.scalar(select(AppealPublication).where(AppealPublication.plan_id == plan.id))

    def publications_by_county(self) -> dict[int, AppealPublication]:
        """Every publication of suspected cases, by the id of its county."""
        return {p.county_id: p for p in self.db.scalars(select(AppealPublication))}

    def state(self, plan: SamplePlan | None) -> AppealState:
        publication = self.publication(plan) if plan is not None else None
        if publication is None:
            return AppealState(False, 0, 0, None)
        now = self.clock()
        open_ = sum(not is_final(c, now) for c in publication.cases)
        return AppealState(True, len(publication.cases), open_, publication.deadline)

    def overturned_interviews(self, plan: SamplePlan) -> set[int]:
        """Interviews whose finding an expert overturned (they count as meeting the standard)."""
        query = (
            select(AppealCase.interview_id)
            .join(AppealPublication)
            .where(AppealPublication.plan_id == plan.id, AppealCase.ruling == OVERTURNED)
        )
        return set(self.db.scalars(query))

    def suspected(self, plan: SamplePlan) -> list[Interview]:
        """Approved interviews of the plan found 错退 or 漏评, in household order."""
        query = (
            select(Interview)
            .join(PlanHousehold, Interview.plan_household_id == PlanHousehold.id)
            .where(
                Interview.plan_id == plan.id,
                Interview.status == APPROVED,
                Interview.contact_outcome == "interviewed",
                Interview.verdict.in_(KINDS),
            )
            .order_by(PlanHousehold.id)
        )
        return list(self.db.scalars(query))

    def signed(self, plan: SamplePlan) -> bool:
        return report_signed_off(self.db, plan.id)

    # -- publishing ----------------------------------------------------------------------
    def publish(self, plan: SamplePlan, user: User | None) -> AppealPublication:
        """Publish the plan's suspected cases to the county, with the round's deadline."""
        if self.publication(plan) is not None:
            raise DomainError(
                Message(N_("The suspected cases of this plan are published already."))
            )
        if plan.fieldwork_archived_at is not None:
            raise DomainError(Message(N_("This plan was superseded; its fieldwork is archived.")))
        if not FieldworkService(self.db).state(plan).complete:
            raise DomainError(
                Message(N_("Suspected cases are published once fieldwork is complete or closed."))
            )
        now = self.clock()
        hours = _appeal_hours(self.db, plan)
        publication = AppealPublication(
            plan_id=plan.id,
            county_id=plan.county_id,
            published_by=user,
            published_at=now,
            deadline=now + dt.timedelta(hours=hours),
        )
        self.db.add(publication)
        self.db.flush()
        for interview in self.suspected(plan):
            case = _case_of(interview)
            case.publication_id = publication.id
            self.db.add(case)
            self.db.flush()
            self._audit(case, "appeal_publish", user, [("appeal.kind", None, case.kind)], at=now)
        self.db.refresh(publication)
        mark_stale(self.db, [plan.county_id])  # the county is interim until every case is final
        return publication

    # -- the county's answer -------------------------------------------------------------
    def answer(
        self,
        case: AppealCase,
        user: User,
        response: str,
        statement: str | None,
        files: Iterable[Evidence] = (),
    ) -> AppealCase:
        """The county's answer: accept, or dispute with a statement (and evidence files)."""
        files = list(files)
        if response not in RESPONSES:
            raise DomainError(Message(N_("Choose to accept or to dispute.")), field="response")
        statement = _text(
            statement,
            "statement",
            required=response == DISPUTED,
            missing=N_("A dispute needs a statement."),
        )
        now = self._check_open(case, files)
        changes = [
            ("appeal.response", case.response, response),
            ("appeal.statement", case.statement, statement or None),
        ]
        case.response, case.statement = response, statement or None
        case.responded_by, case.responded_at = user, now
        changes += self._store(case, user, files, now)
        self.db.flush()
        self._audit(case, "appeal_answer", user, changes, at=now)
        mark_stale(self.db, [self._county_id(case)])  # an accepted finding is final
        return case

    def add_evidence(self, case: AppealCase, user: User, files: Iterable[Evidence]) -> AppealCase:
        """More evidence for a disputed case, before the deadline and any ruling."""
        files = list(files)
        if case.response != DISPUTED:
            raise DomainError(Message(N_("Evidence is sent with a dispute.")), field="evidence")
        now = self._check_open(case, files)
        changes = self._store(case, user, files, now)
        self.db.flush()
        self._audit(case, "appeal_answer", user, changes, at=now)
        return case

    def _check_open(self, case: AppealCase, files: list[Evidence]) -> dt.datetime:
        """Now, if the county may still answer the case with ``files``; else DomainError."""
        if len(files) > MAX_FILES or len(case.evidence) + len(files) > MAX_CASE_FILES:
            raise DomainError(Message(MSG_TOO_MANY, {"max": MAX_FILES}), field="evidence")
        now = self.clock()
        self._refuse_if_locked(case)
        if now > case.publication.deadline:
            raise DomainError(
                Message(
                    N_("The deadline for answers passed on {date}; the answer is refused."),
                    {"date": case.publication.deadline.strftime("%Y-%m-%d %H:%M")},
                )
            )
        if case.ruling is not None:
            raise DomainError(Message(N_("This case is ruled already; the answer is refused.")))
        return now

    def _store(self, case, user, files, now) -> list[tuple]:
        changes = []
        for item in files:
            self.db.add(
                AppealEvidence(
                    case=case,
                    file_name=item.file_name,
                    content_type=item.content_type,
                    size=len(item.data),
                    sha256=item.sha256,
                    data=item.data,
                    uploaded_by_id=user.id,
                    uploaded_at=now,
                )
            )
            changes.append(("appeal.evidence", None, item.sha256))
        return changes

    # -- the expert's ruling -------------------------------------------------------------
    def may_rule(self, case: AppealCase, user: User) -> bool:
        """An expert who did not enter or submit the interview, nor record its re-visit."""
        if not (user.appeal_expert and user.role in EXPERT_ROLES):
            return False
        if user.id in (case.interview.entered_by_id, case.interview.submitted_by_id):
            return False
        revisit = case.revisit_interview
        return (
            revisit is None or user.id not in ReviewService(self.db).authors([revisit])[revisit.id]
        )

    def rule(
        self,
        case: AppealCase,
        user: User,
        ruling: str,
        reason: str | None,
        *,
        revisit_team_id: int | None = None,
    ) -> AppealCase:
        """Rule on a disputed case: upheld, overturned, or re-visit by another team (again
        after a re-visit that could not reach the household)."""
        if ruling not in RULINGS:
            raise DomainError(Message(N_("Choose a ruling.")), field="ruling")
        reason = _text(reason, "reason", required=True, missing=N_("A ruling needs a reason."))
        self._check_rulable(case, user)
        failed = revisit_failed(case)
        team = self._revisit_team(case, revisit_team_id) if ruling == REVISIT else None
        first = case.interview
        if team is not None and first.status != APPROVED and not failed:
            # e.g. returned on a back-check meanwhile
            raise DomainError(Message(N_("Only an approved interview can be re-visited.")))
        if failed or team is not None:  # checked before anything is written
            check_not_archived(first.plan)
        now = self.clock()
        changes = [
            ("appeal.ruling", case.ruling, ruling),
            ("appeal.ruling_reason", case.ruling_reason, reason),
        ]
        if failed:
            changes.append(("appeal.revisit_failed", None, case.revisit_interview.contact_outcome))
            self._keep_earlier_ruling(case)
        case.ruling, case.ruling_reason = ruling, reason
        case.ruled_by, case.ruled_at = user, now
        if team is not None:
            case.revisit_team_id = team
        self.db.flush()
        self._audit(case, "appeal_rule", user, changes, at=now)
        workflow = InterviewService(self.db, clock=self.clock)
        if failed:  # the first interview is the household's data again, under this ruling
            workflow.restore_after_failed_revisit(first, case.revisit_interview, user)
        if team is not None:
            case.revisit_interview = workflow.start_revisit(first, team, user)
            self.db.flush()
        mark_stale(self.db, [self._county_id(case)])  # an overturned finding leaves the estimates
        return case

    def _check_rulable(self, case: AppealCase, user: User) -> None:
        """Refuse a ruling by this user on this case now (DomainError with the reason)."""
        if not self.may_rule(case, user):
            raise DomainError(
                Message(N_("Only an appeal expert who did not conduct the interview may rule."))
            )
        self._refuse_if_locked(case)
        if case.response != DISPUTED:
            raise DomainError(Message(N_("Only a disputed case is ruled on.")))
        if case.ruling in (UPHELD, OVERTURNED):
            raise DomainError(Message(N_("This case is ruled already; a ruling is final.")))
        if case.revisit_interview_id is not None and not revisit_failed(case):
            raise DomainError(
                Message(N_("This case is being re-visited; its outcome follows the re-visit."))
            )

    @staticmethod
    def _keep_earlier_ruling(case: AppealCase) -> None:
        """Copy the re-visit ruling that failed onto the case's earlier rulings."""
        earlier = earlier_rulings(case)
        earlier.append(
            {
                "ruling": case.ruling,
                "reason": case.ruling_reason,
                "ruled_by": case.ruled_by.display_name if case.ruled_by else None,
                "ruled_at": case.ruled_at.strftime("%Y-%m-%d %H:%M") if case.ruled_at else None,
                "team": case.revisit_team.name if case.revisit_team else None,
                "contact_outcome": case.revisit_interview.contact_outcome,
            }
        )
        case.earlier_rulings_json = json.dumps(earlier, ensure_ascii=False)

    @staticmethod
    def _county_id(case: AppealCase) -> int:
        return case.interview.plan.county_id

    def _revisit_team(self, case: AppealCase, team_id: int | None) -> int:
        ph_id = case.interview.plan_household_id
        village_team = self.db.scalar(
            select(PlanVillage.team_id)
            .join(PlanHousehold, PlanHousehold.plan_village_id == PlanVillage.id)
            .where(PlanHousehold.id == ph_id)
        )
        if team_id is None or team_id == village_team or self.db.get(Team, team_id) is None:
            raise DomainError(
                Message(N_("A re-visit is made by a team other than the one that interviewed.")),
                field="team",
            )
        earlier = select(Interview.revisit_team_id).where(
            Interview.plan_household_id == ph_id, Interview.revisit_team_id.is_not(None)
        )
        if team_id in set(self.db.scalars(earlier)):
            raise DomainError(
                Message(N_("This team re-visited the household already; name another team.")),
                field="team",
            )
        return team_id

    def _refuse_if_locked(self, case: AppealCase) -> None:
        if self.signed(case.publication.plan):
            raise DomainError(
                Message(N_("The report of this county is signed off; its appeal is closed."))
            )

    def _audit(self, case, action, user, changes, *, at) -> None:
        record_interview_change(self.db, case.interview, action, user, changes, at=at)


def set_appeal_rights(
    db: Session,
    user: User,
    *,
    role: Role,
    county_id: int | None,
    expert: bool,
    write: bool = True,
) -> None:
    """Give a liaison its county and a supervisor / coordinator the right to rule on appeals
    (``role`` is the user's role after the edit); ``write=False`` only checks."""
    if role == Role.liaison and county_id is None:
        raise DomainError(Message(N_("A county liaison needs a county.")), field="county_id")
    if role != Role.liaison and county_id is not None:
        raise DomainError(Message(N_("Only a county liaison has a county.")), field="county_id")
    if expert and role not in EXPERT_ROLES:
        raise DomainError(
            Message(N_("Only supervisors and coordinators may be appeal experts.")),
            field="appeal_expert",
        )
    if county_id is not None and db.get(County, county_id) is None:
        raise DomainError(Message(N_("Choose a county.")), field="county_id")
    if not write:
        return
    user.county_id, user.appeal_expert = county_id, bool(expert)
    db.flush()


def _appeal_hours(db: Session, plan: SamplePlan) -> int:
    found = plan.assessment_round
    if found is None:
        found = county_round(db, plan.county)
    return found.appeal_hours if isinstance(found, AssessmentRound) else 48


def _case_of(interview: Interview) -> AppealCase:
    """The case as published: the finding, its basis and the assessor's note, copied."""
    answers = json.loads(interview.verification_json or "{}")
    standards = json.loads(interview.standards_json or "{}")
    failed = [s for s in STANDARDS if standards.get(f"{s}_ok") is False]
    # The assessor's own reasons beside the standards found not met (``income_ok_reason``...).
    notes = [
        answers[f"{s}_ok_reason"].strip()
        for s in failed
        if isinstance(answers.get(f"{s}_ok_reason"), str) and answers[f"{s}_ok_reason"].strip()
    ]
    basis = {
        "standards_not_met": failed,
        "income_per_capita": interview.income_per_capita,
        "poverty_line": interview.poverty_line,
        "registry_status": interview.registry_status,
    }
    household = interview.plan_household.household
    return AppealCase(
        interview_id=interview.id,
        kind=interview.verdict,
        household_code=household.household_id,
        persons=interview.persons or household.household_size,
        basis_json=json.dumps(basis, ensure_ascii=False, sort_keys=True),
        assessor_note="\n".join(notes),
    )
