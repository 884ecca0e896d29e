"""The ρ of a round's rare-rate intervals: pooled over a round's complete counties, recorded.

A county's intervals use the ρ recorded for its ROUND (:class:`assessment.core.models.RoundIcc`,
else the planning value), never other counties' live data: pooling live would make every
county's results stale at every approval anywhere. :func:`pool` pools ρ over the counties of
a round whose fieldwork is complete (the same round, or an earlier one); :func:`apply`
records it for a round, with who, when and why, and marks the round's counties stale so
that their results are computed again with it (``assess pool-icc``). With at least ten
complete counties whose plans have screening, the ``missed_rate`` row also records 漏评率's
screening model ``(k_C, ρ_C, k_U, ρ_U)``, and the round's counties with screening take the
census effective size for 漏评率 (docs/estimation.md, "Census").

No floor: the simulation (docs/estimation.md, "A ρ pooled from the round's counties") found
that flooring the pooled value at the planning 0.10 changes nothing where the villages cluster
more and only makes the bounds more conservative where they cluster less.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from assessment.core.errors import DomainError
from assessment.core.formatting import format_number
from assessment.core.i18n import N_, Message
from assessment.core.labels import INDICATOR_LABELS
from assessment.core.models import AssessmentRound, RoundIcc, User, utcnow
from assessment.core.staleness import mark_stale
from assessment.indicators.icc import (
    RARE_INDICATORS,
    PooledIcc,
    household_events,
    icc_terms,
    pooled_screening_model,
    screening_group_events,
)
from assessment.indicators.icc import pooled_icc as pool_terms
from assessment.indicators.model import RARE_RATE_ICC
from reports import county_estimates as ce
from sampling.services import current_plan
from surveys.services import FieldworkService

# Least data a pooled ρ may rest on: five counties with complete fieldwork (so that no single
# county decides it) and ten events pooled (below that a 0/1 ANOVA on rare events says little).
MIN_COUNTIES = 5
MIN_EVENTS = 10
# 漏评率's screening model (k_C, ρ_C, k_U, ρ_U) needs more: ten complete counties with
# screening, and ten events in each group. Pooled from five counties, the simulation's ρ_C
# fell to 0.042-0.048 against 0.10-0.16 from twenty, and the two-sided coverage to 91.2 %
# (docs/estimation.md, "Census"); with fewer counties the round keeps the village model.
MIN_SCREENING_COUNTIES = 10
MAX_REASON = 1000


@dataclass(frozen=True)
class ScreeningPool:
    """漏评率's screening model pooled over the complete counties whose plans have screening:
    ``model`` ``(k_C, ρ_C, k_U, ρ_U)`` (None when no county has screening), with the counties
    and the events of each group (census: flagged and missed; unflagged: missed SRS
    households without a flag) it rests on."""

    counties: int = 0
    census_events: int = 0
    unflagged_events: int = 0
    model: tuple[float, float, float, float] | None = None

    @property
    def enough(self) -> bool:
        return (
            self.model is not None
            and self.counties >= MIN_SCREENING_COUNTIES
            and self.census_events >= MIN_EVENTS
            and self.unflagged_events >= MIN_EVENTS
        )


@dataclass(frozen=True)
class Pooled:
    """ρ of each rare indicator pooled over ``source``'s counties with complete fieldwork."""

    source: AssessmentRound
    counties: int  # counties the round lists
    complete: int  # of them, with complete fieldwork and approved interviews
    values: dict[str, PooledIcc] = field(default_factory=dict)
    screening: ScreeningPool = field(default_factory=ScreeningPool)

    @property
    def enough_screening(self) -> bool:
        """Whether 漏评率's screening model can be recorded with its pooled ρ."""
        return self.enough("missed_rate") and self.screening.enough

    @property
    def enough_counties(self) -> bool:
        return self.complete >= MIN_COUNTIES

    def enough(self, indicator: str) -> bool:
        """Whether ``indicator``'s pooled ρ rests on enough data to be applied."""
        found = self.values[indicator]
        return self.enough_counties and found.events >= MIN_EVENTS and found.value == found.value


def pool(db: Session, source: AssessmentRound) -> Pooled:
    """ρ of 错退 and 漏评 households by village, pooled over ``source``'s complete counties
    (each county its own mean; :mod:`assessment.indicators.icc`)."""
    terms: dict[str, list] = {indicator: [] for indicator in RARE_INDICATORS}
    groups: list[dict] = []
    complete = 0
    fieldwork = FieldworkService(db)
    for county in source.counties:
        plan = current_plan(db, county, source.id)
        if plan is None or not fieldwork.state(plan).complete:
            continue
        data = ce.county_data(db, county, plan, assessment_round=source)
        if data is None or not data.rows:
            continue
        complete += 1
        sample = ce.household_sample(data.rows)
        for indicator in RARE_INDICATORS:
            terms[indicator].append(icc_terms(*household_events(sample, indicator)))
        if sample.flagged is not None and sample.village_nr_households is not None:
            groups.append(screening_group_events(sample))
    values = {indicator: pool_terms(t) for indicator, t in terms.items()}
    return Pooled(source, len(source.counties), complete, values, _screening(groups))


def _screening(groups: list[dict]) -> ScreeningPool:
    """漏评率's screening model pooled over the counties' screening groups."""
    if not groups:
        return ScreeningPool()
    model = pooled_screening_model(groups)
    census = sum(int(np.sum(g["census"][1])) for g in groups)
    unflagged = sum(int(np.sum(g["unflagged"][1])) for g in groups)
    (k_c, rho_c), (k_u, rho_u) = model["census"], model["unflagged"]
    return ScreeningPool(len(groups), census, unflagged, (k_c, rho_c, k_u, rho_u))


def apply(
    db: Session,
    target: AssessmentRound,
    pooled: Pooled,
    user: User | None,
    reason: str,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
) -> list[RoundIcc]:
    """Record the pooled ρ of every indicator with enough data for ``target`` (rounded to
    0.001) and mark the round's counties stale. Raises :class:`DomainError` without a reason
    or when no indicator has enough data."""
    reason = _reason(reason, N_("Applying a pooled ρ needs a written reason."))
    chosen = [indicator for indicator in RARE_INDICATORS if pooled.enough(indicator)]
    if not chosen:
        raise DomainError(Message(N_("No indicator has enough data for a pooled ρ.")))
    now = clock()
    rows = []
    for indicator in chosen:
        found = pooled.values[indicator]
        screening = {}
        if indicator == "missed_rate" and pooled.enough_screening:
            k_c, rho_c, k_u, rho_u = pooled.screening.model  # type: ignore[misc]
            screening = {
                "k_census": round(k_c, 3),
                "rho_census": round(rho_c, 3),
                "k_unflagged": round(k_u, 3),
                "rho_unflagged": round(rho_u, 3),
                "screening_counties": pooled.screening.counties,
                "census_events": pooled.screening.census_events,
                "unflagged_events": pooled.screening.unflagged_events,
            }
        rows.append(
            RoundIcc(
                **screening,
                assessment_round=target,
                indicator=indicator,
                value=round(found.value, 3),
                source="pooled",
                pooled=found.value,
                from_round_id=pooled.source.id,
                from_round_name=pooled.source.name,
                counties=found.counties,
                villages=found.villages,
                households=found.households,
                events=found.events,
                applied_by=user,
                applied_at=now,
                reason=reason,
            )
        )
    return _record(db, target, rows)


def to_planning(
    db: Session,
    target: AssessmentRound,
    user: User | None,
    reason: str,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
) -> list[RoundIcc]:
    """Put ``target`` back on the planning value: a ``planning`` row (the history kept) for
    every rare indicator whose ρ in force is not the planning value, the round's counties
    marked stale as by :func:`apply`. Raises :class:`DomainError` without a reason or when
    every indicator already uses the planning value."""
    reason = _reason(reason, N_("Returning to the planning value needs a written reason."))
    chosen = [
        indicator
        for indicator in RARE_INDICATORS
        if (found := target.icc(indicator)) is not None and found.source != "planning"
    ]
    if not chosen:
        raise DomainError(Message(N_("The round already uses the planning value of ρ.")))
    now = clock()
    rows = [
        RoundIcc(
            assessment_round=target,
            indicator=indicator,
            value=RARE_RATE_ICC,
            source="planning",
            applied_by=user,
            applied_at=now,
            reason=reason,
        )
        for indicator in chosen
    ]
    return _record(db, target, rows)


def _reason(reason: str | None, missing: str) -> str:
    """The reason stripped; :class:`DomainError` (``missing``) when empty or too long."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(Message(missing))
    if len(reason) > MAX_REASON:
        raise DomainError(
            Message(N_("The reason is longer than {n} characters."), {"n": MAX_REASON})
        )
    return reason


def _record(db: Session, target: AssessmentRound, rows: list[RoundIcc]) -> list[RoundIcc]:
    """Append ``rows`` to the round's ρ history and mark its counties stale (their results are
    computed again before the commit)."""
    db.add_all(rows)
    db.flush()
    mark_stale(db, [county.id for county in target.counties])
    return rows


def applied_messages(target: AssessmentRound, rows: list[RoundIcc]) -> list[Message]:
    """What :func:`apply` did, said the same way by the command and the web page."""
    said = [
        Message(
            N_("Applied to round {round}: {indicator} ρ = {value}.")
            if row.source == "pooled"
            else N_("Round {round}: {indicator} back on the planning value ρ = {value}."),
            {
                "round": target.name,
                "indicator": Message(INDICATOR_LABELS[row.indicator]),
                "value": f"{row.value:.3f}",
            },
        )
        for row in rows
    ]
    said += [
        Message(
            N_(
                "Round {round}: {indicator} on the census effective size (screening model "
                "pooled over {counties} counties)."
            ),
            {
                "round": target.name,
                "indicator": Message(INDICATOR_LABELS[row.indicator]),
                "counties": format_number(row.screening_counties or 0),
            },
        )
        for row in rows
        if row.screening_model is not None
    ]
    counties = format_number(len(target.counties))
    said.append(Message(N_("Results of {count} counties computed again."), {"count": counties}))
    return said
