"""Statistics engine: decide which prompt variant wins, with honest uncertainty.

Main entry points:
    analyse(scores, baseline)            paired per-case comparisons → Analysis of Verdicts
    analyse_preferences(ratings)         blind A/B and judge pairwise ratings (sign test, position bias, BT)
    audit_bias(results)                  name-swap bias audit (impact ratios, flags; indicative only)
    paired_t_sample_size / minimum_detectable_effect / plan_allocation   power and design planning
"""

from .aggregate import CellTable, aggregate_scores
from .bias_audit import BiasAudit, BiasAuditUnit, FlipRates, GroupComparison, audit_bias
from .binary import cochran_q, fisher_exact_2x2, mcnemar_chi2, mcnemar_exact, paired_proportion_ci
from .clustered import ClusteredSE, clustered_se
from .compare_variants import Analysis, analyse
from .diagnostics import WARNING_CODES, StatWarning
from .effect_sizes import cohen_dz, hodges_lehmann, rank_biserial
from .multiplicity import adjust_pvalues, benjamini_hochberg, bonferroni, holm
from .omnibus import OmnibusResult, friedman
from .power import (
    AllocationOption,
    AllocationPlan,
    VarianceSplit,
    minimum_detectable_effect,
    paired_t_power,
    paired_t_sample_size,
    plan_allocation,
    variance_split,
)
from .preferences import (
    BradleyTerryFit,
    PairPreference,
    PositionBias,
    PreferenceAnalysis,
    analyse_preferences,
    bradley_terry,
)
from .resampling import bca_interval, sign_flip_test
from .verdict import Verdict

__all__ = [
    "WARNING_CODES",
    "AllocationOption",
    "AllocationPlan",
    "Analysis",
    "BiasAudit",
    "BiasAuditUnit",
    "BradleyTerryFit",
    "CellTable",
    "ClusteredSE",
    "FlipRates",
    "GroupComparison",
    "OmnibusResult",
    "PairPreference",
    "PositionBias",
    "PreferenceAnalysis",
    "StatWarning",
    "VarianceSplit",
    "Verdict",
    "adjust_pvalues",
    "aggregate_scores",
    "analyse",
    "analyse_preferences",
    "audit_bias",
    "bca_interval",
    "benjamini_hochberg",
    "bonferroni",
    "bradley_terry",
    "clustered_se",
    "cochran_q",
    "cohen_dz",
    "fisher_exact_2x2",
    "friedman",
    "hodges_lehmann",
    "holm",
    "mcnemar_chi2",
    "mcnemar_exact",
    "minimum_detectable_effect",
    "paired_proportion_ci",
    "paired_t_power",
    "paired_t_sample_size",
    "plan_allocation",
    "rank_biserial",
    "sign_flip_test",
    "variance_split",
]
