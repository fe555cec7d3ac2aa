"""Streamlit glue shared by the frame and every page: connection, cached queries, the filter
sidebar, metric cards and the "How is this computed?" notes.

The only module here that imports Streamlit; statistics and chart builders stay pure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import duckdb
import pandas as pd
import streamlit as st

from servicequality import charts_consistency, consistency, crossfilter, export, store
from servicequality.crossfilter import CrossFilter, FilterOptions
from servicequality.filters import PEER_GROUPS, Filters

FILTERS_KEY = "filters"
OPTIONS_KEY = "filter_options"  # what the sidebar offers, for cross-filter clicks and chips
CHART_GENERATIONS_KEY = "chart_generations"  # bumped when a click was turned into a filter
SELECTION_KEYS = tuple(crossfilter.SELECTION_WORDS)
DEFAULT_MIN_N = 30


def _identity(path: Path) -> tuple:
    """Changes whenever an import or rebuild renames a new file into place."""
    try:
        s = path.stat()
    except FileNotFoundError:
        return (str(path), None)
    return (str(path), s.st_ino, s.st_mtime_ns, s.st_size)


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(identity: tuple) -> duckdb.DuckDBPyConnection:
    con = store.connect_read_only(identity[0])
    store.check_store(con)
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """One read-only connection per database file version, shared across sessions."""
    return _connection(_identity(store.database_path()))


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(name: str, params: dict[str, Any], identity: tuple) -> pd.DataFrame:
    return store.run_query(_connection(identity), name, params)


def query(name: str, filters: Filters | None = None, **extra: Any) -> pd.DataFrame:
    """Run a named query with the shared filter parameters (plus any extra ones)."""
    params = filters.params() if filters is not None else {}
    params.update(extra)
    return _cached(name, params, _identity(store.database_path()))


def store_problem() -> str | None:
    """A plain sentence when the database is missing, unreadable or empty; None when it is usable."""
    try:
        connection()
    except store.StoreError as exc:
        return str(exc)
    return None


# --- the shared filter sidebar ---------------------------------------------------------------


def default_period(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months of data (or all of it when there is less)."""
    return max(first, last - dt.timedelta(days=364)), last


def sidebar_filters() -> Filters:
    """Render the filters every page shares; their values live in the URL (bind='query-params'),
    so they survive page switches and a pasted link reproduces the view."""
    bounds = query("date_bounds").iloc[0]
    first, last = bounds["first_day"], bounds["last_day"]
    if pd.isna(first):
        st.error("The database holds no tickets or survey responses yet: import some (see README).")
        st.stop()
    first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    branches = query("filter_branches")
    values = query("filter_values")
    component_values = values[values["dimension"] == "component"]
    branch_label = dict(zip(branches["branch_id"], branches["branch_name"] + " (" + branches["branch_id"] + ")"))
    component_label = dict(zip(component_values["value"], component_values["label"]))
    st.session_state[OPTIONS_KEY] = FilterOptions(
        values={
            "region": sorted(branches["region"].unique()),
            "branch": list(branch_label),
            **{
                key: values.loc[values["dimension"] == key, "value"].tolist()
                for key in ("branch_type", "channel", "segment", "category", "component")
            },
        },
        first=first,
        last=last,
        labels={"branch": branch_label, "component": component_label},
    )

    with st.sidebar:
        st.header("Filters")
        period = st.date_input(
            "Period",
            value=default_period(first, last),
            # Whole calendar years around the data, so a period like "all of 2024" can be picked.
            min_value=first.replace(month=1, day=1),
            max_value=last.replace(month=12, day=31),
            key="period",
            bind="query-params",
            help="Inclusive date range. Headline changes compare with the period of equal length just before.",
        )
        regions = st.multiselect(
            "Region",
            sorted(branches["region"].unique()),
            key="region",
            bind="query-params",
            placeholder="All regions",
        )
        chosen_branches = st.multiselect(
            "Branch",
            list(branch_label),
            format_func=lambda b: branch_label.get(b, b),
            key="branch",
            bind="query-params",
            placeholder="All branches",
        )
        channels = st.multiselect(
            "Channel",
            values.loc[values["dimension"] == "channel", "value"].tolist(),
            key="channel",
            bind="query-params",
            placeholder="All channels",
        )
        segments = st.multiselect(
            "Customer segment",
            values.loc[values["dimension"] == "segment", "value"].tolist(),
            key="segment",
            bind="query-params",
            placeholder="All segments",
        )
        branch_types = st.multiselect(
            "Branch type",
            values.loc[values["dimension"] == "branch_type", "value"].tolist(),
            key="branch_type",
            bind="query-params",
            placeholder="All branch types",
        )
        categories = st.multiselect(
            "Complaint category",
            values.loc[values["dimension"] == "category", "value"].tolist(),
            key="category",
            bind="query-params",
            placeholder="All categories",
            help="Narrows complaints and other tickets only; survey answers have no category.",
        )
        components = st.multiselect(
            "Service component",
            list(component_label),
            format_func=lambda c: component_label.get(c, c),
            key="component",
            bind="query-params",
            placeholder="All components",
            help="Narrows survey scores to these components and complaints to categories that point at them.",
        )
        min_n = st.number_input(
            "Minimum responses to show a branch or cell",
            min_value=2,
            max_value=1000,
            value=DEFAULT_MIN_N,
            step=5,
            key="min_n",
            bind="query-params",
            help="Branches and cells with fewer survey responses are suppressed, not ranked on noise.",
        )
        st.divider()
        st.subheader("Branch manager view")
        my_branch = st.selectbox(
            "My branch",
            list(branch_label),
            index=None,
            format_func=lambda b: branch_label.get(b, b),
            key="my_branch",
            bind="query-params",
            placeholder="Choose your branch",
            help="Pick your branch once: every page then shows it against its peers and the network, "
            "and the link keeps the choice.",
        )
        peers = st.selectbox(
            "Peer group",
            list(PEER_GROUPS),
            format_func=PEER_GROUPS.get,
            key="peers",
            bind="query-params",
            help="The branches my branch is compared with: same region, same branch type or same size band.",
        )
    start, end = _period_bounds(period, first, last)
    filters = Filters(
        start,
        end,
        regions,
        chosen_branches,
        channels,
        segments,
        int(min_n),
        my_branch=my_branch,
        peers=peers or "region",
        branch_types=branch_types,
        categories=categories,
        components=components,
    )
    st.session_state[FILTERS_KEY] = filters
    return filters


def _period_bounds(period: Any, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """A half-picked range (one date) counts as that single day; an empty one as all data."""
    if isinstance(period, dt.date):
        return period, period
    chosen = [p for p in (period or ()) if p is not None]
    if not chosen:
        return first, last
    if len(chosen) == 1:
        return chosen[0], chosen[0]
    return min(chosen), max(chosen)


def current_filters() -> Filters:
    """The filters the frame rendered for this run."""
    return st.session_state[FILTERS_KEY]


# --- small display helpers --------------------------------------------------------------------


def fmt_number(value: float, digits: int = 2, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}{suffix}"


def fmt_minutes(minutes: float) -> str:
    """42 min, 3.5 h or 2.1 days: whichever reads naturally."""
    if minutes is None or (isinstance(minutes, float) and math.isnan(minutes)):
        return "–"
    if minutes < 90:
        return f"{minutes:,.0f} min"
    if minutes < 60 * 48:
        return f"{minutes / 60:,.1f} h"
    return f"{minutes / 1440:,.1f} days"


def fmt_n(n: float) -> str:
    return "n = 0" if not n or (isinstance(n, float) and math.isnan(n)) else f"n = {int(n):,}"


def metric(
    label: str,
    value: str,
    *,
    n: str,
    delta: str | None = None,
    delta_color: str = "normal",
    help: str | None = None,
) -> None:
    """A headline number with its n underneath; every number on the dashboard shows its n.

    With delta_color="off" the delta is a reference (e.g. the target), shown without an arrow.
    """
    arrow = "off" if delta_color == "off" else "auto"
    st.metric(label, value, delta=delta, delta_color=delta_color, delta_arrow=arrow, help=help, border=True)
    st.caption(n)


def how_computed(formula: str, filters: Filters, n: str, left_out: Sequence[str] = ()) -> None:
    """The note under every chart: formula, filters in force, n, and what was left out."""
    with st.expander("How is this computed?"):
        st.markdown(formula)
        st.markdown(f"**Filters:** {filters.describe()}")
        st.markdown(f"**n:** {n}")
        st.markdown("**Left out:** " + ("; ".join(left_out) if left_out else "nothing"))


# --- charts and tables: every chart can be clicked and saved, every table downloaded ----------


HINTS = {
    "month": "Click a point or bar to narrow the period to that month.",
    "branch": "Click a branch to filter the dashboard by it.",
    "region": "Click a region to filter the dashboard by it.",
}


def chart(
    fig: Any,
    *,
    key: str,
    select: CrossFilter | Sequence[CrossFilter] | None = None,
    filename: str | None = None,
    hint: str | None = None,
) -> None:
    """A plotly chart with a PNG download (the mode bar's camera) and, with `select`, cross-filtering:
    a click on a point adds its value to the matching sidebar filter on every page (see
    servicequality.crossfilter), with a caption saying so."""
    config = {"toImageButtonOptions": {"format": "png", "filename": filename or key, "scale": 2}, "displaylogo": False}
    if not select:
        st.plotly_chart(fig, key=key, config=config)
        return
    selects = (select,) if isinstance(select, CrossFilter) else tuple(select)
    for s in selects:
        s.check()
    # A fresh widget key once a click has been used: the spent selection does not linger on the chart.
    generation = st.session_state.setdefault(CHART_GENERATIONS_KEY, {}).get(key, 0)
    widget_key = f"{key}__{generation}" if generation else key
    st.plotly_chart(
        fig,
        key=widget_key,
        config=config,
        on_select=lambda: _on_chart_select(widget_key, key, selects),
        selection_mode="points",
    )
    st.caption(":material/touch_app: " + (hint or _hint(selects)))


def _hint(selects: Sequence[CrossFilter]) -> str:
    if len(selects) == 1 and selects[0].dimension in HINTS:
        return HINTS[selects[0].dimension]
    words = " and ".join(crossfilter.SELECTION_WORDS.get(s.dimension, "period").lower() for s in selects)
    return f"Click a bar or point to filter the dashboard by its {words}."


def _on_chart_select(widget_key: str, chart_key: str, selects: Sequence[CrossFilter]) -> None:
    """Runs before the script: turn the clicked points into sidebar values (bound to the URL)."""
    event = st.session_state.get(widget_key)
    options: FilterOptions | None = st.session_state.get(OPTIONS_KEY)
    try:
        points = list(event["selection"]["points"]) if event else []
    except (KeyError, TypeError):
        points = []
    if not points or options is None:
        return
    state = {k: st.session_state.get(k) for k in SELECTION_KEYS}
    outcome = crossfilter.selection_to_filters(points, selects, state, options)
    for k, value in outcome.updates.items():
        st.session_state[k] = value
    generations = st.session_state.setdefault(CHART_GENERATIONS_KEY, {})
    generations[chart_key] = generations.get(chart_key, 0) + 1
    if outcome.updates:
        st.toast("Filtered by " + "; ".join(outcome.applied), icon=":material/filter_alt:")
    if outcome.ignored:
        st.toast("Not a filter value, ignored: " + "; ".join(outcome.ignored), icon=":material/info:")


def filter_chips() -> None:
    """The active filters as removable chips ("Channel: Phone ✕"), plus "Clear all"; nothing when
    no filter is set. The sidebar shows the same selections; chips make click-set ones obvious."""
    options: FilterOptions | None = st.session_state.get(OPTIONS_KEY)
    filters: Filters | None = st.session_state.get(FILTERS_KEY)
    if options is None or filters is None:
        return
    state = {k: st.session_state.get(k) for k in SELECTION_KEYS}
    found = crossfilter.chips(state, options, (filters.start, filters.end), default_period(options.first, options.last))
    if not found:
        return
    with st.container(horizontal=True, gap="small", vertical_alignment="center", key="filter_chips"):
        st.markdown(":material/filter_alt: **Filtered by**", width="content")
        for chip in found:
            st.button(
                chip.text,
                key=f"chip_{chip.key}_{chip.value or ''}",
                icon=":material/close:",
                icon_position="right",
                on_click=_remove_chip,
                args=(chip,),
                help="Remove this filter",
            )
        if len(found) > 1:
            st.button("Clear all", key="chip_clear_all", type="tertiary", on_click=_clear_all)


def _remove_chip(chip: crossfilter.Chip) -> None:
    if chip.key == crossfilter.PERIOD:
        options: FilterOptions = st.session_state[OPTIONS_KEY]
        st.session_state[crossfilter.PERIOD] = default_period(options.first, options.last)
    else:
        st.session_state[chip.key] = crossfilter.without({chip.key: st.session_state.get(chip.key)}, chip)


def _clear_all() -> None:
    options: FilterOptions = st.session_state[OPTIONS_KEY]
    for k in SELECTION_KEYS:
        if st.session_state.get(k):
            st.session_state[k] = []
    st.session_state[crossfilter.PERIOD] = default_period(options.first, options.last)


def view_link() -> str:
    """The full URL of the current view: the page's address plus every query parameter."""
    base = st.context.url or ""
    if base and not urlsplit(base).path:
        base += "/"
    pairs = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    return base + ("?" + urlencode(pairs) if pairs else "")


def share_link() -> None:
    """The "Link to this view" box: the current URL in a code block, whose copy button copies it."""
    with st.sidebar:
        st.divider()
        st.markdown(
            "**Link to this view**",
            help="Copy it (button at the right of the box) to reopen or share exactly this page with these filters.",
        )
        st.code(view_link(), language=None, wrap_lines=True)


def table(df: pd.DataFrame, *, key: str, filename: str | None = None, **dataframe_kwargs: Any) -> None:
    """A table with a CSV download beside it (text cells a spreadsheet would run are escaped)."""
    dataframe_kwargs.setdefault("hide_index", True)
    st.dataframe(df, key=key, **dataframe_kwargs)
    st.download_button(
        "Download CSV",
        data=export.to_csv(df.rename(columns=_column_labels(dataframe_kwargs.get("column_config")))),
        file_name=f"{filename or key}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )


def _column_labels(column_config: dict[str, Any] | None) -> dict[str, str]:
    """Column -> the label the table shows (a column_config entry is a label or a config dict)."""
    labels = {}
    for column, config in (column_config or {}).items():
        label = config if isinstance(config, str) else (config or {}).get("label")
        if label:
            labels[column] = label
    return labels


# --- the branch manager view ------------------------------------------------------------------

MY_BRANCH_MEASURES = ("complaint_rate", "within_target", "csat", "survey_gap")


def my_branch_comparison(filters: Filters, measures: Sequence[str] = MY_BRANCH_MEASURES) -> dict[str, pd.DataFrame]:
    """My branch, its peers and the network on each measure (consistency.peer_comparison).

    Uses the period, channel and segment filters but every region and branch, so the peer group
    and the network are complete whatever the region and branch filters say. Empty when no
    branch is chosen.
    """
    if not filters.my_branch:
        return {}
    rows = query("consistency_branch_measures", filters.network_wide())
    return {key: consistency.peer_comparison(rows, filters.my_branch, filters.peers, key) for key in measures}


def my_branch_strip(filters: Filters, *, key: str, measures: Sequence[str] = MY_BRANCH_MEASURES) -> None:
    """A small, self-contained "My branch vs peers vs network" section; a hint when none is chosen."""
    if not filters.my_branch:
        st.caption("Choose **My branch** in the sidebar to compare it with its peers and the network here.")
        return
    comparisons = my_branch_comparison(filters, measures)
    if not comparisons or all(df.empty for df in comparisons.values()):
        st.info(f"Branch {filters.my_branch} is not in the store.")
        return
    first = next(iter(comparisons.values()))
    mine_words, peer_words = first["group"].iloc[0], first["group"].iloc[1]
    st.markdown(f"**{mine_words}** against its {peer_words[0].lower() + peer_words[1:]} and the whole network")
    columns = st.columns(len(comparisons))
    for column, (measure_key, df) in zip(columns, comparisons.items(), strict=True):
        m = consistency.MEASURES[measure_key]
        mine, peers_row = df.iloc[0], df.iloc[1]
        suffix = " %" if m.unit == "%" else ""
        difference = mine["value"] - peers_row["value"]
        with column:
            metric(
                m.mine,
                fmt_number(mine["value"], m.digits, suffix),
                delta=None if math.isnan(difference) else f"{difference:+,.{m.digits}f} vs peers",
                delta_color="normal" if m.higher_is_better else "inverse",
                n=f"n = {int(mine['volume']):,} {m.volume_label}",
                help=f"Peers: {fmt_number(peers_row['value'], m.digits, suffix)}; network: "
                f"{fmt_number(df.iloc[2]['value'], m.digits, suffix)}.",
            )
    chart(
        charts_consistency.peer_panels(comparisons, title="My branch, its peers and the network (95% intervals)"),
        key=f"{key}_my_branch",
        filename="my_branch_vs_peers",
    )
    how_computed(
        "Each group is pooled: complaints ÷ customers served × 1,000; complaints resolved within target ÷ "
        "resolved complaints with a target; survey answers 4-5 ÷ answers; the SERVQUAL gap as the mean over "
        "all the group's respondents of their mean component gap. Intervals: exact Poisson (rate), Wilson "
        "(shares), t (gap). Peers exclude my branch.",
        filters,
        "; ".join(
            f"{consistency.MEASURES[k].short}: {int(df.iloc[0]['volume']):,} {consistency.MEASURES[k].volume_label}"
            for k, df in comparisons.items()
        ),
        ["the region and branch filters: peers and network always cover every branch"],
    )
