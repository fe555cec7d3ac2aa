"""Which engine answers a query (store.engine), without Spark: the routing, and a store that
leaves its facts in a history saying what to set instead of answering from missing tables.

The Spark side (a rollups-only snapshot built by Spark, its pages and CSV read on Spark) is in
test_spark.py."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from servicequality import store
from servicequality.store import engine, rollups
from servicequality.store.connection import FACT_TABLES, HISTORY_FACTS
from tests.conftest import FIXTURE_PERIOD, query_extras


def test_a_query_reads_the_fact_tables_behind_its_views():
    params = {**query_extras(), **FIXTURE_PERIOD.params()}
    # drill_tickets reads the view ticket_facts, which reads tickets
    assert "ticket_facts" in store.runner.tables_read(store.load_query("drill_tickets").sql)
    assert engine.facts_read("drill_tickets", params) == {"tickets"}
    # the complaint tiles read rollups and reference tables only
    assert engine.facts_read("complaint_summary", params) == frozenset()
    # through a view: survey_overall reads response_answers, which reads the responses
    assert "response_answers" in store.runner.tables_read(store.load_query("survey_overall").sql)
    assert engine.facts_read("survey_overall", params) == {"survey_responses"}
    # the respondents' wide rows are a rollup of their own (rollup_respondent_performance)
    assert engine.facts_read("performance_respondents", params) == frozenset()


def test_the_engine_is_named_or_refused(monkeypatch):
    monkeypatch.delenv("SQ_ENGINE", raising=False)
    assert engine.configured() == "duckdb"
    monkeypatch.setenv("SQ_ENGINE", " Spark ")
    assert engine.configured() == "spark"
    monkeypatch.setenv("SQ_ENGINE", "postgres")
    with pytest.raises(store.StoreError, match="duckdb .* or spark"):
        engine.configured()


@pytest.fixture()
def facts_elsewhere(fixture_db_path, tmp_path):
    """The fixture store made into what `refresh --engine spark --rollups-only` writes: its fact
    tables dropped and listed, with their row counts, in history_facts."""
    path = tmp_path / "snapshot-test.duckdb"
    shutil.copy(fixture_db_path, path)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            f"create table {HISTORY_FACTS} (table_name varchar primary key, row_count bigint not null, "
            "location varchar not null, rollups varchar not null)"
        )
        for table in FACT_TABLES:
            rows = con.execute("select count(*) from " + table).fetchone()[0]
            con.execute(f"insert into {HISTORY_FACTS} values ($t, $n, '/history', '/rollups')", {"t": table, "n": rows})
            con.execute("drop table " + table)
    finally:
        con.close()
    return path


def test_a_store_without_its_facts_is_served_and_says_what_to_set(facts_elsewhere, monkeypatch):
    monkeypatch.delenv("SQ_ENGINE", raising=False)
    con = store.connect_read_only(facts_elsewhere)
    try:
        store.check_store(con)  # tickets and responses are counted in the history, not missing
        assert rollups.is_fresh(con)  # the recorded counts stand for the tables' own
        where = engine.history(con)
        assert (where.location, where.rollups, where.tables) == ("/history", "/rollups", frozenset(FACT_TABLES))
        run = store.query_runner(con)
        assert len(run("complaint_summary", FIXTURE_PERIOD)) == 1  # a rollup answers: DuckDB
        with pytest.raises(
            store.StoreError, match=r"reads the tickets this snapshot leaves in its Parquet history, .*SQ_ENGINE=spark"
        ):
            run("drill_tickets", FIXTURE_PERIOD, **query_extras())
    finally:
        con.close()


def test_an_import_into_a_store_without_its_facts_is_refused_and_changes_nothing(facts_elsewhere):
    before = facts_elsewhere.read_bytes()
    with pytest.raises(store.StoreError, match="stay in its Parquet history"):
        store.build_atomically(facts_elsewhere, lambda con: None, start_from_existing=True)
    assert facts_elsewhere.read_bytes() == before
    assert sorted(p.name for p in facts_elsewhere.parent.iterdir()) == [facts_elsewhere.name]


def test_every_fact_a_snapshot_leaves_in_its_history_has_words_for_the_page():
    # A rollups-only snapshot leaves every table of FACT_TABLES in its history; check_configured names
    # them in words, sorted by FACT_WORDS' order: 'visits' (store_contents reads it) was missing, and
    # the Rows page of such a snapshot stopped on "'visits' is not in list" instead of saying what to set.
    from servicequality.store import engine
    from servicequality.store.connection import FACT_TABLES

    assert set(FACT_TABLES) <= set(engine.FACT_WORDS)
    with pytest.raises(store.StoreError, match="visits and tickets|tickets and visits"):
        engine.check_configured(None, frozenset({"visits", "tickets"}))
