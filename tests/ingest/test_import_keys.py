"""The fact tables declare no primary or foreign keys (store/schema.sql): the import rejects repeats
and unknown references row by row, and checks the rows of its run again after writing them
(ingest/keys.py). These tests get a fault past the row-by-row rules on purpose and
show that the second check stops the import with the store unchanged."""

from __future__ import annotations

import duckdb
import pytest

from servicequality import ingest, store
from servicequality.ingest import commit, keys
from tests.ingest import TICKET_MAPPING

SURVEYS = """
target = "surveys"
[columns]
response_id = "id"
branch_id = "branch"
submitted_at = "date"
[constants]
channel = "Web"
segment = "Individual"
[survey]
perception = '^P(?P<item>\\d+)$'
[survey.items]
"1" = "reliability"
"2" = "courtesy"
[new_branches]
"""
HEADER = "id,branch,channel,opened,status\n"


def counts(db) -> dict[str, int]:
    con = store.connect_read_only(db)
    try:
        return store.row_counts(con, ("tickets", "ticket_sources", "survey_responses", "survey_scores", "import_runs"))
    finally:
        con.close()


def leftovers(db) -> list:
    return [p.name for p in db.parent.iterdir() if p.name.startswith(f".{db.name}.") and ".building" in p.name]


@pytest.fixture()
def tickets_db(tmp_path):
    (tmp_path / "m.toml").write_text(TICKET_MAPPING)
    (tmp_path / "a.csv").write_text(HEADER + "T1,B1,Phone,2024-01-05,open\nT2,B1,Web,2024-01-06,open\n")
    db = tmp_path / "s.duckdb"
    assert ingest.run_import("tickets", tmp_path / "a.csv", tmp_path / "m.toml", db).rows_stored == 2
    return db


def test_without_the_row_rules_a_repeated_ticket_id_is_still_refused(tickets_db, monkeypatch):
    tmp = tickets_db.parent
    (tmp / "b.csv").write_text(HEADER + "T3,B1,Phone,2024-01-07,open\nT2,B1,Web,2024-01-08,open\n")
    before = counts(tickets_db)
    # The row rules find T2 stored: with them, T2 is rejected and T3 stored.
    monkeypatch.setattr(commit, "_stored_keys", lambda con, importer: set())  # ... and now they do not
    with pytest.raises(ingest.ImportProblem, match=r"would have stored a ticket id twice \(T2\): nothing was"):
        ingest.run_import("tickets", tmp / "b.csv", tmp / "m.toml", tickets_db)
    assert (
        counts(tickets_db)
        == before
        == {
            "tickets": 2,
            "ticket_sources": 2,
            "survey_responses": 0,
            "survey_scores": 0,
            "import_runs": 1,
        }
    )
    assert leftovers(tickets_db) == []
    monkeypatch.undo()
    result = ingest.run_import("tickets", tmp / "b.csv", tmp / "m.toml", tickets_db)
    assert (result.rows_stored, result.rows_rejected) == (1, 1)
    assert "already in the store" in result.rejected[0].reason


def test_without_the_new_branch_a_ticket_of_an_unknown_branch_is_refused(tickets_db, monkeypatch):
    tmp = tickets_db.parent
    (tmp / "b.csv").write_text(HEADER + "T3,B1,Phone,2024-01-07,open\nT4,B9,Web,2024-01-08,open\n")
    before = counts(tickets_db)
    insert = commit._insert

    def no_new_branches(con, table, rows, columns, replace=False):
        if table != "branches":
            insert(con, table, rows, columns, replace)

    monkeypatch.setattr(commit, "_insert", no_new_branches)
    with pytest.raises(ingest.ImportProblem, match=r"a ticket of an unknown branch \(B9\)"):
        ingest.run_import("tickets", tmp / "b.csv", tmp / "m.toml", tickets_db)
    assert counts(tickets_db) == before


def test_without_the_row_rules_a_repeated_response_is_refused(tmp_path, monkeypatch):
    (tmp_path / "m.toml").write_text(SURVEYS)
    (tmp_path / "a.csv").write_text("id,branch,date,P1,P2\nR1,B1,2024-01-02,5,4\nR2,B1,2024-01-03,6,3\n")
    (tmp_path / "b.csv").write_text("id,branch,date,P1,P2\nR3,B1,2024-01-04,5,4\nR1,B1,2024-01-05,2,2\n")
    db = tmp_path / "s.duckdb"
    assert ingest.run_import("surveys", tmp_path / "a.csv", tmp_path / "m.toml", db).rows_stored == 2
    before = counts(db)
    assert (before["survey_responses"], before["survey_scores"]) == (2, 4)
    monkeypatch.setattr(commit, "_stored_keys", lambda con, importer: set())
    with pytest.raises(ingest.ImportProblem, match=r"a response id twice \(R1\)"):
        ingest.run_import("surveys", tmp_path / "b.csv", tmp_path / "m.toml", db)
    assert counts(db) == before


@pytest.mark.parametrize(
    ("table", "rows", "found"),
    [
        # (response, component, item) once per response: R1's courtesy item 2 twice is a repeat,
        # R2's reliability item 1 beside R1's is not.
        ("survey_scores", [("R1", "courtesy", "2"), ("R2", "reliability", "1")], None),
        ("survey_scores", [("R1", "courtesy", "2"), ("R1", "courtesy", "2")], ("R1", "courtesy", "2")),
    ],
)
def test_a_repeated_score_is_found(table, rows, found):
    # The check's query on its own, over a run of two responses.
    con = duckdb.connect()
    try:
        con.execute("create table survey_sources (response_id varchar, run_id integer)")
        con.execute("insert into survey_sources values ('R1', 7), ('R2', 7), ('R0', 6)")
        con.execute(f"create table {table} (response_id varchar, component_key varchar, item varchar)")
        con.execute(f"insert into {table} values ('R0', 'courtesy', '2'), ('R0', 'courtesy', '2')")  # run 6's
        con.executemany(f"insert into {table} values (?, ?, ?)", rows)
        (sql,) = [q for what, q in keys.CHECKS["surveys"] if what == "an item's score twice"]
        got = con.execute(sql, {"r": 7}).fetchall()
    finally:
        con.close()
    assert got == ([] if found is None else [found])
