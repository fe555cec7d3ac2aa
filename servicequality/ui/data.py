"""Reading the store from Streamlit: one cached read-only connection per file version, cached queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from servicequality import store
from servicequality.filters import Filters
from servicequality.ui import crossfilter

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
