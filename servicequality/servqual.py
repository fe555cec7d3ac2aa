"""SERVQUAL statistics as pure functions, then the tables the components and gaps pages show.

The first half turns aggregates (means, standard deviations, variances, n) that SQL computed
into estimates: gap intervals, paired t tests, the weighted score and each component's share of
it, adequacy and superiority, Cronbach's alpha, importance-performance quadrants. Each names its
formula and source and is tested against a hand-worked example and an independent reference.

The second half assembles page tables from named queries. Like `measures`, it takes a query
runner, so the dashboard (cached queries) and the tests (a plain connection) share the code.
No raw survey rows are fetched: every query returns one row per component (or per component
and branch, month, ...).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import NamedTuple

import pandas as pd
from scipy import stats as _scipy_stats

from servicequality import stats
from servicequality.filters import Filters

Runner = Callable[[str, Filters], pd.DataFrame]

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


def score_contributions(gaps: Mapping[str, float], weights: Mapping[str, float]) -> dict[str, Contribution]:
    """Each component's part of the overall SERVQUAL score, unweighted and importance-weighted.

    Unweighted score = Σ gap_c / K = Σ (1/K)·gap_c; weighted = Σ w_c·gap_c with w normalised to
    sum 1 over the components with a gap (both as stats.servqual_score). Ranks order the
    contributions from the most negative; a component whose rank moves is one the weighting
    makes more (or less) urgent. Source: Zeithaml, Parasuraman & Berry (1990), "Delivering
    Quality Service", appendix (weighted SERVQUAL scores).
    """
    valid = {k: float(g) for k, g in gaps.items() if not _missing(g)}
    if not valid:
        return {}
    w = stats.normalise_weights({k: weights.get(k, 0.0) for k in valid})
    equal = 1 / len(valid)
    unweighted = {k: g * equal for k, g in valid.items()}
    weighted = {k: g * w.get(k, math.nan) for k, g in valid.items()}

    def ranks(values: Mapping[str, float]) -> dict[str, int]:
        ordered = sorted((k for k in values if not math.isnan(values[k])), key=lambda k: (values[k], k))
        return {k: i + 1 for i, k in enumerate(ordered)}

    ru, rw = ranks(unweighted), ranks(weighted)
    return {
        k: Contribution(g, equal, w.get(k, math.nan), unweighted[k], weighted[k], ru[k], rw.get(k, 0))
        for k, g in valid.items()
    }


class Finding(NamedTuple):
    component_key: str
    text: str


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def complaint_survey_findings(rows: pd.DataFrame) -> list[Finding]:
    """Where complaints and the survey disagree about a component.

    `rows`: component_key, component_name, complaint_share (0-1 of mapped complaints),
    mean_gap, ci_low, ci_high. With K components, a share of at least 1/K (more than an even
    split) means complaints point at the component; under 1/(2K) means they hardly do. The
    survey shows a shortfall when the 95% interval lies below 0, a surplus when above 0.
    Disagreements: many complaints but a surplus, no clear gap, or one of the smaller shortfalls
    (gap rank in the better half); few complaints but one of the larger shortfalls.
    A rule of thumb, not a test: it says where to look.
    """
    df = rows.dropna(subset=["mean_gap", "complaint_share"]).copy()
    if df.empty:
        return []
    k = len(df)
    df["gap_rank"] = df["mean_gap"].rank(method="first").astype(int)  # 1 = largest shortfall
    df["complaint_rank"] = df["complaint_share"].rank(method="first", ascending=False).astype(int)
    findings = []
    for r in df.sort_values("complaint_share", ascending=False).itertuples():
        share = f"{100 * r.complaint_share:.0f}%"
        gap = f"{r.mean_gap:+.2f}".replace("-", "−")
        shortfall = not _missing(r.ci_high) and r.ci_high < 0
        surplus = not _missing(r.ci_low) and r.ci_low > 0
        if r.complaint_share >= 1 / k:
            lead = f"{r.component_name}: {share} of complaints ({_ordinal(r.complaint_rank)} most)"
            if surplus:
                findings.append(Finding(r.component_key, f"{lead} but a surplus in the survey (gap {gap})"))
            elif not shortfall:
                findings.append(Finding(r.component_key, f"{lead} but no clear gap in the survey (gap {gap})"))
            elif r.gap_rank > k / 2:
                findings.append(
                    Finding(
                        r.component_key,
                        f"{lead} but only the {_ordinal(r.gap_rank)} largest of {k} shortfalls in the survey "
                        f"(gap {gap})",
                    )
                )
        elif r.complaint_share < 1 / (2 * k) and shortfall and r.gap_rank <= k / 2:
            findings.append(
                Finding(
                    r.component_key,
                    f"{r.component_name}: only {share} of complaints but the {_ordinal(r.gap_rank)} largest of "
                    f"{k} shortfalls in the survey (gap {gap}): customers who do not complain still notice",
                )
            )
    return findings


# --- page tables ----------------------------------------------------------------------------


def _with_intervals(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    estimates = [gap_with_interval(m, s, n) for m, s, n in zip(out["mean_gap"], out["sd_gap"], out["n"], strict=True)]
    out["ci_low"] = [e.low for e in estimates]
    out["ci_high"] = [e.high for e in estimates]
    tests = [paired_t_test(e.gap, s, e.n) for e, s in zip(estimates, out["sd_gap"], strict=True)]
    out["t"] = [t.t for t in tests]
    out["df"] = [t.df for t in tests]
    out["p"] = [t.p for t in tests]
    return out


def component_table(run: Runner, filters: Filters) -> pd.DataFrame:
    """One row per answered component: mean P, mean E, gap with 95% CI, t test; sorted by gap."""
    df = run("component_gaps", filters)
    df = df[df["n"] > 0]
    return _with_intervals(df).sort_values("mean_gap").reset_index(drop=True)


def rater_table(run: Runner, filters: Filters) -> pd.DataFrame:
    """One row per answered RATER group, as component_table; `label` is the group name."""
    df = run("servqual_rater_gaps", filters)
    df = df[df["n"] > 0].copy()
    df["label"] = df["rater_group"]
    return _with_intervals(df).sort_values("mean_gap").reset_index(drop=True)


def gap_trend(run: Runner, filters: Filters, quarterly: bool = False) -> pd.DataFrame:
    """Gap per component and month (or quarter) with its 95% CI."""
    df = run("component_gap_quarterly" if quarterly else "component_gap_monthly", filters)
    out = _with_intervals(df)
    out["period"] = pd.to_datetime(out["period"])
    return out


def network_filters(filters: Filters) -> Filters:
    """The same filter without its branch and region selection: the whole network."""
    return replace(filters, regions=(), branches=())


def selection_vs_network(run: Runner, selection: Filters, network: Filters) -> pd.DataFrame:
    """Component gaps of a selection beside the network's: one row per component answered in
    the network, columns gap/ci/n for each (suffixes _selection, _network) and the difference."""
    cols = ["component_key", "component_name", "sort_order", "n", "mean_gap", "ci_low", "ci_high"]
    sel = _with_intervals(run("component_gaps", selection))[cols]
    net = _with_intervals(run("component_gaps", network))[cols]
    net = net[net["n"] > 0]
    out = net.merge(sel, on=["component_key", "component_name", "sort_order"], suffixes=("_network", "_selection"))
    out["difference"] = out["mean_gap_selection"] - out["mean_gap_network"]
    return out.sort_values("sort_order").reset_index(drop=True)


SCORES = {"perception": "Perception", "expectation": "Expectation", "gap": "Gap (P − E)"}


def alpha_table(run: Runner, filters: Filters, score: str = "perception") -> pd.DataFrame:
    """Cronbach's alpha per component for the chosen item score (perception, expectation or gap);
    `alpha` is NaN for single-item components; `below_threshold` flags α < 0.70."""
    if score not in SCORES:
        raise ValueError(f"score must be one of {sorted(SCORES)}")
    df = run("component_item_variances", filters).copy()
    df["alpha"] = [
        cronbach_alpha(int(k), _f(i), _f(t))
        for k, i, t in zip(df["k"], df[f"{score}_item_var"], df[f"{score}_total_var"], strict=True)
    ]
    df["below_threshold"] = df["alpha"] < ALPHA_THRESHOLD
    return df.reset_index(drop=True)


def complaints_vs_survey(run: Runner, filters: Filters) -> pd.DataFrame:
    """Share of complaints pointing at each component beside its survey gap (components
    answered in the survey or named by complaints)."""
    complaints = run("component_complaints", filters)
    gaps = _with_intervals(run("component_gaps", filters))[["component_key", "n", "mean_gap", "ci_low", "ci_high"]]
    out = complaints.merge(gaps, on="component_key", how="left")
    mapped = out["complaints_mapped"].where(out["complaints_mapped"] > 0)
    out["complaint_share"] = out["complaints"] / mapped
    out = out[(out["complaints"] > 0) | (out["n"] > 0)]
    return out.sort_values("sort_order").reset_index(drop=True)


def gap_grid(run: Runner, filters: Filters, by: str = "branch") -> pd.DataFrame:
    """Gap per component and branch (or region), with `suppressed` set where n < filters.min_n.
    Suppressed cells keep their n (to say how many) but lose their gap."""
    if by not in ("branch", "region"):
        raise ValueError("by must be 'branch' or 'region'")
    df = run("component_branch_gaps" if by == "branch" else "component_region_gaps", filters).copy()
    if by == "branch":
        df["unit"] = df["branch_name"] + " (" + df["branch_id"] + "), " + df["region"]
    else:
        df["unit"] = df["region"]
    df["suppressed"] = df["n"] < filters.min_n
    df.loc[df["suppressed"], ["mean_gap", "sd_gap"]] = math.nan
    return df.reset_index(drop=True)


def score_table(run: Runner, filters: Filters) -> tuple[pd.DataFrame, float, float, int]:
    """Unweighted and weighted SERVQUAL scores and each component's contribution.

    Returns (rows, unweighted score, weighted score, respondents who gave importance points)."""
    gaps = run("component_gaps", filters)
    gaps = gaps[gaps["n"] > 0]
    importance = run("component_importance", filters)
    gap_by = dict(zip(gaps["component_key"], gaps["mean_gap"].astype(float), strict=True))
    weights = dict(zip(importance["component_key"], importance["mean_share"].astype(float), strict=True))
    unweighted = stats.servqual_score(gap_by)
    weighted = stats.servqual_score(gap_by, weights) if weights else math.nan
    parts = score_contributions(gap_by, weights) if weights else {}
    rows = pd.DataFrame(
        [{"component_key": k, **c._asdict()} for k, c in parts.items()],
        columns=["component_key", *Contribution._fields],
    )
    rows = rows.merge(gaps[["component_key", "component_name", "n"]], on="component_key")
    rows["rank_change"] = rows["unweighted_rank"] - rows["weighted_rank"]  # > 0: more urgent when weighted
    importance_n = int(importance["n"].max()) if len(importance) else 0
    return rows.sort_values("weighted").reset_index(drop=True), unweighted, weighted, importance_n


def tolerance_table(run: Runner, filters: Filters) -> pd.DataFrame:
    """Zone of tolerance per component with MSA and MSS (and their 95% intervals)."""
    df = run("component_tolerance_zone", filters).copy()
    for measure in ("msa", "mss"):
        est = [
            gap_with_interval(m, s, n)
            for m, s, n in zip(df[f"mean_{measure}"], df[f"sd_{measure}"], df["n"], strict=True)
        ]
        df[f"{measure}_low"] = [e.low for e in est]
        df[f"{measure}_high"] = [e.high for e in est]
    df["position"] = [
        tolerance_position(p, a, d)
        for p, a, d in zip(df["mean_perception"], df["mean_adequate"], df["mean_desired"], strict=True)
    ]
    return df.reset_index(drop=True)


def importance_performance(run: Runner, filters: Filters) -> tuple[pd.DataFrame, float, float]:
    """Importance (mean share of points, %) and performance (mean perception) per component,
    with its quadrant. Returns (rows, importance split, performance split)."""
    gaps = run("component_gaps", filters)
    gaps = gaps[gaps["n"] > 0][["component_key", "component_name", "n", "mean_perception"]]
    importance = run("component_importance", filters).rename(columns={"n": "importance_n"})
    df = gaps.merge(importance, on="component_key")
    if df.empty:
        return df.assign(importance_pct=[], quadrant=[]), math.nan, math.nan
    df["importance_pct"] = 100 * df["mean_share"]
    imp = dict(zip(df["component_key"], df["importance_pct"], strict=True))
    perf = dict(zip(df["component_key"], df["mean_perception"], strict=True))
    df["quadrant"] = df["component_key"].map(assign_quadrants(imp, perf))
    return df.reset_index(drop=True), float(df["importance_pct"].mean()), float(df["mean_perception"].mean())


def _f(value) -> float:
    return math.nan if _missing(value) else float(value)
