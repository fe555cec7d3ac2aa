"""The importer's parts: formula text, encodings, dates, mappings, the `rejected` command and the
Data page."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from servicequality import ingest
from servicequality.ingest import mapping
from tests.conftest import ROOT

MAPPING = """
target = "tickets"
[columns]
ticket_id = "id"
branch_id = "branch"
channel = "channel"
opened_at = "opened"
status = "status"
satisfaction = "csat"
[constants]
kind = "complaint"
priority = "normal"
segment = "Individual"
[new_branches]
[values.channel]
"Customer Care Call" = "Phone"
"""


@pytest.mark.parametrize(
    ("value", "formula"),
    [
        ("=1+1", True),
        ("@SUM(A1)", True),
        ("+cmd|' /C calc'!A0", True),
        ("-2+3", True),
        ("\t=x", True),
        ("-5", False),
        ("+3.5", False),
        ("1e5", False),
        ("Attitude", False),
        ("", False),
        ("-10%", False),
        ("- late", True),
    ],
)
def test_formula_like_text(value, formula):
    assert ingest.is_formula_like(value) is formula
    assert ingest.safe_cell(value) == ("'" + value if formula else value)


def test_encodings_are_detected_in_order():
    korean = "지점,불친절".encode("cp949")
    assert ingest.decode(korean, "f", None) == ("지점,불친절", "cp949")
    western = "Café Zoë, Müller – ok".encode("cp1252")
    assert ingest.decode(western, "f", None) == ("Café Zoë, Müller – ok", "cp1252")
    assert ingest.decode(b"\xef\xbb\xbfid,x", "f", None) == ("id,x", "utf-8")
    with pytest.raises(ingest.ImportProblem, match="is not utf-8 text"):
        ingest.decode(korean, "f", "utf-8")


def test_date_formats_are_tried_in_order_then_iso():
    formats = ("%d/%m/%Y", "%m/%d/%Y %H:%M")
    assert ingest.parse_timestamp("05/01/2024", formats) == dt.datetime(2024, 1, 5)
    assert ingest.parse_timestamp("01/31/2024 10:30", formats) == dt.datetime(2024, 1, 31, 10, 30)
    assert ingest.parse_timestamp("2024-02-03T04:05:06", formats) == dt.datetime(2024, 2, 3, 4, 5, 6)
    with pytest.raises(ValueError):
        ingest.parse_timestamp("31/31/2024", formats)


@pytest.mark.parametrize("path", sorted((ROOT / "mappings").glob("*.toml")), ids=lambda p: p.name)
def test_shipped_mappings_load(path):
    m = mapping.load(path)
    assert m.target in mapping.TARGETS


def test_a_value_map_and_new_branches(tmp_path):
    (tmp_path / "m.toml").write_text(MAPPING)
    (tmp_path / "t.csv").write_text(
        "id,branch,channel,opened,status,csat\nT1,North,Customer Care Call,2024-01-05,open,5\n"
    )
    db = tmp_path / "s.duckdb"
    result = ingest.run_import("tickets", tmp_path / "t.csv", tmp_path / "m.toml", db)
    assert (result.rows_stored, result.branches_created) == (1, 1)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select channel, branch_id, satisfaction from tickets").fetchone() == ("Phone", "North", 5)
        assert con.execute("select source, run_id from ticket_sources").fetchone() == ("m", 1)
    finally:
        con.close()


def test_the_import_command_loads_no_page_or_statistics_library(tmp_path):
    """A daily import is a process of its own: it need not load scipy, plotly or streamlit (about
    1.4 s of its start on this machine, with a load of 2, before they were left to the commands that
    use them). DuckDB loads pandas itself when it binds a parameter."""
    (tmp_path / "m.toml").write_text(MAPPING)
    (tmp_path / "t.csv").write_text("id,branch,channel,opened,status,csat\nT1,B1,Phone,2024-01-05,open,5\n")
    run = (
        "import sys; from servicequality.__main__ import main; "
        "code = main(sys.argv[1:]); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'plotly', 'streamlit'})); "
        "sys.exit(code)"
    )
    command = [sys.executable, "-c", run, "import", "tickets", str(tmp_path / "t.csv")]
    command += ["--mapping", str(tmp_path / "m.toml"), "--db", str(tmp_path / "s.duckdb"), "--progress", "none"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "stored 1" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_an_import_says_where_its_time_went(tmp_path):
    """Each step's seconds, their sum, and the rows per second of validating and writing (worked out:
    200,000 rows / 2.5 s = 80,000 rows/s; 1 + 0.25 + 2.5 + 4 + 0.5 = 8.25 s, shown as 8.2 or 8.3)."""
    result = ingest.ImportResult("tickets", "t.csv", "m", tmp_path / "s.duckdb", run_id=1, rows_read=200_000)
    result.seconds.update(checking=1.0, copying=0.25, filling=2.5, refreshing=4.0, committing=0.5)
    assert result.took().startswith("took 8.2")
    steps = "(checking the file 1.0, copying the store 0.2, validating and writing 2.5, the rollups 4.0, "
    assert steps in result.took()
    assert result.took().endswith("committing 0.5); 80,000 rows/s validated and written")
    assert result.summary().splitlines()[-1].strip() == result.took()
    # a real import fills them in, the steps in their order
    (tmp_path / "m.toml").write_text(MAPPING)
    (tmp_path / "t.csv").write_text("id,branch,channel,opened,status,csat\nT1,B1,Phone,2024-01-05,open,5\n")
    done = ingest.run_import("tickets", tmp_path / "t.csv", tmp_path / "m.toml", tmp_path / "s.duckdb")
    assert list(done.seconds) == ["checking", "copying", "filling", "refreshing", "committing"]
    assert all(s >= 0 for s in done.seconds.values()) and "rows/s" not in done.took()  # too few rows to say


@pytest.fixture()
def db_with_rejections(tmp_path):
    (tmp_path / "m.toml").write_text(MAPPING)
    (tmp_path / "t.csv").write_text(
        "id,branch,channel,opened,status,csat\nT1,B1,Phone,2024-01-05,open,5\nT2,B1,Phone,2024-01-05,open,=1+9\n"
    )
    db = tmp_path / "s.duckdb"
    result = ingest.run_import("tickets", tmp_path / "t.csv", tmp_path / "m.toml", db)
    assert (result.rows_stored, result.rows_rejected) == (1, 1)
    return db


def test_the_rejected_command_prints_and_exports_with_quotes(db_with_rejections, tmp_path):
    out_csv = tmp_path / "rejected.csv"
    done = subprocess.run(
        [sys.executable, "-m", "servicequality", "rejected", "--db", str(db_with_rejections), "--csv", str(out_csv)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "run 1: tickets from t.csv" in done.stdout and "read 2, stored 1, rejected 1" in done.stdout
    assert "t.csv line 3, column 'csat', value \"'=1+9\": satisfaction must be a number" in done.stdout
    exported = out_csv.read_text()
    assert "'=1+9" in exported and ",=1+9" not in exported


def test_the_data_page_shows_imports_and_rejected_rows(monkeypatch, db_with_rejections):
    monkeypatch.setenv("SQ_DATABASE", str(db_with_rejections))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Data"
    runs, rejected = (d.value for d in at.dataframe)
    assert runs[["rows_read", "rows_stored", "rows_rejected"]].iloc[0].tolist() == [2, 1, 1]
    assert rejected["value"].tolist() == ["'=1+9"]
    assert rejected["line"].tolist() == [3]


def test_the_audit_log_does_not_deny_an_import_made_from_the_command_line(monkeypatch, db_with_rejections):
    """db_with_rejections was imported by ingest.run_import (the CLI's path), which writes no audit
    event: the page used to say "Nobody has ... imported a file yet" above that very import."""
    monkeypatch.setenv("SQ_DATABASE", str(db_with_rejections))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert not any("Nobody has" in c for c in captions), captions
    audit_caption = next(c for c in captions if "audit log records" in c)
    assert "made in this dashboard: none yet" in audit_caption
    assert "Imports from the command line are not in it" in audit_caption
    assert "run 1, tickets from **t.csv**" in " ".join(m.value for m in at.markdown)  # the import it points to


def _open_data_page(monkeypatch, db) -> AppTest:
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _select(at, label):
    return next(s for s in at.selectbox if s.label == label)


def _fill_with_two_imports(con):
    from tests import fixture_db

    fixture_db.fill(con)
    # run 1 tickets with CFPB's mapping, run 2 (the newest) surveys with the hospital's
    con.execute(
        "insert into import_runs values "
        "(1, timestamp '2026-01-01 10:00', timestamp '2026-01-01 10:01', 'tickets', 'c.csv', 'x', "
        "'cfpb_complaints', 'y', 3, 3, 0, 0), "
        "(2, timestamp '2026-01-02 10:00', timestamp '2026-01-02 10:01', 'surveys', 's.xls', 'x', "
        "'il_hospital_survey', 'y', 2, 2, 0, 0)"
    )


def test_the_mapping_box_opens_on_the_stores_own_last_import(monkeypatch, tmp_path):
    # It opened on boston311.toml (the first shipped tickets mapping) whatever the store held.
    from servicequality import store

    db = store.build_atomically(tmp_path / "two_imports.duckdb", _fill_with_two_imports)
    at = _open_data_page(monkeypatch, db)
    assert _select(at, "What the file holds").value == "surveys"  # the newest import's kind
    assert _select(at, "Mapping").value == "il_hospital_survey.toml"
    _select(at, "What the file holds").set_value("tickets").run()
    assert _select(at, "Mapping").value == "cfpb_complaints.toml"  # run 1, the last tickets import
    _select(at, "What the file holds").set_value("branches").run()
    assert _select(at, "Mapping").value is None  # never imported here: nothing chosen for the steward


def test_the_mapping_box_chooses_nothing_without_a_shipped_mapping_to_follow(
    monkeypatch, fixture_db_path, db_with_rejections
):
    at = _open_data_page(monkeypatch, fixture_db_path)  # no imports at all
    assert _select(at, "What the file holds").value == "tickets"
    mapping = _select(at, "Mapping")
    assert mapping.value is None and mapping.proto.placeholder == "Choose the mapping of the export's source"
    assert "boston311.toml" in mapping.options  # still offered, just not chosen
    at = _open_data_page(monkeypatch, db_with_rejections)  # imported with its own m.toml, not a shipped one
    assert _select(at, "Mapping").value is None


def test_the_store_chart_says_what_survey_item_missing_holds(monkeypatch, db_with_rejections):
    import json

    at = _open_data_page(monkeypatch, db_with_rejections)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    labels = spec["data"][0]["y"]
    assert "Survey answers not rated (n/a, don't know, blank)" in labels  # was "Survey item missing"
    # on the axis in two lines, so that a phone's bars are not squeezed by it
    ticks = dict(zip(spec["layout"]["yaxis"]["tickvals"], spec["layout"]["yaxis"]["ticktext"]))
    assert (
        ticks["Survey answers not rated (n/a, don't know, blank)"]
        == "Survey answers not rated<br>(n/a, don't know, blank)"
    )
    assert "Survey item missing" not in labels and "Survey scores" in labels
    assert "Complaint categories (reference list)" in labels  # seeded in every store, not the data's
    # each row has room for that label's two lines: 320 px for 11 tables (20 px a row) let it touch
    # its neighbours; the plot area (height less the 50 + 40 px margins) gives each table 30 px
    layout = spec["layout"]
    assert (layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]) / len(labels) >= 30


def test_the_data_page_on_a_store_without_imports(monkeypatch, fixture_db_path):
    monkeypatch.setenv("SQ_DATABASE", str(fixture_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert any("No imports into this database yet" in i.value for i in at.info)


def test_fields_an_export_does_not_have_are_not_recorded_not_zero(tmp_path):
    # Issue 14, item 10: the mapping has no reopened or escalated column, so those stay null (not
    # 0 / false), handling_quality counts 0 complaints with them recorded, and a new store gets no
    # service targets; --default-targets (run_import(default_targets=True)) adds the demo's.
    from servicequality import store

    (tmp_path / "m.toml").write_text(MAPPING)
    (tmp_path / "t.csv").write_text(
        "id,branch,channel,opened,status,csat\nT1,North,Phone,2024-01-05,open,5\nT2,North,Phone,2024-01-06,open,3\n"
    )
    db = tmp_path / "s.duckdb"
    ingest.run_import("tickets", tmp_path / "t.csv", tmp_path / "m.toml", db)
    con = store.connect_read_only(db)
    try:
        assert con.execute("select reopened_count, escalated from tickets").fetchall() == [(None, None)] * 2
        assert con.execute("select count(*) from service_targets").fetchall() == [(0,)]
        params = {
            "start": dt.date(2024, 1, 1),
            "end": dt.date(2024, 1, 31),
            **dict.fromkeys(
                ("regions", "branches", "channels", "segments", "branch_types", "categories", "components")
            ),
        }
        for plain in (False, True):
            row = store.run_query(con, "handling_quality", params, plain=plain).iloc[0]
            assert (row["complaints"], row["reopened_n"], row["escalated_n"]) == (2, 0, 0)
    finally:
        con.close()
    (tmp_path / "t2.csv").write_text("id,branch,channel,opened,status,csat\nT3,North,Phone,2024-01-07,open,4\n")
    ingest.run_import("tickets", tmp_path / "t2.csv", tmp_path / "m.toml", db, default_targets=True)
    con = store.connect_read_only(db)
    try:
        (n,) = con.execute("select count(*) from service_targets").fetchone()
        assert n > 0
    finally:
        con.close()
