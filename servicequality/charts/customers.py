"""Charts of customers who come back: a share per branch with its interval, the recovery
differences after complaints, and the Kaplan-Meier curves of time to the next visit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from servicequality.charts.common import INK, NEUTRAL, SHORTFALL, SURPLUS, gap_bars, layout

# One colour per outcome group (metrics.customers.OUTCOMES), each 3:1 on both themes.
OUTCOME_COLOURS = {
    "none": NEUTRAL,
    "within_target": SURPLUS,
    "late": SHORTFALL,
    "open": "#d35400",
    "escalated": "#8e44ad",
    "reopened": "#9a7d0a",
    "no_target": "#148f77",
}


def recovery_differences(table: pd.DataFrame, *, title: str) -> go.Figure:
    """Each complaint outcome's difference in return rate from customers who had not complained, in
    points, adjusted for branch and segment, with its 95% interval (red when wholly below 0)."""
    rows = table[np.isfinite(table["adjusted"].astype(float))]
    return gap_bars(
        rows.rename(columns={"judged": "n"}),
        label="group",
        value="adjusted",
        low="adjusted_low",
        high="adjusted_high",
        title=title,
        value_title="Difference from customers who had not complained (points)",
        value_name="difference (points)",
    )


def return_curves(curves: pd.DataFrame, *, title: str, return_days: int) -> go.Figure:
    """Kaplan-Meier: the share of each group back by day t (percent), one step line per group, with
    the return window marked."""
    fig = go.Figure()
    for outcome, group in curves.groupby("outcome", sort=False):
        fig.add_trace(
            go.Scatter(
                x=group["days"],
                y=group["back"],
                mode="lines",
                line=dict(shape="hv", color=OUTCOME_COLOURS.get(outcome, NEUTRAL), width=2),
                name=group["group"].iloc[0],
                customdata=group[["at_risk"]].to_numpy(),
                hovertemplate="%{fullData.name}<br>day %{x:.0f}: %{y:.1f} % back<br>%{customdata[0]:,.0f} not "
                "back yet and still observed<extra></extra>",
            )
        )
    fig.add_vline(
        x=return_days,
        line_color=INK,
        line_dash="dot",
        line_width=1,
        annotation_text=f"{return_days} days",
        annotation_position="bottom right",
    )
    fig.update_xaxes(title_text="Days since the complaint (or first visit)", rangemode="tozero")
    fig.update_yaxes(title_text="Customers back (%)", range=[0, 100])
    # the legend under the plot: beside it, six group names would leave a phone's plot no width
    fig.update_layout(legend=dict(orientation="h", y=-0.25, x=0, xanchor="left"))
    return layout(fig, title, 440)
