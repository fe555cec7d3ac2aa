import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from servicequality import store
from servicequality.filters import Filters
from tests import fixture_db

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
FIXTURE_PERIOD = Filters(dt.date(2024, 1, 1), dt.date(2024, 2, 29))


def query_extras() -> dict:
    """The parameters some queries take beyond the filter (Explore's dimensions, the Rows page's
    sort and page, the alerts' thresholds), at the defaults their modules name."""
    from servicequality.metrics import drilldown, explore, performance
    from servicequality.reports import alerts

    return {**explore.QUERY_DEFAULTS, **drilldown.QUERY_DEFAULTS, **performance.QUERY_DEFAULTS, **alerts.QUERY_DEFAULTS}


# As in servicequality.ui.serve: pages/ holds st.navigation pages, not Streamlit's older
# directory-based multipage scheme, so every run (AppTest's too) goes through app.py.
PagesManager.uses_pages_directory = False


# The tiers: `make test-fast` runs neither; `make test` (CI) runs all three.
# - browser: real Chromium against a served dashboard (tests/browser/);
# - slow: whole pages under AppTest, the import corpus, real exports, kills, locks and terminals in a
#   second process, incremental refreshes against whole rebuilds, the demo build, and anything marked
#   @pytest.mark.slow (the medium-store equality checks, the fixture's full scenario sweeps).
SLOW_PATHS = (
    "tests/pages/",
    "tests/demo/",
    "tests/ingest/test_import_corpus.py",
    "tests/ingest/test_import_real.py",
    "tests/ingest/test_import_surveys_real.py",
    "tests/ingest/test_import_safety.py",
    # every import here is compared, table by table and query by query, with a whole rebuild
    "tests/store/test_incremental_refresh.py",
)


# A test on the default-scale demo builds it first (about 25 s per worker): slow tier.
DEMO_FIXTURES = {"demo_db_path", "demo_con"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.fspath)).relative_to(ROOT).as_posix()
        if path.startswith("tests/browser/"):
            item.add_marker(pytest.mark.browser)
        elif path.startswith(SLOW_PATHS) or DEMO_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def fixture_db_path(tmp_path_factory) -> Path:
    return fixture_db.build(tmp_path_factory.mktemp("fixture") / "fixture.duckdb")


@pytest.fixture()
def fixture_con(fixture_db_path):
    con = store.connect_read_only(fixture_db_path)
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """The default-scale demo database, built once per test session."""
    from servicequality import demo

    return demo.build(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture()
def demo_con(demo_db_path):
    con = store.connect_read_only(demo_db_path)
    yield con
    con.close()


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip outside CI with a clear reason; in CI the missing piece is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"Required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require_or_skip(Path(path).exists(), "no Chromium at /usr/bin/chromium (apt-get install -y chromium)")
    return path
