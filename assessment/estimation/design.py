"""The sampling design: weights, strata, stages of clusters and finite-population corrections.

A :class:`Design` is built once from per-row columns by :func:`make_design`, which turns labels
into integer codes (clusters are always nested in their stratum and in their parent cluster)
and precomputes, for every stage, the number of sampled units per parent group and the
finite-population correction (FPC). The variance code then works on these codes with
``np.bincount`` only, so no Python loop ever runs over rows.

Conventions follow R's ``survey`` package (``svydesign``): FPC columns hold population sizes,
or sampling fractions when every value is at most 1; without any FPC the first stage is taken
as sampled with replacement (the ultimate-cluster approximation, later stages ignored); with
FPCs for fewer stages than there are cluster stages, the later stages count as sampled with
replacement and a :class:`DesignWarning` says so, as R's ``survey`` does.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from assessment.core.i18n import N_
from assessment.estimation.errors import DesignWarning, EstimationError

LONELY_PSU_OPTIONS = ("fail", "adjust", "remove", "certainty", "average")


@dataclass(frozen=True, eq=False)
class StageCodes:
    """Integer codes of one sampling stage (internal, exposed for inspection and tests).

    Attributes
    ----------
    unit : ndarray of int, shape (n_rows,)
        Code of the sampled unit of this stage each row belongs to (0 .. n_units-1).
    unit_group : ndarray of int, shape (n_units,)
        Code of the group each unit was drawn from: the stratum at stage 1, the parent unit
        at later stages.
    group_n : ndarray of int, shape (n_groups,)
        Number of sampled units in each group.
    fpc_factor : ndarray of float, shape (n_groups,)
        ``1 - n/N`` per group (1 when sampled with replacement, 0 for a census).
    multiplier : ndarray of float, shape (n_groups,)
        Product of the sampling fractions ``n/N`` of the group's ancestors (1 at stage 1):
        how much this stage's within-unit variance counts in the total.
    fraction : ndarray of float, shape (n_groups,)
        Sampling fraction ``n/N`` of each group (0 when sampled with replacement).
    """

    unit: np.ndarray
    unit_group: np.ndarray
    group_n: np.ndarray
    fpc_factor: np.ndarray
    multiplier: np.ndarray
    fraction: np.ndarray

    @property
    def n_units(self) -> int:
        return int(self.unit_group.size)

    @property
    def n_groups(self) -> int:
        return int(self.group_n.size)


@dataclass(frozen=True, eq=False)
class Design:
    """A complex sample design ready for Taylor-linearisation variance.

    Build it with :func:`make_design`; the attributes are read-only arrays.

    Attributes
    ----------
    weights : ndarray of float, shape (n_rows,)
        Sampling weights (inverse inclusion probabilities), persons or households per row.
    strata : ndarray of int, shape (n_rows,)
        Stratum code of each row (0 .. n_strata-1; a single stratum when none was given).
    stratum_labels : ndarray
        Original stratum label of each code, for messages.
    stages : tuple of StageCodes
        First stage first. Only the first stage is kept when no FPC was given.
    with_replacement : bool
        True when no FPC was given: ultimate-cluster variance, first stage only.
    lonely_psu : str
        What to do with a stratum holding a single PSU, one of ``LONELY_PSU_OPTIONS``.
    """

    weights: np.ndarray
    strata: np.ndarray
    stratum_labels: np.ndarray
    stages: tuple[StageCodes, ...]
    with_replacement: bool
    lonely_psu: str

    @property
    def n_rows(self) -> int:
        """Number of rows (observations)."""
        return int(self.weights.size)

    @property
    def psu(self) -> np.ndarray:
        """Code of each row's primary sampling unit (nested in its stratum)."""
        return self.stages[0].unit

    @property
    def n_psu(self) -> int:
        """Number of sampled primary sampling units."""
        return self.stages[0].n_units

    @property
    def n_strata(self) -> int:
        """Number of strata."""
        return int(self.stratum_labels.size)

    @property
    def is_census(self) -> bool:
        """True when every first-stage stratum was completely enumerated (variance is 0)."""
        return bool(np.all(self.stages[0].fpc_factor <= 1e-12))

    def degrees_of_freedom(self, rows: np.ndarray | None = None) -> int:
        """Design degrees of freedom: PSUs minus strata, counted where ``rows`` is true.

        Parameters
        ----------
        rows : ndarray of bool, optional
            Rows of a domain; as R's ``degf`` on a subset, only PSUs and strata holding at
            least one domain row count. All rows when omitted. Rows of weight zero never
            count (R's ``degf`` looks at rows whose weight is not zero).
        """
        if rows is None:
            rows = np.ones(self.n_rows, bool)
        rows = rows & (self.weights > 0)
        psus = np.bincount(self.psu[rows], minlength=self.n_psu) > 0
        strata = np.bincount(self.strata[rows], minlength=self.n_strata) > 0
        return int(psus.sum() - strata.sum())


def _codes(values: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and labels of a column of ids, rejecting missing ids."""
    values = np.asarray(values)
    if values.dtype.kind == "f" and np.isnan(values).any():
        raise EstimationError(N_("{name} has missing values"), name=name)
    if values.dtype == object and any(v is None or v == "" for v in values):
        raise EstimationError(N_("{name} has missing values"), name=name)
    labels, codes = np.unique(values, return_inverse=True)
    return codes.reshape(-1).astype(np.int64), labels


def _nest(parent: np.ndarray, child: np.ndarray) -> np.ndarray:
    """Codes of ``child`` made unique within ``parent`` (clusters nested in strata)."""
    key = parent * (int(child.max()) + 1) + child
    return np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)


def _population_sizes(fpc: np.ndarray, group: np.ndarray, group_n: np.ndarray, name: str):
    """Population size per group from a per-row FPC column (sizes, or fractions if all <= 1)."""
    fpc = np.asarray(fpc, dtype=float)
    if np.isnan(fpc).any() or (fpc <= 0).any():
        raise EstimationError(N_("{name} must be positive and not missing"), name=name)
    per_group = np.empty(group_n.size)
    per_group[group] = fpc
    if not np.array_equal(per_group[group], fpc):
        raise EstimationError(
            N_("{name} must be constant within each stratum or cluster"), name=name
        )
    sizes = group_n / per_group if np.all(fpc <= 1) else per_group
    if np.any(sizes < group_n - 1e-9):
        raise EstimationError(N_("{name} is smaller than the number of sampled units"), name=name)
    return sizes


def _stage(unit, group, n_groups, fpc, multiplier, name) -> StageCodes:
    n_units = int(unit.max()) + 1
    unit_group = np.empty(n_units, dtype=np.int64)
    unit_group[unit] = group
    group_n = np.bincount(unit_group, minlength=n_groups)
    if fpc is None:
        sizes = np.full(n_groups, np.inf)
    else:
        sizes = _population_sizes(fpc, group, group_n, name)
    fraction = group_n / sizes
    return StageCodes(unit, unit_group, group_n, 1.0 - fraction, multiplier, fraction)


def make_design(
    weights=None,
    *,
    strata=None,
    clusters=(),
    fpc=(),
    lonely_psu: str = "fail",
) -> Design:
    """Describe a stratified multistage sample.

    Parameters
    ----------
    weights : array_like of float, optional
        Sampling weight of each row (1 / inclusion probability). When omitted, the product of
        ``N / n`` over the stages given in ``fpc``; all 1 when ``fpc`` is empty too.
    strata : array_like, optional
        First-stage stratum label of each row (e.g. poor / non-poor village).
    clusters : sequence of array_like
        Cluster ids per stage, first stage first (e.g. ``(village, household)``). Empty: each
        row is its own primary sampling unit. Ids are nested in strata and parent clusters.
    fpc : sequence of array_like
        Per stage, the population size (units in the stratum or parent cluster) or the
        sampling fraction (when every value is at most 1). Empty: sampled with replacement.
        With ``clusters`` empty, one column for the rows themselves. Given for fewer stages
        than ``clusters``: the later stages are sampled with replacement (a
        :class:`DesignWarning` is issued), as R.
    lonely_psu : {"fail", "adjust", "remove", "certainty", "average"}
        A stratum with one PSU has no variance estimate. ``"fail"`` (default, as R) raises;
        ``"adjust"`` centres that PSU at the grand mean of PSU totals (conservative);
        ``"remove"``/``"certainty"`` count it as contributing nothing; ``"average"`` scales
        the other strata's variance up. See ``docs/estimation.md``.

    Returns
    -------
    Design
    """
    if lonely_psu not in LONELY_PSU_OPTIONS:
        raise EstimationError(
            N_("lonely_psu must be one of {options}, got {value!r}"),
            options=LONELY_PSU_OPTIONS,
            value=lonely_psu,
        )
    clusters, fpc = list(clusters), list(fpc)
    n_rows = _row_count(weights, strata, clusters, fpc)
    if not clusters:
        clusters = [np.arange(n_rows)]
    if len(fpc) > len(clusters):
        raise EstimationError(
            N_("fpc has {fpc} stages but clusters only {clusters}"),
            fpc=len(fpc),
            clusters=len(clusters),
        )
    strata_codes, stratum_labels = (
        _codes(strata, "strata")
        if strata is not None
        else (np.zeros(n_rows, np.int64), np.zeros(1))
    )
    stages = _build_stages(strata_codes, stratum_labels.size, clusters, fpc)
    weights = _weights(weights, stages, n_rows, bool(fpc))
    return Design(weights, strata_codes, stratum_labels, stages, not fpc, lonely_psu)


def _row_count(weights, strata, clusters, fpc) -> int:
    columns = {"weights": weights, "strata": strata}
    columns.update({f"clusters[{i}]": c for i, c in enumerate(clusters)})
    columns.update({f"fpc[{i}]": f for i, f in enumerate(fpc)})
    sizes = {k: np.asarray(v).reshape(-1).size for k, v in columns.items() if v is not None}
    if not sizes:
        raise EstimationError(N_("weights: give weights, clusters or fpc to describe the design"))
    if len(set(sizes.values())) != 1:
        raise EstimationError(
            N_("columns differ in length: {sizes}"),
            sizes=", ".join(f"{k}={v}" for k, v in sizes.items()),
        )
    n_rows = next(iter(sizes.values()))
    if n_rows == 0:
        raise EstimationError(N_("weights: the design has no rows"))
    return n_rows


def _build_stages(strata_codes, n_strata, clusters, fpc) -> tuple[StageCodes, ...]:
    stages: list[StageCodes] = []
    group, n_groups, multiplier = strata_codes, n_strata, np.ones(n_strata)
    # Without an FPC only the first stage enters the variance (ultimate cluster).
    n_stages = len(clusters) if fpc else 1
    if fpc and len(fpc) < len(clusters):
        # R's survey: stages without an FPC are sampled with replacement (infinite
        # population), and their within-unit variance is scaled by the earlier fractions.
        warnings.warn(
            _later_stages_warning(len(fpc), len(clusters)),
            stacklevel=3,
        )
    for s in range(n_stages):
        unit = _nest(group, _codes(clusters[s], f"clusters[{s}]")[0])
        stage_fpc = fpc[s] if s < len(fpc) else None
        stage = _stage(unit, group, n_groups, stage_fpc, multiplier, f"fpc[{s}]")
        stages.append(stage)
        multiplier = (stage.multiplier * stage.fraction)[stage.unit_group]
        group, n_groups = unit, stage.n_units
    return tuple(stages)


def _later_stages_warning(n_fpc: int, n_stages: int) -> DesignWarning:
    first = n_fpc + 1
    if first == n_stages:
        msgid = N_(
            "fpc is given for {fpc} of {stages} stages; stage {first} is taken as sampled "
            "with replacement"
        )
    else:
        msgid = N_(
            "fpc is given for {fpc} of {stages} stages; stages {first}-{stages} are taken as "
            "sampled with replacement"
        )
    return DesignWarning(msgid, fpc=n_fpc, stages=n_stages, first=first)


def _weights(weights, stages, n_rows, has_fpc) -> np.ndarray:
    if weights is not None:
        weights = np.asarray(weights, dtype=float).reshape(-1)
        if not np.all(np.isfinite(weights)) or (weights < 0).any():
            raise EstimationError(N_("weights must be finite and non-negative"))
        return weights
    if not has_fpc:
        return np.ones(n_rows)
    weights = np.ones(n_rows)
    for stage in stages:
        fraction = stage.fraction[stage.unit_group[stage.unit]]
        if (fraction <= 0).any():
            raise EstimationError(
                N_(
                    "weights are needed when a stage has no fpc or an infinite one "
                    "(they cannot be computed from the fpc)"
                )
            )
        weights = weights / fraction
    return weights
