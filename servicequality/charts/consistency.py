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
    short_labels,
    stack,
    wrap_title,
)
from servicequality.metrics.consistency import Measure
from servicequality.metrics.formats import minus
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
    # log), so two outliers close together cannot swap names; each is placed where it covers no
    # other name or named dot (_label_offsets).
    # The axes' ranges are set (the data's, 5 % more each side), not left to plotly, whose autorange
    # widens to hold the names: the places are computed on these.
    limits = np.concatenate([fig.data[i].y for i in range(4)]).astype(float)
    ranges = [
        _padded(np.log10(np.concatenate([curve["volume"].to_numpy(float), pts["volume"].to_numpy(float)]))),
        _padded(np.concatenate([limits[np.isfinite(limits)], (pts["value"] * s).to_numpy(float), [funnel.target * s]])),
    ]
    offsets = _label_offsets(
        np.log10(pts["volume"].to_numpy(float)),
        (pts["value"] * s).to_numpy(float),
        named,
        funnel.target * s,
        pts["label"].astype(str).to_numpy(),
        ranges=(ranges[0], ranges[1]),
    )
    # The network's line is named in the legend: printed over the plot ("Network 1.23" at its left
    # end) it sat on the branches' dots there.
    network = minus(f"Network {funnel.target * s:.{measure.digits}f}")
    fig.add_trace(
        go.Scatter(
            x=[10 ** ranges[0][0], 10 ** ranges[0][1]],
            y=[funnel.target * s] * 2,
            mode="lines",
            line=dict(color=INK, width=1),
            name=network,
            hovertemplate=f"{network}<extra></extra>",
        )
    )
    for (ax, ay), (_, point) in zip(offsets, pts[named].iterrows(), strict=True):
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
    # a tick per power of ten, or, when the axis spans less than 2.5 of them (11 hospitals of 30 to
    # 300 respondents showed one tick, 100), at 1, 2 and 5 of each
    fig.update_xaxes(title_text=f"Volume: {measure.volume_label} (log scale)", type="log", range=ranges[0])
    if ranges[0][1] - ranges[0][0] >= 2.5:
        fig.update_xaxes(dtick=1)
    else:
        steps = (1, 2, 5) if ranges[0][1] - ranges[0][0] >= 1 else range(1, 10)  # 50 to 168: 50, 60 ... 100
        ticks = [m * 10**k for k in range(math.floor(ranges[0][0]), math.ceil(ranges[0][1]) + 1) for m in steps]
        ticks = [t for t in ticks if ranges[0][0] <= math.log10(t) <= ranges[0][1]]
        if len(ticks) < 3:  # the support store's 120 to 280 customers: one tick, 200
            ticks = nice_ticks(10 ** ranges[0][0], 10 ** ranges[0][1])
        fig.update_xaxes(tickvals=ticks, ticktext=[f"{t:,}" for t in ticks])
    # short (the long label runs into the title on a phone), with the unit of a share
    fig.update_yaxes(title_text=measure.short + (" (%)" if measure.unit == "%" else ""), range=ranges[1])
    fig.update_layout(legend=dict(orientation="h", y=-0.2, title_text=None))
    return layout(fig, title, 520)


def nice_ticks(low: float, high: float, count: int = 5) -> list[int]:
    """Whole numbers at a step of 1, 2 or 5 times a power of ten, the finest giving at most `count`
    ticks between `low` and `high` (positive): 120 to 280 gives 150, 200, 250."""
    raw = max(high - low, 1e-9) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if (high - low) / (m * magnitude) <= count)
    step = max(step, 1)
    return [int(k * step) for k in range(math.ceil(low / step), math.floor(high / step) + 1) if k * step > 0]


def _padded(values: np.ndarray, share: float = 0.05) -> tuple[float, float]:
    """An axis range holding `values` with `share` of their span more on each side."""
    low, high = float(np.min(values)), float(np.max(values))
    pad = (high - low) * share or 0.5
    return low - pad, high + pad


# Plot areas (width, height in px) the names must fit, measured in Chromium: the funnel on a phone (a
# wide chart there: ui.widgets.WIDE_MIN_PX) and on a desktop.
FUNNEL_PLOT_SIZES = ((655, 400), (897, 431))
# A name at font size 11 on its box, measured in Chromium: 5.3 px per character, 15 px high; with a margin.
NAME_CHAR_PX, NAME_BOX_PX = 5.6, 18
# Where a name may go, relative to its dot (px; ay away from the network line): nearest first.
_REACH_Y = (26, 44, 62, 80, 98)
_REACH_X = (0, -60, 60, -120, 120, -180, 180)


Box = tuple[float, float, float, float]  # left, top, right, bottom (px)
Segment = tuple[float, float, float, float]  # x0, y0, x1, y1 (px)
CROSSING_PX2 = 400  # what an arrow crossing another arrow or a name costs, in px² of overlap


def _label_offsets(
    xs: np.ndarray,
    ys: np.ndarray,
    named: np.ndarray,
    centre: float,
    labels: np.ndarray,
    *,
    ranges: tuple[tuple[float, float], tuple[float, float]],
    sizes=FUNNEL_PLOT_SIZES,
) -> list[tuple[int, int]]:
    """Pixel offsets (ax, ay) of the named points' labels, in the order of the named points. A
    point above the centre line gets its label above it, one below gets it below, so no arrow
    crosses the line to reach its dot. In volume order, each name takes the nearest place where it
    overlaps no name placed before it and no named dot, and its arrow
    crosses no arrow or name placed before, on every plot size in `sizes` (x is log10 volume,
    `ranges` the axes' data ranges); when none is free, the place that costs least (overlap in px²,
    CROSSING_PX2 per crossing; approximate boxes: NAME_CHAR_PX per character)."""
    (x0, x1), (y0, y1) = ranges
    x_span, y_span = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    index = sorted(np.flatnonzero(named), key=lambda i: xs[i])
    dots = [{i: ((xs[i] - x0) / x_span * w, (y1 - ys[i]) / y_span * h) for i in index} for w, h in sizes]
    boxes: list[list[Box]] = []  # per plot size: the named dots, the names placed
    arrows: list[list[Segment]] = [[] for _ in sizes]
    for at in dots:
        boxes.append([(px - 6, py - 6, px + 6, py + 6) for px, py in at.values()])  # 9 px dots
    offsets: dict[int, tuple[int, int]] = {}
    for i in index:
        sign = -1 if ys[i] >= centre else 1
        candidates = [(ax, sign * ay) for ay in _REACH_Y for ax in _REACH_X]

        def cost(offset: tuple[int, int], i=i) -> tuple[int, float]:
            total = 0.0
            for (w, _), at, taken, drawn in zip(sizes, dots, boxes, arrows, strict=True):
                (px, py), (ax, ay) = at[i], offset
                name = _name_box(px + ax, py + ay, labels[i])
                total += sum(_overlap(name, t) for t in taken)
                total += NAME_BOX_PX * (max(0.0, -20 - name[0]) + max(0.0, name[2] - w - 20))  # off the figure
                arrow = (px, py, px + ax, py + ay)
                total += CROSSING_PX2 * sum(_crosses(arrow, other) for other in drawn)
                total += CROSSING_PX2 * sum(_through(arrow, t) for t in taken[len(at) :])  # the names placed
            return round(total), abs(offset[1]) + abs(offset[0]) / 2

        offsets[i] = min(candidates, key=cost)
        for at, taken, drawn in zip(dots, boxes, arrows, strict=True):
            (px, py), (ax, ay) = at[i], offsets[i]
            taken.append(_name_box(px + ax, py + ay, labels[i]))
            drawn.append((px, py, px + ax, py + ay))
    return [offsets[i] for i in np.flatnonzero(named)]


def _name_width(text: str) -> float:
    return NAME_CHAR_PX * len(text) + 8


def _name_box(cx: float, cy: float, text: str) -> Box:
    half = _name_width(text) / 2
    return cx - half, cy - NAME_BOX_PX / 2, cx + half, cy + NAME_BOX_PX / 2


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _crosses(a: Segment, b: Segment) -> bool:
    """Whether two segments cross (touching ends do not count): each one's ends lie on both sides
    of the other's line (the signs of two cross products)."""

    def side(p: Segment, x: float, y: float) -> float:
        return (p[2] - p[0]) * (y - p[1]) - (p[3] - p[1]) * (x - p[0])

    return side(a, b[0], b[1]) * side(a, b[2], b[3]) < 0 and side(b, a[0], a[1]) * side(b, a[2], a[3]) < 0


def _through(arrow: Segment, name: Box) -> bool:
    """Whether an arrow passes through a name's box (checked at 20 points along it, its label's end
    left out: the arrow ends at its own name)."""
    x0, y0, x1, y1 = arrow
    return any(
        name[0] < x0 + (x1 - x0) * t < name[2] and name[1] < y0 + (y1 - y0) * t < name[3]
        for t in np.linspace(0.0, 0.8, 20)
    )


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


RANK_LABEL_LIMIT = 24


def ranking_chart(ranked: pd.DataFrame, measure: Measure, *, title: str, highlight: str | None = None) -> go.Figure:
    """Branches in rank order: the shrunk estimate with its 95% interval (dot and whisker) and the
    raw value (open circle), with the network value as a dashed line."""
    d = ranked.reset_index(drop=True)
    # names cut to RANK_LABEL_LIMIT (the whole name in the hover): the names of a hospital with its
    # Hebrew id left the ranking of a phone's screen a plot of 60 px; a click filters by the branch id
    labels = "#" + d["rank"].astype(str) + " " + pd.Series(short_labels(d["label"], RANK_LABEL_LIMIT), index=d.index)
    fmt = f".{measure.digits}f"
    fig = go.Figure()
    if len(d):
        # the network value as a legend entry: its text over the plot printed onto the first branch's dot
        net = float(d["network"].iloc[0])
        fig.add_trace(
            go.Scatter(
                x=[net, net],
                y=[labels.iloc[0], labels.iloc[-1]],
                mode="lines",
                # the mean of the ranked branches (the shrinkage's target), not the network of every
                # branch that the cards and the funnel show: Skytrax's 58.0 beside their 56.0
                name=minus(f"Ranked branches' mean {net:{fmt}}"),
                line=dict(color=INK, dash="dash", width=1),
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=d["value"],
            y=labels,
            mode="markers",
            name="Raw branch value",
            marker=dict(symbol="circle-open", size=8, color=NEUTRAL),
            customdata=stack(d["volume"], d["label"], _ids(d)),
            hovertemplate="%{customdata[1]}: raw %{x:"
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
            customdata=stack(d["shrunk_low"], d["shrunk_high"], d["shrinkage"], d["label"], _ids(d)),
            hovertemplate="%{customdata[3]}: %{x:"
            + fmt
            + "} (%{customdata[0]:"
            + fmt
            + "} to %{customdata[1]:"
            + fmt
            + "})<br>pulled %{customdata[2]:.0%} of the way to the network<extra></extra>",
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
    # short, in lines of 20: fits under a plot that long branch names leave narrow on a phone
    fig.update_xaxes(title_text=wrap_title(f"{measure.short} ({measure.unit})", 20))
    _hold_to_scale(fig, d, measure)
    fig.update_yaxes(
        title_text="Branch, in rank order",
        autorange="reversed",
        automargin=True,
        categoryorder="array",  # rank order, whichever trace names a branch first
        categoryarray=labels.tolist(),
    )
    fig.update_layout(legend=dict(orientation="h", y=-0.08, title_text=None))
    return layout(fig, title, max(300, 110 + 20 * len(d)))


def _hold_to_scale(fig: go.Figure, d: pd.DataFrame, measure: Measure) -> None:
    """The value axis of a bounded score held to its scale: plotly's autorange pads for the markers
    in pixels, and on a phone's plot of 90 px a 0-100 score's axis ran to 170. The data's range (5 %
    more each side) within the scale's ends and a hair more, for a marker on them."""
    if measure.bounds is None or not len(d):
        return
    low, high = measure.bounds
    hair = 0.02 * (high - low)
    columns = [c for c in ("value", "shrunk", "shrunk_low", "shrunk_high", "network") if c in d]
    values = d[columns].to_numpy(float).ravel()
    start, end = _padded(values[np.isfinite(values)])
    fig.update_xaxes(range=[max(start, low - hair), min(end, high + hair)])


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
    # short, in lines of 20: fits under a plot that long branch names leave narrow on a phone
    fig.update_xaxes(title_text=wrap_title(f"{measure.short} ({measure.unit})", 20))
    _hold_to_scale(fig, d, measure)
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
