"""The DuckDB store: connections and atomic builds (`connection`), named queries (`runner`),
rollup tables (`rollups`), which engine answers a query (`engine`: DuckDB, or Spark for the facts a
snapshot leaves in its history) and the schema (`schema.sql`).

Callers use this front door: `store.connect_read_only(path)`, `store.run_query(con, name, params)`.
"""

from servicequality.store.connection import (
    CORE_TABLES,
    DEFAULT_DB,
    PROJECT_ROOT,
    SCHEMA_FILE,
    STORE_CATALOG,
    StoreError,
    build_atomically,
    check_store,
    connect_read_only,
    connect_read_write,
    create_schema,
    cursor,
    database_path,
    read_only_config,
    row_counts,
    seed_default_targets,
)
from servicequality.store.engine import query_runner
from servicequality.store.runner import (
    QUERIES_DIR,
    Query,
    load_query,
    query_names,
    run_query,
    stream_query,
)
from servicequality.store.writer import StoreBusy, leftovers, remove_leftovers, writer_lock

__all__ = [
    "CORE_TABLES",
    "DEFAULT_DB",
    "PROJECT_ROOT",
    "QUERIES_DIR",
    "SCHEMA_FILE",
    "STORE_CATALOG",
    "Query",
    "StoreBusy",
    "StoreError",
    "build_atomically",
    "check_store",
    "connect_read_only",
    "connect_read_write",
    "create_schema",
    "seed_default_targets",
    "cursor",
    "database_path",
    "load_query",
    "query_names",
    "read_only_config",
    "row_counts",
    "run_query",
    "query_runner",
    "stream_query",
    "leftovers",
    "remove_leftovers",
    "writer_lock",
]
