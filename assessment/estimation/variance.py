"""Taylor-linearisation variance of estimated totals, stage by stage, as R's ``svyrecvar``.

For a matrix of weighted scores ``z`` (one column per linearised statistic) the estimated
covariance of the column totals is a sum over stages. At each stage and within each group
(stratum at stage 1, parent unit later) with ``n`` sampled units of totals ``t_u``::

    multiplier * (1 - n/N) * n / (n - 1) * sum_u (t_u - mean(t))(t_u - mean(t))^T

where ``multiplier`` is the product of the ancestors' sampling fractions. Without FPCs only the
first stage counts, with ``1 - n/N = 1`` (the with-replacement, ultimate-cluster estimator).

References
----------
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*, ch. 2 and 3.
Särndal, Swensson, Wretman (1992). *Model Assisted Survey Sampling*, Result 4.3.1.
"""

from __future__ import annotations

import numpy as np

from assessment.core.i18n import N_
from assessment.estimation.design import Design, StageCodes
from assessment.estimation.errors import EstimationError

_CERTAIN = 1e-7  # R treats 1 - n/N below this as a census stratum (no variance, not lonely)


def group_sums(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of ``values`` (shape (n,) or (n, p)) within each integer code.

    Parameters
    ----------
    codes : ndarray of int, shape (n,)
        Group code of each row, 0 .. n_groups-1.
    values : ndarray of float, shape (n,) or (n, p)
    n_groups : int

    Returns
    -------
    ndarray, shape (n_groups,) or (n_groups, p)
    """
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_groups)
    return np.column_stack(
        [
            np.bincount(codes, weights=values[:, j], minlength=n_groups)
            for j in range(values.shape[1])
        ]
    )


def taylor_covariance(design: Design, scores: np.ndarray, rows: np.ndarray | None = None):
    """Design-based covariance matrix of the totals of ``scores``.

    Parameters
    ----------
    design : Design
    scores : ndarray of float, shape (n_rows,) or (n_rows, p)
        Weighted linearised values (influence values times weights) of each row; zero
        outside a domain.
    rows : ndarray of bool, shape (n_rows,), optional
        Rows of the domain. R analyses a domain on the design's subset, so a first-stage
        stratum holding no domain row takes no part in the lonely-PSU rules: it is never
        "lonely" (no error, no ``adjust`` term) and is not counted by ``average``. Omitted:
        every stratum takes part.

    Returns
    -------
    ndarray, shape (p, p)
        Estimated covariance of ``scores.sum(axis=0)``, in squared units of the scores. NaN
        when ``lonely_psu="adjust"`` would compare the only PSU holding domain rows with
        itself (a single PSU: no variance estimate, as R gives NaN).

    Raises
    ------
    ValueError
        When a stratum holding domain rows has a single PSU and ``design.lonely_psu ==
        "fail"``.
    """
    z = np.asarray(scores, dtype=float)
    z = z.reshape(z.shape[0], -1)
    if z.shape[0] != design.n_rows:
        raise EstimationError(
            N_("scores has {rows} rows, the design {design_rows}"),
            rows=z.shape[0],
            design_rows=design.n_rows,
        )
    total = np.zeros((z.shape[1], z.shape[1]))
    for index, stage in enumerate(design.stages):
        held = _held_units(stage, rows) if index == 0 else None
        total += _stage_covariance(design, stage, z, held=held)
    return total


def effective_psu_df(design: Design, scores: np.ndarray) -> float:
    """Satterthwaite's effective degrees of freedom of the first-stage variance.

    The first-stage variance is a sum of one term per PSU, ``c_i d_i²`` (``d_i`` the PSU
    total's deviation from its stratum mean, ``c_i`` the ``n/(n-1)`` and FPC factors). With
    these terms as estimates of their own variances, Satterthwaite's approximation gives
    ``(Σ c_i d_i²)² / Σ (c_i d_i²)²``: about the number of PSUs when they contribute alike,
    near 1 when one PSU carries the variance (a rare event found in a single village).

    Returns
    -------
    float
        NaN when the first-stage variance is zero.
    """
    z = np.asarray(scores, dtype=float).reshape(-1)
    stage = design.stages[0]
    totals = group_sums(stage.unit, z, stage.n_units)
    g, n_g = stage.unit_group, stage.group_n
    means = group_sums(g, totals, stage.n_groups) / np.maximum(n_g, 1)
    scale = np.where(n_g > 1, n_g / np.maximum(n_g - 1, 1), 0.0) * stage.fpc_factor
    terms = scale[g] * (totals - means[g]) ** 2
    total = float(terms.sum())
    return total**2 / float(np.sum(terms**2)) if total > 0 else float("nan")


def _held_units(stage: StageCodes, rows: np.ndarray | None) -> np.ndarray:
    """Which first-stage units hold at least one domain row (all of them without a domain)."""
    if rows is None:
        return np.ones(stage.n_units, bool)
    rows = np.asarray(rows, bool)
    return np.bincount(stage.unit[rows], minlength=stage.n_units) > 0


def _stage_covariance(design: Design, stage: StageCodes, z: np.ndarray, *, held):
    first = held is not None
    unit_totals = group_sums(stage.unit, z, stage.n_units)
    n_g = stage.group_n
    g = stage.unit_group
    means = group_sums(g, unit_totals, stage.n_groups) / np.maximum(n_g, 1)[:, None]
    deviations = unit_totals - means[g]
    active = stage.fpc_factor > _CERTAIN
    lonely = (n_g == 1) & active
    if first:
        # A stratum holding no domain row is left out of the subset R works on.
        held_groups = np.bincount(g, weights=held, minlength=stage.n_groups) > 0
        lonely = lonely & held_groups
    scale = np.where(n_g > 1, n_g / np.maximum(n_g - 1, 1), 0.0)
    group_weight = stage.multiplier * stage.fpc_factor * scale * active
    unit_weight = group_weight[g]
    if lonely.any():
        option = design.lonely_psu if first else "remove"
        if design.lonely_psu == "fail":
            _fail_lonely(design, stage, lonely, first)
        if option == "adjust":
            if int(held.sum()) <= 1:
                # The only PSU holding domain rows cannot be compared with anything.
                return np.full((z.shape[1], z.shape[1]), np.nan)
            # The single PSU is compared with the mean PSU total over the whole stage.
            lonely_units = lonely[g]
            grand_mean = unit_totals.sum(axis=0) / stage.n_units
            deviations[lonely_units] = unit_totals[lonely_units] - grand_mean
            unit_weight = np.where(
                lonely_units, (stage.multiplier * stage.fpc_factor)[g], unit_weight
            )
    cov = (deviations * unit_weight[:, None]).T @ deviations
    if first and lonely.any() and design.lonely_psu == "average":
        # R: the strata of the subset, over those with a variance estimate.
        n_held = int(held_groups.sum())
        n_ok = n_held - int(lonely.sum())
        cov = cov * (n_held / n_ok) if n_ok > 0 else np.full_like(cov, np.nan)
    return cov


def _fail_lonely(design: Design, stage: StageCodes, lonely: np.ndarray, first: bool) -> None:
    where = int(np.flatnonzero(lonely)[0])
    if first:
        label = design.stratum_labels[where]
        raise EstimationError(
            N_(
                "lonely_psu: stratum {stratum} has only one PSU; choose lonely_psu='adjust', "
                "'remove' or 'average', or merge strata"
            ),
            stratum=str(label),
        )
    raise EstimationError(
        N_(
            "lonely_psu: a sampled cluster has a single sub-unit at a later stage that is not "
            "a census; choose lonely_psu='adjust', 'remove' or 'average'"
        )
    )
