"""Chart builders for the components and gaps pages: a DataFrame in, a labelled plotly Figure
out. No Streamlit here. Shortfalls are red and surpluses blue, as in charts.gap_bars; every
axis is titled in plain words and every hover shows n."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from servicequality.charts.common import HIGHLIGHT, INK, NEUTRAL, SHORTFALL, SURPLUS, layout, stack, wrap_title

GAP_AXIS = "Gap: perception − expectation<br>(points on a 1-7 scale)"  # two lines: fits a phone
SUPPRESSED = "#aeb6bf"  # mid grey with dark text: a readable cell on either theme
WARNING = "#ca6f1e"
GAP_COLOURSCALE = [[0.0, "#922b21"], [0.25, "#e6b0aa"], [0.5, "#f7f7f7"], [0.75, "#a9cce3"], [1.0, "#1a5276"]]


def _keys(df: pd.DataFrame) -> np.ndarray:
    """The component keys, carried as the last customdata item so a click can filter by them."""
    return (df["component_key"] if "component_key" in df else pd.Series([""] * len(df))).astype(str).to_numpy()


def _gap_colours(values) -> list[str]:
    return [SHORTFALL if (v is not None and not math.isnan(v) and v < 0) else SURPLUS for v in values]


def gap_trend_panels(df: pd.DataFrame, *, period_label: str, title: str) -> go.Figure:
    """Small multiples: one panel per component, its gap per period with the 95% band.

    `df`: period, component_name, sort_order, n, mean_gap, ci_low, ci_high.
    """
    names = df.sort_values("sort_order")["component_name"].drop_duplicates().tolist()
    cols = 5 if len(names) > 4 else max(len(names), 1)
    rows = max(1, math.ceil(len(names) / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        shared_yaxes="all",
        # Panels are about 140 px wide on a phone (ui.chart wide): long names take two lines.
        subplot_titles=[wrap_title(n, 14) for n in names],
        vertical_spacing=0.2,
        horizontal_spacing=0.03,
    )
    hover_period = "%{x|%b %Y}" if period_label == "Month" else "quarter from %{x|%b %Y}"
    # Traces and zero lines go in with one call each: fig.add_trace(row=, col=) and
    # fig.add_hline(row=, col=) re-validate the whole figure on every call (~250 ms for ten panels).
    traces, positions, zero_lines = [], [], []
    for i, name in enumerate(names):
        r, c = i // cols + 1, i % cols + 1
        d = df[df["component_name"] == name].sort_values("period")
        band = d.dropna(subset=["ci_low", "ci_high"])
        traces.append(
            go.Scatter(
                x=pd.concat([band["period"], band["period"][::-1]]),
                y=pd.concat([band["ci_high"], band["ci_low"][::-1]]),
                fill="toself",
                fillcolor="rgba(112,128,144,0.25)",
                mode="lines",  # with few periods plotly would also mark the band's corners
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
            )
        )
        traces.append(
            go.Scatter(
                x=d["period"],
                y=d["mean_gap"],
                mode="lines+markers",
                name=name,
                showlegend=False,
                line=dict(color=NEUTRAL, width=1.6),
                marker=dict(size=5, color=_gap_colours(d["mean_gap"])),
                customdata=d[["n", "ci_low", "ci_high"]].to_numpy(),
                hovertemplate=f"{name}<br>{hover_period}: gap %{{y:.2f}}"
                "<br>95% CI %{customdata[1]:.2f} to %{customdata[2]:.2f}<br>n = %{customdata[0]:,}<extra></extra>",
            )
        )
        positions += [(r, c), (r, c)]
        axis = "" if i == 0 else str(i + 1)  # make_subplots numbers the panels row by row
        zero_lines.append(
            dict(
                type="line",
                x0=0,
                x1=1,
                xref=f"x{axis} domain",
                y0=0,
                y1=0,
                yref=f"y{axis}",
                line=dict(color=INK, width=0.8),
            )
        )
    fig.add_traces(traces, rows=[p[0] for p in positions], cols=[p[1] for p in positions])
    fig.update_layout(shapes=zero_lines)
    for r in range(1, rows + 1):
        fig.update_yaxes(title_text="Gap (P − E)", row=r, col=1)
    for c in range(1, cols + 1):
        fig.update_xaxes(title_text=period_label, row=rows, col=c)
    if df["period"].nunique() <= 2:  # plotly would label hours around a single period
        fig.update_xaxes(tickformat="%b %Y", dtick="M1")
    else:  # a few upright ticks per panel: slanted month names overprint in a narrow panel
        fig.update_xaxes(nticks=3, tickangle=0, tickformat="%b<br>%Y")
    fig.update_annotations(font_size=12)  # the panel titles
    return layout(fig, title, 270 * rows + 100)


def selection_vs_network(df: pd.DataFrame, *, selection_label: str, title: str) -> go.Figure:
    """Grouped horizontal bars: the selection's gap and the network's, per component, with
    95% intervals. `df` from servqual.selection_vs_network."""
    fig = go.Figure()
    # One colour a series: the selection's bars coloured by sign (red below 0, blue above) showed one
    # blue swatch in the legend beside red bars; the zero line says the sign.
    for suffix, label, colour in (("network", "Whole network", NEUTRAL), ("selection", selection_label, HIGHLIGHT)):
        value, low, high, n = (f"{c}_{suffix}" for c in ("mean_gap", "ci_low", "ci_high", "n"))
        fig.add_trace(
            go.Bar(
                x=df[value],
                y=df["component_name"],
                orientation="h",
                name=label,
                marker_color=colour,
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=(df[high] - df[value]).tolist(),
                    arrayminus=(df[value] - df[low]).tolist(),
                    color=INK,
                    thickness=1,
                ),
                customdata=stack(df[n], df[low], df[high], _keys(df)),
                hovertemplate=f"{label}<br>%{{y}}: gap %{{x:.2f}}"
                "<br>95% CI %{customdata[1]:.2f} to %{customdata[2]:.2f}<br>n = %{customdata[0]:,}<extra></extra>",
            )
        )
    fig.add_vline(x=0, line_color=INK, line_width=1)
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.12, x=0))
    fig.update_xaxes(title_text=GAP_AXIS)
    fig.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    return layout(fig, title, 120 + 52 * len(df))


ALPHA_LABEL_SHIFT = 4  # px between a value and the end of its bar, or the threshold's line


def alpha_label(alpha: float, threshold: float) -> str:
    """A bar's words: α to 2 decimals, and "< 0.70" when it is short of the threshold (to 3
    decimals where 2 would round it up to the threshold: 0.699 is no "0.70 < 0.70")."""
    if alpha >= threshold:
        return f"{alpha:.2f}"
    digits = 3 if round(alpha, 2) >= threshold else 2
    return f"{alpha:.{digits}f} < {threshold:.2f}"


def alpha_bars(df: pd.DataFrame, *, threshold: float, title: str) -> go.Figure:
    """Cronbach's alpha per component (rows with alpha), bars below the threshold in orange.

    Each value is written to the right of its bar or, for a bar short of the threshold, to the
    right of the threshold's dashed line: written at the bar's end, "0.31 (below 0.70)" was
    crossed by the line on the kiosk survey."""
    d = df.dropna(subset=["alpha"])
    colours = [WARNING if a < threshold else NEUTRAL for a in d["alpha"]]
    fig = go.Figure(
        go.Bar(
            x=d["alpha"],
            y=d["component_name"],
            orientation="h",
            marker_color=colours,
            customdata=stack(d["k"], d["n_complete"], _keys(d)),
            hovertemplate="%{y}: α = %{x:.3f}<br>%{customdata[0]} items, n = %{customdata[1]:,} respondents"
            "<extra></extra>",
        )
    )
    for alpha, name in zip(d["alpha"], d["component_name"], strict=True):
        fig.add_annotation(
            x=max(alpha, threshold),
            y=name,
            text=alpha_label(alpha, threshold),
            showarrow=False,
            xanchor="left",
            xshift=ALPHA_LABEL_SHIFT,
        )
    fig.add_vline(
        x=threshold,
        line_color=WARNING,
        line_dash="dash",
        annotation_text=f"{threshold:.2f}",
        annotation_position="top",
        annotation_yanchor="bottom",
    )
    # room right of the line for "0.31 < 0.70" on a phone's plot of about 160 px
    fig.update_xaxes(
        title_text="Cronbach's alpha (internal consistency of the items)",
        range=[0, 1.2],
        tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1],  # α is at most 1: no tick for the labels' room
    )
    fig.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    return layout(fig, title, max(240, 80 + 34 * len(d)))


def complaints_beside_gaps(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Two panels sharing the component axis: share of complaints, survey gap with its CI."""
    d = df.sort_values("sort_order")
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.08,
        # Short panel titles: on a phone each panel is ~150 px wide and longer ones overprint.
        subplot_titles=["% of complaints", "Gap (P − E)"],
    )
    fig.add_trace(
        go.Bar(
            x=100 * d["complaint_share"].fillna(0),
            y=d["component_name"],
            orientation="h",
            marker_color=NEUTRAL,
            customdata=stack(d["complaints"], _keys(d)),
            hovertemplate="%{y}: %{x:.1f}% of complaints<br>n = %{customdata[0]:,} complaints<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=d["mean_gap"],
            y=d["component_name"],
            orientation="h",
            marker_color=_gap_colours(d["mean_gap"]),
            error_x=dict(
                type="data",
                symmetric=False,
                array=(d["ci_high"] - d["mean_gap"]).tolist(),
                arrayminus=(d["mean_gap"] - d["ci_low"]).tolist(),
                color=INK,
                thickness=1,
            ),
            customdata=stack(d["n"].fillna(0), _keys(d)),
            hovertemplate="%{y}: gap %{x:.2f}<br>n = %{customdata[0]:,} respondents<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    fig.add_vline(x=0, line_color=INK, line_width=1, row=1, col=2)
    # The panel titles name the axes; axis titles of their own would overprint on a phone.
    fig.update_annotations(font_size=12)
    fig.update_yaxes(autorange="reversed", automargin=True, row=1, col=1)
    return layout(fig, title, 120 + 36 * len(d))


def gap_heatmap(df: pd.DataFrame, *, unit_title: str, title: str, min_n: int, unit_id: str | None = None) -> go.Figure:
    """Gap per unit (branch or region, rows) and component (columns). Each cell shows its gap
    and n; cells with `suppressed` set are a grey 'n = 7' cell, not a colour (the hover says why).

    `df`: unit, component_name, sort_order, n, mean_gap, suppressed (from servqual.gap_grid).
    Heatmap cells cannot be selected in plotly, so an invisible marker sits on each cell and
    carries the hover and, as customdata, [the unit's id (`unit_id` column: branch_id or
    region), the component_key, the hover text]: a click on a cell can filter by both.
    """
    components = df.sort_values("sort_order")["component_name"].drop_duplicates().tolist()
    units = df["unit"].drop_duplicates().tolist()
    gap = df.pivot(index="unit", columns="component_name", values="mean_gap").reindex(index=units, columns=components)
    n = df.pivot(index="unit", columns="component_name", values="n").reindex(index=units, columns=components)
    hidden = (
        df.pivot(index="unit", columns="component_name", values="suppressed")
        .reindex(index=units, columns=components)
        .fillna(False)
        .astype(bool)
    )
    text = np.where(
        hidden.to_numpy(),
        # short enough for a 40 px cell on a phone; the title says what grey means
        "n = " + n.fillna(0).astype(int).astype(str),
        np.where(
            n.isna().to_numpy(),
            "no answers",
            gap.map(lambda v: "" if pd.isna(v) else f"{v:+.2f}".replace("-", "−")).astype(str)
            + "<br>n = "
            + n.fillna(0).astype(int).map("{:,}".format),
        ),
    )
    hover = np.where(
        hidden.to_numpy(),
        "suppressed: n = " + n.fillna(0).astype(int).astype(str) + f", fewer than {min_n} responses",
        "gap "
        + gap.map(lambda v: "–" if pd.isna(v) else f"{v:+.2f}").astype(str)
        + ", n = "
        + n.fillna(0).astype(int).map("{:,}".format),
    )
    limit = float(np.nanmax(np.abs(gap.to_numpy(dtype=float)))) if gap.notna().any().any() else 1.0
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=np.where(hidden.to_numpy(), 0.0, np.nan),
            x=components,
            y=units,
            colorscale=[[0, SUPPRESSED], [1, SUPPRESSED]],
            showscale=False,
            xgap=2,
            ygap=2,
            # Text only on the suppressed cells this layer draws: plotly.js would otherwise lay out
            # (unseen, under the gap layer's own text) every cell's text twice, ~40 % of the draw.
            text=np.where(hidden.to_numpy(), text, ""),
            texttemplate="%{text}",
            textfont=dict(size=10, color="#1c2833"),
            hoverinfo="skip",
            name="suppressed",
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=gap.to_numpy(dtype=float),
            x=components,
            y=units,
            zmid=0,
            zmin=-limit,
            zmax=limit,
            colorscale=GAP_COLOURSCALE,
            xgap=2,
            ygap=2,
            colorbar=dict(title=dict(text="Gap (P − E)", side="right"), thickness=14),
            text=np.where(hidden.to_numpy(), "", text),
            texttemplate="%{text}",
            textfont=dict(size=10),
            hoverinfo="skip",
            name="gap",
        )
    )
    unit_ids = df.drop_duplicates("unit").set_index("unit")[unit_id if unit_id in df else "unit"].astype(str)
    component_keys = (
        df.drop_duplicates("component_name").set_index("component_name")["component_key"].astype(str)
        if "component_key" in df
        else pd.Series(components, index=components)
    )
    cells_y, cells_x = np.meshgrid(units, components, indexing="ij")
    fig.add_trace(
        go.Scatter(
            x=cells_x.ravel(),
            y=cells_y.ravel(),
            mode="markers",
            marker=dict(symbol="square", size=26, color="rgba(0,0,0,0)"),
            customdata=stack(
                unit_ids.reindex(cells_y.ravel()).to_numpy(),
                component_keys.reindex(cells_x.ravel()).to_numpy(),
                hover.ravel(),
            ),
            hovertemplate="%{y}<br>%{x}<br>%{customdata[2]}<extra></extra>",
            showlegend=False,
            name="cells",
        )
    )
    fig.update_xaxes(
        title_text="Component",
        side="top",
        tickangle=-30,
        automargin=True,
        tickfont=dict(size=11),
    )
    fig.update_yaxes(title_text=unit_title, autorange="reversed", automargin=True)
    fig = layout(fig, title, max(380, 180 + 34 * len(units)))
    # The component labels sit on top, so the title needs its own room above them.
    fig.update_layout(margin=dict(t=150), title=dict(yref="container", y=1, yanchor="top", pad=dict(t=12)))
    return fig


def contribution_bars(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Each component's contribution to the overall score: equal weights beside importance
    weights. `df` from servqual.score_table."""
    d = df.sort_values("weighted")
    fig = go.Figure()
    for column, label, colour in (
        ("unweighted", "Equal weights (gap ÷ number of components)", "#808b96"),
        ("weighted", "Importance weights (weight × gap)", None),
    ):
        fig.add_trace(
            go.Bar(
                x=d[column],
                y=d["component_name"],
                orientation="h",
                name=label,
                marker_color=colour or _gap_colours(d[column]),
                customdata=stack(d["gap"], 100 * d["weight"], d["n"], _keys(d)),
                hovertemplate=f"{label}<br>%{{y}}: %{{x:+.3f}}<br>gap %{{customdata[0]:.2f}}, "
                "importance weight %{customdata[1]:.1f}%<br>n = %{customdata[2]:,}<extra></extra>",
            )
        )
    fig.add_vline(x=0, line_color=INK, line_width=1)
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.15, x=0))
    fig.update_xaxes(title_text="Contribution to the overall score<br>(points on a 1-7 scale)")
    fig.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    return layout(fig, title, 140 + 44 * len(d))


def tolerance_zone(df: pd.DataFrame, *, title: str) -> go.Figure:
    """Per component the band from the adequate to the desired level, perception marked:
    red below the zone, grey inside, blue above. `df` from servqual.tolerance_table."""
    d = df.sort_values("sort_order")
    colours = {"below the zone": SHORTFALL, "inside the zone": NEUTRAL, "above the zone": SURPLUS}
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            base=d["mean_adequate"],
            x=d["mean_desired"] - d["mean_adequate"],
            y=d["component_name"],
            orientation="h",
            marker_color="rgba(36,113,163,0.22)",
            marker_line=dict(color=SURPLUS, width=1),
            name="Zone of tolerance (adequate to desired)",
            customdata=stack(d["mean_adequate"], d["mean_desired"], d["n"], _keys(d)),
            hovertemplate="%{y}<br>adequate %{customdata[0]:.2f} to desired %{customdata[1]:.2f}"
            "<br>n = %{customdata[2]:,}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=d["mean_perception"],
            y=d["component_name"],
            mode="markers",
            name="Perceived service",
            marker=dict(
                symbol="diamond",
                size=13,
                color=[colours.get(p, NEUTRAL) for p in d["position"]],
                line=dict(color=INK, width=1),
            ),
            customdata=stack(d["mean_msa"], d["mean_mss"], d["n"], d["position"], _keys(d)),
            hovertemplate="%{y}: perceived %{x:.2f} (%{customdata[3]})<br>MSA %{customdata[0]:+.2f}, "
            "MSS %{customdata[1]:+.2f}<br>n = %{customdata[2]:,}<extra></extra>",
        )
    )
    fig.update_layout(legend=dict(orientation="h", y=-0.15, x=0))
    fig.update_xaxes(title_text="Level on the 1-7 scale", range=[1, 7])
    fig.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    return layout(fig, title, 150 + 40 * len(d))
