"""Chart builders for the complaints and branch-consistency pages: DataFrame in, labelled plotly
Figure out. No Streamlit here. Every axis has a title in plain words; every hover shows n.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from servicequality.charts.common import (
    INK,
    NEUTRAL,
    SHORTFALL,
    SURPLUS,
    interval_colours,
    layout,
    stack,
    wrap_title,
)
from servicequality.metrics.consistency import Measure
from servicequality.stats.consistency import Funnel

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
HIGHLIGHT = "#8e44ad"  # my branch
LIMIT_95 = "#7f8c8d"
LIMIT_998 = "#6f87a6"  # mid-tone: reads on the light and the dark theme


def _ids(d: pd.DataFrame) -> np.ndarray:
    """Branch ids, carried as the last customdata item so a click can filter by the branch."""
    return (d["branch_id"] if "branch_id" in d else d["label"]).astype(str).to_numpy()


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
    complaint_rate, complaints, customers_served."""
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=["Complaints by family", "Complaints per 1,000 customers served"],
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
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.15, title_text=None))
    fig.update_yaxes(title_text="Complaints", row=1, col=1)
    fig.update_yaxes(title_text="Per 1,000 served", rangemode="tozero", row=2, col=1)
    # Month ticks even for a single month (a click on a month narrows the period to one), where
    # plotly would otherwise label hours.
    months = pd.concat([by_family["month"], rates["month"]]).nunique()
    fig.update_xaxes(tickformat="%b %Y", dtick="M1" if months <= 12 else None)
    fig.update_xaxes(title_text="Month", row=2, col=1)
    return layout(fig, title, 520)


def interval_bars(
    df: pd.DataFrame,
    *,
    label: str,
    value: str = "value",
    low: str = "ci_low",
    high: str = "ci_high",
    n: str = "volume",
    n_words: str = "n",
    title: str,
    value_title: str,
    reference: float | None = None,
    reference_name: str = "Network",
    highlight: str | None = None,
    higher_is_better: bool = True,
    digits: int = 2,
    dots: bool = False,
    label_title: str = "Branch",
    ids: str | None = None,
) -> go.Figure:
    """Horizontal bars (or dots, for values that do not start at 0) with 95% intervals; blue when
    the interval is wholly better than `reference`, red when wholly worse, grey when it includes
    it (common.interval_colours), the highlighted row (my branch) purple; a dashed line at the
    reference. ids: a column (branch_id, region) carried as the last customdata item, so a
    click can filter the dashboard by it."""
    d = df.reset_index(drop=True)
    if reference is None:
        colours = [NEUTRAL] * len(d)
    else:
        colours = interval_colours(d[low], d[high], reference, higher_is_better)
    if highlight is not None:
        colours = [HIGHLIGHT if lab == highlight else c for lab, c in zip(d[label], colours, strict=False)]
    fmt = f".{digits}f"
    if dots:
        trace, style = go.Scatter, dict(mode="markers", marker=dict(color=colours, size=9))
    else:
        trace, style = go.Bar, dict(orientation="h", marker_color=colours)
    fig = go.Figure(
        trace(
            x=d[value],
            y=d[label],
            **style,
            error_x=dict(
                type="data",
                symmetric=False,
                array=(d[high] - d[value]).fillna(0).tolist(),
                arrayminus=(d[value] - d[low]).fillna(0).tolist(),
                color=INK,
                thickness=1.2,
            ),
            customdata=stack(d[n].fillna(0), d[low], d[high], *([d[ids].astype(str)] if ids else [])),
            hovertemplate="%{y}<br>%{x:"
            + fmt
            + "} (95% interval %{customdata[1]:"
            + fmt
            + "} to %{customdata[2]:"
            + fmt
            + "})<br>"
            + n_words
            + " %{customdata[0]:,.0f}<extra></extra>",
        )
    )
    if reference is not None and np.isfinite(reference):
        fig.add_vline(
            x=reference,
            line_dash="dash",
            line_color=INK,
            annotation_text=f"{reference_name} {reference:{fmt}}",
            annotation_position="bottom right",
        )
    fig.update_xaxes(title_text=value_title)
    fig.update_yaxes(title_text=label_title, autorange="reversed", automargin=True)
    # room for the title and a wrapped axis title, so that every branch keeps its label
    return layout(fig, title, max(220, 140 + 24 * len(d)))


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


def funnel_plot(
    funnel: Funnel,
    labels: pd.Series,
    measure: Measure,
    *,
    title: str,
    highlight: str | None = None,
    ids: pd.Series | None = None,
    shown: pd.Series | None = None,
) -> go.Figure:
    """Branch values against volume with the target line and the 95% / 99.8% limits; branches
    outside the 99.8% limits are named on the chart. ids (branch ids, aligned with `labels`) are
    the last customdata item of each branch's dot; `shown` (aligned too) leaves out the dots of
    branches whose own figure may not be shown (the limits and the line still use them)."""
    s = measure.scale
    pts = funnel.points.assign(
        label=labels.to_numpy(), branch_id=(ids if ids is not None else labels).astype(str).to_numpy()
    )
    if shown is not None:
        pts = pts[shown.to_numpy()]
    pts = pts[pts["volume"] > 0]
    curve = funnel.curve
    fig = go.Figure()
    for level, colour, dash in (("99.8", LIMIT_998, "solid"), ("95", LIMIT_95, "dash")):
        for side in ("low", "high"):
            fig.add_trace(
                go.Scatter(
                    x=curve["volume"],
                    y=curve[f"{side}_{level}"] * s,
                    mode="lines",
                    line=dict(color=colour, dash=dash, width=1.3),
                    name=f"{level}% limits",
                    legendgroup=level,
                    showlegend=side == "low",
                    hovertemplate=f"{level}% limit at %{{x:,.0f}}: %{{y:.{measure.digits}f}}<extra></extra>",
                )
            )
    fig.add_hline(
        y=funnel.target * s,
        line_color=INK,
        line_width=1,
        annotation_text=f"Network {funnel.target * s:.{measure.digits}f}",
        annotation_position="top left",
    )
    outside = pts["outside_99.8"] != 0
    colours = np.where(pts["outside_99.8"] > 0, SHORTFALL if not measure.higher_is_better else SURPLUS, NEUTRAL)
    colours = np.where(pts["outside_99.8"] < 0, SURPLUS if not measure.higher_is_better else SHORTFALL, colours)
    if highlight is not None:
        colours = np.where(pts["label"] == highlight, HIGHLIGHT, colours)
    named = (outside | (pts["label"] == highlight)).to_numpy()
    fig.add_trace(
        go.Scatter(
            x=pts["volume"],
            y=pts["value"] * s,
            mode="markers",
            marker=dict(size=9, color=colours, line=dict(color="white", width=0.5)),
            name="Branches",
            customdata=stack(pts["label"], pts["z"], pts["branch_id"]),
            hovertemplate="%{customdata[0]}<br>"
            + measure.short
            + " %{y:."
            + str(measure.digits)
            + "f}<br>"
            + measure.volume_label
            + " %{x:,.0f}<br>z = %{customdata[1]:.2f}<extra></extra>",
        )
    )
    # Each name is an annotation whose arrow ends on its own dot (x in log10 units: the axis is
    # log), so two outliers close together cannot swap names; neighbours' labels point from
    # alternate sides.
    for (ax, ay), (_, point) in zip(
        _label_offsets(pts["value"].to_numpy(), pts["volume"].to_numpy(), named, funnel.target),
        pts[named].iterrows(),
        strict=True,
    ):
        fig.add_annotation(
            x=math.log10(point["volume"]),
            y=point["value"] * s,
            text=str(point["label"]),
            showarrow=True,
            arrowhead=0,
            arrowwidth=1,
            arrowcolor=INK,
            ax=ax,
            ay=ay,
            font=dict(size=11),
            bgcolor="rgba(255,255,255,0.75)",
        )
    fig.update_xaxes(title_text=f"Volume: {measure.volume_label} (log scale)", type="log", dtick=1)
    fig.update_yaxes(title_text=measure.short)  # the long label runs into the title on a phone
    fig.update_layout(legend=dict(orientation="h", y=-0.2, title_text=None))
    return layout(fig, title, 520)


def _label_offsets(
    values: np.ndarray, volumes: np.ndarray, labelled: np.ndarray, centre: float
) -> list[tuple[int, int]]:
    """Pixel offsets (ax, ay) of the named points' labels, in the order of the named points. A
    point above the centre line gets its label above it, one below gets it below, so no arrow
    crosses the line to reach its dot; along each side, in volume order, labels alternate left and
    right and step further out, so neighbours do not print their names on top of each other."""
    index = np.flatnonzero(labelled)
    offsets = {}
    for above in (True, False):
        side = [i for i in index if (values[i] >= centre) == above]
        for k, i in enumerate(sorted(side, key=lambda j: volumes[j])):
            reach = 26 + 14 * ((k // 2) % 3)
            offsets[i] = (-reach if k % 2 == 0 else reach, -reach if above else reach)
    return [offsets[i] for i in index]


def control_chart(chart: pd.DataFrame, months: pd.Series, measure: Measure, *, title: str) -> go.Figure:
    """Values over time with centre line and control limits; special causes marked
    (red: beyond the limits; orange ring: part of a run of 8 on one side)."""
    s = measure.scale
    x = pd.to_datetime(months).to_numpy()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x,
            y=chart["ucl"] * s,
            mode="lines",
            line=dict(color=LIMIT_998, dash="dash", shape="hvh"),
            name="Control limits",
            legendgroup="limits",
            hovertemplate="%{x|%b %Y} upper limit %{y:.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=chart["lcl"] * s,
            mode="lines",
            line=dict(color=LIMIT_998, dash="dash", shape="hvh"),
            name="Lower limit",
            legendgroup="limits",
            showlegend=False,
            hovertemplate="%{x|%b %Y} lower limit %{y:.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=chart["centre"] * s,
            mode="lines",
            line=dict(color=INK, width=1),
            name="Centre line",
            hovertemplate="centre %{y:.2f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=chart["value"] * s,
            mode="lines+markers",
            name=measure.short,
            line=dict(color=NEUTRAL, width=2),
            marker=dict(size=6, color=NEUTRAL),
            customdata=chart[["n"]].to_numpy() if "n" in chart else None,
            hovertemplate="%{x|%b %Y}: %{y:."
            + str(measure.digits)
            + "f}"
            + ("<br>n = %{customdata[0]:,}" if "n" in chart else "")
            + "<extra></extra>",
        )
    )
    runs = chart["run_of_8"].to_numpy()
    if runs.any():
        fig.add_trace(
            go.Scatter(
                x=x[runs],
                y=chart["value"][runs] * s,
                mode="markers",
                name="Run of 8 on one side",
                marker=dict(size=13, color="rgba(0,0,0,0)", line=dict(color="#c4660f", width=2)),
                hovertemplate="%{x|%b %Y}: part of a run of 8<extra></extra>",
            )
        )
    beyond = chart["beyond_limits"].to_numpy()
    if beyond.any():
        fig.add_trace(
            go.Scatter(
                x=x[beyond],
                y=chart["value"][beyond] * s,
                mode="markers",
                name="Beyond the limits",
                marker=dict(size=11, color=SHORTFALL, symbol="x"),
                hovertemplate="%{x|%b %Y}: %{y:.2f}, beyond the limits<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="Month", tickformat="%b %Y", dtick="M1" if len(x) <= 12 else None)
    fig.update_yaxes(title_text=f"{measure.short} ({measure.unit})")
    fig.update_layout(legend=dict(orientation="h", y=-0.25, title_text=None))
    return layout(fig, title, 440)


def ranking_chart(ranked: pd.DataFrame, measure: Measure, *, title: str, highlight: str | None = None) -> go.Figure:
    """Branches in rank order: the shrunk estimate with its 95% interval (dot and whisker) and the
    raw value (open circle), with the network value as a dashed line."""
    d = ranked.reset_index(drop=True)
    labels = "#" + d["rank"].astype(str) + " " + d["label"]
    fmt = f".{measure.digits}f"
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=d["value"],
            y=labels,
            mode="markers",
            name="Raw branch value",
            marker=dict(symbol="circle-open", size=8, color=NEUTRAL),
            customdata=stack(d["volume"], _ids(d)),
            hovertemplate="%{y}: raw %{x:"
            + fmt
            + "}<br>"
            + measure.volume_label
            + " %{customdata[0]:,.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=d["shrunk"],
            y=labels,
            mode="markers",
            name="Shrunk estimate (95% interval)",
            marker=dict(size=9, color=SURPLUS),
            error_x=dict(
                type="data",
                symmetric=False,
                array=(d["shrunk_high"] - d["shrunk"]).tolist(),
                arrayminus=(d["shrunk"] - d["shrunk_low"]).tolist(),
                color=INK,
                thickness=1,
            ),
            customdata=stack(d["shrunk_low"], d["shrunk_high"], d["shrinkage"], _ids(d)),
            hovertemplate="%{y}: %{x:" + fmt + "} (%{customdata[0]:" + fmt + "} to %{customdata[1]:" + fmt + "})"
            "<br>pulled %{customdata[2]:.0%} of the way to the network<extra></extra>",
        )
    )
    mine = d["label"] == highlight
    if mine.any():
        fig.add_trace(
            go.Scatter(
                x=d.loc[mine, "shrunk"],
                y=labels[mine],
                mode="markers",
                name="My branch",
                marker=dict(size=11, color=HIGHLIGHT),
                hoverinfo="skip",
            )
        )
    if len(d):
        net = float(d["network"].iloc[0])
        fig.add_vline(x=net, line_dash="dash", line_color=INK, annotation_text=f"Network {net:{fmt}}")
    fig.update_xaxes(title_text=f"{measure.short}<br>({measure.unit})")  # short: fits beside long labels on a phone
    fig.update_yaxes(title_text="Branch, in rank order", autorange="reversed", automargin=True)
    fig.update_layout(legend=dict(orientation="h", y=-0.08, title_text=None))
    return layout(fig, title, max(300, 110 + 20 * len(d)))


def spread_strip(values: pd.DataFrame, measure: Measure, *, title: str, highlight: str | None = None) -> go.Figure:
    """Every ranked branch's value on one axis with the median (P50) and P80 marked."""
    d = values.reset_index(drop=True)
    p50, p80 = np.percentile(d["value"], 50), np.percentile(d["value"], 80)
    colours = [HIGHLIGHT if lab == highlight else NEUTRAL for lab in d["label"]]
    rng = np.random.default_rng(0)  # a fixed jitter so the chart does not move between runs
    fig = go.Figure(
        go.Scatter(
            x=d["value"],
            y=rng.uniform(-0.3, 0.3, len(d)),
            mode="markers",
            name="Branches",
            marker=dict(size=10, color=colours, opacity=0.8),
            customdata=stack(d["label"], d["volume"], _ids(d)),
            hovertemplate="%{customdata[0]}: %{x:."
            + str(measure.digits)
            + "f}<br>"
            + measure.volume_label
            + " %{customdata[1]:,.0f}<extra></extra>",
        )
    )
    for x, name, where in ((p50, "P50", "top left"), (p80, "P80", "top right")):
        fig.add_vline(x=x, line_dash="dot", line_color=INK, annotation_text=name, annotation_position=where)
    fig.update_xaxes(title_text=f"{measure.short}<br>({measure.unit})")  # short: fits beside long labels on a phone
    fig.update_yaxes(title_text="Branches", showticklabels=False, range=[-0.6, 0.6])
    return layout(fig, title, 300)


def peer_panels(comparisons: dict[str, pd.DataFrame], *, title: str) -> go.Figure:
    """One small panel per measure: my branch, its peers and the network with 95% intervals.
    `comparisons`: measure key -> consistency.peer_comparison frame."""
    from servicequality.metrics.consistency import MEASURES

    keys = [k for k, df in comparisons.items() if not df.empty]
    # a panel is about 170 px wide on the narrowest chart (760 px, four panels): titles wrap at 20
    panel_titles = [wrap_title(MEASURES[k].short, 20) for k in keys]
    fig = make_subplots(rows=1, cols=len(keys), subplot_titles=panel_titles, horizontal_spacing=0.08)
    colours = [HIGHLIGHT, "#3c8dbc", NEUTRAL]
    short_names = ["My branch", "Peers", "Network"]
    for col, key in enumerate(keys, start=1):
        df = comparisons[key].reset_index(drop=True)
        m = MEASURES[key]
        fig.add_trace(
            go.Bar(
                x=short_names[: len(df)],
                y=df["value"],
                marker_color=colours[: len(df)],
                showlegend=False,
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=(df["ci_high"] - df["value"]).fillna(0).tolist(),
                    arrayminus=(df["value"] - df["ci_low"]).fillna(0).tolist(),
                    color=INK,
                    thickness=1.2,
                ),
                customdata=stack(df["group"], df["volume"]),
                hovertemplate="%{customdata[0]}<br>%{y:."
                + str(m.digits)
                + "f}<br>"
                + m.volume_label
                + " %{customdata[1]:,.0f}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        fig.update_yaxes(title_text=m.unit if m.unit != "points" else "points (P − E)", row=1, col=col)
        fig.update_xaxes(title_text="Group", row=1, col=col)
    fig = layout(fig, title, 340)
    # the panels' titles stand above the plots, in the top margin: room for their lines, or a title
    # wrapped on two lines (1440 px, four panels) runs into them
    room = 10 + 24 * max((t.count("<br>") + 1 for t in panel_titles), default=0)
    return fig.update_layout(margin_t=fig.layout.margin.t + room, height=fig.layout.height + room)
