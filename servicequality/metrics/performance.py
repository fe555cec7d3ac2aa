"""Component performance for surveys with or without expectations: the tables the pages show.

Performance is the SERVPERF reading of a survey (Cronin & Taylor 1992): how each component was
rated, as percent of maximum possible (0-100) so that items on 1-4, 1-5 or 1-10 scales compare,
with the top-2-box share beside it. Derived importance comes from stats.drivers (LMG).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from servicequality import domain
from servicequality.filters import Filters
from servicequality.metrics.formats import branch_labels
from servicequality.stats import changes, drivers
from servicequality.stats.estimates import mean_confidence_interval, wilson_interval
from servicequality.stats.servqual import quadrant

Runner = Callable[[str, Filters], pd.DataFrame]
MISSING_REASONS = {
    "not_applicable": "not applicable",
    "dont_know": "don't know",
    "not_rated": "not rated",
    "blank": "left blank",
}
OUTCOMES = {"satisfaction": "overall satisfaction", "recommend": "would recommend"}
# The parameter the ratings map takes beyond the filter (rows per branch or per region).
QUERY_DEFAULTS = {"by": "branch"}


@dataclass(frozen=True)
class SurveyModel:
    """Which reading of the survey the filtered data supports."""

    rated: int  # respondents with at least one rated component (max over components)
    paired: int  # respondents who also gave expectations (max over components)

    @property
    def has_gaps(self) -> bool:
        return self.paired > 0

    @property
    def performance_only(self) -> bool:
        return self.rated > 0 and self.paired == 0

    def sentence(self) -> str:
        if self.rated == 0:
            return "No survey ratings in this filter."
        if self.paired == 0:
            return (
                "Survey model: performance only. Respondents rated the service but were not asked what they "
                "expected, so there are no SERVQUAL gaps; components are compared by their ratings."
            )
        if self.paired < self.rated:
            return (
                f"Survey model: mixed. {self.paired:,} respondents gave expectations and perceptions (SERVQUAL "
                f"gaps); ratings without expectations add performance only (up to {self.rated:,} respondents)."
            )
        return (
            "Survey model: SERVQUAL (expectations and perceptions). Read here as ratings: the perceptions alone, "
            "on 0-100; the gaps are in the other reading."
        )


def store_model_sentence(contents: pd.DataFrame) -> str | None:
    """One line on the survey model for pages that do not compute the ratings table (store_contents):
    None when the store's survey has expectations or there is no survey."""
    row = contents.iloc[0]
    if row["has_ratings_only"] and not row["has_gaps"]:
        return SurveyModel(1, 0).sentence()
    return None


def survey_model(table: pd.DataFrame) -> SurveyModel:
    if table.empty:
        return SurveyModel(0, 0)
    return SurveyModel(int(table["n"].max()), int(table["n_expectation"].max()))


def _interval_columns(out: pd.DataFrame, mean: str, sd: str, prefix: str) -> None:
    """95% t intervals, clipped to the 0-100 scale (a t interval on few answers can run past it)."""
    intervals = [mean_confidence_interval(m, s, n) for m, s, n in zip(out[mean], out[sd], out["n"], strict=True)]
    out[f"{prefix}_low"] = [max(i.low, 0.0) for i in intervals]
    out[f"{prefix}_high"] = [min(i.high, 100.0) for i in intervals]


def interval_words(low: float, high: float) -> str:
    """'95% CI 79.2-82.1', or that one answer gives no interval."""
    if math.isnan(low) or math.isnan(high):
        return "no interval from a single answer"
    return f"95% CI {low:.1f}-{high:.1f}"


def performance_table(run: Runner, filters: Filters) -> pd.DataFrame:
    """One row per rated component: mean performance (0-100) and top-2-box share with 95% t intervals
    over respondents, the mean on the items' own scale when they share one, and the answers left out."""
    df = run("component_performance", filters)
    df = df[df["n"] > 0].copy()
    for column in ("mean_performance", "sd_performance", "mean_top2", "sd_top2", "mean_rating", "sd_rating"):
        df[column] = pd.to_numeric(df[column], errors="coerce").astype(float)
    _interval_columns(df, "mean_performance", "sd_performance", "ci")
    df["mean_top2"] = 100 * df["mean_top2"]
    df["sd_top2"] = 100 * df["sd_top2"]
    _interval_columns(df, "mean_top2", "sd_top2", "top2_ci")
    left_out = df[list(MISSING_REASONS)].sum(axis=1)
    answers = df["rated_answers"] + left_out
    df["not_applicable_share"] = (100 * df["not_applicable"] / answers).where(answers > 0)
    df["left_out_share"] = (100 * left_out / answers).where(answers > 0)
    df["scale"] = df["scales"].astype(str)
    # The mean on the items' own scale only where they share one; "—" where they do not.
    df["rating_text"] = [f"{v:.2f}" if v == v else "—" for v in df["mean_rating"]]
    return df.sort_values("mean_performance", ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class OverallAnswer:
    """Overall satisfaction or would-recommend in the filter."""

    label: str
    n: int
    mean: float  # 0-100
    low: float
    high: float
    scales: str  # '1-10', or '1-5, 1-10' when the question changed scale
    mean_rating: float  # on the survey's own scale; NaN when answers came on several scales
    flag_yes: int | None  # a 0/1 question: how many said yes
    sd: float = math.nan  # of the 0-100 answers (NaN below 2 answers)

    def words(self) -> str:
        if self.n == 0:
            return f"{self.label.capitalize()}: not asked in this filter."
        interval = interval_words(self.low, self.high)
        if self.flag_yes is not None:
            return f"{self.flag_yes:,} of {self.n:,} ({self.mean:.1f} %, {interval}, Wilson)"
        own = "" if math.isnan(self.mean_rating) else f"; {self.mean_rating:.2f} on its {self.scales} scale"
        several = " (asked on several scales: " + self.scales + ")" if math.isnan(self.mean_rating) else ""
        return f"{self.mean:.1f} / 100 ({interval}, n = {self.n:,}){own}{several}"


def overall_answers(run: Runner, filters: Filters) -> tuple[int, dict[str, OverallAnswer]]:
    """(responses, {"satisfaction": ..., "recommend": ...}) on the 0-100 scale with 95% t intervals."""
    row = run("survey_overall", filters).iloc[0]
    out = {}
    for key, label in OUTCOMES.items():
        n = int(row[f"n_{key}"])
        mean = float(row[f"mean_{key}"]) if n else math.nan
        sd = float(row[f"sd_{key}"]) if n > 1 else math.nan
        rating = row[f"mean_{key}_rating"]
        flag = row["recommend_flag_yes"] if key == "recommend" else None
        if flag is not None and not pd.isna(flag):
            # a yes/no question: a share, with the Wilson interval (a t interval on 0/100 fails at 0 of 5)
            share = wilson_interval(int(flag), n)
            interval = type(share)(100 * share.low, 100 * share.high)
        else:
            t = mean_confidence_interval(mean, sd, n)
            interval = type(t)(max(t.low, 0.0), min(t.high, 100.0))
        out[key] = OverallAnswer(
            label,
            n,
            mean,
            interval.low,
            interval.high,
            str(row[f"{key}_scales"] or ""),
            math.nan if pd.isna(rating) else float(rating),
            None if flag is None or pd.isna(flag) else int(flag),
            sd,
        )
    return int(row["responses"]), out


def overall_changes(now: dict[str, OverallAnswer], before: dict[str, OverallAnswer]) -> dict[str, changes.Change]:
    """Overall satisfaction and would-recommend against the previous period (the two periods hold
    different respondents): a yes/no question by the two-proportion z test on its yes share, any
    other by Welch's z on the 0-100 answers (stats.changes). Nothing to test when either period has
    no answers or the question changed kind (a flag in one period, a scale in the other)."""
    out = {}
    for key, a in now.items():
        b = before.get(key)
        if b is None or not a.n or not b.n or (a.flag_yes is None) != (b.flag_yes is None):
            out[key] = changes.NO_CHANGE
        elif a.flag_yes is not None:
            out[key] = changes.proportion_change(a.flag_yes, a.n, b.flag_yes, b.n)  # points of the yes %
        else:
            out[key] = changes.mean_change(a.mean, a.sd, a.n, b.mean, b.sd, b.n, of="the 0-100 answers")
    return out


def respondent_frame(run: Runner, filters: Filters) -> pd.DataFrame:
    """One row per respondent: a column per rated component (0-100) and the two outcomes."""
    wide = run("performance_respondents", filters)
    if wide.empty:
        return pd.DataFrame()
    wide = wide.set_index("response_id")
    rated = [c.key for c in domain.COMPONENTS if wide[c.key].notna().any()]
    return wide[rated + list(OUTCOMES)].astype(float)


def importance_problem(frame: pd.DataFrame, outcome: str, components: list[str]) -> str | None:
    """Why importance cannot be derived here, in words; None when it can be tried."""
    if frame.empty or outcome not in frame:
        return f"nobody answered {OUTCOMES.get(outcome, outcome)} in this filter"
    if len(components) < 2:
        return "only one component is rated in this filter: its share of what is explained would be all of it"
    return None


def derived_importance(
    frame: pd.DataFrame, outcome: str, components: list[str], *, n_boot: int = 200, seed: int = 0
) -> drivers.DriverImportance | str:
    """Key-driver importance of the components for the outcome, or a sentence saying why the data
    cannot give it (stats.drivers names the problem: too few complete respondents, a component
    every respondent rated alike, ...)."""
    problem = importance_problem(frame, outcome, components)
    if problem:
        return problem
    try:
        return drivers.key_driver_importance(frame, outcome, components, n_boot=n_boot, seed=seed)
    except ValueError as exc:
        words = str(exc).rstrip(".")
        return words[:1].lower() + words[1:]


def branches_below_network(run: Runner, filters: Filters, limit: int = 10) -> tuple[pd.DataFrame, float, int, int]:
    """Branches whose overall performance lies below the network's, furthest first, among those with at
    least `filters.min_n` respondents: (rows with the difference and its 95% t interval, network mean,
    number of branches left out for too few respondents, number of branches compared). A branch at or
    above the network's mean is not listed, whatever its interval."""
    branches = run("branch_performance", filters)
    if branches.empty:
        return branches, math.nan, 0, 0
    branches["mean_performance"] = branches["mean_performance"].astype(float)
    branches["sd_performance"] = pd.to_numeric(branches["sd_performance"], errors="coerce").astype(float)
    network = float((branches["mean_performance"] * branches["n"]).sum() / branches["n"].sum())
    ranked = branches[branches["n"] >= filters.min_n].copy()
    left_out = len(branches) - len(ranked)
    _interval_columns(ranked, "mean_performance", "sd_performance", "ci")
    ranked["difference"] = ranked["mean_performance"] - network
    ranked["difference_low"] = ranked["ci_low"] - network
    ranked["difference_high"] = ranked["ci_high"] - network
    below = ranked[ranked["difference"] < 0].sort_values("difference").head(limit).copy()
    below["label"] = branch_labels(below)
    return below.reset_index(drop=True), network, left_out, len(ranked)


def derived_importance_performance(
    perf: pd.DataFrame, result: drivers.DriverImportance
) -> tuple[pd.DataFrame, float, float]:
    """The importance-performance matrix with derived importance: (rows with importance_pct, the
    component's performance as mean_perception (0-100) and its quadrant, importance split,
    performance split); the splits are the means over the components (Martilla & James 1977)."""
    imp = pd.DataFrame(
        {
            "component_key": list(result.names),
            "importance_pct": 100 * result.relative,
            "importance_low": 100 * result.low,
            "importance_high": 100 * result.high,
        }
    )
    columns = ["component_key", "component_name", "n", "mean_performance"]
    columns += ["sd_performance"] if "sd_performance" in perf else []
    df = perf[columns].merge(imp, on="component_key")
    df = df.rename(columns={"mean_performance": "mean_perception"})
    df["importance_n"] = result.n
    imp_split, perf_split = float(df["importance_pct"].mean()), float(df["mean_perception"].mean())
    df["quadrant"] = [
        quadrant(i, p, imp_split, perf_split) for i, p in zip(df["importance_pct"], df["mean_perception"], strict=True)
    ]
    sd = df["sd_performance"] if "sd_performance" in df else pd.Series(math.nan, index=df.index)
    intervals = [
        mean_confidence_interval(float(m), float(s), int(n)) for m, s, n in zip(df["mean_perception"], sd, df["n"])
    ]
    df["performance_low"] = [i.low for i in intervals]
    df["performance_high"] = [i.high for i in intervals]
    return df, imp_split, perf_split


def unsettled_quadrants(ipa: pd.DataFrame, importance_split: float, performance_split: float) -> str | None:
    """The components whose quadrant the data do not settle: their importance's 95% interval (the
    bootstrap's) or their performance's (the t interval) holds the split it is compared with, so
    sampling noise alone could put them across the line. None when every one is clear of both.
    Skytrax's Reliability, the worst-rated component, read "Low priority" for an importance of 32.6 %
    against a split of 33.3 % among three components; the hospital's Courtesy sat at 12.6 against 12.5."""
    words = []
    for r in ipa.itertuples():
        lines = []
        if r.importance_low <= importance_split <= r.importance_high:
            lines.append(
                f"importance {r.importance_pct:.1f}% (95% interval {r.importance_low:.1f}-{r.importance_high:.1f}) "
                f"against {importance_split:.1f}%"
            )
        if r.performance_low <= performance_split <= r.performance_high:
            lines.append(
                f"performance {r.mean_perception:.1f} ({r.performance_low:.1f}-{r.performance_high:.1f}) "
                f"against {performance_split:.1f}"
            )
        if lines:
            words.append(f"{r.component_name} ({' and '.join(lines)})")
    if not words:
        return None
    return "On the line, so their quadrant is not settled (a 95% interval holds the split): " + "; ".join(words) + "."


@dataclass(frozen=True)
class WeightedScore:
    """The overall performance with each component weighted by its derived importance."""

    mean: float
    low: float
    high: float
    n: int  # respondents who rated every weighted component


def weighted_performance(frame: pd.DataFrame, result: drivers.DriverImportance) -> WeightedScore:
    """Σ_j w_j · performance_ij per respondent, with w the derived relative importances (summing to 1),
    averaged over the respondents who rated every component; 95% t interval over respondents. The
    weights are taken as fixed: their own uncertainty (the bootstrap intervals) is not carried into
    this interval."""
    weights = pd.Series(result.relative, index=list(result.names))
    rated = frame[list(result.names)].dropna()
    scores = rated.to_numpy(float) @ weights.to_numpy(float)
    n = len(scores)
    mean = float(scores.mean()) if n else math.nan
    sd = float(scores.std(ddof=1)) if n > 1 else math.nan
    interval = mean_confidence_interval(mean, sd, n)
    return WeightedScore(mean, interval.low, interval.high, n)
