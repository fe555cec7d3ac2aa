"""Chart builders for the Explore page: the cells of servicequality.metrics.explore.cells in, a labelled
plotly Figure out. No Streamlit here.

Every point carries its cell's keys in customdata (0: first dimension's key, 1: second's, 2: n),
so a click can filter the dashboard by the key (a branch id, a component key), not its label.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from servicequality.charts.common import NEUTRAL, SHORTFALL, SURPLUS, layout
from servicequality.metrics.explore import (
    DIMENSIONS,
    MEASURES,
    Choice,
    format_value,
    suppressed_words,
    unreached,
    value_words,
)

SUPPRESSED_COLOUR = "#808b96"
MAX_GROUPS_FOR_BARS = 6  # more second-dimension values than this: a heatmap instead of grouped bars
MAX_ROWS_FOR_BARS = 20


def title_for(choice: Choice) -> str:
    m = MEASURES[choice.measure]
    by = DIMENSIONS[choice.dim1].label.lower()
    if choice.dim2:
        by += f" and {DIMENSIONS[choice.dim2].label.lower()}"
    intervals = "" if m.interval.startswith("none") else " (95% intervals)"
    return f"{m.label} by {by}{intervals}"


def explore_chart(cells: pd.DataFrame, choice: Choice) -> go.Figure:
    """Bars for one dimension; grouped bars (few groups) or a heatmap for two."""
    if not choice.dim2:
        return bars(cells, choice)
    if cells["key2"].nunique() <= MAX_GROUPS_FOR_BARS and cells["key1"].nunique() <= MAX_ROWS_FOR_BARS:
        return grouped_bars(cells, choice)
    return heatmap(cells, choice)


def _hover(choice: Choice) -> str:
    m = MEASURES[choice.measure]
    first = DIMENSIONS[choice.dim1].label
    text = f"{first}: %{{customdata[3]}}"
    if choice.dim2:
        text += f"<br>{DIMENSIONS[choice.dim2].label}: %{{customdata[4]}}"
    text += "<br>%{customdata[5]}"
    if not m.interval.startswith("none"):
        text += "<br>95% interval %{customdata[6]}"
    text += f"<br>n = %{{customdata[2]:,}} {m.n_words}<extra></extra>"
    return text


def _customdata(df: pd.DataFrame, choice: Choice) -> np.ndarray:
    m = MEASURES[choice.measure]
    value_text = [
        suppressed_words(choice.measure) if s else value_words(v, n, choice.measure)
        for v, n, s in zip(df["value"], df["n"], df["suppressed"])
    ]
    interval_text = [
        "–" if (isinstance(lo, float) and math.isnan(lo)) else f"{lo:,.{m.digits}f} to {hi:,.{m.digits}f}"
        for lo, hi in zip(df["low"], df["high"])
    ]
    return np.column_stack(
        [
            df["key1"].astype(object).to_numpy(),
            df["key2"].astype(object).to_numpy(),
            df["n"].astype(int).to_numpy(),
            df["label1"].to_numpy(),
            df["label2"].to_numpy(),
            np.array(value_text, dtype=object),
            np.array(interval_text, dtype=object),
        ]
    )


def _error(df: pd.DataFrame, choice: Choice) -> dict | None:
    if MEASURES[choice.measure].interval.startswith("none"):
        return None
    return dict(
        type="data",
        symmetric=False,
        array=(df["high"] - df["value"]).clip(lower=0).tolist(),
        arrayminus=(df["value"] - df["low"]).clip(lower=0).tolist(),
        thickness=1.2,
    )


def _colours(df: pd.DataFrame, choice: Choice) -> list[str] | str:
    if choice.measure in ("gap", "nps"):
        return [SHORTFALL if v < 0 else SURPLUS for v in df["value"].fillna(0)]
    return NEUTRAL if choice.measure in ("count", "complaint_rate") else SURPLUS


MAX_CROSSES = 20  # suppressed cells drawn as crosses, at most, and only while fewer than the shown ones


def crosses_drawn(cells: pd.DataFrame) -> bool:
    """Whether a one-dimension chart marks its suppressed cells: 116 crosses for one bar (Skytrax's
    airports, most with fewer than 30 reviews) made a chart 4,400 px tall of nothing. Beyond
    MAX_CROSSES, or more than the shown cells, they are left out (the page says so)."""
    hidden = int(cells["suppressed"].sum())
    return hidden <= MAX_CROSSES or hidden <= len(cells) - hidden


def _marks_at_zero(cells: pd.DataFrame, choice: Choice, horizontal: bool, marker: dict, name: str) -> go.Scatter:
    """Cells with no bar to draw (suppressed, a median not reached) as marks at zero, with their hover."""
    zeros = np.zeros(len(cells))
    return go.Scatter(
        x=zeros if horizontal else cells["label1"],
        y=cells["label1"] if horizontal else zeros,
        mode="markers",
        marker=marker,
        customdata=_customdata(cells, choice),
        hovertemplate=_hover(choice),
        name=name,
    )


def bars(cells: pd.DataFrame, choice: Choice) -> go.Figure:
    """One bar per value of the first dimension: time left to right, anything else as horizontal
    bars largest first. Suppressed cells show as grey crosses at zero, with their n."""
    m, dim = MEASURES[choice.measure], DIMENSIONS[choice.dim1]
    shown = cells[~cells["suppressed"]]
    hidden = cells[cells["suppressed"]]
    if not dim.ordinal:
        shown = shown.sort_values("value", ascending=False, kind="stable")
    horizontal = not dim.ordinal
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=shown["value"] if horizontal else shown["label1"],
            y=shown["label1"] if horizontal else shown["value"],
            orientation="h" if horizontal else "v",
            marker_color=_colours(shown, choice),
            error_x=_error(shown, choice) if horizontal else None,
            error_y=None if horizontal else _error(shown, choice),
            customdata=_customdata(shown, choice),
            hovertemplate=_hover(choice),
            name=m.label,
        )
    )
    if not crosses_drawn(cells):
        hidden = hidden.iloc[0:0]
    if len(hidden):
        # the count as a count: "(116)" after "the minimum responses" read as the minimum
        name = f"{len(hidden):,} {suppressed_words(choice.measure)}"
        marker = dict(symbol="x-thin", size=12, line=dict(width=2, color=SUPPRESSED_COLOUR))
        fig.add_trace(_marks_at_zero(hidden, choice, horizontal, marker, name))
    # a median the open complaints keep out of reach: a mark at zero, not an empty slot that reads as
    # nothing (Boston's worst months)
    open_cells = shown[unreached(shown, choice.measure)]
    if len(open_cells):
        marker = dict(symbol="arrow-right" if horizontal else "arrow-up", size=13, color=SUPPRESSED_COLOUR)
        name = f"{len(open_cells):,} not reached: too many still open"
        fig.add_trace(_marks_at_zero(open_cells, choice, horizontal, marker, name))
    if horizontal:
        fig.update_xaxes(title_text=m.axis)
        fig.update_yaxes(title_text=dim.label, autorange="reversed", automargin=True, type="category")
        height = max(300, 90 + 26 * (len(shown) + len(hidden)))
    else:
        # time in its own order, suppressed cells in their place: without the array plotly put the
        # shown months first and the suppressed ones after them (May 2006 after Mar 2015)
        fig.update_xaxes(
            title_text=dim.label, type="category", categoryorder="array", categoryarray=cells["label1"].tolist()
        )
        fig.update_yaxes(title_text=m.axis)
        height = 420
    fig.update_layout(
        showlegend=len(hidden) > 0 or len(open_cells) > 0,
        # under the plot (common.layout moves it to the figure's foot): above it, it overprinted the
        # title wrapped to two lines on a phone
        legend=dict(orientation="h", x=0, xanchor="left", y=-0.25, yanchor="top"),
    )
    return layout(fig, title_for(choice), height)


def grouped_bars(cells: pd.DataFrame, choice: Choice) -> go.Figure:
    """One bar group per value of the first dimension, one colour per value of the second."""
    m = MEASURES[choice.measure]
    fig = go.Figure()
    groups = cells.sort_values("order2", kind="stable")["key2"].drop_duplicates().tolist()
    categories = cells["label1"].drop_duplicates().tolist()  # cells come sorted by the first dimension
    for key in groups:
        part = cells[(cells["key2"] == key) & ~cells["suppressed"]]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part["label1"],
                y=part["value"],
                name=str(part["label2"].iloc[0]),
                error_y=_error(part, choice),
                customdata=_customdata(part, choice),
                hovertemplate=_hover(choice),
            )
        )
    hidden = cells[cells["suppressed"]]
    if len(hidden):
        marker = dict(symbol="x-thin", size=12, line=dict(width=2, color=SUPPRESSED_COLOUR))
        name = f"{len(hidden):,} {suppressed_words(choice.measure)}"
        fig.add_trace(_marks_at_zero(hidden, choice, False, marker, name))
    # a median not reached (too many still open) marked at zero, as in bars(): a gap in a group read as nothing
    open_cells = cells[unreached(cells, choice.measure)]
    if len(open_cells):
        marker = dict(symbol="arrow-up", size=13, color=SUPPRESSED_COLOUR)
        name = f"{len(open_cells):,} not reached: too many still open"
        fig.add_trace(_marks_at_zero(open_cells, choice, False, marker, name))
    fig.update_layout(barmode="group", legend=dict(title_text=DIMENSIONS[choice.dim2].label))
    fig.update_xaxes(
        title_text=DIMENSIONS[choice.dim1].label, type="category", categoryorder="array", categoryarray=categories
    )
    fig.update_yaxes(title_text=m.axis)
    return layout(fig, title_for(choice), 460)


# A heatmap cell with no value: grey, off both ends of the colour scales, under dark words (10:1)
NO_VALUE, NO_VALUE_INK = "#c8ccd2", "#1c2833"


def heatmap_text(cell: pd.Series, measure: str) -> str:
    """A heatmap cell's words: value and n; a count alone ("531<br>n=531" said it twice); a
    Kaplan-Meier median the open complaints keep out of reach, "not reached" (Boston's hotline in
    January 2015: 118 of 127 still open read "–", like a cell with no complaint)."""
    if MEASURES[measure].key == "count":
        return format_value(cell["value"], measure)
    # "not reached" on two lines: on one it ran into the next cell's words at a phone's width
    words = value_words(cell["value"], cell["n"], measure).replace("not reached", "not<br>reached")
    return f"{words}<br>n={int(cell['n']):,}"


def heatmap(cells: pd.DataFrame, choice: Choice) -> go.Figure:
    """First dimension down, second across; the colour is the value, the text value and n."""
    m = MEASURES[choice.measure]
    rows = cells["label1"].drop_duplicates().tolist()
    ordered = cells.sort_values("order2", kind="stable")
    columns = ordered["label2"].drop_duplicates().tolist()
    index = {(a, b): i for i, (a, b) in enumerate(zip(cells["label1"], cells["label2"]))}
    custom = _customdata(cells, choice)
    z = np.full((len(rows), len(columns)), np.nan)
    text = np.full((len(rows), len(columns)), "", dtype=object)
    data = np.empty((len(rows), len(columns), custom.shape[1]), dtype=object)
    data[:] = ""
    for r, row_label in enumerate(rows):
        for c, column_label in enumerate(columns):
            i = index.get((row_label, column_label))
            if i is None:
                data[r, c, 2] = 0
                data[r, c, 3], data[r, c, 4], data[r, c, 5] = row_label, column_label, "no data"
                data[r, c, 6] = "–"
                continue
            cell = cells.iloc[i]
            data[r, c] = custom[i]
            if cell["suppressed"]:
                text[r, c] = f"n={int(cell['n'])}<br>suppressed"
            else:
                z[r, c] = cell["value"]
                text[r, c] = heatmap_text(cell, choice.measure)
    diverging = choice.measure in ("gap", "nps")
    limit = np.nanmax(np.abs(z)) if diverging and np.isfinite(z).any() else None
    words = "%{text}" if z.size <= 240 else None
    empty = np.isnan(z)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=columns,
            y=rows,
            text=np.where(empty, "", text),
            texttemplate=words,
            customdata=data,
            hovertemplate=_hover(choice),
            colorscale="RdBu" if diverging else "Blues",
            zmid=0 if diverging else None,
            zmin=-limit if limit else None,
            zmax=limit if limit else None,
            colorbar=dict(title=dict(text=m.axis, side="right")),
            xgap=1,
            ygap=1,
        )
    )
    # A cell without a value (no data, suppressed, a median not reached) in grey with dark words, a
    # layer of its own: left blank it showed the white behind, which read as the colour scale's light
    # end (Boston's hotline months "not reached" looked fastest).
    if empty.any():
        fig.add_trace(
            go.Heatmap(
                z=np.where(empty, 0.0, np.nan),
                x=columns,
                y=rows,
                text=np.where(empty, text, ""),
                texttemplate=words,
                textfont=dict(color=NO_VALUE_INK),
                customdata=data,
                hovertemplate=_hover(choice),
                colorscale=[[0, NO_VALUE], [1, NO_VALUE]],
                showscale=False,
                xgap=1,
                ygap=1,
            )
        )
    fig.update_xaxes(title_text=DIMENSIONS[choice.dim2].label, type="category", side="bottom")
    fig.update_yaxes(title_text=DIMENSIONS[choice.dim1].label, type="category", autorange="reversed", automargin=True)
    fig = layout(fig, title_for(choice), max(360, 120 + 28 * len(rows)))
    fig.update_xaxes(showgrid=False)  # grid lines across the cells' gaps read as borders
    fig.update_yaxes(showgrid=False)
    if len(columns) <= 12:  # plotly shrank the words to fit ("not reached" at about 6 px): readable instead
        fig.update_traces(textfont_size=10)
    return fig
