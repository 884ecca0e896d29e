"""Exact checks by enumerating every possible sample of tiny populations.

Theory (Särndal, Swensson & Wretman 1992, Results 2.8.1, 3.7.1, 4.3.1): under SRSWOR,
stratified SRSWOR and two-stage SRSWOR/SRSWOR, the Horvitz-Thompson total is unbiased and the
variance estimator with finite-population corrections at every stage is unbiased for the
enumerated variance of the estimator. The domain total is unbiased too.
"""

import itertools

import numpy as np
import pytest

from assessment import estimation as est

Y = np.array([3.0, 7.0, 1.0, 4.0, 9.0, 2.0])


def _moments(results, truth, probabilities=None):
    """Expectation of the estimate, its true variance, and the expected variance estimate."""
    values = np.array([r.estimate for r in results])
    variances = np.array([r.se**2 for r in results])
    p = np.full(values.size, 1 / values.size) if probabilities is None else np.array(probabilities)
    assert p.sum() == pytest.approx(1.0)
    return p @ values, p @ (values - truth) ** 2, p @ variances


def test_srswor_total_unbiased_and_variance_exact():
    population, n = Y.size, 3
    results = []
    for sample in itertools.combinations(range(population), n):
        y = Y[list(sample)]
        design = est.make_design(fpc=[np.full(n, float(population))])
        results.append(est.total(design, y))
    mean_estimate, true_variance, mean_variance = _moments(results, Y.sum())
    assert mean_estimate == pytest.approx(Y.sum(), rel=1e-12)
    assert mean_variance == pytest.approx(true_variance, rel=1e-12)
    # and the textbook formula N^2 (1 - n/N) S^2 / n
    assert true_variance == pytest.approx(population**2 * (1 - n / population) * Y.var(ddof=1) / n)


def test_stratified_total_unbiased_and_variance_exact():
    strata = {"a": np.array([2.0, 5.0, 6.0, 1.0]), "b": np.array([10.0, 12.0, 7.0])}
    sizes = {"a": 2, "b": 2}
    per_stratum = [list(itertools.combinations(range(v.size), sizes[k])) for k, v in strata.items()]
    results = []
    for picks in itertools.product(*per_stratum):
        y, labels, fpc = [], [], []
        for (name, values), pick in zip(strata.items(), picks, strict=True):
            y += list(values[list(pick)])
            labels += [name] * len(pick)
            fpc += [float(values.size)] * len(pick)
        design = est.make_design(strata=np.array(labels), fpc=[np.array(fpc)])
        results.append(est.total(design, np.array(y)))
    truth = sum(v.sum() for v in strata.values())
    mean_estimate, true_variance, mean_variance = _moments(results, truth)
    assert mean_estimate == pytest.approx(truth, rel=1e-12)
    assert mean_variance == pytest.approx(true_variance, rel=1e-12)


PSUS = [np.array([4.0, 1.0, 3.0]), np.array([8.0, 2.0]), np.array([5.0, 6.0, 0.0, 2.0]),
        np.array([7.0, 3.0, 1.0])]  # fmt: skip


def _two_stage_samples(n_psu=2, m=2):
    """Every sample (PSUs, then SSUs in each) with its selection probability."""
    first = list(itertools.combinations(range(len(PSUS)), n_psu))
    for psus in first:
        within = [list(itertools.combinations(range(PSUS[i].size), m)) for i in psus]
        probability = 1 / len(first) / np.prod([len(w) for w in within])
        for picks in itertools.product(*within):
            yield psus, picks, probability


def _two_stage_estimate(psus, picks, statistic, domain_of=None):
    y, ids, ssu, fpc1, fpc2 = [], [], [], [], []
    for psu, pick in zip(psus, picks, strict=True):
        y += list(PSUS[psu][list(pick)])
        ids += [psu] * len(pick)
        ssu += list(pick)
        fpc1 += [float(len(PSUS))] * len(pick)
        fpc2 += [float(PSUS[psu].size)] * len(pick)
    design = est.make_design(
        clusters=[np.array(ids), np.array(ssu)], fpc=[np.array(fpc1), np.array(fpc2)]
    )
    y = np.array(y)
    domain = None if domain_of is None else domain_of(y)
    return statistic(design, y, domain=domain)


def test_two_stage_total_unbiased_and_full_multistage_variance_exact():
    samples = list(_two_stage_samples())
    results = [_two_stage_estimate(p, k, est.total) for p, k, _ in samples]
    truth = sum(v.sum() for v in PSUS)
    mean_estimate, true_variance, mean_variance = _moments(results, truth, [s[2] for s in samples])
    assert mean_estimate == pytest.approx(truth, rel=1e-12)
    assert mean_variance == pytest.approx(true_variance, rel=1e-12)


def test_two_stage_domain_total_unbiased():
    samples = list(_two_stage_samples())
    results = [
        _two_stage_estimate(p, k, est.total, domain_of=lambda y: y >= 3) for p, k, _ in samples
    ]
    truth = sum(v[v >= 3].sum() for v in PSUS)
    mean_estimate, true_variance, mean_variance = _moments(results, truth, [s[2] for s in samples])
    assert mean_estimate == pytest.approx(truth, rel=1e-12)
    assert mean_variance == pytest.approx(true_variance, rel=1e-12)


def test_ultimate_cluster_variance_is_not_below_the_true_variance():
    # Without FPCs the with-replacement estimator is conservative for SRSWOR of PSUs.
    results, probabilities = [], []
    for psus, picks, probability in _two_stage_samples():
        probabilities.append(probability)
        ids, y = [], []
        for psu, pick in zip(psus, picks, strict=True):
            ids += [psu] * len(pick)
            y += list(PSUS[psu][list(pick)])
        weights = [
            len(PSUS) / len(psus) * PSUS[i].size / len(k)
            for i, k in zip(psus, picks, strict=True)
            for _ in k
        ]
        design = est.make_design(np.array(weights), clusters=[np.array(ids)])
        results.append(est.total(design, np.array(y)))
    truth = sum(v.sum() for v in PSUS)
    mean_estimate, true_variance, mean_variance = _moments(results, truth, probabilities)
    assert mean_estimate == pytest.approx(truth, rel=1e-12)
    assert mean_variance >= true_variance
