"""An import is atomic and never blocks the dashboard: kill it half-way and the previous data is
intact; read the store in a loop while an import runs in another process and no read fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from servicequality import ingest, store
from tests.conftest import ROOT
from tests.ingest import TICKET_MAPPING

MAPPING = TICKET_MAPPING

BIG_ROWS = 300_000
QUERIES = ("date_bounds", "filter_branches", "filter_values")


def write_tickets(path: Path, n: int, prefix: str) -> None:
    with path.open("w") as fh:
        fh.write("id,branch,channel,opened,status\n")
        for i in range(n):
            fh.write(f"{prefix}{i},B{i % 40},Phone,2024-0{1 + i % 9}-{1 + i % 28:02d} 09:{i % 60:02d},open\n")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("safety")
    (folder / "mapping.toml").write_text(MAPPING)
    write_tickets(folder / "small.csv", 1000, "S")
    write_tickets(folder / "big.csv", BIG_ROWS, "L")
    return {"mapping": folder / "mapping.toml", "small": folder / "small.csv", "big": folder / "big.csv"}


def counts(db: Path) -> dict[str, int]:
    con = store.connect_read_only(db)
    try:
        return {
            t: con.execute("select count(*) from " + t).fetchone()[0]  # constant table names
            for t in ("branches", "tickets", "import_runs", "rejected_rows")
        }
    finally:
        con.close()


def start_import(db: Path, file: Path, mapping: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "servicequality",
            "import",
            "tickets",
            str(file),
            "--mapping",
            str(mapping),
            "--db",
            str(db),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def building_files(db: Path) -> list[Path]:
    return list(db.parent.glob(f".{db.name}.*.building*"))


def test_a_killed_import_leaves_the_previous_data_intact(files, tmp_path):
    db = tmp_path / "store.duckdb"
    ingest.run_import("tickets", files["small"], files["mapping"], db)
    before = counts(db)
    inode = db.stat().st_ino

    proc = start_import(db, files["big"], files["mapping"])
    # Wait until the new file is being written beside the store, then kill the import half-way.
    deadline = time.monotonic() + 120
    while not building_files(db):
        assert proc.poll() is None, f"the import ended before it could be killed: {proc.communicate()}"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.02)
    time.sleep(0.5)
    assert proc.poll() is None, "the import finished too fast to be killed half-way: make the file bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    assert db.stat().st_ino == inode, "the store was replaced by a half-written file"
    assert counts(db) == before  # the database opens and holds exactly what it held
    # The leftover temporary file is never read; the next import removes it and writes a new one.
    left = building_files(db)
    assert left, "the kill left no temporary file: the test proved nothing about cleaning up"
    result = ingest.run_import("tickets", files["big"], files["mapping"], db)
    assert result.rows_stored == BIG_ROWS
    assert counts(db)["tickets"] == before["tickets"] + BIG_ROWS
    assert building_files(db) == []
    assert any(w.startswith(f"removed {len(left)} temporary file(s)") for w in result.warnings), result.warnings


def test_reads_never_fail_while_an_import_runs_and_then_see_the_new_data(files, tmp_path):
    db = tmp_path / "store.duckdb"
    ingest.run_import("tickets", files["small"], files["mapping"], db)
    before = counts(db)["tickets"]

    proc = start_import(db, files["big"], files["mapping"])
    loads, failures, seen = 0, [], set()
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        # What a dashboard session does: open read-only, run the pages' queries, close.
        try:
            con = store.connect_read_only(db)
            try:
                for name in QUERIES:
                    store.run_query(con, name, {})
                seen.add(con.execute("select count(*) from tickets").fetchone()[0])
            finally:
                con.close()
            loads += 1
        except (store.StoreError, duckdb.Error) as exc:
            failures.append(repr(exc))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert failures == []
    assert loads >= 5, f"only {loads} loads during the import: the test proved nothing"
    assert seen == {before} or seen == {before, before + BIG_ROWS}  # old data, then new, nothing in between
    assert counts(db)["tickets"] == before + BIG_ROWS
    assert "stored 300,000" in out
