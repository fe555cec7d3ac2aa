"""The component-performance section (ratings without expectations), laid out for a page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from servicequality.charts import ipa as charts_ipa
from servicequality.charts import performance as charts_performance
from servicequality.filters import Filters
from servicequality.metrics import performance
from servicequality.metrics.formats import none_below_words
from servicequality.metrics.overview import ratings_tiles
from servicequality.ui.crossfilter import CrossFilter
from servicequality.ui.data import network_query, query
from servicequality.ui.widgets import chart, how_computed, metric, table, tiles

PERFORMANCE_FORMULA = (
    "A respondent's score on a component is the mean of their ratings of its items, each rescaled to percent of "
    "maximum possible: 100 × (rating − lowest) / (highest − lowest), so 0 is the worst answer and 100 the best "
    "whatever the scale (1-4, 1-5, 1-10); items whose best answer is the lowest number are turned round first. "
    "The bar is the mean over respondents with its 95% t interval (n − 1 degrees of freedom). Top-2-box is the "
    "share of the component's items a respondent rated in the two best points, averaged over respondents. "
    '"Not applicable", "don\'t know" and "not rated" answers are left out of every mean and counted. '
    "Source: Cronin & Taylor (1992) for performance-only measurement; Cohen, Cohen, Aiken & West (1999) for POMP."
)
PLURAL = {"Branch": "branches", "Region": "regions"}
IMPORTANCE_FORMULA = (
    "Derived importance: how much of the variance of {outcome} the component explains, shared out over the "
    "components by the Shapley value of the regression R² (LMG: Lindeman, Merenda & Gold 1980; Grömping 2006), "
    "summing to 100 %. The interval is a percentile bootstrap over respondents (200 resamples, seed 0). Only "
    "respondents who rated every component shown and answered the outcome count."
)
COLUMNS = {
    "component_name": "Component",
    "mean_performance": "Performance (0-100)",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "mean_top2": "Top-2-box %",
    "rating_text": "Mean rating (own scale)",
    "scale": "Scale",
    "n": "n",
    "not_applicable_share": "Not applicable %",
    "left_out_share": "Left out %",
}
TABLE_FORMATS = {
    label: st.column_config.NumberColumn(format="%.1f")
    for key, label in COLUMNS.items()
    if key not in ("component_name", "scale", "n", "rating_text")
} | {COLUMNS["n"]: st.column_config.NumberColumn(format="localized")}  # 1,032 as every other page writes it


@st.cache_data(show_spinner="Deriving importance…", max_entries=32)
def _importance(frame: pd.DataFrame, outcome: str, components: tuple[str, ...]):
    return performance.derived_importance(frame, outcome, list(components))


def overall_figures(filters: Filters, lowest: pd.DataFrame | None = None, previous: Filters | None = None) -> None:
    """Responses, overall satisfaction and would-recommend (0-100), and with `lowest` (a performance
    table) the lowest-rated component; with `previous` (the Overview's previous period), each
    answer's change against it, coloured only beyond sampling noise (metrics.overview.ratings_tiles)."""
    asked = query("survey_questions").iloc[0]
    tiles(ratings_tiles(query, filters, asked, lowest, previous), columns=4 if lowest is not None else 3)


def weakest_components(filters: Filters, perf: pd.DataFrame) -> None:
    """The three lowest-rated components (a survey without expectations has no shortfalls to rank)."""
    weakest = perf.sort_values("mean_performance").head(3)
    if weakest.empty:
        st.info("No survey ratings in this period.")
        return
    chart(
        charts_performance.performance_bars(weakest, title="Lowest-rated components (0 = worst answer, 100 = best)"),
        key="overview_weakest",
        filename="lowest_rated_components",
        select=CrossFilter("component", "customdata:-1"),
    )
    how_computed(PERFORMANCE_FORMULA, filters, f"{int(perf['n'].max()):,} respondents")


def branches_below_network(filters: Filters) -> None:
    below, network, left_out, compared = performance.branches_below_network(network_query, filters, limit=8)
    if not compared:
        st.info(f"No branch has {filters.min_n} or more survey responses in this period.")
    elif below.empty:
        st.info(none_below_words(compared, filters.min_n, f"{network:.1f} / 100", "an overall performance"))
    else:
        chart(
            charts_performance.difference_bars(
                below, title=f"Overall performance minus the network's ({network:.1f} / 100)"
            ),
            key="overview_branches",
            filename="branches_below_network",
            select=CrossFilter("branch", "customdata:-1"),
        )
    how_computed(
        "A respondent's overall performance is the mean of their component scores (0-100); a branch's is the mean "
        "over its respondents, the network's over all respondents in the filter. Bars show the difference with "
        "the branch's 95% t interval: red when the whole interval is below the network, grey when it includes it.",
        filters,
        f"{int(below['n'].sum()) if len(below) else 0:,} respondents in the branches shown",
        [f"{left_out} branches with fewer than {filters.min_n} responses are not ranked"] if left_out else [],
    )


def performance_section(filters: Filters, perf: pd.DataFrame) -> None:
    """Performance bars and table, overall answers, and derived importance."""
    st.subheader("How each component was rated")
    overall_figures(filters)
    if perf.empty:
        st.info("No survey ratings in this filter.")
        return
    chart(
        charts_performance.performance_bars(perf, title="Components by performance, best first"),
        key="performance_bars",
        filename="component_performance",
        select=CrossFilter("component", "customdata:-1"),
    )
    table(
        perf[list(COLUMNS)].rename(columns=COLUMNS),
        key="performance_table",
        filename="component_performance",
        column_config=TABLE_FORMATS,
    )
    how_computed(
        PERFORMANCE_FORMULA,
        filters,
        f"{int(perf['n'].max()):,} respondents, {int(perf['rated_answers'].sum()):,} ratings",
        [
            f"{int(perf[key].sum()):,} answers {words}"
            for key, words in performance.MISSING_REASONS.items()
            if perf[key].sum() > 0
        ],
    )
    importance_section(filters, perf)


def importance_section(filters: Filters, perf: pd.DataFrame) -> None:
    st.subheader("What drives the overall score? (derived importance)")
    frame = performance.respondent_frame(query, filters)
    outcomes = [k for k in performance.OUTCOMES if k in frame and frame[k].notna().any()]
    if not outcomes:
        st.info("The survey asks no overall satisfaction or recommend question, so importance cannot be derived.")
        return
    outcome = st.radio(
        "Outcome",
        outcomes,
        format_func=lambda k: performance.OUTCOMES[k].capitalize(),
        horizontal=True,
        key="performance_outcome",
    )
    components = tuple(k for k in perf["component_key"] if k in frame)
    result = _importance(frame, outcome, components)
    if isinstance(result, str):
        st.info(f"Importance cannot be derived: {result}")
        return
    names = perf.set_index("component_key")["component_name"]
    shown = pd.DataFrame(
        {
            "component_key": list(result.names),
            "component_name": [names[k] for k in result.names],
            "importance": 100 * result.relative,
            "low": 100 * result.low,
            "high": 100 * result.high,
        }
    ).sort_values("importance", ascending=False)
    chart(
        charts_performance.importance_bars(
            shown,
            title=f"Share of {performance.OUTCOMES[outcome]} explained (R² = {result.r2:.2f}), most important first",
        ),
        key="importance_bars",
        filename="derived_importance",
        select=CrossFilter("component", "customdata:-1"),
    )
    weighted = performance.weighted_performance(frame, result)
    plain = performance.weighted_performance(
        frame, result._replace(relative=np.full(len(result.names), 1 / len(result.names)))
    )
    cols = st.columns(2)
    with cols[0]:
        metric(
            "Weighted performance (derived importance)",
            f"{weighted.mean:.1f}",
            n=f"{performance.interval_words(weighted.low, weighted.high)}, n = {weighted.n:,} respondents who rated "
            "every component",
            help="Each respondent's component scores weighted by the derived importance above (summing to 1), "
            "averaged over respondents. The weights are derived from " + performance.OUTCOMES[outcome] + ", not "
            "stated by respondents; their own uncertainty is not in this interval.",
        )
    with cols[1]:
        metric(
            "Unweighted, the same respondents",
            f"{plain.mean:.1f}",
            n=f"{performance.interval_words(plain.low, plain.high)}, every component weighted equally",
        )
    formula = IMPORTANCE_FORMULA.format(outcome=performance.OUTCOMES[outcome])
    if 0 < result.resample_size < result.n:
        formula += (
            f" With {result.n:,} respondents each resample draws {result.resample_size:,} of them, and the "
            f"spread of the resamples is narrowed by √({result.resample_size:,} / {result.n:,}) to all of them "
            "(the m-out-of-n bootstrap: Bickel, Götze & van Zwet 1997)."
        )
    how_computed(
        formula,
        filters,
        f"{result.n:,} respondents",
        [f"{result.n_dropped:,} respondents who skipped a component or the outcome"] if result.n_dropped else [],
    )


def ratings_map(filters: Filters) -> None:
    """Performance per component and branch (or region): the gap map of a survey without expectations."""
    st.subheader("Ratings by component and branch")
    by = st.radio("Rows", ["Branch", "Region"], horizontal=True, key="gaps_ratings_by")
    grid = query("component_unit_performance", filters, by=by.lower())
    if grid.empty:
        st.info("No survey ratings in this filter.")
        return
    # Rows where no cell reaches the minimum hold no value to read: they are counted, not drawn.
    reaching = grid.groupby("unit_id")["n"].max() >= filters.min_n
    hidden = int((~reaching).sum())
    grid = grid[grid["unit_id"].isin(reaching[reaching].index)]
    unit_words = PLURAL[by]
    if grid.empty:
        st.info(
            f"No {by.lower()} has {filters.min_n} or more respondents rating a component in this filter "
            f"({hidden:,} {unit_words} have fewer): lower the minimum in the sidebar, or widen the period."
        )
        return
    chart(
        charts_performance.performance_heatmap(
            grid,
            unit_title=by,
            title=f"Performance (0-100) per component and {by.lower()}; grey cells have fewer than "
            f"{filters.min_n} responses",
            min_n=filters.min_n,
        ),
        key="gaps_ratings_map",
        wide=True,  # by region too: a heatmap's numbers need more than a phone's width; it scrolls
        filename=f"performance_by_component_and_{by.lower()}",
    )
    if hidden:
        st.caption(
            f"{hidden:,} {unit_words} with fewer than {filters.min_n} respondents on every component are not shown."
        )
    small = int((grid["n"] < filters.min_n).sum())
    how_computed(
        PERFORMANCE_FORMULA + f" One cell per {by.lower()} and component; a cell with fewer than {filters.min_n} "
        "respondents shows its n instead of a value (change the minimum in the sidebar).",
        filters,
        f"{int(grid['n'].sum()):,} component scores",
        [f"{small:,} cells with fewer than {filters.min_n} respondents"] if small else [],
    )


def derived_matrix(filters: Filters, perf: pd.DataFrame) -> None:
    """The importance-performance matrix with importance derived from overall satisfaction."""
    st.subheader("Importance and performance (derived importance)")
    frame = performance.respondent_frame(query, filters)
    components = tuple(k for k in perf["component_key"] if k in frame)
    result = _importance(frame, "satisfaction", components)
    if isinstance(result, str):
        st.info(f"No importance to place the components by: the survey asks no importance points, and {result}.")
        return
    ipa, imp_split, perf_split = performance.derived_importance_performance(perf, result)
    chart(
        charts_ipa.importance_performance_matrix(
            ipa,
            importance_split=imp_split,
            performance_split=perf_split,
            title="Derived importance against performance, split at the means",
            importance_title="Derived importance: share of overall satisfaction explained (%)",
            performance_title="Performance (0-100)",
            importance_words="% of the explained variance",
        ),
        key="gaps_derived_ipa",
        wide=True,
        filename="derived_importance_performance",
        select=CrossFilter("component", "customdata:-1"),
    )
    if unsettled := performance.unsettled_quadrants(ipa, imp_split, perf_split):
        st.caption(unsettled)
    how_computed(
        "Importance is derived, not stated: "
        + IMPORTANCE_FORMULA.format(outcome="overall satisfaction")
        + f" Performance as on Ten components. Dotted lines at the means over the components ({imp_split:.1f}% "
        f"and {perf_split:.1f}). Quadrants after Martilla & James (1977).",
        filters,
        f"{result.n:,} respondents",
        ([f"{result.n_dropped:,} respondents who skipped a component or the outcome"] if result.n_dropped else [])
        + (
            [
                f"the interval's resamples draw {result.resample_size:,} of the {result.n:,} respondents each, and "
                f"their spread is narrowed by √({result.resample_size:,} / {result.n:,}) to all of them (m-out-of-n "
                "bootstrap: Bickel, Götze & van Zwet 1997)"
            ]
            if 0 < result.resample_size < result.n
            else []
        ),
    )
