"""Chart builders for the complaints page: DataFrame in, labelled plotly Figure out. No Streamlit
here. Every axis has a title in plain words; every hover shows n.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from servicequality.charts.common import (
    INK,
    NEUTRAL,
    SHORTFALL,
    SURPLUS,
    layout,
)

FAMILY_COLOURS = {"product": "#2471a3", "service": "#b9770e", "unmapped": "#808b96"}
FAMILY_NAMES = {"product": "Product", "service": "Service", "unmapped": "Unmapped"}
PALETTE = [
    "#1f77b4",
    "#c45a00",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#c2439f",
    "#7f7f7f",
    "#8a8a00",
    "#138d90",
    "#6c6fb5",
    "#637939",
]


def pareto(df: pd.DataFrame, *, colour_by: str = "family", title: str) -> go.Figure:
    """Complaint categories as bars sorted descending plus the cumulative share line.

    `df`: category, family, component_name, complaints. colour_by: 'family' or 'component'.
    """
    d = df.sort_values(["complaints", "category"], ascending=[False, True]).reset_index(drop=True)
    total = d["complaints"].sum()
    d["cumulative_pct"] = 100 * d["complaints"].cumsum() / total if total else 0.0
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    group_col = "family" if colour_by == "family" else "component_name"
    groups = list(dict.fromkeys(d[group_col]))
    for i, group in enumerate(groups):
        part = d[d[group_col] == group]
        colour = (
            FAMILY_COLOURS.get(group, PALETTE[i % len(PALETTE)]) if colour_by == "family" else PALETTE[i % len(PALETTE)]
        )
        name = FAMILY_NAMES.get(group, group) if colour_by == "family" else group
        fig.add_trace(
            go.Bar(
                x=part["category"],
                y=part["complaints"],
                name=name,
                marker_color=colour,
                customdata=part[["family", "component_name"]].to_numpy(),
                hovertemplate="%{x}: %{y:,} complaints<br>family %{customdata[0]}, component "
                "%{customdata[1]}<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Scatter(
            x=d["category"],
            y=d["cumulative_pct"],
            name="Cumulative share",
            mode="lines+markers",
            line=dict(color=INK, width=2),
            hovertemplate="up to %{x}: %{y:.1f}% of complaints<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_xaxes(
        title_text="Complaint category (most frequent first)", categoryorder="array", categoryarray=d["category"]
    )
    fig.update_yaxes(title_text="Complaints", secondary_y=False)
    fig.update_yaxes(
        title_text="Cumulative share of complaints (%)",
        range=[0, 105],
        secondary_y=True,
        showgrid=False,
        tickmode="linear",
        tick0=0,
        dtick=20,
    )
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.3, title_text=None))
    return layout(fig, title, 440)


def channel_bars(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Complaints per channel, stacked by family. `df`: channel, complaints, product_complaints,
    service_complaints, tickets."""
    d = df.sort_values("complaints")
    other = d["complaints"] - d["product_complaints"] - d["service_complaints"]
    fig = go.Figure()
    for column, family in (("product_complaints", "product"), ("service_complaints", "service")):
        fig.add_trace(
            go.Bar(
                y=d["channel"],
                x=d[column],
                orientation="h",
                name=FAMILY_NAMES[family],
                marker_color=FAMILY_COLOURS[family],
                customdata=d[["complaints", "tickets"]].to_numpy(),
                hovertemplate="%{y}: %{x:,} " + family + " complaints<br>all complaints %{customdata[0]:,} of "
                "%{customdata[1]:,} tickets<extra></extra>",
            )
        )
    if (other > 0).any():
        fig.add_trace(
            go.Bar(y=d["channel"], x=other, orientation="h", name="Unmapped", marker_color=FAMILY_COLOURS["unmapped"])
        )
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.25, title_text=None))
    fig.update_xaxes(title_text="Complaints")
    fig.update_yaxes(title_text="Channel", automargin=True)
    return layout(fig, title, max(260, 90 + 34 * len(d)))


def monthly_complaints(by_family: pd.DataFrame, rates: pd.DataFrame, *, title: str) -> go.Figure:
    """Two panels sharing the month axis: complaints stacked by family, and the complaint rate
    per 1,000 customers served. `by_family`: month, family, complaints; `rates`: month,
    complaint_rate, complaints, customers_served. Without rates (no customers served recorded)
    the first panel alone: an empty second one took the month labels with it."""
    panels = 2 if not rates.empty else 1
    fig = make_subplots(
        rows=panels,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=["Complaints by family", "Complaints per 1,000 customers served"][:panels],
    )
    for family in dict.fromkeys(by_family["family"]):
        part = by_family[by_family["family"] == family]
        fig.add_trace(
            go.Bar(
                x=part["month"],
                y=part["complaints"],
                name=FAMILY_NAMES.get(family, family),
                marker_color=FAMILY_COLOURS.get(family, NEUTRAL),
                hovertemplate="%{x|%b %Y}: %{y:,} complaints<extra></extra>",
            ),
            row=1,
            col=1,
        )
    if panels == 2:
        fig.add_trace(
            go.Scatter(
                x=rates["month"],
                y=rates["complaint_rate"],
                mode="lines+markers",
                name="Rate per 1,000 served",
                line=dict(color=SHORTFALL, width=2),
                customdata=rates[["complaints", "customers_served"]].to_numpy(),
                hovertemplate="%{x|%b %Y}: %{y:.2f} per 1,000<br>%{customdata[0]:,} complaints / "
                "%{customdata[1]:,} customers<extra></extra>",
            ),
            row=2,
            col=1,
        )
        fig.update_yaxes(title_text="Per 1,000 served", rangemode="tozero", row=2, col=1)
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.15, title_text=None))
    fig.update_yaxes(title_text="Complaints", row=1, col=1)
    # Month ticks even for a single month (a click on a month narrows the period to one), where
    # plotly would otherwise label hours.
    months = pd.concat([by_family["month"], rates["month"]]).nunique()
    fig.update_xaxes(tickformat="%b %Y", dtick="M1" if months <= 12 else None)
    fig.update_xaxes(title_text="Month", row=panels, col=1)
    return layout(fig, title, 520 if panels == 2 else 380)


def handling_vs_target(df: pd.DataFrame, *, stage: str, title: str) -> go.Figure:
    """Per channel: median and 90th-percentile time against the target (minutes, log scale).
    `df`: channel plus median_<stage>_minutes, p90_<stage>_minutes, <stage>_target, and n."""
    d = df.sort_values("channel")
    median, p90, target = f"median_{stage}_minutes", f"p90_{stage}_minutes", f"{stage}_target"
    n_col = "responded_n" if stage == "first_response" else "resolved_n"
    fig = go.Figure()
    for column, name, symbol, colour in (
        (target, "Target", "line-ns", INK),
        (median, "Median", "circle", SURPLUS),
        (p90, "90th percentile", "diamond", SHORTFALL),
    ):
        fig.add_trace(
            go.Scatter(
                x=d[column],
                y=d["channel"],
                mode="markers",
                name=name,
                marker=dict(
                    symbol=symbol,
                    size=14 if column == target else 11,
                    color=colour,
                    line=dict(width=3 if column == target else 0, color=colour),
                ),
                customdata=d[[n_col]].to_numpy(),
                hovertemplate="%{y}: " + name.lower() + " %{x:,.1f} min<br>n = %{customdata[0]:,}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="Minutes from opening (log scale)", type="log", dtick=1)
    fig.update_yaxes(title_text="Channel", automargin=True)
    fig.update_layout(legend=dict(orientation="h", y=-0.3, title_text=None))
    return layout(fig, title, max(280, 120 + 34 * len(d)))


def within_target_bars(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Share of complaints answered and resolved within target per channel (%).
    `df`: channel, first_pct, first_n, resolution_pct, resolution_n."""
    d = df.sort_values("channel")
    fig = go.Figure()
    for pct, n, name, colour in (
        ("first_pct", "first_n", "First response within target", SURPLUS),
        ("resolution_pct", "resolution_n", "Resolved within target", "#1e8449"),
    ):
        fig.add_trace(
            go.Bar(
                x=d["channel"],
                y=d[pct],
                name=name,
                marker_color=colour,
                customdata=d[[n]].to_numpy(),
                hovertemplate="%{x}: %{y:.1f}%<br>n = %{customdata[0]:,}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.3, title_text=None))
    fig.update_xaxes(title_text="Channel")
    fig.update_yaxes(title_text="Share within target (%)", range=[0, 100])
    return layout(fig, title, 360)


def count_bars(
    df: pd.DataFrame, *, x: str, y: str, title: str, x_title: str, y_title: str, colour: str = NEUTRAL
) -> go.Figure:
    """Plain vertical bars of counts (satisfaction scores, backlog age buckets)."""
    fig = go.Figure(
        go.Bar(
            x=df[x].astype(str),
            y=df[y],
            marker_color=colour,
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=x_title, type="category")
    fig.update_yaxes(title_text=y_title)
    return layout(fig, title, 320)
