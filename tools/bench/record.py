"""Which queries does each page run? Ask the pages themselves.

Every page is run once under `streamlit.testing.v1.AppTest` (the frame, app.py, with the
scenario's filter in the URL) while `store.run_query` and the Data page's direct store reads are
wrapped to record each call. The benchmark then times exactly those calls, so the list of a
page's queries can never drift from what the page really does.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servicequality import store

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Call:
    """One store read a page makes: a named query with its bound parameters, or a function of
    `servicequality.ingest` that reads the store directly (the Data page)."""

    kind: str  # 'query' or 'function'
    name: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def param_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.params}


def _freeze(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


class Calls(list):
    """The calls recorded, in order; `frame` holds those the frame's sidebar made."""

    frame: list[Call]


@contextlib.contextmanager
def recording() -> Iterator[Calls]:
    """Record every store read made inside the block (queries and the Data page's functions)."""
    from servicequality import ingest, ui

    calls = Calls()
    calls.frame = []
    original_sidebar = ui.sidebar_filters

    def sidebar_filters(**kwargs):
        before = len(calls)
        try:
            return original_sidebar(**kwargs)
        finally:
            calls.frame.extend(calls[before:])

    original_run = store.run_query
    originals = {name: getattr(ingest, name) for name in ("store_counts", "recent_runs", "rejected_rows")}

    def run_query(con, name, params, **kwargs):
        bound = store.load_query(name).parameters
        calls.append(Call("query", name, _freeze({k: params[k] for k in bound if k in params})))
        return original_run(con, name, params, **kwargs)

    def wrap(name, fn):
        def wrapped(*args, **kwargs):
            calls.append(Call("function", name))
            return fn(*args, **kwargs)

        return wrapped

    store.run_query = run_query
    ui.sidebar_filters = sidebar_filters
    for name, fn in originals.items():
        setattr(ingest, name, wrap(name, fn))
    try:
        yield calls
    finally:
        store.run_query = original_run
        ui.sidebar_filters = original_sidebar
        for name, fn in originals.items():
            setattr(ingest, name, fn)


# The other views a page can show, as the widget values that choose them (session state keys of
# the pages' widgets; tests/tools/test_bench.py checks each key is in its page). Each is recorded
# as "<page> · <view>": its reads are what a user who picks it waits for. Per page: the widgets'
# defaults (set back before each view, so one view's choice does not leak into the next), then
# the views.
VIEWS: dict[str, tuple[dict[str, Any], tuple[tuple[str, dict[str, Any]], ...]]] = {
    "components": (
        {
            "components_view": "Ten components",
            "components_trend_grain": "Month",
            "components_compare_kind": "A branch",
            "components_alpha_score": "perception",
            "components_reading": "Gaps (SERVQUAL)",
        },
        (
            ("survey read as ratings", {"components_reading": "Ratings (performance)"}),
            ("Five RATER groups", {"components_view": "Five RATER groups"}),
            ("gap by quarter", {"components_trend_grain": "Quarter"}),
            ("a region against the network", {"components_compare_kind": "A region"}),
            ("alpha of expectations", {"components_alpha_score": "expectation"}),
            ("alpha of gaps", {"components_alpha_score": "gap"}),
        ),
    ),
    "gaps": ({"gaps_heatmap_by": "Branch"}, (("by region", {"gaps_heatmap_by": "Region"}),)),
    "consistency": (
        {"measure": "survey_gap"},
        # survey_performance is offered only for a survey without gaps, which the bench store is not
        tuple((f"measure {m}", {"measure": m}) for m in ("complaint_rate", "within_target", "csat")),
    ),
    "explore": (
        {"explore_measure": "count", "dim1": "region", "dim2": "none"},
        tuple(
            (f"{m} by region", {"explore_measure": m})
            for m in ("complaint_rate", "gap", "perception", "first_response", "resolution", "within_target")
            + ("csat", "nps", "performance")
        )
        + (("count by branch and month", {"dim1": "branch", "dim2": "month"}),),
    ),
    "rows": (
        {"rows": "complaints"},
        (("all tickets", {"rows": "tickets"}), ("survey responses", {"rows": "responses"})),
    ),
}


def page_calls(
    db: Path, query_params: Mapping[str, Sequence[str] | str], timeout: float = 600, *, views: bool = True
) -> dict[str, list[Call]]:
    """Run every page once on `db` with the filter in `query_params`, and again in each of its other
    VIEWS; the store reads of each, in order, keyed "<page>" or "<page> · <view>".

    Duplicate calls (e.g. the sidebar's and a page's identical query, which Streamlit's cache
    would serve once) are kept once: a page pays for each distinct query once.
    """
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from servicequality.ui.navigation import PAGES

    PagesManager.uses_pages_directory = False
    frame: list[Call] = []
    previous = os.environ.get("SQ_DATABASE")
    os.environ["SQ_DATABASE"] = str(db)
    result: dict[str, list[Call]] = {}
    try:
        for page in PAGES:
            st.cache_data.clear()
            st.cache_resource.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
            for key, value in query_params.items():
                at.query_params[key] = value
            with recording() as calls:
                at.run()
                if page is PAGES[0]:
                    frame = list(calls.frame)
                else:
                    # The page's own run: the frame's sidebar queries come from the first run.
                    calls.clear()
                    st.cache_data.clear()
                    at.switch_page(page.path).run()
                    calls[:0] = frame
            problems = [e.value for e in at.exception] + [e.value for e in at.error]
            if problems:
                raise RuntimeError(f"page {page.url_path} failed: {problems}")
            result[page.url_path] = list(dict.fromkeys(calls))
            defaults, page_views = VIEWS.get(page.url_path, ({}, ()))
            for view, state in page_views if views and page is not PAGES[0] else ():
                st.cache_data.clear()
                with recording() as calls:
                    for key, value in {**defaults, **state}.items():
                        at.session_state[key] = value
                    at.run()
                    calls[:0] = frame
                problems = [e.value for e in at.exception] + [e.value for e in at.error]
                if problems:
                    raise RuntimeError(f"page {page.url_path}, view {view} failed: {problems}")
                result[f"{page.url_path} · {view}"] = list(dict.fromkeys(calls))
    finally:
        if previous is None:
            os.environ.pop("SQ_DATABASE", None)
        else:
            os.environ["SQ_DATABASE"] = previous
        st.cache_data.clear()
        st.cache_resource.clear()
    return result


def missing_selections(calls: Mapping[str, Sequence[Call]], selection: Mapping[str, Any]) -> list[str]:
    """The reads that do not carry a scenario's selections, in words (empty: every read does).

    `selection`: the query parameters the scenario sets, e.g. {"channels": ["Phone"]} or
    {"start": date, "end": date}. A read of a query that binds one of them (as a parameter, or as a
    selection it hands to its plain form) must bind the same value, unless the same page also makes
    that read with the value (then it is the comparison beside it, e.g. the network), or it reads
    the previous period of equal length (the overview's changes compare with it). A scenario whose
    URL the sidebar did not understand, or a recorder that drops a parameter, leaves reads without
    the selection and shows up here.
    """

    def same(a: Any, b: Any) -> bool:
        norm = lambda v: list(v) if isinstance(v, (list, tuple)) else v  # noqa: E731
        return norm(a) == norm(b)

    # The previous period of equal length, which the pages compare with, is a period they mean to read.
    previous = None
    if "start" in selection and "end" in selection:
        from servicequality.filters import Filters

        p = Filters(selection["start"], selection["end"]).previous_period()
        previous = {"start": p.start, "end": p.end}
    problems = []
    for page, page_calls in calls.items():
        for call in page_calls:
            if call.kind != "query":
                continue
            query = store.load_query(call.name)
            bound = dict(call.params)
            comparison = previous is not None and all(same(bound.get(k), v) for k, v in previous.items())
            for key, want in selection.items():
                if key not in query.parameters or same(bound.get(key), want):
                    continue
                if comparison and key in previous:
                    continue
                twins = [c for c in page_calls if c.name == call.name and same(dict(c.params).get(key), want)]
                if not twins:
                    problems.append(f"{page}: {call.name} binds {key} = {bound.get(key)!r}, not {want!r}")
    return problems
