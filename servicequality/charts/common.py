"""Chart builders: a DataFrame in, a labelled plotly Figure out. No Streamlit here.

Every axis has a title in plain words and every hover shows n, so a chart read out of
context still says what it measures.
"""

from __future__ import annotations

import html
import re
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from servicequality.metrics import formats

SHORTFALL = "#c0392b"  # P < E: perception below expectation
SURPLUS = "#2471a3"  # P >= E
NEUTRAL = "#708090"  # slate: reads on white and on the dark theme
# Lines, whiskers and reference marks: a mid-tone that reads on the light and the dark theme
# (backgrounds and text colours come from the Streamlit theme, so none are set here).
INK = "#8c8c8c"
FONT = dict(family="Source Sans Pro, sans-serif", size=13)
HIGHLIGHT = "#8e44ad"  # my branch


def stack(*columns) -> np.ndarray:
    """Columns side by side as a customdata array that keeps each column's type (np.column_stack
    would turn every number into text as soon as one column is text, e.g. an id)."""
    return pd.concat([pd.Series(np.asarray(c)) for c in columns], axis=1).to_numpy(dtype=object)


TITLE_WIDTH = 44  # characters a line of a chart title holds on a 390 px phone screen


def wrap_title(title: str, width: int = TITLE_WIDTH) -> str:
    """A long title broken into lines (plotly never wraps a title, it runs off a narrow chart)."""
    return "<br>".join(textwrap.wrap(title, width, break_long_words=False)) if len(title) > width else title


MONTH_LABEL_ROOM = 50  # px right of the plot for the last month's label ('Dec 2015', turned 30°)


def layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    """The house layout: left-aligned title (wrapped), tight margins, one font. A month axis
    ('%b %Y' ticks) gets MONTH_LABEL_ROOM on the right: plotly turns crowded labels 30° to the
    right and hides one that would cross the chart's edge, so the last month went unlabelled
    (Boston's 'Dec 2015' at 1440 px)."""
    title = wrap_title(title)
    lines = title.count("<br>") + 1
    months = any(axis.tickformat == "%b %Y" for axis in fig.select_xaxes())
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left"),
        height=height + 22 * (lines - 1),
        margin=dict(l=10, r=MONTH_LABEL_ROOM if months else 10, t=50 + 22 * (lines - 1), b=10),
        font=FONT,
        hoverlabel=dict(font_size=12),
    )
    _legend_below_everything(fig)
    _no_automargin_without_labels(fig)
    _wrap_axis_titles(fig)
    return fig


AXIS_TITLE_WIDTH = 28  # characters on a line of an axis title: a phone's plot can be 180 px wide


def _wrap_axis_titles(fig: go.Figure) -> None:
    """Long axis titles on two lines or more (plotly never wraps them; on a phone they run off)."""

    def wrap(axis) -> None:
        text = axis.title.text
        if text and "<br>" not in text and len(text) > AXIS_TITLE_WIDTH:
            axis.title.text = wrap_title(text, AXIS_TITLE_WIDTH)

    fig.for_each_xaxis(wrap)
    fig.for_each_yaxis(wrap)


def _legend_below_everything(fig: go.Figure) -> None:
    """A horizontal legend placed under the plot (y < 0) moves to the bottom of the whole figure,
    with a bottom margin for one row per entry: under the axis title however tall the tick labels
    get (a phone turns month and category labels upright), never on top of them."""
    legend = fig.layout.legend
    if legend.orientation != "h" or legend.y is None or legend.y >= 0:
        return
    entries = sum(1 for t in fig.data if t.showlegend is not False and t.name)
    rows = max(1, min(entries, 4))
    fig.update_layout(
        legend=dict(yref="container", y=0, yanchor="bottom"),
        margin_b=10 + 24 * rows,
        height=(fig.layout.height or 380) + 24 * rows,
    )


def _no_automargin_without_labels(fig: go.Figure) -> None:
    """Automargin off on the axes that draw neither tick labels nor a title (the inner panels of
    shared subplots): they push no margin, but Streamlit's theme turns automargin on for every
    axis and plotly.js then measures and redraws each of them, which makes a ten-panel chart
    draw 20-40 % slower in the browser. The drawing is pixel for pixel the same."""
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        if axis.showticklabels is False and not axis.title.text and axis.automargin is None:
            axis.automargin = False


def interval_colours(low, high, reference: float = 0.0, higher_is_better: bool = True) -> list[str]:
    """One colour per 95% interval: blue when the whole interval is on the better side of the
    reference, red when it is wholly on the worse side, grey when it includes the reference (the
    data cannot tell that value apart from it, so it is not coloured as news)."""
    # above / below the reference: blue / red when higher is better, the other way round otherwise
    above, below = (SURPLUS, SHORTFALL) if higher_is_better else (SHORTFALL, SURPLUS)
    pairs = zip(low, high, strict=True)
    return [above if lo > reference else below if hi < reference else NEUTRAL for lo, hi in pairs]


def gap_bars(
    df: pd.DataFrame,
    *,
    label: str,
    value: str = "mean_gap",
    low: str = "ci_low",
    high: str = "ci_high",
    n: str = "n",
    title: str,
    value_title: str = "Gap: perception − expectation<br>(points on a 1-7 scale)",
    height: int | None = None,
    ids: str | None = None,
    value_name: str = "gap",
) -> go.Figure:
    """Horizontal bars of a gap (or a difference) with its 95% interval: red when the whole
    interval is below 0, blue when it is above, grey when it includes 0 (not told apart from 0 by
    the data, so not coloured as a shortfall).

    ids: a column (component_key, branch_id) carried as the last customdata item, so a click on
    a bar can filter the dashboard by it. value_name: what the hover calls the value."""
    colours = interval_colours(df[low], df[high])
    fig = go.Figure(
        go.Bar(
            x=df[value],
            y=df[label],
            orientation="h",
            marker_color=colours,
            error_x=dict(
                type="data",
                symmetric=False,
                array=(df[high] - df[value]).tolist(),
                arrayminus=(df[value] - df[low]).tolist(),
                color=INK,
                thickness=1.2,
            ),
            customdata=df[[n, low, high] + ([ids] if ids else [])].to_numpy(),
            hovertemplate="%{y}<br>" + value_name + " %{x:.2f} (95% CI %{customdata[1]:.2f} to %{customdata[2]:.2f})"
            "<br>n = %{customdata[0]:,}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color=INK, line_width=1)
    fig.update_xaxes(title_text=value_title, zeroline=False)
    fig.update_yaxes(title_text=None, autorange="reversed", automargin=True)
    short_category_ticks(fig, df[label])
    return layout(fig, title, height or max(220, 60 + 34 * len(df)))


def monthly_trend(months: pd.DataFrame, panels: list[tuple[str, str, str]], *, title: str) -> go.Figure:
    """Stacked line panels sharing the month axis: (column, panel title, y-axis title) each.

    `months` needs a `month` column and, for the hover, an `n_<column>` column per panel.
    """
    fig = make_subplots(
        rows=len(panels),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[p[1] for p in panels],
    )
    for row, (column, panel_title, axis_title) in enumerate(panels, start=1):
        n_col = f"n_{column}"
        fig.add_trace(
            go.Scatter(
                x=months["month"],
                y=months[column],
                mode="lines+markers",
                name=panel_title,
                line=dict(color=NEUTRAL if row % 2 else SURPLUS, width=2),
                marker=dict(size=5),
                customdata=months[[n_col]].to_numpy() if n_col in months else None,
                hovertemplate="%{x|%b %Y}: %{y:.2f}"
                + ("<br>n = %{customdata[0]:,}" if n_col in months else "")
                + "<extra></extra>",
            ),
            row=row,
            col=1,
        )
        # Every panel's axis reaches 0, so a flat series (a rate moving 21.2-21.6 per 1,000) looks
        # flat instead of filling the panel's height with noise.
        fig.update_yaxes(title_text=axis_title, rangemode="tozero", row=row, col=1)
    # Month ticks even when the data hold a single month (plotly would otherwise label hours).
    fig.update_xaxes(tickformat="%b %Y", dtick="M1" if len(months) <= 12 else None)
    fig.update_xaxes(title_text="Month", row=len(panels), col=1)
    fig.update_layout(showlegend=False)
    return layout(fig, title, 190 * len(panels) + 60)


def escape_labels(fig: go.Figure) -> go.Figure:
    """Category labels (a trace's x and y: branch names, categories, segments a file wrote) as
    their characters: plotly draws <b>, <i>, <a href> and <br> in labels, so "<", ">" and "&" are
    written as entities, which plotly shows as the characters. A click hands back the escaped
    value (ui.crossfilter unescapes it). Labels past LABEL_LIMIT characters are cut. Numeric
    arrays are left as they are."""
    for trace in fig.data:
        for attr in ("x", "y"):
            values = getattr(trace, attr, None)
            if (
                values is None
                or isinstance(values, str)
                or (isinstance(values, np.ndarray) and values.dtype.kind != "O")
            ):
                continue
            if _needs_escape(values):
                trace[attr] = _escaped(values)
        # names in customdata show in hover labels (%{customdata[0]}), which read HTML too; not
        # cut: a click hands the value back as a filter (ui.crossfilter unescapes it)
        custom = getattr(trace, "customdata", None)
        if custom is not None and not isinstance(custom, str):
            trace.customdata = [_escaped_row(row) for row in custom]
    # an axis's category order names the same labels: written the same way, or they would not match
    for name in fig.layout:
        axis = fig.layout[name]
        if name.startswith(("xaxis", "yaxis")) and axis is not None:
            if axis.categoryarray is not None and _needs_escape(axis.categoryarray):
                axis.categoryarray = _escaped(axis.categoryarray)
            # tick values that name categories (short_category_ticks) must match them too
            if axis.tickvals is not None and _needs_escape(axis.tickvals):
                axis.tickvals = _escaped(axis.tickvals)
    return fig


def _needs_escape(values) -> bool:
    return any(isinstance(v, str) and ("<" in v or ">" in v or "&" in v or len(v) > LABEL_LIMIT) for v in values)


def _escaped_row(row):
    if isinstance(row, str):
        return html.escape(row, quote=False)
    if isinstance(row, (list, tuple, np.ndarray)):
        return [html.escape(v, quote=False) if isinstance(v, str) else v for v in row]
    return row


def _escaped(values) -> list:
    return [html.escape(clip(v), quote=False) if isinstance(v, str) else v for v in values]


# Longest label a chart draws: a name a file wrote can be megabytes (issue 16 measured three
# 9 MB category names making a page push 28 MB a load); a click on a cut label filters nothing.
LABEL_LIMIT = 80


def clip(text: str, limit: int = LABEL_LIMIT) -> str:
    """`text` cut to `limit` (by default LABEL_LIMIT) characters with an ellipsis."""
    return formats.clip(text, limit)


def stored(text: object) -> str:
    """A name a file wrote, for a chart title or annotation (plotly reads <b>, <a href>, <br>
    there): cut to LABEL_LIMIT and written with entities, so it shows as its characters."""
    return html.escape(clip(str(text)), quote=False)


BAR_LABEL_LIMIT = 28  # a bar chart's category label: past it, cut on the axis (whole in the hover)


# Hebrew and Arabic letters: a label cut inside a run of them drew its ellipsis at the run's far
# end ("#8 Ma'ale HaCarmel (מעלה ה…" read with the "…" beside the bracket).
_RIGHT_TO_LEFT = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def _cut(text: str, width: int) -> str:
    """`text` cut to `width` characters, the last an ellipsis. A cut that falls inside right-to-left
    text goes back to before it (and its opening bracket), so the ellipsis ends left-to-right text;
    one inside a closing bracket goes back to before the bracket ("Mayor's 24-hour hotline (IN…"
    named a code that is not one), unless that leaves less than half the width."""
    head = text[: width - 1].rstrip()
    if _RIGHT_TO_LEFT.match(text[width - 1 : width] or " ") or _RIGHT_TO_LEFT.match(head[-1:] or " "):
        back = head
        while back and (_RIGHT_TO_LEFT.match(back[-1]) or back[-1] in " ([{-–"):
            back = back[:-1]
        head = back or head  # a name wholly right-to-left: cut where it falls
    opened = head.rfind("(")
    if opened > head.rfind(")") and len(head[:opened].rstrip()) >= width // 2:
        head = head[:opened].rstrip()
    return head + "…"


def short_labels(labels, width: int = BAR_LABEL_LIMIT) -> list[str]:
    """Each label cut to `width` characters with an ellipsis (the whole one shows on hover), kept
    distinct: two labels that cut the same read "... (2)" for the second. The one rule every chart
    cuts its category labels by."""
    seen: dict[str, int] = {}
    out = []
    for text in (str(v) for v in labels):
        short = text if len(text) <= width else _cut(text, width)
        seen[short] = seen.get(short, 0) + 1
        out.append(short if seen[short] == 1 else f"{short} ({seen[short]})")
    return out


def wrapped_labels(labels, width: int = BAR_LABEL_LIMIT, lines: int = 2) -> list[str]:
    """Each label on up to `lines` lines of at most `width` characters, broken between words (plotly's
    "<br>" between lines, the text escaped for its markup), the last line cut with an ellipsis (_cut)
    when the label needs more; kept distinct as short_labels keeps them. Cut to one line, the CFPB's
    commonest issue, "Incorrect information on your report", read "Incorrect information on y…"."""
    seen: dict[str, int] = {}
    out = []
    for text in (str(v) for v in labels):
        parts = textwrap.wrap(text, width) or [text]
        if len(parts) > lines:
            parts = [*parts[: lines - 1], _cut(" ".join(parts[lines - 1 :]), width)]
        label = "<br>".join(html.escape(part, quote=False) for part in parts)
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def short_category_ticks(fig: go.Figure, labels, limit: int = BAR_LABEL_LIMIT) -> None:
    """The y axis of a horizontal bar chart writes each category cut to `limit` characters
    (short_labels), so that long branch names ('Jerusalem Mental Health Center (המרכז הירושלמי)') do
    not squeeze the plot to a sliver on a phone. The categories stay whole (two names alike for their
    first characters stay two bars; the hover names them whole): only the tick text is cut."""
    labels = [str(v) for v in labels]
    if any(len(v) > limit for v in labels):
        fig.update_yaxes(tickvals=labels, ticktext=[html.escape(t, quote=False) for t in short_labels(labels, limit)])


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
        # The reference's value in the legend, not printed on the plot: there it sat on the last
        # row's interval (Boston's 'Network 6.8' on Inspectional Services).
        fig.add_vline(x=reference, line_dash="dash", line_color=INK)
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line=dict(color=INK, dash="dash", width=1),
                name=f"{reference_name} {formats.minus(f'{reference:{fmt}}')}",
                hoverinfo="skip",
            )
        )
        fig.data[0].showlegend = False
        fig.update_layout(showlegend=True, legend=dict(orientation="h", y=-0.08, title_text=None))
    fig.update_xaxes(title_text=value_title)
    fig.update_yaxes(title_text=label_title, autorange="reversed", automargin=True)
    short_category_ticks(fig, d[label])
    # room for the title and a wrapped axis title, so that every branch keeps its label
    return layout(fig, title, max(220, 140 + 24 * len(d)))
