"""The tables the components and gaps pages show, assembled from named queries.

Like `metrics.overview`, each function takes a query runner, so the dashboard (cached queries) and
the tests (a plain connection) share the code. No raw survey rows are fetched: every query returns
one row per component (or per component and branch, month, ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

import pandas as pd

from servicequality import stats
from servicequality.filters import Filters
from servicequality.metrics.formats import branch_labels
from servicequality.stats.servqual import (
    ALPHA_THRESHOLD,
    Contribution,
    _missing,
    assign_quadrants,
    cronbach_alpha,
    gap_with_interval,
    paired_t_test,
    score_contributions,
    tolerance_position,
)

Runner = Callable[[str, Filters], pd.DataFrame]


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


def not_asked_words(run: Callable[[str], pd.DataFrame]) -> str | None:
    """A sentence naming the components no item of the store's survey covers (survey_components), in
    their canonical order; None when the survey covers every one, or when the store holds no survey."""
    components = run("survey_components")
    asked = components["asked"] == 1
    if not asked.any() or asked.all():
        return None
    names = components.loc[~asked, "component_name"].tolist()
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return (
        f"The survey asks about {int(asked.sum())} of the {len(components)} components: no question covers "
        f"{listed}, so {'it does' if len(names) == 1 else 'they do'} not appear on this page."
    )


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


def difference_words(compared: pd.DataFrame) -> str:
    """One sentence on where a selection stands against the network, per component (columns
    component_name, difference). "Furthest above" only when some component is above: when every
    component is below, the closest one is named as the closest, not as "above"."""
    rows = compared.dropna(subset=["difference"]).sort_values("difference")
    if rows.empty:
        return ""
    worst, best = rows.iloc[0], rows.iloc[-1]

    def name(row) -> str:
        return f"**{row['component_name']}** ({row['difference']:+.2f} points)".replace("-", "−")

    if len(rows) == 1:
        return f"{'Below' if worst['difference'] < 0 else 'At or above'} the network on {name(worst)}."
    if best["difference"] < 0:
        return f"Below the network on every component: furthest below {name(worst)}, closest {name(best)}."
    if worst["difference"] > 0:
        return f"Above the network on every component: furthest above {name(best)}, closest {name(worst)}."
    return f"Furthest below the network: {name(worst)}; furthest above: {name(best)}."


def network_filters(filters: Filters) -> Filters:
    """The same filter without its branch and region selection: the whole network."""
    return replace(filters, regions=(), branches=())


def selection_vs_network(
    run: Runner, selection: Filters, network: Filters, run_network: Runner | None = None
) -> pd.DataFrame:
    """Component gaps of a selection beside the network's: one row per component answered in
    the network, columns gap/ci/n for each (suffixes _selection, _network) and the difference.
    `run_network` reads the network's (the dashboard's reads it over every branch, whatever the
    session's scope); `run` by default."""
    cols = ["component_key", "component_name", "sort_order", "n", "mean_gap", "ci_low", "ci_high"]
    sel = _with_intervals(run("component_gaps", selection))[cols]
    net = _with_intervals((run_network or run)("component_gaps", network))[cols]
    net = net[net["n"] > 0]
    out = net.merge(sel, on=["component_key", "component_name", "sort_order"], suffixes=("_network", "_selection"))
    out["difference"] = out["mean_gap_selection"] - out["mean_gap_network"]
    return out.sort_values("sort_order").reset_index(drop=True)


def is_whole_network(compared: pd.DataFrame) -> bool:
    """Whether a selection_vs_network comparison compares the network with itself: the selection has
    as many respondents as the network on every component (it is part of the network, so the same
    ones), as in a store of one branch or a region that holds every branch. Its differences are all
    zero by construction and say nothing."""
    return not compared.empty and bool((compared["n_selection"] == compared["n_network"]).all())


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


def _names(name: str, region: str) -> bool:
    """Whether a branch's name says its region as a word of its own: "Kiosk users, Korea" says Korea;
    "Westfield Centre" does not say West, nor "Northern Quarter" North."""
    return re.search(rf"(?<!\w){re.escape(region)}(?!\w)", name, flags=re.IGNORECASE) is not None


def gap_grid(run: Runner, filters: Filters, by: str = "branch") -> pd.DataFrame:
    """Gap per component and branch (or region), with `suppressed` set where n < filters.min_n.
    Suppressed cells keep their n (to say how many) but lose their gap."""
    if by not in ("branch", "region"):
        raise ValueError("by must be 'branch' or 'region'")
    df = run("component_branch_gaps" if by == "branch" else "component_region_gaps", filters).copy()
    if by == "branch":
        # the region after the branch, unless the branch's name already says it ("Kiosk users,
        # Korea (KR), Korea" read twice)
        label = branch_labels(df)
        said = [_names(str(n), str(r)) for n, r in zip(df["branch_name"], df["region"], strict=True)]
        df["unit"] = label.where(said, label + ", " + df["region"])
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
    # The weighted score respondent by respondent (queries/servqual_weighted.sql): its parts are
    # each component's mean (own weight x own gap) over the respondents with points, and sum to it.
    importance = run("servqual_weighted", filters)
    gap_by = dict(zip(gaps["component_key"], gaps["mean_gap"].astype(float), strict=True))
    weights = dict(zip(importance["component_key"], importance["mean_weight"].astype(float), strict=True))
    weighted_parts = dict(zip(importance["component_key"], importance["contribution"].astype(float), strict=True))
    unweighted = stats.servqual_score(gap_by)
    weighted = float(importance["score"].iloc[0]) if len(importance) else math.nan
    parts = score_contributions(gap_by, weights, weighted_parts) if weights else {}
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
