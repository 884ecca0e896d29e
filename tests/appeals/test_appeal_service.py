"""The appeal workflow's rules, through the service (issue 19)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from appeals.evidence import Evidence
from appeals.models import AppealCase, AppealEvidence
from appeals.services import AppealService, is_final
from assessment.core.errors import DomainError
from assessment.core.models import Role
from reports import county_estimates as ce
from reports.models import ReportVersion
from reports.snapshots import county_snapshot
from surveys import audit
from surveys.models import InterviewChange
from tests.appeals.helpers import PUBLISHED_AT, Clock, completed_field
from tests.factories import make_team, make_user
from tests.rounds.helpers import interview

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def field(dbsession):
    return completed_field(dbsession)


@pytest.fixture
def published(dbsession, field, clock):
    service = AppealService(dbsession, clock=clock)
    return service, service.publish(field.drawn.plan, field.coordinator)


def case_of(publication, interview):
    return next(c for c in publication.cases if c.interview_id == interview.id)


def test_cases_are_published_only_once_fieldwork_is_complete(dbsession, clock):
    from tests.survey_factories import make_drawn_plan

    team = make_team(dbsession)
    drawn = make_drawn_plan(dbsession, team, villages=1, selected=2, reserves=0)
    assessor = make_user(dbsession, Role.assessor, team=team)
    supervisor = make_user(dbsession, Role.supervisor, team=team)
    from surveys.instrument_store import ensure_builtin_instruments

    ensure_builtin_instruments(dbsession)
    first, second = drawn.selected[(drawn.villages[0].id, "exited")]
    interview(dbsession, first, assessor, supervisor, poor=True)
    service = AppealService(dbsession, clock=clock)
    with pytest.raises(DomainError, match="once fieldwork is complete or closed"):
        service.publish(drawn.plan, None)
    assert service.publication(drawn.plan) is None
    interview(dbsession, second, assessor, supervisor)
    assert len(service.publish(drawn.plan, None).cases) == 1


def test_publication_lists_the_suspected_households_with_finding_basis_and_deadline(
    dbsession, field, published
):
    service, publication = published
    # The round gives the county 24 hours.
    assert publication.deadline == PUBLISHED_AT + dt.timedelta(hours=24)
    assert sorted(c.interview_id for c in publication.cases) == sorted(i.id for i in field.poor)
    case = case_of(publication, field.poor[0])
    basis = json.loads(case.basis_json)
    assert case.kind == "wrongly_exited"
    assert "income" in basis["standards_not_met"]
    assert basis["income_per_capita"] < basis["poverty_line"] == 3218.0
    assert case.household_code == field.households[0].household.household_id
    with pytest.raises(DomainError, match="published already"):
        service.publish(field.drawn.plan, field.coordinator)


def test_a_dispute_needs_a_statement_and_late_answers_are_refused(
    dbsession, field, published, clock
):
    service, publication = published
    case = case_of(publication, field.poor[0])
    with pytest.raises(DomainError, match="needs a statement"):
        service.answer(case, field.liaison, "disputed", "  ")
    with pytest.raises(DomainError, match="accept or to dispute"):
        service.answer(case, field.liaison, "maybe", "x")
    assert case.response is None
    evidence = Evidence("receipt.pdf", "application/pdf", PDF)
    service.answer(case, field.liaison, "disputed", "Wages omitted", [evidence])
    assert (case.response, case.statement) == ("disputed", "Wages omitted")
    assert [e.sha256 for e in case.evidence] == [evidence.sha256]
    late = case_of(publication, field.poor[1])
    clock.now = publication.deadline + dt.timedelta(seconds=1)
    with pytest.raises(DomainError, match="deadline for answers passed"):
        service.answer(late, field.liaison, "accepted", None)
    assert late.response is None
    stored = dbsession.scalars(select(AppealEvidence).where(AppealEvidence.case_id == late.id))
    assert list(stored) == []


def test_unsettled_cases_keep_the_county_interim_until_final(dbsession, field, published, clock):
    service, publication = published
    disputed, silent = (case_of(publication, i) for i in field.poor)
    assert service.state(field.drawn.plan).unsettled == 2
    service.answer(disputed, field.liaison, "disputed", "He has a pension")
    clock.now = publication.deadline + dt.timedelta(hours=1)
    # The silent case is final once the deadline passes; the disputed one waits for a ruling.
    assert service.state(field.drawn.plan).unsettled == 1
    assert is_final(silent, clock.now) and not is_final(disputed, clock.now)
    other = make_team(dbsession)
    service.rule(disputed, field.expert, "revisit", "Ask again", revisit_team_id=other.id)
    assert service.state(field.drawn.plan).unsettled == 1
    # The outcome follows the re-visit interview, not a further ruling.
    with pytest.raises(DomainError, match="follows the re-visit"):
        service.rule(disputed, field.expert, "upheld", "Re-visit confirmed the income")
    ph = disputed.interview.plan_household
    interview(
        dbsession,
        ph,
        make_user(dbsession, Role.assessor, team=other),
        make_user(dbsession, Role.supervisor, team=other),
        poor=True,
    )
    assert service.state(field.drawn.plan).settled


def test_only_an_expert_who_did_not_interview_rules_and_a_reason_is_required(
    dbsession, field, published
):
    service, publication = published
    case = case_of(publication, field.poor[0])
    service.answer(case, field.liaison, "disputed", "The house was rebuilt")
    field.assessor.appeal_expert = True  # the interview's author, made an expert
    coordinator_expert = make_user(dbsession, Role.coordinator)
    coordinator_expert.appeal_expert = True
    for user in (field.assessor, field.supervisor, field.liaison):
        with pytest.raises(DomainError, match="did not conduct the interview"):
            service.rule(case, user, "overturned", "No")
    with pytest.raises(DomainError, match="needs a reason"):
        service.rule(case, field.expert, "overturned", "")
    with pytest.raises(DomainError, match="team other than"):
        service.rule(case, field.expert, "revisit", "Check", revisit_team_id=None)
    assert case.ruling is None
    service.rule(case, coordinator_expert, "overturned", "Photos show a safe house")
    with pytest.raises(DomainError, match="ruling is final"):
        service.rule(case, field.expert, "upheld", "Changed my mind")
    with pytest.raises(DomainError, match="ruled already"):
        service.answer(case, field.liaison, "accepted", None)
    assert (case.ruling, case.ruled_by_id) == ("overturned", coordinator_expert.id)


def test_an_accepted_case_is_not_ruled_on(field, published):
    service, publication = published
    case = case_of(publication, field.poor[0])
    service.answer(case, field.liaison, "accepted", None)
    with pytest.raises(DomainError, match="Only a disputed case"):
        service.rule(case, field.expert, "overturned", "No")


def test_an_overturned_finding_leaves_the_indicators_and_the_report_is_final_after(
    dbsession, field, published, clock
):
    service, publication = published
    disputed, accepted = (case_of(publication, i) for i in field.poor)
    plan, county = field.drawn.plan, field.drawn.county
    service.answer(accepted, field.liaison, "accepted", None)
    service.answer(disputed, field.liaison, "disputed", "Income undercounted")
    snap = county_snapshot(dbsession, county)
    assert snap.interim and snap.verdict == "insufficient_data"
    service.rule(disputed, field.expert, "overturned", "Wage slips cover the gap")
    after = {r["household_id"]: r for r in ce.sample_rows(dbsession, plan)}
    before = {r["household_id"]: r for r in ce.sample_rows(dbsession, plan, apply_rulings=False)}
    code = disputed.household_code
    assert (before[code]["verdict"], before[code]["wrongly_exited"]) == ("wrongly_exited", 1)
    assert (after[code]["verdict"], after[code]["wrongly_exited"]) == ("meets_standard", 0)
    assert after[accepted.household_code]["wrongly_exited"] == 1
    # 4 exited households of 3 persons each, equal weights: 2 of 4 错退 before, 1 of 4 after.
    rate = {
        label: next(i for i in ce.assess(data).indicators if i.indicator == "wrongful_exit_rate")
        for label, data in (
            ("before", ce.county_data(dbsession, county, plan, apply_rulings=False)),
            ("after", ce.county_data(dbsession, county, plan)),
        )
    }
    assert rate["before"].estimate == pytest.approx(0.5)
    assert rate["after"].estimate == pytest.approx(0.25)
    snap = county_snapshot(dbsession, county)
    wrongful = next(i for i in snap.indicators if i.key == "wrongful_exit_rate")
    assert not snap.interim and wrongful.verdict == "fails"
    assert wrongful.estimate == pytest.approx(0.25)


def test_a_signed_report_makes_rulings_final(dbsession, field, published):
    service, publication = published
    case = case_of(publication, field.poor[0])
    service.answer(case, field.liaison, "disputed", "Wrong household")
    dbsession.add(
        ReportVersion(
            county_id=field.drawn.county.id,
            plan_id=field.drawn.plan.id,
            version=1,
            language="zh",
            snapshot_json="{}",
            snapshot_sha256="0" * 64,
            signed_off=True,
        )
    )
    dbsession.flush()
    with pytest.raises(DomainError, match="signed off"):
        service.rule(case, field.expert, "overturned", "Too late")
    assert case.ruling is None


def test_every_step_is_on_the_hash_chained_audit_trail(dbsession, field, published):
    service, publication = published
    case = case_of(publication, field.poor[0])
    service.answer(case, field.liaison, "disputed", "See the contract")
    service.rule(case, field.expert, "upheld", "The contract ended in May")
    rows = dbsession.scalars(
        select(InterviewChange)
        .where(InterviewChange.interview_id == case.interview_id)
        .where(InterviewChange.action.like("appeal%"))
        .order_by(InterviewChange.id)
    ).all()
    assert [(r.action, r.user_id) for r in rows] == [
        ("appeal_publish", field.coordinator.id),
        ("appeal_answer", field.liaison.id),
        ("appeal_rule", field.expert.id),
    ]
    ruling = {c.path: c.new for c in audit.changes_of(rows[-1])}
    assert ruling == {
        "appeal.ruling": "upheld",
        "appeal.ruling_reason": "The contract ended in May",
    }
    assert audit.verify_chain(dbsession)[1] is None
    assert audit.status_mismatches(dbsession) == []
    assert dbsession.get(AppealCase, case.id).interview.status == "approved"


def test_stored_county_results_follow_publication_answers_and_rulings(dbsession, field):
    """Each appeal step changes the county's results; the stored row (issue 14) follows."""
    from assessment.core.models import utcnow
    from tests.rounds.test_county_results import assert_current

    county, round_id = field.drawn.county, field.drawn.assessment_round.id
    # The stored rows are computed at the real time: the deadline must lie ahead of it.
    service = AppealService(dbsession, clock=Clock(utcnow()))
    before = assert_current(dbsession, county, round_id).data_version
    publication = service.publish(field.drawn.plan, field.coordinator)
    row = assert_current(dbsession, county, round_id)
    assert row.data_version > before and summary(row).interim  # the cases are open
    accepted, disputed = (case_of(publication, i) for i in field.poor)
    service.answer(accepted, field.liaison, "accepted", None)
    assert_current(dbsession, county, round_id)
    service.answer(disputed, field.liaison, "disputed", "He has a pension")
    assert_current(dbsession, county, round_id)
    wrongful = snapshot_rate(dbsession, county, round_id)
    service.rule(disputed, field.expert, "overturned", "The pension was missed")
    row = assert_current(dbsession, county, round_id)
    assert not summary(row).interim  # every case final
    assert snapshot_rate(dbsession, county, round_id) < wrongful  # one 错退 household fewer


def summary(row):
    from reports import snapshot

    return snapshot.loads(row.summary_json)


def snapshot_rate(db, county, round_id) -> float:
    from tests.rounds.test_county_results import stored

    indicators = summary(stored(db, county, round_id)).indicators
    (rate,) = [i.estimate for i in indicators if i.key == "wrongful_exit_rate"]
    return rate
