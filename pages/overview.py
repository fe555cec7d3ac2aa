"""Executive overview: headline numbers against the previous period, monthly trend, the
weakest components and the branches furthest below the network."""

import streamlit as st

from servicequality import ui
from servicequality.charts import common as charts
from servicequality.metrics import customers, drilldown, overview
from servicequality.metrics.formats import comparison_words, none_below_words
from servicequality.ui import performance as performance_ui

filters = ui.current_filters()
previous = filters.previous_period()

st.title("Executive overview")
caption = st.empty()  # filled once the cards are known: "Changes compare with" only if one shows a change
cards = []


def show(row, columns=None) -> None:
    cards.extend(row)
    ui.tiles(row, columns)


now = overview.headline(ui.query, filters)
before = overview.headline(ui.query, previous, times=False)  # compared by its shares only


moves = overview.headline_changes(now, before)
# What the filtered store holds decides which tiles make sense: SERVQUAL gaps need expectations, a
# performance-only survey has ratings, a store without tickets has no complaint tiles.
survey = overview.survey_view(ui.query, filters, now)
servqual_survey, perf, model = survey.servqual, survey.ratings, survey.model
has_tickets = now.complaints > 0 or now.customers_served > 0

if servqual_survey:
    show(overview.survey_tiles(now, moves, ui.query("survey_questions").iloc[0]))
elif model.performance_only:
    st.caption(model.sentence())
    show(overview.ratings_tiles(ui.query, filters, ui.query("survey_questions").iloc[0], perf, previous), 4)
else:
    st.caption(ui.no_surveys("the survey figures are left out"))

contents = ui.query("store_contents").iloc[0]
if has_tickets:
    show(overview.complaint_tiles(now, moves, filters))
elif contents["has_complaints"]:
    st.caption("No complaints in this filter: the complaint figures are left out.")
else:  # a survey or visits store: widening the filter would not bring any
    st.caption("The store holds no complaints: there are no complaint figures.")
if contents["has_visits"] or contents["has_compliments"]:
    # customers who come back and the share of feedback that is praise (the Customers page has more)
    show(customers.headline_tiles(ui.query, filters, contents), columns=4)
caption.caption(f"{filters.describe()}.{comparison_words(cards, ui.compared_with(previous))}")
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
panels, missing_panels = overview.trend_panels(
    months, overview.unheld_panels(contents, ui.query("survey_questions").iloc[0])
)
if not panels:
    st.info(
        "No tickets or survey ratings in this period."
        if contents["has_tickets"] or contents["has_responses"]
        else "The store holds no tickets or survey ratings: there is no monthly trend to draw."
    )
elif len(months) < 2:
    ui.one_period_info(months["month"].iloc[0])
else:
    ui.chart(
        charts.monthly_trend(months, panels, title="Month by month"),
        key="overview_trend",
        filename="monthly_trend",
        select=ui.CrossFilter("month", "x"),
    )
    ui.partial_months_note(filters)
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
    st.caption(ui.no_surveys("the weakest components and the branch comparison are left out"))
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
                # four columns fit a phone's 358 px; a long name wraps (the grid wraps rows over 64 px)
                ui.table(
                    overview.weakest_table(weakest),
                    key="overview_weakest_table",
                    filename="weakest_components",
                    row_height=66 if overview.weakest_table_wraps(weakest) else None,
                    column_config={
                        "Component": st.column_config.TextColumn(width=130),
                        "Gap (P − E)": st.column_config.NumberColumn(format="%.2f"),
                        "± (95% CI)": st.column_config.NumberColumn(format="%.2f"),
                        "n": st.column_config.NumberColumn(format="localized"),
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
        # over every branch: a manager's own branches against the whole network, peers anonymised
        surveyed = ui.network_query("branch_gaps" if servqual_survey else "branch_performance", filters)
        if len(surveyed) < 2:
            st.info(
                "Only one branch has survey responses in this filter: there is no network to compare it with."
                if len(surveyed)
                else "No branch has survey responses in this filter."
            )
        elif not servqual_survey:
            performance_ui.branches_below_network(filters)
        else:
            below, network, left_out, compared = overview.branches_below_network(ui.network_query, filters, limit=8)
            if not compared:
                st.info(f"No branch has {filters.min_n} or more survey responses in this period.")
            elif below.empty:
                st.info(ui.minus(none_below_words(compared, filters.min_n, f"{network:+.2f}", "an overall gap")))
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
