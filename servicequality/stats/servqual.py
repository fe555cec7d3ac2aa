"""SERVQUAL statistics as pure functions.

They turn aggregates (means, standard deviations, variances, n) that SQL computed into estimates:
gap intervals, paired t tests, the weighted score and each component's share of it, adequacy and
superiority, Cronbach's alpha, importance-performance quadrants. Each names its formula and source
and is tested against a hand-worked example and an independent reference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import pandas as pd
from scipy import stats as _scipy_stats

from servicequality import stats

ALPHA_THRESHOLD = 0.70  # Nunnally (1978), "Psychometric theory", 2nd ed., p. 245
SIGNIFICANCE = 0.05

CONCENTRATE = "Concentrate here"
KEEP_UP = "Keep up the good work"
LOW_PRIORITY = "Low priority"
OVERKILL = "Possible overkill"
QUADRANTS: tuple[str, ...] = (CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


# --- statistics ---------------------------------------------------------------------------------


class GapEstimate(NamedTuple):
    gap: float
    low: float
    high: float
    n: int


def gap_with_interval(mean_gap: float, sd_gap: float, n: int, level: float = 0.95) -> GapEstimate:
    """A SERVQUAL gap with its paired-t confidence interval.

    gap = mean over respondents of d_i = P_i − E_i (each the mean over the component's items);
    interval = gap ± t(1 − α/2; n − 1) · s_d / √n (stats.mean_confidence_interval).
    Source: Parasuraman, Zeithaml & Berry (1988), J. Retailing 64(1) for the gap; the paired t
    interval e.g. Moore, McCabe & Craig, "Introduction to the Practice of Statistics", §7.1.
    """
    n = 0 if _missing(n) else int(n)
    mean = math.nan if _missing(mean_gap) else float(mean_gap)
    sd = math.nan if _missing(sd_gap) else float(sd_gap)
    ci = stats.mean_confidence_interval(mean, sd, n, level)
    return GapEstimate(mean, ci.low, ci.high, n)


class TTest(NamedTuple):
    t: float
    df: int
    p: float


def paired_t_test(mean_diff: float, sd_diff: float, n: int) -> TTest:
    """Two-sided paired t test of H0: mean(P − E) = 0, from the summary of the differences.

    t = d̄ / (s_d / √n), df = n − 1, p = 2 · P(T_df ≥ |t|) (scipy.stats.t survival function).
    Identical to scipy.stats.ttest_rel(P, E) and ttest_1samp(P − E, 0) on the raw scores.
    Source: Student (1908), Biometrika 6(1); Moore, McCabe & Craig §7.1 "matched pairs t procedures".
    Undefined (NaN) for n < 2; with s_d = 0 every respondent has the same difference, so
    t = ±∞ and p = 0 unless that difference is 0.
    """
    if _missing(n) or n < 2 or _missing(mean_diff) or _missing(sd_diff):
        return TTest(math.nan, max(int(n or 0) - 1, 0), math.nan)
    df = int(n) - 1
    if sd_diff == 0:
        if mean_diff == 0:
            return TTest(math.nan, df, math.nan)
        return TTest(math.copysign(math.inf, mean_diff), df, 0.0)
    t = mean_diff / (sd_diff / math.sqrt(n))
    return TTest(t, df, float(2 * _scipy_stats.t.sf(abs(t), df)))


def format_p(p: float) -> str:
    """p as people read it: 'p < 0.001', 'p = 0.03', 'p = 0.41'."""
    if _missing(p):
        return "p not defined"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def describe_gap_test(name: str, gap: float, p: float, n: int, alpha: float = SIGNIFICANCE) -> str:
    """Plain words for a paired t test of a gap against zero, e.g.
    'Responsiveness falls short of expectations (gap −0.98, p < 0.001, n = 4,012)'."""
    if _missing(gap) or _missing(p):
        return f"{name}: too few responses to test (n = {int(n or 0):,})"
    detail = f"(gap {gap:+.2f}, {format_p(p)}, n = {int(n):,})".replace("-", "−")
    if p >= alpha:
        verdict = "does not differ clearly from expectations"
    elif gap < 0:
        verdict = "falls short of expectations"
    else:
        verdict = "exceeds expectations"
    return f"{name} {verdict} {detail}"


def adequacy(mean_perception: float, mean_adequate: float) -> float:
    """Measure of service adequacy MSA = P − A (perceived minus adequate, i.e. minimum acceptable).

    Negative: service below what customers will tolerate. With per-respondent means over the same
    respondents, mean(P − A) = mean(P) − mean(A).
    Source: Parasuraman, Zeithaml & Berry (1994), "Alternating measurement scales...", J. Retailing
    70(3), p. 204; Zeithaml, Berry & Parasuraman (1993), J. Academy of Marketing Science 21(1).
    """
    return mean_perception - mean_adequate


def superiority(mean_perception: float, mean_desired: float) -> float:
    """Measure of service superiority MSS = P − D (perceived minus desired). Positive: service
    above what customers desire. Same sources as `adequacy`; with the desired level asked as the
    SERVQUAL expectation item, MSS equals the SERVQUAL gap."""
    return mean_perception - mean_desired


def tolerance_position(perception: float, adequate: float, desired: float) -> str:
    """Where perceived service falls against the zone of tolerance [adequate, desired]
    (Zeithaml, Berry & Parasuraman 1993): 'below the zone', 'inside the zone' or 'above the zone'."""
    if any(_missing(v) for v in (perception, adequate, desired)):
        return "unknown"
    if perception < adequate:
        return "below the zone"
    if perception > desired:
        return "above the zone"
    return "inside the zone"


def cronbach_alpha(k: int, sum_item_variances: float, total_variance: float) -> float:
    """Cronbach's alpha of a k-item scale from its variances.

    α = k / (k − 1) · (1 − Σᵢ var(itemᵢ) / var(Σᵢ itemᵢ)), variances over the same respondents
    (listwise deletion: respondents missing any item are left out, so numerator and denominator
    describe one sample; the variance divisor, n or n − 1, cancels). Equivalently, with C the
    item covariance matrix, α = k/(k − 1) · (1 − trace(C) / sum(C)).
    Source: Cronbach (1951), "Coefficient alpha and the internal structure of tests",
    Psychometrika 16(3), eq. 2. Undefined (NaN) for k < 2 or a zero total variance.
    """
    if _missing(k) or k < 2 or _missing(sum_item_variances) or _missing(total_variance) or total_variance <= 0:
        return math.nan
    return k / (k - 1) * (1 - sum_item_variances / total_variance)


def quadrant(importance: float, performance: float, importance_split: float, performance_split: float) -> str:
    """Importance-performance quadrant (Martilla & James 1977, J. Marketing 41(1), p. 78).

    High importance, low performance: 'Concentrate here'; high, high: 'Keep up the good work';
    low, low: 'Low priority'; low importance, high performance: 'Possible overkill'.
    A value equal to the split counts as high.
    """
    high_importance = importance >= importance_split
    high_performance = performance >= performance_split
    if high_importance:
        return KEEP_UP if high_performance else CONCENTRATE
    return OVERKILL if high_performance else LOW_PRIORITY


def assign_quadrants(importance: Mapping[str, float], performance: Mapping[str, float]) -> dict[str, str]:
    """Quadrant per item, splitting each axis at the mean over the items that have both values
    (Martilla & James 1977 split at the scale midpoint; the means are the common "data-centred"
    variant, e.g. Bacon 2003, Int. J. Market Research 45(1))."""
    keys = [k for k in importance if k in performance and not _missing(importance[k]) and not _missing(performance[k])]
    if not keys:
        return {}
    imp_split = sum(importance[k] for k in keys) / len(keys)
    perf_split = sum(performance[k] for k in keys) / len(keys)
    return {k: quadrant(importance[k], performance[k], imp_split, perf_split) for k in keys}


class Contribution(NamedTuple):
    gap: float
    equal_weight: float  # 1 / number of components with a gap
    weight: float  # normalised importance
    unweighted: float  # gap × equal weight; these sum to the unweighted score
    weighted: float  # gap × weight; these sum to the weighted score
    unweighted_rank: int  # 1 = the largest drag on the score (most negative contribution)
    weighted_rank: int


def score_contributions(
    gaps: Mapping[str, float], weights: Mapping[str, float], weighted: Mapping[str, float] | None = None
) -> dict[str, Contribution]:
    """Each component's part of the overall SERVQUAL score, unweighted and importance-weighted.

    Unweighted score = Σ gap_c / K = Σ (1/K)·gap_c; weighted = Σ w_c·gap_c with w normalised to
    sum 1 over the components with a gap (both as stats.servqual_score). `weighted`, when given,
    holds each component's weighted part as computed respondent by respondent (the mean over
    respondents of their own weight × their own gap, whose sum is the respondent-weighted score);
    `weights` are then the mean weights, shown as they are. Ranks order the
    contributions from the most negative; a component whose rank moves is one the weighting
    makes more (or less) urgent. Source: Zeithaml, Parasuraman & Berry (1990), "Delivering
    Quality Service", appendix (weighted SERVQUAL scores).
    """
    valid = {k: float(g) for k, g in gaps.items() if not _missing(g)}
    if not valid:
        return {}
    equal = 1 / len(valid)
    unweighted = {k: g * equal for k, g in valid.items()}
    if weighted is None:
        w = stats.normalise_weights({k: weights.get(k, 0.0) for k in valid})
        weighted = {k: g * w.get(k, math.nan) for k, g in valid.items()}
    else:
        w = {k: float(weights.get(k, math.nan)) for k in valid}
        weighted = {k: float(weighted.get(k, math.nan)) for k in valid}

    def ranks(values: Mapping[str, float]) -> dict[str, int]:
        ordered = sorted((k for k in values if not math.isnan(values[k])), key=lambda k: (values[k], k))
        return {k: i + 1 for i, k in enumerate(ordered)}

    ru, rw = ranks(unweighted), ranks(weighted)
    return {
        k: Contribution(g, equal, w.get(k, math.nan), unweighted[k], weighted[k], ru[k], rw.get(k, 0))
        for k, g in valid.items()
    }
