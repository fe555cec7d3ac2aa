"""Issue 15's data-loss cases, reproduced: two imports at once, an unclosed quote in a long file, a
killed import's leftovers, bombs (regex, id template, workbook) and the limits. In each, every line
of the file is accounted for (rows read = stored + rejected) or the import is refused in one line
with the store unchanged."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from servicequality import ingest, store
from servicequality.ingest import upload
from tests.conftest import ROOT
from tests.ingest.test_import_corpus import xlsx
from tests.ingest.test_import_safety import MAPPING, counts, write_tickets


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "servicequality", "import", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start(db: Path, file: Path, mapping: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "servicequality", "import", "tickets", str(file), "--mapping", str(mapping)]
        + ["--db", str(db), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def mapping(tmp_path) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING)
    return path


# --- an unclosed quote ---------------------------------------------------------------------------


def test_an_unclosed_quote_in_a_40000_row_file_loses_no_row(tmp_path, mapping):
    # Before: "rows read 10, stored 9, rejected 1": the quote on line 11 swallowed 39,990 lines.
    file = tmp_path / "quote.csv"
    rows = [f"Q{i},B{i % 7},Phone,2024-03-{1 + i % 28:02d} 10:00,open" for i in range(40_000)]
    rows[9] = 'Q9,B2,"Phone,2024-03-10 10:00,open'  # data row 10, on line 11: the quote never closes
    file.write_text("id,branch,channel,opened,status\n" + "\n".join(rows) + "\n")
    result = ingest.run_import("tickets", file, mapping, tmp_path / "s.duckdb")
    assert (result.rows_read, result.rows_stored, result.rows_rejected) == (40_000, 39_999, 1)
    (rejection,) = result.rejected
    assert rejection.line == 11
    assert "a quote opened on line 11 runs to line 40,001 (39,991 lines)" in rejection.reason
    assert counts(tmp_path / "s.duckdb")["tickets"] == 39_999


def test_a_quote_closed_by_a_stray_one_far_below_costs_two_lines(tmp_path, mapping):
    # Line 11 opens a quote that a stray quote on line 5,001 "closes": both lines are rejected, the
    # 4,989 lines between and the 4,999 after are read as the rows they are.
    file = tmp_path / "stray.csv"
    rows = [f"S{i},B1,Phone,2024-03-01 10:00,open" for i in range(10_000)]
    rows[9] = 'S9,B1,"Phone,2024-03-01 10:00,open'
    rows[4999] = 'S4999,B1,Phone",2024-03-01 10:00,open'
    file.write_text("id,branch,channel,opened,status\n" + "\n".join(rows) + "\n")
    result = ingest.run_import("tickets", file, mapping, tmp_path / "s.duckdb")
    assert (result.rows_read, result.rows_stored, result.rows_rejected) == (10_000, 9_998, 2)
    assert sorted(r.line for r in result.rejected) == [11, 5_001]


# --- two imports at once -------------------------------------------------------------------------


@pytest.mark.slow
def test_two_imports_started_together_are_both_stored_once_or_one_is_refused(tmp_path, mapping):
    # Before: both printed "stored 100" and one file's rows were gone in 5 of 6 trials.
    files = []
    for name in "AB":
        files.append(tmp_path / f"{name}.csv")
        write_tickets(files[-1], 60_000, name)
    for trial in range(3):
        db = tmp_path / f"trial{trial}.duckdb"
        procs = [start(db, f, mapping) for f in files]
        outcomes = [(p.wait(300), *p.communicate()) for p in procs]
        stored = 0
        for code, out, err in outcomes:
            if code == 0:
                assert "stored 60,000" in out
                stored += 60_000
            else:
                assert code == 2, err
                assert err.startswith("import: error: another process is writing"), err
                assert "nothing was changed" in err and len(err.strip().splitlines()) == 1
        assert stored >= 60_000
        assert counts(db)["tickets"] == stored  # what each said it stored is there, exactly once


@pytest.mark.slow
def test_with_wait_the_second_import_queues_and_both_are_stored(tmp_path, mapping):
    files = []
    for name in "CD":
        files.append(tmp_path / f"{name}.csv")
        write_tickets(files[-1], 60_000, name)
    db = tmp_path / "queued.duckdb"
    procs = [start(db, f, mapping, "--wait", "300") for f in files]
    outcomes = [(p.wait(600), *p.communicate()) for p in procs]
    assert [code for code, _, _ in outcomes] == [0, 0], outcomes
    assert counts(db)["tickets"] == 120_000
    con = store.connect_read_only(db)
    try:
        runs = con.execute("select file_name, rows_stored from import_runs order by run_id").fetchall()
    finally:
        con.close()
    assert sorted(runs) == [("C.csv", 60_000), ("D.csv", 60_000)]


@pytest.mark.slow  # a second process
def test_a_second_writer_is_refused_while_the_lock_is_held_and_then_goes_through(tmp_path, mapping):
    db = tmp_path / "s.duckdb"
    file = tmp_path / "t.csv"
    write_tickets(file, 50, "L")
    # A killed holder's record, longer than the next one's: its tail must not reach the message.
    (tmp_path / ".s.duckdb.lock").write_text("1\t2026-01-01 00:00:00\tan import of a_much_longer_file_name.csv\n")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from servicequality import store\n"
            "with store.writer_lock(sys.argv[1], what='a test holding the lock'):\n"
            "    print('held', flush=True); time.sleep(60)",
            str(db),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        done = cli("tickets", str(file), "--mapping", str(mapping), "--db", str(db))
        assert done.returncode == 2
        assert "another process is writing s.duckdb (a test holding the lock, process" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "longer" not in done.stderr
        assert done.stderr.strip().endswith("try again when it ends; --wait SECONDS queues behind it")
        assert not db.exists()  # nothing was written
    finally:
        holder.kill()
        holder.wait()
    # The kernel released the killed holder's lock: the import goes through at once.
    done = cli("tickets", str(file), "--mapping", str(mapping), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert counts(db)["tickets"] == 50
    assert not (tmp_path / ".s.duckdb.lock").exists()  # the killed holder's file, removed by the next writer


def test_a_symlinked_store_is_written_through_the_link(tmp_path, mapping):
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    db, link = tmp_path / "real" / "store.duckdb", tmp_path / "links" / "store.duckdb"
    write_tickets(tmp_path / "a.csv", 10, "A")
    write_tickets(tmp_path / "b.csv", 5, "B")
    ingest.run_import("tickets", tmp_path / "a.csv", mapping, db)
    link.symlink_to(db)
    ingest.run_import("tickets", tmp_path / "b.csv", mapping, link)
    assert link.is_symlink() and counts(db)["tickets"] == 15


# --- leftovers --------------------------------------------------------------------------------------


def test_a_killed_writers_temporary_files_are_removed_by_the_next_import(tmp_path, mapping):
    db = tmp_path / "s.duckdb"
    file = tmp_path / "t.csv"
    write_tickets(file, 100, "K")
    ingest.run_import("tickets", file, mapping, db)
    # What a kill -9 during a build leaves: the half-written copy and its write-ahead log.
    left = [tmp_path / ".s.duckdb.k2j4x9_q.building", tmp_path / ".s.duckdb.k2j4x9_q.building.wal"]
    for path in left:
        path.write_bytes(b"\0" * 3_000_000)
    # and an old store a finished writer left to be freed apart, whose remover was killed: removed,
    # but no sign of a killed writer (not in the count below)
    left.append(tmp_path / ".s.duckdb.r8m2x0_a.retired")
    left[-1].write_bytes(b"\0" * 2_000_000)
    # not ours to remove: another store's (t.duckdb, and s.duckdb.copy), and a folder
    others = [tmp_path / ".t.duckdb.abcd1234.building", tmp_path / ".s.duckdb.copy.live1234.building"]
    for path in others:
        path.write_bytes(b"x")
    (tmp_path / ".s.duckdb.parquet.k3j.building").mkdir()
    # and the folder DuckDB spilled to while writing that copy
    spill = tmp_path / ".s.duckdb.k2j4x9_q.building.spill"
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_bytes(b"\0" * 1_000_000)
    left.append(spill)
    write_tickets(tmp_path / "u.csv", 100, "M")
    result = ingest.run_import("tickets", tmp_path / "u.csv", mapping, db)
    assert not any(p.exists() for p in left)
    assert all(p.exists() for p in others) and (tmp_path / ".s.duckdb.parquet.k3j.building").is_dir()
    assert "removed 3 temporary file(s) (7 MB) left by an earlier import or rebuild" in result.summary()
    assert counts(db)["tickets"] == 200


KILLED_AFTER_A_COMMIT = """
import os, sys
from servicequality import store
con = store.connect_read_write(sys.argv[1])
con.execute("insert into branches values ('BW', 'W', 'North', 'Town', 'Standard', 'Small', null)")
os._exit(0)  # no checkpoint: the committed row is only in the write-ahead log
"""


def test_a_write_ahead_log_beside_the_store_is_kept_and_does_not_break_it(tmp_path, mapping):
    """A writer killed after a commit leaves store.wal: the import keeps what it holds (the copy
    replays it) and no stale log stays beside the new file (DuckDB would refuse to open it)."""
    db = tmp_path / "s.duckdb"
    write_tickets(tmp_path / "a.csv", 10, "A")
    ingest.run_import("tickets", tmp_path / "a.csv", mapping, db)
    subprocess.run([sys.executable, "-c", KILLED_AFTER_A_COMMIT, str(db)], cwd=ROOT, check=True)
    wal = tmp_path / "s.duckdb.wal"
    assert wal.exists()
    write_tickets(tmp_path / "b.csv", 10, "B")
    ingest.run_import("tickets", tmp_path / "b.csv", mapping, db)
    assert not wal.exists()
    assert counts(db)["tickets"] == 20
    con = store.connect_read_only(db)
    try:
        assert con.execute("select name from branches where branch_id = 'BW'").fetchall() == [("W",)]
    finally:
        con.close()


# --- bombs and limits -------------------------------------------------------------------------------


def test_a_catastrophic_regex_rule_runs_in_linear_time(tmp_path):
    # (a+)+$ against 40 a's and a b: Python's re tries about 2^40 ways (issue 15: 90 s, then killed).
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        MAPPING.replace("[constants]", 'category = "cat"\n[constants]')
        + '[[category.rules]]\nmatch = "(a+)+$"\nfamily = "service"\ncomponent = "courtesy"\n'
    )
    file = tmp_path / "t.csv"
    file.write_text("id,branch,channel,opened,status,cat\n" + f"R1,B1,Phone,2024-01-01 09:00,open,{'a' * 40}b\n")
    file.write_text(file.read_text() + "R2,B1,Phone,2024-01-01 09:00,open,aaaa\n")
    done = cli("tickets", str(file), "--mapping", str(mapping), "--db", str(tmp_path / "s.duckdb"), timeout=120)
    assert done.returncode == 0, done.stderr
    assert "rows read 2, stored 1, rejected 1" in done.stdout  # R1 matches no rule, R2 does


def sheet_xlsx(n_rows: int) -> bytes:
    """A workbook whose one sheet has a header and n_rows small rows (numbers: no strings table)."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, n_rows + 2))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
        + rows
        + "</sheetData></worksheet>"
    )
    z = zipfile.ZipFile(io.BytesIO(xlsx([["id"]])))
    files = {n: z.read(n) for n in z.namelist()}
    files["xl/worksheets/sheet1.xml"] = sheet.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in files.items():
            out.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def id_mapping(tmp_path) -> Path:
    """A mapping that reads only the id (the rest constants): enough to reach the workbook's rows."""
    path = tmp_path / "ids.toml"
    path.write_text(
        'target = "tickets"\n[columns]\nticket_id = "id"\n[constants]\nbranch_id = "B1"\nchannel = "Phone"\n'
        'kind = "complaint"\npriority = "normal"\nsegment = "Individual"\nstatus = "open"\n'
        'opened_at = "2024-01-01 09:00"\n[new_branches]\nbranch_type = "Standard"\nsize_band = "Medium"\n'
    )
    return path


@pytest.mark.slow
def test_a_workbook_with_more_rows_than_excel_allows_is_refused(tmp_path, id_mapping):
    file = tmp_path / "bomb.xlsx"
    file.write_bytes(sheet_xlsx(1_048_576))  # a header and 1,048,576 rows: one more than Excel holds
    assert file.stat().st_size < 10_000_000  # a few MB on disk
    db = tmp_path / "s.duckdb"
    with pytest.raises(ingest.ImportProblem, match=r"the sheet has 1,048,577 rows, more than Excel's own 1,048,576"):
        ingest.run_import("tickets", file, id_mapping, db)
    assert not db.exists()


@pytest.mark.parametrize(
    ("setting", "value", "content", "message"),
    [
        (
            "SQ_IMPORT_MAX_SHEET_CELLS",
            "50",
            lambda: sheet_xlsx(60),
            "the sheet has 61 rows x 1 columns: over the limit",
        ),
        (
            "SQ_IMPORT_MAX_SHEET_XML_MB",
            "1",
            lambda: sheet_xlsx(40_000),
            "its sheets unzip to 2 MB: over the limit of 1",
        ),
    ],
)
def test_workbook_limits(setting, value, content, message, tmp_path, id_mapping, monkeypatch):
    monkeypatch.setenv(setting, value)
    file = tmp_path / "book.xlsx"
    file.write_bytes(content())
    with pytest.raises(ingest.ImportProblem, match=message) as excinfo:
        ingest.run_import("tickets", file, id_mapping, tmp_path / "s.duckdb")
    assert f"(set {setting} to raise it)" in str(excinfo.value)


def test_the_file_size_limit(tmp_path, mapping, monkeypatch):
    monkeypatch.setenv("SQ_IMPORT_MAX_FILE_MB", "1")
    file = tmp_path / "big.csv"
    write_tickets(file, 40_000, "F")  # about 1.9 MB
    with pytest.raises(
        ingest.ImportProblem,
        match=r"big.csv is 2 MB: over the limit of 1 MB for an export file \(set SQ_IMPORT_MAX_FILE_MB",
    ):
        ingest.run_import("tickets", file, mapping, tmp_path / "s.duckdb")


def test_the_memory_limit_stops_the_import_with_its_setting(tmp_path, mapping, monkeypatch):
    db = tmp_path / "s.duckdb"
    write_tickets(tmp_path / "a.csv", 100, "A")
    ingest.run_import("tickets", tmp_path / "a.csv", mapping, db)
    before, inode = counts(db), db.stat().st_ino
    monkeypatch.setenv("SQ_IMPORT_MEMORY_MB", "1")  # DuckDB then cannot even hold the schema
    write_tickets(tmp_path / "b.csv", 5_000, "B")
    with pytest.raises(ingest.ImportProblem, match=r"more than 1 MB .* nothing was changed; set SQ_IMPORT_MEMORY_MB"):
        ingest.run_import("tickets", tmp_path / "b.csv", mapping, db)
    assert counts(db) == before and db.stat().st_ino == inode and store.leftovers(db) == []


def test_a_cell_over_the_line_limit_is_rejected_and_the_rest_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SQ_IMPORT_MAX_CELL_LINES", "3")
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        MAPPING.replace("[constants]", 'category = "notes"\n[constants]')
        + '[[category.rules]]\nmatch = "(?s)."\nfamily = "service"\ncomponent = "courtesy"\n'
    )
    file = tmp_path / "t.csv"
    file.write_text(
        "id,branch,channel,opened,status,notes\n"
        'N1,B1,Phone,2024-01-01 09:00,open,"two\nlines"\n'  # a well-formed 2-line cell: stored
        'N2,B1,Phone,2024-01-01 09:00,open,"one\ntwo\nthree\nfour"\n'  # 4 lines: over the limit
        "N3,B1,Phone,2024-01-01 09:00,open,\n"
    )
    result = ingest.run_import("tickets", file, mapping, tmp_path / "s.duckdb")
    # N2's line is rejected; its three continuation lines are read again: "two" and "three" are rows of
    # one field (rejected), 'four"' too; N1 and N3 are stored.
    assert result.rows_stored == 2
    assert result.rows_read == result.rows_stored + result.rows_rejected == 6
    first = min(result.rejected, key=lambda r: r.line)
    assert (
        first.line == 4
        and "over the limit of 3 lines for one quoted cell (set SQ_IMPORT_MAX_CELL_LINES)" in first.reason
    )


def test_a_limit_set_to_nonsense_says_so(tmp_path, mapping, monkeypatch):
    monkeypatch.setenv("SQ_IMPORT_MAX_FILE_MB", "lots")
    file = tmp_path / "t.csv"
    write_tickets(file, 10, "Z")
    done = subprocess.run(
        [sys.executable, "-m", "servicequality", "import", "tickets", str(file), "--mapping", str(mapping)]
        + ["--db", str(tmp_path / "s.duckdb")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SQ_IMPORT_MAX_FILE_MB": "lots"},
    )
    assert done.returncode == 2
    assert (
        "SQ_IMPORT_MAX_FILE_MB = 'lots' must be a positive whole number (the limit in MB for an export file)"
        in done.stderr
    )


# --- progress ------------------------------------------------------------------------------------


@pytest.mark.slow  # a second process
def test_the_command_line_reports_progress_and_the_data_page_reads_it(tmp_path, mapping):
    file = tmp_path / "t.csv"
    write_tickets(file, 12_000, "P")
    seen: list[tuple[str, int, int | None]] = []
    code, out, err = upload.import_in_subprocess(
        "tickets", file, mapping, tmp_path / "s.duckdb", on_progress=lambda *p: seen.append(p)
    )
    assert code == 0, err
    assert "rows read 12,000, stored 12,000, rejected 0" in out
    assert err == ""  # the progress lines went to on_progress, not into the message
    # every 5,000 rows validated, at the end, then writing; the file has 12,000 data lines
    assert seen == [
        ("validating", 5_000, 12_000),
        ("validating", 10_000, 12_000),
        ("validating", 12_000, 12_000),
        ("writing", 12_000, 12_000),
    ]
    assert upload.progress_bar("validating", 3_000, 12_000) == (0.25, "Checked 3,000 of about 12,000 rows…")
    assert upload.progress_bar("writing", 12_000, 12_000) == (1.0, "Writing 12,000 rows and refreshing the summaries…")


@pytest.mark.slow  # a second process
def test_the_progress_bar_shows_rows_per_second_on_a_terminal(tmp_path, mapping):
    file = tmp_path / "t.csv"
    write_tickets(file, 300_000, "B")  # several seconds: the bar appears after 2 s
    started = time.monotonic()
    done = cli("tickets", str(file), "--mapping", str(mapping), "--db", str(tmp_path / "s.duckdb"), "--progress", "bar")
    assert done.returncode == 0, done.stderr
    if time.monotonic() - started < 4:
        pytest.skip("the import ended before the bar's 2 s delay: nothing to see on this machine")
    assert "validating:" in done.stderr and "rows/s" in done.stderr and "/300k" in done.stderr
    assert "rows read 300,000, stored 300,000" in done.stdout


# --- a kill at any moment -------------------------------------------------------------------------

STAGES = ("reading", "validating", "writing", "refreshing", "committing")


@pytest.mark.slow  # a second process
@pytest.mark.parametrize("stage", STAGES)
def test_a_kill_at_any_moment_leaves_the_previous_store(stage, tmp_path, mapping):
    db = tmp_path / "s.duckdb"
    write_tickets(tmp_path / "first.csv", 500, "A")
    ingest.run_import("tickets", tmp_path / "first.csv", mapping, db)
    before, inode = counts(db), db.stat().st_ino
    write_tickets(tmp_path / "second.csv", 2_000, "B")
    child = subprocess.Popen(
        [sys.executable, "-m", "servicequality", "import", "tickets", str(tmp_path / "second.csv")]
        + ["--mapping", str(mapping), "--db", str(db), "--progress", "none"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SQ_PAUSE_AT": stage},
    )
    try:
        assert child.stderr.readline().strip() == f"paused at {stage}", child.communicate(timeout=60)
        child.kill()  # SIGKILL: no clean-up runs
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    assert db.stat().st_ino == inode and counts(db) == before  # it opens, with exactly what it held
    # The next import goes through at once (the kernel dropped the lock) and leaves nothing behind.
    result = ingest.run_import("tickets", tmp_path / "second.csv", mapping, db)
    assert result.rows_stored == 2_000 and counts(db)["tickets"] == before["tickets"] + 2_000
    assert store.leftovers(db) == [] and not store.writer.lock_path(db.resolve()).exists()


# --- ten readers during an import -------------------------------------------------------------------

READER = """
import json, sys, time
from pathlib import Path
from servicequality import store
db, stop = Path(sys.argv[1]), Path(sys.argv[2])
seen, errors, loads = set(), [], 0
while not stop.exists():
    try:
        con = store.connect_read_only(db)
        try:
            store.run_query(con, "date_bounds", {})
            seen.add(con.execute("select count(*) from tickets").fetchone()[0])
        finally:
            con.close()
        loads += 1
    except Exception as exc:
        errors.append(repr(exc)[:200])
print(json.dumps({"seen": sorted(seen), "errors": errors[:5], "loads": loads}))
"""


@pytest.mark.slow
def test_ten_readers_during_an_import_see_the_old_or_the_new_counts_and_never_an_error(tmp_path, mapping):
    import json

    db = tmp_path / "s.duckdb"
    write_tickets(tmp_path / "first.csv", 1_000, "A")
    ingest.run_import("tickets", tmp_path / "first.csv", mapping, db)
    write_tickets(tmp_path / "second.csv", 150_000, "B")
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(db), str(stop)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(10)
    ]
    time.sleep(3)  # the readers are reading
    done = cli("tickets", str(tmp_path / "second.csv"), "--mapping", str(mapping), "--db", str(db))
    time.sleep(2)  # and read the new file for a while
    stop.touch()
    reports = [json.loads(r.communicate(timeout=120)[0]) for r in readers]
    assert done.returncode == 0, done.stderr
    assert all(r["errors"] == [] for r in reports), [r["errors"] for r in reports]
    assert all(r["loads"] >= 3 for r in reports), [r["loads"] for r in reports]
    assert set().union(*(r["seen"] for r in reports)) == {1_000, 151_000}  # old, then new; nothing between


# --- an export without ids, in parts ----------------------------------------------------------------


@pytest.mark.slow  # 5-6 s: make test runs it, the fast tier does not
def test_an_export_without_ids_imported_in_parts_stores_every_row_once(tmp_path):
    # The rows have no id: [id] makes one. With {row} every part starts again at 1, so the second
    # part's rows were rejected as the first part's duplicates; with {hash} they are stored, the
    # identical third and fourth rows both (".2"), and importing the whole file again adds nothing.
    body = [
        "B1,2024-01-02,5,6",
        "B1,2024-01-03,6,6",
        "B2,2024-01-04,7,5",
        "B2,2024-01-04,7,5",
        "B1,2024-02-01,4,4",
        "B2,2024-02-02,3,5",
    ]
    header = "branch,date,E1,P1\n"
    (tmp_path / "whole.csv").write_text(header + "\n".join(body) + "\n")
    (tmp_path / "part1.csv").write_text(header + "\n".join(body[:4]) + "\n")
    (tmp_path / "part2.csv").write_text(header + "\n".join(body[4:]) + "\n")
    survey = (
        'target = "surveys"\n[columns]\nbranch_id = "branch"\nsubmitted_at = "date"\n[constants]\nchannel = "Web"\n'
        "segment = \"Individual\"\n[survey]\nexpectation = '^E(?P<item>\\d+)$'\nperception = '^P(?P<item>\\d+)$'\n"
        '[survey.items]\n"1" = "reliability"\n[new_branches]\nbranch_type = "Standard"\nsize_band = "Small"\n'
        '[id]\nfield = "response_id"\n'
    )
    by_hash, by_row = tmp_path / "hash.toml", tmp_path / "row.toml"
    by_hash.write_text(survey + 'template = "r-{hash}"\n')
    by_row.write_text(survey + 'template = "r-{row}"\n')

    db = tmp_path / "hash.duckdb"
    stored = [ingest.run_import("surveys", tmp_path / p, by_hash, db).rows_stored for p in ("part1.csv", "part2.csv")]
    again = ingest.run_import("surveys", tmp_path / "whole.csv", by_hash, db)
    assert stored == [4, 2]
    assert (again.rows_stored, again.rows_rejected) == (0, 6)
    assert all("already in the store" in r.reason for r in again.rejected)
    con = store.connect_read_only(db)
    try:
        ids = [r[0] for r in con.execute("select response_id from survey_responses order by response_id").fetchall()]
    finally:
        con.close()
    assert len(ids) == 6 and sum(i.endswith(".2") for i in ids) == 1
    assert all(len(i.removeprefix("r-").split(".")[0]) == 16 for i in ids)

    db = tmp_path / "row.duckdb"
    stored = [ingest.run_import("surveys", tmp_path / p, by_row, db).rows_stored for p in ("part1.csv", "part2.csv")]
    assert stored == [4, 0]  # what {row} does: the second part is taken for the first's rows
    # all.csv through {row} stores r-5 and r-6 (r-1..r-4 are part 1's); the same file again through the
    # {hash} mapping would store those 2 a second time under new ids, beside 4 new ones (the shipped
    # kiosk and lounge mappings moved from {row} to {hash}): refused, nothing changed.
    before = counts(db)
    (tmp_path / "all.csv").write_text(header + "\n".join(body) + "\n")
    ingest.run_import("surveys", tmp_path / "all.csv", by_row, db)
    with pytest.raises(
        ingest.ImportProblem,
        match=r"all.csv was imported before \(run 3; 2 rows stored\) with another mapping, and this one would "
        r"store at least 2 ",
    ):
        ingest.run_import("surveys", tmp_path / "all.csv", by_hash, db)
    assert counts(db)["import_runs"] == before["import_runs"] + 1


def test_an_import_under_another_key_is_refused(tmp_path, monkeypatch):
    # {hash} ids and customer keys are made with the store's key: a lost key file quietly replaced,
    # or another $SQ_CUSTOMER_KEY, would store every row again (the reviewer: 2,264 lounge reviews
    # stored a second time) and split every customer in two.
    survey = (
        'target = "surveys"\n[columns]\nbranch_id = "branch"\nsubmitted_at = "date"\n[constants]\nchannel = "Web"\n'
        'segment = "Individual"\n[survey]\nperception = \'^P(?P<item>\\d+)$\'\n[survey.items]\n"1" = "reliability"\n'
        '[new_branches]\nbranch_type = "Standard"\nsize_band = "Small"\n[id]\nfield = "response_id"\n'
        'template = "r-{hash}"\n'
    )
    (tmp_path / "m.toml").write_text(survey)
    (tmp_path / "a.csv").write_text("branch,date,P1\nB1,2024-01-02,5\nB1,2024-01-03,6\n")
    (tmp_path / "b.csv").write_text("branch,date,P1\nB1,2024-01-02,5\nB1,2024-01-03,6\nB2,2024-01-04,7\n")
    db = tmp_path / "s.duckdb"
    monkeypatch.delenv("SQ_CUSTOMER_KEY", raising=False)
    ingest.run_import("surveys", tmp_path / "a.csv", tmp_path / "m.toml", db)
    (tmp_path / "s.duckdb.customer-key").unlink()  # lost: the next import would make a new one
    before = counts(db)
    with pytest.raises(ingest.ImportProblem, match=r"made with another key \(fingerprint [0-9a-f]{16}, this key's"):
        ingest.run_import("surveys", tmp_path / "b.csv", tmp_path / "m.toml", db)
    assert counts(db) == before
    monkeypatch.setenv("SQ_CUSTOMER_KEY", "another key, long enough to be one")
    with pytest.raises(ingest.ImportProblem, match="restore s.duckdb.customer-key from its backup or set"):
        ingest.run_import("surveys", tmp_path / "b.csv", tmp_path / "m.toml", db)
    assert counts(db) == before


def test_ids_an_earlier_version_stored_decomposed_are_the_same_ids(tmp_path, mapping):
    # Before ids were composed (NFC), "Zoë" typed as "Zoe" + U+0308 was stored as it came.
    def earlier(con):
        con.execute(
            "insert into branches values ('Zoe\u0308', 'Zoe\u0308', 'North', 'Town', 'Standard', 'Small', null)"
        )
        con.execute(
            "insert into tickets (ticket_id, branch_id, channel, kind, priority, opened_at, status, segment) values "
            "('T-Zoe\u0308-1', 'Zoe\u0308', 'Phone', 'complaint', 'normal', '2024-03-01 10:00', 'open', 'Individual')"
        )

    db = store.build_atomically(tmp_path / "s.duckdb", earlier)
    (tmp_path / "t.csv").write_text(
        "id,branch,channel,opened,status\n"
        "T-Zo\u00eb-1,Zo\u00eb,Phone,2024-03-01 10:00,open\nT-Zo\u00eb-2,Zo\u00eb,Phone,2024-03-02 10:00,open\n"
    )
    result = ingest.run_import("tickets", tmp_path / "t.csv", mapping, db)
    assert (result.rows_stored, result.rows_rejected, result.branches_created) == (1, 1, 0)
    assert "already in the store" in result.rejected[0].reason
    con = store.connect_read_only(db)
    try:
        branches = con.execute("select distinct branch_id from tickets").fetchall()
    finally:
        con.close()
    assert branches == [("Zoe\u0308",)]  # the new ticket joins the branch as stored
