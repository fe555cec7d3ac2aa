"""The Parquet history (store.history) and the snapshot pointer (store.snapshot), without Spark."""

from __future__ import annotations

import os

import duckdb
import pytest

from servicequality import store
from servicequality.__main__ import main
from servicequality.store import history, snapshot


def _months(directory, table) -> list[str]:
    return sorted(p.name.partition("=")[2] for p in (directory / table).glob("month=*"))


def _read(directory, table):
    dated = table in history.DATED
    sql = (
        "select * exclude (month) from read_parquet($f, hive_partitioning = true)"
        if dated
        else ("select * from read_parquet($f)")
    )
    return duckdb.connect().execute(sql, {"f": history.files(directory, table)}).df()


def test_export_writes_every_base_table_by_month(fixture_db_path, tmp_path):
    out = tmp_path / "history"
    assert main(["export", "--db", str(fixture_db_path), "--parquet", str(out)]) == 0
    con = store.connect_read_only(fixture_db_path)
    try:
        for table in history.TABLES:
            (expected,) = con.execute(f"select count(*) from {table}").fetchone()
            assert len(_read(out, table)) == expected, table
        # each ticket under the month it was opened, each score under its response's month
        by_month = dict(
            con.execute("select strftime(opened_at, '%Y-%m'), count(*) from tickets group by all").fetchall()
        )
        assert _months(out, "tickets") == sorted(by_month)
        for month, n in by_month.items():
            files = str(out / "tickets" / f"month={month}" / "*.parquet")
            assert duckdb.execute("select count(*) from read_parquet($f)", {"f": files}).fetchone()[0] == n
        assert _months(out, "survey_scores") == _months(out, "survey_responses")
        tickets = con.execute("select * from tickets order by ticket_id").df()
    finally:
        con.close()
    back = _read(out, "tickets").sort_values("ticket_id").reset_index(drop=True)
    assert back[list(tickets.columns)].equals(tickets), "values and types come back as stored"
    assert not list(tmp_path.glob(".history.*")), "no building directory left behind"


def test_append_replaces_the_months_from_since_and_adds_nothing_twice(fixture_db_path, tmp_path):
    out = tmp_path / "history"
    con = store.connect_read_only(fixture_db_path)
    try:
        history.export(con, out)
        months = _months(out, "tickets")
        since = months[-1]
        before = len(_read(out, "tickets"))
        counts = history.append(con, out, since=since)
        counts_again = history.append(con, out, since=since)
        (in_last,) = con.execute(
            "select count(*) from tickets where strftime(opened_at, '%Y-%m') >= $m", {"m": since}
        ).fetchone()
    finally:
        con.close()
    assert counts["tickets"] == counts_again["tickets"] == in_last > 0
    assert len(_read(out, "tickets")) == before, "the months from --since are replaced, not added twice"
    assert _months(out, "tickets") == months


def test_export_refuses_a_month_that_is_not_one(fixture_db_path, tmp_path, capsys):
    assert main(["export", "--db", str(fixture_db_path), "--parquet", str(tmp_path), "--since", "2025-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_the_pointer_names_the_snapshot_the_dashboard_reads(tmp_path, monkeypatch):
    (tmp_path / "snapshot-1.duckdb").write_bytes(b"")
    (tmp_path / "snapshot-2.duckdb").write_bytes(b"")
    snapshot.point(tmp_path, "snapshot-1.duckdb")
    monkeypatch.setenv("SQ_DATABASE", str(tmp_path))
    assert store.database_path() == tmp_path / "snapshot-1.duckdb"
    before = os.stat(tmp_path / snapshot.POINTER).st_ino
    snapshot.point(tmp_path, "snapshot-2.duckdb")
    assert store.database_path() == tmp_path / "snapshot-2.duckdb"
    # a new file renamed over the old one (a reader sees the old name or the new, never half)
    assert os.stat(tmp_path / snapshot.POINTER).st_ino != before
    assert oct(os.stat(tmp_path / snapshot.POINTER).st_mode & 0o777) == "0o644"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("name", ["../elsewhere.duckdb", "other.duckdb", ".snapshot-1.duckdb"])
def test_a_pointer_naming_anything_else_is_refused(tmp_path, name):
    (tmp_path / snapshot.POINTER).write_text(name + "\n")
    with pytest.raises(store.StoreError, match="not a snapshot"):
        snapshot.current(tmp_path)


def test_a_directory_without_a_pointer_says_how_to_build_one(tmp_path):
    with pytest.raises(store.StoreError, match="refresh --engine spark"):
        snapshot.current(tmp_path)
