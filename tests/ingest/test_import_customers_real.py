"""A real export with customer e-mails (the synthetic customer-support ticket set): its purchases
import as visits with the e-mails hashed, every row accounted for, and the return rate equals an
independent pandas reading of the raw file. No e-mail reaches the store."""

from __future__ import annotations

import pandas as pd
import pytest

from servicequality import ingest, store
from servicequality.filters import Filters
from servicequality.metrics import customers
from tests.conftest import ROOT, SHARED_DATA, require_or_skip

TICKETS = SHARED_DATA / "support_tickets" / "customer_support_tickets.csv"


@pytest.fixture(scope="module")
def purchases(tmp_path_factory):
    require_or_skip(TICKETS.exists(), f"the real exports are not in {SHARED_DATA}")
    db = tmp_path_factory.mktemp("purchases") / "purchases.duckdb"
    result = ingest.run_import("visits", TICKETS, ROOT / "mappings" / "support_ticket_purchases.toml", db)
    return db, result


def test_every_row_is_stored_or_rejected_and_no_email_is_kept(purchases):
    db, result = purchases
    raw = pd.read_csv(TICKETS)
    # a visit is one customer (e-mail, as the import normalises it) at one product on one day
    key = (
        raw["Customer Email"].str.strip().str.casefold()
        + "|"
        + raw["Product Purchased"]
        + "|"
        + raw["Date of Purchase"]
    )
    assert result.rows_read == len(raw) == 8469
    assert result.rows_stored == key.nunique()
    assert result.rows_rejected == len(raw) - key.nunique()
    data = db.read_bytes()
    assert not [e for e in raw["Customer Email"].head(500) if e.encode() in data]


@pytest.mark.slow
def test_the_return_rate_equals_pandas_on_the_raw_file(purchases):
    db, _ = purchases
    raw = pd.read_csv(TICKETS)
    raw["customer"] = raw["Customer Email"].str.strip().str.casefold()
    raw["day"] = pd.to_datetime(raw["Date of Purchase"])
    days = raw[["customer", "day", "Product Purchased"]].drop_duplicates()
    as_of = days["day"].max()
    first = days.sort_values(["customer", "day", "Product Purchased"]).groupby("customer").head(1)
    later = days.merge(first[["customer", "day"]], on="customer", suffixes=("", "_first"))
    next_day = later[later["day"] > later["day_first"]].groupby("customer")["day"].min()
    first = first.assign(next_day=first["customer"].map(next_day))
    judged = (as_of - first["day"]).dt.days >= 365
    back = judged & ((first["next_day"] - first["day"]).dt.days <= 365)
    start, end = days["day"].min().date(), as_of.date()
    con = store.connect_read_only(db)
    try:
        rows = store.run_query(con, "customer_returns", Filters(start, end, return_days=365).params())
    finally:
        con.close()
    total = customers.returns(rows)
    assert (total.customers, total.rate.n, total.rate.events) == (len(first), int(judged.sum()), int(back.sum()))
    assert total.customers > 8000 and total.rate.n > 4000
