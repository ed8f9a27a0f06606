"""Resampling and effect-size building blocks, checked against scipy and brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from workbench.stats import bca_interval, clustered_se, cohen_dz, hodges_lehmann, sign_flip_test
from workbench.stats.effect_sizes import sign_counts


def _mean_stat(x, axis=-1):
    return np.mean(x, axis=axis)


@pytest.mark.parametrize("n", [5, 12, 16])
def test_exact_sign_flip_matches_scipy_permutation_test(n):
    rng = np.random.default_rng(n)
    d = rng.normal(0.4, 1.0, n)
    ours = sign_flip_test(d, rng=rng)
    ref = stats.permutation_test(
        (d,), _mean_stat, permutation_type="samples", vectorized=True, n_resamples=np.inf
    )
    assert ours.exact
    assert ours.pvalues[0] == pytest.approx(ref.pvalue, abs=1e-12)


def test_monte_carlo_sign_flip_agrees_with_scipy_within_mc_error():
    rng = np.random.default_rng(1)
    d = rng.normal(0.35, 1.0, 40)
    ours = sign_flip_test(d, rng=np.random.default_rng(2), n_resamples=20_000)
    ref = stats.permutation_test(
        (d,),
        _mean_stat,
        permutation_type="samples",
        vectorized=True,
        n_resamples=20_000,
        rng=np.random.default_rng(3),
    )
    assert not ours.exact
    se = np.sqrt(ref.pvalue * (1 - ref.pvalue) / 20_000)
    assert abs(ours.pvalues[0] - ref.pvalue) < 5 * se * np.sqrt(2) + 1e-4
    # the MC p-value can never be 0: (count + 1) / (B + 1)
    assert sign_flip_test(np.full(30, 5.0), rng=rng, n_resamples=999).pvalues[0] == pytest.approx(1 / 1000)


def test_sign_flip_columns_are_independent_comparisons():
    rng = np.random.default_rng(4)
    d = rng.normal(size=(10, 3))
    both = sign_flip_test(d, rng=rng).pvalues
    for j in range(3):
        assert both[j] == pytest.approx(sign_flip_test(d[:, j], rng=rng).pvalues[0])


def test_cluster_sign_flip_equals_test_on_cluster_sums():
    rng = np.random.default_rng(5)
    d = rng.normal(0.3, 1, 24)
    groups = np.repeat(np.arange(6), 4)
    clustered = sign_flip_test(d, rng=rng, groups=groups)
    sums = np.bincount(groups, weights=d)
    assert clustered.exact and clustered.n_units == 6 and clustered.clustered
    assert clustered.pvalues[0] == pytest.approx(sign_flip_test(sums, rng=rng).pvalues[0])


@pytest.mark.parametrize("n", [20, 60, 200])
def test_bca_matches_scipy_bootstrap(n):
    # n ≥ 20 so that no resample reproduces the sample mean up to rounding (where float ties could
    # be counted differently); then the intervals agree to rounding error.
    data = np.random.default_rng(n).gamma(2.0, 1.0, n)  # skewed: BCa differs from percentile
    ours = bca_interval(data, rng=np.random.default_rng(42), n_resamples=4_000)
    ref = stats.bootstrap(
        (data,), _mean_stat, vectorized=True, method="BCa", n_resamples=4_000, rng=np.random.default_rng(42)
    ).confidence_interval
    assert ours[0][0] == pytest.approx(ref.low, rel=1e-9)
    assert ours[1][0] == pytest.approx(ref.high, rel=1e-9)


def test_bca_degenerate_and_cluster_cases():
    lo, hi = bca_interval(np.full(10, 2.5), rng=np.random.default_rng(0), n_resamples=500)
    assert lo[0] == hi[0] == 2.5
    rng = np.random.default_rng(6)
    d = rng.normal(1.0, 1.0, 40)
    lo, hi = bca_interval(d, rng=rng, n_resamples=2_000, groups=np.repeat(np.arange(10), 4))
    assert lo[0] < d.mean() < hi[0]


def test_hodges_lehmann_brute_force_and_subsampled():
    rng = np.random.default_rng(7)
    d = rng.standard_t(3, 25)
    walsh = [(d[i] + d[j]) / 2 for i, j in itertools.combinations_with_replacement(range(25), 2)]
    assert hodges_lehmann(d)[0] == pytest.approx(np.median(walsh))
    big = rng.normal(2.0, 1.0, 2_500)  # > HL_MAX_PAIRS Walsh averages: seeded subsample
    assert hodges_lehmann(big, rng=np.random.default_rng(0))[0] == pytest.approx(2.0, abs=0.1)


def test_cohen_dz_and_counts():
    d = np.array([1.0, 2.0, 3.0, 0.0, -1.0])
    assert cohen_dz(d)[0] == pytest.approx(d.mean() / d.std(ddof=1))
    assert np.isnan(cohen_dz(np.ones(4))[0])
    pos, neg, zero = sign_counts(d)
    assert (pos[0], neg[0], zero[0]) == (3, 1, 1)


def test_clustered_se_reduces_to_iid_for_singletons_and_detects_clustering():
    rng = np.random.default_rng(8)
    d = rng.normal(size=50)
    single = clustered_se(d, np.arange(50))
    assert single.se_clustered[0] == pytest.approx(single.se_iid[0])
    assert single.design_effect[0] == pytest.approx(1.0)
    # strong shared cluster shifts inflate the variance of the mean
    shift = np.repeat(rng.normal(0, 2, 10), 5)
    clustered = clustered_se(rng.normal(size=50) + shift, np.repeat(np.arange(10), 5))
    assert clustered.n_clusters == 10 and clustered.df == 9
    assert clustered.design_effect[0] > 2
    # Miller (2024) eq.: SE² = Σ_c (Σ_i e_i)² / n² (times the CR1 factor G/(G − 1))
    x = np.array([1.0, 2.0, 4.0, 3.0, 7.0, 1.0])
    g = np.array([0, 0, 1, 1, 2, 2])
    e = x - x.mean()
    miller = np.sqrt(sum(e[g == c].sum() ** 2 for c in range(3))) / 6
    assert clustered_se(x, g).se_clustered[0] == pytest.approx(miller * np.sqrt(3 / 2))
