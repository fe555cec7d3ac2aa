"""Ten components: gap per component (or RATER group), its trend, a branch or region against the
network, scale reliability, and complaints beside the survey."""

from dataclasses import replace

import streamlit as st

from servicequality import ui
from servicequality.charts import common as charts
from servicequality.charts import servqual as charts_servqual
from servicequality.charts.common import stored
from servicequality.metrics import drilldown, performance, servqual
from servicequality.metrics.formats import branch_labels, plain
from servicequality.stats import servqual as servqual_stats
from servicequality.ui.performance import performance_section

filters = ui.current_filters()

st.title("Ten components")
st.caption(filters.describe())
ui.stop_without_surveys("the ten components")
if not_asked := servqual.not_asked_words(ui.query):
    st.caption(plain(not_asked, limit=1_000))  # component names are the store's data
# A survey with expectations is read as gaps (from the rollups); one without, or on request, as ratings.
if servqual.component_table(ui.query, filters).empty:
    perf = performance.performance_table(ui.query, filters)
    st.caption(performance.survey_model(perf).sentence())
    performance_section(filters, perf)
    st.stop()
reading = st.segmented_control(
    "Read the survey as",
    ["Gaps (SERVQUAL)", "Ratings (performance)"],
    default="Gaps (SERVQUAL)",
    key="components_reading",
    help="Gaps compare perception with expectation; ratings read perception alone, on a 0-100 scale, with "
    "importance derived from overall satisfaction.",
)
if reading == "Ratings (performance)":
    perf = performance.performance_table(ui.query, filters)
    st.caption(performance.survey_model(perf).sentence())
    performance_section(filters, perf)
    st.stop()

GAP_FORMULA = (
    "Gap = mean over respondents of (mean perception − mean expectation over the component's items), on the "
    "1-7 scale; a bar is red (shortfall) when its whole 95% interval is below 0, blue (surplus) when it is above "
    "0, grey when the interval includes 0. The interval is from the paired t distribution with n − 1 degrees of "
    "freedom."
)
LABELS = {
    "label": "Component",
    "mean_perception": "Mean perception",
    "mean_expectation": "Mean expectation",
    "mean_gap": "Gap (P − E)",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "n": "n",
}
SCORE_WORDS = {"perception": "perception", "expectation": "expectation", "gap": "the gap P − E"}
TABLE_FORMATS = {c: st.column_config.NumberColumn(format="%.2f") for c in list(LABELS.values())[1:6]} | {
    LABELS["n"]: st.column_config.NumberColumn(format="localized")
}


# --- gaps by component or RATER group ---------------------------------------------------------
st.subheader("Perception, expectation and the gap")
view = st.segmented_control(
    "Group by", ["Ten components", "Five RATER groups"], default="Ten components", key="components_view"
)
rater = view == "Five RATER groups"
table = servqual.rater_table(ui.query, filters) if rater else servqual.component_table(ui.query, filters)
if not rater:
    table["label"] = table["component_name"]
if table.empty:
    st.info("No survey scores in this filter.")
else:
    ui.chart(
        charts.gap_bars(
            table,
            label="label",
            title=("RATER groups" if rater else "Components") + ", sorted by gap (largest shortfall first)",
            ids=None if rater else "component_key",
        ),
        key="components_gaps",
        filename="rater_group_gaps" if rater else "component_gaps",
        # A RATER group is not a filter; a component is.
        select=None if rater else ui.CrossFilter("component", "customdata:-1"),
    )
    ui.table(
        table[list(LABELS)].rename(columns=LABELS | ({"label": "RATER group"} if rater else {})),
        key="components_gaps_table",
        filename="rater_group_gaps" if rater else "component_gaps",
        column_config=TABLE_FORMATS,
    )
    drilldown.rows_link("responses", "See the survey responses behind these gaps")
ui.how_computed(
    GAP_FORMULA
    + (
        " A RATER group's score per respondent is the mean of their scores on the group's components "
        "(Assurance: security, credibility, courtesy, professionalism; Empathy: communication, understanding, "
        "accessibility; the other three are one component each)."
        if rater
        else ""
    ),
    filters,
    f"{int(table['n'].max()) if len(table) else 0:,} respondents",
    [f"{10 - len(table)} components without answers"] if not rater and len(table) < 10 else [],
)

# --- trend ---------------------------------------------------------------------------------------
st.subheader("Gap over time")
grain = st.radio("Period", ["Month", "Quarter"], horizontal=True, key="components_trend_grain")
trend = servqual.gap_trend(ui.query, filters, quarterly=grain == "Quarter")
if trend.empty:
    st.info("No survey scores in this filter.")
elif trend["period"].nunique() < 2:  # one dot a panel, and no band: an interval needs two periods
    ui.one_period_info(trend["period"].iloc[0], grain.lower())
else:
    ui.chart(
        charts_servqual.gap_trend_panels(
            trend, period_label=grain, title=f"Each component's gap by {grain.lower()}, with its 95% interval"
        ),
        key="components_trend",
        wide=True,
        filename=f"component_gaps_by_{grain.lower()}",
        # A month is a period filter; a quarter is not one of the sidebar's choices.
        select=ui.CrossFilter("month", "x") if grain == "Month" else None,
    )
ui.how_computed(
    GAP_FORMULA + f" One point per calendar {grain.lower()}; the grey band is the 95% interval. Partial "
    f"{grain.lower()}s at the ends of the period count only their days inside it.",
    filters,
    f"{int(trend['n'].sum()):,} component scores in {trend['period'].nunique() if len(trend) else 0} {grain.lower()}s",
    ["intervals need at least 2 respondents in a period"],
)

# --- a branch or region against the network -----------------------------------------------------
st.subheader("Against the whole network")
network = servqual.network_filters(filters)
if filters.branches or filters.regions:
    selection = filters
    parts = []
    if filters.regions:
        parts.append("region " + ", ".join(filters.regions))
    if filters.branches:
        parts.append("branch " + ", ".join(filters.branches))
    selection_label = "Filtered: " + "; ".join(parts)
    st.caption(
        f"The sidebar narrows to {'; '.join(parts)}: compared with every branch in the same period, "
        "channels and segments."
    )
else:
    branches = ui.query("filter_branches")
    labels = dict(zip(branches["branch_id"], branch_labels(branches), strict=True))
    # The sidebar's "My branch" (branch manager view), when chosen, is the default branch here.
    my_branch = getattr(filters, "my_branch", None)
    kind = st.radio("Compare", ["A branch", "A region"], horizontal=True, key="components_compare_kind")
    if kind == "A region":
        region = st.selectbox("Region", sorted(branches["region"].unique()), key="components_compare_region")
        selection = replace(network, regions=(region,))
        selection_label = f"Region {region}"
    else:
        options = list(labels)
        branch = st.selectbox(
            "Branch",
            options,
            index=options.index(my_branch) if my_branch in labels else 0,
            format_func=labels.get,
            key="components_compare_branch",
        )
        selection = replace(network, branches=(branch,))
        selection_label = labels[branch]
compared = servqual.selection_vs_network(ui.query, selection, network, ui.network_query)
selection_n = int(compared["n_selection"].max()) if len(compared) else 0
if compared.empty:
    st.info("No survey scores in this filter.")
elif servqual.is_whole_network(compared):
    st.info(
        f"{plain(selection_label)} holds every survey response of the network in this filter: there is no "
        "other branch to compare it with."
    )
else:
    if selection_n < filters.min_n:
        st.warning(
            f"{plain(selection_label)} has only {selection_n} responses (fewer than {filters.min_n}): "
            "read its gaps with their wide intervals in mind."
        )
    ui.chart(
        charts_servqual.selection_vs_network(
            compared,
            selection_label=stored(selection_label),
            title=f"{stored(selection_label)} against the whole network",
        ),
        key="components_vs_network",
        filename="selection_vs_network",
        select=ui.CrossFilter("component", "customdata:-1"),
    )
    if words := servqual.difference_words(compared):
        st.markdown(words)
ui.how_computed(
    GAP_FORMULA + " The network is every branch and region in the same period, channels and segments; the "
    "selection is part of it.",
    filters,
    f"{selection_n:,} respondents in the selection, "
    f"{int(compared['n_network'].max()) if len(compared) else 0:,} in the network",
    [f"components the selection did not answer: {(compared['n_selection'] == 0).sum()}"]
    if len(compared) and (compared["n_selection"] == 0).any()
    else [],
)

# --- reliability -------------------------------------------------------------------------------
st.subheader("Do the items of a component agree? (Cronbach's alpha)")
score = st.radio(
    "Items scored as",
    list(servqual.SCORES),
    format_func=servqual.SCORES.get,
    horizontal=True,
    key="components_alpha_score",
)
alphas = servqual.alpha_table(ui.query, filters, score)
with_alpha = alphas.dropna(subset=["alpha"])
single = alphas[(alphas["k"] == 1)]
if with_alpha.empty:
    st.info("No component has two or more items answered in this filter, so alpha cannot be computed.")
else:
    ui.chart(
        charts_servqual.alpha_bars(
            with_alpha,
            threshold=servqual_stats.ALPHA_THRESHOLD,
            title=f"Cronbach's alpha of the items, scored as {SCORE_WORDS[score]}",
        ),
        key="components_alpha",
        filename="cronbach_alpha",
        select=ui.CrossFilter("component", "customdata:-1"),
    )
    weak = with_alpha[with_alpha["below_threshold"]]
    if len(weak):
        st.warning(
            "Below 0.70, the items may not measure one thing: "
            + "; ".join(f"{r.component_name} (α = {r.alpha:.2f}, {r.k} items)" for r in weak.itertuples())
            + ". Read these components' gaps with care and review their questions."
        )
    else:
        st.success("Every component with two or more items reaches α ≥ 0.70.")
ui.how_computed(
    "α = k/(k − 1) · (1 − Σ var(item) / var(sum of the k items)) (Cronbach 1951), per component, over the "
    "respondents who answered all k items (listwise deletion). 0.70 is the usual floor for a usable scale "
    "(Nunnally 1978).",
    filters,
    f"{int(with_alpha['n_complete'].max()) if len(with_alpha) else 0:,} respondents with every item",
    [f"single-item components (no alpha): {', '.join(single['component_name'])}"] * bool(len(single))
    + [
        f"{r.component_name}: {r.n_answered - r.n_complete:,} respondents missing an item"
        for r in alphas.itertuples()
        if r.n_answered > r.n_complete
    ],
)

# --- complaints beside the survey --------------------------------------------------------------
st.subheader("Complaints beside the survey")
both = servqual.complaints_vs_survey(ui.query, filters)
mapped = int(both["complaints_mapped"].max()) if len(both) else 0
all_complaints = int(both["complaints_all"].max()) if len(both) else 0
if both.empty or mapped == 0:
    st.info(
        "No complaints with a category mapped to a component in this filter."
        if ui.query("store_contents").iloc[0]["has_complaints"]
        else "The store holds no complaints, so there are none to set beside the survey."
    )
else:
    ui.chart(
        charts_servqual.complaints_beside_gaps(both, title="What complaints point at, and what the survey says"),
        key="components_complaints",
        filename="complaints_beside_survey",
        select=ui.CrossFilter("component", "customdata:-1"),
    )
    findings = servqual.complaint_survey_findings(both)
    if findings:
        st.markdown("**Where the two sources disagree:**\n" + "\n".join(f"- {ui.minus(f.text)}" for f in findings))
    else:
        st.markdown("Complaints and the survey point at the same components.")
ui.how_computed(
    "Share = complaints whose category maps to the component (complaint_categories) ÷ complaints with a mapped "
    "category. A component draws many complaints at a share of at least 1/K (an even split over the K "
    "components), hardly any below half of that. A disagreement: many complaints but a survey surplus, no "
    "clear gap or one of the smaller shortfalls; or few complaints but one of the larger shortfalls.",
    filters,
    f"{mapped:,} complaints with a mapped category; "
    f"{int(both['n'].max()) if len(both) and both['n'].notna().any() else 0:,} survey respondents",
    [f"{all_complaints - mapped:,} complaints without a mapped category"] if all_complaints > mapped else [],
)
