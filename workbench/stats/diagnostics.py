"""Warnings attached to results: machine-readable code plus a plain-language message."""

from __future__ import annotations

from dataclasses import dataclass

# Codes used across the engine (documented so the UI can map them to icons / help texts).
WARNING_CODES: dict[str, str] = {
    "small_n": "too few cases for a test: results are descriptive only",
    "zero_variance": "all paired differences are identical: t-interval and d_z are degenerate",
    "heavy_ties": "more than half of the cases have identical scores for both variants",
    "missing_cases": "cases without a result for one of the variants were dropped",
    "missing_outputs": "some repeats failed (NaN) and were left out of the case means",
    "unbalanced_repeats": "cases have different numbers of valid repeats",
    "few_clusters": "few clusters: cluster-robust standard errors are unreliable",
    "cannot_reach_alpha": "too few cases or clusters for any permutation p-value to pass the family's level",
    "missing_primary": "a declared primary metric has no comparisons in the analysis",
    "missing_reference": "the declared reference group has no results in this audit unit",
    "robustness_disagreement": "Wilcoxon or BCa bootstrap disagree with the primary test",
    "missing_baseline": "the baseline variant has no results for this model/metric",
    "few_names": "too few names per swap group to tell a group effect from single names' effects",
    "no_repeats": "no repeated runs: the same-name flip baseline cannot be estimated",
    "bt_not_connected": "Bradley–Terry maximum likelihood does not exist for this comparison graph",
}


@dataclass(frozen=True)
class StatWarning:
    """One diagnostic: ``code`` from WARNING_CODES, ``message`` specific to the result."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
