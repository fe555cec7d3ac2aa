"""Executive overview: headline numbers against the previous period, monthly trend, the
weakest components and the branches furthest below the network."""

import math
from typing import NamedTuple

import streamlit as st

from servicequality import ui
from servicequality.charts import common as charts
from servicequality.metrics import complaints, drilldown, overview, performance
from servicequality.stats import changes
from servicequality.ui import performance as performance_ui

filters = ui.current_filters()
previous = filters.previous_period()

st.title("Executive overview")
st.caption(f"{filters.describe()}. Changes compare with {previous.start:%d %b %Y} – {previous.end:%d %b %Y}.")

now = overview.headline(ui.query, filters)
before = overview.headline(ui.query, previous, times=False)  # compared by its shares only


moves = overview.headline_changes(now, before)
# What the filtered store holds decides which tiles make sense: SERVQUAL gaps need expectations, a
# performance-only survey has ratings, a store without tickets has no complaint tiles.
servqual_survey = now.respondents > 0 and not math.isnan(now.servqual_unweighted)
if not servqual_survey:  # the ratings query runs only for a survey without gaps
    perf = performance.performance_table(ui.query, filters)
    model = performance.survey_model(perf)
    servqual_survey = model.rated == 0 and now.respondents > 0
has_tickets = now.complaints > 0 or now.customers_served > 0


class Delta(NamedTuple):
    text: str | None
    colour: str
    test: str  # the test in words, for the metric's help


def delta(key: str, digits: int = 2, suffix: str = "") -> Delta:
    """The delta against the previous period: coloured only when the change is beyond sampling noise
    (p < 0.05 in its test, stats.changes), else grey and said to be within noise."""
    change = moves[key]
    if math.isnan(change.difference):
        return Delta(None, "off", "")
    beyond = change.beyond_noise
    colour = ("inverse" if key == "complaint_rate" else "normal") if beyond else "off"
    # Short enough for a quarter-width card: "(noise)" says the change is within sampling noise,
    # and the help says which test and p.
    text = f"{ui.fmt_signed(change.difference, digits)}{suffix} " + ("vs previous" if beyond else "(noise)")
    verdict = "beyond sampling noise" if beyond else "within sampling noise"
    test = f" Change: {change.test}, {changes.p_value_text(change.p_value)}: {verdict}." if change.test else ""
    return Delta(text, colour, test)


if servqual_survey:
    row1 = st.columns(4)
    with row1[0]:
        ui.metric(
            "SERVQUAL score (unweighted)",
            ui.fmt_number(now.servqual_unweighted),
            delta=(d := delta("servqual_unweighted")).text,
            delta_color=d.colour,
            n=f"{ui.fmt_n(now.respondents)} respondents",
            help="Mean of the ten component gaps, perception − expectation on a 1-7 scale. Below 0: customers "
            "get less than they expect." + d.test,
        )
    with row1[1]:
        ui.metric(
            "SERVQUAL score (weighted)",
            ui.fmt_number(now.servqual_weighted) if now.importance_n else "no importance points",
            delta=(d := delta("servqual_weighted")).text,
            delta_color=d.colour,
            n=f"{ui.fmt_n(now.importance_n)} respondents gave importance points",
            help="Each respondent's component gaps weighted by their own importance points (normalised to sum 1), "
            "then averaged over the respondents who gave points." + d.test,
        )
    with row1[2]:
        ui.metric(
            "CSAT (satisfied, 4-5 of 5)",
            ui.fmt_number(100 * now.csat, 1, " %") if now.csat_n else "no answers",
            delta=(d := delta("csat", 1, " pts")).text,
            delta_color=d.colour,
            n=ui.fmt_n(now.csat_n),
            help="Share of survey answers of 4 or 5 to overall satisfaction." + d.test,
        )
    with row1[3]:
        ui.metric(
            "Net Promoter Score",
            ui.fmt_number(now.nps, 1) if now.nps_n else "no answers",
            delta=(d := delta("nps", 1)).text,
            delta_color=d.colour,
            n=ui.fmt_n(now.nps_n),
            help="% promoters (9-10) − % detractors (0-6) on the 0-10 recommendation question." + d.test,
        )
elif model.performance_only:
    st.caption(model.sentence())
    performance_ui.overall_figures(filters, lowest=perf)
else:
    st.caption("No survey responses in this filter: the survey figures are left out.")

if has_tickets:
    row2 = st.columns(4)
    with row2[0]:
        scope = complaints.rate_scope(filters)
        ui.metric(
            scope.label,
            ui.fmt_number(now.complaint_rate, 2),
            delta=(d := delta("complaint_rate")).text,
            delta_color=d.colour,
            n=f"{now.complaints:,} complaints / {now.customers_served:,} customers"
            if now.customers_served
            else f"{now.complaints:,} complaints; no customers-served data to divide by (import customers-served)",
            help=(scope.note + d.test).strip() or None,
        )
        if scope.note:
            st.caption(scope.note)
    with row2[1]:
        ui.metric(
            "Median first response",
            ui.fmt_survival_minutes(now.median_first_response, now.awaiting_first_n, now.responded_n),
            delta=f"target (median) {ui.fmt_minutes(now.median_first_response_target)}"
            if now.first_response_n
            else None,
            delta_color="off",
            n=f"{ui.fmt_n(now.responded_n)} answered, {now.awaiting_first_n:,} still waiting",
            help="Kaplan-Meier: a complaint still waiting counts with its wait so far, so slow ones are not left out.",
        )
    with row2[2]:
        ui.metric(
            "Median resolution time",
            ui.fmt_survival_minutes(now.median_resolution, now.still_open_n, now.resolved_n),
            delta=f"target (median) {ui.fmt_minutes(now.median_resolution_target)}" if now.resolution_n else None,
            delta_color="off",
            n=f"{ui.fmt_n(now.resolved_n)} resolved, {now.still_open_n:,} still open",
            help="Kaplan-Meier: a complaint still open counts with its age so far, so slow ones are not left out.",
        )
    with row2[3]:
        ui.metric(
            "Answered / resolved on time",
            f"{ui.fmt_within(now.first_response_within, now.first_response_n, now.complaints, 0)} / "
            f"{ui.fmt_within(now.resolution_within, now.resolution_n, now.complaints, 0)}"
            if now.first_response_n or now.resolution_n or not now.complaints
            else "no targets set",
            delta=(d := delta("resolution_within", 1, " pts")).text,
            delta_color=d.colour,
            n=f"{ui.fmt_n(now.resolution_n)} judged against a target, {now.late_open_n:,} of them "
            "still open past it (late)",
            help="Targets per channel and priority (service_targets). A complaint still open after its target has "
            "passed counts as late. The change is that of the share resolved on time." + d.test,
        )
else:
    st.caption("No complaints in this filter: the complaint figures are left out.")
with st.container(horizontal=True, gap="medium"):
    if servqual_survey:  # the rows page lists SERVQUAL responses with their gaps
        drilldown.rows_link("responses", "See the survey responses behind these numbers")
    if has_tickets:
        drilldown.rows_link("complaints", "See the complaints behind these numbers")
ui.how_computed(
    "Component gap = mean over respondents of (mean perception − mean expectation over the component's "
    "items). SERVQUAL score = mean of the component gaps; weighted = the mean over respondents with importance "
    "points of Σ w·gap, each with their own normalised weights. CSAT = answers 4-5 ÷ answers. "
    "NPS = % 9-10 − % 0-6. Complaint rate = complaints ÷ "
    "customers served × 1,000. Response and resolution times are measured from opening; a complaint counts "
    "as within target when its time is at most the target for its channel and priority.",
    filters,
    f"{now.respondents:,} survey respondents, {now.complaints:,} complaints, {now.customers_served:,} customers served",
    [
        "customers served are counted per branch and day, so the channel and segment filters narrow the "
        "complaints but not the customers served",
        "complaints not yet answered or resolved are left out of the time medians and the within-target shares",
    ],
)

st.subheader("Monthly trend")
months = overview.monthly(ui.query, filters)
# A panel whose measure has no value in any month (e.g. no survey) is left out and said so.
panels, missing_panels = overview.trend_panels(months)
if not panels:
    st.info("No tickets or survey ratings in this period.")
elif len(months) < 2:
    st.info(
        f"All the data in this period falls in one month ({months['month'].iloc[0]:%B %Y}): there is no trend to "
        "draw. Widen the period to see one."
    )
else:
    ui.chart(
        charts.monthly_trend(months, panels, title="Month by month"),
        key="overview_trend",
        filename="monthly_trend",
        select=ui.CrossFilter("month", "x"),
    )
    if missing_panels:
        st.caption("Not shown, no data in this period: " + "; ".join(missing_panels) + ".")
    ui.how_computed(
        "Each point is one calendar month inside the filter; partial months at the ends count only their "
        "days inside the period.",
        filters,
        f"{int(max(months['n_mean_gap'].sum(), months['n_mean_performance'].sum())):,} respondents, "
        f"{int(months['n_complaint_rate'].sum()):,} complaints",
    )

# The survey sections, when the filtered store holds a survey.
if not servqual_survey and perf.empty:
    st.caption("No survey responses in this filter: the weakest components and the branch comparison are left out.")
else:
    left, right = st.columns(2)
    with left:
        st.subheader("Three weakest components")
        if not servqual_survey:
            performance_ui.weakest_components(filters, perf)
        else:
            gaps = overview.with_gap_intervals(ui.query("component_gaps", filters))
            answered = gaps[gaps["n"] > 0].sort_values("mean_gap")
            weakest = answered.head(3)
            if weakest.empty:
                st.info("No survey scores in this period.")
            else:
                ui.chart(
                    charts.gap_bars(
                        weakest,
                        label="component_name",
                        title="Largest shortfalls against expectation",
                        ids="component_key",
                    ),
                    key="overview_weakest",
                    filename="weakest_components",
                    select=ui.CrossFilter("component", "customdata:-1"),
                )
                ui.table(
                    weakest[["component_name", "rater_group", "mean_gap", "ci_low", "ci_high", "n"]].rename(
                        columns={
                            "component_name": "Component",
                            "rater_group": "RATER group",
                            "mean_gap": "Gap (P − E)",
                            "ci_low": "95% CI low",
                            "ci_high": "95% CI high",
                            "n": "n",
                        }
                    ),
                    key="overview_weakest_table",
                    filename="weakest_components",
                    column_config={
                        c: st.column_config.NumberColumn(format="%.2f")
                        for c in ("Gap (P − E)", "95% CI low", "95% CI high")
                    },
                )
            ui.how_computed(
                "Gap = mean over respondents of (mean P − mean E over the component's items); 95% interval from the "
                "paired t distribution with n − 1 degrees of freedom.",
                filters,
                f"{int(answered['n'].max()) if len(answered) else 0:,} respondents",
                [f"{10 - len(answered)} components without answers"] if len(answered) < len(gaps) else [],
            )

    with right:
        st.subheader("Branches furthest below the network")
        surveyed = ui.query("branch_gaps" if servqual_survey else "branch_performance", filters)
        if len(surveyed) < 2:
            st.info(
                "Only one branch has survey responses in this filter: there is no network to compare it with."
                if len(surveyed)
                else "No branch has survey responses in this filter."
            )
        elif not servqual_survey:
            performance_ui.branches_below_network(filters)
        else:
            below, network, left_out = overview.branches_below_network(ui.query, filters, limit=8)
            if below.empty:
                st.info(f"No branch has {filters.min_n} or more survey responses in this period.")
            else:
                ui.chart(
                    charts.gap_bars(
                        below,
                        label="label",
                        value="difference",
                        low="difference_low",
                        high="difference_high",
                        title=f"Overall gap minus the network's ({network:+.2f})",
                        value_title="Branch gap − network gap<br>(points on a 1-7 scale)",
                        ids="branch_id",
                        value_name="difference from the network",
                    ),
                    key="overview_branches",
                    filename="branches_below_network",
                    select=ui.CrossFilter("branch", "customdata:-1"),
                )
            ui.how_computed(
                "Branch gap = mean over its respondents of their mean component gap; the network gap is the same "
                "over all respondents in the filter. Bars show the difference with the branch's 95% t interval: red "
                "when the whole interval is below the network, grey when it includes the network's value (not told "
                "apart from it).",
                filters,
                f"{int(below['n'].sum()) if len(below) else 0:,} respondents in the branches shown",
                [f"{left_out} branches with fewer than {filters.min_n} responses are not ranked"] if left_out else [],
            )

# --- branch manager view (appended: a separate strip, nothing above depends on it) ----------------
st.divider()
st.subheader("My branch")
ui.my_branch_strip(filters, key="overview")
