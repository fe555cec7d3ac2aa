"""From per-branch query rows to one measure per branch (value, volume, interval), pooled
groups, peer comparisons, rankings and the funnel view; the statistics themselves are in
`stats.consistency`, a branch's months as a control chart in `metrics.control_charts`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from servicequality import stats
from servicequality.metrics.formats import branch_labels, fmt_number
from servicequality.stats.changes import p_value_text
from servicequality.stats.consistency import (
    MIN_CUSTOMERS_SERVED,
    MIN_TARGETED_COMPLAINTS,
    Funnel,
    Kind,
    KruskalWallis,
    coefficient_of_variation,
    funnel,
    heterogeneity_test,
    kruskal_wallis_from_rank_sums,
    kruskal_wallis_in_words,
    percentile_spread,
    poisson_rate_interval,
    pooled_sd,
    shrink,
    standard_error,
)

# --- from per-branch query rows to one measure ---------------------------------------------------


class Measure(NamedTuple):
    key: str
    label: str  # plain words, with the unit
    short: str
    mine: str  # metric label in the branch manager strip
    kind: Kind
    scale: float  # display multiplier: per 1,000 or percent
    unit: str
    higher_is_better: bool
    volume_label: str
    digits: int
    # the scale's range for a mean of bounded scores: its interval is computed on that scale
    bounds: tuple[float, float] | None = None


MEASURES: dict[str, Measure] = {
    "survey_gap": Measure(
        "survey_gap",
        "Overall SERVQUAL gap (perception − expectation, 1-7 scale)",
        "Survey gap (P − E)",
        "My survey gap",
        "mean",
        1.0,
        "points",
        True,
        "respondents",
        2,
    ),
    "complaint_rate": Measure(
        "complaint_rate",
        "Complaints per 1,000 customers served",
        "Complaints per 1,000 served",
        "My complaint rate",
        "rate",
        1000.0,
        "per 1,000",
        False,
        "customers served",
        2,
    ),
    "within_target": Measure(
        "within_target",
        "Complaints resolved within target (%)",
        "Resolved within target",
        "My share within target",
        "proportion",
        100.0,
        "%",
        True,
        "complaints with a target",
        1,
    ),
    "csat": Measure(
        "csat",
        "CSAT: survey answers satisfied, 4-5 of 5 (%)",
        "CSAT (4-5 of 5)",
        "My CSAT",
        "proportion",
        100.0,
        "%",
        True,
        "survey answers",
        1,
    ),
    "survey_performance": Measure(
        "survey_performance",
        "Survey performance: ratings as percent of maximum possible (0-100)",
        "Survey performance (0-100)",
        "My survey performance",
        "mean",
        1.0,
        "points",
        True,
        "respondents",
        1,
        bounds=(0.0, 100.0),
    ),
    "reputation": Measure(
        "reputation",
        "Reputation: compliments among compliments and complaints (%)",
        "Reputation (praise share)",
        "My reputation",
        "proportion",
        100.0,
        "%",
        True,
        "compliments and complaints",
        1,
    ),
    "return_rate": Measure(
        "return_rate",
        "Return rate: identified customers back within the return window (%)",
        "Return rate",
        "My return rate",
        "proportion",
        100.0,
        "%",
        True,
        "customers judged",
        1,
    ),
}

# Columns of consistency_branch_measures that feed each measure: (events or mean, volume, sd).
_SOURCES: dict[str, tuple[str, str, str | None]] = {
    "survey_gap": ("mean_gap", "gap_n", "sd_gap"),
    "complaint_rate": ("complaints", "customers_served", None),
    "within_target": ("resolution_within_target", "targeted_resolution_n", None),
    "csat": ("csat_satisfied", "csat_n", None),
    # from branch_performance / branch_month_performance, joined on by with_performance
    "survey_performance": ("mean_performance", "performance_n", "sd_performance"),
    "reputation": ("compliments", "feedback_n", None),
    # from customer_returns, joined on by with_returns
    "return_rate": ("returned", "judged", None),
}


def with_performance(
    rows: pd.DataFrame, performance: pd.DataFrame, on: tuple[str, ...] = ("branch_id",)
) -> pd.DataFrame:
    """The consistency rows with each branch's (or branch-month's) survey performance beside them."""
    extra = performance.rename(columns={"n": "performance_n"})
    extra = extra[[*on, "performance_n", "mean_performance", "sd_performance"]]
    if "month" in on:
        extra = extra.assign(month=pd.to_datetime(extra["month"]))
        rows = rows.assign(month=pd.to_datetime(rows["month"]))
    out = rows.merge(extra, on=list(on), how="outer" if "month" in on else "left")
    for column in ("mean_performance", "sd_performance"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out


def with_returns(rows: pd.DataFrame, returns: pd.DataFrame, on: tuple[str, ...] = ("branch_id",)) -> pd.DataFrame:
    """The consistency rows with each branch's (or branch-month's) return-rate counts beside them
    (customer_returns, summed over its months for a branch); zeros where no customer was seen."""
    summed = returns.groupby(list(on), as_index=False)[["customers", "judged", "returned"]].sum()
    if "month" in on:
        summed = summed.assign(month=pd.to_datetime(summed["month"]))
        rows = rows.assign(month=pd.to_datetime(rows["month"]))
    out = rows.drop(columns=["customers", "judged", "returned"], errors="ignore").merge(
        summed, on=list(on), how="outer" if "month" in on else "left"
    )
    for column in ("customers", "judged", "returned"):
        out[column] = out[column].fillna(0).astype(int)
    return out


def measures_with_data(rows: pd.DataFrame, has_ratings: bool, has_returns: bool = False) -> list[str]:
    """The measures this filter has data for, in menu order; survey performance first when the survey
    has ratings but no gaps. Reputation needs compliments (a store without any has none recorded, not a
    0 % reputation); the return rate needs identified customers (`has_returns`)."""
    present = [
        k
        for k, (num, vol, _) in _SOURCES.items()
        if vol in rows and rows[vol].fillna(0).sum() > 0 and (k != "reputation" or rows[num].fillna(0).sum() > 0)
    ]
    if has_returns and "return_rate" not in present:
        present.append("return_rate")
    if has_ratings and "survey_performance" not in present:
        # a survey without gaps is read by its ratings first (CSAT, if it has one, follows)
        present.insert(0, "survey_performance")
    return present


def minimum_volume(key: str, min_responses: int) -> int:
    """The volume a branch needs to be ranked: the sidebar's minimum responses for survey
    measures, fixed documented minimums for the complaint measures."""
    if key == "complaint_rate":
        return MIN_CUSTOMERS_SERVED
    if key == "within_target":
        return MIN_TARGETED_COMPLAINTS
    return min_responses


def shown_branches(present: pd.DataFrame, scope: tuple[str, ...] | None, min_volume: int) -> pd.Series:
    """Which branches' own figures a session may see: all of them without a scope; with one, its
    branches and the anonymised peers with at least `min_volume` (a smaller peer's figure could
    single it out). Pooled figures (the network line, the limits) still use every branch."""
    if scope is None:
        return pd.Series(True, index=present.index)
    return present["branch_id"].isin(scope) | (present["volume"] >= min_volume)


class DotPlot(NamedTuple):
    rows: pd.DataFrame  # the branches drawn, best first
    too_few: int  # branches with some volume but fewer than the minimum, left out


def dot_plot_branches(
    present: pd.DataFrame, shown: pd.Series, min_volume: int, higher_is_better: bool = True
) -> DotPlot:
    """The branches the "each branch against the network" plot draws: those the session may see
    with at least `min_volume` (the sidebar's minimum responses for survey measures): a branch of
    one or two respondents has an interval as wide as the scale and says nothing on its own. The
    funnel plot still shows every branch, its limits widening as volume falls."""
    visible = present[shown]
    enough = visible["volume"] >= min_volume
    rows = visible[enough].sort_values("value", ascending=not higher_is_better)
    return DotPlot(rows, int((~enough).sum()))


def dot_plot_left_out(too_few: int, min_volume: int, key: str) -> str:
    """Words for the branches the dot plot leaves out, and whose minimum it is."""
    m = MEASURES[key]
    whose = "a fixed minimum" if key in ("complaint_rate", "within_target") else "the sidebar's minimum responses"
    branches = f"{too_few:,} branch{'es' if too_few > 1 else ''}"
    return (
        f"{branches} with fewer than {min_volume:,} {m.volume_label} ({whose}) {'are' if too_few > 1 else 'is'} "
        "left out of this plot: too few for an "
        "interval that says much; the funnel plot below shows every branch."
    )


def dot_plot_chance(rows: pd.DataFrame, reference: float) -> str | None:
    """How many of the dot plot's 95% intervals leave out the network value, against how many would
    by chance alone (1 in 20 of n branches, even when every branch is like the network); None when
    none does. The colours are 95% ones; the funnel's cards count outside 99.8% limits, so two
    coloured branches of 42 beside '0 of 42 outside' read as a contradiction (support tickets)."""
    n = len(rows)
    away = int(((rows["ci_low"] > reference) | (rows["ci_high"] < reference)).sum())
    if not away:
        return None
    expected = 0.05 * n
    verdict = (
        "no more than chance alone would colour"
        if away <= expected
        else "more than the 1 in 20 chance alone would colour"
    )
    return (
        f"{away} of {n} branch intervals leave out the network value: {verdict} ({expected:,.1f} of {n} "
        "at 95%, even if every branch were like the network). The funnel plot's 99.8% limits are the test "
        "to act on."
    )


def branch_measure(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """One measure per branch: columns events (None for means), volume, raw (unscaled) value,
    sd (means only), value (display units), ci_low/ci_high (display units), plus the branch labels."""
    num, vol, sd = _SOURCES[key]
    m = MEASURES[key]
    out = rows[[c for c in ("branch_id", "branch_name", "region", "branch_type", "size_band") if c in rows]].copy()
    out["volume"] = rows[vol].fillna(0).astype(float)
    if m.kind == "mean":
        out["events"] = np.nan
        out["raw"] = rows[num].astype(float)
        out["sd"] = rows[sd].astype(float)
    else:
        out["events"] = rows[num].fillna(0).astype(float)
        out["raw"] = out["events"] / out["volume"].where(out["volume"] > 0)
        out["sd"] = np.nan
    columns = zip(out["events"], out["volume"], out["raw"], out["sd"], strict=True)
    intervals = [_interval(m.kind, e, v, r, s, m.bounds) for e, v, r, s in columns]
    out["value"] = out["raw"] * m.scale
    out["ci_low"] = [i.low * m.scale for i in intervals]
    out["ci_high"] = [i.high * m.scale for i in intervals]
    if "branch_name" in out:
        out["label"] = branch_labels(out)  # an anonymised peer's name is its id ("Peer A"): said once
    return out.reset_index(drop=True)


# A branch a mapping makes for the rows its export gives no branch ([defaults] branch_id: Skytrax's
# "Airport not given", the CFPB's "Unknown" state) is no branch to compare or rank: "#11 Airport not
# given" stood among the lounges.
PLACEHOLDER_NAMES = re.compile(
    r"^\s*(?:unknown|unspecified|none|n/?a)\s*$|not given|not recorded|not stated", re.IGNORECASE
)


def without_placeholders(measure: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the branch rows to compare, the placeholders left out): a row whose branch's name or id reads
    as no branch (PLACEHOLDER_NAMES)."""
    names = measure["branch_name"] if "branch_name" in measure else measure["branch_id"]
    mask = names.astype(str).str.contains(PLACEHOLDER_NAMES) | measure["branch_id"].astype(str).str.contains(
        PLACEHOLDER_NAMES
    )
    return measure[~mask].reset_index(drop=True), measure[mask].reset_index(drop=True)


def placeholder_words(left_out: pd.DataFrame, m: Measure) -> str | None:
    """The sentence naming the placeholders left out of the comparisons, with their volume."""
    held = left_out[left_out["volume"] > 0]
    if held.empty:
        return None
    names = ", ".join(
        f"{label} ({int(v):,} {m.volume_label})"
        for label, v in zip(held.get("label", held["branch_id"]), held["volume"], strict=True)
    )
    return (
        f"Left out of the comparisons below, as no branch: {names}, the rows whose export gives no branch. "
        "They count in the store's totals on the other pages."
    )


def _interval(
    kind: Kind, events: float, volume: float, raw: float, sd: float, bounds: tuple[float, float] | None = None
) -> stats.Interval:
    if not volume or not np.isfinite(raw):
        return stats.NAN_INTERVAL
    if kind == "proportion":
        return stats.wilson_interval(int(events), int(volume))
    if kind == "rate":
        return poisson_rate_interval(events, volume)
    if bounds is not None:
        return stats.bounded_mean_interval(raw, sd, int(volume), *bounds)
    return stats.mean_confidence_interval(raw, sd, int(volume))


def pooled(rows: pd.DataFrame, key: str) -> dict:
    """Pool branch rows into one group: Σ events / Σ volume, or for means the n-weighted mean with
    the total sd √((Σ (n_i − 1)s_i² + Σ n_i (m_i − m)²) / (N − 1)). Returns value (display
    units), ci_low, ci_high, volume, branches."""
    num, vol, sd_col = _SOURCES[key]
    m = MEASURES[key]
    volume = float(rows[vol].fillna(0).sum())
    if m.kind == "mean":
        ok = rows[rows[vol].fillna(0) > 0]
        n = ok[vol].astype(float)
        means = ok[num].astype(float)
        mean = float((n * means).sum() / n.sum()) if n.sum() else math.nan
        ss = float(
            ((n - 1).clip(lower=0) * ok[sd_col].astype(float).fillna(0) ** 2).sum() + (n * (means - mean) ** 2).sum()
        )
        sd = math.sqrt(ss / (n.sum() - 1)) if n.sum() > 1 else math.nan
        raw, events = mean, math.nan
        interval = _interval(m.kind, math.nan, n.sum(), mean, sd, m.bounds)
    else:
        events = float(rows[num].fillna(0).sum())
        raw = events / volume if volume else math.nan
        interval = _interval(m.kind, events, volume, raw, math.nan)
    return {
        "value": raw * m.scale,
        "ci_low": interval.low * m.scale,
        "ci_high": interval.high * m.scale,
        "volume": volume,
        "events": events,
        "branches": int(len(rows)),
    }


PEER_GROUPS: dict[str, tuple[str, str]] = {
    # key -> (branch column, words)
    "region": ("region", "same region"),
    "type": ("branch_type", "same type"),
    "size": ("size_band", "same size band"),
}


def peer_comparison(rows: pd.DataFrame, my_branch: str, peers: str, key: str) -> pd.DataFrame:
    """My branch, its peer group (same region, type or size band, without my branch) and the
    network, pooled the same way. Empty when my branch is not among the rows."""
    mine = rows[rows["branch_id"] == my_branch]
    if mine.empty:
        return pd.DataFrame(columns=["group", "value", "ci_low", "ci_high", "volume", "events", "branches"])
    column, words = PEER_GROUPS.get(peers, PEER_GROUPS["region"])
    group_value = mine.iloc[0][column]
    peer_rows = rows[(rows[column] == group_value) & (rows["branch_id"] != my_branch)]
    name = mine.iloc[0].get("branch_name", my_branch)
    out = [
        {"group": f"My branch: {name}", **pooled(mine, key)},
        {"group": f"Peers ({words}: {group_value}, {len(peer_rows)} branches)", **pooled(peer_rows, key)},
        {"group": f"Network ({len(rows)} branches)", **pooled(rows, key)},
    ]
    return pd.DataFrame(out)


def grouped_rates(rows: pd.DataFrame, by: str, key: str = "complaint_rate") -> pd.DataFrame:
    """Pool branch rows per value of `by` (e.g. region): one row each with value and interval."""
    out = [{by: group, **pooled(part, key)} for group, part in rows.groupby(by, sort=True)]
    return pd.DataFrame(out)


def ranking(measure: pd.DataFrame, key: str, min_volume: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shrink the eligible branches toward the network and rank them (1 = best).

    s_i² from `standard_error` at the pooled value (pooled sd for means), so a branch with no
    events still has a sampling variance. A bounded score's intervals are cut at its scale
    (`Measure.bounds`): the true value is on the scale, so the cut interval covers it as often as
    the normal one did. Returns (ranked rows, rows not ranked for low volume).
    """
    m = MEASURES[key]
    ok = measure["volume"] > 0
    eligible = measure[ok & (measure["volume"] >= min_volume) & measure["raw"].notna()].copy()
    left_out = measure[~measure.index.isin(eligible.index)].copy()
    if eligible.empty:
        return eligible, left_out
    if m.kind == "mean":
        sigma = pooled_sd(eligible["volume"], eligible["raw"], eligible["sd"])
        target = float((eligible["raw"] * eligible["volume"]).sum() / eligible["volume"].sum())
    else:
        sigma = math.nan
        target = float(eligible["events"].sum() / eligible["volume"].sum())
    se = standard_error(m.kind, target, eligible["volume"].to_numpy(), sigma)
    shrunk = shrink(eligible["raw"].to_numpy(), se * se)
    if m.bounds is not None:
        shrunk[["shrunk_low", "shrunk_high"]] = shrunk[["shrunk_low", "shrunk_high"]].clip(*m.bounds)
    for column in ("shrunk", "shrunk_low", "shrunk_high"):
        eligible[column] = shrunk[column].to_numpy() * m.scale
    eligible["shrinkage"] = shrunk["shrinkage"].to_numpy()
    eligible["network"] = target * m.scale
    eligible["tau"] = math.sqrt(float(shrunk["tau2"].iloc[0])) * m.scale
    eligible["rank"] = eligible["shrunk"].rank(ascending=not m.higher_is_better, method="min").astype(int)
    return eligible.sort_values("rank").reset_index(drop=True), left_out.reset_index(drop=True)


# --- the Branch consistency page's views ----------------------------------------------------------


@dataclass(frozen=True)
class FunnelView:
    """Branches with volume, their funnel, and who is outside which limits."""

    present: pd.DataFrame  # branch_measure rows with volume and a value, plus outside (99.8%) and outside95
    funnel: Funnel
    worse: list[str]  # labels outside the 99.8% limits on the worse side
    better: list[str]
    between: list[str]  # outside 95% but inside 99.8%: watch, do not act yet


def funnel_view(measure: pd.DataFrame, key: str, adjustment: str = "auto") -> FunnelView | None:
    """The funnel of one measure over the branches that have volume; None when none has."""
    m = MEASURES[key]
    present = measure[(measure["volume"] > 0) & measure["raw"].notna()].reset_index(drop=True)
    if present.empty:
        return None
    f = funnel(m.kind, present["volume"], present["raw"], sd=present["sd"], adjustment=adjustment)
    present = present.assign(outside=f.points["outside_99.8"].to_numpy(), outside95=f.points["outside_95"].to_numpy())
    worse_sign = -1 if m.higher_is_better else 1
    return FunnelView(
        present=present,
        funnel=f,
        worse=present.loc[present["outside"] == worse_sign, "label"].tolist(),
        better=present.loc[present["outside"] == -worse_sign, "label"].tolist(),
        between=present.loc[(present["outside"] == 0) & (present["outside95"] != 0), "label"].tolist(),
    )


def limits_in_words(f: Funnel, m: Measure) -> str:
    """What the funnel's limits are, in words, for "How is this computed?"."""
    return _limits_in_words(f, m) + on_the_scale(m)


def on_the_scale(m: Measure, how: str = "drawn no further than") -> str:
    """ ", drawn no further than the scale's 0 and 100" for a bounded score; "" for the others."""
    if m.bounds is None:
        return ""
    low, high = (fmt_number(b, 0) for b in m.bounds)
    return f", {how} the scale's {low} and {high}"


def _limits_in_words(f: Funnel, m: Measure) -> str:
    if f.adjustment == "none":
        return {"proportion": "exact binomial", "rate": "exact Poisson", "mean": "normal (σ/√n)"}[m.kind]
    if f.adjustment == "multiplicative":
        return f"normal, widened by √φ = {math.sqrt(max(f.phi, 1)):.2f}"
    return f"normal with the between-branch variance τ² added (τ = {fmt_number(math.sqrt(f.tau2) * m.scale, m.digits)})"


def difference_unit(m: Measure) -> str:
    """The unit of a spread or difference of the measure's values: a share's are percentage points
    (τ = 50.4 % read as half of something; it is 50.4 points between shares), others its own."""
    return "percentage points" if m.unit == "%" else m.unit


def tau_words(tau: float, funnel_tau: float, m: Measure) -> str:
    """The ranking's between-branch SD τ in words, to the measure's decimals like the φ card's τ.

    The two are different estimates: the ranking's from the ranked branches' values (method of
    moments), the funnel's from all branches' winsorised z-scores; when they differ as shown, say so."""
    shown, funnel_shown = fmt_number(tau, m.digits), fmt_number(funnel_tau, m.digits)
    words = f"Between-branch standard deviation τ = {shown} {difference_unit(m)} among the ranked branches"
    if shown != funnel_shown:
        words += (
            f" (the funnel's τ = {funnel_shown} on the overdispersion card comes from winsorised z-scores, "
            "which damp the most extreme branches)"
        )
    return (
        words + "; a branch's estimate is pulled toward the network by its share of noise, s² / (s² + τ²), "
        "so small branches move most."
    )


def ranks_noise(ranked: pd.DataFrame, m: Measure, min_volume: float) -> str | None:
    """Why there is no ranking when the ranked branches differ no more than chance makes them: the
    between-branch variance τ² (DerSimonian-Laird, cut at 0) is 0, every estimate is shrunk all the
    way to the mean and every branch would be '#1'. None when there is something to rank."""
    if len(ranked) < 2 or float(ranked["tau"].iloc[0]) > 0:
        return None
    mean = fmt_number(float(ranked["network"].iloc[0]), m.digits)
    return (
        f"No ranking: the {len(ranked):,} branches with at least {min_volume:,} {m.volume_label} differ no more "
        f"than chance would make them (between-branch standard deviation τ estimated at 0), so each one's best "
        f"estimate is their mean, {mean}, and a ranking would rank noise. Their own values are in the funnel plot "
        "above and the spread below."
    )


def ranked_words(n: int, *, noise: bool = False) -> str:
    """The spread card's n: '45 ranked branches', '1 ranked branch', '48 branches, none ranked'."""
    if noise:
        return f"{n:,} branch{'es' if n != 1 else ''}, none ranked"
    return f"{n:,} ranked branch{'es' if n != 1 else ''}"


class Spread(NamedTuple):
    cv: float  # SD ÷ mean of the ranked branch values
    p80_p50: float
    sd: float  # SD of the ranked values (shown for gaps, where a CV is meaningless)


def spread(ranked: pd.DataFrame) -> Spread:
    """Spread of the ranked branches' values; NaN where there are too few: one branch has no spread
    (its "P80 − P50" of 0.00 read as branches all alike, Skytrax with one airport ranked)."""
    values = ranked["value"]
    if len(values) < 2:
        return Spread(math.nan, math.nan, math.nan)
    return Spread(
        coefficient_of_variation(values),
        percentile_spread(values),
        values.std() if len(values) > 1 else math.nan,
    )


def difference_in_words(view: FunnelView, m: Measure) -> str:
    """Do branches differ on a share or rate? Pearson's heterogeneity χ² and the winsorised φ, in words."""
    f = view.funnel
    test = heterogeneity_test(f.points["z"])
    p_words = p_value_text(test.p_value)
    together = ("" if test.p_value < 0.05 else "do not ") + "differ by more than chance would explain"
    rest = (
        "and even without the most extreme tenth at each end they differ more than chance allows"
        if f.overdispersed
        else "but without the most extreme tenth at each end the rest are as alike as chance allows"
    )
    return (
        f"**Do branches differ on {m.short.lower()}?** Taken together, the {len(view.present)} branches {together} "
        f"(χ² = {test.chi2:,.1f} on {test.df} degrees of freedom, {p_words}), {rest} "
        f"(winsorised overdispersion φ = {f.phi:.2f}; "
        "1 means pure chance)."
    )


def gap_difference(rank_sums: pd.DataFrame) -> tuple[KruskalWallis, str]:
    """Kruskal-Wallis over respondents' overall gaps, from the SQL rank sums and tie sum
    (consistency_gap_rank_sums), and in words."""
    tie_sum = float(rank_sums["tie_sum"].iloc[0]) if len(rank_sums) else 0.0
    kw = kruskal_wallis_from_rank_sums(rank_sums["rank_sum"], rank_sums["n"], tie_sum)
    return kw, kruskal_wallis_in_words(kw)
