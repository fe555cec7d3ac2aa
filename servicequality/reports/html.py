"""The snapshot report as one self-contained HTML file: text escaped, charts from the pages' own
chart builders drawn by plotly.js (inlined once, so the file opens offline and prints as vectors).

Every value from the store (branch, channel and component names) goes through html.escape:
a name is shown as text, never as markup.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from servicequality.charts import common as charts
from servicequality.charts import complaints as cc
from servicequality.charts import performance as charts_performance
from servicequality.metrics import overview
from servicequality.metrics.formats import Tile, any_change, fmt_number, minus
from servicequality.reports.snapshot import Outside, Snapshot

# The month-by-month chart fits under the headline tiles on the first page: 520 px under two rows of
# tiles, 450 under three (surveys, complaints, customers: at 520 it went to page 2 and left page 1
# half empty, the demo's Q3 2025).
TREND_HEIGHT = {1: 520, 2: 520, 3: 450}
CHART_WIDTH = 700  # px: the text width of an A4 page with 15 mm margins at 96 dpi
SIDES = {
    "worse": "worse than the network, outside the 99.8% limits",
    "better": "better than the network, outside the 99.8% limits",
    "watch": "between the 95% and 99.8% limits: watch, do not act yet",
}

CSS = """
body { font-family: "Source Sans Pro", "Helvetica Neue", Arial, sans-serif; color: #1f2430; margin: 0 auto;
       max-width: 760px; padding: 0 12px; font-size: 13px; line-height: 1.4; }
h1 { font-size: 24px; margin: 8px 0 2px; } h2 { font-size: 18px; margin: 22px 0 6px; break-after: avoid; }
h3 { font-size: 14px; margin: 14px 0 4px; break-after: avoid; }
.filters { color: #4a5060; margin: 0 0 10px; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 8px 0; break-inside: avoid; }
.tile { border: 1px solid #d5d8de; border-radius: 6px; padding: 6px 8px; }
.tile .label { font-size: 11px; color: #4a5060; } .tile .value { font-size: 20px; font-weight: 600; }
.tile .delta, .tile .n { font-size: 11px; color: #4a5060; }
.tile .note { font-size: 10px; color: #4a5060; }
.chart, .measure { break-inside: avoid; margin: 6px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 11px; break-inside: auto; }
th, td { border-bottom: 1px solid #e3e5e9; padding: 3px 5px; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
.note { color: #4a5060; font-size: 11px; }
section { break-before: auto; }
@page { size: A4; margin: 18mm 15mm 16mm 15mm; }
@media print { body { max-width: none; padding: 0; } }
@media screen and (max-width: 600px) {
  /* a phone: two tiles a row (four cut "44.4 %" in two); a chart or a wide table scrolls in its own box,
     not the page */
  .tiles { grid-template-columns: repeat(2, 1fr); }
  .chart { overflow-x: auto; }
  table { display: block; overflow-x: auto; }
}
"""


def e(value: object) -> str:
    """Text from the store or the code, escaped for HTML."""
    return html.escape("" if value is None else str(value), quote=True)


def _tiles(tiles: Sequence[Tile]) -> str:
    cells = []
    for t in tiles:
        delta = f'<div class="delta">{e(minus(t.delta))}</div>' if t.delta else ""
        note = f'<div class="note">{e(t.note)}</div>' if t.note else ""
        cells.append(
            f'<div class="tile"><div class="label">{e(t.label)}</div><div class="value">{e(minus(t.value))}</div>'
            f'{delta}<div class="n">{e(t.n)}</div>{note}</div>'
        )
    return f'<div class="tiles">{"".join(cells)}</div>'


def _chart(fig: go.Figure, height: int | None = None) -> str:
    fig = go.Figure(fig)
    fig.update_layout(width=CHART_WIDTH, **({"height": height} if height else {}))
    div = fig.to_html(full_html=False, include_plotlyjs=False, config={"staticPlot": True, "displayModeBar": False})
    return f'<div class="chart">{div}</div>'


def _number(value: object, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    return minus(fmt_number(float(value), digits))


def _table(header: Sequence[tuple[str, bool]], rows: Iterable[Sequence[str]]) -> str:
    """header: (title, numeric); rows of already formatted (unescaped) cells."""
    head = "".join(f'<th class="{"num" if num else ""}">{e(title)}</th>' for title, num in header)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"num" if num else ""}">{e(cell)}</td>' for cell, (_, num) in zip(row, header))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _headline(snap: Snapshot) -> str:
    parts = ["<h2>Headline numbers</h2>"]
    tiles = [*snap.survey_tiles, *snap.complaint_tiles, *snap.customer_tiles]
    if snap.survey_note:
        parts.append(f'<p class="note">{e(snap.survey_note)}</p>')
    if snap.survey_tiles:
        parts.append(_tiles(snap.survey_tiles))
    if snap.complaint_tiles:
        parts.append(_tiles(snap.complaint_tiles))
    else:
        none = "No complaints in this period and scope" if snap.holds_complaints else "The store holds no complaints"
        parts.append(f'<p class="note">{none}: the complaint figures are left out.</p>')
    if snap.customer_tiles:
        parts.append(_tiles(snap.customer_tiles))
    if any_change(tiles):  # a change, not a target
        parts.append(
            f'<p class="note">Changes compare with {snap.previous.start:%d %b %Y} – {snap.previous.end:%d %b %Y}; '
            '"(noise)" marks a change within sampling noise (p ≥ 0.05 in its test).</p>'
        )
    months = snap.months
    panels, _ = overview.trend_panels(months) if months is not None else ([], [])
    if panels and len(months) >= 2:
        # the months the data hold, not the window asked for (Boston's Feb 2015: its two months)
        shown = pd.to_datetime(months["month"])
        title = f"Month by month, {shown.min():%b %Y} – {shown.max():%b %Y}"
        rows = sum(1 for t in (snap.survey_tiles, snap.complaint_tiles, snap.customer_tiles) if t)
        trend = charts.monthly_trend(months, panels, title=title)
        trend.update_yaxes(nticks=4)  # four panels in 450 px: five ticks a panel overprinted
        parts.append(_chart(trend, height=TREND_HEIGHT.get(rows, 450)))
    return "".join(parts)


def _weakest(snap: Snapshot) -> str:
    weakest = snap.weakest
    if weakest is None or weakest.empty:
        return ""
    parts = ["<h2>The weakest components</h2>"]
    if snap.survey.servqual:
        fig = charts.gap_bars(weakest, label="component_name", title="Largest shortfalls against expectation")
        parts.append(_chart(fig, height=260))
        rows = [
            (r.component_name, r.rater_group, _number(r.mean_gap, 2), _interval(r.ci_low, r.ci_high, 2), f"{r.n:,}")
            for r in weakest.itertuples()
        ]
        header = [("Component", False), ("RATER group", False), ("Gap (P − E)", True), ("95% CI", True), ("n", True)]
        parts.append(_table(header, rows))
        parts.append(
            '<p class="note">Gap = mean over respondents of (mean perception − mean expectation over the '
            "component's items), on a 1-7 scale; 95% interval from the paired t distribution.</p>"
        )
    else:
        title = "Lowest-rated components (0 = worst answer, 100 = best)"
        parts.append(_chart(charts_performance.performance_bars(weakest, title=title), height=260))
        rows = [
            (r.component_name, _number(r.mean_performance, 1), _interval(r.ci_low, r.ci_high, 1), f"{r.n:,}")
            for r in weakest.itertuples()
        ]
        parts.append(_table([("Component", False), ("Performance (0-100)", True), ("95% CI", True), ("n", True)], rows))
    return "".join(parts)


def _interval(low: float, high: float, digits: int) -> str:
    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"{_number(low, digits)} to {_number(high, digits)}"


def _minutes(value: object) -> str:
    if value is None or pd.isna(value):
        return "–"
    return "<1" if 0 < float(value) < 0.5 else f"{float(value):,.0f}"


def _percent(value: object) -> str:
    return "no target" if value is None or pd.isna(value) else f"{float(value):.1f} %"


def _target(value: object, judged: object) -> str:
    """A pair's target: its minutes; "per complaint" where its complaints carry their own deadlines,
    which differ (Boston 311: judged against them, so "–" beside 44.4 % within target misled); else
    "no target"."""
    if value is not None and not pd.isna(value):
        return _minutes(value)
    return "per complaint" if int(judged or 0) else "no target"


def _median(value: object, handled: object, waiting: object, complaints: object) -> str:
    """A pair's Kaplan-Meier median: its minutes; "not reached" where handled ones are too few for it,
    or every complaint is still waiting; "not recorded" where the export holds no time for them (the
    CFPB's first responses). One "–" said all three."""
    if value is not None and not pd.isna(value):
        return _minutes(value)
    if int(handled or 0) or int(waiting or 0) >= int(complaints or 0):
        return "not reached"
    return "not recorded"


def _handling(snap: Snapshot) -> str:
    if not snap.handling_tiles:
        return ""
    parts = ["<h2>How complaints are handled against targets</h2>", _tiles(snap.handling_tiles)]
    notes = []
    if snap.timed:  # the CFPB's complaints have no time at all: nothing is censored, nothing reached
        notes.append(
            "Times count the complaints still open too (Kaplan-Meier, censored at their age on the last recorded "
            'moment); a percentile the open cases keep out of reach reads "not reached".'
        )
    if snap.targeted:
        notes.append("A complaint still open after its target has passed counts as late.")
    if notes:
        parts.append(f'<p class="note">{" ".join(notes)}</p>')
    by_channel = snap.within_by_channel
    # One priority on every complaint (a mapping's constant where the export records none: the CFPB,
    # Boston 311) is no column to print, nor a word for the titles.
    several = snap.targets is not None and snap.targets["priority"].nunique() > 1
    if by_channel is not None and by_channel[["first_pct", "resolution_pct"]].notna().any().any():
        title = "Share within target by channel" + (" (all priorities)" if several else "")
        fig = cc.within_target_bars(by_channel, title=title)
        parts.append(_chart(fig, height=320))
    elif by_channel is not None:
        parts.append(
            '<p class="note">No service targets are set for these complaints (import targets): there is no '
            "share within target to show.</p>"
        )
    if snap.targets is not None and not snap.targets.empty:
        header = [
            ("Channel", False),
            *([("Priority", False)] if several else []),
            ("Complaints", True),
            ("First response target (min)", True),
            ("Median first response (min)", True),
            ("Answered within target", True),
            ("Resolution target (min)", True),
            ("Median resolution (min)", True),
            ("Resolved within target", True),
        ]
        rows = [
            (
                r.channel,
                *([r.priority] if several else []),
                f"{int(r.complaints):,}",
                _target(r.first_response_target, r.targeted_first_n),
                _median(r.median_first_response_minutes, r.responded_n, r.awaiting_first_n, r.complaints),
                _percent(r.first_pct),
                _target(r.resolution_target, r.targeted_resolution_n),
                _median(r.median_resolution_minutes, r.resolved_n, r.still_open_n, r.complaints),
                _percent(r.resolution_pct),
            )
            for r in snap.targets.itertuples()
        ]
        parts.append(f"<h3>By channel{' and priority' if several else ''}</h3>" + _table(header, rows))
    return "".join(parts)


def _outside_section(snap: Snapshot) -> str:
    parts = ["<h2>Branches outside their limits</h2>"]
    parts.append(
        '<p class="note">Each branch against the whole network in the same period, with funnel limits for its '
        "volume (Spiegelhalter 2005, overdispersion allowed for): outside the 99.8% limits is a special-cause "
        "signal worth acting on; between 95% and 99.8% is worth watching; inside is noise and is not listed. "
        f"Branches in scope: {e(snap.scope.words)}.</p>"
    )
    if not snap.outside:
        parts.append('<p class="note">No measure has data for a funnel in this period.</p>')
    for o in snap.outside:
        parts.append(_outside_measure(o))
    return "".join(parts)


def _outside_measure(o: Outside) -> str:
    m = o.measure
    branches = f"{o.branches:,} branch{'' if o.branches == 1 else 'es'}"
    title = (
        f"<div class='measure'><h3>{e(m.label)}</h3><p class='note'>Network: {e(_number(o.network_value, m.digits))} "
        f"over {branches} with {e(m.volume_label)}.</p>"
    )
    if o.branches < 2:  # the kiosk's one branch: the network is itself
        return title + "<p class='note'>Only one branch has any: there is nothing to compare it with.</p></div>"
    few = ""
    if o.too_few:
        few = (
            f"<p class='note'>{o.too_few:,} branch{'' if o.too_few == 1 else 'es'} in scope with fewer than "
            f"{o.min_volume:,} {e(m.volume_label)} {'is' if o.too_few == 1 else 'are'} not judged: too few to "
            "tell a signal from chance.</p>"
        )
    if o.rows.empty:
        judged = f"with at least {o.min_volume:,} {e(m.volume_label)} " if o.too_few else ""
        return (
            title + f"<p class='note'>No branch in scope {judged}is outside the 95% limits: the differences are "
            "within chance.</p>" + few + "</div>"
        )
    header = [("Branch", False), ("Value", True), ("95% interval", True), (m.volume_label.capitalize(), True)]
    header.append(("Signal", False))
    rows = [
        (
            r.label,
            _number(r.value, m.digits),
            _interval(r.ci_low, r.ci_high, m.digits),
            f"{int(r.volume):,}",
            SIDES[r.side],
        )
        for r in o.rows.itertuples()
    ]
    return title + _table(header, rows) + few + "</div>"


def render(snap: Snapshot, *, source: str, generated: dt.datetime | None = None) -> str:
    """The whole report as one HTML document."""
    generated = generated or dt.datetime.now().replace(microsecond=0)
    title = f"Service quality report: {snap.period.words}, {snap.scope.words}"
    body = [
        f"<h1>{e(title)}</h1>",
        f'<p class="filters"><b>Filters:</b> {e(snap.filters.describe(snap.branch_names))}. Minimum n for a branch: '
        f"{snap.filters.min_n}.</p>",
        f'<p class="note">{e(snap.coverage)}</p>' if snap.coverage else "",
        _headline(snap),
        _weakest(snap),
        _handling(snap),
        _outside_section(snap),
        f'<p class="note">Generated {generated:%d %b %Y %H:%M} from {e(source)} by '
        "<code>python -m servicequality report</code>. The same numbers, with their "
        "“How is this computed?” notes, are on the dashboard's pages for the same filters.</p>",
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{e(title)}</title><style>{CSS}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>{''.join(body)}</body></html>"
    )
