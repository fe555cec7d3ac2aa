"""`make bench`: how fast every page's queries are at 10 million tickets, against the bare scan
and plain pandas, plus browser timings and import speed; writes BENCHMARKS.md.

    python -m tools.bench.run [--db data/bench.duckdb] [--out BENCHMARKS.md] [--runs 5]

Phases (each reports its own figures; the pandas one runs in a child process so its memory is
its own):

1. the bench database: built with the demo generator's `bench` scale when missing, else its
   rollups are refreshed when stale (`python -m servicequality refresh --if-stale`);
2. per scenario (default filter, one year + 100 branches, no filter, then the default period with
   one channel, one segment, one component, one complaint category, and my branch + peers): each
   page is run once under
   AppTest to record its store reads (tools.bench.record), then those reads are timed on
   a fresh read-only connection, optimised and plain, median of `--runs` after one warm-up;
   beside them the bare scan (count(*) of the same tickets);
3. pandas: the same reads answered by tools.bench.pandas_baseline on DataFrames loaded once;
4. the browser (Chromium): filter change and page switch on the default demo database, and the
   dashboard process's memory on the bench database after visiting every page;
5. import speed: tickets exported to CSV and imported with validation on (tools.bench.imports).

The report itself is written by tools.bench.report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from servicequality import store
from tools.bench.report import report, write_report

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH_DB = ROOT / "data" / "bench.duckdb"
DEMO_DB = ROOT / "data" / "demo.duckdb"


def peak_rss_mb() -> float:
    """This process's peak RSS since it started its program (imports.vm_hwm_mb: ru_maxrss would
    count the peak of the process that started it too); ru_maxrss where there is no /proc."""
    from tools.bench.imports import vm_hwm_mb

    return vm_hwm_mb() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- phase 1: the database -------------------------------------------------------------------


def ensure_database(db: Path) -> None:
    py = sys.executable
    if not db.exists():
        log(f"building {db} (bench scale: 10M tickets, 2M responses; about 10 minutes)")
        subprocess.run([py, "-m", "servicequality", "demo", "--scale", "bench", "--out", str(db)], check=True, cwd=ROOT)
    else:
        log(f"reusing {db}; refreshing its rollups if stale")
        subprocess.run(
            [py, "-m", "servicequality", "refresh", "--db", str(db), "--if-stale", "--in-place"], check=True, cwd=ROOT
        )


# --- phase 2: scenarios, recording and timing --------------------------------------------------


def scenarios(db: Path) -> list[dict[str, Any]]:
    """The filters of issues 7 and 12, as URL parameters (what a copied link holds)."""
    from servicequality.ui.sidebar import default_period

    con = store.connect_read_only(db)
    try:
        first, last = store.run_query(con, "date_bounds", {}).iloc[0]
        ids = store.run_query(con, "filter_branches", {})["branch_id"].sort_values().tolist()
    finally:
        con.close()
    first, last = first.date() if hasattr(first, "date") else first, last.date() if hasattr(last, "date") else last
    start, end = default_period(first, last)
    year_end = start - dt.timedelta(days=1)  # the year before the default one: other rows, same size
    if year_end < first:  # data shorter than two years: the default year itself
        year_end = end
    year_start = max(first, year_end - dt.timedelta(days=364))
    return [
        {
            "key": "default",
            "label": f"default filter (last 12 months, {start} to {end}, all branches)",
            "query": {},
            "start": start,
            "end": end,
            "branches": None,
            "filtered": True,
        },
        {
            "key": "year_100",
            "label": f"one year ({year_start} to {year_end}) and 100 of {len(ids)} branches",
            "query": {"period": [year_start.isoformat(), year_end.isoformat()], "branch": ids[:100]},
            "start": year_start,
            "end": year_end,
            "branches": ids[:100],
            "filtered": True,
        },
        {
            "key": "all",
            "label": f"no filter (all data, {first} to {last})",
            "query": {"period": [first.isoformat(), last.isoformat()]},
            "start": first,
            "end": last,
            "branches": None,
            "filtered": False,
        },
        *(
            {
                "key": key,
                "label": f"default period, {words}",
                "query": query,
                "start": start,
                "end": end,
                "branches": None,
                "selection": {name: values for name, values in selection.items()},
                "filtered": True,
            }
            for key, words, query, selection in (
                ("channel", "one channel (Phone)", {"channel": ["Phone"]}, {"channels": ["Phone"]}),
                (
                    "segment",
                    "one segment (Small business)",
                    {"segment": ["Small business"]},
                    {"segments": ["Small business"]},
                ),
                ("component", "one component (courtesy)", {"component": ["courtesy"]}, {"components": ["courtesy"]}),
                (
                    "category",
                    "one complaint category (Attitude)",
                    {"category": ["Attitude"]},
                    {"categories": ["Attitude"]},
                ),
                ("my_branch", f"my branch ({ids[0]}) and its peers", {"my_branch": [ids[0]]}, {}),
            )
        ),
    ]


def scenario_selection(sc: dict[str, Any]) -> dict[str, Any]:
    """The query parameters a scenario sets: its period, its branches, its other selections."""
    selection = {"start": sc["start"], "end": sc["end"], **(sc.get("selection") or {})}
    if sc["branches"]:
        selection["branches"] = sc["branches"]
    return selection


def measure_queries(
    db: Path, scenario_list: list[dict], runs: int, plain_runs: int, calls_out: Path, record_db: Path | None = None
) -> dict:
    """Record each page's reads per scenario, time them optimised and plain, and the bare scan."""
    import pickle

    from tools.bench import record as bench_record
    from tools.bench import timing as bench_time

    results: dict[str, Any] = {}
    recorded: dict[str, dict] = {}
    for sc in scenario_list:
        log(f"recording the pages' queries: {sc['key']}")
        calls = bench_record.page_calls(record_db or db, sc["query"])
        problems = bench_record.missing_selections(calls, scenario_selection(sc))
        if problems:  # timing reads that ignore the scenario would flatter it
            raise RuntimeError(f"scenario {sc['key']}: reads without its selections: " + "; ".join(problems))
        recorded[sc["key"]] = calls
        con = store.connect_read_only(db)
        try:
            bare_ms, bare_rows = bench_time.time_bare_scan(
                con, sc["start"], sc["end"], sc["branches"], runs, sc.get("selection")
            )
            pages = {}
            for page, page_calls in calls.items():
                fast = bench_time.time_calls(con, page_calls, runs=runs)
                plain = bench_time.time_calls(con, page_calls, runs=plain_runs, plain=True) if plain_runs else None
                pages[page] = {
                    "queries": len(page_calls),
                    "names": [c.name for c in page_calls],
                    "ms": fast.median_ms,
                    "passes": len(fast.runs_ms),
                    "runs_ms": fast.runs_ms,
                    "per_call_ms": fast.per_call_ms,
                    "plain_ms": plain.median_ms if plain else None,
                }
                log(f"  {page}: {fast.median_ms:.1f} ms, {len(page_calls)} reads")
        finally:
            con.close()
        results[sc["key"]] = {"bare_scan_ms": bare_ms, "bare_scan_rows": bare_rows, "pages": pages}
    calls_out.write_bytes(pickle.dumps({"recorded": recorded}))
    results["peak_rss_mb"] = peak_rss_mb()
    return results


# --- phase 3: pandas (child process) -------------------------------------------------------------


def pandas_phase(db: Path, calls_file: Path, runs: int) -> dict:
    """Load the tables into pandas once, then answer every recorded page read with pandas."""
    import pickle

    from tools.bench import pandas_baseline as bench_pandas

    recorded = pickle.loads(calls_file.read_bytes())["recorded"]
    con = store.connect_read_only(db)
    started = time.perf_counter()
    frames = bench_pandas.load(con, items=False)
    load_s = time.perf_counter() - started
    con.close()
    log(f"pandas: loaded in {load_s:.1f} s, peak RSS {peak_rss_mb():.0f} MB")
    out: dict[str, Any] = {"load_s": load_s, "scenarios": {}}
    for key, pages in recorded.items():
        out["scenarios"][key] = {}
        for page, calls in pages.items():
            available = set(bench_pandas.QUERIES) - ({"component_item_variances"} if frames.scores.empty else set())
            covered = [c for c in calls if c.kind == "query" and c.name in available]
            functions = [c for c in calls if c.kind == "function"]
            missing = [c.name for c in calls if c.kind == "query" and c.name not in available]

            def one_pass(covered=covered, functions=functions):
                for c in covered:
                    bench_pandas.run(frames, c.name, c.param_dict)
                for _ in functions:
                    bench_pandas.store_counts(frames)

            t0 = time.perf_counter()
            one_pass()
            warm_ms = (time.perf_counter() - t0) * 1000
            times = [warm_ms]
            if warm_ms <= 5000:  # as bench_time.SLOW_PAGE_S: slower pages are timed once
                times = []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    one_pass()
                    times.append((time.perf_counter() - t0) * 1000)
            out["scenarios"][key][page] = {
                "ms": statistics.median(times) if covered else None,
                "passes": len(times),
                "missing": missing,
            }
            log(f"  pandas {key} {page}: {statistics.median(times):.0f} ms ({len(covered)} reads)")
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# --- phase 4: the browser -----------------------------------------------------------------------


def _server_pid(port: int) -> int | None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"servicequality.ui.serve" in cmd and str(port).encode() in cmd:
            return int(entry.name)
    return None


def _rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) of a process, from /proc (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


# Marks the start of a timed action in the page and records, from then on, the time of the last
# change to the page (any DOM mutation: elements replaced, charts drawn). After wait_for_page has
# confirmed the page settled, that last change is when the person saw the final page: the wait's
# own confirmation pauses are not counted.
MARK_START = """() => {
    window.__sqLastChange = performance.now();
    if (!window.__sqObserver) {
        window.__sqObserver = new MutationObserver(() => { window.__sqLastChange = performance.now(); });
        window.__sqObserver.observe(document.documentElement,
            {subtree: true, childList: true, attributes: true, characterData: true});
    }
    return performance.now();
}"""
LAST_CHANGE = "() => window.__sqLastChange"


def _timed(page, action, wait) -> float:
    """Seconds from `action` to the page's last change before it settled (see MARK_START)."""
    start = page.evaluate(MARK_START)
    action()
    wait()
    return (page.evaluate(LAST_CHANGE) - start) / 1000


def browser_phase(demo_db: Path, bench_db: Path, scenario_list: list[dict] | None = None) -> dict:
    """Filter change and page switch timings in Chromium on the demo database; the dashboard's
    memory on the bench database after every page has been shown, then after every page under
    each scenario in turn (its filters in the URL, as a copied link opens it)."""
    from urllib.parse import urlencode

    sys.path.insert(0, str(ROOT))
    from servicequality.ui.navigation import PAGES
    from tools.browser import chromium, free_port, streamlit_server, wait_for_page

    chromium_path = "/usr/bin/chromium"
    if not Path(chromium_path).exists():
        return {"skipped": "no Chromium at /usr/bin/chromium (apt-get install -y chromium)"}
    out: dict[str, Any] = {}
    with streamlit_server(demo_db) as url, chromium(chromium_path) as context:
        page = context.new_page()
        page.goto(url)
        wait_for_page(page)
        switches = []
        for spec in [*PAGES[1:], PAGES[0]] * 2:

            def arrived(title=spec.title):
                page.wait_for_selector(f"h1:has-text('{title}')", timeout=60_000)
                wait_for_page(page)

            seconds = _timed(page, page.get_by_role("link", name=spec.title).first.click, arrived)
            switches.append({"page": spec.url_path, "s": seconds})
        out["page_switch_s"] = switches
        # Filter change: pick a region in the sidebar (a cold cache: never chosen before), then
        # wait until the script has run and every chart is drawn.
        changes = []
        for i in range(3):
            page.goto(url)  # from the default view each time; region i has never been shown (cold cache)
            wait_for_page(page)
            before = page.url
            page.locator('[data-testid="stMultiSelect"]', has_text="Region").click()
            option = page.locator('[role="option"]', has_not_text="Select all").nth(i)

            def pick(option=option):
                option.click()
                page.keyboard.press("Escape")

            def updated(before=before):
                page.wait_for_function("u => window.location.href !== u", arg=before, timeout=60_000)
                wait_for_page(page)

            changes.append(_timed(page, pick, updated))
        out["filter_change_s"] = changes
    port = free_port()
    with streamlit_server(bench_db, port=port) as url, chromium(chromium_path) as context:
        page = context.new_page()
        pid = _server_pid(port)
        for spec in PAGES:
            page.goto(f"{url}/{spec.url}")
            wait_for_page(page)
        rss, hwm = _rss_mb(pid) if pid else (float("nan"), float("nan"))
        out["dashboard_rss_mb"], out["dashboard_peak_rss_mb"] = rss, hwm
        passes = []
        for sc in scenario_list or []:
            query = urlencode(sc["query"], doseq=True)
            for spec in PAGES:
                page.goto(f"{url}/{spec.url}" + (f"?{query}" if query else ""))
                wait_for_page(page)
            rss, hwm = _rss_mb(pid) if pid else (float("nan"), float("nan"))
            passes.append({"scenario": sc["key"], "rss_mb": rss, "peak_rss_mb": hwm})
            log(f"  memory after every page, {sc['key']}: {rss:,.0f} MB (peak {hwm:,.0f} MB)")
        out["scenario_memory"] = passes
    return out


# --- phase 5: imports (tools/bench/imports.py) ------------------------------------------------------


# --- the report ----------------------------------------------------------------------------------


def machine() -> str:
    import duckdb
    import pandas as pd

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GB RAM; {platform.platform()}; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pd.__version__}"
    )


def _guarded(phase, *args) -> dict:
    """A phase's figures, or what went wrong: one failing phase must not lose the others."""
    try:
        return phase(*args)
    except Exception as exc:  # reported in BENCHMARKS.md, not hidden
        log(f"{phase.__name__} failed: {exc!r}")
        return {"skipped": f"{phase.__name__} failed: {type(exc).__name__}: {str(exc)[:300]}"}


def _phase(data: dict, name: str) -> None:
    """Record when a phase started and the machine's load then (shown in BENCHMARKS.md)."""
    data["phases"][name] = {"at": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "load": os.getloadavg()[0]}


def _save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=str))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=BENCH_DB)
    parser.add_argument("--demo-db", type=Path, default=DEMO_DB)
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--json", type=Path, default=ROOT / "data" / "bench_results.json")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--plain-runs", type=int, default=0, help="also time the plain queries, this many passes (slow at 10M)"
    )
    parser.add_argument(
        "--record-db",
        type=Path,
        help="record the pages' reads on this database instead (same branches and dates, e.g. the medium demo): "
        "the pages' own unoptimised queries make recording on 10M rows slow",
    )
    parser.add_argument("--import-rows", type=int, default=10_000_000)
    parser.add_argument("--daily-rows", type=int, default=50_000, help="the daily import's tickets")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument(
        "--redo-queries",
        action="store_true",
        help="time the queries again and keep the other phases' figures of the last run (--json)",
    )
    parser.add_argument(
        "--reuse-queries", action="store_true", help="keep the query timings of the last run (--json) and redo the rest"
    )
    parser.add_argument("--redo-browser", action="store_true", help="with --redo-queries: time the browser again too")
    parser.add_argument("--redo-pandas", action="store_true", help="with --redo-queries: time pandas again too")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--report-only", action="store_true", help="rewrite --out from the figures in --json")
    parser.add_argument("--phase", choices=["pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--calls", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.report_only:  # rewrite BENCHMARKS.md from the saved figures
        write_report(args.out, report(json.loads(args.json.read_text())))
        return 0
    if args.phase == "pandas":  # the child process of phase 3
        result = pandas_phase(args.db, args.calls, args.runs)
        args.calls.with_suffix(".pandas.json").write_text(json.dumps(result))
        return 0

    started = time.perf_counter()
    load_before = os.getloadavg()
    ensure_database(args.db)
    scenario_list = scenarios(args.db)
    from servicequality.__main__ import table_counts

    counts = ", ".join(f"{t} {n:,}" for t, n in table_counts(args.db).items())
    data: dict[str, Any] = {
        "when": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "db": os.path.relpath(args.db, ROOT),
        "counts": counts,
        "runs": args.runs,
        "scenarios": [{k: v for k, v in sc.items() if k in ("key", "label", "filtered")} for sc in scenario_list],
    }
    with tempfile.TemporaryDirectory(prefix="sq-bench-", dir=args.db.parent) as tmp:
        work = Path(tmp)
        calls_file = args.json.with_suffix(".calls.pickle")
        kept = json.loads(args.json.read_text()) if args.redo_queries and args.json.exists() else {}
        previous = json.loads(args.json.read_text()) if args.reuse_queries and args.json.exists() else None
        data["phases"] = {}
        if previous and calls_file.exists():
            log(f"reusing the query timings of {previous['when']} from {args.json}")
            for key in ("queries", "record_db", "when", "scenarios", "load_before"):
                if key in previous:
                    data[key] = previous[key]
            if "queries" in previous.get("phases", {}):
                data["phases"]["queries"] = previous["phases"]["queries"]
        else:
            _phase(data, "queries")
            data["queries"] = measure_queries(
                args.db, scenario_list, args.runs, args.plain_runs, calls_file, args.record_db
            )
            data["record_db"] = str(args.record_db) if args.record_db else None
            data["load_before"] = load_before
            _save(args.json, data)
        if kept:
            redo = {name for name in ("browser", "pandas") if getattr(args, f"redo_{name}")}
            data.update({k: kept[k] for k in ("pandas", "browser", "import") if k in kept and k not in redo})
            data["phases"].update({k: v for k, v in kept.get("phases", {}).items() if k not in redo | {"queries"}})
            args.skip_import = True
            args.skip_browser = not args.redo_browser
            args.skip_pandas = not args.redo_pandas
        if not args.skip_pandas:
            log("pandas baseline (child process)")
            _phase(data, "pandas")
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tools.bench.run",
                    "--phase",
                    "pandas",
                    "--db",
                    str(args.db),
                    "--calls",
                    str(calls_file),
                    "--runs",
                    str(args.runs),
                ],
                cwd=ROOT,
                check=True,
            )
            data["pandas"] = json.loads(calls_file.with_suffix(".pandas.json").read_text())
            _save(args.json, data)
        if not args.skip_browser:
            log("browser timings")
            _phase(data, "browser")
            if not args.demo_db.exists():
                subprocess.run(
                    [sys.executable, "-m", "servicequality", "demo", "--out", str(args.demo_db)], check=True, cwd=ROOT
                )
            data["browser"] = _guarded(browser_phase, args.demo_db, args.db, scenario_list)
            _save(args.json, data)
        if not args.skip_import:
            from tools.bench import imports

            _phase(data, "import")
            log(f"import throughput ({args.import_rows:,} tickets)")
            data["import"] = {"throughput": _guarded(imports.throughput, args.db, args.import_rows, work)}
            log(f"daily import ({args.daily_rows:,} tickets into the bench store)")
            data["import"]["daily"] = _guarded(imports.daily, args.db, args.daily_rows, work)
    data["seconds"] = time.perf_counter() - started
    data["load"] = (data.get("load_before", load_before), os.getloadavg())
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(data, indent=1, default=str))
    write_report(args.out, report(data))
    log(f"wrote {args.out}")
    print(args.out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
