"""Customers: whether they come back (return rate), whether they praise or complain (reputation),
and whether a complaint handled well keeps the customer (recovery after complaints)."""

import pandas as pd
import streamlit as st

from servicequality import ui
from servicequality.charts import customers as charts
from servicequality.charts.common import interval_bars
from servicequality.metrics import consistency, customers
from servicequality.metrics.formats import branch_labels, comparison_words

filters = ui.current_filters()
previous = filters.previous_period()

st.title("Customers")
contents = ui.query("store_contents").iloc[0]
has_visits = bool(contents["has_visits"])
returns_now = ui.query("customer_returns", filters) if has_visits else pd.DataFrame()
judged = customers.comparable_words(filters, customers.as_of(returns_now)) if has_visits else ""
cards = customers.headline_tiles(ui.query, filters, contents)
st.caption(f"{filters.describe()}.{comparison_words(cards, ui.compared_with(previous, judged))}")
days = filters.return_days
ui.tiles(cards)

branch_rows = ui.query("consistency_branch_measures", filters)
my_label = None
if filters.my_branch:
    named = branch_rows.loc[branch_rows["branch_id"] == filters.my_branch]
    my_label = branch_labels(named).iloc[0] if len(named) else None


def branch_chart(df: pd.DataFrame, network: float, *, n_words: str, title: str, axis: str, name: str) -> None:
    """One share per branch, highest first, against the network's; a click filters by the branch."""
    ui.chart(
        interval_bars(
            df.sort_values("value", ascending=False),
            label="label",
            n_words=n_words,
            title=title,
            value_title=axis,
            reference=network,
            highlight=my_label,
            digits=1,
            dots=True,
            ids="branch_id",
        ),
        key=f"customers_{'return' if name == 'return_rate' else name}_by_branch",
        filename=f"{name}_by_branch",
        select=ui.CrossFilter("branch", "customdata:-1"),
    )


# --- do customers come back? ----------------------------------------------------------------------
st.subheader("Do customers come back?")
if not has_visits:
    st.info(customers.NO_CUSTOMERS)
elif returns_now.empty:
    st.info("No identified customer visited in this period and filter.")
else:
    with_returns = consistency.with_returns(branch_rows, returns_now)
    by_branch = consistency.branch_measure(with_returns, "return_rate")
    by_branch = by_branch[by_branch["volume"] > 0]
    network = consistency.pooled(with_returns, "return_rate")
    if by_branch.empty:
        st.info(f"No customer in this period can be judged yet: their {days}-day window has not closed.")
    else:
        branch_chart(
            by_branch,
            network["value"],
            n_words="customers judged",
            title=f"Customers back within {days} days, by branch (95% intervals)",
            axis=f"% back within {days} days",
            name="return_rate",
        )
    total = customers.returns(returns_now)
    if sentence := customers.referrals_in_words(returns_now):
        st.markdown(sentence)
    ui.how_computed(
        customers.RETURN_FORMULA.format(days=days),
        filters,
        f"{total.rate.n:,} customers judged of {total.customers:,} seen",
        [
            f"{total.not_judged:,} customers first seen too recently to judge",
            "complaint categories and components: visits have none, so those filters do not narrow them",
        ]
        if total.not_judged
        else ["complaint categories and components: visits have none, so those filters do not narrow them"],
    )

# --- reputation ---------------------------------------------------------------------------------------
st.subheader("Praise or complaints: reputation by branch")
if filters.categories or filters.components:
    st.info(
        "Reputation is not shown under a complaint category or component filter: compliments have no category, so "
        "the filter would leave none of them and the share would read 0 %."
    )
elif not contents["has_compliments"]:
    st.info(
        (
            "The store holds no tickets, so reputation (compliments among compliments and complaints) is not "
            "recorded here. Import tickets, compliments among them, to see it."
        )
        if not contents["has_tickets"]
        else "The tickets hold no compliments, so reputation (compliments among compliments and complaints) is not "
        "recorded here. Import tickets whose kind includes compliments to see it."
    )
else:
    praise = consistency.branch_measure(branch_rows, "reputation")
    praise = praise[praise["volume"] > 0]
    if praise.empty:
        st.info("No compliments or complaints in this period and filter.")
    else:
        network = consistency.pooled(branch_rows, "reputation")
        branch_chart(
            praise,
            network["value"],
            n_words="compliments and complaints",
            title="Compliments among compliments and complaints, by branch (95% intervals)",
            axis="% compliments",
            name="reputation",
        )
        ui.how_computed(
            customers.REPUTATION_FORMULA,
            filters,
            f"{int(network['events']):,} compliments of {int(network['volume']):,} compliments and complaints",
        )

# --- recovery after complaints ----------------------------------------------------------------------
st.subheader("After a complaint: do customers come back?")
if not has_visits:  # the same reason as the return rate's, said once above
    st.info("This needs identified customers too (see above).")
    st.stop()
if not contents["has_customer_complaints"]:
    st.info(
        ("No complaint in this store names its customer" if contents["has_tickets"] else "The store holds no tickets")
        + ", so recovery after complaints cannot be measured. Import tickets with a mapping that names the "
        "customer column (`customer`), and visits, to see it."
    )
    st.stop()
recovery_rows = customers.recovery_rows(ui.query("complaint_recovery", filters))
recovery = customers.recovery(recovery_rows.strata)
table = recovery.table
if table.empty or not recovery.reference.n or len(table) < 2:
    st.info(
        f"Too few identified customers in this period and filter whose {days}-day window has closed to compare "
        "those who complained with those who did not."
    )
    st.stop()
for _, row in table[table["outcome"] != customers.REFERENCE].iterrows():
    if row["judged"] >= filters.min_n:
        st.markdown("- " + customers.recovery_in_words(row))
st.caption(
    f"An association, not proof of cause: each group is compared with customers of the same {recovery.adjusted_for} "
    "who had not complained, but what the data does not record (why the customer complained, what else happened) is "
    "not adjusted for."
)
left, right = st.columns(2)
with left:
    ui.chart(
        charts.recovery_differences(
            table[(table["outcome"] != customers.REFERENCE) & (table["judged"] >= filters.min_n)],
            title=f"Return within {days} days against customers who had not complained, adjusted for "
            f"{recovery.adjusted_for}",
        ),
        key="customers_recovery",
        filename="recovery_after_complaints",
    )
with right:
    curves = customers.recovery_curves(recovery_rows.times)
    ui.chart(
        charts.return_curves(curves, title="Time to the next visit (Kaplan-Meier)", return_days=days),
        key="customers_return_curves",
        filename="time_to_next_visit",
    )
ui.table(
    customers.recovery_table(table),
    key="customers_recovery_table",
    filename="recovery_after_complaints",
    column_config={
        "customers": st.column_config.NumberColumn("Customers", format="localized"),
        "judged": st.column_config.NumberColumn("Judged", format="localized"),
        "returned": st.column_config.NumberColumn(f"Back within {days} days", format="localized"),
    },
)
ui.how_computed(
    customers.RECOVERY_FORMULA.format(days=days, adjusted_for=recovery.adjusted_for),
    filters,
    f"{int(table['judged'].sum()):,} customers judged "
    f"({int(table.loc[table['outcome'] != customers.REFERENCE, 'judged'].sum()):,} "
    "who complained)",
    [f"groups with fewer than {filters.min_n} customers judged are not charted or put in words"]
    + ["customers first seen too recently to judge (their window had not closed)"],
)
