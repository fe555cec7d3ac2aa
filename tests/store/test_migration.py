"""Stores written by older versions are brought up to today's schema by create_schema, keeping their
rows and figures: one from before performance-only surveys (survey_scores with expectation NOT NULL
and a fixed 1-7 scale, survey_responses without the any-scale answers), and one whose fact tables
declared primary and foreign keys (before 2026-12-04)."""

import duckdb
import pytest

from servicequality import store

OLD_DDL = """
create table components (component_key varchar primary key, name varchar not null, rater_group varchar not null,
    description varchar not null, sort_order integer not null);
create table branches (branch_id varchar primary key, name varchar not null, region varchar not null,
    city varchar not null, branch_type varchar not null, size_band varchar not null, opened_on date);
create table survey_responses (
    response_id varchar primary key, branch_id varchar not null references branches (branch_id),
    submitted_at timestamp not null, channel varchar not null, segment varchar not null,
    nps smallint check (nps between 0 and 10),
    overall_satisfaction smallint check (overall_satisfaction between 1 and 5), comment varchar);
create table survey_scores (
    response_id varchar not null references survey_responses (response_id),
    component_key varchar not null references components (component_key),
    item varchar not null,
    expectation smallint not null check (expectation between 1 and 7),
    perception smallint not null check (perception between 1 and 7),
    adequate smallint check (adequate between 1 and 7),
    primary key (response_id, component_key, item));
create view response_component_scores as select * from survey_scores;
insert into components values ('courtesy', 'Courtesy', 'Assurance', 'd', 6);
insert into branches values ('B1', 'One', 'North', 'Town', 'Branch', 'Small', null);
insert into survey_responses values ('R1', 'B1', timestamp '2024-03-01 10:00', 'Phone', 'All', 9, 4, null);
insert into survey_scores values ('R1', 'courtesy', 'C1', 6, 4, null), ('R1', 'courtesy', 'C2', 5, 6, 3);
"""


def migrated(tmp_path, ddl: str) -> duckdb.DuckDBPyConnection:
    """A store made by `ddl` (an older version's tables and rows), brought up to today's schema."""
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(ddl)
    store.create_schema(con)
    return con


def test_an_older_store_is_migrated_with_its_rows(tmp_path):
    con = migrated(tmp_path, OLD_DDL)
    try:
        scores = con.execute(
            "select item, expectation, perception, adequate, scale_min, scale_max, reversed "
            "from survey_scores order by item"
        ).fetchall()
        # The component's gap: mean P (4 + 6) / 2 = 5 minus mean E (6 + 5) / 2 = 5.5 -> -0.5
        gap = con.execute("select gap from response_component_scores").fetchone()[0]
        columns = {r[0] for r in con.execute("describe survey_responses").fetchall()}
        # A performance-only rating now fits, on its own scale.
        con.execute(
            "insert into survey_scores (response_id, component_key, item, perception, scale_min, scale_max) "
            "values ('R1', 'courtesy', 'C3', 3, 1, 4), ('R1', 'courtesy', 'C4', 2, 1, 3)"
        )
        performance, top2 = con.execute("select performance, top2 from response_component_performance").fetchone()
    finally:
        con.close()
    assert scores == [("C1", 6, 4, None, 1, 7, False), ("C2", 5, 6, 3, 1, 7, False)]
    assert gap == pytest.approx(-0.5)
    assert {"satisfaction_answer", "satisfaction_min", "recommend_answer", "recommend_max"} <= columns
    # POMP: C1 4 on 1-7 -> 50, C2 6 on 1-7 -> 83.33, C3 3 on 1-4 -> 66.67, C4 2 on 1-3 -> 50
    assert performance == pytest.approx((50 + 500 / 6 + 200 / 3 + 50) / 4)
    # top boxes: 6-7 of 1-7 (C2 yes, C1 no), 3-4 of 1-4 (C3 yes), only 3 of 1-3 (C4 no) -> 2 of 4
    assert top2 == pytest.approx(0.5)


OLD_FACTS = """
create table branches (branch_id varchar primary key, name varchar not null, region varchar not null,
    city varchar not null, branch_type varchar not null, size_band varchar not null, opened_on date);
create table tickets (
    ticket_id varchar primary key, branch_id varchar not null references branches (branch_id),
    channel varchar not null, kind varchar not null, category varchar, priority varchar not null,
    opened_at timestamp not null, first_response_at timestamp, resolved_at timestamp, status varchar not null,
    reopened_count integer, escalated boolean, satisfaction smallint, segment varchar not null);
create table ticket_sources (ticket_id varchar primary key references tickets (ticket_id), run_id integer not null,
    source varchar not null, timely_response boolean);
insert into branches values ('B1', 'One', 'North', 'Town', 'Branch', 'Small', null);
insert into tickets values
    ('T9', 'B1', 'Phone', 'complaint', null, 'normal', timestamp '2024-03-02 10:00', null, null, 'open',
        0, false, 4, 'All'),
    ('T1', 'B1', 'Web', 'request', null, 'high', timestamp '2024-03-01 09:00', null, null, 'open',
        null, null, null, 'All');
insert into ticket_sources values ('T9', 1, 'old', null), ('T1', 1, 'old', true);
"""


def test_a_store_with_keys_on_its_facts_loses_them_and_keeps_its_rows(tmp_path):
    con = migrated(tmp_path, OLD_FACTS)
    try:
        keys = con.execute(
            "select table_name, constraint_type from duckdb_constraints() "
            "where constraint_type in ('PRIMARY KEY', 'FOREIGN KEY') order by all"
        ).fetchall()
        # Stored order kept (T9 was written first), every column by name.
        tickets = con.execute("select ticket_id, channel, reopened_count, escalated, satisfaction from tickets")
        tickets = tickets.fetchall()
        sources = con.execute("select * from ticket_sources").fetchall()
        facts = con.execute("select count(*) from ticket_facts").fetchone()[0]
        store.create_schema(con)  # a second time: nothing to move
        again = con.execute("select count(*) from tickets").fetchone()[0]
    finally:
        con.close()
    # The reference tables keep theirs (an import of branches or targets replaces rows by key).
    assert keys == [
        ("branches", "PRIMARY KEY"),
        ("complaint_categories", "FOREIGN KEY"),
        ("complaint_categories", "PRIMARY KEY"),
        ("components", "PRIMARY KEY"),
        ("customers_served", "FOREIGN KEY"),
        ("customers_served", "PRIMARY KEY"),
        ("import_runs", "PRIMARY KEY"),
        ("rejected_rows", "FOREIGN KEY"),
        ("service_targets", "PRIMARY KEY"),
        ("store_keys", "PRIMARY KEY"),
    ]
    assert tickets == [("T9", "Phone", 0, False, 4), ("T1", "Web", None, None, None)]
    assert sources == [("T9", 1, "old", None), ("T1", 1, "old", True)]
    assert facts == 2 and again == 2
