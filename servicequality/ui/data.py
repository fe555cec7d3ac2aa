"""Reading the store from Streamlit: one cached read-only connection per file version, cached queries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from servicequality import store
from servicequality.filters import Filters
from servicequality.metrics import formats
from servicequality.store import engine, rollups
from servicequality.ui import crossfilter

FILTERS_KEY = "filters"
OPTIONS_KEY = "filter_options"  # what the sidebar offers, for cross-filter clicks and chips
CHART_GENERATIONS_KEY = "chart_generations"  # bumped when a click was turned into a filter
SELECTION_KEYS = tuple(crossfilter.SELECTION_WORDS)
DEFAULT_MIN_N = 30
DEFAULT_RETURN_DAYS = 90


def _identity(path: Path) -> tuple:
    """Changes whenever an import or rebuild renames a new file into place."""
    try:
        s = path.stat()
    except FileNotFoundError:
        return (str(path), None)
    return (str(path), s.st_ino, s.st_mtime_ns, s.st_size)


STALE = (
    "The database {name} was written by an older version of the dashboard: its summary tables and views "
    "need rebuilding before the pages can read it. Run `python -m servicequality refresh --db {name}` "
    "(`make run` does it for the demo), or import a file here, which rebuilds them too."
)


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(identity: tuple) -> duckdb.DuckDBPyConnection:
    con = store.connect_read_only(identity[0])
    try:
        store.check_store(con)
        # Rollups and views from other code would answer with errors (or the plain queries, on views
        # that may have changed): say so once, in words, instead of a traceback on every page.
        if not rollups.is_fresh(con):
            raise store.StoreError(STALE.format(name=Path(identity[0]).name))
    except store.StoreError:
        con.close()
        raise
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """One read-only connection per database file version, shared across sessions."""
    return _connection(_identity(store.database_path()))


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(name: str, params: dict[str, Any], identity: tuple) -> pd.DataFrame:
    return store.run_query(_connection(identity), name, params)


@st.cache_data(max_entries=256, show_spinner=False)
def _on_spark(name: str, params: dict[str, Any], identity: tuple) -> pd.DataFrame:
    return engine.spark_for(_history(identity)).run_query(name, params)


@st.cache_data(max_entries=8, show_spinner=False)
def _history(identity: tuple) -> engine.History | None:
    return engine.history(_connection(identity))


SPARK_WAIT = "Reading rows from the whole history on Spark: this may take some seconds."


def query(name: str, filters: Filters | None = None, **extra: Any) -> pd.DataFrame:
    """Run a named query with the shared filter parameters (plus any extra ones): on DuckDB, or on
    Spark when it reads facts the snapshot leaves in its history (store.engine), with a spinner
    that says so; without SQ_ENGINE=spark the page says what to set and stops there."""
    params = filters.params() if filters is not None else {}
    params.update(extra)
    identity = _identity(store.database_path())
    where = _history(identity)
    if tables := engine.spark_reads(where, name, params):
        try:
            engine.check_configured(where, tables)
        except store.StoreError as exc:
            st.info(str(exc), icon=":material/cloud:")
            st.stop()
        with st.spinner(SPARK_WAIT, show_time=True):
            return _on_spark(name, params, identity)
    return _scoped_list(name, _cached(name, params, identity))


def _scoped_list(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """The sidebar's and the pages' lists of branches, regions and branch types, within the
    session's scope: a branch manager is never offered another branch's name."""
    if name not in ("filter_branches", "filter_values"):
        return df
    from servicequality.ui.session import current_access

    scope = current_access().branches
    if scope is None:
        return df
    if name == "filter_branches":
        return df[df["branch_id"].isin(scope)].reset_index(drop=True)
    mine = all_branches()
    types = set(mine.loc[mine["branch_id"].isin(scope), "branch_type"])
    keep = (df["dimension"] != "branch_type") | df["value"].isin(types)
    return df[keep].reset_index(drop=True)


def all_branches() -> pd.DataFrame:
    """Every branch with its region, whatever the session's scope: for working out a regional
    manager's branches, never for showing."""
    return _cached("filter_branches", {}, _identity(store.database_path()))


# Per-branch reads that peers and network figures need over every branch. For a session with a
# scope, network_query runs them without it and renames every branch outside it "Peer A", "Peer B"
# (servicequality.access.peers) before a page sees the rows: pooled peer and network figures equal
# everyone else's, no other branch is named.
NETWORK_QUERIES = frozenset(
    {
        "consistency_branch_measures",
        "branch_gaps",
        "branch_performance",
        "consistency_branch_months",
        "branch_month_performance",
        "consistency_gap_rank_sums",
        "customer_returns",
        "customer_returns_months",
    }
)


# Network figures that hold no branch at all (one row per component, say): read over every branch
# for "against the whole network" comparisons, as they are.
NETWORK_AGGREGATES = frozenset({"component_gaps"})


def network_query(name: str, filters: Filters, **extra: Any) -> pd.DataFrame:
    """query() over every branch the selections name, branches outside the session's scope
    anonymised; the same as query() for a session that sees every branch."""
    if filters.scope is None:
        return query(name, filters, **extra)
    if name in NETWORK_AGGREGATES:
        df = query(name, filters.without_scope(), **extra)
        if "branch_id" in df.columns:
            raise ValueError(f"{name} has a branch column: it is not a network aggregate.")
        return df
    if name not in NETWORK_QUERIES:
        raise ValueError(f"{name} is not a per-branch network query; its rows could name other branches.")
    from servicequality.ui import session

    return session.anonymise(query(name, filters.without_scope(), **extra), filters.scope)


def engine_note() -> None:
    """In the sidebar, when the store leaves its facts in a Parquet history: which parts of a page
    Spark reads, and that they take longer."""
    where = _history(_identity(store.database_path()))
    if where is not None:
        then = (
            "Spark reads them, so those parts of a page may take some seconds."
            if engine.configured() == "spark"
            else "only Spark reads them: start the dashboard with SQ_ENGINE=spark to see them."
        )
        st.sidebar.caption(
            "Summaries come from the snapshot. The rows behind them (drill-down, respondents, exact "
            f"medians) stay in the Parquet history: {then}"
        )


def store_problem() -> str | None:
    """A plain sentence when the database is missing, unreadable or empty; None when it is usable."""
    try:
        connection()
    except store.StoreError as exc:
        return str(exc)
    return None


def data_bounds() -> tuple[dt.date, dt.date] | None:
    """The first and last day of tickets, survey responses, customers served and visits; None when
    the store holds none of them."""
    row = query("date_bounds").iloc[0]
    return formats.data_span(row["first_day"], row["last_day"])
