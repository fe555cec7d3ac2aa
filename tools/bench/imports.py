"""`make bench`, phase 5: imports at a chain's volume (issue 15), each next to DuckDB's bare `read_csv`
of the same file as the reference.

- throughput: `rows` tickets of the bench store exported to CSV and imported, validation on, into a
  store holding only the branches;
- a daily import: 50,000 tickets dated the day after the store's last, imported into a copy of the
  10 M-ticket store (the copy is made before the clock starts), rollup refresh included.

Each import runs as its own process (`python -m servicequality import tickets`), so its peak RSS is
its own, not the benchmark's.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from servicequality import store

ROOT = Path(__file__).resolve().parent.parent.parent
MAPPING = ROOT / "mappings" / "store_tickets.toml"
COLUMNS = (
    "ticket_id, branch_id, channel, kind, category, priority, opened_at, first_response_at, resolved_at, status, "
    "reopened_count, escalated, satisfaction, segment"
)


def export_tickets(bench_db: Path, csv: Path, rows: int, *, daily: bool = False) -> None:
    """`rows` tickets to CSV with the store's own columns. `daily`: the last `rows` tickets, renamed
    and moved to start the day after the store's last ticket (a day's new export)."""
    con = duckdb.connect(str(bench_db), read_only=True, config={"autoinstall_known_extensions": False})
    try:
        if daily:
            ((last,),) = con.execute("select cast(max(opened_at) as date) from tickets").fetchall()
            source = (
                "with latest as (select * from tickets order by opened_at desc limit $n), "
                "shift as (select $day - cast(min(opened_at) as date) as days from latest) "
                "select 'D' || ticket_id as ticket_id, branch_id, channel, kind, category, priority, "
                "opened_at + to_days(cast(shift.days as integer)) as opened_at, "
                "first_response_at + to_days(cast(shift.days as integer)) as first_response_at, "
                "resolved_at + to_days(cast(shift.days as integer)) as resolved_at, status, reopened_count, "
                "escalated, satisfaction, segment from latest cross join shift"
            )
            params = {"n": rows, "day": last + dt.timedelta(days=1)}
        else:
            source = f"select {COLUMNS} from tickets order by ticket_id limit $n"
            params = {"n": rows}
        # The path is ours (a temporary folder); COPY takes no parameter for it.
        con.execute(f"copy ({source}) to '{str(csv).replace(chr(39), chr(39) * 2)}' (header, delimiter ',')", params)
    finally:
        con.close()


def bare_read_csv(csv: Path, workdir: Path) -> float:
    """Seconds DuckDB's own reader takes to load the file into a table of a new database file."""
    target = workdir / "bare.duckdb"
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target), config={"autoinstall_known_extensions": False})
    try:
        con.execute("set enable_progress_bar = false")
        started = time.perf_counter()
        con.execute("create table t as select * from read_csv($p, header = true)", {"p": str(csv)})
        con.execute("checkpoint")
        return time.perf_counter() - started
    finally:
        con.close()
        target.unlink(missing_ok=True)


def vm_hwm_mb(pid: int | str = "self") -> float | None:
    """Process `pid`'s peak resident memory since it started its program (VmHWM, Linux), in MB; None
    when it has ended or there is no /proc.

    Not ru_maxrss: the kernel carries a forked parent's high-water mark over exec, so a child's
    ru_maxrss is at least its parent's peak (`python -c pass` started by a process that had held
    1.5 GB reported 1,510 MB; the 10 M import started by `make bench` reported 3,014 MB, the
    50,000-row daily import the same 3,014 MB)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None  # a process that has ended keeps no memory figures


def run_import(csv: Path, db: Path) -> dict:
    """The CLI import as a child process: seconds, its own peak RSS (VmHWM, read every 50 ms while
    it runs: it only grows), what it printed."""
    command = [sys.executable, "-m", "servicequality", "import", "tickets", str(csv), "--mapping", str(MAPPING)]
    command += ["--db", str(db), "--progress", "none"]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0.0]
    ended = threading.Event()

    def watch() -> None:
        while not ended.is_set():
            mb = vm_hwm_mb(child.pid)
            if mb is not None:
                peak[0] = max(peak[0], mb)
            ended.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    output = child.stdout.read()
    _, status, _ = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    ended.set()
    watcher.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import failed: {output[-500:]}")
    took = next((line.strip() for line in output.splitlines() if line.strip().startswith("took ")), "")
    return {"seconds": seconds, "peak_rss_mb": peak[0], "output": output.strip(), "took": took}


def throughput(bench_db: Path, rows: int, workdir: Path) -> dict:
    csv = workdir / "tickets.csv"
    export_tickets(bench_db, csv, rows)
    target = workdir / "import.duckdb"

    def fill(c):
        c.execute("attach $p as src (read_only)", {"p": str(bench_db)})
        c.execute("insert into branches select * from src.branches")
        c.execute("detach src")

    store.build_atomically(target, fill)
    done = run_import(csv, target)
    counts = _stored(target)
    reference = bare_read_csv(csv, workdir)
    target.unlink(missing_ok=True)
    return {
        "rows": rows,
        "stored": counts,
        "seconds": done["seconds"],
        "rows_per_s": rows / done["seconds"],
        "peak_rss_mb": done["peak_rss_mb"],
        "csv_mb": csv.stat().st_size / 1e6,
        "bare_read_csv_s": reference,
        "took": done["took"],
    }


def daily(bench_db: Path, rows: int, workdir: Path) -> dict:
    csv = workdir / "daily.csv"
    export_tickets(bench_db, csv, rows, daily=True)
    target = workdir / "daily.duckdb"
    shutil.copyfile(bench_db, target)  # the bench store stays as it is
    # A store that is imported into every day sits on disk; this copy would otherwise still be
    # being written out while the import runs, and the import would wait for it.
    _settle(target)
    before = _stored(target)
    done = run_import(csv, target)
    after = _stored(target)
    reference = bare_read_csv(csv, workdir)
    size = target.stat().st_size
    target.unlink(missing_ok=True)
    return {
        "rows": rows,
        "store_tickets": before,
        "stored": after - before,
        "seconds": done["seconds"],
        "peak_rss_mb": done["peak_rss_mb"],
        "store_gb": size / 1e9,
        "bare_read_csv_s": reference,
        "took": done["took"],
    }


def _settle(path: Path) -> None:
    """`path`'s bytes on disk before a timing starts (fsync), and what the phases before wrote or
    deleted (sync: the throughput phase's 10 M-ticket store, removed just before, is not written out
    or freed while the daily import is timed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.sync()


def _stored(db: Path) -> int:
    con = store.connect_read_only(db)
    try:
        ((n,),) = con.execute("select count(*) from tickets").fetchall()
        return n
    finally:
        con.close()


def report_lines(imp: dict | None) -> list[str]:
    """The "Import speed" section of BENCHMARKS.md."""
    if not imp:
        return ["Not run (`--skip-import`)."]
    if "rows" in imp or "skipped" in imp:  # figures saved before the daily import was measured
        imp = {"throughput": {"bare_read_csv_s": float("nan"), **imp}}
    lines = []
    bulk, day = imp.get("throughput"), imp.get("daily")
    if bulk and "skipped" not in bulk:
        lines.append(
            f"- **Throughput**: {bulk['rows']:,} tickets exported to CSV ({bulk['csv_mb']:,.0f} MB) and imported with "
            f"`mappings/store_tickets.toml`, validation on, into a store holding only the branches: "
            f"{bulk['seconds']:,.0f} s, **{bulk['rows_per_s']:,.0f} rows/s** (target ≥ 300,000), peak RSS "
            f"**{bulk['peak_rss_mb']:,.0f} MB** (target ≤ 2,048); {bulk['stored']:,} stored. DuckDB's bare "
            f"`read_csv` of the same file into a table: {bulk['bare_read_csv_s']:,.1f} s."
            + (f" The import's own account: {bulk['took']}." if bulk.get("took") else "")
        )
    elif bulk:
        lines.append(f"- Throughput: not run: {bulk['skipped']}.")
    if day and "skipped" not in day:
        lines.append(
            f"- **Daily import**: {day['rows']:,} tickets dated after the last, into the {day['store_tickets']:,}-"
            f"ticket store ({day['store_gb']:,.1f} GB): **{day['seconds']:,.1f} s** including the rollup refresh "
            f"(target ≤ 10 s), peak RSS {day['peak_rss_mb']:,.0f} MB; {day['stored']:,} stored. DuckDB's bare "
            f"`read_csv` of the same file: {day['bare_read_csv_s']:,.2f} s."
            + (f" The import's own account: {day['took']}." if day.get("took") else "")
        )
    elif day:
        lines.append(f"- Daily import: not run: {day['skipped']}.")
    return lines
