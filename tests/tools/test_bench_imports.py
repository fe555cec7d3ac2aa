"""`make bench`'s import phase, run for real on a small generated store (the figures at 10 M tickets
are in BENCHMARKS.md and the issue notes; here: that the phase runs and reports what it measured)."""

from __future__ import annotations

import datetime as dt

import pytest

from servicequality import demo, store
from tools.bench import imports

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return demo.build(tmp_path_factory.mktemp("bench") / "tiny.duckdb", scale="tiny")


def test_throughput_imports_every_row_and_reports_the_reference(tiny, tmp_path):
    figures = imports.throughput(tiny, 3_000, tmp_path)
    assert figures["stored"] == 3_000 and figures["rows"] == 3_000
    assert figures["peak_rss_mb"] > 50 and figures["bare_read_csv_s"] > 0
    (line,) = imports.report_lines({"throughput": figures})
    assert "3,000 tickets" in line and "rows/s" in line and "`read_csv`" in line
    assert "The import's own account: took " in line and "the rollups " in line


def test_the_daily_import_lands_after_the_last_day(tiny, tmp_path):
    con = store.connect_read_only(tiny)
    try:
        ((last, count),) = con.execute("select max(opened_at), count(*) from tickets").fetchall()
    finally:
        con.close()
    csv = tmp_path / "daily.csv"
    imports.export_tickets(tiny, csv, 400, daily=True)
    lines = csv.read_text().splitlines()
    assert len(lines) == 401 and all(line.startswith("D") for line in lines[1:])
    opened = sorted(dt.datetime.fromisoformat(line.split(",")[6]) for line in lines[1:])
    assert opened[0].date() == last.date() + dt.timedelta(days=1)  # the day after the store's last

    figures = imports.daily(tiny, 400, tmp_path)
    assert (figures["stored"], figures["store_tickets"]) == (400, count)
    assert not (tmp_path / "daily.duckdb").exists()  # the copy is removed; the store itself untouched
    con = store.connect_read_only(tiny)
    try:
        assert con.execute("select count(*) from tickets").fetchall() == [(count,)]
    finally:
        con.close()
    (line,) = imports.report_lines({"daily": figures})
    assert "400 tickets" in line and "including the rollup refresh" in line
    assert "The import's own account: took " in line and "validating and writing " in line
