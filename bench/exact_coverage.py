"""What a count allows: exact coverage of binomial intervals at rare rates (enumeration).

Issue #13 asks the intervals of 错退率 and 漏评率 (true rates 0.5-3 %) for a two-sided 95 %
coverage within 94-96 % and a one-sided 95 % upper bound exceeded at most 5.5 % of the time.
This script asks, with no sampling, what any interval can do when the data are a count
``X ~ Bin(n, p)``.

- **Any interval.** An interval ``[L(x), U(x)]`` whose ends do not decrease in ``x`` accepts at
  ``p`` the window ``{x : L(x) <= p <= U(x)}``, a run of consecutive integers ``a..b``; its
  coverage at ``p`` is ``P(a <= X <= b)``. Where no window of consecutive integers has a
  probability in [0.94, 0.96], no such interval covers 94-96 % at that ``p``
  (:func:`closest_windows`, a search over every window's start with the cdf).
- **The intervals the project uses**, their exact coverage curve over the rate range: Wilson
  (the family of ``wilson-model``, through the project's own
  :func:`assessment.estimation.intervals.bound` on the plain binomial ``n``, with the normal
  quantile and, as production uses it, with ``t`` on the simulated county's 28 design degrees
  of freedom), Clopper-Pearson (the project's ``korn-graubard`` with ``df = n - 1``, whose
  degrees-of-freedom factor is then 1) and Jeffreys (equal-tailed, ``Beta(x + 1/2, n - x +
  1/2)``, lower end 0 at ``x = 0``, upper end 1 at ``x = n``; written here, not in
  production). Their infimum and supremum over the range are exact (the curve is smooth
  between the ends ``L(x)``, ``U(x)`` and a fixed window's probability is unimodal in ``p``),
  the mean over the range is exact (``∫ pmf(x; n, p) dp`` is a beta cdf), the share of the
  range inside the band is counted on the grid.

References: Brown LD, Cai TT, DasGupta A (2001), Interval estimation for a binomial
proportion, *Statistical Science* 16:101-133 (the oscillation of binomial coverage; Wilson and
Jeffreys recommended for small ``n``).

Run (about 20 s; the figures are in docs/estimation.md, "What a count allows")::

    .venv/bin/python bench/exact_coverage.py [--sizes 100 200 ...] [--step 1e-6]
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import special, stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment.estimation import intervals

RANGE = (0.005, 0.03)  # the rare rates, 0.5-3 %
BAND = (0.94, 0.96)  # the two-sided target
EXCEEDANCE_LIMIT = 0.055  # the one-sided target
# Effective sizes seen in the simulated county (docs/estimation.md): the village model's ~100
# (ICC 0.20) and ~200 (ICC 0.06), the census model's ~240, the gamma table's 250, 漏评's
# empirical 272-445; then the brief's 600 and 2,000.
SIZES = (100, 200, 250, 300, 450, 600, 2000)
DESIGN_DF = 28  # the simulated county's design degrees of freedom (30 villages, 2 strata)
POISSON_MEANS = (0.0, 10.0)


@dataclass(frozen=True)
class Ends:
    """An interval procedure on ``x = 0..n``: two-sided 95 % ends and one-sided 95 % bound."""

    name: str
    lower: np.ndarray
    upper: np.ndarray
    bound: np.ndarray


def rate_grid(step: float, span: tuple[float, float] = RANGE) -> np.ndarray:
    """Rates from ``span[0]`` to ``span[1]`` inclusive, ``step`` apart."""
    count = round((span[1] - span[0]) / step)
    return span[0] + step * np.arange(count + 1)


def closest_windows(cdf: np.ndarray, low: float) -> tuple[float, float]:
    """The window probabilities nearest ``low`` from below and from at-or-above.

    Parameters
    ----------
    cdf : ndarray
        ``P(X <= x)`` for ``x = 0, 1, ...`` of a count, its last entry 1.
    low : float
        The band's lower end, e.g. 0.94.

    Returns
    -------
    (float, float)
        The largest ``P(a <= X <= b)`` below ``low`` over every window ``a..b`` and the smallest
        at or above it. A window lies in ``[low, high]`` exactly when the second is ``<= high``:
        for each start ``a`` the probabilities grow with ``b``, so the smallest ``b`` reaching
        ``low`` gives the start's nearest window above and ``b - 1`` its nearest below (the
        whole tail ``a..`` when no window from ``a`` reaches ``low``).
    """
    before = np.concatenate(([0.0], cdf[:-1]))  # P(X <= a - 1) for each start a
    starts = np.arange(cdf.size)
    ends = np.searchsorted(cdf, low + before, side="left")  # cdf.size: no window reaches low
    reach = ends < cdf.size
    above = cdf[ends[reach]] - before[reach]
    last = np.minimum(ends, cdf.size) - 1  # the longest window from a still below low
    below = np.where(last >= starts, cdf[np.maximum(last, 0)] - before, 0.0)
    return float(below.max()), float(above.min())


def binomial_cdf(n: int, p: float) -> np.ndarray:
    """``P(X <= x)``, ``x = 0..n``, ``X ~ Bin(n, p)``, its last entry exactly 1."""
    cdf = stats.binom.cdf(np.arange(n + 1), n, p)
    cdf[-1] = 1.0
    return cdf


def poisson_cdf(mean: float) -> np.ndarray:
    """``P(X <= x)`` of a Poisson count up to where it reaches 1 in double precision."""
    top = int(mean + 40 * math.sqrt(mean) + 40)
    cdf = stats.poisson.cdf(np.arange(top + 1), mean)
    cdf[-1] = 1.0
    return cdf


def no_window_in_band(cdf: np.ndarray, band: tuple[float, float] = BAND) -> bool:
    """Whether no window of consecutive counts has a probability within ``band``."""
    return closest_windows(cdf, band[0])[1] > band[1]


def runs(values: np.ndarray, flags: np.ndarray) -> list[tuple[float, float]]:
    """The ``(first, last)`` values of each run of consecutive True ``flags``."""
    edges = np.diff(np.concatenate(([0], flags.astype(int), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(float(values[a]), float(values[b])) for a, b in zip(starts, stops, strict=True)]


def feasibility(n: int, grid: np.ndarray, band=BAND) -> dict:
    """Where on ``grid`` no window of ``Bin(n, p)`` lies in ``band``, and the worst miss."""
    flags = np.zeros(grid.size, bool)
    worst = (0.0, math.nan, math.nan, math.nan)
    for i, p in enumerate(grid):
        below, above = closest_windows(binomial_cdf(n, p), band[0])
        flags[i] = above > band[1]
        miss = min(band[0] - below, above - band[1])
        if flags[i] and miss > worst[0]:
            worst = (miss, float(p), below, above)
    return {"n": n, "flags": flags, "runs": runs(grid * n, flags), "worst": worst}


def _project_end(method: str, n: int, x: int, df: float, q: float, side: str) -> float:
    p = x / n
    return intervals.bound(
        method,
        p,
        math.sqrt(p * (1 - p) / n),  # the binomial SE: the effective size is n itself
        n=n,
        df=df,
        n_kish=n,
        q=q,
        side=side,
        n_event=n,
        deff_model=1.0,
    )


def project_ends(name: str, method: str, n: int, df: float) -> Ends:
    """A project interval on ``x = 0..n`` through :func:`intervals.bound`."""
    counts = range(n + 1)
    return Ends(
        name,
        np.array([_project_end(method, n, x, df, 0.975, "lower") for x in counts]),
        np.array([_project_end(method, n, x, df, 0.975, "upper") for x in counts]),
        np.array([_project_end(method, n, x, df, 0.95, "upper") for x in counts]),
    )


def jeffreys_ends(n: int) -> Ends:
    """Jeffreys' equal-tailed interval (lower end 0 at x = 0, upper end 1 at x = n)."""
    x = np.arange(n + 1)
    a, b = x + 0.5, n - x + 0.5
    lower = np.where(x == 0, 0.0, stats.beta.ppf(0.025, a, b))
    upper = np.where(x == n, 1.0, stats.beta.ppf(0.975, a, b))
    bound = np.where(x == n, 1.0, stats.beta.ppf(0.95, a, b))
    return Ends("jeffreys", lower, upper, bound)


def procedures(n: int, design_df: float = DESIGN_DF) -> list[Ends]:
    """The intervals compared: Wilson (z and production's t), Clopper-Pearson, Jeffreys."""
    return [
        project_ends("wilson (z)", "wilson-model", n, math.inf),
        project_ends(f"wilson-model, t({design_df:g})", "wilson-model", n, design_df),
        project_ends("clopper-pearson", "korn-graubard", n, n - 1),
        jeffreys_ends(n),
    ]


def window(ends: Ends, p) -> tuple[np.ndarray, np.ndarray]:
    """The accepted counts ``a..b`` at each ``p`` (empty when ``b < a``)."""
    first = np.searchsorted(ends.upper, p, side="left")  # first x with U(x) >= p
    last = np.searchsorted(ends.lower, p, side="right") - 1  # last x with L(x) <= p
    return first, last


def _window_probability(n: int, p, first, last) -> np.ndarray:
    inside = stats.binom.cdf(last, n, p) - stats.binom.cdf(first - 1, n, p)
    return np.where(last >= first, inside, 0.0)


def coverage(ends: Ends, n: int, p) -> np.ndarray:
    """Exact two-sided coverage ``P(L(X) <= p <= U(X))`` at each ``p``."""
    p = np.asarray(p, float)
    return _window_probability(n, p, *window(ends, p))


def exceedance(ends: Ends, n: int, p) -> np.ndarray:
    """Exact ``P(bound(X) < p)``: how often the truth lies above the one-sided bound."""
    p = np.asarray(p, float)
    first = np.searchsorted(ends.bound, p, side="left")
    return stats.binom.cdf(first - 1, n, p)


def _check_monotone(ends: Ends) -> None:
    for name in ("lower", "upper", "bound"):
        if np.any(np.diff(getattr(ends, name)) < 0):
            raise ValueError(f"{ends.name}: the {name} end decreases in x")


def _interior_peaks(n: int, left, right, first, last) -> np.ndarray:
    """The maximum of ``P(a <= X <= b)`` inside each piece ``(left, right)``, where it has one.

    ``d/dp P(a <= X <= b) = n [pmf_{n-1}(a - 1) - pmf_{n-1}(b)]``, positive then negative for
    ``1 <= a <= b <= n - 1``: the peak is at ``p/(1 - p) = (C(n-1, a-1) / C(n-1, b))^(1/(b-a+1))``.
    """
    shaped = (first >= 1) & (last <= n - 1) & (last >= first)
    a, b = first[shaped], last[shaped]
    log_ratio = (_log_comb(n - 1, a - 1) - _log_comb(n - 1, b)) / (b - a + 1)
    peak = special.expit(log_ratio)
    inside = (peak > left[shaped]) & (peak < right[shaped])
    return _window_probability(n, peak[inside], a[inside], b[inside])


def _log_comb(m: int, k: np.ndarray) -> np.ndarray:
    return special.gammaln(m + 1) - special.gammaln(k + 1) - special.gammaln(m - k + 1)


def coverage_extremes(ends: Ends, n: int, span=RANGE) -> tuple[float, float]:
    """The exact infimum and supremum of the coverage over ``span``.

    Between consecutive ends ``L(x)``, ``U(x)`` the window is fixed and its probability is
    unimodal in ``p``, so the infimum is a one-sided limit at a piece's end and the supremum a
    piece's end, an end itself (where the closed window is largest) or the piece's peak.
    """
    lo, hi = span
    inner = np.concatenate((ends.lower, ends.upper))
    cuts = np.unique(np.concatenate(([lo, hi], inner[(inner > lo) & (inner < hi)])))
    left, right = cuts[:-1], cuts[1:]
    first, last = window(ends, (left + right) / 2)
    limits = np.concatenate(
        (_window_probability(n, left, first, last), _window_probability(n, right, first, last))
    )
    peaks = _interior_peaks(n, left, right, first, last)
    top = max(limits.max(), peaks.max(initial=0.0), coverage(ends, n, cuts).max())
    return float(limits.min()), float(top)


def _mass(n: int, start, stop) -> np.ndarray:
    """``∫ pmf(x; n, p) dp`` from ``start`` to ``stop`` for each ``x = 0..n`` (beta cdfs)."""
    x = np.arange(n + 1)
    return (stats.beta.cdf(stop, x + 1, n - x + 1) - stats.beta.cdf(start, x + 1, n - x + 1)) / (
        n + 1
    )


def mean_coverage(ends: Ends, n: int, span=RANGE) -> float:
    """The exact mean of the coverage over ``p`` uniform on ``span``."""
    lo, hi = span
    mass = _mass(n, np.clip(ends.lower, lo, hi), np.clip(ends.upper, lo, hi))
    return float(mass.sum() / (hi - lo))


def mean_exceedance(ends: Ends, n: int, span=RANGE) -> float:
    """The exact mean of ``P(bound(X) < p)`` over ``p`` uniform on ``span``."""
    lo, hi = span
    return float(_mass(n, np.clip(ends.bound, lo, hi), hi).sum() / (hi - lo))


def exceedance_supremum(ends: Ends, n: int, span=RANGE) -> float:
    """The exact supremum of ``P(bound(X) < p)`` over ``span``.

    It rises only where ``p`` passes a bound (``x`` leaves the accepted counts) and falls in
    between, so the supremum is ``P(X <= x)`` at ``p = bound(x)`` or the value at the start.
    """
    lo, hi = span
    x = np.flatnonzero((ends.bound >= lo) & (ends.bound < hi))
    jumps = stats.binom.cdf(x, n, ends.bound[x])
    return float(max(jumps.max(initial=0.0), exceedance(ends, n, lo)))


def summarise(ends: Ends, n: int, grid: np.ndarray, band=BAND) -> dict:
    """The figures of one interval at one ``n``: exact extremes and means, grid shares."""
    _check_monotone(ends)
    curve = coverage(ends, n, grid)
    exceeded = exceedance(ends, n, grid)
    low, high = coverage_extremes(ends, n, (grid[0], grid[-1]))
    span = (grid[0], grid[-1])
    return {
        "interval": ends.name,
        "n": n,
        "min": low,
        "max": high,
        "mean": mean_coverage(ends, n, span),
        "in_band": float(np.mean((curve >= band[0]) & (curve <= band[1]))),
        "below_band": float(np.mean(curve < band[0])),
        "above_band": float(np.mean(curve > band[1])),
        "exceedance_max": exceedance_supremum(ends, n, span),
        "exceedance_mean": mean_exceedance(ends, n, span),
        "exceedance_ok": float(np.mean(exceeded <= EXCEEDANCE_LIMIT)),
    }


def _spans(found: list[tuple[float, float]], digits: int = 2) -> str:
    return ", ".join(f"{a:.{digits}f}–{b:.{digits}f}" for a, b in found) or "none"


def feasibility_table(sizes, grid) -> list[str]:
    """Markdown: per ``n`` the share of the grid where no window lies in the band."""
    lines = [
        "| n | rates with no window in 94–96 % (share of the grid) | where, in expected "
        "events n·p | largest miss: at p, the nearest windows below / above the band |",
        "|---|---|---|---|",
    ]
    for n in sizes:
        found = feasibility(n, grid)
        _, p, below, above = found["worst"]
        worst = "—" if math.isnan(p) else f"{p:.4%}: {below:.4f} / {above:.4f}"
        lines.append(
            f"| {n} | {found['flags'].mean():.1%} ({found['flags'].sum()} of {grid.size}) | "
            f"{_spans(found['runs'])} | {worst} |"
        )
    return lines


def poisson_line(step: float = 0.001) -> str:
    """The same search for a Poisson count (the limit of large ``n`` at fixed ``n·p``)."""
    means = rate_grid(step, POISSON_MEANS)[1:]
    flags = np.array([no_window_in_band(poisson_cdf(m)) for m in means])
    return (
        f"Poisson count, mean {POISSON_MEANS[0]:g}–{POISSON_MEANS[1]:g} in steps of {step:g}: "
        f"no window in 94–96 % for the means {_spans(runs(means, flags), 3)}"
    )


def coverage_table(sizes, grid, design_df=DESIGN_DF) -> list[str]:
    """Markdown: per ``n`` and interval the exact coverage summary over the grid's range."""
    lines = [
        "| n | interval | coverage min – max | mean | grid in 94–96 % (below / above) | "
        "one-sided bound exceeded: max | mean | grid ≤ 5.5 % |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n in sizes:
        for ends in procedures(n, design_df):
            s = summarise(ends, n, grid)
            lines.append(
                f"| {n} | {s['interval']} | {s['min']:.4f} – {s['max']:.4f} | {s['mean']:.4f} | "
                f"{s['in_band']:.1%} ({s['below_band']:.1%} / {s['above_band']:.1%}) | "
                f"{s['exceedance_max']:.2%} | {s['exceedance_mean']:.2%} | "
                f"{s['exceedance_ok']:.1%} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--step", type=float, default=1e-6, help="grid step in p (1e-6)")
    parser.add_argument("--design-df", type=float, default=DESIGN_DF)
    args = parser.parse_args()
    grid = rate_grid(args.step)
    print(f"rates {grid[0]:.2%}–{grid[-1]:.2%}, {grid.size} grid points, step {args.step:g}\n")
    print("\n".join(feasibility_table(args.sizes, grid)))
    print("\n" + poisson_line() + "\n")
    print("\n".join(coverage_table(args.sizes, grid, args.design_df)))


if __name__ == "__main__":
    main()
