"""Every named query gives the same rows on Spark as on DuckDB.

A small generated store (the tiny demo: 16 branches, ~20,000 tickets, ~2,000 responses) is exported
to a Parquet history (store.history); Spark, in local mode, reads the history, builds every rollup
from its model and runs every query of queries/ under two parameter sets: the whole history, and a
period that cuts months with a region and a channel selected; the queries with a component choice
also under one component and two. DuckDB runs the same queries on the
store itself. Same columns, same rows in the same order, numbers within 1e-9 relative.

The rewrites that make the one text run on both (store.spark.to_spark) are pinned further down
without Spark: each would make a query fail or differ on Spark if it were lost.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import sqlglot
import streamlit as st
from sqlglot import exp
from streamlit.testing.v1 import AppTest

from servicequality import store
from servicequality.__main__ import main
from servicequality.demo import generator
from servicequality.filters import Filters
from servicequality.metrics.formats import plain
from servicequality.store import history, rollups, snapshot, spark
from servicequality.store.connection import FACT_TABLES, facts_elsewhere
from servicequality.ui import downloads
from servicequality.ui.navigation import PAGES
from tests.conftest import ROOT, query_extras, require_or_skip

RTOL, ATOL = 1e-9, 1e-12
ENGINE_NOTE = "Summaries come from the snapshot."


def _spark_or_skip() -> None:
    """Spark needs pyspark and Java; CI has both and must run this (elsewhere it may skip)."""
    missing = []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark (pip install -r requirements.txt)")
    if shutil.which("java") is None:
        missing.append("Java 17 (java on PATH)")
    require_or_skip(not missing, "Spark tests need " + " and ".join(missing))


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    return generator.build(tmp_path_factory.mktemp("spark") / "tiny.duckdb", scale="tiny")


@pytest.fixture(scope="module")
def built(tiny_store, tmp_path_factory):
    """Spark, in local mode, reads the Parquet history of the tiny store, builds every rollup and
    writes a snapshot the dashboard can serve: (the engine, holding the rollups, and the snapshot
    directory)."""
    _spark_or_skip()
    directory = tmp_path_factory.mktemp("history") / "history"
    con = store.connect_read_only(tiny_store)
    try:
        history.export(con, directory)
    finally:
        con.close()
    engine = spark.SparkEngine.local()
    snapshots = tmp_path_factory.mktemp("snapshots")
    snapshot.build_with_spark(engine, directory, snapshots)
    yield engine, snapshots, directory
    store.engine.spark_for.cache_clear()  # the dashboard's session is this one: stopped below
    engine.stop()


@pytest.fixture(scope="module")
def engine(built):
    return built[0]


@pytest.fixture(scope="module")
def rollups_only(built, tmp_path_factory):
    """A snapshot of the same history that leaves the fact tables in it (`--rollups-only`)."""
    engine, _, directory = built
    snapshots = tmp_path_factory.mktemp("rollups_only")
    snapshot.build_with_spark(engine, directory, snapshots, rollups_only=True)
    return snapshots


def _parameter_sets(con) -> list[tuple[str, dict]]:
    first, last = store.run_query(con, "date_bounds", {}).iloc[0]
    whole = Filters(pd.Timestamp(first).date(), pd.Timestamp(last).date())
    # 5 March 2024 to 9 May 2025: both ends cut a month (the rollups' month and day tables meet),
    # March read as its month less 1-4 March, May as its first 9 days (store.periods.cut_months)
    cut = replace(Filters(dt.date(2024, 3, 5), dt.date(2025, 5, 9)), regions=("North",), channels=("Phone",))
    return [(label, {**query_extras(), **f.params()}) for label, f in (("whole history", whole), ("filtered", cut))]


def differences(duck: pd.DataFrame, sparked: pd.DataFrame) -> str | None:
    """Why two results are not the same rows (None when they are)."""
    if list(duck.columns) != list(sparked.columns):
        return f"columns {list(duck.columns)} vs {list(sparked.columns)}"
    if len(duck) != len(sparked):
        return f"{len(duck)} rows vs {len(sparked)}"
    for column in duck.columns:
        a, b = duck[column], sparked[column]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            x, y = pd.to_numeric(a).to_numpy(dtype=float), pd.to_numeric(b).to_numpy(dtype=float)
            if not np.allclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True):
                bad = np.flatnonzero(~np.isclose(x, y, rtol=RTOL, atol=ATOL, equal_nan=True))
                return f"{column}: row {bad[0]}: {x[bad[0]]!r} vs {y[bad[0]]!r} ({len(bad)} rows differ)"
        else:
            # dates and times as Timestamps (DuckDB gives datetime64, Spark's Arrow dates), text as is
            def values(s: pd.Series) -> list:
                return [None if pd.isna(v) else (pd.Timestamp(v) if isinstance(v, dt.date) else v) for v in s]

            if values(a) != values(b):
                first = next(i for i, (u, v) in enumerate(zip(values(a), values(b))) if u != v)
                return f"{column}: row {first}: {values(a)[first]!r} vs {values(b)[first]!r}"
    return None


@pytest.mark.slow
def test_every_query_gives_the_same_rows_on_spark(tiny_store, engine):
    con = store.connect_read_only(tiny_store)
    failures, compared = [], 0
    try:
        for label, params in _parameter_sets(con):
            for name in store.query_names():
                duck = store.run_query(con, name, params)
                try:
                    sparked = engine.run_query(name, params)
                except Exception as exc:  # noqa: BLE001 - every query's failure is listed, not the first
                    failures.append(f"{name} [{label}]: {str(exc).splitlines()[0] if str(exc) else exc!r}")
                    continue
                why = differences(duck, sparked)
                if why:
                    failures.append(f"{name} [{label}]: {why}")
                compared += 1
                assert len(duck.columns) > 0
    finally:
        con.close()
    assert not failures, "\n".join(failures)
    assert compared == 2 * len(store.query_names())


@pytest.mark.slow
def test_a_component_selection_gives_the_same_rows_on_spark(tiny_store, engine):
    # One component reads the fragments' single-component sums ("-- Rollup choice: ... when one
    # $components", queries/fragments/respondent_gaps.sql and rater_groups.sql), two the respondents
    # regrouped over them: both give DuckDB's rows on Spark (the sets above select no component).
    con = store.connect_read_only(tiny_store)
    named = [n for n in store.query_names() if any("components" in c.when for c in store.load_query(n).choices)]
    wanted = {"consistency_gap_rank_sums", "consistency_branch_months", "servqual_rater_gaps", "explore_survey"}
    assert wanted <= set(named)
    failures = []
    try:
        first, last = store.run_query(con, "date_bounds", {}).iloc[0]
        period = Filters(pd.Timestamp(first).date(), pd.Timestamp(last).date())
        for components in (("courtesy",), ("courtesy", "reliability")):
            params = {**query_extras(), **replace(period, components=components).params()}
            for name in named:
                why = differences(store.run_query(con, name, params), engine.run_query(name, params))
                if why:
                    failures.append(f"{name} {components}: {why}")
    finally:
        con.close()
    assert not failures, "\n".join(failures)


def _page(monkeypatch, db, page, *, engine_name: str = "duckdb") -> dict:
    """What a page shows: its tiles, texts, tables and charts' data (AppTest)."""
    monkeypatch.setenv("SQ_DATABASE", str(db))
    monkeypatch.setenv("SQ_ENGINE", engine_name)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["period"] = ["2024-01-01", "2025-12-31"]
    at.run()
    # the sidebar's note on a rollups-only snapshot, read on the first page (AppTest's tree holds no
    # sidebar after a page switch)
    note = any(c.value.startswith(ENGINE_NOTE) for c in at.caption)
    at.switch_page(page.path).run()
    assert not at.exception, [e.value for e in at.exception]
    charts = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        charts.append(
            [{k: _decoded(t.get(k)) for k in ("x", "y", "z", "values", "text", "name")} for t in spec["data"]]
        )
    return {
        "tiles": [(m.label, m.value, m.delta) for m in at.metric],
        # the Data page names the file it reads: the snapshot's name is not a number
        "texts": [
            e.value.replace(str(store.database_path()), "<the database>").replace(
                plain(store.database_path().name), "<the database>"
            )
            for kind in ("markdown", "caption", "info", "warning", "error")
            for e in getattr(at, kind)
            # the sidebar's note on a rollups-only snapshot (which engine reads what) is the one text
            # the DuckDB store does not have
            if not e.value.startswith(ENGINE_NOTE)
        ],
        "spark_note": note,
        "tables": [df.value for df in at.dataframe],
        "charts": charts,
    }


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["snapshot", "rollups only"])
@pytest.mark.parametrize("page", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_shows_the_same_numbers_from_the_spark_snapshot(monkeypatch, tiny_store, built, page, kind, request):
    # The dashboard serves the snapshot directory (its pointer names the file); the same page on the
    # store DuckDB built itself must show the same tiles, texts, tables and chart values. A rollups-only
    # snapshot leaves the facts in the history: with SQ_ENGINE=spark, Spark answers what reads them.
    if kind == "snapshot":
        sparked = _page(monkeypatch, built[1], page)
        assert not sparked["spark_note"]
    else:
        sparked = _page(monkeypatch, request.getfixturevalue("rollups_only"), page, engine_name="spark")
        assert sparked["spark_note"]
    duck = _page(monkeypatch, tiny_store, page)
    assert duck["tiles"] or duck["tables"] or duck["charts"], f"{page.url_path}: the page shows numbers"
    for part in ("tiles", "texts"):
        assert sparked[part] == duck[part], f"{page.url_path}: {part}"
    assert len(sparked["tables"]) == len(duck["tables"])
    for a, b in zip(duck["tables"], sparked["tables"]):
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=RTOL, atol=ATOL)
    assert len(sparked["charts"]) == len(duck["charts"])
    for i, (a, b) in enumerate(zip(duck["charts"], sparked["charts"])):
        # chart values from doubles summed in another order may differ in the last bits only
        assert json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str) or all(
            _close(x, y) for x, y in zip(a, b)
        ), f"{page.url_path}: chart {i}"


def _decoded(value):
    """Plotly's typed arrays ({"dtype": "f8", "bdata": base64}) as lists of numbers."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if isinstance(shape, str):  # "3, 4"
            shape = [int(n) for n in shape.split(",")]
        return array.reshape(shape).tolist() if shape else array.tolist()
    if isinstance(value, list):
        return [_decoded(v) for v in value]
    return value


@pytest.mark.slow
def test_make_run_serves_a_snapshot_directory_as_it_is(built, capsys):
    # `make run DB=snapshots/` first runs `refresh --if-stale --db snapshots/`: a current snapshot
    # is left as it is (a snapshot is rebuilt by Spark, never in place)
    snapshots = built[1]
    assert main(["refresh", "--if-stale", "--db", str(snapshots)]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.slow
def test_a_rollups_only_snapshot_reads_its_facts_on_spark(monkeypatch, tiny_store, rollups_only, built):
    path = snapshot.current(rollups_only)
    con = store.connect_read_only(path)
    tiny = store.connect_read_only(tiny_store)
    try:
        # no fact table in the file; their row counts, as the tiny store counts them, in history_facts
        tables = set(con.execute("select table_name from duckdb_tables()").df()["table_name"])
        assert not tables & set(FACT_TABLES)
        tickets = tiny.execute("select count(*) from sq_store.tickets").fetchone()[0]
        assert store.engine.history(con).tables == frozenset(FACT_TABLES)
        assert facts_elsewhere(con)["tickets"][0] == tickets > 10_000
        store.check_store(con)
        assert rollups.is_fresh(con)
        # the file holds branches and days, not tickets: smaller than the snapshot with the facts
        assert path.stat().st_size < snapshot.current(built[1]).stat().st_size
        assert snapshot.rollups_dir(path).is_dir()

        # without SQ_ENGINE=spark a query that reads facts says what to set; one a rollup answers runs
        monkeypatch.delenv("SQ_ENGINE", raising=False)
        store.engine.spark_for.cache_clear()
        run = store.query_runner(con)
        sets = _parameter_sets(tiny)
        with pytest.raises(store.StoreError, match="SQ_ENGINE=spark"):
            run("drill_tickets", None, **sets[0][1])
        assert len(run("complaint_summary", None, **sets[0][1])) == 1

        monkeypatch.setenv("SQ_ENGINE", "spark")
        run = store.query_runner(con)
        on_spark = [
            n for n in store.query_names() if store.engine.needs_spark(store.engine.history(con), n, sets[0][1])
        ]
        assert {"drill_tickets", "drill_responses", "survey_overall"} <= set(on_spark)
        failures = []
        for label, params in sets:
            for name in on_spark:
                why = differences(store.run_query(tiny, name, params), run(name, None, **params))
                if why:
                    failures.append(f"{name} [{label}]: {why}")
        assert not failures, "\n".join(failures)
    finally:
        con.close()
        tiny.close()


@pytest.mark.slow
def test_the_rows_csv_of_a_rollups_only_snapshot_comes_from_spark(monkeypatch, tiny_store, rollups_only):
    monkeypatch.setenv("SQ_ENGINE", "spark")
    period = Filters(dt.date(2024, 3, 17), dt.date(2024, 5, 9))

    def csv_rows(db) -> list[list[str]]:
        request = downloads.RowsExport(str(db), period, "complaints", (), "opened_at", True, False)
        return list(csv.reader(io.StringIO(b"".join(downloads.rows_csv(request, batch_rows=50)).decode("utf-8-sig"))))

    duck, sparked = csv_rows(tiny_store), csv_rows(snapshot.current(rollups_only))
    assert len(duck) > 100  # three months of complaints, over several batches of 50
    assert sparked == duck


@pytest.mark.slow
def test_without_spark_a_page_says_what_to_set(monkeypatch, rollups_only):
    monkeypatch.setenv("SQ_DATABASE", str(rollups_only))
    monkeypatch.delenv("SQ_ENGINE", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert any("only Spark reads them" in c.value for c in at.caption)
    at.switch_page("pages/rows.py").run()
    assert not at.exception
    assert any("SQ_ENGINE=spark" in i.value for i in at.info)


def _close(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=RTOL, atol=ATOL))
    return a == b


@pytest.mark.slow
def test_percentiles_are_exact_on_spark(engine):
    # x = 1, 2, 3, 4, 7, 100 (n = 6, ranks 0..5), worked by hand:
    #   percentile_cont 0.3: rank 0.3 * 5 = 1.5, between 2 and 3: 2.5
    #   ... descending: the ascending 0.7, rank 3.5, between 4 and 7: 5.5
    #   median: rank 2.5: 3.5
    #   quantile_cont 0.25, 0.75: ranks 1.25 and 3.75: 2.25 and 4 + 0.75 * 3 = 6.25
    #   percentile_disc 0.3: the first value whose cumulative share (1/6, 2/6, ...) reaches 0.3: 2
    # Spark's PERCENTILE_APPROX, what sqlglot writes for the first, returns a value of x (2 or 3).
    import duckdb

    values = [4, 100, 1, 7, 3, 2]
    sql = (
        "select percentile_cont(0.3) within group (order by x) as cont, "
        "percentile_cont(0.3) within group (order by x desc) as cont_desc, median(x) as med, "
        "quantile_cont(x, [0.25, 0.75]) as quartiles, percentile_disc(0.3) within group (order by x) as disc, "
        "quantile_disc(x, 0.3) as qdisc from xs"
    )
    expected = {"cont": 2.5, "cont_desc": 5.5, "med": 3.5, "quartiles": [2.25, 6.25], "disc": 2, "qdisc": 2}
    con = duckdb.connect()
    con.execute("create table xs as select unnest($v) as x", {"v": values})
    duck = con.execute(sql).df().iloc[0].to_dict()
    engine.spark.createDataFrame([(v,) for v in values], "x int").createOrReplaceTempView("xs")
    sparked = engine.sql(sql).toPandas().iloc[0].to_dict()
    for got in (duck, sparked):
        assert {k: list(v) if k == "quartiles" else float(v) for k, v in got.items()} == expected


def test_the_comparison_can_fail():
    # 1e-9 relative: a figure rounded to six places (Spark's DECIMAL division) is caught
    duck = pd.DataFrame({"minutes": [1 / 3], "label": ["a"]})
    assert differences(duck, pd.DataFrame({"minutes": [0.333333], "label": ["a"]}))
    assert differences(duck, pd.DataFrame({"minutes": [1 / 3], "label": ["b"]}))
    assert differences(duck, pd.DataFrame({"minutes": [1 / 3, 1.0], "label": ["a", "b"]}))
    assert differences(duck, duck.copy()) is None


# --- the rewrites, without Spark ---------------------------------------------------------------


def test_a_list_parameter_is_typed_where_it_is_read():
    # A NULL list ("all") has no type on Spark: array_contains(NULL, region) is refused.
    out = spark.to_spark("select 1 from b where ($regions is null or list_contains($regions, b.region))")
    assert out.count("CAST(:regions AS ARRAY<STRING>)") == 2
    # a parameter that is not a list stays bare
    assert ":start" in spark.to_spark("select 1 from b where b.d >= $start") and "CAST(:start" not in out


def test_decimals_divide_as_doubles():
    out = spark.to_spark("select x / 86400.0 as d, cast(s as hugeint) * s as ss from t")
    # 86400.0 would be DECIMAL(6,1) on Spark; the dividend is a DOUBLE as in DuckDB
    assert "CAST(x AS DOUBLE) / CAST(86400.0 AS DOUBLE)" in out
    # HUGEINT, the exact sums of squares, is a 38-digit whole decimal
    assert "CAST(s AS DECIMAL(38, 0))" in out


def test_exact_percentiles_are_not_estimated():
    out = spark.to_spark("select percentile_cont(0.5) within group (order by x) as m from t")
    assert "PERCENTILE_APPROX" not in out and "PERCENTILE(x, " in out


def test_to_days_is_a_day_interval():
    assert "MAKE_DT_INTERVAL(CAST(:n AS INT))" in spark.to_spark("select now() - to_days(cast($n as integer))")


def test_a_step_read_twice_is_its_own_statement():
    sql = """
        with once as (select 1 as x),
        twice as (select x from once),
        last as (select x from twice)
        select (select x from twice) as a, (select x from last) as b
    """
    steps, final = spark.shared_steps(sql)

    def ctes(text: str) -> list[str]:
        return [c.alias for c in sqlglot.parse_one(text, read="duckdb").find_all(exp.CTE)]

    # `twice` is read by `last` and by the final select: a statement of its own, with the step it
    # reads; the final select keeps the steps read once and reads `twice` as a table
    assert [name for name, _ in steps] == ["twice"]
    assert ctes(steps[0][1]) == ["once"]
    assert ctes(final) == ["once", "last"]
    # a query whose steps are each read once runs as written
    plain = "with a as (select 1 as x) select x from a"
    assert spark.shared_steps(plain) == ([], plain)
    # with a suffix (one per call: two dashboard sessions share Spark's views) the step's view and
    # every read of it carry it; the steps read once keep their names
    steps, final = spark.shared_steps(sql, suffix="_c1")
    assert [name for name, _ in steps] == ["twice_c1"]
    assert ctes(final) == ["once", "last"]
    tables = {t.name for t in sqlglot.parse_one(final, read="duckdb").find_all(exp.Table)}
    assert "twice_c1" in tables and "twice" not in tables
