"""Customer ids at import: only a keyed hash reaches the store (never the id, not even among the
rejected rows), the key lives outside the store, one customer written two ways is one key, visits
have their own target with duplicates rejected, and no page, table or chart shows an id."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import stat

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from servicequality import ingest, store
from servicequality.ingest.customers import KEY_ENV, key_file
from servicequality.ui.navigation import PAGES
from tests.conftest import ROOT

EMAILS = ("ann@example.com", "bob@example.com", "carol@example.com", "dan@example.com")

VISITS = """Card,Store,Date,Amount,Channel
ann@example.com,B1,2024-01-02,12.50,Counter
Ann@Example.com ,B1,2024-01-20,8,Counter
bob@example.com,B2,2024-01-05,,Counter
bob@example.com,B2,2024-13-45,3,Counter
carol@example.com,B9,2024-02-01,4,Counter
dan@example.com,B2,2024-01-06,-5,Counter
bob@example.com,B2,2024-01-05,7,Counter
"""
VISITS_MAPPING = """name = "till_visits"
target = "visits"
[columns]
customer = "Card"
branch_id = "Store"
visited_on = "Date"
value = "Amount"
channel = "Channel"
[values.channel]
"Counter" = "Face to face"
[dates]
formats = ["%Y-%m-%d"]
"""
TICKETS = """Id,Store,Opened,Closed,Status,Kind,Who
K1,B1,2024-01-02 10:00,2024-01-02 12:00,resolved,complaint,ann@example.com
K2,B2,2024-01-05 10:00,,open,complaint,bob@example.com
K3,B2,2024-01-07 10:00,2024-01-07 11:00,resolved,compliment,
K4,B2,2024-01-08 10:00,2024-01-01 11:00,resolved,complaint,dan@example.com
"""
TICKETS_MAPPING = """name = "desk"
target = "tickets"
[columns]
ticket_id = "Id"
branch_id = "Store"
opened_at = "Opened"
resolved_at = "Closed"
status = "Status"
kind = "Kind"
customer = "Who"
[constants]
channel = "Phone"
priority = "normal"
segment = "Individual"
[dates]
formats = ["%Y-%m-%d %H:%M"]
"""


def _branches(con) -> None:
    store.seed_default_targets(con)
    con.execute(
        "insert into branches values ('B1', 'Alpha', 'North', 'Town', 'Standard', 'Small', null), "
        "('B2', 'Beta', 'North', 'Town', 'Standard', 'Small', null)"
    )


@pytest.fixture()
def imported(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    db = store.build_atomically(tmp_path / "s.duckdb", _branches)
    for name, text in (("v.csv", VISITS), ("v.toml", VISITS_MAPPING), ("t.csv", TICKETS), ("t.toml", TICKETS_MAPPING)):
        (tmp_path / name).write_text(text)
    visits = ingest.run_import("visits", tmp_path / "v.csv", tmp_path / "v.toml", db)
    tickets = ingest.run_import("tickets", tmp_path / "t.csv", tmp_path / "t.toml", db)
    return db, visits, tickets


def expected_key(db, customer: str) -> str:
    # HMAC-SHA256 of the trimmed, lower-cased id under the key file's bytes, 20 hex digits
    return hmac.new(key_file(db).read_bytes(), customer.encode(), hashlib.sha256).hexdigest()[:20]


def test_only_keyed_hashes_are_stored(imported):
    db, visits, tickets = imported
    # 7 rows: ann twice (one customer written two ways), bob; 2024-13-45 not a date; B9 unknown; a
    # negative amount; bob's 01-05 visit again (a duplicate of line 4's visit)
    assert (visits.rows_read, visits.rows_stored, visits.rows_rejected) == (7, 3, 4)
    # K4 closed before it opened: rejected; the other three stored, two with a customer
    assert (tickets.rows_read, tickets.rows_stored, tickets.rows_rejected) == (4, 3, 1)
    con = duckdb.connect(str(db), read_only=True)
    try:
        keys = [k for (k,) in con.execute("select customer_key from visits order by visited_on").fetchall()]
        links = dict(con.execute("select ticket_id, customer_key from ticket_customers").fetchall())
        reasons = [r for (r,) in con.execute("select reason from rejected_rows order by run_id, line").fetchall()]
        values = [v for (v,) in con.execute("select value from rejected_rows").fetchall()]
        rows = [json.loads(r) for (r,) in con.execute("select row_json from rejected_rows").fetchall()]
    finally:
        con.close()
    ann, bob = expected_key(db, "ann@example.com"), expected_key(db, "bob@example.com")
    assert keys == [ann, bob, ann]
    assert links == {"K1": ann, "K2": bob}
    assert any("duplicate id '(customer), B2, 2024-01-05, Face to face'" in r for r in reasons), reasons
    # neither the id nor its key is written into a rejection's reason or value
    assert not [t for t in reasons + values if t and (ann in t or bob in t or "@" in t)]
    assert {row.get("Card", row.get("Who")) for row in rows} == {"(customer id withheld)"}
    # the key is beside the store, readable by its owner only, and no id is anywhere in the file
    assert stat.S_IMODE(os.stat(key_file(db)).st_mode) == 0o600
    data = db.read_bytes()
    for email in EMAILS:
        assert email.encode() not in data and email.encode("utf-16-le") not in data


def test_a_visit_without_a_channel_is_stored_once(imported, tmp_path):
    """A blank part of a key equals a blank one: the same visit without a channel, in a second file,
    is a duplicate (compared with "=", two blanks never match, and it was stored twice)."""
    db, _, _ = imported
    header = "Card,Store,Date,Amount,Channel\n"
    (tmp_path / "n1.csv").write_text(header + "ann@example.com,B2,2024-04-01,1,\n")
    (tmp_path / "n2.csv").write_text(header + "ann@example.com,B2,2024-04-01,2,\nbob@example.com,B2,2024-04-01,3,\n")
    first = ingest.run_import("visits", tmp_path / "n1.csv", tmp_path / "v.toml", db)
    second = ingest.run_import("visits", tmp_path / "n2.csv", tmp_path / "v.toml", db)
    assert (first.rows_stored, second.rows_stored, second.rows_rejected) == (1, 1, 1), second.summary()
    assert second.rejected[0].line == 2 and "already in the store" in second.rejected[0].reason
    assert "ann" not in second.rejected[0].reason and "ann" not in (second.rejected[0].value or "")


def test_the_same_key_links_later_imports_and_another_key_is_refused(imported, tmp_path, monkeypatch):
    db, _, _ = imported
    (tmp_path / "v2.csv").write_text("Card,Store,Date,Amount,Channel\nANN@example.com,B2,2024-03-01,1,Counter\n")
    ingest.run_import("visits", tmp_path / "v2.csv", tmp_path / "v.toml", db)
    # Another key would make ann a second customer (HMAC under it: a different key): the store
    # recorded its key's fingerprint, and refuses.
    monkeypatch.setenv(KEY_ENV, "another key, long enough")
    (tmp_path / "v3.csv").write_text("Card,Store,Date,Amount,Channel\nann@example.com,B2,2024-03-02,1,Counter\n")
    with pytest.raises(ingest.ImportProblem, match="made with another key"):
        ingest.run_import("visits", tmp_path / "v3.csv", tmp_path / "v.toml", db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        days = dict(con.execute("select visited_on::varchar, customer_key from visits").fetchall())
        (recorded,) = con.execute("select fingerprint from store_keys").fetchone()
    finally:
        con.close()
    assert days["2024-03-01"] == days["2024-01-02"] == expected_key(db, "ann@example.com")
    assert "2024-03-02" not in days
    # the fingerprint: HMAC of a fixed text under the key file's bytes, never the key itself
    key = key_file(db).read_bytes()
    assert recorded == hmac.new(key, b"service-quality store key fingerprint", hashlib.sha256).hexdigest()[:16]
    assert key not in db.read_bytes()


@pytest.mark.slow  # every page under AppTest
def test_no_page_shows_a_customer_id_or_key(imported, monkeypatch):
    db, _, _ = imported
    con = duckdb.connect(str(db), read_only=True)
    try:
        keys = {
            k
            for (k,) in con.execute(
                "select customer_key from visits union select customer_key from ticket_customers"
            ).fetchall()
        }
    finally:
        con.close()
    secrets_ = set(EMAILS) | keys
    monkeypatch.setenv("SQ_DATABASE", str(db))
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["period"] = ["2024-01-01", "2024-12-31"]
        at.run()
        at.switch_page(page.path).run()
        assert not at.exception, (page.path, [e.value for e in at.exception])
        shown = [
            e.value
            for kind in ("markdown", "caption", "info", "warning", "error", "title", "subheader")
            for e in getattr(at, kind)
        ]
        shown += [df.value.to_csv() for df in at.dataframe]
        shown += [c.proto.spec for c in at.get("plotly_chart")]
        shown += [str(m.value) + str(m.label) for m in at.metric]
        shown += [c.value for c in at.sidebar.code]  # the link to this view
        text = "\n".join(shown).casefold()
        assert not [s for s in secrets_ if s.casefold() in text], page.path


def test_no_query_returns_a_customer_key(imported):
    # Every named query, on the whole period, with the defaults the pages use: no column is a
    # customer key and no cell holds one (so no page, table, CSV or chart can show one).
    from servicequality.filters import Filters
    from tests.conftest import query_extras

    db, _, _ = imported
    con = store.connect_read_only(db)
    try:
        keys = {k for (k,) in con.execute("select customer_key from visits").fetchall()}
        params = {**query_extras(), **Filters(dt.date(2024, 1, 1), dt.date(2024, 12, 31)).params()}
        for name in store.query_names():
            rows = store.run_query(con, name, params)
            assert not [c for c in rows.columns if "customer_key" in c], name
            text = rows.astype(str).to_csv()
            assert not [k for k in keys if k in text], name
    finally:
        con.close()


def test_the_key_file_is_made_once_whole_and_a_short_key_is_refused(tmp_path, monkeypatch):
    from servicequality.ingest.customers import CustomerKeyError, load_key

    monkeypatch.delenv(KEY_ENV, raising=False)
    db = tmp_path / "s.duckdb"
    first = load_key(db)
    assert len(first) == 32 and load_key(db) == first
    assert [p.name for p in tmp_path.iterdir()] == ["s.duckdb.customer-key"]  # no temporary file left
    key_file(db).write_bytes(b"short")
    with pytest.raises(CustomerKeyError, match="shorter than 16 bytes"):
        load_key(db)
    monkeypatch.setenv(KEY_ENV, "too short")
    with pytest.raises(CustomerKeyError, match="at least 16 bytes"):
        load_key(db)


def test_no_rejection_reason_or_row_gives_away_a_customer_id(tmp_path, monkeypatch):
    # The reviewer's leaks, each now withheld: a look-alike id (the reason said what it "reads as"), a
    # ragged row (the id moved under another column of the row's JSON), a line in another encoding
    # (the reason quoted it), and a {hash} id (a plain SHA-256 of cells shown beside it let anyone
    # test card numbers: now keyed).
    monkeypatch.delenv(KEY_ENV, raising=False)
    db = store.build_atomically(tmp_path / "s.duckdb", _branches)
    lines = [
        "Id,Store,Opened,Closed,Status,Kind,Who",
        "L1,B1,2024-01-02 10:00,,open,complaint,\uff45ve@example.com",  # a fullwidth e
        "L2,B1,2024-01-02 10:00,,open,complaint,fay@example.com,extra",  # one field too many
        "L3,B1,2024-01-02 10:00,,open,complaint,gus@example.com",
    ]
    data = ("\n".join(lines) + "\n").encode() + "L4,B1,2024-01-02 10:00,,open,complaint,jos\u00e9@example.com\n".encode(
        "cp1252"
    )
    (tmp_path / "t.csv").write_bytes(data)
    (tmp_path / "t.toml").write_text(TICKETS_MAPPING)
    result = ingest.run_import("tickets", tmp_path / "t.csv", tmp_path / "t.toml", db)
    assert (result.rows_stored, result.rows_rejected) == (1, 3)
    con = duckdb.connect(str(db), read_only=True)
    try:
        rejected = con.execute("select reason, coalesce(value, ''), row_json from rejected_rows").fetchall()
    finally:
        con.close()
    text = json.dumps(rejected, ensure_ascii=False)
    for name in ("eve", "ｅve", "fay", "jos"):
        assert name not in text, (name, text)
    assert "customer holds compatibility characters" in text
    # {hash} ids: keyed with the store's key, so not the plain SHA-256 of the row
    survey = tmp_path / "s.csv"
    survey.write_text("Store,Date,Card,E1,P1\nB1,2024-01-02,40712345,5,6\n")
    (tmp_path / "s.toml").write_text(
        'target = "surveys"\n[columns]\nbranch_id = "Store"\nsubmitted_at = "Date"\ncustomer = "Card"\n'
        '[constants]\nchannel = "Web"\nsegment = "Individual"\n[survey]\nexpectation = \'^E(?P<item>\\d+)$\'\n'
        'perception = \'^P(?P<item>\\d+)$\'\n[survey.items]\n"1" = "reliability"\n[id]\nfield = "response_id"\n'
        'template = "r-{hash}"\n'
    )
    ingest.run_import("surveys", survey, tmp_path / "s.toml", db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        (response_id,) = con.execute("select response_id from survey_responses").fetchone()
    finally:
        con.close()
    cells = "\x1f".join(["B1", "2024-01-02", "40712345", "5", "6"])
    assert response_id != "r-" + hashlib.sha256(cells.encode()).hexdigest()[:16]
    assert response_id == "r-" + hmac.new(key_file(db).read_bytes(), cells.encode(), hashlib.sha256).hexdigest()[:16]


def test_a_default_customer_is_hashed_like_one_read_from_the_file(tmp_path, monkeypatch):
    # A mapping whose only customer is [defaults] customer crashed the import: the key was loaded only
    # for a customer column or constant. With the "Who" column unmapped, every row gets the default:
    # K1, K2, K3 stored under the keyed hash of walk-in@example.com (K4's close before its opening
    # rejects it); with the column mapped, the default fills only K3's blank cell.
    monkeypatch.delenv(KEY_ENV, raising=False)
    db = store.build_atomically(tmp_path / "s.duckdb", _branches)
    (tmp_path / "t.csv").write_text(TICKETS)
    default = '[defaults]\ncustomer = "walk-in@example.com"\n'
    (tmp_path / "t.toml").write_text(TICKETS_MAPPING.replace('customer = "Who"\n', "") + default)
    done = ingest.run_import("tickets", tmp_path / "t.csv", tmp_path / "t.toml", db)
    assert (done.rows_stored, done.rows_rejected) == (3, 1)
    walk_in = expected_key(db, "walk-in@example.com")
    assert _ticket_customers(db) == {"K1": walk_in, "K2": walk_in, "K3": walk_in}
    (tmp_path / "t.csv").write_text(TICKETS.replace("\nK", "\nM"))
    (tmp_path / "t.toml").write_text(TICKETS_MAPPING + default)
    ingest.run_import("tickets", tmp_path / "t.csv", tmp_path / "t.toml", db)
    stored = _ticket_customers(db)
    assert stored["M1"] == expected_key(db, "ann@example.com") and stored["M3"] == walk_in
    assert "walk-in@example.com" not in str(stored)


def _ticket_customers(db) -> dict[str, str]:
    con = store.connect_read_only(db)
    try:
        return dict(con.execute("select ticket_id, customer_key from ticket_customers").fetchall())
    finally:
        con.close()
