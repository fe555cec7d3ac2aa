"""Rollups for the ticket-level pages (Explore, Rows behind the numbers).

Wired into rollups.refresh: `TABLES` are dropped and rebuilt with the others, inside the same
transaction, and `refresh(con)` runs after the tables of servicequality/rollups.py exist.
"""

from __future__ import annotations

import duckdb

TABLES: tuple[str, ...] = ()


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Build this module's rollup tables (inside the caller's transaction)."""
