"""Holm / Benjamini–Hochberg / Bonferroni: reference values and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from workbench.stats import adjust_pvalues, benjamini_hochberg, bonferroni, holm

pvals = st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1, max_size=30)


def test_small_known_vectors():
    p = [0.01, 0.02, 0.03, 0.04, 0.05]
    np.testing.assert_allclose(holm(p), [0.05, 0.08, 0.09, 0.09, 0.09])
    np.testing.assert_allclose(benjamini_hochberg(p), [0.05] * 5)
    np.testing.assert_allclose(bonferroni(p), [0.05, 0.1, 0.15, 0.2, 0.25])
    # order of the input does not matter
    np.testing.assert_allclose(holm(p[::-1]), holm(p)[::-1])


def test_nan_entries_pass_through_and_do_not_count():
    out = holm([0.01, np.nan, 0.04])
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], [0.02, 0.04])


def test_invalid_inputs():
    with pytest.raises(ValueError):
        holm([1.2])
    with pytest.raises(ValueError):
        adjust_pvalues([0.1], "tukey")
    assert adjust_pvalues([], "holm").size == 0


@settings(max_examples=200, deadline=None)
@given(pvals)
def test_properties(p):
    arr = np.asarray(p)
    h, b, bo = holm(arr), benjamini_hochberg(arr), bonferroni(arr)
    for adj in (h, b, bo):
        assert np.all(adj >= arr - 1e-15) and np.all(adj <= 1.0)
        # monotone: a smaller raw p never gets a larger adjusted p
        order = np.argsort(arr, kind="stable")
        assert np.all(np.diff(adj[order]) >= -1e-12)
    assert np.all(b <= h + 1e-12) and np.all(h <= bo + 1e-12)  # BH ≤ Holm ≤ Bonferroni
    np.testing.assert_allclose(b, stats.false_discovery_control(arr, method="bh"), atol=1e-12)
