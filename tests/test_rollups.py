"""Every optimised query (queries/*.sql, reading the rollups) returns exactly what its plain
reference (queries/plain/*.sql) returns: on the hand-checked fixture and on a generated medium
database, under several filters.

Integers must be equal. Floats must agree to 1e-9 relative (1e-12 absolute): the rollups rebuild
means and standard deviations from exact integer sums, while the plain queries add doubles in
whatever order DuckDB's threads meet them, so the two may differ in the last bits, never more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from servicequality import rollups, store
from servicequality.filters import Filters
from tests.conftest import FIXTURE_PERIOD

RTOL, ATOL = 1e-9, 1e-12


def assert_same(fast: pd.DataFrame, plain: pd.DataFrame, label: str) -> None:
    assert list(fast.columns) == list(plain.columns), label
    assert list(fast.dtypes.astype(str)) == list(plain.dtypes.astype(str)), f"{label}: {fast.dtypes} vs {plain.dtypes}"
    assert len(fast) == len(plain), f"{label}: {len(fast)} rows vs {len(plain)}"
    for column in plain.columns:
        a, b = fast[column], plain[column]
        if pd.api.types.is_float_dtype(b):
            np.testing.assert_allclose(
                a.to_numpy(dtype=float), b.to_numpy(dtype=float), rtol=RTOL, atol=ATOL, err_msg=f"{label}.{column}"
            )
        else:
            assert a.isna().tolist() == b.isna().tolist(), f"{label}.{column}"
            assert a.dropna().tolist() == b.dropna().tolist(), f"{label}.{column}"


def scenarios(con) -> list[tuple[str, Filters]]:
    first, last = store.run_query(con, "date_bounds", {}).iloc[0]
    first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    branches = store.run_query(con, "filter_branches", {})
    ids = branches["branch_id"].tolist()
    region = branches["region"].iloc[0]
    branch_type = branches["branch_type"].iloc[-1]
    full = Filters(first, last)
    year = Filters(max(first, last - dt.timedelta(days=364)), last)
    middle = first + (last - first) / 3
    return [
        ("all", full),
        ("last year", year),
        ("odd days", Filters(middle, middle + dt.timedelta(days=40))),
        ("one day", Filters(middle, middle)),
        ("no data", Filters(dt.date(1990, 1, 1), dt.date(1990, 12, 31))),
        ("region", replace(year, regions=(region,))),
        ("branches", replace(full, branches=tuple(ids[: max(1, len(ids) * 5 // 6)]))),
        ("one branch", replace(year, branches=(ids[-1],))),
        ("branch type", replace(year, branch_types=(branch_type,))),
        ("channel", replace(year, channels=("Phone",))),
        ("segment", replace(full, segments=("Premium",))),
        ("components", replace(year, components=("courtesy", "reliability"))),
        ("categories", replace(year, categories=("Attitude",))),
    ]


def optimised_queries() -> list[str]:
    return [n for n in store.query_names() if n in set(store.query_names(plain=True))]


# On the medium database a subset of the scenarios keeps the test under a minute and a half (the
# fixture runs them all): every day, a period that cuts months, a branch attribute, and a component
# selection (rollups for the component queries, the plain path for the respondent-level ones).
MEDIUM_SCENARIOS = ("all", "odd days", "branch type", "components")


def check_every_query(con, only: tuple[str, ...] | None = None) -> int:
    compared = 0
    for label, filters in scenarios(con):
        if only is not None and label not in only:
            continue
        params = filters.params()
        for name in optimised_queries():
            fast = store.run_query(con, name, params)
            plain = store.run_query(con, name, params, plain=True)
            assert_same(fast, plain, f"{name} [{label}]")
            compared += 1
    return compared


def test_every_plain_reference_has_its_query():
    assert set(store.query_names(plain=True)) <= set(store.query_names())


def test_optimised_queries_keep_the_plain_parameters():
    # A rollup query binds the plain query's parameters, except the selections it hands over to the
    # plain query (its "-- Plain when set:" line), which it never needs to bind itself.
    for name in optimised_queries():
        fast = store.load_query(name)
        assert fast.parameters | fast.plain_when == store.load_query(name, plain=True).parameters, name


def test_a_selection_the_rollups_cannot_answer_runs_the_plain_query(fixture_con, monkeypatch):
    ran = []
    original = store.load_query
    monkeypatch.setattr(store, "load_query", lambda name, plain=False: ran.append(plain) or original(name, plain=plain))
    params = FIXTURE_PERIOD.params()
    store.run_query(fixture_con, "complaint_summary", params)
    assert ran == [False]  # no channel selected: the rollups answer
    ran.clear()
    store.run_query(fixture_con, "complaint_summary", {**params, "channels": ["Phone"]})
    assert ran == [False, True]  # a channel is selected: handed to queries/plain/


def test_optimised_equals_plain_on_the_fixture(fixture_con):
    assert rollups.has_rollups(fixture_con)
    assert check_every_query(fixture_con) > 0


@pytest.fixture(scope="session")
def medium_db_path(tmp_path_factory):
    """The generated 'medium' database (1M tickets, 200k responses), built once per session."""
    from servicequality import demo

    return demo.build(tmp_path_factory.mktemp("medium") / "medium.duckdb", scale="medium")


@pytest.mark.slow
def test_optimised_equals_plain_on_the_medium_database(medium_db_path):
    con = store.connect_read_only(medium_db_path)
    try:
        assert check_every_query(con, MEDIUM_SCENARIOS) > 0
    finally:
        con.close()


def test_refresh_command_rebuilds_missing_rollups_and_queries_fall_back_meanwhile(fixture_db_path, tmp_path):
    import shutil

    from servicequality.__main__ import main

    db = tmp_path / "copy.duckdb"
    shutil.copy(fixture_db_path, db)
    con = store.connect_read_write(db)
    con.execute("drop table rollup_survey_days")
    con.close()
    con = store.connect_read_only(db)
    try:
        assert not rollups.is_fresh(con)
        params = Filters(dt.date(2024, 1, 1), dt.date(2024, 2, 29)).params()
        # No rollup: the plain query answers instead of an error.
        assert store.run_query(con, "survey_summary", params).iloc[0]["responses"] == 4
    finally:
        con.close()
    assert main(["refresh", "--db", str(db), "--if-stale"]) == 0
    con = store.connect_read_only(db)
    try:
        assert rollups.is_fresh(con)
        assert store.run_query(con, "survey_summary", params).iloc[0]["responses"] == 4
    finally:
        con.close()
