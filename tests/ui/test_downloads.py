"""Whole exports: month windows, CSV chunks, the token registry and the streaming route, on the
fixture (every row, in the Rows page's order, against one query over the whole period)."""

import asyncio
import csv
import datetime as dt
import io

import pytest
from starlette.requests import Request

from servicequality import store
from servicequality.filters import Filters
from servicequality.metrics import drilldown
from servicequality.ui import downloads, export
from tests.conftest import FIXTURE_PERIOD


def test_windows_are_calendar_months_in_the_export_order():
    f = Filters(dt.date(2024, 1, 15), dt.date(2024, 3, 10))
    newest_first = drilldown.export_windows(f, "complaints", "opened_at", True)
    assert [(w.start, w.end) for w in newest_first] == [
        (dt.date(2024, 3, 1), dt.date(2024, 3, 10)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # leap year
        (dt.date(2024, 1, 15), dt.date(2024, 1, 31)),
    ]
    oldest_first = drilldown.export_windows(f, "responses", "submitted_at", False)
    assert [w.start for w in oldest_first] == [dt.date(2024, 1, 15), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
    # any other sort needs every row at once
    assert drilldown.export_windows(f, "complaints", "branch", True) == [f]
    # an unknown sort falls back to the default (opened_at), as the page does
    assert len(drilldown.export_windows(f, "complaints", "nonsense", True)) == 3


def test_csv_chunks_write_one_header_and_keep_numbers_alike():
    import pandas as pd

    frames = [
        pd.DataFrame({"Name": ["=cmd()", "Ann"], "Count": pd.array([5, None], dtype="Int64")}),
        pd.DataFrame({"Name": ["Bo"], "Count": pd.array([7], dtype="Int64")}),
    ]
    data = b"".join(export.csv_chunks(frames))
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Name", "Count"], ["'=cmd()", "5"], ["Ann", ""], ["Bo", "7"]]
    assert list(export.csv_chunks([])) == []


def _request(filters, kind="complaints", sort="opened_at", descending=True, reveal=False, db=""):
    return downloads.RowsExport(str(db), filters, kind, (), sort, descending, reveal)


@pytest.mark.parametrize(
    ("kind", "sort", "descending"),
    [
        ("complaints", "opened_at", True),
        ("tickets", "opened_at", False),
        ("responses", "submitted_at", True),
        ("tickets", "branch", False),
    ],
)
def test_export_equals_every_row_of_one_query(fixture_db_path, fixture_con, kind, sort, descending):
    """The export month by month holds the same rows, in the same order, as the Rows page's query
    over the whole period with no page limit."""
    request = _request(FIXTURE_PERIOD, kind, sort, descending, db=fixture_db_path)
    got = list(csv.reader(io.StringIO(b"".join(downloads.rows_csv(request, batch_rows=2)).decode("utf-8-sig"))))
    name, params = drilldown.export_query(FIXTURE_PERIOD, kind, {}, sort, descending)
    whole = drilldown.for_display(store.run_query(fixture_con, name, params), kind)
    expected = list(csv.reader(io.StringIO(export.to_csv(whole).decode("utf-8-sig"))))
    assert got[0] == expected[0]
    assert len(got) == len(expected) > 2
    id_column = got[0].index("Response" if kind == "responses" else "Ticket")
    assert [r[id_column] for r in got[1:]] == [r[id_column] for r in expected[1:]]


def test_tokens_are_reused_for_the_same_export_and_expire(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(downloads.time, "monotonic", lambda: clock[0])
    a = _request(FIXTURE_PERIOD)
    token = downloads.register(a)
    assert downloads.register(a) == token
    assert downloads.register(_request(FIXTURE_PERIOD, reveal=True)) != token
    assert downloads.lookup(token) == a
    clock[0] += downloads.TOKEN_SECONDS + 1
    assert downloads.lookup(token) is None
    assert len(token) >= 32  # 24 random bytes, url-safe


def _call(path_and_query: str):
    path, _, query = path_and_query.partition("?")
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": []}
    response = asyncio.run(downloads.rows_route(Request(scope)))

    async def body():
        if hasattr(response, "body_iterator"):
            return b"".join([chunk async for chunk in response.body_iterator])
        return response.body

    return response, asyncio.run(body())


def test_the_route_streams_a_registered_export_and_refuses_others(fixture_db_path):
    response, body = _call("/export/rows.csv?token=made-up")
    assert response.status_code == 404
    assert b"expired or was never issued" in body
    link = downloads.rows_link(_request(FIXTURE_PERIOD, db=fixture_db_path))
    response, body = _call(link)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="complaints_20240101_20240229.csv"'
    assert response.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Ticket", "Opened"]
    assert (
        len(rows) - 1 == 4
    )  # the fixture's 4 complaints of January and February 2024 (tests/metrics/test_overview.py)
