"""Non-response: weighting-class adjustment, AAPOR response rates, worst-case error rates (PURE).

The contract the database layer codes against (issue #13):

``weighting_class_adjustment(weights, stratum, position, kind, responded) -> CellAdjustment``
    One entry per *attempted unit*: each planned household slot of the sample (a slot filled
    by an interviewed reserve counts as responded, with the slot's weight) and each screening
    household. ``stratum`` is the village stratum, ``position`` the village's place in the
    frame order (an integer), ``kind`` the household status for sampled households
    (``"exited"``, ``"not_exited"``, ``"non_registered"``) and ``"screening"`` for screening
    households. The cell of a unit is ``(stratum, position, kind)``: village × status for the
    sample, village for screening, as the issue asks. Within a cell the respondents' weights
    are scaled by ``Σ w (all units) / Σ w (respondents)``; non-respondents get weight 0.
    **Collapsing** (a cell with no respondent): its weight goes to the cell of the same
    stratum and kind in the *nearest village by frame order* that has a respondent (on a tie,
    the earlier village); when no village of the stratum has one, to every respondent of the
    same kind in the sample (strata pooled); when there is none at all, the weight is lost
    and the cell is listed in ``lost``. Weighted totals of each kind are kept exactly
    (except what is lost).

``response_rates(outcomes, weights=None) -> ResponseRates``
    AAPOR's RR1, COOP1 and CON1 from one final contact outcome per attempted unit.

``worst_case_ratio(y, x, weights, responded, worst="high", denominator_total=None) -> float``
    The error rate if every unreached unit had failed (``worst="high"``: 错退/漏评, each
    unreached unit counts ``y = x``) or had not recognised (``worst="low"``: ``y = 0``).

The assumption behind the adjustment, in plain words: within a cell, the households that
could not be reached are like the ones that were. The worst case shows how much the verdict
leans on that assumption.

References
----------
The American Association for Public Opinion Research (AAPOR). *Standard Definitions: Final
Dispositions of Case Codes and Outcome Rates for Surveys* (editions 2011-2016): RR1, COOP1
and CON1, disposition groups I, P, R, NC, O, UH/UO and not eligible.
Kalton G, Flores-Cervantes I (2003). Weighting methods. *Journal of Official Statistics*
19(2):81-97 (weighting-class adjustment, collapsing cells).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

# Our contact outcomes (glossary: 访问结果) and the AAPOR disposition group each falls in:
# I complete interview, R refusal, NC eligible non-contact, O other eligible non-interview,
# UO unknown eligibility. P (partial) and "not eligible" have no outcome of ours.
DISPOSITIONS = MappingProxyType(
    {
        "interviewed": "I",  # complete interview (AAPOR 1.1)
        "refused": "R",  # refusal (AAPOR 2.10)
        "absent": "NC",  # household not at home through the visits (non-contact, 2.20)
        "moved": "NC",  # household of the frame living elsewhere: eligible, not reached
        "deceased": "O",  # the respondent died (AAPOR counts "dead" among other, 2.30)
        "not_found": "UO",  # household not located: eligibility unknown (AAPOR 3.x)
    }
)
CODES = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")


@dataclass(frozen=True)
class CellAdjustment:
    """Weights after the weighting-class adjustment, and how cells were treated.

    Attributes
    ----------
    weights : ndarray of float
        Adjusted weight of each unit: ``w × factor`` for respondents, 0 for non-respondents.
    factors : mapping of cell to float
        The factor applied to the respondents of each cell holding respondents (1 when
        everyone responded). A cell is the tuple ``(stratum, position, kind)``.
    collapsed : mapping of cell to cell or None
        Each cell without a respondent, and the cell its weight went to (None: pooled over
        the respondents of its kind in every stratum).
    lost : tuple of cell
        Cells whose weight could not go anywhere (no respondent of their kind at all).
    respondents, units : mapping of cell to int
        Unweighted counts per cell, for the coverage table.
    """

    weights: np.ndarray
    factors: Mapping[tuple, float]
    collapsed: Mapping[tuple, tuple | None]
    lost: tuple[tuple, ...]
    respondents: Mapping[tuple, int]
    units: Mapping[tuple, int]


def _array(values, name: str, n: int | None, dtype=None) -> np.ndarray:
    array = np.asarray(values, dtype=dtype).reshape(-1)
    if n is not None and array.size != n:
        raise ValueError(f"{name} must have {n} values, got {array.size}")
    return array


def _check_weights(weights) -> np.ndarray:
    weights = _array(weights, "weights", None, float)
    if not np.all(np.isfinite(weights)) or (weights < 0).any():
        raise ValueError("weights must be finite and non-negative")
    return weights


def weighting_class_adjustment(weights, stratum, position, kind, responded) -> CellAdjustment:
    """Weighting-class adjustment for non-contact, with a deterministic collapsing rule.

    Parameters
    ----------
    weights : array_like of float, shape (n,)
        Base (design) weights of the attempted units.
    stratum : array_like, shape (n,)
        Village stratum of each unit (e.g. ``poor`` / ``non_poor``).
    position : array_like of int, shape (n,)
        Place of the unit's village in the frame order (nearness for collapsing).
    kind : array_like of str, shape (n,)
        Household status, or ``"screening"`` for screening households.
    responded : array_like of bool, shape (n,)
        Whether the unit (or the reserve filling its slot) was interviewed.

    Returns
    -------
    CellAdjustment
        See the module docstring for the rule.
    """
    weights = _check_weights(weights)
    n = weights.size
    stratum = _array(stratum, "stratum", n).astype(str)
    position = _array(position, "position", n).astype(np.int64)
    kind = _array(kind, "kind", n).astype(str)
    responded = _array(responded, "responded", n, bool)
    cells = list(zip(stratum.tolist(), position.tolist(), kind.tolist(), strict=True))
    keys = sorted(set(cells))
    index = {cell: i for i, cell in enumerate(keys)}
    code = np.array([index[c] for c in cells], dtype=np.int64)
    total = np.bincount(code, weights=weights, minlength=len(keys))
    reached = np.bincount(code, weights=weights * responded, minlength=len(keys))
    counted = np.bincount(code[responded], minlength=len(keys))
    units = np.bincount(code, minlength=len(keys))
    target = total.copy()  # weight each cell's respondents must carry
    collapsed, lost, pooled = {}, [], {}
    for i, cell in enumerate(keys):  # loops over cells (a few hundred), not units
        if counted[i] > 0:
            continue
        home = _nearest(cell, keys, counted)
        target[i] = 0.0
        if home is not None:
            collapsed[cell] = home
            target[index[home]] += total[i]
        elif any(counted[j] > 0 and keys[j][2] == cell[2] for j in range(len(keys))):
            collapsed[cell] = None
            pooled[cell[2]] = pooled.get(cell[2], 0.0) + total[i]
        elif total[i] > 0:
            lost.append(cell)
    factor = np.divide(target, reached, out=np.ones(len(keys)), where=reached > 0)
    for kind_name, extra in pooled.items():
        same = np.array([k[2] == kind_name for k in keys]) & (counted > 0)
        factor[same] *= 1 + extra / float(np.sum(target[same]))
    adjusted = np.where(responded, weights * factor[code], 0.0)
    return CellAdjustment(
        adjusted,
        MappingProxyType({keys[i]: float(factor[i]) for i in range(len(keys)) if counted[i]}),
        MappingProxyType(collapsed),
        tuple(lost),
        MappingProxyType({keys[i]: int(counted[i]) for i in range(len(keys))}),
        MappingProxyType({keys[i]: int(units[i]) for i in range(len(keys))}),
    )


def _nearest(cell: tuple, keys: Sequence[tuple], counted: np.ndarray) -> tuple | None:
    """The cell of the same stratum and kind in the nearest village holding a respondent."""
    stratum, position, kind = cell
    candidates = [
        k for i, k in enumerate(keys) if counted[i] > 0 and k[0] == stratum and k[2] == kind
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda k: (abs(k[1] - position), k[1]))


@dataclass(frozen=True)
class ResponseRates:
    """AAPOR outcome rates of a set of attempted units (0-1; NaN with an empty denominator).

    Attributes
    ----------
    counts : mapping of str to float
        Units (or weights) per AAPOR group: I, P, R, NC, O, UH, UO, NE (not eligible).
    rr1 : float
        Response rate 1: ``I / ((I + P) + (R + NC + O) + (UH + UO))``.
    coop1 : float
        Cooperation rate 1: ``I / ((I + P) + R + O)``.
    con1 : float
        Contact rate 1: ``((I + P) + R + O) / ((I + P) + R + O + NC + (UH + UO))``.
    weighted : bool
        Whether the counts are sums of base weights rather than units.
    """

    counts: Mapping[str, float]
    rr1: float
    coop1: float
    con1: float
    weighted: bool


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("nan")


def response_rates(outcomes, weights=None) -> ResponseRates:
    """AAPOR RR1, COOP1 and CON1 from the final contact outcome of each attempted unit.

    Parameters
    ----------
    outcomes : sequence of str
        One of ``DISPOSITIONS``' keys per attempted unit (a sampled household, a released
        reserve, a screening household), or an AAPOR group code from ``CODES`` directly.
    weights : array_like of float, optional
        Base weights: weighted rates (AAPOR's rates are unweighted by default).

    Returns
    -------
    ResponseRates
    """
    outcomes = [str(o) for o in outcomes]
    unknown = sorted({o for o in outcomes if o not in DISPOSITIONS and o not in CODES})
    if unknown:
        raise ValueError(f"outcomes: unknown contact outcomes {unknown}")
    groups = np.array([DISPOSITIONS.get(o, o) for o in outcomes], dtype=object)
    w = np.ones(len(outcomes)) if weights is None else _check_weights(weights)
    if w.size != len(outcomes):
        raise ValueError(f"weights must have {len(outcomes)} values, got {w.size}")
    c = {code: float(w[groups == code].sum()) for code in CODES}
    complete = c["I"] + c["P"]
    unknown_eligibility = c["UH"] + c["UO"]
    return ResponseRates(
        MappingProxyType(c),
        _ratio(c["I"], complete + c["R"] + c["NC"] + c["O"] + unknown_eligibility),
        _ratio(c["I"], complete + c["R"] + c["O"]),
        _ratio(
            complete + c["R"] + c["O"],
            complete + c["R"] + c["O"] + c["NC"] + unknown_eligibility,
        ),
        weights is not None,
    )


def worst_case_ratio(
    y, x, weights, responded, *, worst: str = "high", denominator_total: float | None = None
) -> float:
    """The weighted ratio if every unreached unit had the worst outcome.

    ``Σ w·y* / Σ w·x`` over every unit (``denominator_total`` instead of ``Σ w·x`` when the
    denominator is known, as for 漏评率), with ``y* = y`` for respondents and, for the
    unreached, ``y* = x`` (``worst="high"``: all its persons wrongly exited or missed) or
    ``y* = 0`` (``worst="low"``: not recognising).

    Parameters
    ----------
    y, x : array_like of float, shape (n,)
        Numerator and denominator per unit (e.g. wrongly exited persons and persons; for the
        unreached, ``x`` is the household size from the frame and ``y`` is ignored).
    weights : array_like of float, shape (n,)
        Base weights (before any non-response adjustment): each unit stands for its own
        share of the population. Pass one entry per planned slot, the slot counting as
        unreached when its originally selected household was not interviewed, so that the
        worst case also covers households replaced by reserves.
    responded : array_like of bool, shape (n,)
    worst : {"high", "low"}
    denominator_total : float, optional
        Known denominator total (the weighted non-registered population of the villages).

    Returns
    -------
    float
        The worst-case rate (0-1); NaN when the denominator is zero.
    """
    if worst not in ("high", "low"):
        raise ValueError(f"worst must be 'high' or 'low', got {worst!r}")
    w = _check_weights(weights)
    n = w.size
    y, x = _array(y, "y", n, float), _array(x, "x", n, float)
    responded = _array(responded, "responded", n, bool)
    fallback = x if worst == "high" else np.zeros(n)
    y_star = np.where(responded, np.nan_to_num(y), fallback)
    denominator = float(np.sum(w * x)) if denominator_total is None else float(denominator_total)
    return _ratio(float(np.sum(w * y_star)), denominator)
