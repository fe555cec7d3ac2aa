"""Drill-down: from a number to the tickets or survey responses behind it.

The rows page (pages/rows.py) reads what to show from the URL, so a link carries the view:

- `rows`            which rows, as the label the page's bound control writes: 'Complaints',
                    'All tickets' or 'Survey responses' (KINDS)
- `rows_<dim>`      the cell a number came from, one parameter per dimension, e.g.
                    `rows_region=North`, `rows_month=2024-01`, `rows_component=courtesy`
- `rows_sort` (a label of SORTS), `rows_desc`, `rows_page`: the table's state (revealing personal data is never in
  the URL: a shared link always opens masked)
- the shared sidebar filters (period, region, ...) as everywhere else.

Every value only ever reaches SQL as a bound parameter; dimensions and sort keys are chosen
from the whitelists below, never pasted.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from servicequality import catalog
from servicequality.filters import Filters
from servicequality.metrics.formats import literal

# The columns each kind of row shows (row_columns), re-exported: this module is the Rows page's front door.
from servicequality.metrics.row_columns import (  # noqa: F401
    BLANK_NOTES,
    COLUMNS,
    GAP_COLUMNS,
    IDENTIFIERS,
    MINUTES,
    MISSING,
    PERSONAL,
    RECORDED_BY,
    WORDS,
    answers_on_scale,
    for_display,
    unrecorded,
    unrecorded_words,
)

# --- what rows there are ------------------------------------------------------------------

KINDS: dict[str, str] = {
    "complaints": "Complaints",
    "tickets": "All tickets",
    "responses": "Survey responses",
    "visits": "Visits",
}
DEFAULT_KIND = "complaints"
# Each kind of row: its store_contents probe and its words in a sentence.
KIND_PROBES = {
    "complaints": "has_complaints",
    "tickets": "has_tickets",
    "responses": "has_responses",
    "visits": "has_visits",
}
KIND_WORDS = {
    "complaints": "complaints",
    "tickets": "tickets",
    "responses": "survey responses",
    "visits": "visits of identified customers",
}


def default_kind(contents: pd.DataFrame) -> str:
    """The rows the page opens on: what the store holds (store_contents). Complaints when it has any;
    else all tickets (requests, compliments); else survey responses (a survey-only store opened on
    an empty list of complaints); complaints for an empty store."""
    row = contents.iloc[0]
    return next((kind for kind, probe in KIND_PROBES.items() if row[probe]), DEFAULT_KIND)


def kinds_held(contents: pd.DataFrame, asked: str) -> list[str]:
    """The kinds of row the page offers: those the store holds (store_contents), and the one a link
    asked for even if the store holds none (the page then says so); complaints for an empty store.
    Four choices did not fit a phone's width, and a store of purchases offered three empty lists."""
    row = contents.iloc[0]
    held = [kind for kind, probe in KIND_PROBES.items() if row[probe] or kind == asked]
    return held or [DEFAULT_KIND]


def no_rows_words(kind: str, contents: pd.DataFrame) -> str:
    """Why a list of rows is empty: the filters (widen them), or a store that holds no such rows at
    all (widening would bring none)."""
    words = KIND_WORDS[kind]
    if contents.iloc[0][KIND_PROBES[kind]]:
        return f"No {words} match these filters. Widen the period or the filters in the sidebar."
    return f"The store holds no {words}: choose another kind of row above, or import them on the Data page."


# Dimensions a cell can fix: key -> words; the catalogue's, as Explore's (servicequality.catalog).
CELL_DIMENSIONS: dict[str, str] = {key: d.label for key, d in catalog.DIMENSIONS.items()}
# Which cell dimensions apply to which rows (survey responses have no category).
KIND_DIMENSIONS: dict[str, frozenset[str]] = {
    "complaints": frozenset(CELL_DIMENSIONS),
    "tickets": frozenset(CELL_DIMENSIONS),
    "responses": frozenset(k for k, d in catalog.DIMENSIONS.items() if d.surveys),
    # visits have no category and point at no component (customer_returns reads neither)
    "visits": frozenset(k for k, d in catalog.DIMENSIONS.items() if d.surveys and k != "component"),
}

# Sortable columns per kind: key -> words. The key is bound as $sort and matched in SQL.
SORTS: dict[str, dict[str, str]] = {
    "complaints": {
        "opened_at": "Opened",
        "ticket_id": "Ticket",
        "branch": "Branch",
        "channel": "Channel",
        "category": "Category",
        "priority": "Priority",
        "first_response_minutes": "First response (minutes)",
        "resolution_minutes": "Resolution (minutes)",
        "satisfaction": "Satisfaction with handling",
    },
    "responses": {
        "submitted_at": "Submitted",
        "response_id": "Response",
        "branch": "Branch",
        "channel": "Channel",
        "segment": "Customer segment",
        "nps": "Would recommend",
        "overall_satisfaction": "Overall satisfaction",
        "mean_gap": "Mean gap",
    },
}
SORTS["tickets"] = SORTS["complaints"]
SORTS["visits"] = {
    "visited_on": "Visited",
    "branch": "Branch",
    "channel": "Channel",
    "segment": "Customer segment",
    "value": "Value",
}
DEFAULT_SORT = {"complaints": "opened_at", "tickets": "opened_at", "responses": "submitted_at", "visits": "visited_on"}

PAGE_SIZE = 50
MAX_CELL_VALUE = 200  # longer cell values are not real keys: treated as "matches nothing"

# Extra parameters of the drill_* queries, for callers that run every query with defaults.
QUERY_DEFAULTS: dict[str, object] = {
    "only_complaints": True,
    **{f"cell_{dim}": None for dim in CELL_DIMENSIONS},
    "sort": "opened_at",
    "descending": True,
    "limit": PAGE_SIZE,
    "offset": 0,
}

ROWS_PAGE = "pages/rows.py"
PREFIX = "rows_"
# URL keys the rows page owns; a new link replaces all of them.
STATE_KEYS = ("rows", "rows_sort", "rows_desc", "rows_page")


def cell_params(kind: str, **cell: Any) -> dict[str, str]:
    """URL parameters for the rows behind a cell: {'rows': kind, 'rows_region': 'North', ...}.

    Unknown dimensions raise (a programming error); None values are left out. Months may be
    given as 'YYYY-MM' strings, dates or timestamps; weekdays as 1-7 (Monday = 1).
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of rows {kind!r}; expected one of {sorted(KINDS)}.")
    params = {"rows": KINDS[kind]}  # the label: what the page's bound control writes and reads
    for dim, value in cell.items():
        if dim not in CELL_DIMENSIONS:
            raise ValueError(f"Unknown dimension {dim!r}; expected one of {sorted(CELL_DIMENSIONS)}.")
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        params[PREFIX + dim] = _url_value(dim, value)
    return params


def _url_value(dim: str, value: Any) -> str:
    if dim == "month" and isinstance(value, (dt.date, dt.datetime)):
        return f"{value:%Y-%m}"
    if dim == "month" and hasattr(value, "strftime"):  # pandas Timestamp
        return value.strftime("%Y-%m")
    if dim == "weekday":
        return str(int(value))
    return str(value)


def link_query_params(current: Mapping[str, list[str]], kind: str, **cell: Any) -> dict[str, list[str]]:
    """The current URL's parameters (the shared filters) with the rows page's replaced.

    `current` maps each key to all its values (repeated keys hold multi-selections). Streamlit
    clears the query parameters when a page link gives none, so the filters are carried over.
    """
    kept = {k: list(v) for k, v in current.items() if k not in STATE_KEYS and not k.startswith(PREFIX)}
    kept.update({k: [v] for k, v in cell_params(kind, **cell).items()})
    return kept


def drop_rows_parameters() -> None:
    """Remove the rows page's own parameters (`rows`, `rows_*`) from the URL of another page."""
    import streamlit as st

    for key in [k for k in st.query_params if k == "rows" or k.startswith(PREFIX)]:
        del st.query_params[key]


def rows_link(kind: str, label: str, **cell: Any) -> None:
    """A link to "Rows behind the numbers" for the rows behind one number.

    kind: 'complaints', 'tickets' or 'responses'; cell: the number's own dimensions on top of
    the sidebar filters, e.g. rows_link("complaints", "Show these complaints", region="North",
    month="2024-01"). Keys are those of CELL_DIMENSIONS; values are filter values (a branch_id,
    a component_key), not labels.
    """
    import streamlit as st

    from servicequality.access.roles import DRILL
    from servicequality.ui.session import may

    if not may(DRILL):  # a role without drill-down has no Rows page to link to
        return
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    st.page_link(
        ROWS_PAGE,
        label=label,
        icon=":material/table_rows:",
        query_params=link_query_params(current, kind, **cell),
    )


# --- reading the URL back -------------------------------------------------------------------


@dataclass(frozen=True)
class RowsRequest:
    """What the rows page shows, cleaned from URL parameters; `problems` says what was ignored."""

    kind: str
    cell: tuple[tuple[str, str], ...]  # (dimension, value) pairs in CELL_DIMENSIONS order
    sort: str
    descending: bool
    page: int  # 1-based
    problems: tuple[str, ...] = ()

    def cell_dict(self) -> dict[str, str]:
        return dict(self.cell)


def parse_request(params: Mapping[str, Any], default: str = DEFAULT_KIND) -> RowsRequest:
    """Clean the rows page's URL parameters. Never raises: unknown values fall back to defaults
    and are named in `problems`, so the page can say what it ignored. `default`: the kind of rows
    a URL without one opens on (default_kind)."""
    problems: list[str] = []

    def first(key: str) -> str | None:
        value = params.get(key)
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        return None if value is None else str(value)

    # The page's bound controls keep their labels in the URL ('Survey responses', 'Opened'): a key
    # there would be dropped by the control, so only labels count.
    asked = first("rows")
    kind = {label: key for key, label in KINDS.items()}.get(asked or KINDS[default])
    if kind is None:
        problems.append(f"Unknown kind of rows {literal(asked, 40)}: showing {KINDS[default].lower()}.")
        kind = default
    cell = []
    for dim in CELL_DIMENSIONS:
        value = first(PREFIX + dim)
        if value is None:
            continue
        if dim not in KIND_DIMENSIONS[kind]:
            problems.append(f"{CELL_DIMENSIONS[dim]} does not apply to {KINDS[kind].lower()}: ignored.")
            continue
        cell.append((dim, value))
    asked = first("rows_sort")
    sort = {label: key for key, label in SORTS[kind].items()}.get(asked or SORTS[kind][DEFAULT_SORT[kind]])
    if sort is None:
        problems.append(f"Cannot sort by {literal(asked, 40)}: sorted by {SORTS[kind][DEFAULT_SORT[kind]].lower()}.")
        sort = DEFAULT_SORT[kind]
    desc_text = (first("rows_desc") or "1").strip().lower()
    descending = desc_text not in ("0", "false", "no", "asc")
    page_text = first("rows_page") or "1"
    try:
        page = int(page_text)
    except ValueError:
        problems.append(f"Page {literal(page_text, 40)} is not a number: showing page 1.")
        page = 1
    if page < 1:
        problems.append(f"There is no page {page}: showing page 1.")
        page = 1
    return RowsRequest(kind, tuple(cell), sort, descending, page, tuple(problems))


def cell_bind_params(cell: Mapping[str, str]) -> dict[str, Any]:
    """Bound parameters for a cell: $cell_<dim> = value or null. A month must be 'YYYY-MM' and a
    weekday 1-7; anything else (or an overlong value) matches no row rather than failing."""
    out: dict[str, Any] = {}
    for dim in CELL_DIMENSIONS:
        value = cell.get(dim)
        if value is not None and len(value) > MAX_CELL_VALUE:
            value = "\x00no such value"
        if dim == "weekday" and value is not None:
            try:
                number = int(value)
            except ValueError:
                number = 0
            out["cell_weekday"] = number if 1 <= number <= 7 else 0  # 0 matches no day
            continue
        if dim == "month" and value is not None and not _is_month(value):
            value = "0000-00"  # matches no month
        out[f"cell_{dim}"] = value
    return out


def _is_month(text: str) -> bool:
    try:
        dt.datetime.strptime(text, "%Y-%m")
    except ValueError:
        return False
    return len(text) == 7


def page_bounds(page: int, total: int, page_size: int = PAGE_SIZE) -> tuple[int, int, int]:
    """(page, offset, pages): the page clamped into 1..pages (pages >= 1 even when empty)."""
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    return page, (page - 1) * page_size, pages


def range_words(page: int, total: int, page_size: int = PAGE_SIZE) -> str:
    """'rows 51-100 of 12,345' (or 'no rows')."""
    if total <= 0:
        return "no rows"
    first = (page - 1) * page_size + 1
    last = min(total, page * page_size)
    return f"rows {first:,}-{last:,} of {total:,}"


# --- fetching and showing a page of rows ----------------------------------------------------

QUERIES = {
    "complaints": "drill_tickets",
    "tickets": "drill_tickets",
    "responses": "drill_responses",
    "visits": "drill_visits",
}


@dataclass(frozen=True)
class Page:
    rows: pd.DataFrame  # as the query returns them (raw column names)
    total: int
    page: int  # clamped into 1..pages
    pages: int
    asked_page: int


def fetch_page(
    run: Callable[..., pd.DataFrame],
    filters: Filters,
    kind: str,
    cell: Mapping[str, str],
    sort: str,
    descending: bool,
    page: int,
    page_size: int = PAGE_SIZE,
) -> Page:
    """Count the rows, clamp the page, fetch it. `sort` outside SORTS[kind] sorts by the default."""
    name, params = _query_params(kind, cell, sort, descending)
    total = int(run(f"{name}_count", filters, **_count_params(params)).iloc[0]["total_rows"])
    clamped, offset, pages = page_bounds(page, total, page_size)
    rows = run(name, filters, **params, limit=page_size, offset=offset)
    return Page(rows, total, clamped, pages, page)


def _query_params(kind: str, cell: Mapping[str, str], sort: str, descending: bool) -> tuple[str, dict[str, Any]]:
    if kind not in KINDS:
        kind = DEFAULT_KIND
    if sort not in SORTS[kind]:
        sort = DEFAULT_SORT[kind]
    params = {
        **cell_bind_params(cell),
        "only_complaints": kind == "complaints",
        "sort": sort,
        "descending": bool(descending),
    }
    return QUERIES[kind], params


EXPORT_LIMIT = 2**31 - 1  # "every row": the drill queries always page; the largest LIMIT Spark takes (an INT)


TIME_SORTS = {"opened_at", "submitted_at", "visited_on"}


def export_windows(filters: Filters, kind: str, sort: str, descending: bool) -> list[Filters]:
    """The filters of an export cut into calendar months, in the export's order, when rows are
    sorted by their time: each month's rows then come sorted on their own and follow one another
    in the same order as all of them sorted at once (a month holds whole days), so the database
    never sorts more than a month. Any other sort needs every row at once: one window."""
    _, params = _query_params(kind, {}, sort, descending)
    if params["sort"] not in TIME_SORTS:
        return [filters]
    windows = []
    start = filters.start
    while start <= filters.end:
        next_month = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        windows.append(replace(filters, start=start, end=min(filters.end, next_month - dt.timedelta(days=1))))
        start = next_month
    return windows[::-1] if descending else windows


def export_query(
    filters: Filters, kind: str, cell: Mapping[str, str], sort: str, descending: bool
) -> tuple[str, dict[str, Any]]:
    """(query name, every bound parameter) for all the rows the Rows page lists, in its order."""
    name, params = _query_params(kind, cell, sort, descending)
    return name, {**filters.params(), **params, "limit": EXPORT_LIMIT, "offset": 0}


def _count_params(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in ("sort", "descending")}


def sorts_for(kind: str, leave_out: Collection[str] = ()) -> dict[str, str]:
    """The Sort by choices of a kind of row, less the columns left out (unrecorded): no sorting by a
    first response time no complaint has."""
    return {k: v for k, v in SORTS[kind].items() if k not in leave_out}
