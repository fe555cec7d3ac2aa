"""Cross-filtering: a click on a chart's point becomes a dashboard filter, and the active filters
become removable chips. Pure functions, no Streamlit: servicequality.ui wires them to widgets.

The sidebar's selections live in Streamlit widget state under these keys (and in the URL):
region, branch, branch_type, channel, segment, category, component (lists of values) and period
(a pair of dates). A click adds the clicked value to the matching list, or for 'month' sets the
period to that calendar month, clipped to the data's first and last day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from servicequality import catalog

# Widget key -> the words a chip shows before the value, in sidebar order (servicequality.catalog).
SELECTION_WORDS: dict[str, str] = {key: catalog.DIMENSIONS[key].chip for key in catalog.SIDEBAR_ORDER}
# What a click can set: the selections, and 'month' (the period).
DIMENSIONS: tuple[str, ...] = tuple(k for k, d in catalog.DIMENSIONS.items() if d.clickable)
PERIOD = "period"
# The longest value a click may carry; longer text is not a value of ours.
MAX_VALUE_LENGTH = 200


class CrossFilter(NamedTuple):
    """How a click on a chart's point turns into a dashboard filter.

    dimension: the sidebar selection it sets ('region', 'branch', 'branch_type', 'channel',
        'segment', 'category', 'component'; 'month' sets the period to that month).
    source: where the value sits on the clicked point: 'x', 'y' or 'customdata:<i>' (a negative
        i counts from the end, so chart builders can append an id column to any customdata).
    """

    dimension: str
    source: str = "x"

    def check(self) -> CrossFilter:
        if self.dimension not in DIMENSIONS:
            raise ValueError(f"Unknown cross-filter dimension {self.dimension!r}; expected one of {DIMENSIONS}.")
        if self.source not in ("x", "y") and not _is_customdata(self.source):
            raise ValueError(f"Unknown cross-filter source {self.source!r}: 'x', 'y' or 'customdata:<i>'.")
        return self


def _is_customdata(source: str) -> bool:
    prefix, _, index = source.partition(":")
    return prefix == "customdata" and index.lstrip("-").isdigit()


@dataclass(frozen=True)
class FilterOptions:
    """What the sidebar offers: the allowed values per selection, display labels where the value
    is an id (branch ids, component keys), and the data's first and last day."""

    values: Mapping[str, Sequence[str]]
    first: dt.date
    last: dt.date
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def label(self, key: str, value: str) -> str:
        return self.labels.get(key, {}).get(value, value)


@dataclass(frozen=True)
class Outcome:
    """What a click changes: new widget values by key, and words for what was applied or ignored."""

    updates: dict[str, Any] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def point_value(point: Mapping[str, Any], source: str) -> Any:
    """The value at `source` on one selected point, or None when the point does not carry it."""
    if source in ("x", "y"):
        # labels are drawn escaped (charts.common.escape_labels): "&lt;b&gt;" stands for "<b>"
        value = point.get(source)
        return html.unescape(value) if isinstance(value, str) else value
    if not _is_customdata(source):
        return None
    data = point.get("customdata")
    if data is None or isinstance(data, (str, bytes)):
        value = data if source in ("customdata:0", "customdata:-1") else None
    else:
        try:
            value = data[int(source.partition(":")[2])]
        except (IndexError, KeyError, TypeError):
            return None
    # customdata is drawn escaped too (it shows in hover labels)
    return html.unescape(value) if isinstance(value, str) else value


def _text(value: Any) -> str | None:
    """A clicked value as the text the widget holds; None for nothing usable."""
    if value is None or isinstance(value, (dict, list, tuple, bool)):
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text if text and len(text) <= MAX_VALUE_LENGTH else None


def month_of(value: Any) -> dt.date | None:
    """The first day of the month a plotly date value falls in ('2025-03-01', '2025-03-01 00:00',
    '2025-03', a date or datetime); None when it is not a date."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = _text(value)
    if text is None:
        return None
    try:
        year, month = int(text[0:4]), int(text[5:7])
        if text[4] != "-" or (len(text) > 7 and text[7] != "-"):
            return None
        return dt.date(year, month, 1)
    except (ValueError, IndexError):
        return None


def month_period(month: dt.date, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """That calendar month, clipped to the data's first and last day; None when it lies outside."""
    start = month.replace(day=1)
    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    start, end = max(start, first), min(end, last)
    return (start, end) if start <= end else None


def selection_to_filters(
    points: Iterable[Mapping[str, Any]],
    selects: CrossFilter | Sequence[CrossFilter],
    state: Mapping[str, Any],
    options: FilterOptions,
) -> Outcome:
    """Map the points of a chart selection to new sidebar values.

    Each clicked value is added to its selection (kept once, in click order after the values
    already chosen); a month sets the period to that month. A value the sidebar does not offer
    is ignored and reported, never raised on, so nothing unexpected reaches a query.
    """
    if isinstance(selects, CrossFilter):
        selects = (selects,)
    outcome = Outcome()
    for point in points or ():
        if not isinstance(point, Mapping):
            continue
        for select in selects:
            raw = point_value(point, select.source)
            if select.dimension == "month":
                _apply_month(raw, options, outcome)
            else:
                _apply_value(select.dimension, raw, state, options, outcome)
    return outcome


def _apply_value(key: str, raw: Any, state: Mapping[str, Any], options: FilterOptions, outcome: Outcome) -> None:
    value = _text(raw)
    if value is None:
        return
    allowed = options.values.get(key, ())
    if value not in allowed:
        outcome.ignored.append(f"{SELECTION_WORDS[key]}: {value}")
        return
    current = outcome.updates.get(key)
    if current is None:
        current = [v for v in (state.get(key) or []) if v in allowed]
    if value not in current:
        outcome.updates[key] = [*current, value]
        outcome.applied.append(f"{SELECTION_WORDS[key]}: {options.label(key, value)}")
    elif key not in outcome.updates:
        outcome.applied.append(f"{SELECTION_WORDS[key]}: {options.label(key, value)} (already set)")


def _apply_month(raw: Any, options: FilterOptions, outcome: Outcome) -> None:
    month = month_of(raw)
    if month is None:
        if raw is not None:
            outcome.ignored.append(f"Period: {str(raw)[:40]}")
        return
    period = month_period(month, options.first, options.last)
    if period is None:
        outcome.ignored.append(f"Period: {month:%b %Y} (no data)")
        return
    outcome.updates[PERIOD] = period
    outcome.applied.append(f"Period: {month:%b %Y}")


# --- chips -------------------------------------------------------------------------------------


class Chip(NamedTuple):
    """One active filter shown on the page; clicking it removes `value` from `key`."""

    key: str
    value: str | None  # None for the period
    text: str


def describe_period(start: dt.date, end: dt.date) -> str:
    """'Mar 2025' for a whole calendar month, 'Feb 2024 (1–10)' for part of one, else the range."""
    if start == end:
        return f"{start:%d %b %Y}"
    if (start.year, start.month) == (end.year, end.month):
        whole = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
        return f"{start:%b %Y}" if whole else f"{start:%b %Y} ({start.day}–{end.day})"
    return f"{start:%d %b %Y} – {end:%d %b %Y}"


def chips(
    state: Mapping[str, Any],
    options: FilterOptions,
    period: tuple[dt.date, dt.date] | None = None,
    default_period: tuple[dt.date, dt.date] | None = None,
) -> list[Chip]:
    """The active selections as chips, sidebar order; the period only when it is not the default."""
    out: list[Chip] = []
    if period is not None and default_period is not None and tuple(period) != tuple(default_period):
        out.append(Chip(PERIOD, None, f"Period: {describe_period(*period)}"))
    for key, words in SELECTION_WORDS.items():
        for value in state.get(key) or []:
            out.append(Chip(key, value, f"{words}: {options.label(key, str(value))}"))
    return out


def without(state: Mapping[str, Any], chip: Chip) -> list[str]:
    """The selection `chip.key` holds once the chip is removed."""
    return [v for v in (state.get(chip.key) or []) if v != chip.value]
