"""Display helpers: numbers, metric cards, "How is this computed?", clickable charts, chips, tables."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st

from servicequality.charts.common import clip, escape_labels
from servicequality.filters import Filters
from servicequality.metrics.formats import Tile, plain
from servicequality.ui import crossfilter, export
from servicequality.ui.crossfilter import CrossFilter, FilterOptions
from servicequality.ui.data import CHART_GENERATIONS_KEY, FILTERS_KEY, OPTIONS_KEY, SELECTION_KEYS
from servicequality.ui.sidebar import default_period

# --- metric cards and notes --------------------------------------------------------------------


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


def tiles(row: Sequence[Tile], columns: int | None = None) -> None:
    """Headline tiles side by side (metrics.formats.Tile: what the page and the report both show)."""
    for col, tile in zip(st.columns(columns or len(row)), row, strict=False):
        with col:
            metric(tile.label, tile.value, n=tile.n, delta=tile.delta, delta_color=tile.delta_color, help=tile.help)
            if tile.note:
                st.caption(tile.note)


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


# A chart too dense for a phone's width (a 48 x 10 heatmap, ten small multiples) keeps a readable
# width there and scrolls sideways instead of squeezing: ui.chart(..., wide=True) puts it in a
# container whose key carries WIDE_PREFIX, and this rule (app.py injects it once per run) applies
# below WIDE_BELOW_PX of screen width.
# Above it, a line saying so, shown only there (WIDE_HINT_PREFIX): a chart cut at the screen's edge
# does not tell a reader that the rest is a swipe away.
WIDE_PREFIX = "wide_chart_"
WIDE_HINT_PREFIX = "wide_hint_"
WIDE_HINT = ":material/swipe: Wider than the screen: swipe sideways on the chart to see all of it."
WIDE_MIN_PX = 760
WIDE_BELOW_PX = 700
WIDE_CHART_CSS = (
    f'<style>[class*="st-key-{WIDE_HINT_PREFIX}"] {{ display: none; }} '
    f"@media (max-width: {WIDE_BELOW_PX}px) {{ "
    f'[class*="st-key-{WIDE_PREFIX}"] {{ overflow-x: auto; }} '
    f'[class*="st-key-{WIDE_PREFIX}"] > * {{ min-width: {WIDE_MIN_PX}px; }} '
    f'[class*="st-key-{WIDE_HINT_PREFIX}"] {{ display: flex; }} }}</style>'
)


def chart(
    fig: Any,
    *,
    key: str,
    select: CrossFilter | Sequence[CrossFilter] | None = None,
    filename: str | None = None,
    hint: str | None = None,
    wide: bool = False,
) -> None:
    """A plotly chart with a PNG download (the mode bar's camera) and, with `select`, cross-filtering:
    a click on a point adds its value to the matching sidebar filter on every page (see
    servicequality.ui.crossfilter), with a caption saying so. `wide`: on a phone the chart keeps
    WIDE_MIN_PX of width and scrolls sideways, under a line saying so (WIDE_CHART_CSS)."""
    if wide:
        with st.container(key=WIDE_HINT_PREFIX + key):
            st.caption(WIDE_HINT)
        with st.container(key=WIDE_PREFIX + key):
            selects = _plotly(fig, key, select, filename)
    else:
        selects = _plotly(fig, key, select, filename)
    if selects:  # outside the wide container: the hint wraps to the screen, it does not scroll
        st.caption(":material/touch_app: " + (hint or _hint(selects)))


def _plotly(
    fig: Any, key: str, select: CrossFilter | Sequence[CrossFilter] | None, filename: str | None
) -> tuple[CrossFilter, ...]:
    """Draw the chart (clickable with `select`); the cross-filters it answers to."""
    config = {"toImageButtonOptions": {"format": "png", "filename": filename or key, "scale": 2}, "displaylogo": False}
    fig = escape_labels(fig)
    if fig.layout.dragmode is None:
        # No drag-to-zoom on the plot: on a phone a swipe over a chart then scrolls the page (plotly.js
        # stops the page scrolling under any other dragmode, plotly.js#2844); hover still works, and the
        # mode bar's zoom and pan buttons still turn dragging on. A clickable chart (`select`) gets
        # 'pan' from Streamlit 1.67 instead, which replaces a dragmode of false whenever on_select is
        # set: a swipe there scrolls the page only from the chart's margins. So on a phone or tablet
        # no chart is clickable (the sidebar's filters do the same): a reader must get past it.
        fig.update_layout(dragmode=False)
    if not select or on_touch_device():
        st.plotly_chart(fig, key=key, config=config)
        return ()
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
    return selects


# A phone's or tablet's browser names itself in its User-Agent ("Mobile" in Chrome and Safari on
# phones, "Android", "iPhone", "iPad"; Firefox for Android "Mobile" too).
TOUCH_AGENTS = re.compile(r"Mobi|Android|iPhone|iPad|iPod")


def on_touch_device() -> bool:
    """The browser says it is a phone or tablet (TOUCH_AGENTS in its User-Agent header). Streamlit
    does not tell the screen's width; the User-Agent is what a server knows of the device."""
    try:
        agent = st.context.headers.get("User-Agent") or ""
    except Exception:  # noqa: BLE001 - no request behind the run (AppTest, a bare script): not a phone
        return False
    return bool(TOUCH_AGENTS.search(agent))


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
        st.toast("Filtered by " + "; ".join(map(plain, outcome.applied)), icon=":material/filter_alt:")
    if outcome.ignored:
        st.toast("Not a filter value, ignored: " + "; ".join(map(plain, outcome.ignored)), icon=":material/info:")


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
                plain(chip.text),  # a name a file wrote: its characters, never a link or an image
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


def table(
    df: pd.DataFrame,
    *,
    key: str,
    filename: str | None = None,
    download: bool = True,
    formats: Mapping[str, str] | None = None,
    **dataframe_kwargs: Any,
) -> None:
    """A table with a CSV download beside it (text cells a spreadsheet would run are escaped);
    `download=False` when the page offers a fuller export of its own (the Rows page). `formats`:
    column -> printf format the screen shows it in ("%,.2f"); the CSV keeps the numbers as they are.
    A missing value shows as "–", as in the charts' hovers and the cards (Streamlit's own is "None",
    which read like a word of the data in a suppressed cell's value and interval)."""
    dataframe_kwargs.setdefault("hide_index", True)
    dataframe_kwargs.setdefault("placeholder", "–")
    if formats:
        config = dict(dataframe_kwargs.get("column_config") or {})
        for column, number_format in formats.items():
            if column in df.columns and column not in config:
                config[column] = st.column_config.NumberColumn(format=number_format)
        dataframe_kwargs["column_config"] = config
    st.dataframe(clip_cells(df), key=key, **dataframe_kwargs)  # the CSV keeps every character
    if not download:
        return
    st.download_button(
        "Download CSV",
        data=export.to_csv(df.rename(columns=_column_labels(dataframe_kwargs.get("column_config")))),
        file_name=f"{filename or key}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click=lambda: _log_table_export(f"{filename or key}.csv"),
        icon=":material/download:",
    )


def _log_table_export(name: str) -> None:
    from servicequality.ui import session
    from servicequality.ui.data import FILTERS_KEY

    filters = st.session_state.get(FILTERS_KEY)
    session.log("export", f"table {name}", filters.describe() if filters is not None else "")


CELL_LIMIT = 1_000


def clip_cells(df: pd.DataFrame, limit: int = CELL_LIMIT) -> pd.DataFrame:
    """Text cells past `limit` characters cut with an ellipsis, for the screen: a stored text can
    be megabytes, and the browser would receive every byte of it."""
    text = [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]
    long = [c for c in text if df[c].astype(str).str.len().gt(limit).any()]
    if not long:
        return df
    return df.assign(**{c: df[c].map(lambda v: clip(v, limit) if isinstance(v, str) else v) for c in long})


def _column_labels(column_config: dict[str, Any] | None) -> dict[str, str]:
    """Column -> the label the table shows (a column_config entry is a label or a config dict)."""
    labels = {}
    for column, config in (column_config or {}).items():
        label = config if isinstance(config, str) else (config or {}).get("label")
        if label:
            labels[column] = label
    return labels


def view_from_url(choices: Mapping[str, Mapping[str, str]], defaults: Mapping[str, str], memory: str) -> None:
    """Before a page's keyed selectboxes (`choices`: key -> {value: label}): give each its value.

    The URL names the view by labels (`?dim1=Branch+type`). When the URL differs from what this
    page last wrote into it (a pasted link, a hand edit), it wins: a key it leaves out takes its
    default, an unknown label too (the page says so). When it names none of them (the browser's
    Back, or the navigation, returning without them), the session's last view on the page comes
    back. Otherwise the boxes keep what the user just chose. write_view_to_url runs after them."""
    last = st.session_state.get(memory)
    url = {key: st.query_params.get(key) for key in choices}
    url_changed = last is None or url != last["url"]
    if url_changed and any(label is not None for label in url.values()):
        for key, labels in choices.items():
            by_label = {label: value for value, label in labels.items()}
            st.session_state[key] = by_label.get(url[key], defaults[key])
    elif last is not None:
        # Streamlit forgets a box's value once another page has run: bring it back too.
        for key, value in last["values"].items():
            if url_changed or key not in st.session_state:
                st.session_state[key] = value


def write_view_to_url(choices: Mapping[str, Mapping[str, str]], defaults: Mapping[str, str], memory: str) -> None:
    """After the selectboxes: their labels into the URL (a default left out), remembered for the session."""
    for key, labels in choices.items():
        value = st.session_state[key]
        if value == defaults[key]:
            if key in st.query_params:
                del st.query_params[key]
        else:
            st.query_params[key] = labels[value]
    st.session_state[memory] = {
        "values": {key: st.session_state[key] for key in choices},
        "url": {key: st.query_params.get(key) for key in choices},
    }
