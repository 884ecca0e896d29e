"""Result records of a draw and the vectorised helpers both designs share.

PURE. See :mod:`sampling.selection` for the draw itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from sampling.frames import Frame
from sampling.frames.columns import FLAG_COLUMNS

ROLES = ("selected", "reserve", "screening")


@dataclass(frozen=True)
class SampledHousehold:
    """One household of a plan.

    Attributes
    ----------
    household_id, village_key, township, village : str
    village_stratum : str
        ``poor`` / ``non_poor`` / ``remote`` (two-stage) or ``""`` (one-stage).
    stratum : str
        Household stratum: the status (two-stage) or the stratum label (one-stage).
    role : {"selected", "reserve", "screening"}
    reserve_rank : int or None
        1, 2, ... within village and stratum (one-stage: within stratum); None unless reserve.
    pi_village, pi_household, pi, weight : float
        First- and second-stage inclusion probabilities, their product and ``1 / pi``. A
        reserve carries the probabilities of the group it would replace a household of; a
        screening household has ``pi_household = 1`` (a census of the flagged households).
    flags : tuple of str
        Screening flags the household carries.
    """

    household_id: str
    village_key: str
    township: str
    village: str
    village_stratum: str
    stratum: str
    role: str
    reserve_rank: int | None
    pi_village: float
    pi_household: float
    pi: float
    weight: float
    flags: tuple[str, ...]


@dataclass(frozen=True)
class SampledVillage:
    """A selected village (two-stage), or a village holding sampled households (one-stage)."""

    village_key: str
    township: str
    village: str
    village_code: str
    stratum: str
    households: int
    pi: float
    certainty: bool
    purposive: bool = False  # visited by choice; its PPS pi is kept for information only


@dataclass(frozen=True)
class StratumCount:
    """Population and sample counts of one stratum.

    ``stage`` is ``village`` (villages of a village stratum), ``household`` (households of
    one status in one selected village; ``village_key`` names it) or ``stratum`` (one-stage
    households of a stratum; ``village_key`` is ``""``).
    """

    stage: str
    stratum: str
    village_key: str
    population: int
    requested: int
    sample: int
    reserves_requested: int
    reserves: int


@dataclass(frozen=True)
class Shortfall:
    """Fewer units than requested: ``kind`` is ``sample`` or ``reserve``."""

    stage: str
    stratum: str
    village_key: str
    kind: str
    requested: int
    available: int


@dataclass(frozen=True)
class DrawResult:
    """A drawn plan. Households are ordered by village key, role, stratum, then rank or id."""

    design_type: str
    frame_hash: str
    design_json: str
    seed_sha256: str
    commitment: str
    generator: str
    villages: tuple[SampledVillage, ...]
    households: tuple[SampledHousehold, ...]
    strata: tuple[StratumCount, ...]
    shortfalls: tuple[Shortfall, ...]

    def fingerprint(self) -> str:
        """SHA-256 over every sampled household and village (floats at full precision).

        Two draws are identical exactly when their fingerprints are equal; ``assess
        verify-draw`` compares the stored and the re-run fingerprints.
        """
        digest = hashlib.sha256(self.commitment.encode())
        for unit in (*self.villages, *self.households):
            digest.update(repr(tuple(vars(unit).values())).encode("utf-8") + b"\n")
        return digest.hexdigest()


def rank_in_groups(groups: np.ndarray, uniforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order units by (group, uniform) and give each its 0-based rank within its group.

    ``groups`` must already be non-decreasing (units in canonical order within groups);
    ties of uniforms keep that order. Returns the ordering and the ranks in that order.
    """
    order = np.lexsort((np.arange(len(groups)), uniforms, groups))
    sorted_groups = groups[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    lengths = np.diff(np.r_[starts, len(order)])
    ranks = np.arange(len(order)) - np.repeat(starts, lengths)
    return order, ranks


def group_cumcount(groups: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Running count of True ``flags`` within each run of equal (sorted) ``groups``."""
    running = np.cumsum(flags)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    before = np.r_[0, running][starts]
    lengths = np.diff(np.r_[starts, len(groups)])
    return running - np.repeat(before, lengths)


def flags_of(frame: Frame, rows: np.ndarray) -> list[tuple[str, ...]]:
    """Tuple of the screening flags set on each of ``rows``."""
    stacked = np.column_stack([frame.flags()[name][rows] for name in FLAG_COLUMNS])
    return [tuple(n for n, on in zip(FLAG_COLUMNS, row, strict=True) if on) for row in stacked]


def household_rows(
    frame: Frame,
    rows: np.ndarray,
    *,
    role: str,
    strata,
    village_strata,
    ranks,
    pi_village: np.ndarray,
    pi_household: np.ndarray,
) -> list[SampledHousehold]:
    """Build :class:`SampledHousehold` records for frame positions ``rows``."""
    vidx = frame.village_index[rows]
    pi = pi_village * pi_household
    flags = flags_of(frame, rows)
    return [
        SampledHousehold(
            str(frame.household_id[r]),
            str(frame.villages.key[v]),
            str(frame.villages.township[v]),
            str(frame.villages.village[v]),
            vs,
            st,
            role,
            rk,
            float(a),
            float(b),
            float(p),
            float(1.0 / p),
            fl,
        )
        for r, v, vs, st, rk, a, b, p, fl in zip(
            rows.tolist(),
            vidx.tolist(),
            village_strata,
            strata,
            ranks,
            pi_village.tolist(),
            pi_household.tolist(),
            pi.tolist(),
            flags,
            strict=True,
        )
    ]


def sort_households(rows: list[SampledHousehold]) -> tuple[SampledHousehold, ...]:
    """Canonical plan order: village key, role, stratum, reserve rank, household id."""
    return tuple(
        sorted(
            rows,
            key=lambda h: (
                h.village_key,
                ROLES.index(h.role),
                h.stratum,
                h.reserve_rank or 0,
                h.household_id,
            ),
        )
    )
