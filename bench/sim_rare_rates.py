"""Do the intervals of 错退率 and 漏评率 hold their level when the rates are rare?

A seeded simulation of a realistic county (``bench/sim_population.py``: 30 villages of 200 in
two strata, households within villages, persons within households, village rates that
differ, screening households for 漏评, reserves and the weighting-class adjustment for
non-contact) through the production code (:func:`assessment.indicators.county.rates`).

For each true rate (0.5, 1, 2, 3 %), with and without 10 % non-contact, it reports the
relative bias of the estimate, the two-sided 95 % coverage (and how often the truth is below
the lower end and above the upper end), and how often the truth lies above the one-sided 95 %
upper bound and how often it lies below the bound the verdict's "fails with 95 % confidence"
rests on (for production the two-sided 95 % interval's lower end since 7 December 2026, the
one-sided 95 % lower bound before; for a candidate its own one-sided 95 % lower bound): the
county's risk, each with its Monte Carlo standard error;
the same samples are also judged by R's ``svyciprop(method="beta")`` (plain Korn–Graubard)
for comparison. The population is drawn
once per setting; the samples are repeated.

Run (5,000 samples a setting, one process per setting: about 25 minutes of CPU in all)::

    .venv/bin/python bench/sim_rare_rates.py [--replicates 5000] [--seed 2026] [--jobs 8]

``--icc RHO`` fixes the ρ of the model design effect (a round's planning value: 0.10) instead
of pooling it from other counties (``--pool-counties N`` of them, default 20, as clustered as
the county; ``--floor F`` takes ``max(F, pooled)``: what ``assess pool-icc`` would record);
``--concentration C`` sets the beta concentration of the village rates
(default 15), whose intra-village correlation is ``1 / (1 + C)``: 15 → 0.0625, 9 → 0.10,
4 → 0.20, 2 → 0.33. Together they test the production ρ against counties that cluster more
(or less) than it assumes (docs/estimation.md, "If the villages cluster more than assumed").

``--screening-aware`` measures 漏评 on a screening-aware size (``groups``: a candidate, not
production; ``census``: production when a round records a screening model): Wilson on the
screening-aware effective size (:func:`assessment.estimation.grouped_model_n`, flagged and
unflagged households, each group's relative rate and ρ pooled from the same other counties);
the ``missed_rate | production`` rows then show it, and the ``clopper-pearson (model n)`` rows
judge the same samples by Clopper–Pearson on the same effective size, and the ``gamma``,
``gamma-t``, ``gamma-binomial-t`` and ``fay-feuer`` rows by the gamma pivot and Fay and Feuer's
gamma interval on it (candidates measured and not adopted: docs/estimation.md, "A gamma pivot").

``--rho-upper 0.60 0.75 0.90`` measures a guard against a pool that under-estimates ρ (a
candidate, not production): beside the pooled ρ, on the same samples, the pooled ANOVA's
one-sided upper confidence limit at each confidence (:func:`icc_upper_limit`, Searle's
F-based limit), for both indicators' ρ and, with ``--screening-aware``, the screening model's
(docs/estimation.md, "A guard on the pooled ρ").

``--pools P`` pre-draws P independent pools of other counties a setting (pool ``j`` seeded
``[seed, 1000 + i, share, j]``; pool 0 keeps the one-pool seed ``[seed, 1000 + i, share]``, so
``--pools 1``, the default, gives the rows it always gave) and judges replicate ``r`` with pool
``r mod P``: its ρ for both indicators, its screening model and, with ``--rho-upper``, its
limits (the bootstrap's generator seeded per pool in the same way). One pool's rows are that
pool's luck (coverage conditional on it); over many pools they are the procedure's coverage,
in which the round's pool is itself random. The samples are the same for every P; the Monte
Carlo standard errors are then taken over pools (:func:`clustered_share_se`) and "ρ used" is
the mean over pools (min–max) (docs/estimation.md, "Coverage over the round's pools").

The ``wilson-z (model n)`` rows (a candidate, not production; with or without
``--screening-aware``) judge the same samples by production's Wilson interval and bound on the
same effective size with the normal quantile in place of ``t(df)`` (docs/estimation.md, "Wilson
with the normal quantile"). ``--methods production "wilson-z (model n)"`` computes only those
rows (default: every row), so that a run does not pay for the slow gamma candidates; the
samples, and so every row it computes, are those of the full run.

``--villages POOR NONPOOR`` draws the county's samples from that many villages a stratum
(default 20 10, design df 28; 6 4 gives df 8): a county with few sampled villages, where
``t(df)`` widens the interval most. Only the county's samples change: the other counties the
pooled ρ comes from keep the standard 20 + 10 (a round's other counties are not all small), so
the pools, their seeds and the ρ used are those of the standard runs (docs/estimation.md,
"Counties with few sampled villages").

The figures and the command are in docs/estimation.md; tests/assessment/test_rare_rate_intervals.py
runs a smaller version.
"""

from __future__ import annotations

import argparse
import math
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, special, stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment import estimation as est
from assessment.estimation import intervals
from assessment.indicators import verdicts
from assessment.indicators.county import rates
from assessment.indicators.icc import (
    household_events,
    icc_terms,
    pooled_icc,
    pooled_screening_model,
)
from bench.sim_population import (
    INDICATORS,
    VILLAGES_DRAWN,
    draw,
    make_population,
    other_counties_icc,
    other_counties_terms,
)

RATES = (0.005, 0.01, 0.02, 0.03)
NONCONTACT = (0.0, 0.10)
STRATA = tuple(name for name, _ in VILLAGES_DRAWN)  # --villages's order: poor, non-poor
CONCENTRATION = 15.0  # the village rates' beta concentration: ICC 1/16


def county_guard(sample, icc: dict, shrink: float) -> dict:
    """A candidate guard, NOT production: per indicator ``max(ρ0, λ·ρ̂ + (1 − λ)·ρ0)``,
    ``ρ̂`` the county's own one-way ANOVA ρ of its household events by village, ``ρ0`` the
    given (planning) value and ``λ`` = ``shrink``."""
    guarded = {}
    for indicator, planned in icc.items():
        own = pooled_icc([icc_terms(*household_events(sample, indicator))]).value
        own = 0.0 if np.isnan(own) else own  # no event: no ρ̂
        guarded[indicator] = max(planned, shrink * own + (1 - shrink) * planned)
    return guarded


def one_run(
    rng,
    population,
    noncontact,
    icc=None,
    shrink=None,
    screening=None,
    villages=VILLAGES_DRAWN,
    flagged_slot="census",
) -> dict:
    """``{indicator: Estimate or None}`` of one sample (``icc``: ``{indicator: ρ}``;
    ``shrink``: the weight of the county's own ρ in :func:`county_guard`, None for no guard;
    ``villages``: the villages drawn per stratum, :func:`draw`'s ``villages_drawn``;
    ``flagged_slot``: :func:`draw`'s, ``"reserve"`` for the tables measured before 7
    December 2026)."""
    sample = draw(
        rng,
        population,
        noncontact=noncontact,
        villages_drawn=villages,
        flagged_slot=flagged_slot,
    )
    if icc is not None and shrink is not None:
        icc = county_guard(sample, icc, shrink)
    found = rates(sample) if icc is None else rates(sample, icc=icc, screening=screening)
    return {**{k: found[k] for k in INDICATORS}, "icc": icc}


def icc_upper_limit(terms, confidence: float) -> float:
    """A candidate guard (NOT production): the one-sided upper confidence limit of the pooled
    one-way ANOVA ρ of :func:`~assessment.indicators.icc.pooled_icc`, from the same summed
    terms (MSB, MSW, ``df_b``, ``df_w``, ``n0``): Searle's F-based limit
    ``(F / F_q − 1) / (F / F_q + n0 − 1)``, ``F = MSB / MSW`` and ``F_q`` the lower ``q``
    quantile of ``F(df_b, df_w)``, ``q = 1 − confidence``; clipped to [0, 1], 0 when not
    estimable (as the pooled value). Exact for normal data in a one-way random-effects
    model; the household events are 0/1 and each county has its own mean, so only the
    simulation says how it behaves here.

    References
    ----------
    Searle, S. R. (1971). Linear Models. Wiley (the exact limits, unbalanced groups).
    Thomas, J. D. and Hultquist, R. A. (1978). Interval estimation for the unbalanced case of
    the one-way random effects model. Annals of Statistics 6(3), 582-587.
    Donner, A. (1986). International Statistical Review 54(1), 67-82.
    Wolak, M. E. et al. R package ``ICC``, ``ICCest(CI.type = "THD")`` (the same formula,
    two-sided: ``FU = F · qf(α/2, df_w, df_b, lower.tail = FALSE)``).
    """
    kept = [t for t in terms if t is not None]
    if not kept:
        return 0.0
    between, within = sum(t.between for t in kept), sum(t.within for t in kept)
    df_b, df_w = sum(t.df_between for t in kept), sum(t.df_within for t in kept)
    if not (between > 0 and within > 0):
        return 0.0
    n0 = sum(t.n0_df for t in kept) / df_b
    ratio = (between / df_b) / (within / df_w) / stats.f.ppf(1 - confidence, df_b, df_w)
    return float(min(1.0, max(0.0, (ratio - 1) / (ratio + n0 - 1))))


def icc_upper_bootstrap(terms, confidence: float, rng, resamples: int = 2000) -> float:
    """A candidate guard (NOT production): the percentile bootstrap upper limit of the pooled
    ρ, the counties resampled with replacement (each county's :class:`IccTerms` kept whole,
    so its villages and households stay together) and ρ pooled again; the ``confidence``
    quantile of the resampled values (NaN counted as 0, as production's unestimable ρ)."""
    kept = [t for t in terms if t is not None]
    if not kept:
        return 0.0
    values = []
    for _ in range(resamples):
        value = pooled_icc([kept[k] for k in rng.integers(0, len(kept), len(kept))]).value
        values.append(0.0 if np.isnan(value) else value)
    return float(np.quantile(values, confidence))


def rho_upper(terms, confidence: float, method: str, rng) -> float:
    """The guard's ρ: :func:`icc_upper_limit` (``searle``) or :func:`icc_upper_bootstrap`."""
    if method == "bootstrap":
        return icc_upper_bootstrap(terms, confidence, rng)
    return icc_upper_limit(terms, confidence)


def screening_upper(groups, confidence: float, method: str = "searle", rng=None) -> dict:
    """The pooled screening model with each group's ρ (census, flagged, unflagged) replaced
    by its upper confidence limit (:func:`rho_upper`); the relative rates kept."""
    model = pooled_screening_model(groups)
    terms = {g: [] for g in model}
    for per_group in groups:
        for group, (village, events, _) in per_group.items():
            terms[group].append(icc_terms(village, np.asarray(events, float)))
    return {g: (k, rho_upper(terms[g], confidence, method, rng)) for g, (k, _) in model.items()}


def guarded_runs(
    rng, population, noncontact, variants, villages=VILLAGES_DRAWN
) -> list[list[dict]]:
    """Per variant ``(icc, screening)``, one :func:`one_run`-like dict per sample, every
    variant judging the SAME samples (one draw per replicate, ``rng`` used as
    :func:`one_run` uses it)."""
    sample = draw(rng, population, noncontact=noncontact, villages_drawn=villages)
    found = []
    for icc, screening in variants:
        each = rates(sample, icc=icc, screening=screening)
        found.append({**{k: each[k] for k in INDICATORS}, "icc": icc, "screening": screening})
    return found


def clopper_pearson(e: est.Estimate) -> tuple[float, float, float]:
    """A candidate (not production): Clopper–Pearson on the estimate's model effective size
    ``n_event / deff_model`` (``x = n p``), two-sided 95 % and the one-sided 95 % upper end."""
    n = intervals.model_n(e.n_event, e.n_kish, e.deff_model)
    x = n * e.estimate
    low = 0.0 if x <= 0 else float(stats.beta.ppf(0.025, x, n - x + 1))
    high = 1.0 if x >= n else float(stats.beta.ppf(0.975, x + 1, n - x))
    upper = 1.0 if x >= n else float(stats.beta.ppf(0.95, x + 1, n - x))
    return low, high, upper


def _gamma_cdf(p: float, observed: float, n: float, binomial: bool) -> float:
    """``P(p̂ <= observed)`` when ``p̂ ~ Gamma(shape = n p / v, scale = v / n)``: mean ``p``,
    variance ``p v / n`` with ``v = 1`` (Poisson) or ``1 − p`` (binomial)."""
    v = 1 - p if binomial else 1.0
    return float(special.gammainc(n * p / v, n * observed / v))


def _gamma_end(observed: float, n: float, tail: float, side: str, binomial: bool) -> float:
    """The rate ``p`` at which the gamma law puts ``tail`` beyond ``observed``: the upper end
    solves ``P(p̂ <= observed) = tail``, the lower ``P(p̂ >= observed) = tail`` (brentq on p)."""
    low, high = 1e-12, 1 - 1e-9
    if side == "upper":
        f = lambda p: _gamma_cdf(p, observed, n, binomial) - tail  # noqa: E731 - a root's function
    else:
        f = lambda p: tail - (1 - _gamma_cdf(p, observed, n, binomial))  # noqa: E731 - as above
    if f(high) > 0:  # the root is beyond p = 1 (a few effective events: the upper end)
        return 1.0
    if f(low) < 0:  # the root is below p = 0 (not met at these rates)
        return 0.0
    return float(optimize.brentq(f, low, high, xtol=1e-12, rtol=1e-10))


def gamma_pivot(
    e: est.Estimate, *, binomial: bool = False, t_scaled: bool = False
) -> tuple[float, float, float]:
    """A candidate (not production): the gamma pivot on the estimate's model effective size
    ``n = n_event / deff_model`` (the census size for 漏评 on it: ``deff_model`` 1).

    ``p̂ ~ Gamma(shape = n p / v, scale = v / n)``, ``v`` 1 (variance ``p / n``) or ``1 − p``
    (``binomial``: variance ``p(1 − p) / n``), inverted in ``p``: lower end
    ``P(p̂ >= observed) = 0.025``, upper ``P(p̂ <= observed) = 0.025``, one-sided 95 % bound
    ``P(p̂ <= observed) = 0.05``. ``t_scaled``: the analogue of Wilson's ``t(df)`` quantile,
    the variance scaled by ``(t_q(df) / z_q)²`` at each end's own quantile ``q`` (0.975, 0.95),
    i.e. ``n`` divided by it. Zero events: the gamma law puts no mass at or below 0 for any
    ``p > 0``, so it gives no upper end; they take production's Wilson ends ``[0, t²/(n + t²)]``
    (the same ``n``, ``t(df)``)."""
    if e.estimate <= 0 or not (math.isfinite(e.se) and e.df >= 1):
        return bounds(e)
    n = intervals.model_n(e.n_event, e.n_kish, e.deff_model)

    def size(q: float) -> float:
        if not t_scaled:
            return n
        return n * (stats.norm.ppf(q) / stats.t.ppf(q, e.df)) ** 2

    low = _gamma_end(e.estimate, size(0.975), 0.025, "lower", binomial)
    high = _gamma_end(e.estimate, size(0.975), 0.025, "upper", binomial)
    upper = _gamma_end(e.estimate, size(0.95), 0.05, "upper", binomial)
    return low, high, upper


def fay_feuer(e: est.Estimate) -> tuple[float, float, float]:
    """A candidate (not production): Fay and Feuer's (1997) gamma interval on the model
    effective size ``n``, the estimate a weighted Poisson count ``x / n`` (``x = n p̂``, each
    effective event weighing ``1 / n``, variance ``p̂ / n``): lower end the 2.5 % point of
    ``Gamma(x) / n``, upper the 97.5 % point of ``Gamma(x + 1) / n`` (95 % for the one-sided
    bound), at most 1; with these inputs it is Garwood's exact Poisson interval at a
    non-integer count. Zero events: lower 0, the upper end from ``Gamma(1)``."""
    n = intervals.model_n(e.n_event, e.n_kish, e.deff_model)
    x = n * e.estimate
    low = 0.0 if x <= 0 else float(stats.gamma.ppf(0.025, x) / n)
    high = min(1.0, float(stats.gamma.ppf(0.975, x + 1) / n))
    upper = min(1.0, float(stats.gamma.ppf(0.95, x + 1) / n))
    return low, high, upper


def wilson_z(e: est.Estimate) -> tuple[float, float, float]:
    """A candidate (not production): production's ``wilson-model`` interval and bound with the
    normal quantile in place of ``t(df)``: the project's own Wilson
    (:func:`assessment.estimation.intervals.interval` and ``bound``) on the SAME effective
    size the estimate carries (``n_event / deff_model``: the village model, or for 漏评 the
    screening census size, ``deff_model`` 1), with ``df = ∞`` (``t(∞)`` is the normal):
    two-sided 95 % at 0.025 / 0.975, the one-sided 95 % bound its 0.95 end. Where production
    has no interval (``df < 1`` or no finite SE) neither has it."""
    if not (math.isfinite(e.se) and e.df >= 1):
        return bounds(e)
    args = {
        "n": e.n,
        "df": math.inf,
        "n_kish": e.n_kish,
        "df_eff": e.df_eff,
        "n_event": e.n_event,
        "deff_model": e.deff_model,
    }
    low, high = intervals.interval("wilson-model", e.estimate, e.se, level=0.95, **args)
    upper = intervals.bound(
        "wilson-model", e.estimate, e.se, q=0.95, side="upper", one_sided=True, **args
    )
    return low, high, upper


CANDIDATES = {
    "clopper-pearson": clopper_pearson,
    "wilson-z": wilson_z,
    "gamma": gamma_pivot,
    "gamma-t": lambda e: gamma_pivot(e, t_scaled=True),
    "gamma-binomial-t": lambda e: gamma_pivot(e, binomial=True, t_scaled=True),
    "fay-feuer": fay_feuer,
}


def bounds(e: est.Estimate, method: str | None = None) -> tuple[float, float, float]:
    """``(low, high, upper)``: the two-sided 95 % interval and the one-sided 95 % upper bound,
    by the estimate's own method (the production choice) or by ``method``."""
    if method in CANDIDATES and e.method == "wilson-model":
        return CANDIDATES[method](e)
    if method is None or method in CANDIDATES or e.method == "wald-t":
        return e.ci_low, e.ci_high, est.one_sided_bound(e, "upper", 0.95)
    args = {
        "n": e.n,
        "df": e.df,
        "n_kish": e.n_kish,
        "df_eff": e.df_eff,
        "n_event": e.n_event,
    }
    args["deff_model"] = e.deff_model
    low, high = intervals.interval(method, e.estimate, e.se, level=0.95, **args)
    upper = intervals.bound(method, e.estimate, e.se, q=0.95, side="upper", one_sided=True, **args)
    return low, high, upper


def _candidate_lower(e: est.Estimate, method: str) -> float:
    """A candidate's one-sided 95 % lower bound (``e`` a ``wilson-model`` estimate), the 0.05
    end of the same family as the candidate's upper bound in :data:`CANDIDATES`; where the
    candidate falls back on production's ends (:func:`bounds`), production's lower bound."""
    n = intervals.model_n(e.n_event, e.n_kish, e.deff_model)
    x = n * e.estimate
    if method == "clopper-pearson":
        return 0.0 if x <= 0 else float(stats.beta.ppf(0.05, x, n - x + 1))
    if method == "fay-feuer":
        return 0.0 if x <= 0 else float(stats.gamma.ppf(0.05, x) / n)
    defined = math.isfinite(e.se) and e.df >= 1
    if method == "wilson-z" and defined:
        return _one_sided_lower(e, "wilson-model", math.inf)  # t(∞): the normal quantile
    if method.startswith("gamma") and defined and e.estimate > 0:
        binomial = method == "gamma-binomial-t"
        size = n
        if method != "gamma":  # t-scaled, as gamma_pivot at the bound's own quantile 0.95
            size = n * (stats.norm.ppf(0.95) / stats.t.ppf(0.95, e.df)) ** 2
        return _gamma_end(e.estimate, size, 0.05, "lower", binomial)
    return est.one_sided_bound(e, "lower", 0.95)  # bounds()' fallbacks: production's 95 % end


def lower_bound(e: est.Estimate, method: str | None = None) -> float:
    """The LOWER bound "fails with 95 %" rests on, beside :func:`bounds`' upper one: by the
    estimate's own method (``method`` None) it is the verdict's
    (:func:`assessment.indicators.verdicts.fails_bound`: since 7 December 2026 the two-sided
    95 % interval's lower end, the one-sided 97.5 % bound); by ``method`` the one-sided 95 %
    lower bound a candidate would put there (its 0.05 end, or ``intervals.bound(method, ...,
    q=0.95, side="lower", one_sided=True)``), following :func:`bounds`' choices."""
    if method is None:
        return verdicts.fails_bound(e, "<=", 0.95)
    if method in CANDIDATES and e.method == "wilson-model":
        return _candidate_lower(e, method)
    if method in CANDIDATES or e.method == "wald-t":
        return est.one_sided_bound(e, "lower", 0.95)
    return _one_sided_lower(e, method, e.df)


def _one_sided_lower(e: est.Estimate, method: str, df: float) -> float:
    """``intervals.bound``'s one-sided 95 % lower bound by ``method`` on the estimate's own
    fields, with ``df`` degrees of freedom."""
    fields = {"n": e.n, "n_kish": e.n_kish, "df_eff": e.df_eff, "n_event": e.n_event}
    return intervals.bound(
        method, e.estimate, e.se, df=df, deff_model=e.deff_model, q=0.95, side="lower",
        one_sided=True, **fields,
    )  # fmt: skip


def _plain_korn_graubard(
    estimates, with_lower: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | tuple[np.ndarray, ...]:
    """R's ``svyciprop(method="beta")`` on many estimates at once (vectorised; the same
    formula as ``intervals.bound("korn-graubard", ...)``, checked in the test suite):
    ``(low, high, upper)``, with ``with_lower`` also the one-sided 95 % lower bound (the 0.95
    quantile's lower end, as ``intervals.bound(..., q=0.95, side="lower")``)."""
    p = np.array([e.estimate for e in estimates])
    se = np.array([e.se for e in estimates])
    n = np.array([e.n for e in estimates], float)
    df = np.array([e.df for e in estimates], float)
    kish = np.array([e.n_kish for e in estimates])
    out = []
    for q in (0.975, 0.95):
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (stats.t.ppf(1 - q, n - 1) / stats.t.ppf(1 - q, df)) ** 2
            m = np.where((se > 0) & (p > 0) & (p < 1), p * (1 - p) / se**2 * ratio, kish)
            x = m * p
            upper = np.where(x >= m, 1.0, stats.beta.ppf(q, x + 1, m - x))
            lower = np.where(x <= 0, 0.0, stats.beta.ppf(1 - q, x, m - x + 1))
        out.append((lower, upper))
    if with_lower:
        return out[0][0], out[0][1], out[1][1], out[1][0]
    return out[0][0], out[0][1], out[1][1]


def clustered_share_se(flags, clusters) -> float:
    """The Monte Carlo standard error of ``mean(flags)`` when the replicates come in
    independent clusters (the pools that judged them): the cluster-robust (linearised ratio)
    variance ``m / (m − 1) · Σ_j (Σ_{r in j} (f_r − p))² / N²`` over the ``m`` clusters."""
    flags = np.asarray(flags, float)
    labels, index = np.unique(np.asarray(clusters), return_inverse=True)
    if labels.size < 2:
        return float("nan")
    residuals = np.bincount(index, weights=flags - flags.mean())
    m = labels.size
    return float(math.sqrt(m / (m - 1) * np.sum(residuals**2)) / flags.size)


def summarise(estimates, truth: float, method: str | None = None, clusters=None) -> dict:
    """Relative bias, two-sided coverage, lower-end misses, one-sided exceedance of the upper
    bound and the share of samples with the truth below the lower bound "fails" rests on
    (:func:`lower_bound`: the verdict's "fails with 95 % confidence" is wrong then), with
    Monte Carlo standard errors, over replicates (``method``: None for the production
    interval, ``"korn-graubard"`` for R's; ``clusters``: per replicate, the pool that judged
    it, for standard errors over pools (:func:`clustered_share_se`), None for independent
    replicates)."""
    kept = [k for k, e in enumerate(estimates) if e is not None]
    estimates = [estimates[k] for k in kept]
    if clusters is not None:
        clusters = np.asarray(clusters)[kept]
    if method is None or method in CANDIDATES:
        judged = [bounds(e, method) for e in estimates]
        low, high, upper = (np.array(v) for v in zip(*judged, strict=True))
        lower = np.array([lower_bound(e, method) for e in estimates])
    else:
        low, high, upper, lower = _plain_korn_graubard(estimates, with_lower=True)
    values = np.array([e.estimate for e in estimates])
    k = values.size

    def share(flags):
        p = float(np.mean(flags))
        if clusters is not None:
            return p, clustered_share_se(flags, clusters)
        return p, math.sqrt(p * (1 - p) / k)

    coverage, coverage_se = share((low <= truth) & (truth <= high))
    exceedance, exceedance_se = share(truth > upper)
    below_lower, below_lower_se = share(truth < lower)  # the county's risk: "fails" wrongly
    return {
        "replicates": k,
        "bias": float(np.mean(values) / truth - 1),
        "bias_se": float(np.std(values, ddof=1) / math.sqrt(k) / truth),
        "coverage": coverage,
        "coverage_se": coverage_se,
        "below": float(np.mean(truth < low)),
        "above": float(np.mean(truth > high)),
        "exceedance": exceedance,
        "exceedance_se": exceedance_se,
        "below_lower_bound": below_lower,
        "below_lower_bound_se": below_lower_se,
        "mean_upper": float(np.mean(upper)),
        "median_upper": float(np.median(upper)),
    }


METHODS = {
    "production": None,
    "korn-graubard (R)": "korn-graubard",
    "clopper-pearson (model n)": "clopper-pearson",
    "gamma (model n)": "gamma",
    "gamma-t (model n)": "gamma-t",
    "gamma-binomial-t (model n)": "gamma-binomial-t",
    "fay-feuer (model n)": "fay-feuer",
    "wilson-z (model n)": "wilson-z",
}


def pool_seed(seed: int, i: int, share: float, j: int, base: int = 1000) -> list[int]:
    """The seed of setting ``i``'s pool ``j`` (``base`` 1000: its other counties; 2000: the
    bootstrap's generator; 7000: ``bench/sim_verdicts.py``'s other counties): pool 0 keeps
    the seed a one-pool run has always used, so ``--pools 1`` reproduces its rows, and pool
    ``j > 0`` appends ``j``."""
    seeds = [seed, base + i, int(share * 100)]
    return seeds if j == 0 else [*seeds, j]


def _pooled(seeds, pool, share, concentration, aware, floor) -> tuple[dict, dict | None]:
    """``(icc, screening)`` of one pool of ``pool`` other counties (:func:`other_counties_icc`),
    the screening model as ``aware`` asks and ρ floored at ``floor``."""
    icc = other_counties_icc(
        seeds,
        RATES,
        counties=pool,
        noncontact=share,
        concentration=concentration,
        screening=aware,
    )
    screening = None
    if aware:
        icc, screening = icc
        if aware != "census":  # the two groups only
            screening = {g: v for g, v in screening.items() if g != "census"}
    if floor is not None:
        icc = {indicator: max(floor, rho) for indicator, rho in icc.items()}
    return icc, screening


def pool_judges(
    seed: int,
    i: int,
    share: float,
    pools: int,
    *,
    pool: int = 20,
    concentration: float = CONCENTRATION,
    aware: bool | str = False,
    floor: float | None = None,
    base: int = 1000,
) -> list[tuple[dict, dict | None]]:
    """Setting ``i``'s ``pools`` independent pools, ``[(icc, screening)]`` of each
    (:func:`_pooled`), pool ``j`` seeded :func:`pool_seed` ``(seed, i, share, j, base)``: never
    from the samples' generator, so the samples are the same whatever the pools.
    ``bench/sim_verdicts.py --pools`` draws its pools here too, with its own ``base``."""
    return [
        _pooled(pool_seed(seed, i, share, j, base), pool, share, concentration, aware, floor)
        for j in range(pools)
    ]


def mean_model(models: list) -> dict | None:
    """The screening models' ``{group: (k, ρ)}`` averaged over pools (the one when one),
    with more than one ``{group: (k, ρ, min ρ, max ρ)}``."""
    if len(models) == 1 or models[0] is None:
        return models[0]
    mean = {}
    for g in models[0]:
        k, rho = (np.array([m[g][c] for m in models]) for c in (0, 1))
        mean[g] = tuple(float(v) for v in (k.mean(), rho.mean(), rho.min(), rho.max()))
    return mean


def _over_pools(values, pools: int) -> dict:
    """The "ρ used" of a row: its mean over the pools and, with more than one, its range."""
    spread = {"icc_range": (float(np.min(values)), float(np.max(values)))} if pools > 1 else {}
    return {"icc": float(np.mean(values)), **spread}


@dataclass(frozen=True)
class Task:
    """One (rate, non-contact) setting of a run, as :func:`_tasks` builds it (picklable for
    the worker processes). ``icc``: a fixed ρ instead of pooled ones; ``pool``: the other
    counties a pool holds; ``pools``: the independent pools a setting is judged with;
    ``methods``: the :data:`METHODS` rows to compute (None: all)."""

    i: int
    rate: float
    share: float
    replicates: int
    seed: int
    icc: float | None = None
    concentration: float = CONCENTRATION
    shrink: float | None = None
    floor: float | None = None
    pool: int = 20
    aware: bool | str = False
    uppers: tuple = ()
    pools: int = 1
    methods: tuple | None = None
    villages: tuple = VILLAGES_DRAWN
    flagged_slot: str = "census"


def _setting(task: Task) -> list[dict]:
    """Rows of one (rate, non-contact) setting: its own seeded population and samples; ρ
    pooled from samples of other counties of the superpopulation (``pools`` independent
    pools, replicate ``r`` judged with pool ``r mod pools``), or the one given."""
    i, rate, share, seed = task.i, task.rate, task.share, task.seed
    population = make_population(
        np.random.default_rng([seed, i]), rate, rate, concentration=task.concentration
    )
    rng = np.random.default_rng([seed, i, int(share * 100)])
    if task.uppers:
        return _guarded_setting(rng, population, task)
    if task.icc is None:
        judges = pool_judges(
            seed,
            i,
            share,
            task.pools,
            pool=task.pool,
            concentration=task.concentration,
            aware=task.aware,
            floor=task.floor,
        )
    else:
        judges = [(dict.fromkeys(INDICATORS, task.icc), None)]
    runs = []
    for r in range(task.replicates):
        icc, screening = judges[r % len(judges)]
        runs.append(
            one_run(
                rng,
                population,
                share,
                icc,
                task.shrink,
                screening,
                task.villages,
                task.flagged_slot,
            )
        )
    clusters = [r % len(judges) for r in range(task.replicates)] if len(judges) > 1 else None
    labels = tuple(METHODS) if task.methods is None else task.methods
    screening = mean_model([model for _, model in judges])
    rows = []
    for indicator in INDICATORS:
        truth = population.truth[indicator]
        for label in labels:
            summary = summarise([r[indicator] for r in runs], truth, METHODS[label], clusters)
            rows.append(
                {
                    "indicator": indicator,
                    "method": label,
                    "rate": rate,
                    "truth": truth,
                    "noncontact": share,
                    **_over_pools([r["icc"][indicator] for r in runs], len(judges)),
                    "true_icc": 1 / (1 + task.concentration),
                    "screening": screening if indicator == "missed_rate" else None,
                    **summary,
                }
            )
    return rows


def _guard_variants(task: Task, j: int) -> list[tuple]:
    """Pool ``j``'s variants ``(icc, screening)``: the pooled ρ (production) and its upper
    confidence limits at each ``(method, confidence)`` of ``task.uppers``."""
    i, share, seed, aware = task.i, task.share, task.seed, task.aware
    terms, groups = other_counties_terms(
        pool_seed(seed, i, share, j), RATES, task.pool, share, task.concentration
    )

    def keep(model: dict) -> dict:  # as _setting: the census group only with "census"
        return model if aware == "census" else {g: v for g, v in model.items() if g != "census"}

    variants = [
        (
            {ind: pooled_icc(t).value for ind, t in terms.items()},
            keep(pooled_screening_model(groups)) if aware else None,
        )
    ]
    boot = np.random.default_rng(pool_seed(seed, i, share, j, base=2000))  # not the samples'
    for method, confidence in task.uppers:
        upper = {ind: rho_upper(t, confidence, method, boot) for ind, t in terms.items()}
        model = screening_upper(groups, confidence, method, boot) if aware else None
        variants.append((upper, keep(model) if aware else None))
    return variants


def _guarded_setting(rng, population, task: Task) -> list[dict]:
    """Rows of one setting with the pooled ρ (production) and, on the same samples, its
    upper confidence limits at each confidence in ``task.uppers`` (:func:`icc_upper_limit`,
    for both indicators' ρ and the screening model's, a candidate guard); ``task.pools``
    independent pools, replicate ``r`` judged with pool ``r mod pools`` (every variant of
    that pool)."""
    share, pools, uppers = task.share, task.pools, task.uppers
    by_pool = [_guard_variants(task, j) for j in range(pools)]
    runs = [
        guarded_runs(rng, population, share, by_pool[r % pools], task.villages)
        for r in range(task.replicates)
    ]
    clusters = [r % pools for r in range(task.replicates)] if pools > 1 else None
    rows = []
    for indicator in INDICATORS:
        truth = population.truth[indicator]
        for j in range(len(by_pool[0])):
            label = "production" if j == 0 else _guard_label(*uppers[j - 1])
            summary = summarise([r[j][indicator] for r in runs], truth, None, clusters)
            screening = mean_model([variants[j][1] for variants in by_pool])
            rows.append(
                {
                    "indicator": indicator,
                    "method": label,
                    "rate": task.rate,
                    "truth": truth,
                    "noncontact": share,
                    **_over_pools([v[j][0][indicator] for v in by_pool], pools),
                    "true_icc": 1 / (1 + task.concentration),
                    "screening": screening if indicator == "missed_rate" else None,
                    **summary,
                }
            )
    return rows


def _guard_label(method: str, confidence: float) -> str:
    kind = "upper" if method == "searle" else "bootstrap"
    return f"production, ρ {kind} {confidence:.0%}"


def villages_drawn(counts=None) -> tuple:
    """:func:`draw`'s ``villages_drawn`` from ``--villages POOR NONPOOR`` (None: the standard
    20 + 10)."""
    return VILLAGES_DRAWN if counts is None else tuple(zip(STRATA, counts, strict=True))


def _tasks(
    replicates: int,
    seed: int,
    settings=None,
    noncontact=NONCONTACT,
    icc=None,
    concentration=CONCENTRATION,
    shrink=None,
    floor=None,
    pool=20,
    aware=False,
    uppers=(),
    only=None,
    pools=1,
    methods=None,
    villages=VILLAGES_DRAWN,
    flagged_slot="census",
) -> list[Task]:
    return [
        Task(
            i,
            rate,
            share,
            replicates,
            seed,
            icc,
            concentration,
            shrink,
            floor,
            pool,
            aware,
            tuple(uppers),
            pools,
            None if methods is None else tuple(methods),
            tuple(villages),
            flagged_slot,
        )
        for i, rate in enumerate(settings or RATES)
        for share in noncontact
        if only is None or i in only
    ]


def table(
    replicates: int,
    seed: int,
    settings=None,
    noncontact=NONCONTACT,
    jobs=1,
    icc=None,
    concentration=CONCENTRATION,
) -> list:
    """One row per (rate, non-contact, indicator, interval method), in the settings' order
    (``icc``: a fixed ρ instead of the one pooled from other counties; ``concentration``: the
    village rates' beta concentration, intra-village correlation ``1 / (1 + concentration)``)."""
    tasks = _tasks(replicates, seed, settings, noncontact, icc, concentration)
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            parts = list(pool.map(_setting, tasks))
    else:
        parts = [_setting(task) for task in tasks]
    return [row for part in parts for row in part]


def _group(name: str, model: tuple) -> str:
    """A screening group's ``k, ρ`` (over pools: the means, then ρ's min–max)."""
    spread = "" if len(model) == 2 else " ({:.3f}–{:.3f})".format(*model[2:])
    return f"{name} {model[0]:.2f}, {model[1]:.3f}{spread}"


def _line(row: dict) -> str:
    rho = f"{row['icc']:.3f}"
    if "icc_range" in row:  # more than one pool: their mean (min–max)
        rho += " ({:.3f}–{:.3f})".format(*row["icc_range"])
    return (
        f"| {row['indicator']} | {row['method']} | {row['truth']:.2%} | "
        f"{row['noncontact']:.0%} | {row['bias']:+.1%} ({row['bias_se']:.1%}) | "
        f"{row['coverage']:.3f} ({row['coverage_se']:.3f}) | {row['below']:.3f} | "
        f"{row['above']:.3f} | "
        f"{row['exceedance']:.3f} ({row['exceedance_se']:.3f}) | {rho} | "
        f"{row['true_icc']:.3f} | {row['median_upper']:.2%} | "
        f"{row['below_lower_bound']:.3f} ({row['below_lower_bound_se']:.3f}) |"
        + (
            ""
            if not row.get("screening")
            else " k, ρ: " + ", ".join(_group(g, model) for g, model in row["screening"].items())
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--icc",
        type=float,
        help="a fixed ρ (default: pooled from twenty other counties)",
    )
    parser.add_argument(
        "--concentration",
        type=float,
        default=CONCENTRATION,
        help="beta concentration C of the village rates; intra-village correlation 1/(1+C) "
        "(default 15: 0.0625)",
    )
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        help="true rates (default 0.005 0.01 0.02 0.03)",
    )
    parser.add_argument(
        "--pool-counties",
        type=int,
        default=20,
        help="counties the pooled ρ comes from (default 20; production needs at least 5)",
    )
    parser.add_argument(
        "--floor",
        type=float,
        help="floor the pooled ρ: max(FLOOR, pooled) (the production choice: see "
        "docs/estimation.md)",
    )
    parser.add_argument(
        "--guard-shrink",
        type=float,
        help="test a candidate guard (not production): ρ = max(ICC, λ·ρ̂ + (1−λ)·ICC), ρ̂ the "
        "county's own ANOVA ρ, λ this weight in [0, 1]; needs --icc",
    )
    parser.add_argument(
        "--screening-aware",
        nargs="?",
        const="groups",
        choices=("groups", "census"),
        help="漏评率 on the screening-aware effective size (flagged and unflagged households, "
        "each group's relative rate and ρ pooled from the other counties; measured, not "
        "production): the 'production' rows of missed_rate then show it; 'census' models the "
        "flagged households as events among every household of the village's list",
    )
    parser.add_argument(
        "--rho-upper",
        type=float,
        nargs="+",
        default=(),
        metavar="CONFIDENCE",
        help="a candidate guard (not production): beside the pooled ρ, on the same samples, "
        "its one-sided upper confidence limit at each CONFIDENCE (e.g. 0.60 0.75 0.90; "
        "Searle's F-based limit), for both indicators' ρ and the screening model's",
    )
    parser.add_argument(
        "--rho-upper-method",
        nargs="+",
        choices=("searle", "bootstrap"),
        default=("searle",),
        help="how --rho-upper's limit is taken: 'searle' (the F-based limit, default), "
        "'bootstrap' (percentile bootstrap over the pooled counties, 2,000 resamples); both: "
        "each on the same samples",
    )
    parser.add_argument(
        "--pools",
        type=int,
        default=1,
        metavar="P",
        help="P independent pools of other counties a setting (default 1), replicate r judged "
        "with pool r mod P (ρ, the screening model, and --rho-upper's limits of that pool): "
        "the coverage over the pools a round could give, not one pool's; MC SEs over pools",
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        choices=tuple(METHODS),
        metavar="METHOD",
        help="compute only these interval rows, in this order (default: all of "
        + ", ".join(repr(m) for m in METHODS)
        + "); the samples and every row computed are the same as in the full run",
    )
    parser.add_argument(
        "--villages",
        type=int,
        nargs=2,
        metavar=("POOR", "NONPOOR"),
        help="villages the county's samples draw from each stratum (default 20 10: design df "
        "28); fewer give a county with a small design df (6 4: df 8). The pooled other "
        "counties keep the standard 20 + 10",
    )
    parser.add_argument(
        "--setting-index",
        type=int,
        nargs="+",
        help="run only these settings (0-based positions in the rates list; each keeps its "
        "seeds, so its rows are those of the full run)",
    )
    parser.add_argument(
        "--flagged-slot",
        choices=("census", "reserve"),
        default="census",
        help="a screening-flagged household the SRS selected and out of contact: a census "
        "non-respondent whose reserve counts no missed person ('census', production since 7 "
        "December 2026) or stood in for by its reserve ('reserve': the tables measured "
        "before that date): sim_population.draw",
    )
    args = parser.parse_args()
    if args.rho_upper and (args.icc is not None or args.floor is not None):
        parser.error("--rho-upper applies to the pooled ρ: not with --icc or --floor")
    if any(not 0 < c < 1 for c in args.rho_upper):
        parser.error(f"--rho-upper confidences must lie in (0, 1), got {args.rho_upper}")
    if args.screening_aware is not None and args.icc is not None:
        parser.error("--screening-aware pools its groups' ρ: not with --icc")
    if args.guard_shrink is not None and (args.icc is None or not 0 <= args.guard_shrink <= 1):
        parser.error("--guard-shrink needs --icc and a weight in [0, 1]")
    if args.floor is not None and args.icc is not None:
        parser.error("--floor applies to the pooled ρ: not with --icc")
    if args.pools < 1 or (args.pools > 1 and args.icc is not None):
        parser.error(f"--pools must be at least 1 and applies to the pooled ρ, got {args.pools}")
    if args.methods is not None and args.rho_upper:
        parser.error("--methods chooses the rows without --rho-upper (its rows are production's)")
    if args.villages is not None and min(args.villages) < 2:
        parser.error(f"--villages needs at least 2 villages a stratum, got {args.villages}")
    if args.concentration <= 0:
        parser.error(f"--concentration must be positive, got {args.concentration}")
    print(
        "| indicator | interval | true rate | non-contact | bias (MC SE) "
        "| 2-sided 95 % coverage (MC SE) | truth below the lower end "
        "| truth above the upper end | 95 % upper bound exceeded (MC SE) | ρ used "
        "| population ICC 1/(1+C) | median upper bound "
        '| truth below the "fails" bound (MC SE) |'
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    tasks = _tasks(
        args.replicates,
        args.seed,
        settings=args.rates,
        icc=args.icc,
        concentration=args.concentration,
        shrink=args.guard_shrink,
        floor=args.floor,
        pool=args.pool_counties,
        aware=args.screening_aware,
        uppers=tuple((m, c) for m in args.rho_upper_method for c in args.rho_upper),
        only=args.setting_index,
        pools=args.pools,
        methods=args.methods,
        villages=villages_drawn(args.villages),
        flagged_slot=args.flagged_slot,
    )
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        # each setting is printed as it finishes (the order of the rows may vary)
        for part in as_completed([pool.submit(_setting, task) for task in tasks]):
            for row in part.result():
                print(_line(row), flush=True)


if __name__ == "__main__":
    main()
