"""The demo county ``DEMO``: hierarchy, round, teams and one user of every role.

Everything is synthetic and marked so; names are plausible but invented.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from assessment.core.formatting import format_number
from assessment.core.i18n import N_, Message
from assessment.core.models import NATIONAL_SCHEME, AssessmentRound, County, Role, Team
from assessment.core.security import hash_password
from assessment.core.services import TeamService, UserService, ensure_county

DEMO_CODE = "DEMO"
DEMO_PASSWORD = "demo-2019"  # noqa: S105 - the demo's published password
TOWNSHIPS = (
    "城关镇",
    "河口镇",
    "石门乡",
    "青山乡",
    "龙泉镇",
    "白沙乡",
    "红岩乡",
    "柳树镇",
    "马坪乡",
    "高桥镇",
    "云雾乡",
    "金沙镇",
)
VILLAGE_WORDS = (
    "东",
    "西",
    "南",
    "北",
    "上",
    "下",
    "中",
    "新",
    "老",
    "大",
    "小",
    "前",
    "后",
    "高",
    "坪",
    "岭",
    "沟",
    "湾",
    "坝",
    "桥",
    "林",
    "泉",
    "河",
    "山",
    "田",
    "石",
    "竹",
    "松",
    "杨",
    "李",
)
DEMO_USERS = (
    ("admin", "演示管理员", Role.admin, None),
    ("coordinator", "演示协调员", Role.coordinator, None),
    ("leader1", "第一组组长", Role.supervisor, "第一评估组"),
    ("assessor1", "调查员一", Role.assessor, "第一评估组"),
    ("assessor2", "调查员二", Role.assessor, "第一评估组"),
    ("leader2", "第二组组长", Role.supervisor, "第二评估组"),
    ("assessor3", "调查员三", Role.assessor, "第二评估组"),
    ("assessor4", "调查员四", Role.assessor, "第二评估组"),
    ("reader", "领导（只读）", Role.reader, None),
    ("liaison", "县级联络员（演示）", Role.liaison, None),
    ("expert", "申诉评审专家（演示）", Role.coordinator, None),
)
DEMO_STATEMENT = "该户户主每月领取养老金，问卷漏记转移性收入；附养老金发放凭证。"
# The ruling names the finding it overturns (the first published case may be either kind).
DEMO_RULINGS = {
    kind: f"养老金发放凭证属实，计入后人均纯收入超过贫困线，不予认定为{word}。"
    for kind, word in (("wrongly_exited", "错退"), ("missed", "漏评"))
}


def village_names(rng: np.random.Generator, count: int) -> list[str]:
    """``count`` distinct two-character village names."""
    names: list[str] = []
    while len(names) < count:
        a, b = rng.integers(0, len(VILLAGE_WORDS), size=2)
        name = f"{VILLAGE_WORDS[a]}{VILLAGE_WORDS[b]}村"
        if a != b and name not in names:
            names.append(name)
    return names


def demo_hierarchy(seed: int, villages_per_township: int = 14) -> dict[str, list[str]]:
    """Township -> village names of the demo county (deterministic for ``seed``)."""
    rng = np.random.default_rng(seed)
    return {t: village_names(rng, villages_per_township) for t in TOWNSHIPS}


DEMO_DESIGN = {
    "type": "two-stage",
    "villages": {"poor": 16, "non_poor": 8},
    "households_per_village": {"exited": 10, "not_exited": 2, "non_registered": 10},
    "reserves_per_household": 2,
    "screening": True,
}


def _load_frame_and_plan(db: Session, county: County, seed: int, households: int, out):
    """Import a synthetic frame through the real import path, draw a plan, assign teams."""
    from sampling.plans import PlanService
    from sampling.services import FrameService
    from sampling.synthetic import synthetic_frame_csv

    rng = np.random.default_rng(seed)
    data = synthetic_frame_csv(demo_hierarchy(seed), households, rng=rng)
    outcome = FrameService(db).import_file(county, data, "demo-frame.csv")
    if outcome.frame is None:
        raise ValueError(f"demo frame rejected: {outcome.result.issues[:3]}")
    _tell(
        out,
        N_("Frame: {households} households, sha256 {hash}"),
        households=format_number(outcome.frame.households),
        hash=outcome.frame.content_hash,
    )
    service = PlanService(db)
    seed_hex = f"{seed:064x}"
    plan = service.draw(outcome.frame, DEMO_DESIGN, seed_hex=seed_hex)
    teams = db.scalars(select(Team).order_by(Team.name)).all()
    for i, row in enumerate(service.villages(plan)):
        service.assign(plan, row["plan_village"].id, teams[i % len(teams)])
    _tell(
        out,
        N_("Plan {plan}: {villages} villages, commitment {commitment}"),
        plan=plan.id,
        villages=len(service.villages(plan)),
        commitment=plan.commitment,
    )
    return plan


DEMO_CLOSURE = "演示：每个评估组留一个村供演示用户练习，其余村的实地调查已完成（模拟数据）。"


def _simulate_fieldwork(db: Session, plan, seed: int, poverty_line: float, out) -> None:
    """Approved interviews from a synthetic population (marked as simulated everywhere).

    One village per team is left open for demo users; fieldwork is closed (on the record, with
    the reason) so that the demo shows a final verdict rather than 数据不足.
    """
    from assessment.core.models import User
    from surveys.fieldwork import FieldworkService
    from surveys.instrument_store import ensure_builtin_instruments
    from surveys.simulation import simulate_fieldwork

    ensure_builtin_instruments(db)
    count = simulate_fieldwork(
        db, plan, rng=np.random.default_rng(seed + 1), poverty_line=poverty_line, leave_open=1
    )
    coordinator = db.scalar(select(User).where(User.username == "coordinator"))
    FieldworkService(db).close(plan, coordinator, DEMO_CLOSURE)
    _tell(
        out,
        N_("Simulated fieldwork: {count} approved interviews (marked as simulated)"),
        count=format_number(count),
    )


def _create_people(db: Session, county: County) -> list[tuple[str, str, str]]:
    teams = {name: TeamService(db).create(name) for name in ("第一评估组", "第二评估组")}
    # A team may record where it comes from; the demo teams come from elsewhere.
    shared_hash = hash_password(DEMO_PASSWORD)
    users = UserService(db)
    for username, display, role, team in DEMO_USERS:
        users.create(
            username,
            DEMO_PASSWORD,
            role,
            display_name=display,
            team=teams.get(team),
            password_hash=shared_hash,
        )
    # The county's liaison answers its appeal; the expert (a coordinator given the right)
    # rules on disputed cases.
    by_name = {u.username: u for u in users.list()}
    by_name["liaison"].county_id = county.id
    by_name["expert"].appeal_expert = True
    return [(u, DEMO_PASSWORD, r.value) for u, _, r, _ in DEMO_USERS]


def _demo_appeal(db: Session, plan, out) -> None:
    """Publish the suspected cases; one is disputed with evidence and overturned, the county
    accepts the others (so the demo's verdict is final)."""
    import io

    from PIL import Image

    from appeals.evidence import check_evidence
    from appeals.services import AppealService
    from assessment.core.models import User

    people = {u.username: u for u in db.scalars(select(User))}
    service = AppealService(db)
    publication = service.publish(plan, people["coordinator"])
    if not publication.cases:
        _tell(out, N_("Appeal: no suspected household to publish"))
        return
    first, *others = publication.cases
    picture = io.BytesIO()
    Image.new("RGB", (320, 200), (235, 235, 220)).save(picture, "PNG")
    evidence = check_evidence("养老金发放凭证.png", picture.getvalue())
    service.answer(first, people["liaison"], "disputed", DEMO_STATEMENT, [evidence])
    service.rule(first, people["expert"], "overturned", DEMO_RULINGS[first.kind])
    for case in others:
        service.answer(case, people["liaison"], "accepted", None)
    _tell(out, N_("Appeal: {count} cases published, 1 overturned"), count=len(publication.cases))


def _demo_backchecks(db: Session, plan, seed: int, out) -> None:
    """Draw the back-check sample and record every re-visit (a few members differ)."""
    from assessment.core.models import User
    from backchecks.services import BackcheckService, original_answers

    service = BackcheckService(db)
    coordinator = db.scalar(select(User).where(User.username == "coordinator"))
    draw = service.draw(plan, coordinator, seed=seed % 2**31)
    rng = np.random.default_rng(seed + 2)
    for item in draw.backchecks:
        original = original_answers(item.interview)
        answers = {i.name: original.get(i.name) for i in service.items}
        if answers.get("household_size") is not None and rng.random() < 0.08:
            answers["household_size"] += 1  # a member missed at the first visit
        leader = next(u for u in item.team.members if u.role == Role.supervisor)
        service.record(item, leader, {k: v for k, v in answers.items() if v is not None})
    _tell(out, N_("Back-checks: {count} re-visits recorded"), count=len(draw.backchecks))


def _tell(out, msgid: str, **mapping) -> None:
    if out is not None:
        out(Message(msgid, mapping))


def load_demo(
    db: Session, *, seed: int = 20190601, households: int = 42_000, out=None, fieldwork: bool = True
):
    """Create the demo county and its people; returns (user name, password, role) triples.

    ``out``, when given, is called with a :class:`~assessment.core.i18n.Message` at each step.
    """
    if db.scalar(select(County.id).where(County.code == DEMO_CODE)) is not None:
        raise ValueError("the demo county DEMO exists already")
    county = ensure_county(db, DEMO_CODE, "示范县（模拟）", "示范省", western=True)
    assessment_round = AssessmentRound(
        name="2019年贫困县退出专项评估检查（演示）",
        year=2019,
        counties=[county],
        **NATIONAL_SCHEME,
    )
    db.add(assessment_round)
    accounts = _create_people(db, county)
    plan = _load_frame_and_plan(db, county, seed, households, out)
    if fieldwork:
        _simulate_fieldwork(db, plan, seed, assessment_round.poverty_line, out)
        _demo_appeal(db, plan, out)
        _demo_backchecks(db, plan, seed, out)
    return accounts
