"""Sample sizes: for a precision target, and for a pass/fail decision (LQAS).

PURE. Proportions are 0-1 throughout. Every result carries the assumptions that produced it,
so a page or report can print the figure beside them.

References
----------
Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., sections 4.4-4.6 (n for a proportion,
finite-population correction). Krejcie, R. V. & Morgan, D. W. (1970), "Determining sample size
for research activities", *Educational and Psychological Measurement* 30, 607-610 (table).
Lot quality assurance sampling: accept a lot when at most ``d`` of ``n`` sampled units are
defective; operating characteristic = P(accept) as a function of the defect rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class PrecisionSize:
    """Sample size for estimating a proportion within a margin.

    Attributes
    ----------
    n : int
        Units to *select* (after the non-response inflation), rounded up.
    n_respondents : int
        Responding units needed, rounded up.
    n_srs : float
        Unrounded simple-random-sampling size ``z^2 p (1-p) / margin^2``.
    n_deff : float
        ``n_srs`` times the design effect.
    n_fpc : float
        ``n_deff`` after the finite-population correction (= ``n_deff`` without population).
    margin, confidence, anticipated, deff, nonresponse : float
        The assumptions. ``margin`` is the half-width of the interval (0-1).
    population : int or None
    z : float
        Two-sided normal quantile of ``confidence``.
    """

    n: int
    n_respondents: int
    n_srs: float
    n_deff: float
    n_fpc: float
    margin: float
    confidence: float
    anticipated: float
    deff: float
    population: int | None
    nonresponse: float
    z: float


def _check_unit(name: str, value: float, *, low_open=True, high_open=True) -> None:
    ok_low = value > 0 if low_open else value >= 0
    ok_high = value < 1 if high_open else value <= 1
    if not (ok_low and ok_high) or math.isnan(value):
        raise ValueError(f"{name}: must be a proportion in its range (0-1), got {value!r}")


def precision_sample_size(
    margin: float,
    *,
    confidence: float = 0.95,
    anticipated: float = 0.5,
    deff: float = 1.0,
    population: int | None = None,
    nonresponse: float = 0.0,
) -> PrecisionSize:
    """n so that a proportion's two-sided ``confidence`` interval has half-width ``margin``.

    ``n0 = z^2 p (1 - p) / margin^2``; times ``deff``; with a population ``N``,
    ``n = n1 / (1 + (n1 - 1) / N)`` (Cochran 4.6, equal to the Krejcie-Morgan formula);
    divided by ``1 - nonresponse`` and rounded up.

    Parameters
    ----------
    margin : float
        Half-width of the interval (0-1), e.g. 0.02 for plus or minus 2 points.
    confidence : float
        Two-sided confidence level (0-1).
    anticipated : float
        Anticipated proportion (0-1); 0.5 is the conservative choice.
    deff : float
        Design effect (>= 1 for clustered designs; about the household size for person rates).
    population : int, optional
        Population size for the finite-population correction.
    nonresponse : float
        Expected share of selected units that will not respond, in [0, 1).

    Returns
    -------
    PrecisionSize
    """
    _check_unit("margin", margin)
    _check_unit("confidence", confidence)
    _check_unit("anticipated", anticipated, low_open=False, high_open=False)
    _check_unit("nonresponse", nonresponse, low_open=False)
    if not deff > 0:
        raise ValueError(f"deff: must be positive, got {deff!r}")
    if population is not None and population < 1:
        raise ValueError(f"population: must be a positive count, got {population!r}")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    n_srs = z * z * anticipated * (1 - anticipated) / (margin * margin)
    n_deff = n_srs * deff
    n_fpc = n_deff if population is None else n_deff / (1 + (n_deff - 1) / population)
    n_respondents = max(1, math.ceil(n_fpc - 1e-9))
    n = math.ceil(n_respondents / (1 - nonresponse) - 1e-9)
    if population is not None:
        n = min(n, population)
    return PrecisionSize(
        n,
        n_respondents,
        n_srs,
        n_deff,
        n_fpc,
        margin,
        confidence,
        anticipated,
        deff,
        population,
        nonresponse,
        z,
    )


@dataclass(frozen=True)
class DecisionPlan:
    """An LQAS plan: sample ``n`` units, pass when at most ``d`` are defective.

    With a design effect the plan is made for ``n_effective = n / deff`` independent units
    (persons are counted in households and villages, so ``n`` clustered persons carry the
    information of ``n / deff`` independent ones): pass when the defectives found, divided by
    ``deff``, are at most ``d`` — the estimated rate at most ``d / n_effective``.

    Attributes
    ----------
    n : int
        Units to sample (persons for 错退率), ``ceil(n_effective * deff)``.
    d : int
        Acceptance number on the effective scale (defectives / deff).
    n_effective : int
        The binomial (or hypergeometric) size the risks are computed on; ``n`` when deff = 1.
    deff : float
        Design effect applied (1: independent units).
    deff_source : str
        Where the design effect came from: ``"none"`` (1), ``"entered"`` or
        ``"previous_round"`` (estimated from a previous round's data).
    threshold : float
        Defect rate at which a county must fail (e.g. 0.02 for 错退率).
    acceptable : float
        Defect rate at which a county should pass (``p0 < threshold``).
    alpha : float
        Largest allowed P(pass | rate = threshold) (the consumer's risk).
    beta : float
        Largest allowed P(fail | rate = acceptable) (the producer's risk).
    population : int or None
        Frame size when the hypergeometric model was used (divided by ``deff`` with a design
        effect: the effective population the risks are computed on).
    p_accept_at_threshold : float
        Achieved P(pass | threshold) (<= alpha).
    p_reject_at_acceptable : float
        Achieved P(fail | acceptable) (<= beta).
    model : str
        ``"binomial"`` or ``"hypergeometric"``.
    """

    n: int
    d: int
    threshold: float
    acceptable: float
    alpha: float
    beta: float
    population: int | None
    p_accept_at_threshold: float
    p_reject_at_acceptable: float
    model: str
    n_effective: int = 0
    deff: float = 1.0
    deff_source: str = "none"

    @property
    def acceptance_rate(self) -> float:
        """The largest estimated rate that passes, ``d / n_effective``."""
        return self.d / self.n_effective


DEFF_SOURCES = ("none", "entered", "previous_round")


def _defectives(rate: float, population: int, *, up: bool) -> int:
    count = rate * population
    return math.ceil(count - 1e-9) if up else math.floor(count + 1e-9)


def accept_probability(n, d, rate: float, *, population: int | None = None):
    """P(at most ``d`` defectives among ``n``) at defect ``rate`` (arrays broadcast).

    With ``population`` the count of defectives is ``rate * population`` (rounded to the
    nearest whole unit) and the hypergeometric model applies; otherwise the binomial.
    """
    if population is None:
        return stats.binom.cdf(d, n, rate)
    defectives = round(rate * population)
    return stats.hypergeom.cdf(d, population, defectives, n)


def _acceptance_numbers(ns: np.ndarray, threshold: float, alpha: float, population) -> np.ndarray:
    """Largest ``d`` per ``n`` with P(accept | threshold) <= alpha (-1 when none)."""
    if population is None:
        dist = stats.binom(ns, threshold)
    else:
        dist = stats.hypergeom(population, _defectives(threshold, population, up=True), ns)
    d = dist.ppf(alpha).astype(np.int64)
    # ppf is the smallest k with cdf(k) >= alpha; step down while cdf(k) exceeds alpha.
    for _ in range(2):
        over = dist.cdf(d) > alpha * (1 + 1e-12)
        d = np.where(over, d - 1, d)
    return d


def decision_sample_size(
    threshold: float,
    acceptable: float,
    *,
    alpha: float = 0.05,
    beta: float = 0.20,
    population: int | None = None,
    max_n: int = 20_000,
    deff: float = 1.0,
    deff_source: str | None = None,
) -> DecisionPlan:
    """Smallest ``n`` (and its ``d``) meeting both risks of a pass/fail decision.

    Pass when the sample holds at most ``d`` defectives. Requires
    ``P(pass | rate = threshold) <= alpha`` and ``P(fail | rate = acceptable) <= beta``,
    exactly: binomial, or hypergeometric when ``population`` is given (then ``threshold *
    population`` is rounded up and ``acceptable * population`` down to whole units, and
    ``n <= population``).

    With a design effect ``deff`` the risks are computed on the effective size
    ``n_effective`` (and the population ``population / deff``), and ``n =
    ceil(n_effective * deff)`` units are to be sampled: 错退 is counted in persons clustered
    in households and villages, which carry less information than independent persons.

    Parameters
    ----------
    threshold, acceptable : float
        Defect rates (0-1), ``acceptable < threshold``.
    alpha, beta : float
        Risks (0-1).
    population : int, optional
        Frame size (units the sample is drawn from).
    max_n : int
        Search limit on the effective size; ValueError when no plan up to it meets the risks.
    deff : float
        Design effect (>= 1 in practice; any positive value is accepted), entered or
        estimated from a previous round's data.
    deff_source : {"none", "entered", "previous_round"}, optional
        Recorded in the plan; default ``"none"`` when deff is 1, else ``"entered"``.

    Returns
    -------
    DecisionPlan
    """
    if not (isinstance(deff, (int, float)) and math.isfinite(deff) and deff > 0):
        raise ValueError(f"deff: must be a positive number, got {deff!r}")
    if deff_source is None:
        deff_source = "none" if deff == 1 else "entered"
    if deff_source not in DEFF_SOURCES:
        raise ValueError(f"deff_source: must be one of {DEFF_SOURCES}, got {deff_source!r}")
    if population is not None and deff != 1:
        population = max(1, math.floor(population / deff))
    plan = _decision_plan(threshold, acceptable, alpha, beta, population, max_n)
    return replace(
        plan,
        n=math.ceil(plan.n * deff - 1e-9),
        n_effective=plan.n,
        deff=float(deff),
        deff_source=deff_source,
    )


def _decision_plan(threshold, acceptable, alpha, beta, population, max_n) -> DecisionPlan:
    _check_unit("threshold", threshold)
    _check_unit("acceptable", acceptable, low_open=False)
    _check_unit("alpha", alpha)
    _check_unit("beta", beta)
    if not acceptable < threshold:
        raise ValueError(f"acceptable: must be below threshold, got {acceptable!r}")
    if population is not None and population < 1:
        raise ValueError(f"population: must be a positive count, got {population!r}")
    upper = max_n if population is None else min(max_n, population)
    ns = np.arange(1, upper + 1)
    ds = _acceptance_numbers(ns, threshold, alpha, population)
    p0 = acceptable
    if population is None:
        reject = stats.binom.sf(ds, ns, p0)
    else:
        good = _defectives(p0, population, up=False)
        reject = stats.hypergeom.sf(ds, population, good, ns)
    ok = np.flatnonzero((ds >= 0) & (reject <= beta * (1 + 1e-12)))
    if ok.size == 0:
        raise ValueError(f"max_n: no plan with n <= {upper} meets alpha and beta")
    i = int(ok[0])
    n, d = int(ns[i]), int(ds[i])
    return DecisionPlan(
        n,
        d,
        threshold,
        acceptable,
        alpha,
        beta,
        population,
        _accept_at(n, d, threshold, population, up=True),
        float(reject[i]),
        "binomial" if population is None else "hypergeometric",
        n,
    )


def _accept_at(n: int, d: int, rate: float, population, *, up: bool) -> float:
    if population is None:
        return float(stats.binom.cdf(d, n, rate))
    return float(stats.hypergeom.cdf(d, population, _defectives(rate, population, up=up), n))


@dataclass(frozen=True)
class OcPoint:
    """One point of an operating-characteristic curve."""

    rate: float
    p_accept: float


def operating_characteristic(
    n: int, d: int, rates: Sequence[float] | None = None, *, population: int | None = None
) -> tuple[OcPoint, ...]:
    """P(pass) of the plan (n, d) at each defect rate (default 0 to 10 % in 0.25-point steps).

    With ``population``, the defectives at each rate are ``rate * population`` rounded to
    the nearest unit (hypergeometric).
    """
    if n < 1 or d < 0 or d > n:
        raise ValueError(f"n, d: need n >= 1 and 0 <= d <= n, got n={n!r}, d={d!r}")
    if population is not None and not 1 <= n <= population:
        raise ValueError(f"population: must be at least n, got {population!r}")
    grid = np.linspace(0, 0.10, 41) if rates is None else np.asarray(rates, dtype=float)
    if np.any((grid < 0) | (grid > 1)):
        raise ValueError("rates: must be proportions in 0-1")
    return tuple(
        OcPoint(float(rate), float(accept_probability(n, d, float(rate), population=population)))
        for rate in grid
    )


def max_defects_for_upper_bound(n: int, threshold: float, confidence: float = 0.95) -> int:
    """Most defectives in ``n`` whose one-sided Clopper-Pearson upper bound is below threshold.

    E.g. to claim 错退率 < 2 % with 95 % confidence from 500 persons, at most 4 may be 错退.
    Returns -1 when even 0 defectives is not enough.
    """
    _check_unit("threshold", threshold)
    _check_unit("confidence", confidence)
    k = np.arange(0, n)
    upper = stats.beta.ppf(confidence, k + 1, n - k)
    below = np.flatnonzero(upper < threshold)
    return int(below[-1]) if below.size else -1


def min_successes_for_lower_bound(n: int, threshold: float, confidence: float = 0.95) -> int:
    """Fewest successes in ``n`` whose one-sided Clopper-Pearson lower bound exceeds threshold.

    E.g. recognition (认可度) > 90 % with 95 % confidence from 300 households needs 279.
    Returns n + 1 when even n successes are not enough.
    """
    _check_unit("threshold", threshold)
    _check_unit("confidence", confidence)
    x = np.arange(1, n + 1)
    lower = stats.beta.ppf(1 - confidence, x, n - x + 1)
    above = np.flatnonzero(lower > threshold)
    return int(x[above[0]]) if above.size else n + 1
