"""Charts of component performance (ratings without expectations) and derived importance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from servicequality.charts.common import INK, gap_bars, layout
from servicequality.charts.servqual import SUPPRESSED  # the gap map's grey, readable on both themes

BAR = "#4c78a8"


def _interval_bars(labels, values, low, high, customdata, hover: str) -> go.Bar:
    return go.Bar(
        x=values,
        y=labels,
        orientation="h",
        marker_color=BAR,
        error_x=dict(
            type="data",
            symmetric=False,
            array=(np.asarray(high, dtype=float) - np.asarray(values, dtype=float)).tolist(),
            arrayminus=(np.asarray(values, dtype=float) - np.asarray(low, dtype=float)).tolist(),
            color=INK,
            thickness=1.2,
        ),
        customdata=customdata,
        hovertemplate=hover,
    )


def performance_bars(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Each component's mean performance (0 = worst answer, 100 = best) with its 95% interval,
    best first; the component key rides as the last customdata item for cross-filtering."""
    fig = go.Figure(
        _interval_bars(
            df["component_name"],
            df["mean_performance"],
            df["ci_low"],
            df["ci_high"],
            df[["n", "ci_low", "ci_high", "mean_top2", "component_key"]].to_numpy(),
            "%{y}<br>performance %{x:.1f} / 100 (95% CI %{customdata[1]:.1f} to %{customdata[2]:.1f})"
            "<br>top-2-box %{customdata[3]:.1f} %<br>n = %{customdata[0]:,}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Performance (0 = worst answer, 100 = best)", range=[0, 100])
    fig.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    return layout(fig, title, max(220, 60 + 34 * len(df)))


def importance_bars(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Derived importance: each component's share of the explained variance (percent, summing to
    100) with its bootstrap interval, most important first."""
    fig = go.Figure(
        _interval_bars(
            df["component_name"],
            df["importance"],
            df["low"],
            df["high"],
            df[["low", "high", "component_key"]].to_numpy(),
            "%{y}<br>%{x:.1f} % of the explained variance (95% bootstrap interval %{customdata[0]:.1f} to "
            "%{customdata[1]:.1f})<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="Share of explained variance (%)", rangemode="tozero")
    fig.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    return layout(fig, title, max(220, 60 + 34 * len(df)))


def difference_bars(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Branch performance minus the network's with the branch's 95% interval, coloured like a gap
    (red when the whole interval is below the network)."""
    return gap_bars(
        df,
        label="label",
        value="difference",
        low="difference_low",
        high="difference_high",
        title=title,
        value_title="Branch − network<br>(points on 0-100)",
        ids="branch_id",
        value_name="difference from the network",
    )


def performance_heatmap(df: pd.DataFrame, *, unit_title: str, title: str, min_n: int) -> go.Figure:
    """Components (columns) by branch or region (rows), coloured by performance 0-100; a cell with
    fewer than min_n respondents is left grey and says its n instead of a value."""
    units = df.drop_duplicates("unit_id").sort_values("unit_name")
    comps = df.drop_duplicates("component_key").sort_values("sort_order")
    grid = df.pivot(index="unit_id", columns="component_key", values="mean_performance").reindex(
        index=units["unit_id"], columns=comps["component_key"]
    )
    counts = (
        df.pivot(index="unit_id", columns="component_key", values="n")
        .reindex(index=units["unit_id"], columns=comps["component_key"])
        .fillna(0)
    )
    shown = grid.where(counts >= min_n)
    text = [
        ["" if c == 0 else (f"n = {int(c)}" if c < min_n else f"{v:.0f}") for v, c in zip(vals, cnts, strict=True)]
        for vals, cnts in zip(grid.to_numpy(), counts.to_numpy(), strict=True)
    ]
    small = ((counts > 0) & (counts < min_n)).to_numpy()
    fig = go.Figure()
    # Cells with too few respondents: a grey tile under the main layer, which leaves them empty.
    fig.add_trace(
        go.Heatmap(
            z=np.where(small, 1.0, np.nan),
            x=comps["component_name"].tolist(),
            y=units["unit_name"].tolist(),
            colorscale=[[0, SUPPRESSED], [1, SUPPRESSED]],
            showscale=False,
            hoverinfo="skip",
            xgap=1,
            ygap=1,
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=shown.to_numpy(),
            x=comps["component_name"].tolist(),
            y=units["unit_name"].tolist(),
            zmin=0,
            zmax=100,
            colorscale="Blues",
            colorbar=dict(title=dict(text="0-100")),
            text=text,
            texttemplate="%{text}",
            customdata=counts.to_numpy(),
            hovertemplate="%{y} · %{x}<br>performance %{z:.1f} / 100<br>n = %{customdata}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_xaxes(title_text=None, tickangle=-30)
    fig.update_yaxes(title_text=unit_title, autorange="reversed", automargin=True)
    return layout(fig, title, max(300, 120 + 26 * len(units)))
