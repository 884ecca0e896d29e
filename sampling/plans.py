"""Sampling plans in the database: commit, draw, store, verify, assign, export.

A plan is immutable once drawn. A county's first plan needs no reason; every later one is a
re-draw and must say why. Before the draw the commitment (SHA-256 over the frame hash, the
canonical design and the seed's hash) is recorded with the time and the user.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import column, func, insert, select, table, update
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.i18n import N_, Message
from assessment.core.models import (
    AssessmentRound,
    County,
    Role,
    Team,
    Township,
    User,
    Village,
    utcnow,
)
from assessment.core.services import latest_round
from assessment.core.staleness import mark_stale
from sampling import rng
from sampling.designs import DesignError, canonical_json, parse_design
from sampling.models import Frame, FrameVillage, Household, PlanHousehold, PlanVillage, SamplePlan
from sampling.selection import DrawResult, draw
from sampling.stored_frames import load_frame, with_location

EXPORT_COLUMNS = (
    "household_id",
    "township",
    "village",
    "village_stratum",
    "stratum",
    "role",
    "reserve_rank",
    "pi_village",
    "pi_household",
    "pi",
    "weight",
    "head_name",
    "team",
)


@dataclass(frozen=True)
class Verification:
    identical: bool
    differences: int
    stored: int
    redrawn: int
    frame_hash_ok: bool
    commitment_ok: bool


def result_key(row) -> tuple:
    """What must match between a stored and a re-run draw, at full precision."""
    return (row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7])


def plans_of(db: Session, county: County) -> list[SamplePlan]:
    """Every plan version drawn for the county, the newest first."""
    query = select(SamplePlan).where(SamplePlan.county_id == county.id)
    return list(db.scalars(query.order_by(SamplePlan.version.desc())))


class PlanService:
    def __init__(self, dbsession: Session, *, clock: Callable[[], dt.datetime] = utcnow):
        self.db = dbsession
        self.clock = clock

    def plans_of(self, county: County) -> list[SamplePlan]:
        return plans_of(self.db, county)

    def every_plan(self) -> list[SamplePlan]:
        """Every plan version of every county, by county code, the newest version first."""
        query = select(SamplePlan).join(County).order_by(County.code, SamplePlan.version.desc())
        return list(self.db.scalars(query))

    def current(self, county: County) -> SamplePlan | None:
        plans = self.plans_of(county)
        return plans[0] if plans else None

    def draw(
        self,
        frame: Frame,
        design_source,
        *,
        user: User | None = None,
        seed_hex: str | None = None,
        reason: str | None = None,
        assessment_round: AssessmentRound | None = None,
        discard_fieldwork: bool = False,
    ) -> SamplePlan:
        """Commit to and draw a new plan version of the frame's county (for ``assessment_round``,
        by default the county's latest round).

        Once the current plan has any interview, a re-draw is refused, unless an administrator
        (or the command line) asks for it with ``discard_fieldwork``: the current plan's
        interviews are then archived (kept and visible, left out of every estimate, which
        reads only a county's current plan) and the plan records who archived them, when.
        """
        previous = self.current(frame.county)
        reason = (reason or "").strip() or None
        fieldwork = interview_count(self.db, previous) if previous is not None else 0
        design, seed = self._checked_inputs(
            previous, fieldwork, design_source, seed_hex, reason, user, discard_fieldwork
        )
        data = load_frame(self.db, frame)
        unknown = set(getattr(design, "purposive_villages", ())) - set(data.villages.key.tolist())
        if unknown:
            raise DomainError(
                Message(
                    N_("Purposive village {key} is not a village of the frame."),
                    {"key": sorted(unknown)[0]},
                ),
                field="design",
            )
        if data.content_hash != frame.content_hash:
            raise DomainError(Message(N_("The stored frame no longer matches its hash.")))
        design_json = canonical_json(design)
        seed_sha = rng.seed_hash(seed)
        plan = SamplePlan(
            county=frame.county,
            assessment_round=assessment_round or latest_round(self.db, frame.county),
            frame=frame,
            version=(previous.version + 1) if previous else 1,
            design_json=design_json,
            seed_hash=seed_sha,
            seed_hex=rng.seed_hex(seed),
            commitment=rng.commitment(frame.content_hash, design_json, seed_sha),
            committed_at=self.clock(),
            committed_by=user,
            reason=reason,
            supersedes_id=previous.id if previous else None,
            drawn_at=self.clock(),
        )
        self.db.add(plan)
        if fieldwork:
            previous.fieldwork_archived_at, previous.fieldwork_archived_by = self.clock(), user
        self.db.flush()  # the commitment is on record before the draw
        result = draw(data, design, seed)
        plan.drawn_at = self.clock()
        plan.summary_json = json.dumps(_summary(result), ensure_ascii=False)
        self._store(plan, frame, result)
        mark_stale(self.db, [frame.county_id])
        return plan

    @staticmethod
    def _checked_inputs(previous, fieldwork, design_source, seed_hex, reason, user, discard):
        """The parsed design and seed, or a DomainError listing every problem of the inputs
        (reason, design, seed) at once, as a form shows them."""
        problems: list[tuple[Message, str | None]] = []
        if previous is not None and reason is None:
            problems.append(
                (
                    Message(
                        N_(
                            "The county already has a plan (version {version}): "
                            "a re-draw needs a written reason."
                        ),
                        {"version": previous.version},
                    ),
                    "reason",
                )
            )
        elif fieldwork:
            try:
                _check_discard(previous, fieldwork, user, discard)
            except DomainError as exc:
                problems += exc.problems
        design = seed = None
        try:
            design = parse_design(design_source)
        except DesignError as exc:
            problems += [(message, "design") for message in exc.messages]
        try:
            seed = rng.parse_seed(seed_hex) if seed_hex else rng.new_seed()
        except ValueError:
            problems.append((Message(N_("The seed must be 64 hexadecimal digits.")), "seed"))
        if problems:
            raise DomainError.of(problems)
        return design, seed

    def _store(self, plan: SamplePlan, frame: Frame, result: DrawResult) -> None:
        village_ids = dict(
            self.db.execute(
                select(FrameVillage.village_key, FrameVillage.id).where(
                    FrameVillage.frame_id == frame.id
                )
            ).all()
        )
        self.db.execute(
            insert(PlanVillage),
            [
                {
                    "plan_id": plan.id,
                    "frame_village_id": village_ids[v.village_key],
                    "stratum": v.stratum,
                    "pi_village": v.pi,
                    "certainty": v.certainty,
                    "purposive": v.purposive,
                }
                for v in result.villages
            ]
            or [],
        )
        plan_villages = dict(
            self.db.execute(
                select(PlanVillage.frame_village_id, PlanVillage.id).where(
                    PlanVillage.plan_id == plan.id
                )
            ).all()
        )
        wanted = [h.household_id for h in result.households]
        household_ids: dict[str, int] = {}
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            household_ids.update(
                self.db.execute(
                    select(Household.household_id, Household.id).where(
                        Household.frame_id == frame.id, Household.household_id.in_(chunk)
                    )
                ).all()
            )
        rows = [
            {
                "plan_id": plan.id,
                "household_pk": household_ids[h.household_id],
                "plan_village_id": plan_villages.get(village_ids[h.village_key]),
                "stratum": h.stratum,
                "role": h.role,
                "reserve_rank": h.reserve_rank,
                "pi_village": h.pi_village,
                "pi_household": h.pi_household,
                "pi": h.pi,
                "weight": h.weight,
            }
            for h in result.households
        ]
        for start in range(0, len(rows), 10_000):
            self.db.execute(insert(PlanHousehold), rows[start : start + 10_000])

    def verify(self, plan: SamplePlan) -> Verification:
        """Re-run the draw from the stored frame, design and seed; compare with what is stored."""
        data = load_frame(self.db, plan.frame)
        seed = bytes.fromhex(plan.seed_hex)
        result = draw(data, parse_design(plan.design_json), seed)
        redrawn = {
            result_key(
                (
                    h.household_id,
                    h.role,
                    h.reserve_rank,
                    h.stratum,
                    h.pi_village,
                    h.pi_household,
                    h.pi,
                    h.weight,
                )
            )
            for h in result.households
        }
        stored = {
            result_key(r)
            for r in self.db.execute(
                select(
                    Household.household_id,
                    PlanHousehold.role,
                    PlanHousehold.reserve_rank,
                    PlanHousehold.stratum,
                    PlanHousehold.pi_village,
                    PlanHousehold.pi_household,
                    PlanHousehold.pi,
                    PlanHousehold.weight,
                )
                .join(Household, PlanHousehold.household_pk == Household.id)
                .where(PlanHousehold.plan_id == plan.id)
            )
        }
        frame_ok = data.content_hash == plan.frame.content_hash
        commitment_ok = (
            result.commitment == plan.commitment and rng.seed_hash(seed) == plan.seed_hash
        )
        differences = len(redrawn ^ stored)
        return Verification(
            identical=frame_ok and commitment_ok and differences == 0,
            differences=differences,
            stored=len(stored),
            redrawn=len(redrawn),
            frame_hash_ok=frame_ok,
            commitment_ok=commitment_ok,
        )

    def assign(self, plan: SamplePlan, plan_village_id: int, team: Team | None) -> None:
        """Give a selected village to a team (never the team's own home county)."""
        if team is not None and team.home_county_id == plan.county_id:
            raise DomainError(
                Message(
                    N_("Team {team} comes from {county} and may not assess it."),
                    {"team": team.name, "county": plan.county.name},
                ),
                field="team_id",
            )
        self.db.execute(
            update(PlanVillage)
            .where(
                PlanVillage.id == plan_village_id,
                PlanVillage.plan_id == plan.id,
            )
            .values(team_id=team.id if team else None)
        )
        mark_stale(self.db, [plan.county_id])

    def assign_many(self, plan: SamplePlan, plan_village_ids, team: Team | None) -> int:
        """Give many selected villages of ``plan`` to one team in one statement; returns how
        many villages of the plan were assigned (ids of other plans are ignored)."""
        if team is not None and team.home_county_id == plan.county_id:
            raise DomainError(
                Message(
                    N_("Team {team} comes from {county} and may not assess it."),
                    {"team": team.name, "county": plan.county.name},
                ),
                field="team_id",
            )
        ids = sorted(set(plan_village_ids))
        result = self.db.execute(
            update(PlanVillage)
            .where(PlanVillage.plan_id == plan.id, PlanVillage.id.in_(ids))
            .values(team_id=team.id if team else None)
        )
        return result.rowcount

    def villages(self, plan: SamplePlan) -> list[dict]:
        """Selected villages with their team and counts of households by role and stratum."""
        counts: dict[int, dict[str, int]] = {}
        for pv_id, role, stratum, n in self.db.execute(
            select(
                PlanHousehold.plan_village_id,
                PlanHousehold.role,
                PlanHousehold.stratum,
                func.count(),
            )
            .where(PlanHousehold.plan_id == plan.id)
            .group_by(PlanHousehold.plan_village_id, PlanHousehold.role, PlanHousehold.stratum)
        ):
            key = role if role != "selected" else f"selected:{stratum}"
            counts.setdefault(pv_id, {})[key] = n
        out = []
        for pv, village, township in self.db.execute(
            select(PlanVillage, Village.name, Township.name)
            .join(FrameVillage, PlanVillage.frame_village_id == FrameVillage.id)
            .join(Village, FrameVillage.village_id == Village.id)
            .join(Township, Village.township_id == Township.id)
            .where(PlanVillage.plan_id == plan.id)
            .order_by(Township.name, Village.name)
        ):
            out.append(
                {
                    "plan_village": pv,
                    "village": village,
                    "township": township,
                    "counts": counts.get(pv.id, {}),
                }
            )
        return out

    def export_rows(self, plan: SamplePlan, team_id: int | None = None) -> Iterator[dict]:
        """One dict per selected, reserve or screening household, full float precision."""
        query = select(
            Household.household_id,
            Township.name,
            Village.name,
            PlanVillage.stratum,
            PlanHousehold.stratum,
            PlanHousehold.role,
            PlanHousehold.reserve_rank,
            PlanHousehold.pi_village,
            PlanHousehold.pi_household,
            PlanHousehold.pi,
            PlanHousehold.weight,
            Household.head_name,
            Team.name,
        ).join(Household, PlanHousehold.household_pk == Household.id)
        query = (
            with_location(query)
            .outerjoin(PlanVillage, PlanHousehold.plan_village_id == PlanVillage.id)
            .outerjoin(Team, PlanVillage.team_id == Team.id)
            .where(PlanHousehold.plan_id == plan.id)
            .order_by(
                Township.name,
                Village.name,
                PlanHousehold.stratum,
                PlanHousehold.role,
                PlanHousehold.reserve_rank,
                Household.household_id,
            )
        )
        if team_id is not None:
            query = query.where(PlanVillage.team_id == team_id)
        for row in self.db.execute(query).yield_per(5000):
            yield dict(zip(EXPORT_COLUMNS, row, strict=True))


# The printed team list: sampled and screening households first, then the reserves.
_TEAM_LIST_ROLE_ORDER = {"selected": 0, "screening": 1, "reserve": 2}


def team_list_rows(rows: Iterable[dict]) -> list[dict]:
    """The rows of a team's printed list, per village: sampled (and screening) households
    first, then the reserves in their drawn order; blinded (no household status).

    The reserves of one village are drawn per household status, so each status's reserves
    form a list of their own; the lists are named A, B, … (by status, in a fixed order) rather
    than by the status, which the assessors do not see. ``reserve`` is ``"A1"``, ``"A2"`` …
    (empty for sampled households).
    """
    rows = list(rows)
    letters: dict[tuple, str] = {}
    for key in sorted({(r["township"], r["village"], r["stratum"]) for r in rows}):
        village = key[:2]
        taken = sum(1 for k in letters if k[:2] == village)
        letters[key] = chr(ord("A") + taken) if taken < 26 else str(taken + 1)

    def order(r):
        reserve = r["role"] == "reserve"
        return (
            r["township"],
            r["village"],
            _TEAM_LIST_ROLE_ORDER.get(r["role"], 3),
            r["stratum"] if reserve else "",
            r["reserve_rank"] or 0,
            r["household_id"],
        )

    out = []
    for r in sorted(rows, key=order):
        reserve = r["role"] == "reserve"
        label = f"{letters[(r['township'], r['village'], r['stratum'])]}{r['reserve_rank']}"
        out.append(
            {
                "township": r["township"],
                "village": r["village"],
                "household_id": r["household_id"],
                "head_name": r["head_name"],
                "role": r["role"],
                "reserve": label if reserve else "",
            }
        )
    return out


# Interviews belong to the surveys feature, which builds on this one: counted through the
# table alone, so that sampling does not import surveys.
_INTERVIEWS = table("interviews", column("plan_id"))


def interview_count(db: Session, plan: SamplePlan) -> int:
    """Interviews of any status (outcomes recorded included) of ``plan``."""
    query = select(func.count()).select_from(_INTERVIEWS)
    return db.scalar(query.where(_INTERVIEWS.c.plan_id == plan.id)) or 0


def _check_discard(previous: SamplePlan, count: int, user: User | None, discard: bool) -> None:
    """Refuse a re-draw over fieldwork unless an administrator explicitly discards it."""
    values = {"version": previous.version, "count": count}
    if not discard:
        raise DomainError(
            Message(
                N_(
                    "Plan version {version} already has {count} interviews: a re-draw is "
                    "refused. An administrator may re-draw with a reason and discard the "
                    "fieldwork, which archives those interviews."
                ),
                values,
            ),
            field="reason",
        )
    if user is not None and user.role != Role.admin:
        raise DomainError(
            Message(N_("Only an administrator may discard fieldwork to re-draw a plan.")),
            field="reason",
        )


def _summary(result: DrawResult) -> dict:
    return {
        "strata": [asdict(s) for s in result.strata],
        "shortfalls": [asdict(s) for s in result.shortfalls],
        "generator": result.generator,
    }


def frame_strata(db: Session, frame: Frame) -> list[dict]:
    """Villages and households of each status per village stratum of ``frame`` (poor,
    non-poor, and remote villages again apart), for the design page."""
    rows: dict[str, dict] = {}

    def row(stratum: str) -> dict:
        empty = {"stratum": stratum, "villages": 0, "exited": 0, "not_exited": 0}
        return rows.setdefault(stratum, {**empty, "non_registered": 0})

    villages = (
        select(FrameVillage.village_type, FrameVillage.remote, func.count())
        .where(FrameVillage.frame_id == frame.id)
        .group_by(FrameVillage.village_type, FrameVillage.remote)
    )
    households = (
        select(FrameVillage.village_type, FrameVillage.remote, Household.status, func.count())
        .join(Household, Household.frame_village_id == FrameVillage.id)
        .where(FrameVillage.frame_id == frame.id)
        .group_by(FrameVillage.village_type, FrameVillage.remote, Household.status)
    )
    for village_type, remote, count in db.execute(villages):
        for stratum in (village_type, "remote") if remote else (village_type,):
            row(stratum)["villages"] += count
    for village_type, remote, status, count in db.execute(households):
        for stratum in (village_type, "remote") if remote else (village_type,):
            if status in ("exited", "not_exited", "non_registered"):
                row(stratum)[status] += count
    order = {"poor": 0, "non_poor": 1, "remote": 2}
    return sorted(rows.values(), key=lambda r: (order.get(r["stratum"], 3), r["stratum"]))
