"""SERVQUAL gaps: the gap map by branch or region, the overall score with and without importance
weights, the zone of tolerance, the importance-performance matrix and which gaps are real."""

import math

import streamlit as st

from servicequality import ui
from servicequality.charts import ipa as charts_ipa
from servicequality.charts import servqual as charts_servqual
from servicequality.metrics import drilldown, performance, servqual
from servicequality.stats import servqual as servqual_stats
from servicequality.ui import performance as performance_ui

filters = ui.current_filters()

st.title("SERVQUAL gaps")
st.caption(filters.describe())
ui.stop_without_surveys("the gaps")
# Without expectations there is no gap to show: the same views read the ratings instead.
if servqual.component_table(ui.query, filters).empty:
    perf = performance.performance_table(ui.query, filters)
    st.caption(performance.survey_model(perf).sentence())
    if not perf.empty:
        performance_ui.ratings_map(filters)
        performance_ui.derived_matrix(filters, perf)
    st.stop()

GAP = (
    "Gap = mean over respondents of (mean perception − mean expectation over the component's items), "
    "on the 1-7 scale; below 0 is a shortfall."
)


PLURAL = {"Branch": "branches", "Region": "regions"}


# --- heatmap ---------------------------------------------------------------------------------------
st.subheader("Gap by component and branch")
by = st.radio("Rows", ["Branch", "Region"], horizontal=True, key="gaps_heatmap_by")
grid = servqual.gap_grid(ui.query, filters, by=by.lower())
suppressed = grid[grid["suppressed"]]
if grid.empty:
    st.info("No survey scores in this filter.")
else:
    ui.chart(
        charts_servqual.gap_heatmap(
            grid,
            unit_title=by,
            title=f"Gap (P − E) per component and {by.lower()}; grey cells have fewer than {filters.min_n} responses",
            min_n=filters.min_n,
            unit_id="branch_id" if by == "Branch" else "region",
        ),
        key="gaps_heatmap",
        # a heatmap's numbers need more than a phone's width, by region too (6 rows, the same 10
        # columns, "+0.21 n = 2,283" in each): it scrolls, as on the Explore page
        wide=True,
        filename=f"gap_by_component_and_{by.lower()}",
        select=(
            ui.CrossFilter("branch" if by == "Branch" else "region", "customdata:0"),
            ui.CrossFilter("component", "customdata:1"),
        ),
        hint=f"Click a cell to filter the dashboard by its {by.lower()} and component.",
    )
    if len(suppressed):
        units = suppressed["unit"].nunique()
        st.caption(
            f"{len(suppressed):,} cells in {units} {PLURAL[by] if units != 1 else by.lower()} are suppressed: "
            f"fewer than {filters.min_n} responses "
            "(change the minimum in the sidebar)."
        )
ui.how_computed(
    GAP + f" One cell per {by.lower()} and component, with its number of respondents n. A cell with fewer than "
    f"{filters.min_n} respondents (the sidebar's minimum) is shown grey as suppressed, not coloured: too few "
    "answers to tell a real gap from noise.",
    filters,
    f"{int(grid['n'].sum()):,} component scores in {grid['unit'].nunique()} {by.lower()}s",
    [
        f"{len(suppressed):,} suppressed cells ("
        + ", ".join(f"{r.unit} × {r.component_name}: n = {r.n}" for r in suppressed.head(6).itertuples())
        + (", …" if len(suppressed) > 6 else "")
        + ")"
    ]
    if len(suppressed)
    else [],
)

# --- overall score ---------------------------------------------------------------------------------
st.subheader("Overall service quality: does weighting by importance change the picture?")
parts, unweighted, weighted, importance_n = servqual.score_table(ui.query, filters)
components = servqual.component_table(ui.query, filters)
respondents = int(components["n"].max()) if len(components) else 0
cols = st.columns(3)
with cols[0]:
    ui.metric(
        "SERVQUAL score (unweighted)",
        ui.minus(ui.fmt_number(unweighted)),
        n=f"{ui.fmt_n(respondents)} respondents",
        help="Mean of the component gaps.",
    )
with cols[1]:
    ui.metric(
        "SERVQUAL score (weighted by importance)",
        ui.minus(ui.fmt_number(weighted)),
        n=f"{ui.fmt_n(importance_n)} respondents gave importance points",
        help="Each respondent's component gaps weighted by their own importance points (normalised to sum 1 over "
        "the components they scored and weighted), then averaged over the respondents who gave points "
        "(Zeithaml, Parasuraman & Berry 1990).",
    )
with cols[2]:
    change = weighted - unweighted if not (math.isnan(weighted) or math.isnan(unweighted)) else math.nan
    ui.metric(
        "Weighted − unweighted",
        ui.minus(ui.fmt_number(change)),
        n=(
            "below 0: the weakest components are the ones customers care most about"
            if change < 0
            else "0 or above: the weak components matter less to customers"
            if change >= 0
            else "no importance points"
        ),
    )
drilldown.rows_link("responses", "See the survey responses behind these numbers")
if parts.empty:
    st.info("No importance points in this filter, so there is no weighted score.")
else:
    ui.chart(
        charts_servqual.contribution_bars(parts, title="Each component's contribution to the overall score"),
        key="gaps_contributions",
        filename="contributions_to_the_score",
        select=ui.CrossFilter("component", "customdata:-1"),
    )
    moved = parts[parts["rank_change"] != 0].sort_values("rank_change", ascending=False)
    if moved.empty:
        st.markdown("Weighting by importance does not change the order of the components.")
    else:
        lines = [
            f"- **{r.component_name}** moves from {r.unweighted_rank} to {r.weighted_rank} "
            f"(importance weight {100 * r.weight:.1f}% against an even {100 * r.equal_weight:.1f}%)"
            for r in moved.itertuples()
        ]
        st.markdown(
            "Rank of each contribution (1 = pulls the score down most), equal weights → importance weights:\n"
            + "\n".join(lines)
        )
ui.how_computed(
    "Unweighted score = mean of the K component gaps = Σ gap/K. Weighted score = Σ w·gap, with w the mean "
    "share of importance points per component (each respondent's points normalised to sum 1, then the shares "
    "averaged and normalised again over the components with a gap). Contribution = weight × gap; the two sets "
    "of contributions sum to the two scores.",
    filters,
    f"{respondents:,} respondents; {importance_n:,} of them gave importance points",
    [f"{respondents - importance_n:,} respondents without importance points count in the gaps, not the weights"]
    if respondents > importance_n
    else [],
)

# --- zone of tolerance ---------------------------------------------------------------------------------
st.subheader("Zone of tolerance")
zone = servqual.tolerance_table(ui.query, filters)
if zone.empty:
    st.info(
        "The survey holds no adequate (minimum acceptable) levels in this filter, so the zone of tolerance, "
        "MSA and MSS cannot be shown."
    )
else:
    ui.chart(
        charts_servqual.tolerance_zone(
            zone, title="Perceived service against the band from adequate to desired service"
        ),
        key="gaps_tolerance",
        filename="zone_of_tolerance",
        select=ui.CrossFilter("component", "customdata:-1"),
    )
    below = zone[zone["position"] == "below the zone"]["component_name"].tolist()
    above = zone[zone["position"] == "above the zone"]["component_name"].tolist()
    st.markdown(
        (
            "**Below the adequate level:** " + ", ".join(below) + ". "
            if below
            else "No component falls below the adequate level. "
        )
        + (
            "**Above the desired level:** " + ", ".join(above) + "."
            if above
            else "No component exceeds the desired level."
        )
    )
    ui.table(
        zone[
            [
                "component_name",
                "mean_adequate",
                "mean_desired",
                "mean_perception",
                "position",
                "mean_msa",
                "msa_low",
                "msa_high",
                "mean_mss",
                "mss_low",
                "mss_high",
                "n",
            ]
        ].rename(
            columns={
                "component_name": "Component",
                "mean_adequate": "Adequate",
                "mean_desired": "Desired",
                "mean_perception": "Perceived",
                "mean_msa": "MSA (P − adequate)",
                "msa_low": "MSA 95% low",
                "msa_high": "MSA 95% high",
                "mean_mss": "MSS (P − desired)",
                "mss_low": "MSS 95% low",
                "mss_high": "MSS 95% high",
                "position": "Perceived service is",
            }
        ),
        key="gaps_tolerance_table",
        filename="zone_of_tolerance",
        column_config={
            c: st.column_config.NumberColumn(format="%.2f")
            for c in (
                "Adequate",
                "Desired",
                "Perceived",
                "MSA (P − adequate)",
                "MSA 95% low",
                "MSA 95% high",
                "MSS (P − desired)",
                "MSS 95% low",
                "MSS 95% high",
            )
        },
    )
ui.how_computed(
    "Over the respondents who gave an adequate level: the zone runs from the mean adequate (minimum acceptable) "
    "level to the mean desired level (the expectation item). MSA = P − adequate (below 0: unacceptable "
    "service); MSS = P − desired (above 0: better than desired). Zeithaml, Berry & Parasuraman (1993).",
    filters,
    f"{int(zone['n'].max()) if len(zone) else 0:,} respondents with adequate levels",
    [f"{max(respondents - int(zone['n'].max()), 0):,} respondents without adequate levels"]
    if len(zone) and respondents > int(zone["n"].max())
    else [],
)

# --- importance-performance ------------------------------------------------------------------------
st.subheader("Importance and performance")
ipa, imp_split, perf_split = servqual.importance_performance(ui.query, filters)
if ipa.empty:
    st.info("No importance points in this filter, so there is no importance-performance matrix.")
else:
    ui.chart(
        charts_ipa.importance_performance_matrix(
            ipa,
            importance_split=imp_split,
            performance_split=perf_split,
            title="Importance against performance, split at the means",
        ),
        key="gaps_ipa",
        wide=True,
        filename="importance_performance",
        select=ui.CrossFilter("component", "customdata:-1"),
    )
    focus = ipa[ipa["quadrant"] == servqual_stats.CONCENTRATE]["component_name"].tolist()
    overkill = ipa[ipa["quadrant"] == servqual_stats.OVERKILL]["component_name"].tolist()
    st.markdown(
        f"**{servqual_stats.CONCENTRATE}:** {', '.join(focus) or 'none'}. "
        f"**{servqual_stats.OVERKILL}:** {', '.join(overkill) or 'none'}."
    )
ui.how_computed(
    "Importance = mean share of the importance points a respondent gave the component (%); performance = mean "
    f"perception (1-7). Dotted lines at the means over the components ({imp_split:.1f}% and {perf_split:.2f}). "
    "Quadrants after Martilla & James (1977).",
    filters,
    f"{int(ipa['importance_n'].max()) if len(ipa) else 0:,} respondents gave importance points; "
    f"{respondents:,} scored perception",
    [f"{len(components) - len(ipa)} components without importance points"] if len(ipa) < len(components) else [],
)

# --- which gaps are real --------------------------------------------------------------------------------
st.subheader("Which gaps differ from zero?")
if components.empty:
    st.info("No survey scores in this filter.")
else:
    st.markdown(
        "\n".join(
            f"- {servqual_stats.describe_gap_test(r.component_name, r.mean_gap, r.p, r.n)}"
            for r in components.itertuples()
        )
    )
    ui.table(
        components.assign(p=components["p"].map(ui.fmt_p))[
            ["component_name", "mean_gap", "ci_low", "ci_high", "t", "df", "p", "n"]
        ].rename(
            columns={
                "component_name": "Component",
                "mean_gap": "Gap (P − E)",
                "ci_low": "95% CI low",
                "ci_high": "95% CI high",
                "t": "t",
                "df": "Degrees of freedom",
                "p": "p (two-sided)",
            }
        ),
        key="gaps_tests_table",
        filename="gap_tests",
        column_config={
            "Gap (P − E)": st.column_config.NumberColumn(format="%.2f"),
            "95% CI low": st.column_config.NumberColumn(format="%.2f"),
            "95% CI high": st.column_config.NumberColumn(format="%.2f"),
            "t": st.column_config.NumberColumn(format="%.2f"),
        },
    )
ui.how_computed(
    "Paired t test of perception against expectation per respondent: t = mean(P − E) / (sd(P − E) / √n), "
    f"n − 1 degrees of freedom, two-sided p; a gap 'differs from zero' at p < {servqual_stats.SIGNIFICANCE}. With "
    "thousands of respondents even small gaps are significant: read the size of the gap too.",
    filters,
    f"{respondents:,} respondents",
    [f"{10 - len(components)} components without answers"] if len(components) < 10 else [],
)

# --- branch manager view: my branch against its peers and the network on the survey measures ----
if filters.my_branch:
    st.header("My branch")
    ui.my_branch_strip(filters, key="gaps", measures=("survey_gap", "csat"))
