"""Dashboards the browser tests visit: the demo store, and a store imported from a real export
(one helper for every module that needs one, so each imports and serves the same way)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from servicequality import ingest
from tests.conftest import ROOT, require_or_skip
from tools import browser


@pytest.fixture(scope="module")
def demo(demo_db_path) -> Iterator[str]:
    """The dashboard on the demo store: its base URL."""
    with browser.streamlit_server(demo_db_path) as url:
        yield url


@pytest.fixture(scope="session")
def serve_export(tmp_path_factory) -> Callable[[str, Path, str], AbstractContextManager[str]]:
    """A context manager factory: serve_export(target, export file, mapping file name) imports the
    real export into a fresh store with mappings/<mapping> and yields the base URL of the dashboard
    on it, stopped on exit. A missing export skips the test (fails it in CI); an import that stores
    no row fails it."""

    @contextmanager
    def serve(target: str, export: Path, mapping: str) -> Iterator[str]:
        require_or_skip(export.exists(), f"the real export {export} is missing")
        db = tmp_path_factory.mktemp(export.stem) / f"{export.stem}.duckdb"
        result = ingest.run_import(target, export, ROOT / "mappings" / mapping, db)
        assert result.rows_stored > 0, f"nothing of {export.name} was stored"
        with browser.streamlit_server(db) as url:
            yield url

    return serve
