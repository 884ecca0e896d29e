"""Sampling primitives: integer allocation and systematic PPS with certainty units.

PURE. Randomness comes in as a ``numpy.random.Generator`` and is used only through
``Generator.random`` (see :mod:`sampling.rng`).

References
----------
Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., section 9A.2 (systematic selection
with probability proportional to size) and 5.5-5.9 (proportional and optimum allocation).
Särndal, Swensson & Wretman (1992). *Model Assisted Survey Sampling*, 3.6 (pi-ps designs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def allocate(total: int, weights, caps) -> np.ndarray:
    """Split ``total`` into whole numbers proportional to ``weights``, each at most its cap.

    Quotas over their cap are fixed at the cap and the rest is re-split over the others
    (repeated until none exceeds its cap); the whole parts of the quotas are then topped up by
    the largest remainders (Hamilton's method), ties going to the earlier position. The total
    is cut to ``sum(caps)`` when larger. Positions with zero weight get units only when the
    positive-weight positions are all at their caps.

    Parameters
    ----------
    total : int
    weights : array_like of float, >= 0
    caps : array_like of int, >= 0

    Returns
    -------
    ndarray of int64
    """
    weights = np.asarray(weights, dtype=float)
    caps = np.asarray(caps, dtype=np.int64)
    if weights.shape != caps.shape or np.any(weights < 0) or np.any(caps < 0):
        raise ValueError("weights, caps: need equal shapes and non-negative values")
    if total < 0:
        raise ValueError(f"total: must be non-negative, got {total!r}")
    total = int(min(total, caps.sum()))
    out = np.zeros(len(caps), dtype=np.int64)
    total = _split(total, weights, caps, (caps > 0) & (weights > 0), out)
    _split(total, caps.astype(float), caps, (caps > 0) & (weights == 0), out)
    return out


def _split(total: int, weights, caps, free, out) -> int:
    """Add to ``out`` a capped largest-remainder split over ``free``; return what is left."""
    free = free.copy()
    while total > 0 and free.any():
        quota = np.zeros(len(caps))
        quota[free] = total * weights[free] / weights[free].sum()
        over = free & (quota >= caps)
        if not over.any():
            whole = np.floor(quota).astype(np.int64)
            left = total - int(whole[free].sum())
            remainder = np.where(free, quota - whole, -1.0)
            whole[np.argsort(-remainder, kind="stable")[:left]] += 1
            out[free] += whole[free]
            return 0
        out[over] = caps[over]
        total -= int(caps[over].sum())
        free &= ~over
    return total


@dataclass(frozen=True)
class PpsSample:
    """Result of :func:`pps_systematic` (positions refer to the input list).

    Attributes
    ----------
    selected : ndarray of int64
        Selected positions, ascending.
    pi : ndarray of float
        Inclusion probability of every position (1 for certainty units).
    certainty : ndarray of bool
        Positions taken with certainty (size at least the sampling interval).
    """

    selected: np.ndarray
    pi: np.ndarray
    certainty: np.ndarray


def certainty_units(sizes: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """Units at least as large as the interval, found iteratively; return mask and n left.

    A unit with ``size >= X / n`` (X the total size of the units not yet taken) would
    otherwise get a probability of 1 or more. Those are taken with probability 1, ``n`` and
    ``X`` are reduced, and the test is repeated on the rest until no unit passes it.
    """
    certain = np.zeros(len(sizes), dtype=bool)
    left = n
    while left > 0:
        rest = ~certain & (sizes > 0)
        total = sizes[rest].sum()
        big = rest & (sizes * left >= total)
        if not big.any():
            break
        certain |= big
        left -= int(big.sum())
    return certain, left


def pps_systematic(sizes, n: int, *, rng: np.random.Generator) -> PpsSample:
    """Systematic PPS selection of ``n`` units from a list in its given order.

    Certainty units are taken first (:func:`certainty_units`); on the remaining units in list
    order, with cumulative sizes ``C`` and interval ``I = X / m`` (``m`` units still to
    take), the points ``(r + k) I`` for ``k = 0..m-1`` and one uniform ``r`` select the units
    whose ranges ``[C[i-1], C[i])`` contain them. Every remaining unit has
    ``pi = m * size / X`` < 1. Exactly one uniform is drawn. Order the list at random first
    for a random systematic design.

    Parameters
    ----------
    sizes : array_like of int
        Measures of size (>= 0; units of size 0 are never selected).
    n : int
        Units to select, at most the number of units with positive size.
    rng : numpy.random.Generator
        Only ``rng.random`` is called.

    Returns
    -------
    PpsSample
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    if np.any(sizes < 0):
        raise ValueError("sizes: must be non-negative")
    if not 0 <= n <= int(np.count_nonzero(sizes)):
        raise ValueError(f"n: must be between 0 and the number of positive sizes, got {n!r}")
    start = float(rng.random())
    certain, left = certainty_units(sizes, n)
    pi = np.where(certain, 1.0, 0.0)
    picked = np.flatnonzero(certain)
    rest = np.flatnonzero(~certain & (sizes > 0))
    if left > 0:
        total = float(sizes[rest].sum())
        cumulative = np.cumsum(sizes[rest])
        points = (start + np.arange(left)) * (total / left)
        hit = np.searchsorted(cumulative, points, side="right")
        hit = np.minimum(hit, len(rest) - 1)
        pi[rest] = left * sizes[rest] / total
        picked = np.concatenate([picked, rest[hit]])
    selected = np.sort(picked)
    if len(np.unique(selected)) != n:  # pragma: no cover - guarded by the interval test
        raise AssertionError("systematic PPS selected a unit twice")
    return PpsSample(selected, pi, certain)
