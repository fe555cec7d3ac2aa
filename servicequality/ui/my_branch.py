"""The branch manager view: my branch against its peers and the network."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from servicequality.charts import consistency as charts_consistency
from servicequality.filters import Filters
from servicequality.metrics import consistency
from servicequality.metrics.formats import fmt_number, plain
from servicequality.ui.data import network_query
from servicequality.ui.widgets import chart, how_computed, metric

# --- the branch manager view ------------------------------------------------------------------

MY_BRANCH_MEASURES = ("complaint_rate", "within_target", "csat", "survey_gap")


def my_branch_comparison(filters: Filters, measures: Sequence[str] = MY_BRANCH_MEASURES) -> dict[str, pd.DataFrame]:
    """My branch, its peers and the network on each measure (consistency.peer_comparison).

    Uses the period, channel and segment filters but every region and branch, so the peer group
    and the network are complete whatever the region and branch filters say. Empty when no
    branch is chosen.
    """
    if not filters.my_branch:
        return {}
    wide = filters.network_wide()
    rows = network_query("consistency_branch_measures", wide)
    # A survey without expectations is compared by its ratings; measures without data are left out.
    has_ratings = False
    if rows["gap_n"].fillna(0).sum() == 0 and not (ratings := network_query("branch_performance", wide)).empty:
        rows, has_ratings = consistency.with_performance(rows, ratings), True
    available = consistency.measures_with_data(rows, has_ratings)
    shown = [k for k in (*measures, "survey_performance") if k in available]
    return {key: consistency.peer_comparison(rows, filters.my_branch, filters.peers, key) for key in shown}


def my_branch_strip(filters: Filters, *, key: str, measures: Sequence[str] = MY_BRANCH_MEASURES) -> None:
    """A small, self-contained "My branch vs peers vs network" section; a hint when none is chosen."""
    if not filters.my_branch:
        st.caption("Choose **My branch** in the sidebar to compare it with its peers and the network here.")
        return
    comparisons = my_branch_comparison(filters, measures)
    if not comparisons:
        st.info("No measure has data for the branches in this period: nothing to compare my branch on.")
        return
    if all(df.empty for df in comparisons.values()):
        st.info(f"Branch {filters.my_branch} is not in the store.")
        return
    first = next(iter(comparisons.values()))
    mine_words, peer_words = first["group"].iloc[0], first["group"].iloc[1]
    # the branch's name is a file's text: shown as its characters, never as markdown
    st.markdown(f"**{plain(mine_words)}** against its {peer_words[0].lower() + peer_words[1:]} and the whole network")
    columns = st.columns(len(comparisons))
    for column, (measure_key, df) in zip(columns, comparisons.items(), strict=True):
        m = consistency.MEASURES[measure_key]
        mine, peers_row = df.iloc[0], df.iloc[1]
        suffix = " %" if m.unit == "%" else ""
        difference = mine["value"] - peers_row["value"]
        with column:
            metric(
                m.mine,
                fmt_number(mine["value"], m.digits, suffix),
                delta=None if math.isnan(difference) else f"{difference:+,.{m.digits}f} vs peers",
                delta_color="normal" if m.higher_is_better else "inverse",
                n=f"n = {int(mine['volume']):,} {m.volume_label}",
                help=f"Peers: {fmt_number(peers_row['value'], m.digits, suffix)}; network: "
                f"{fmt_number(df.iloc[2]['value'], m.digits, suffix)}.",
            )
    chart(
        charts_consistency.peer_panels(comparisons, title="My branch, its peers and the network (95% intervals)"),
        key=f"{key}_my_branch",
        filename="my_branch_vs_peers",
        wide=True,  # four panels: on a phone their titles would run into each other
    )
    how_computed(
        "Each group is pooled: complaints ÷ customers served × 1,000; complaints resolved within target ÷ "
        "resolved complaints with a target; survey answers 4-5 ÷ answers; the SERVQUAL gap as the mean over "
        "all the group's respondents of their mean component gap. Intervals: exact Poisson (rate), Wilson "
        "(shares), t (gap). Peers exclude my branch.",
        filters,
        "; ".join(
            f"{consistency.MEASURES[k].short}: {int(df.iloc[0]['volume']):,} {consistency.MEASURES[k].volume_label}"
            for k, df in comparisons.items()
        ),
        ["the region and branch filters: peers and network always cover every branch"],
    )
