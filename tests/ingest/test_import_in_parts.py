"""The same rows imported whole or in 10 parts give the same numbers on every page (issue 15).

Three real exports (CFPB complaints as tickets, Skytrax lounge reviews as surveys, the support-ticket
purchases as visits) go into one store whole, and into another split into 10 files each, imported
one after the other. Every named query, which is everything the pages show, then returns the same
rows from both stores, over the whole history and over a cut period with one channel. (The
import's own bookkeeping, its runs and rejected rows, is read by no named query: it differs by design.)
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import pandas as pd
import pytest

from servicequality import ingest, store
from servicequality.filters import Filters
from tests.conftest import ROOT, SHARED_DATA, require_or_skip
from tests.store.test_spark import differences, query_extras

pytestmark = pytest.mark.slow

EXPORTS = [
    ("tickets", SHARED_DATA / "cfpb_complaints" / "complaints_sample.csv", "cfpb_complaints.toml", 2),
    ("surveys", SHARED_DATA / "skytrax_lounges" / "lounge.csv", "skytrax_lounges.toml", 0),
    ("visits", SHARED_DATA / "support_tickets" / "customer_support_tickets.csv", "support_ticket_purchases.toml", 0),
]
PARTS = 10


def split(path, skip: int, parts: int, folder) -> list:
    """The export as `parts` files: each keeps the lines before the header, the header, and a
    tenth of the rows (cut on rows, not lines: a quoted cell may span lines)."""
    text = path.read_bytes().decode("utf-8")  # not read_text: that would turn a cell's \r\n into \n
    lines = text.splitlines(keepends=True)
    junk, body = "".join(lines[:skip]), "".join(lines[skip:])
    rows = list(csv.reader(io.StringIO(body, newline="")))
    header, rows = rows[0], rows[1:]
    size = -(-len(rows) // parts)
    files = []
    for i in range(parts):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows[i * size : (i + 1) * size])
        files.append(folder / f"{path.stem}.part{i + 1:02d}{path.suffix}")
        files[-1].write_bytes((junk + buffer.getvalue()).encode("utf-8"))
    return files


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    for _, path, _, _ in EXPORTS:
        require_or_skip(path.exists(), f"the real export {path} is missing")
    folder = tmp_path_factory.mktemp("parts")
    whole, parted = folder / "whole.duckdb", folder / "parts.duckdb"
    stored = {"whole": 0, "parts": 0}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SQ_CUSTOMER_KEY", "the same key for both stores, 32+ bytes long")
        for target, path, mapping, skip in EXPORTS:
            result = ingest.run_import(target, path, ROOT / "mappings" / mapping, whole)
            stored["whole"] += result.rows_stored
            for part in split(path, skip, PARTS, folder):
                result = ingest.run_import(target, part, ROOT / "mappings" / mapping, parted)
                assert result.rows_read == result.rows_stored + result.rows_rejected
                stored["parts"] += result.rows_stored
    assert stored["whole"] == stored["parts"] > 15_000  # 6,623 complaints, 2,264 reviews, 8,469 visits
    return whole, parted


def parameter_sets(con) -> list[tuple[str, dict]]:
    first, last = (pd.Timestamp(d).date() for d in store.run_query(con, "date_bounds", {}).iloc[0])
    whole = Filters(first, last)
    third = (last - first) / 3
    cut = dataclasses.replace(Filters(first + third, last - third + dt.timedelta(days=17)), channels=("Web",))
    return [(label, {**query_extras(), **f.params()}) for label, f in (("whole history", whole), ("cut", cut))]


def test_every_query_gives_the_same_rows_from_one_import_and_from_ten(stores):
    whole, parted = stores
    one, ten = store.connect_read_only(whole), store.connect_read_only(parted)
    failures, compared, nonempty = [], 0, 0
    try:
        for label, params in parameter_sets(one):
            for name in store.query_names():
                a, b = store.run_query(one, name, params), store.run_query(ten, name, params)
                why = differences(a, b)
                if why:
                    failures.append(f"{name} [{label}]: {why}")
                compared += 1
                nonempty += not a.empty
    finally:
        one.close()
        ten.close()
    assert failures == [], "\n".join(failures)
    assert compared == 2 * len(store.query_names()) and nonempty >= 70, (compared, nonempty)
