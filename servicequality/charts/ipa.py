"""The importance-performance matrix (Martilla & James 1977): each component's importance against
its performance, split into four quadrants, numbered points and the key of names under the plot,
the numbers placed so that none covers another point, number or the split lines."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from servicequality.charts.common import INK, NEUTRAL, SHORTFALL, SURPLUS, layout, stack, stored
from servicequality.charts.servqual import WARNING, _keys


def importance_performance_matrix(
    df: pd.DataFrame,
    *,
    importance_split: float,
    performance_split: float,
    title: str,
    importance_title: str = "Importance: mean share of the importance points (%)",
    performance_title: str = "Performance: mean perception (1-7)",
    importance_words: str = "% of points",
) -> go.Figure:
    """Importance (x) against performance (y), split at the means, quadrants named in the
    corners. `df` from servqual.importance_performance (stated importance) or
    performance.derived_importance_performance (derived); the titles say which.

    Each point carries a number, placed where it overlaps no other number or point on a phone's
    plot or a desktop's (`_label_positions`); the key under the plot names them (and the hover
    does): full names beside the points printed over each other on real surveys."""
    from servicequality.stats import servqual as servqual_stats

    colours = {
        servqual_stats.CONCENTRATE: SHORTFALL,
        servqual_stats.KEEP_UP: SURPLUS,
        servqual_stats.LOW_PRIORITY: NEUTRAL,
        servqual_stats.OVERKILL: WARNING,
    }
    d = df.reset_index(drop=True)
    numbers = [str(i + 1) for i in range(len(d))]
    x0, x1 = d["importance_pct"].min(), d["importance_pct"].max()
    y0, y1 = d["mean_perception"].min(), d["mean_perception"].max()
    px, py = max((x1 - x0) * 0.15, 0.5), max((y1 - y0) * 0.15, 0.1)
    xr, yr = [x0 - px, x1 + px], [y0 - py, y1 + py]
    fig = go.Figure(
        go.Scatter(
            x=d["importance_pct"],
            y=d["mean_perception"],
            mode="markers+text",
            text=numbers,
            textposition=_label_positions(
                d["importance_pct"], d["mean_perception"], numbers, xr, yr, splits=(importance_split, performance_split)
            ),
            textfont=dict(size=IPA_NUMBER_FONT),
            marker=dict(size=IPA_MARKER, color=[colours[q] for q in d["quadrant"]]),
            customdata=stack(d["component_name"], d["quadrant"], d["n"], d["importance_n"], _keys(d)),
            hovertemplate="%{text}. %{customdata[0]}: %{customdata[1]}<br>importance %{x:.1f}" + importance_words + " "
            "(n = %{customdata[3]:,})<br>performance %{y:.2f} (n = %{customdata[2]:,})<extra></extra>",
            showlegend=False,
        )
    )
    fig.add_vline(x=importance_split, line_dash="dot", line_color=INK)
    fig.add_hline(y=performance_split, line_dash="dot", line_color=INK)
    for text, x, y, xa, ya in (
        (servqual_stats.CONCENTRATE, xr[1], yr[0], "right", "bottom"),
        (servqual_stats.KEEP_UP, xr[1], yr[1], "right", "top"),
        (servqual_stats.LOW_PRIORITY, xr[0], yr[0], "left", "bottom"),
        (servqual_stats.OVERKILL, xr[0], yr[1], "left", "top"),
    ):
        fig.add_annotation(
            x=x,
            y=y,
            text=f"<b>{text}</b>",
            showarrow=False,
            xanchor=xa,
            yanchor=ya,
            font=dict(color=colours[text], size=13),
        )
    key = ipa_key(d["component_name"])
    lines = key.count("<br>") + 1
    fig.add_annotation(
        text=key,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-IPA_KEY_OFFSET,
        align="left",
        showarrow=False,
        font=dict(size=12, color=INK),
    )
    fig.update_xaxes(title_text=importance_title, range=xr)
    fig.update_yaxes(title_text=performance_title, range=yr)
    fig = layout(fig, title, 520 + IPA_KEY_LINE * lines)
    # the key under the x axis title: a bottom margin for its lines
    fig.update_layout(margin_b=IPA_KEY_OFFSET + IPA_KEY_LINE * lines)
    return fig


IPA_MARKER = 12  # px
IPA_NUMBER_FONT = 12  # px
IPA_KEY_LINE = 17  # px per line of the key
IPA_KEY_OFFSET = 95  # px from the plot's bottom to the key: below the ticks and a three-line axis title
IPA_KEY_WIDTH = 44  # characters on a line of the key: about 290 px, a phone's chart


def ipa_key(names) -> str:
    """'1 Reliability · 2 Security · …', broken into lines a phone's chart holds; names escaped."""
    entries = [f"<b>{i + 1}</b> {stored(name)}" for i, name in enumerate(names)]
    lines: list[list[str]] = [[]]
    width = 0
    for entry, name in zip(entries, names, strict=True):
        size = len(str(name)) + len(str(len(entries))) + 3
        if lines[-1] and width + size > IPA_KEY_WIDTH:
            lines.append([])
            width = 0
        lines[-1].append(entry)
        width += size
    return "<br>".join(" · ".join(line) for line in lines)


# Plot areas the numbers must fit: a narrow chart on a phone, a wide one there (WIDE_MIN_PX) and a desktop's.
IPA_PLOT_SIZES = ((280, 360), (680, 360), (900, 360))


def _label_positions(xs, ys, labels, xr, yr, sizes=IPA_PLOT_SIZES, splits=None) -> list[str]:
    """Pick, per point, a text position whose label box overlaps no label placed before it nor
    any point's marker nor the dotted split lines (`splits`: x and y) on every plot size in `sizes`
    (width, height in px), else the one that overlaps least (approximate: 7 px per character, 15 px
    per line, a 2 px margin)."""
    points = list(zip(xs, ys, strict=True))
    placed: list[list[tuple[float, float, float, float]]] = [[] for _ in sizes]
    markers = [[(x * w / (xr[1] - xr[0]), y * h / (yr[1] - yr[0])) for x, y in points] for w, h in sizes]
    if splits is not None:  # each split line a box 2 px wide, as long as the plot
        for k, (w, h) in enumerate(sizes):
            sx, sy = splits[0] * w / (xr[1] - xr[0]), splits[1] * h / (yr[1] - yr[0])
            placed[k] += [(sx - 1, -1e9, sx + 1, 1e9), (-1e9, sy - 1, 1e9, sy + 1)]
    positions = []

    def overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
        return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))

    def cost(name: str, i: int, label: str) -> float:
        total = 0.0
        for k in range(len(sizes)):
            box = _label_box(name, *markers[k][i], 7 * len(str(label)) + 4, 15 + 4)
            total += sum(overlap(box, other) for other in placed[k])
            r = IPA_MARKER / 2 + 1
            total += sum(overlap(box, (mx - r, my - r, mx + r, my + r)) for mx, my in markers[k])
        return total

    for i, label in enumerate(labels):
        # The first position that overlaps nothing, else the one that overlaps least.
        chosen = min(LABEL_POSITIONS, key=lambda name: (cost(name, i, label) > 0, cost(name, i, label)))
        for k in range(len(sizes)):
            placed[k].append(_label_box(chosen, *markers[k][i], 7 * len(str(label)) + 4, 15 + 4))
        positions.append(chosen)
    return positions


LABEL_POSITIONS = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "bottom right",
    "top left",
    "bottom left",
)


def _label_box(position: str, px: float, py: float, w: float, h: float) -> tuple[float, float, float, float]:
    """The box (left, bottom, right, top; px, y up) plotly gives a text at `position` beside a
    marker of IPA_MARKER px at (px, py)."""
    r = IPA_MARKER / 2
    vertical, horizontal = position.split()
    if horizontal == "center":
        left = px - w / 2
    elif horizontal == "right":
        left = px + (r if vertical == "middle" else 0)
    else:
        left = px - w - (r if vertical == "middle" else 0)
    if vertical == "middle":
        bottom = py - h / 2
    elif vertical == "top":
        bottom = py + r
    else:
        bottom = py - r - h
    return (left, bottom, left + w, bottom + h)
