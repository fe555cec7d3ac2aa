"""Chart builders for the branch-consistency page and the my-branch panel: DataFrame in, labelled
plotly Figure out. No Streamlit here. Every axis has a title in plain words; every hover shows n.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from servicequality.charts.common import (
    HIGHLIGHT,
    INK,
    NEUTRAL,
    SHORTFALL,
    SURPLUS,
    layout,
    stack,
    wrap_title,
)
from servicequality.metrics.consistency import Measure
from servicequality.stats.consistency import Funnel

LIMIT_95 = "#7f8c8d"
LIMIT_998 = "#6f87a6"  # mid-tone: reads on the light and the dark theme

# A funnel name: dark ink on a light box, readable on the light and the dark theme alike (WCAG
# contrast about 15:1 with the box over white, 8:1 with it over the dark theme's #0e1117).
LABEL_INK = "#262730"
LABEL_BOX = "rgba(255,255,255,0.75)"


def _ids(d: pd.DataFrame) -> np.ndarray:
    """Branch ids, carried as the last customdata item so a click can filter by the branch."""
    return (d["branch_id"] if "branch_id" in d else d["label"]).astype(str).to_numpy()


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
                    # a limit past the end of a bounded scale (0-100) is drawn at its end
                    y=(curve[f"{side}_{level}"] * s).clip(*(measure.bounds or (None, None))),
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
            # Its own dark ink on its light box: the theme's text colour is white on the dark theme.
            font=dict(size=11, color=LABEL_INK),
            bgcolor=LABEL_BOX,
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
