"""The filter sidebar every page shares; its values live in the URL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from servicequality import catalog
from servicequality.charts.common import clip
from servicequality.filters import PEER_GROUPS, RETURN_DAYS_RANGE, Filters
from servicequality.metrics.formats import branch_labels, literal
from servicequality.ui.crossfilter import FilterOptions
from servicequality.ui.data import (
    DEFAULT_MIN_N,
    DEFAULT_RETURN_DAYS,
    FILTERS_KEY,
    OPTIONS_KEY,
    data_bounds,
    query,
)
from servicequality.ui.session import current_access

# --- the shared filter sidebar ---------------------------------------------------------------


def default_period(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 months of data (or all of it when there is less)."""
    return max(first, last - dt.timedelta(days=364)), last


NOTHING_DATED = (
    "The database holds no tickets, survey responses, customers served or visits yet: import some on "
    "the Data page (see README)."
)


def sidebar_filters(*, required: bool = True) -> Filters | None:
    """Render the filters every page shares; their values live in the URL (bind='query-params'),
    so they survive page switches and a pasted link reproduces the view. A store with nothing dated
    yet has no period to offer: the page stops with a sentence, unless `required` is false (the
    Data page, where the first facts are imported), which gets the sentence and no filters (None)."""
    bounds = data_bounds()
    if bounds is None:
        if not required:
            st.info(NOTHING_DATED, icon=":material/database:")
            return None
        st.error(NOTHING_DATED)
        st.stop()
    first, last = bounds
    access = current_access()
    branches = query("filter_branches")
    values = query("filter_values")
    # Row-level security: both lists hold only the branches (and their regions and types) this
    # person may see (ui.data); Filters.scope restricts every query whatever is chosen.
    component_values = values[values["dimension"] == "component"]
    branch_label = dict(zip(branches["branch_id"], branch_labels(branches)))
    component_label = dict(zip(component_values["value"], component_values["label"]))
    options = FilterOptions(
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
    st.session_state[OPTIONS_KEY] = options
    ignored = _normalise_link(options)

    # Whole calendar years around the data, so a period like "all of 2024" can be picked.
    lowest, highest = first.replace(month=1, day=1), last.replace(month=12, day=31)
    linked, period_note = _clip_linked_period(lowest, highest)
    with st.sidebar:
        st.header("Filters")
        if ignored:
            why = "no such value" if access.branches is None else "no such value, or outside what you may see"
            st.warning(f"Ignored in the link ({why}): " + "; ".join(ignored))
        if period_note:
            st.warning(period_note)
        period = st.date_input(
            "Period",
            # a link's period cut to the box's range: the box then falls back to its value
            value=linked or default_period(first, last),
            min_value=lowest,
            max_value=highest,
            key="period",
            bind="query-params",
            help="Inclusive date range. Headline changes compare with the period just before: as many whole months "
            "when the range is whole calendar months, otherwise as many days.",
        )
        chosen = {key: _multiselect(key, options) for key in catalog.SIDEBAR_ORDER}
        min_n = st.number_input(
            "Minimum responses to show a branch or cell",
            min_value=MIN_N_RANGE[0],
            max_value=MIN_N_RANGE[1],
            value=DEFAULT_MIN_N,
            step=5,
            key="min_n",
            bind="query-params",
            help="Branches and cells with fewer survey responses are suppressed, not ranked on noise.",
        )
        return_days = st.number_input(
            "Return window (days)",
            min_value=RETURN_DAYS_RANGE[0],
            max_value=RETURN_DAYS_RANGE[1],
            value=DEFAULT_RETURN_DAYS,
            step=30,
            key="return_days",
            bind="query-params",
            help="A customer came back when they visited again within this many days of a visit or a "
            "complaint (the return rate, the Customers page).",
        )
        st.divider()
        st.subheader("Branch manager view")
        my_branch = st.selectbox(
            "My branch",
            list(branch_label),
            # a branch manager of one branch starts on it
            index=0 if access.branches is not None and len(branch_label) == 1 else None,
            format_func=lambda b: clip(str(branch_label.get(b, b)), OPTION_LIMIT),
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
        min_n=int(min_n),
        return_days=int(return_days),
        my_branch=my_branch,
        peers=peers or "region",
        scope=access.branches,
        **{catalog.DIMENSIONS[key].selection: values for key, values in chosen.items()},
    )
    st.session_state[FILTERS_KEY] = filters
    return filters


def _normalise_link(options: FilterOptions) -> list[str]:
    """Make a hand-typed link mean what its writer meant before the widgets read it: a branch id
    (`my_branch=B022`) or a label in any case (`region=north`) selects that branch or region (the
    widgets themselves accept only their exact labels, "Kings Cross (B022)", "North"). Values that
    match nothing are returned, in words, so the page can say they were ignored instead of
    dropping them silently."""
    ignored = _drop_unreadable_numbers()
    for key in (*catalog.SIDEBAR_ORDER, "my_branch"):
        if key not in st.query_params:
            continue
        dimension = "branch" if key == "my_branch" else key
        labels = options.labels.get(dimension) or {}
        by_text: dict[str, str] = {}
        for value in options.values[dimension]:
            by_text.setdefault(str(labels.get(value, value)).casefold(), value)
            by_text.setdefault(str(value).casefold(), value)
        given = st.query_params.get_all(key)
        chosen = []
        for text in given:
            value = by_text.get(text.strip().casefold())
            if value is None:
                ignored.append(f"{catalog.DIMENSIONS[dimension].label.lower()} {literal(text, 40)}")
            elif value not in chosen:
                chosen.append(value)
        if [str(labels.get(v, v)) for v in chosen] != given:
            # The widget would drop what it cannot read: hand it the values instead (it then
            # writes its own labels back to the link).
            st.session_state[key] = (chosen[0] if chosen else None) if key == "my_branch" else chosen
    return ignored


MIN_N_RANGE = (2, 1000)
OPTION_LIMIT = 120
NONE_RECORDED = "None in this data"


def _drop_unreadable_numbers() -> list[str]:
    """A minimum n the number widget cannot read leaves the link, in words."""
    problems = []
    if problem := drop_unreadable_int("min_n", *MIN_N_RANGE):
        problems.append(f"minimum responses {problem}")
    if problem := drop_unreadable_int("return_days", *RETURN_DAYS_RANGE):
        problems.append(f"return window {problem}")
    return problems


def drop_unreadable_int(key: str, low: int, high: int | None = None) -> str | None:
    """A whole number a bound number widget will read from the link: when the link's value is not
    one within [low, high] (inf, 1e999, -3, 'x'), it leaves the link (Streamlit's widget would
    raise on inf) and the words for it are returned; None when it is fine or absent."""
    if key not in st.query_params:
        return None
    text = st.query_params.get(key, "")
    try:
        value = int(text.strip())
    except ValueError:
        value = None
    if value is not None and value >= low and (high is None or value <= high):
        return None
    try:
        del st.query_params[key]
    except StreamlitAPIException:
        return None  # bound already: the widget keeps its own value and does not read the link again
    _forget_initial(key)
    bounds = f"from {low} to {high}" if high is not None else f"of {low} or more"
    return f"{literal(text, 40)} (a whole number {bounds})"


def _forget_initial(key: str) -> None:
    """Streamlit seeds a bound widget from the URL the session opened with, not from
    st.query_params; a value its deserializer cannot take (int(inf) raises OverflowError in
    Streamlit 1.67) must leave that copy too. Private API, kept to this one place; the hostile-URL
    test fails if a Streamlit upgrade changes it."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as params:
        params.set_initial_query_params_from_current()


def _multiselect(key: str, options: FilterOptions) -> list[str]:
    """One selection's multi-select, as the catalogue declares it; its value lives in the URL."""
    d = catalog.DIMENSIONS[key]
    labels = options.labels.get(key)
    values = options.values[key]
    return st.multiselect(
        d.label,
        values,
        # a name a file wrote can be megabytes: the box shows its first characters
        format_func=lambda v: clip(str((labels or {}).get(v, v)), OPTION_LIMIT),
        key=key,
        bind="query-params",
        # nothing to choose (no complaint category in a survey-only store): say so, not an empty list
        placeholder=d.placeholder if values else NONE_RECORDED,
        disabled=not values,
        help=d.help,
    )


def _clip_linked_period(lowest: dt.date, highest: dt.date) -> tuple[tuple[dt.date, dt.date] | None, str | None]:
    """A link's period reaching outside [lowest, highest] (the date box's range), or not a date:
    Streamlit's bound date box replaced it with the default period without a word. Returns the
    period cut to the range (None: the default) and what was done, in words (None: the link's
    period fits, or there is none)."""
    raw = st.query_params.get_all("period")
    if not raw:
        return None, None
    try:
        days = [dt.date.fromisoformat(value) for value in raw]
    except ValueError:
        return None, (
            f"Ignored in the link (not a date): period {literal(' – '.join(raw), 60)}; showing the last year of data."
        )
    if max(days) < lowest or min(days) > highest:
        return None, (
            f"The link's period, {min(days):%d %b %Y} – {max(days):%d %b %Y}, holds no data (the data's years run "
            f"{lowest:%Y} – {highest:%Y}): showing the last year of data instead."
        )
    clipped = (max(min(days), lowest), min(max(days), highest))
    if clipped == (min(days), max(days)):
        return None, None
    return clipped, (
        f"The link's period, {min(days):%d %b %Y} – {max(days):%d %b %Y}, runs outside the data's years: "
        f"cut to {clipped[0]:%d %b %Y} – {clipped[1]:%d %b %Y}."
    )


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
