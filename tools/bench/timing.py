"""Timing a page's store reads on a fresh read-only connection, and the bare scan beside it."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from servicequality import ingest, store
from tools.bench.record import Call

BARE_SCAN_SQL = """
select count(*) as tickets
from tickets as t
where t.opened_at >= cast($start as timestamp)
    and t.opened_at < cast($end as timestamp) + interval 1 day
    and ($branches is null or list_contains($branches, t.branch_id))
    and ($channels is null or list_contains($channels, t.channel))
    and ($segments is null or list_contains($segments, t.segment))
    and ($categories is null or list_contains($categories, t.category))
    and ($components is null or t.category in (
        select c.category from complaint_categories as c where list_contains($components, c.component_key)
    ))
"""


@dataclass(frozen=True)
class Timing:
    median_ms: float
    runs_ms: tuple[float, ...]
    per_call_ms: dict[str, float]  # median per call label


def _plain_names() -> frozenset[str]:
    return frozenset(store.query_names(plain=True))


SLOW_PAGE_S = 5.0  # a page whose warm-up pass takes longer is timed once, and marked so


def run_call(con: duckdb.DuckDBPyConnection, call: Call, *, plain: bool = False):
    if call.kind == "query":
        # A query with no plain reference (one that reads no rollup) is its own plain form.
        plain = plain and call.name in _plain_names()
        return store.run_query(con, call.name, call.param_dict, plain=plain)

    return getattr(ingest, call.name)(con)


def time_calls(con: duckdb.DuckDBPyConnection, calls: Sequence[Call], *, runs: int = 5, plain: bool = False) -> Timing:
    """One warm-up, then `runs` timed passes over every call in order; the median page total.

    No result cache is involved: every pass runs each query anew on a fresh cursor (what a page
    does when Streamlit's cache is cold). The OS file cache stays warm after the warm-up.
    """
    labels = [f"{i:02d} {c.name}" for i, c in enumerate(calls)]
    warm_up = time.perf_counter()
    for call in calls:
        run_call(con, call, plain=plain)
    warm_up_ms = (time.perf_counter() - warm_up) * 1000
    if warm_up_ms > SLOW_PAGE_S * 1000:
        # Too slow to repeat within the benchmark: the warm-up pass is the figure (marked "1 pass").
        return Timing(warm_up_ms, (warm_up_ms,), {})
    totals: list[float] = []
    per_call: dict[str, list[float]] = {label: [] for label in labels}
    for _ in range(runs):
        total = 0.0
        for label, call in zip(labels, calls):
            started = time.perf_counter()
            run_call(con, call, plain=plain)
            elapsed = (time.perf_counter() - started) * 1000
            per_call[label].append(elapsed)
            total += elapsed
        totals.append(total)
    return Timing(statistics.median(totals), tuple(totals), {k: statistics.median(v) for k, v in per_call.items()})


def time_bare_scan(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    branches: Sequence[str] | None,
    runs: int = 5,
    selection: dict[str, list[str]] | None = None,
) -> tuple[float, int]:
    """`count(*)` over the tickets of the same period, branches and selection: the floor for any query."""
    params = {"start": start, "end": end, "branches": list(branches) if branches else None}
    params.update({name: (selection or {}).get(name) for name in ("channels", "segments", "categories", "components")})
    cur = store.cursor(con)
    try:
        (count,) = cur.execute(BARE_SCAN_SQL, params).fetchone()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            cur.execute(BARE_SCAN_SQL, params).fetchone()
            times.append((time.perf_counter() - started) * 1000)
    finally:
        cur.close()
    return statistics.median(times), int(count)


def open_for_timing(db: Path) -> duckdb.DuckDBPyConnection:
    return store.connect_read_only(db)
