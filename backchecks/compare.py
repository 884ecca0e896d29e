"""Back-checks compared with the original interviews, answer by answer (PURE).

A pair (original answer, back-check answer) of an item is *compared* when both are present,
and *discrepant* when they differ beyond the item's tolerance. Rates are discrepant / compared
per item, per assessor and per team, each with a Wilson score interval (the interval of
``prop.test(k, n, correct = FALSE)`` in R). An item is flagged when its rate exceeds the
largest acceptable rate of its type; an assessor or a team when its rate over the type 1
items (facts that should not change) exceeds :data:`MAX_RATE_PERSON`.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
JASA 22(158), 209-212.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from backchecks.spec import BackcheckItem

MAX_RATE_PERSON = 0.10  # type 1 discrepancy rate above which an assessor / team is flagged
Z95 = 1.959963984540054


def wilson(discrepant: int, compared: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of ``discrepant / compared`` (NaN, NaN when nothing compared)."""
    if compared < 0 or not 0 <= discrepant <= compared:
        raise ValueError(f"discrepant/compared: need 0 <= k <= n, got {discrepant}/{compared}")
    if compared == 0:
        return math.nan, math.nan
    p, n = discrepant / compared, compared
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def differs(item: BackcheckItem, original: Any, again: Any) -> bool | None:
    """Whether the back-check answer differs from the original beyond the tolerance; None
    when either is missing (not compared)."""
    if original in (None, "") or again in (None, ""):
        return None
    if item.numeric:
        a, b = float(original), float(again)
        allowed = item.tolerance * max(abs(a), 1.0) if item.relative else item.tolerance
        return abs(a - b) > allowed + 1e-9
    return original != again


@dataclass(frozen=True)
class Pair:
    """One back-checked interview: who recorded it and both sets of answers."""

    assessor: str
    team: str
    original: Mapping[str, Any]
    again: Mapping[str, Any]


@dataclass(frozen=True)
class Rate:
    """A discrepancy rate with its 95 % Wilson interval (proportions 0-1; NaN: no data)."""

    key: str
    compared: int
    discrepant: int
    rate: float
    ci_low: float
    ci_high: float
    flagged: bool


@dataclass(frozen=True)
class Comparison:
    items: tuple[Rate, ...]
    assessors: tuple[Rate, ...]
    teams: tuple[Rate, ...]
    pairs: int


def _rate(key: str, k: int, n: int, limit: float) -> Rate:
    low, high = wilson(k, n)
    rate = k / n if n else math.nan
    return Rate(key, n, k, rate, low, high, bool(n) and rate > limit)


def compare(pairs: Sequence[Pair], items: Sequence[BackcheckItem]) -> Comparison:
    """Discrepancy rates per item (all pairs), per assessor and per team (type 1 items)."""
    per_item = {i.name: [0, 0] for i in items}
    people: dict[tuple[str, str], list[int]] = {}
    for pair in pairs:
        for item in items:
            found = differs(item, pair.original.get(item.name), pair.again.get(item.name))
            if found is None:
                continue
            per_item[item.name][0] += found
            per_item[item.name][1] += 1
            if item.type == 1:
                for key in (("assessor", pair.assessor), ("team", pair.team)):
                    cell = people.setdefault(key, [0, 0])
                    cell[0] += found
                    cell[1] += 1
    by = {i.name: i for i in items}
    rates = tuple(_rate(name, k, n, by[name].max_rate) for name, (k, n) in per_item.items())
    group = lambda kind: tuple(  # noqa: E731
        _rate(key, k, n, MAX_RATE_PERSON)
        for (g, key), (k, n) in sorted(people.items())
        if g == kind
    )
    return Comparison(rates, group("assessor"), group("team"), len(pairs))


def draw_sample(
    population: Mapping[str, Sequence[int]], share: float, minimum: int, seed: int
) -> list[int]:
    """The back-check sample: from each assessor's approved interviews, ``max(minimum,
    ceil(share × n))`` of them (all when fewer), drawn without replacement.

    Parameters
    ----------
    population : mapping of assessor code -> interview ids
    share : float
        Proportion 0-1 per assessor.
    minimum : int
        Least number per assessor.
    seed : int
        Seeds ``numpy.random.default_rng``; assessors are taken in sorted order and their ids
        sorted, so the same inputs always give the same sample.

    Returns
    -------
    list of int
        The drawn interview ids, sorted.
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    if minimum < 0:
        raise ValueError(f"minimum must be >= 0, got {minimum!r}")
    rng = np.random.default_rng(seed)
    drawn: list[int] = []
    for assessor in sorted(population):
        ids = sorted(population[assessor])
        k = min(len(ids), max(minimum, math.ceil(share * len(ids))))
        if k:
            drawn += [ids[i] for i in rng.choice(len(ids), size=k, replace=False)]
    return sorted(drawn)


COMMITMENT_VERSION = "exit-assessment back-check commitment v1"


def seed_hash(seed: int) -> str:
    """SHA-256 (hex) of the seed written in decimal: recorded before the draw."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed: expected a whole number >= 0, got {seed!r}")
    return hashlib.sha256(str(seed).encode()).hexdigest()


def population_hash(population: Mapping[str, Iterable[int]]) -> str:
    """SHA-256 (hex) of the population (assessor code -> interview ids) as canonical JSON."""
    payload = json.dumps(
        {k: sorted(v) for k, v in sorted(population.items())}, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def draw_commitment(
    plan_id: int, share: float, minimum: int, population_sha256: str, seed_sha256: str
) -> str:
    """SHA-256 (hex) committing to a back-check draw before it is made.

    The hashed UTF-8 text is six lines, each followed by ``\\n``: ``exit-assessment back-check
    commitment v1``, the plan id, the share (``repr``), the minimum, the population's hash
    (:func:`population_hash`) and the seed's hash (:func:`seed_hash`) — as the sampling draw
    commits to its frame, design and seed hash (``sampling.rng.commitment``).
    """
    for name, value in (("population_sha256", population_sha256), ("seed_sha256", seed_sha256)):
        if not (len(value) == 64 and all(c in "0123456789abcdef" for c in value)):
            raise ValueError(f"{name}: expected 64 lower-case hex digits, got {value!r}")
    text = f"{COMMITMENT_VERSION}\n{plan_id}\n{share!r}\n{minimum}\n"
    text += f"{population_sha256}\n{seed_sha256}\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DrawCheck:
    """The verification of a recorded back-check draw; each part True when it holds.

    ``committed`` is False for a draw recorded before commitments were kept (nothing to
    check the seed against).
    """

    committed: bool
    seed_ok: bool
    commitment_ok: bool
    sample_ok: bool
    digest_ok: bool

    @property
    def verified(self) -> bool:
        return (
            self.committed
            and self.seed_ok
            and self.commitment_ok
            and self.sample_ok
            and self.digest_ok
        )


def verify_draw(
    *,
    plan_id: int,
    share: float,
    minimum: int,
    seed: int,
    population: Mapping[str, Sequence[int]],
    selected: Sequence[int],
    recorded_seed_sha256: str | None,
    recorded_commitment: str | None,
    recorded_digest: str,
) -> DrawCheck:
    """Re-check a recorded draw: the seed against its committed hash, the commitment against
    the inputs, the sample against a re-draw and the digest against the whole record."""
    seed_sha = seed_hash(seed)
    commitment = draw_commitment(plan_id, share, minimum, population_hash(population), seed_sha)
    return DrawCheck(
        committed=recorded_commitment is not None,
        seed_ok=seed_sha == recorded_seed_sha256,
        commitment_ok=commitment == recorded_commitment,
        sample_ok=draw_sample(population, share, minimum, seed) == sorted(selected),
        digest_ok=draw_digest(population, share, minimum, seed, selected) == recorded_digest,
    )


def draw_digest(
    population: Mapping[str, Iterable[int]], share: float, minimum: int, seed: int, drawn
) -> str:
    """SHA-256 of the draw's inputs and result, as canonical JSON (what the record keeps)."""
    payload = json.dumps(
        {
            "population": {k: sorted(v) for k, v in sorted(population.items())},
            "share": share,
            "minimum": minimum,
            "seed": seed,
            "drawn": sorted(drawn),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()
