"""Chart builders for the complaints page: DataFrame in, labelled plotly Figure out. No Streamlit
here. Every axis has a title in plain words; every hover shows n.
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
    clip,
    layout,
    short_labels,
    stack,
    wrapped_labels,
)
from servicequality.metrics.formats import fmt_minutes

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


CLICK_ID_LIMIT = 200  # ui.crossfilter.MAX_VALUE_LENGTH: a longer value is no key it accepts
# characters of a line of a category's label, two lines at most: a 390 px phone keeps ~180 px for the bars
PARETO_LABEL_WIDTH = 26


def pareto(bars: pd.DataFrame, *, colour_by: str = "family", title: str) -> go.Figure:
    """Complaint categories as horizontal bars, most frequent at the top, plus the cumulative share
    on a second axis along the top; the rest of the categories in one grey bar at the bottom.

    `bars`: metrics.complaints.pareto_bars (category, category_id, family, component_name,
    complaints, folded, share_pct, cumulative_pct). Every point's customdata ends with its
    category_id, the value a click filters by ("" for the rest). colour_by: 'family' or 'component'.
    """
    d = bars.reset_index(drop=True).assign(label=short_labels(bars["category"], PARETO_LABEL_WIDTH))
    # A name a file wrote can be megabytes (issue 16): the hover shows it cut, and an id longer than
    # a click can hand back (ui.crossfilter.MAX_VALUE_LENGTH) is no id: the bar filters by nothing.
    d["category"] = [clip(c) for c in d["category"].astype(str)]
    d["category_id"] = d["category_id"].where(d["category_id"].astype(str).str.len() <= CLICK_ID_LIMIT, "")
    rest = d["family"] == "other"
    fig = go.Figure()
    group_col = "family" if colour_by == "family" else "component_name"
    for i, group in enumerate(dict.fromkeys(d.loc[~rest, group_col])):
        part = d[~rest & (d[group_col] == group)]
        colour = (
            FAMILY_COLOURS.get(group, PALETTE[i % len(PALETTE)]) if colour_by == "family" else PALETTE[i % len(PALETTE)]
        )
        fig.add_trace(
            go.Bar(
                x=part["complaints"],
                y=part["label"],
                orientation="h",
                name=FAMILY_NAMES.get(group, group) if colour_by == "family" else group,
                marker_color=colour,
                customdata=part[["category", "family", "component_name", "share_pct", "category_id"]].to_numpy(),
                hovertemplate="%{customdata[0]}: %{x:,} complaints (%{customdata[3]:.1f}%)<br>family "
                "%{customdata[1]}, component %{customdata[2]}<extra></extra>",
            )
        )
    if rest.any():
        part = d[rest]
        fig.add_trace(
            go.Bar(
                x=part["complaints"],
                y=part["label"],
                orientation="h",
                name="Other categories (see the table)",
                marker_color=NEUTRAL,
                customdata=part[["folded", "share_pct", "category_id"]].to_numpy(),
                hovertemplate="%{customdata[0]} less frequent categories together: %{x:,} complaints "
                "(%{customdata[1]:.1f}%)<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=d["cumulative_pct"],
            y=d["label"],
            xaxis="x2",
            name="Cumulative share (%)",
            mode="lines+markers",
            line=dict(color=INK, width=2),
            customdata=d[["category", "category_id"]].to_numpy(),
            hovertemplate="up to %{customdata[0]}: %{x:.1f}% of complaints<extra></extra>",
        )
    )
    fig.update_layout(
        barmode="stack",
        legend=dict(orientation="h", y=-0.2, title_text=None),
        xaxis=dict(title_text="Complaints", rangemode="tozero", nticks=5),
        xaxis2=dict(
            title_text="Cumulative share (%)",
            overlaying="x",
            side="top",
            range=[0, 105],
            tickvals=[0, 20, 40, 60, 80, 100],
            showgrid=False,
        ),
        yaxis=dict(
            title_text="Complaint category",
            categoryorder="array",
            categoryarray=d["label"],
            autorange="reversed",
            automargin=True,
            # each bar's name on up to two lines (the bars' own labels are cut to one: escape_labels
            # writes a label's "<br>" as its characters, not a line break)
            tickvals=d["label"],
            ticktext=wrapped_labels(d["category"], PARETO_LABEL_WIDTH),
        ),
    )
    # a bar whose label takes two lines needs the room of two
    per_bar = 38 if any("<br>" in t for t in fig.layout.yaxis.ticktext) else 28
    fig = layout(fig, title, max(300, 150 + per_bar * len(d)))
    # the top axis's ticks and title sit between the chart's title and the bars: room for them
    fig.update_layout(margin_t=fig.layout.margin.t + 45, height=fig.layout.height + 45)
    return fig


def channel_bars(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Complaints per channel, stacked by family. `df`: channel, complaints, product_complaints,
    service_complaints, tickets."""
    d = df.sort_values("complaints")
    other = d["complaints"] - d["product_complaints"] - d["service_complaints"]
    fig = go.Figure()
    for column, family in (("product_complaints", "product"), ("service_complaints", "service")):
        if not (d[column] > 0).any():
            continue  # a family no complaint has: no legend entry for nothing (Boston: every one unmapped)
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
    # "by family" only where a complaint has one (Boston 311 has no category: one grey bar a month)
    by = "Complaints by family" if set(by_family["family"]) - {"unmapped"} else "Complaints"
    fig = make_subplots(
        rows=panels,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=[by, "Complaints per 1,000 customers served"][:panels],
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


# Durations a reader knows, in minutes, about half a decade apart: the ticks of a log time axis.
# Plotly's own (powers of ten: 1,000 and 10,000 minutes) left one tick on a 390 px phone.
DURATION_TICKS: tuple[tuple[float, str], ...] = (
    (1, "1 min"),
    (5, "5 min"),
    (15, "15 min"),
    (60, "1 h"),
    (240, "4 h"),
    (1_440, "1 day"),
    (4_320, "3 days"),
    (10_080, "1 week"),
    (43_200, "30 days"),
    (129_600, "90 days"),
    (525_600, "1 year"),
)
ROUND_DURATIONS = frozenset({"1 min", "1 h", "1 day", "1 week", "30 days", "1 year"})


def duration_ticks(minutes, max_ticks: int = 5) -> tuple[list[float], list[str], list[float]]:
    """Ticks for a log axis of minutes: the DURATION_TICKS from the last at or below the smallest
    value to the first at or above the largest (more than `max_ticks` of them: the round ones, then
    every other one, so that a phone's labels do not overprint), their words, and the axis range
    (log10) holding the values and the ticks. Values that are missing or not positive (a log axis
    cannot show them) are left out; with none, the range 1 min to 1 day."""
    # targets come as nullable integers: pd.NA is no float, so through to_numeric
    v = pd.to_numeric(pd.Series(np.ravel(np.asarray(minutes, dtype=object))), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = (float(v.min()), float(v.max())) if v.size else (1.0, 1_440.0)
    at = [m for m, _ in DURATION_TICKS]
    first = max([i for i, m in enumerate(at) if m <= lo], default=0)
    last = min([i for i, m in enumerate(at) if m >= hi], default=len(at) - 1)
    chosen = list(DURATION_TICKS[first : last + 1])
    if len(chosen) > max_ticks:  # the round ones: 1 min, 1 h, 1 day, 1 week, 30 days, 1 year
        chosen = [t for t in chosen if t[1] in ROUND_DURATIONS]
    while len(chosen) > max_ticks:
        chosen = chosen[::2]
    bounds = [math.log10(min(lo, chosen[0][0]) / 1.3), math.log10(max(hi, at[last]) * 1.3)]
    return [m for m, _ in chosen], [w for _, w in chosen], bounds


def _minutes_in_words(minutes: pd.Series) -> list[str]:
    """fmt_minutes of each value; a target not set (a nullable integer's pd.NA) reads "–"."""
    return [fmt_minutes(m) for m in pd.to_numeric(minutes, errors="coerce").astype(float)]


P90_MIN_N = 10  # handled complaints a channel needs for its 90th percentile to be more than its largest time


def handling_vs_target(df: pd.DataFrame, *, stage: str, title: str) -> go.Figure:
    """Per channel: median and 90th-percentile time against the target (minutes, log scale).
    `df`: channel plus median_<stage>_minutes, p90_<stage>_minutes, <stage>_target, and n."""
    d = df.sort_values("channel")
    median, p90, target = f"median_{stage}_minutes", f"p90_{stage}_minutes", f"{stage}_target"
    n_col = "responded_n" if stage == "first_response" else "resolved_n"
    # A 90th percentile of fewer than P90_MIN_N times is their largest (Boston 311's Social media: one
    # complaint, its median and "90th percentile" the same time): left out there, and the legend says so.
    few = d[n_col].fillna(0) < P90_MIN_N
    d = d.assign(**{p90: d[p90].where(~few)})
    p90_name = "90th percentile" + (f" (channels of {P90_MIN_N} or more)" if few.any() else "")
    fig = go.Figure()
    for column, name, symbol, colour in (
        (target, "Target", "line-ns", INK),
        (median, "Median", "circle", SURPLUS),
        # open, so that a median equal to it still shows inside it
        (p90, p90_name, "diamond-open", SHORTFALL),
    ):
        fig.add_trace(
            go.Scatter(
                x=d[column],
                y=d["channel"],
                mode="markers",
                name=name,
                marker=dict(
                    symbol=symbol,
                    size={target: 14, median: 11}.get(column, 15),
                    color=colour,
                    line=dict(width={target: 3, median: 0}.get(column, 2.5), color=colour),
                ),
                # the time in words as the ticks give it ("32.0 days", not "46,151.3 min")
                customdata=stack(d[n_col], _minutes_in_words(d[column])),
                hovertemplate="%{y}: "
                + name.split(" (")[0].lower()
                + " %{customdata[1]}<br>n = %{customdata[0]:,}<extra></extra>",
            )
        )
    values, words, bounds = duration_ticks(d[[target, median, p90]].to_numpy().ravel())
    fig.update_xaxes(
        title_text="Time from opening (log scale)", type="log", tickvals=values, ticktext=words, range=bounds
    )
    fig.update_yaxes(title_text="Channel", automargin=True)
    fig.update_layout(legend=dict(orientation="h", y=-0.3, title_text=None))
    return layout(fig, title, max(280, 120 + 34 * len(d)))


def within_target_bars(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Share of complaints answered and resolved within target per channel (%), with 95% interval
    whiskers. `df`: channel, first_pct, first_n, resolution_pct, resolution_n and, for the whiskers,
    first_low/high, resolution_low/high."""
    d = df.sort_values("channel")
    # a share nothing was judged for (an export without first responses: Boston 311) has no bars,
    # and no legend entry either
    series = [
        s
        for s in (
            ("first_pct", "first_n", "First response within target", SURPLUS),
            ("resolution_pct", "resolution_n", "Resolved within target", "#1e8449"),
        )
        if d[s[1]].fillna(0).sum() > 0
    ]
    fig = go.Figure()
    for pct, n, name, colour in series:
        stage = pct.removesuffix("_pct")
        # the 95% interval (Wilson) as a whisker, where the frame has it (metrics.within_target_by_channel)
        whisker = (
            dict(
                type="data",
                array=(d[f"{stage}_high"] - d[pct]).tolist(),
                arrayminus=(d[pct] - d[f"{stage}_low"]).tolist(),
                color=INK,
                thickness=1.2,
                width=4,
            )
            if f"{stage}_low" in d
            else None
        )
        fig.add_trace(
            go.Bar(
                x=d["channel"],
                y=d[pct],
                name=name,
                marker_color=colour,
                error_y=whisker,
                customdata=stack(d[n], d.get(f"{stage}_low", d[pct]), d.get(f"{stage}_high", d[pct])),
                hovertemplate="%{x}: %{y:.1f}% (95% interval %{customdata[1]:.0f}-%{customdata[2]:.0f})"
                "<br>n = %{customdata[0]:,}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.3, title_text=None))
    fig.update_xaxes(title_text="Channel")
    if len(series) == 1:  # one share: each channel's n under its name (Boston: 100 % of Social media is 1)
        n = d[series[0][1]].fillna(0).astype(int)
        fig.update_xaxes(
            tickvals=d["channel"].tolist(), ticktext=(d["channel"] + "<br>n " + n.map("{:,}".format)).tolist()
        )
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
