"""Complaints: what customers complain about (Pareto by category, family and component), through
which channels, how often per customer served (by branch and region, over time), and how well
the complaints are handled against the targets."""

import streamlit as st

from servicequality import ui
from servicequality.charts import complaints as cc
from servicequality.charts.common import interval_bars, stored
from servicequality.metrics import complaints, consistency, drilldown, overview

filters = ui.current_filters()

st.title("Complaints")
st.caption(filters.describe())

summary = ui.query("complaint_summary", filters).iloc[0]
handling = ui.query("handling_summary", filters).iloc[0]
quality = ui.query("handling_quality", filters).iloc[0]
head = complaints.headline(summary, handling, quality)
if head.complaints == 0:
    if ui.query("store_contents").iloc[0]["has_complaints"]:
        st.info(
            "No complaints in this period and filter: nothing to chart. Widen the period or the filters in the sidebar."
        )
    else:  # a survey or visits store: no period or filter would bring any
        st.info("The store holds no complaints: import tickets on the Data page to see them here.")
    st.stop()


def pct(value: float) -> str:
    return ui.fmt_number(100 * value, 1, " %")


row = st.columns(4)
with row[0]:
    scope = complaints.rate_scope(filters)
    ui.metric(
        scope.label,
        ui.fmt_number(head.rate_per_1000, 2) if head.served else "not recorded",
        n=f"{head.complaints:,} complaints / {head.served:,} customers"
        if head.served
        else f"{head.complaints:,} complaints; no customers served recorded to divide by",
        help=scope.note or None,
    )
    if scope.note:
        st.caption(scope.note)
with row[1]:
    ui.metric(
        "Reopened",
        pct(head.reopened) if quality["reopened_n"] else "not recorded",
        n=complaints.recorded_words(quality["reopened"], quality["reopened_n"], quality["complaints"]),
        help="Complaints reopened at least once after being resolved.",
    )
with row[2]:
    ui.metric(
        "Escalated",
        pct(head.escalated) if quality["escalated_n"] else "not recorded",
        n=complaints.recorded_words(quality["escalated"], quality["escalated_n"], quality["complaints"]),
    )
with row[3]:
    ui.metric(
        "Satisfied with handling",
        pct(head.satisfied) if quality["satisfaction_n"] else "not recorded",
        # no chip without a score: "mean – of 5" reads as a number that is missing
        delta=f"mean {ui.fmt_number(quality['mean_satisfaction'], 2)} of 5" if quality["satisfaction_n"] else None,
        delta_color="off",
        n=ui.fmt_n(quality["satisfaction_n"]) + " scored complaints"
        if quality["satisfaction_n"]
        else "no complaint in this filter has a score",
        # "(4-5 of 5)" in the label was cut to "(4-5 …" on a 1440 px screen's quarter-width card
        help="Share of the scored complaints whose customer rated the handling 4 or 5 on a 1-5 scale.",
    )
drilldown.rows_link("complaints", "See the complaints behind these numbers")

if filters.my_branch:
    st.subheader("My branch")
    ui.my_branch_strip(filters, key="complaints", measures=("complaint_rate", "within_target"))

# --- what customers complain about ------------------------------------------------------------
st.subheader("What customers complain about")
pareto = ui.query("complaint_pareto", filters)
if pareto.empty:
    st.info("No complaints in this period.")
elif not_recorded := complaints.no_category_recorded(pareto):
    st.info(not_recorded)
else:
    colour_by = st.radio(
        "Colour the categories by",
        ["family", "component"],
        format_func={"family": "Family (product or service)", "component": "Component the category points at"}.get,
        horizontal=True,
        key="complaints_colour_by",
    )
    bars = complaints.pareto_bars(pareto)
    ui.chart(
        cc.pareto(bars, colour_by=colour_by, title="Complaint categories, most frequent first (Pareto)"),
        key="complaints_pareto",
        filename="complaint_categories_pareto",
        select=ui.CrossFilter("category", "customdata:-1"),
        hint="Click a category's bar to filter the dashboard by it.",
    )
    few = complaints.vital_few(pareto)
    st.markdown(complaints.vital_few_words(few))
    with st.expander(f"Every category ({len(pareto):,})"):
        ui.table(
            complaints.pareto_labelled_table(pareto),
            key="complaints_categories_table",
            filename="complaint_categories",
            column_config={
                complaints.PARETO_TABLE_LABELS["complaints"]: st.column_config.NumberColumn(format="localized"),
                complaints.PARETO_TABLE_LABELS["share_pct"]: st.column_config.NumberColumn(format="%.1f"),
                complaints.PARETO_TABLE_LABELS["cumulative_pct"]: st.column_config.NumberColumn(format="%.1f"),
            },
        )
    ui.how_computed(
        complaints.pareto_method(bars),
        filters,
        f"{few.total:,} complaints",
        ["complaints without a mapped category appear as 'Unmapped'"] if "Unmapped" in set(pareto["category"]) else [],
    )

left, right = st.columns(2)
with left:
    channels = ui.query("complaint_channels", filters)
    channels = channels[channels["complaints"] > 0]
    if channels.empty:
        st.info("No complaints in this period.")
    else:
        ui.chart(
            cc.channel_bars(channels, title="Complaints by channel"),
            key="complaints_channels",
            filename="complaints_by_channel",
            select=ui.CrossFilter("channel", "y"),
            hint="Click a channel's bar to filter the dashboard by it.",
        )
        ui.how_computed(
            "Complaints opened through each channel, split by the family of their category.",
            filters,
            f"{int(channels['complaints'].sum()):,} complaints of {int(channels['tickets'].sum()):,} tickets",
        )
with right:
    monthly = overview.monthly(ui.query, filters)
    by_family = ui.query("complaint_monthly_family", filters)
    if by_family.empty:
        st.info("No complaints in this period.")
    else:
        rates = monthly[["month", "complaints", "customers_served", "complaint_rate"]].dropna(subset=["complaint_rate"])
        ui.chart(
            cc.monthly_complaints(by_family, rates, title="Complaints month by month"),
            key="complaints_trend",
            filename="complaints_by_month",
            select=ui.CrossFilter("month", "x"),
        )
        ui.partial_months_note(filters)
        ui.how_computed(
            "Complaints opened per calendar month by family; rate = complaints ÷ customers served × 1,000 in the "
            "same month. Partial months at the ends of the period count only their days inside it.",
            filters,
            f"{int(by_family['complaints'].sum()):,} complaints",
            ["customers served are not recorded per channel or segment, so those filters narrow only the complaints"],
        )

# --- complaint rate by branch and region --------------------------------------------------------
st.subheader("Complaint rate by branch and region")
branch_rows = ui.query("consistency_branch_measures", filters)
rate = consistency.branch_measure(branch_rows, "complaint_rate")
rate = rate[rate["volume"] > 0]
if rate.empty:
    st.info(
        "No customers served are recorded for these branches and days: the complaint rate needs them "
        "(import customers-served on the Data page)."
    )
else:
    network_rate = consistency.pooled(branch_rows, "complaint_rate")["value"]
    my_label = None
    if filters.my_branch:
        mine = rate.loc[rate["branch_id"] == filters.my_branch, "label"]
        my_label = mine.iloc[0] if len(mine) else None
    left, right = st.columns([3, 2])
    with left:
        ui.chart(
            interval_bars(
                rate.sort_values("value", ascending=False),
                label="label",
                n_words="customers served",
                title=f"{scope.label.replace(' served', ' customers served')}, by branch",
                value_title="Complaints per 1,000 customers served (95% interval)",
                reference=network_rate,
                highlight=my_label,
                higher_is_better=False,
                ids="branch_id",
            ),
            key="complaints_branch_rates",
            filename="complaint_rate_by_branch",
            select=ui.CrossFilter("branch", "customdata:-1"),
        )
    with right:
        regions = consistency.grouped_rates(branch_rows, "region", "complaint_rate")
        regions = regions[regions["volume"] > 0]
        regions["label"] = regions["region"] + " (" + regions["branches"].astype(str) + " branches)"
        ui.chart(
            interval_bars(
                regions.sort_values("value", ascending=False),
                label="label",
                n_words="customers served",
                title=f"{scope.label.replace(' served', ' customers served')}, by region",
                value_title="Complaints per 1,000 customers served (95% interval)",
                reference=network_rate,
                higher_is_better=False,
                label_title="Region",
                ids="region",
            ),
            key="complaints_region_rates",
            filename="complaint_rate_by_region",
            select=ui.CrossFilter("region", "customdata:-1"),
        )
        ui.table(
            regions[["region", "value", "events", "volume"]]
            .astype({"events": "int64", "volume": "int64"})
            .rename(
                columns={
                    "region": "Region",
                    "value": "Per 1,000 served",
                    "events": "Complaints",
                    "volume": "Customers served",
                }
            ),
            key="complaints_region_table",
            filename="complaint_rate_by_region",
            column_config={
                "Per 1,000 served": st.column_config.NumberColumn(format="%.2f"),
                "Complaints": st.column_config.NumberColumn(format="localized"),
                "Customers served": st.column_config.NumberColumn(format="localized"),
            },
        )
    ui.how_computed(
        "Rate = complaints ÷ customers served × 1,000 per branch (pooled over branches for a region); 95% interval "
        "exact Poisson (Garwood). The dashed line is the network rate. Raw counts would punish big branches; "
        "see Branch consistency for the funnel plot and the ranking.",
        filters,
        f"{int(rate['events'].sum()):,} complaints / {int(rate['volume'].sum()):,} customers served in "
        f"{len(rate)} branches",
        ["branches with no customers served recorded in the period"] if len(rate) < len(branch_rows) else [],
    )

# --- handling -----------------------------------------------------------------------------------
st.subheader("How complaints are handled")
targets = ui.query("handling_targets", filters)
no_target = not targets.empty and complaints.no_target_set(targets)
ui.tiles(complaints.handling_tiles(head, handling, no_target=no_target))
st.caption(
    "Times count the complaints still open too: each is censored at its age on the data's last recorded "
    "moment (Kaplan-Meier), so slow cases still open are not left out; a percentile the open cases keep "
    'out of reach reads "not reached". A complaint still open after its target has passed counts as late.'
)

if targets.empty:
    st.info("No complaints in this period.")
else:
    priorities = [p for p in ("low", "normal", "high", "urgent") if p in set(targets["priority"])]
    # One priority on every complaint (a mapping's constant where the export records none: the CFPB,
    # Boston 311) is no choice to offer, nor a word for the titles.
    several = len(priorities) > 1
    priority = (
        st.radio(
            "Priority",
            priorities,
            index=priorities.index("normal") if "normal" in priorities else 0,
            format_func=str.capitalize,  # the stored codes in words, as the Rows page writes them
            horizontal=True,
            key="complaints_priority",
        )
        if several
        else priorities[0]
    )
    of_priority = f" ({stored(priority)} priority)" if several else ""
    chosen = targets[targets["priority"] == priority]
    left, right = st.columns(2)
    with left:
        answered = chosen[chosen["responded_n"] > 0]
        if answered.empty:
            # Boston 311 and the CFPB: no first response in the export at all, at any priority
            st.info(
                "The export records no first response for these complaints."
                if not int(handling["responded_n"] or 0)
                else f"No answered complaints{' at this priority' if several else ''}."
            )
        else:
            ui.chart(
                cc.handling_vs_target(
                    answered,
                    stage="first_response",
                    title=f"Time to first response against target{of_priority}",
                ),
                key="complaints_first_vs_target",
                filename=f"first_response_vs_target_{priority}",
                select=ui.CrossFilter("channel", "y"),
                hint="Click a channel's marker to filter the dashboard by it.",
            )
    with right:
        resolved = chosen[chosen["resolved_n"] > 0]
        if resolved.empty:
            # the CFPB: its closed complaints have no closing time
            st.info(
                "The export records no resolution time for these complaints."
                if not int(handling["resolved_n"] or 0)
                and complaints.untimed(handling["complaints"], handling["resolved_n"], handling["still_open_n"])
                else f"No resolved complaints{' at this priority' if several else ''}."
            )
        else:
            ui.chart(
                cc.handling_vs_target(
                    resolved,
                    stage="resolution",
                    title=f"Time to resolution against target{of_priority}",
                ),
                key="complaints_resolution_vs_target",
                filename=f"resolution_vs_target_{priority}",
                select=ui.CrossFilter("channel", "y"),
                hint="Click a channel's marker to filter the dashboard by it.",
            )
    if own_deadlines := complaints.own_deadline_words(chosen):
        st.caption(own_deadlines)
    by_channel = complaints.within_target_by_channel(targets)
    if no_target:
        st.info(
            "No target set for these complaints (no service targets for their channels and priorities, "
            "and no deadline of their own), so there is no share within target by channel to chart."
        )
    elif not (by_channel["first_n"].sum() or by_channel["resolution_n"].sum()):
        st.info("No complaint with a target has been answered or resolved yet: no share within target to chart.")
    else:
        ui.chart(
            cc.within_target_bars(
                by_channel, title="Share within target by channel" + (" (all priorities)" if several else "")
            ),
            key="complaints_within_target",
            filename="within_target_by_channel",
            select=ui.CrossFilter("channel", "x"),
            hint="Click a channel's bar to filter the dashboard by it.",
        )
    table = complaints.targets_table(targets).rename(
        columns={
            "channel": "Channel",
            "priority": "Priority",
            "complaints": "Complaints",
            "first_response_target": "First response target (min)",
            "median_first_response_minutes": "Median first response (min)",
            "p90_first_response_minutes": "P90 first response (min)",
            "resolution_target": "Resolution target (min)",
            "median_resolution_minutes": "Median resolution (min)",
            "p90_resolution_minutes": "P90 resolution (min)",
            "first_pct": "Answered within target (%)",
            "resolution_pct": "Resolved within target (%)",
        }
    )
    shown = [
        "Channel",
        *(["Priority"] if several else []),
        "Complaints",
        "First response target (min)",
        "Median first response (min)",
        "P90 first response (min)",
        "Answered within target (%)",
        "Resolution target (min)",
        "Median resolution (min)",
        "P90 resolution (min)",
        "Resolved within target (%)",
    ]
    with st.expander("Every channel and priority" if several else "Every channel"):
        ui.table(
            table[shown],
            key="complaints_targets_table",
            filename="handling_by_channel_and_priority",
            column_config={
                c: st.column_config.NumberColumn(format="%.1f") for c in shown[shown.index("Complaints") + 1 :]
            },
        )
    ui.how_computed(
        "Times are minutes from opening to the first response and to resolution; median and 90th percentile "
        "(percentile_cont) over the complaints that got one. Targets per channel and priority come from "
        "service_targets, or from a complaint's own deadline where the export sets one per ticket (a pair "
        "whose complaints' deadlines differ shows no single target); a complaint is within target when its "
        "time is at most its target.",
        filters,
        f"{int(targets['responded_n'].sum()):,} answered and {int(targets['resolved_n'].sum()):,} resolved "
        f"complaints of {int(targets['complaints'].sum()):,}",
        [
            "complaints not yet answered or resolved are left out of the times and the within-target shares "
            "(they are in the backlog below)"
        ],
    )

left, right = st.columns(2)
with left:
    backlog = ui.query("handling_backlog", filters)
    open_n = int(backlog["open_complaints"].sum())
    st.markdown(f"**Open backlog at {filters.end:%d %b %Y}: {open_n:,} complaints**")
    # not the tiles' 'still open' (the period's complaints open on the data's last day): say which
    st.caption(complaints.backlog_words(open_n, int(backlog["opened_before_period"].sum())))
    if open_n == 0:
        st.info("No complaint was open at the end of the period.")
    else:
        ui.chart(
            cc.count_bars(
                backlog,
                x="age_bucket",
                y="open_complaints",
                colour="#b9770e",
                title=f"Open complaints by age at {filters.end:%d %b %Y}",
                x_title="Age at the end of the period",
                y_title="Open complaints",
            ),
            key="complaints_backlog",
            filename="open_backlog_by_age",
        )
    ui.how_computed(
        "Open at the end of the period = opened before the end of its last day and not resolved by then. Age = "
        "time from opening to the end of the period; an export that records the opening date only is read from "
        "the middle of that day.",
        filters,
        f"{open_n:,} open complaints, {int(backlog['opened_before_period'].sum()):,} of them opened before the period",
    )
with right:
    scores = ui.query("handling_satisfaction", filters)
    scored = int(scores["complaints"].sum())
    st.markdown("**Satisfaction with the handling**" + (f": {scored:,} scored complaints" if scored else ""))
    if scored == 0:
        st.info("No complaint in this period has a satisfaction score.")
    else:
        ui.chart(
            cc.count_bars(
                scores,
                x="satisfaction",
                y="complaints",
                colour="#2471a3",
                title="Complainants' satisfaction with the handling",
                x_title="Satisfaction score (1 = very dissatisfied, 5 = very satisfied)",
                y_title="Complaints",
            ),
            key="complaints_satisfaction",
            filename="handling_satisfaction",
        )
    ui.how_computed(
        "The score (1-5) a complainant gave the handling of their complaint; satisfied = 4 or 5.",
        filters,
        f"{scored:,} scored complaints of {int(quality['complaints']):,}",
        ["complaints without a score"],
    )
