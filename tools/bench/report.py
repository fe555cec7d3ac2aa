"""BENCHMARKS.md from the figures `tools/bench/run.py` measured (its JSON): the tables per scenario,
where the time of each page over its target goes, memory, browser, imports and the verdict; the
hand-written parts of the old file (the import history, the Spark section) are kept."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TARGET_FILTERED_MS, TARGET_UNFILTERED_MS, TARGET_SPEEDUP, TARGET_RSS_MB = 100, 250, 10, 500
TARGET_FILTER_CHANGE_S, TARGET_PAGE_SWITCH_S = 1.0, 1.5


def _fmt(ms: float) -> str:
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:,.1f}"


def report(data: dict) -> str:
    q, pd_, br, imp = data["queries"], data.get("pandas"), data.get("browser"), data.get("import")
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {data['when']} ({data['seconds'] / 60:.0f} minutes).",
        "",
        f"**Machine:** {data['machine']}. Load average (1, 5, 15 min) at the start "
        f"{', '.join(f'{x:.1f}' for x in data['load'][0])}, at the end {', '.join(f'{x:.1f}' for x in data['load'][1])}"
        " (other work on the machine slows every figure alike).",
        "",
        *(
            [
                "**Phases:** "
                + "; ".join(f"{name} from {p['at']} (1-min load {p['load']:.1f})" for name, p in data["phases"].items())
                + ".",
                "",
            ]
            if data.get("phases")
            else []
        ),
        f"**Data:** `{data['db']}`: {data['counts']}.",
        "",
        "Each page's reads are recorded by running the page itself (AppTest, the frame's sidebar included), then timed "
        f"on a fresh read-only connection: median of {data['runs']} passes after one warm-up, every query run anew "
        "(no Streamlit cache; each query text parsed once per process, as the dashboard does: store.runner.parsed; "
        "the OS file cache is warm). *Optimised* = `queries/*.sql` (rollups); *plain* = "
        "their plain form (`python -m servicequality sql NAME --plain`: generated over the base views); "
        "*bare scan* = `count(*)` of the scenario's tickets; "
        "*pandas* = the same reads answered by "
        "`tools/bench/pandas_baseline.py` on DataFrames loaded once.",
        "",
    ]
    if data.get("record_db"):
        lines += [
            f"The pages' reads were recorded on `{os.path.relpath(data['record_db'], ROOT)}` (same branches and "
            "dates; the Explore and Rows pages' unoptimised queries make recording on 10M rows slow) and timed on "
            "the bench database.",
            "",
        ]
    verdicts = []
    for sc in data["scenarios"]:
        key = sc["key"]
        res = q[key]
        target = TARGET_FILTERED_MS if sc["filtered"] else TARGET_UNFILTERED_MS
        lines += [
            f"## {sc['label']}",
            "",
            f"Bare scan: {_fmt(res['bare_scan_ms'])} ms ({res['bare_scan_rows']:,} tickets). "
            f"Target: every page ≤ {target} ms "
            f"and ≥ {TARGET_SPEEDUP}× faster than pandas.",
            "",
            "| page | reads | optimised ms | plain ms | plain / optimised | optimised / bare scan "
            "| pandas ms | pandas / optimised | target met |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for page, r in res["pages"].items():
            p_ms = pd_["scenarios"][key][page]["ms"] if pd_ else None
            missing = pd_["scenarios"][key][page]["missing"] if pd_ else []
            speedup = p_ms / r["ms"] if p_ms else None
            ok = r["ms"] <= target and (speedup is None or speedup >= TARGET_SPEEDUP)
            verdicts.append(ok)
            plain_cell = "–" if r["plain_ms"] is None else _fmt(r["plain_ms"])
            plain_ratio = "–" if r["plain_ms"] is None else f"{r['plain_ms'] / r['ms']:.1f}×"
            p_once = pd_ and pd_["scenarios"][key][page].get("passes", 2) == 1
            pandas_cell = (
                "–"
                if p_ms is None
                else _fmt(p_ms)
                + (" (1 pass)" if p_once else "")
                + (f" ({len(missing)} reads not in pandas)" if missing else "")
            )
            lines.append(
                f"| {page} | {r['queries']} | {_fmt(r['ms'])}{'' if r['passes'] > 1 else ' (1 pass)'} "
                f"| {plain_cell} | {plain_ratio} | "
                f"{r['ms'] / max(res['bare_scan_ms'], 1e-9):.1f}× | {pandas_cell} | "
                f"{'–' if speedup is None else f'{speedup:.0f}×'} | {'yes' if ok else '**no**'} |"
            )
        slowest = sorted(
            ((ms, page, name) for page, r in res["pages"].items() for name, ms in r["per_call_ms"].items()),
            reverse=True,
        )[:5]
        lines += ["", "Slowest reads: " + "; ".join(f"{page} {name[3:]} {ms:.1f} ms" for ms, page, name in slowest), ""]
        misses = [(page, r) for page, r in res["pages"].items() if r["ms"] > target]
        if misses:
            lines += ["Where the time of each page over the target goes:", ""]
            lines += [f"- {page}: {why_over(r['per_call_ms'], r['ms'], target)}" for page, r in misses]
            lines.append("")

    lines += ["## Memory", ""]
    lines.append(f"- Benchmark process (DuckDB timings, AppTest recording): peak RSS {q['peak_rss_mb']:,.0f} MB.")
    if pd_:
        lines.append(
            f"- pandas baseline: load {pd_['load_s']:.1f} s, peak RSS {pd_['peak_rss_mb']:,.0f} MB (its own process)."
        )
    if br and "dashboard_rss_mb" in br:
        ok = br["dashboard_peak_rss_mb"] <= TARGET_RSS_MB
        lines.append(
            f"- Dashboard (Streamlit server on the bench database after showing every page in Chromium): RSS "
            f"{br['dashboard_rss_mb']:,.0f} MB, peak {br['dashboard_peak_rss_mb']:,.0f} MB; "
            f"target < {TARGET_RSS_MB} MB: "
            f"{'met' if ok else '**not met**'}."
        )
    for p in (br or {}).get("scenario_memory", []):
        ok = p["peak_rss_mb"] <= TARGET_RSS_MB
        lines.append(
            f"  - then every page under **{p['scenario']}**: RSS {p['rss_mb']:,.0f} MB, peak so far "
            f"{p['peak_rss_mb']:,.0f} MB ({'within' if ok else '**over**'} {TARGET_RSS_MB} MB)."
        )
    lines.append("")
    lines += ["## Browser (Chromium, default demo database)", ""]
    if not br:
        lines.append("Not run (`--skip-browser`).")
    elif "skipped" in br:
        lines.append(f"Not run: {br['skipped']}.")
    else:
        fc = br["filter_change_s"]
        ps = [s["s"] for s in br["page_switch_s"]]
        lines.append(
            "- Filter change (a region picked in the sidebar, until every chart is drawn): "
            f"median {statistics.median(fc):.2f} s, "
            f"max {max(fc):.2f} s (target ≤ {TARGET_FILTER_CHANGE_S} s)."
        )
        lines.append(
            "- Page switch (a link in the navigation, until the page's charts are drawn): "
            f"median {statistics.median(ps):.2f} s, "
            f"max {max(ps):.2f} s (target ≤ {TARGET_PAGE_SWITCH_S} s); per page: "
            + ", ".join(f"{s['page']} {s['s']:.2f} s" for s in br["page_switch_s"])
            + "."
        )
    from tools.bench import imports

    lines += ["", "## Import speed", "", *imports.report_lines(imp)]
    lines += ["", "## Verdict", ""]
    lines.append(f"{sum(verdicts)} of {len(verdicts)} page × scenario cells meet the time and speed-up targets.")
    lines += ["", *KNOWN_LIMITS]
    return "\n".join(lines) + "\n"


def why_over(per_call_ms: dict[str, float], total_ms: float, target: float) -> str:
    """Why a page's reads take more than `target` ms: the reads that take a fifth of its time or more,
    named with their share, then the others' count, sum and median. `per_call_ms` is keyed
    "NN name" (the read's place in the page, its query)."""
    reads = sorted(((ms, key[3:]) for key, ms in per_call_ms.items()), reverse=True)
    big = [(ms, name) for ms, name in reads if ms >= total_ms / 5]
    rest = [ms for ms, _ in reads[len(big) :]]
    parts = [
        f"{name} {_fmt(ms)} ms ({ms / total_ms:.0%}{', alone over the target' if ms > target else ''})"
        for ms, name in big
    ]
    if rest:
        parts.append(
            f"{'the other ' if big else ''}{len(rest)} read{'s' if len(rest) > 1 else ''} {_fmt(sum(rest))} ms"
            f" (median {_fmt(statistics.median(rest))} ms)"
        )
    if not big:
        return f"{_fmt(total_ms)} ms, no read a fifth of it: " + "; ".join(parts) + ", each read's planning included"
    return f"{_fmt(total_ms)} ms: " + "; ".join(parts)


KNOWN_LIMITS = [
    "## How the pages are made fast, and what is not done",
    "",
    "- **Rollups** (`servicequality/store/rollups.py`, rebuilt by every build and import): sums and counts per "
    "branch × day (survey ones also per channel and segment), and for the larger ones a branch × month twin. "
    "A query reads the period's whole months "
    "from the month table and only its partial first and last months from the day table. Survey sums are "
    "scaled integers, so means and standard deviations equal the plain forms' (tests/store/test_rollups.py: every "
    "optimised query against its plain form on the fixture and on a generated medium database). The sums are "
    "declared once per fact (`servicequality/store/facts.py`) and a query's `-- Measures:` line is generated over "
    "the smallest rollup whose grain holds its keys, and over the base view as the oracle.",
    "- **Network twins and more month twins** (2026-12-04). With no branch, region or branch type selected, "
    "the survey component sums and Cronbach's alpha sums read their whole months from a network × month table "
    "(`rollup_component_network_months`, `rollup_item_network_months`, `rollup_item_total_network_months`: the "
    "branch month table summed over the branches, declared as `Rollup(network=...)` in store/facts.py); a "
    "branch selection reads the branch months as before. The survey sums per branch and day, the weighted "
    "SERVQUAL parts and the RATER group sums gained branch × month twins (`rollup_survey_months`, "
    "`rollup_weighted_component_months`, `rollup_rater_months`). Measured apart on the 10 M store: each page's "
    "reads recorded on the demo, timed as `make bench` times them (median of 5 passes), the code before on the "
    "store before and the code after on a copy with the new tables, alternating, two runs each. Default "
    "filter: Components 149, 127 -> 70, 82 ms; its Five RATER groups view 200, 211 -> 133, 110; gap by quarter "
    "142, 139 -> 105, 113; the two alpha views 132-157 -> 95-113; Gaps 144, 160 -> 116, 108; Gaps by region "
    "140, 150 -> 86, 93; Consistency 153, 148 -> 121, 134 and its three measure views 100-140 -> 72-86; "
    "Overview 739, 645 -> 541, 550. No filter: Components 274, 214 -> 100, 100; RATER groups 339, 308 -> 124, "
    "140; Gaps 266, 260 -> 140, 129; Gaps by region 258, 260 -> 157, 115. One channel: Gaps 135, 109 -> 94, 87 "
    "and Gaps by region 126, 107 -> 90, 83; the other views within the runs' spread. One region (branch rows): "
    "unchanged within the spread. In these three scenarios 19 of the 42 Components, Gaps and Consistency cells "
    "meet their target in both runs, against 8 before. Per read, default filter: `component_item_variances` 47 "
    "-> 25 ms, `component_gaps` 29 -> 11-14, `component_gap_monthly` 17 -> 8, `servqual_weighted` 52 -> 22, "
    "`servqual_rater_gaps` 71 -> 24, `consistency_branch_months` 46 -> 32, `monthly_survey` 21 -> 11, "
    "`branch_gaps` 17 -> 12. On the 10 M store "
    "the weighted and RATER month twins took 7.3 s to build; a ticket import keeps all six (they read no "
    "ticket).",
    "- **Exact percentiles** (handling medians and 90th percentiles): each series of handling times is cut into "
    "128 value buckets. The counts per bucket in the filter (month tables, plus the partial months' days) give "
    "the bucket holding the wanted rank, and only that bucket's values are sorted; the result is exactly "
    "`percentile_cont` over the same rows. With a branch selection the per channel × priority percentiles "
    "(`handling_targets`) count every complaint of the period (there is no per-branch month table per pair), "
    "so that one read stays near the bare scan of the complaints.",
    "- **Rows behind the numbers** sorted by time finds the day range of the requested page from the day "
    "counts and reads only those row groups; other sort keys sort the filtered tickets (plain speed).",
    "- **Explore** medians per cell (`explore_tickets`, Kaplan-Meier) sort the complaints' times of each "
    "cell, twice (the number at risk, then the survival product), but only up to a bound: counting the "
    "open complaints as never handled, once ceil(N / 2) of a cell's N are handled the survival is at most"
    " 1/2 (Kaplan-Meier only moves a censored case's share to later times), so the times above the "
    "largest handled one of the first part of the times that reaches that count (the times cut at powers "
    "of 2^(1/8)) are counted at risk but not sorted; the windows partition by a number per cell and "
    "measure instead of the cell's keys (strings, often null: twice as slow). Same rows as before on the "
    "10 M store and on the demo (six dimension choices, compared row by row to 6 decimals); "
    "tests/store/test_queries_survival.py holds it against scipy.stats.ecdf and a hand-worked case the "
    "bound cuts. Measured on 2026-12-04 on the 10 M store, each view's recorded reads timed as `make "
    "bench` times them (median of 5), before and after alternating, two runs each, `explore_tickets` by "
    "region: default filter 1,370-1,450 -> 559-838 ms; no filter (three years) 3,405-4,466 -> 1,895-2,274"
    " ms; one channel 384-529 -> 270-319 ms; one region 238-344 -> 147-191 ms. Still the slowest read "
    "left: the period's complaints are read into a table per cell (about 1 s of CPU for the three years' "
    "6 M) before anything is cut. The share resolved within target no longer reads `explore_tickets` at "
    "all: its counts come from the ticket rollups (`explore_within_target`, generated from the catalogue "
    "like `explore_complaints`; tests/store/test_rollups.py holds them equal to `explore_tickets`' counts"
    " in every scenario): that view's reads, the same day, 1,345-1,396 -> 30-31 ms under the default "
    "filter, 3,656-3,665 -> 35-36 ms with none, 360-460 -> 33-40 ms for one channel, 248-329 -> 29-37 ms "
    "for one region. Survey measures read per-respondent scores. The sums per cell (`-- Measures: ... by "
    "cell`, and a Rows count of one cell) read the period's whole months from the month twins and only the "
    "cut months' days from the day tables, unless a dimension (or the cell) is a weekday, which reads every "
    "day (`generate.for_weekday`, 2026-12-06; before, a year of one component's gaps by region summed its "
    "318,000 day rows: 62 of a 66 ms read).",
    "- **Narrower selections.** The survey rollups carry each answer's channel and segment. The ticket sums per "
    "branch and day have finer twins, smallest first: by channel, by segment, complaints by category (with a "
    "month twin), and by every cell (channel, segment, category and component: `rollup_ticket_cells`, 5.7 M rows "
    "at 10 M tickets). A generated read steps down that ladder one rung per selection its source cannot answer, "
    "so it ends on the smallest table that answers every selection set (store/generate.py, `Request.ladder`). "
    "The channel, segment and cell tables have month twins (the cells: 1.0 M rows by month), read for a "
    "period's whole months: measured on 2026-12-06, each page's recorded reads before and after alternating "
    "in one process, median of five, the Consistency page 216 -> 197 ms under one component and 120 -> 95 "
    "under one category, Complaints 622 -> 431 and 528 -> 389, Components under one channel 84 -> 72 (a twin "
    "of the coarse day table was no faster: a year of it is 44,000 rows). "
    "Measured on 2026-12-05 on the 10 M store, one year, runs 2-5 of five, before -> after: one channel, "
    "`consistency_branch_months` 71-78 -> 41-45 ms, `consistency_branch_measures` 68-70 -> 39-41, "
    "`complaint_summary` 27-29 -> 8-9; one segment, 74-80 -> 38-55, 53-54 -> 38-42, 33-35 -> 8-13. The Rows "
    "page's first page bounds its read by the day counts of whichever table answers the selection (one segment "
    "350-360 -> 77-110 ms, one component 384-404 -> 155-178). The backlog's open complaints carry every "
    "selection column. With components selected, the respondent-level survey reads (`branch_gaps`, the "
    "Kruskal-Wallis reads, the consistency gap, the RATER gaps) average each respondent's selected component "
    "means from `rollup_response_components` (`queries/fragments/respondent_gaps.sql`); with one component, a "
    "respondent's gap is their gap on it, so nothing is regrouped: the sums come from "
    "`rollup_component_days` and, for the whole months, `rollup_component_months`, scaled, the respondents' "
    "rows from `rollup_response_components` as they are (a `-- Rollup choice: ... when one $components` line). "
    "Measured on 2026-12-05 on the 10 M store, one year, courtesy, one process, runs 2-5 of five, before -> "
    "after the day sums: `consistency_branch_measures` 330-347 -> 86-107 ms, `consistency_branch_months` "
    "345-366 -> 115-122, `consistency_gap_rank_sums` 224-297 -> 86-104, `consistency_gap_ties` 183-222 -> "
    "72-100, `servqual_rater_gaps` 334-459 -> 78-95, `explore_survey` by region 303-374 -> 74-95, "
    "`branch_gaps` 226-272 -> 56-59; then with the month sums, the same evening: "
    "`consistency_branch_months` 130-153 -> 62-88, `consistency_branch_measures` 73-76 -> 47-55, "
    "`branch_gaps` 35-38 -> 27-32, `explore_survey` 82-92 -> 65-74. The handling percentiles "
    "(`handling_summary`, `handling_targets`) count such a selection over every day of the period in "
    "`rollup_complaint_handling` instead of the month tables. No selection runs a plain form: "
    "`python -m servicequality sql NAME --selected channels` shows which SQL runs.",
    "- **Survey performance** (percent of maximum possible, for surveys with or without expectations) reads "
    "`rollup_response_performance`, the per response × component view materialised in date order; most of "
    "its queries' plain form is the same text on the view (an `-- Oracle:` header line). "
    "`performance_respondents` returns one row per respondent of the period, a column per component (the "
    "derived importance regression needs them; its bootstrap resamples at most 20,000 of them, "
    "stats/drivers.py), from `rollup_respondent_performance`, those rows pivoted once per refresh (one row per "
    "respondent, not ten to pivot at each read; its plain form computes both rollups from their models). "
    "`component_performance` aggregates the per response × component rows in one pass per read. "
    "Returning 680,000 rows a year is most of what the ratings view of the Components page still costs.",
    "- **Handling percentiles** cost most of the Overview's and the Complaints page's time: the Kaplan-Meier "
    "step numbers the handled values of every bucket that holds an open complaint's age.",
    "- **Refresh cost.** An import recomputes only the rollups that read what it wrote, and in those only "
    "its rows' days (store/rollups.py, `-- Partition:`), with the days of the open tickets that passed a target "
    "meanwhile in the tables that count lateness; the complaint-handling percentiles put the new values "
    "into the buckets they have (store/handling.py) and recompute every open complaint's age. An import still "
    "copies the store's file before writing, so a reader never meets a lock: at 10 M tickets the copy and "
    "writing it to disk take about 2.5 s of a daily import, the rollups about 4.5 s (the open complaints' "
    "ages, about 1.5 s, and DuckDB's checkpoints of the changed tables, about 1 s, the largest parts).",
    "- **Import** reads a UTF-8 CSV with DuckDB's reader and validates each batch of rows in one DuckDB "
    "statement (`ingest/bulk.py`); only the rows those rules cannot settle go through Python, and each rejected "
    "row is kept with its reason. DuckDB holds at most `SQ_IMPORT_MEMORY_MB` (1,024) while writing and spills "
    "the rest. A first import of 10 M tickets spends two thirds of its time building every rollup; a daily one "
    "copies the whole store's file first (see Import speed).",
    "- **Fixed cost per read.** A read costs DuckDB several milliseconds to plan before it runs, however few "
    "rows it touches: `component_gaps` under the default filter took 14 ms, of which binding 4.0, the "
    "optimiser 4.5 and running 4.8 (DuckDB's JSON profile, 2026-12-05), against 0.3 ms for a select of a "
    "3-row table; an `explain` of the Components page's reads takes as long as running them. That is why pages "
    "of 8 reads over the rollups sit at 100-160 ms and the 15-20 reads of the Overview and Complaints pages "
    "cost 200-400 ms before their slowest read. Tried that day: leaving out the union branches of the "
    "selections not set (sqlglot, per pattern of set parameters) saved 0-20 % of a read; one DuckDB thread "
    "instead of two, 0-10 % and slower for some; a prepared statement cannot take bound values in EXECUTE. "
    "DuckDB binds and plans every CTE of the text, read or not: the rollup ladder's extra sources made the "
    "unfiltered reads 5-10 % slower until the runner left the unread ones out of the text (Query.sql_for; "
    "2026-12-05 evening, the texts timed alternately in one process: no selection, within -13 % to +2 % of "
    "the text before the ladder). "
    "A selection nobody made still cost its clause, `($segments is null or list_contains($segments, "
    "r.segment))`, in every source of every read, bound and folded by DuckDB each time: the runner now "
    "answers each null test of a bound parameter in the text (true or false by whether the value is null, "
    "never by the value, which stays bound; store/runner.py, `_fold_nulls`; the text is kept per pattern of "
    "null parameters). And the branch list was tested on each rollup row (a year of 100 branches: about 6 M "
    "item-day rows, each against 100 ids); the reads that join the branches now test it on the 120 branches. "
    "Measured on 2026-12-05 at midnight on a quiet host, each page's recorded reads in both texts timed "
    "alternately, median of 5 (ms): default filter Components 96 -> 80, Gaps by region 105 -> 102, Rows 78 -> "
    "66, Consistency 149 -> 139; 100 of 120 branches Components 331 -> 269, Gaps 304 -> 228, Consistency 186 -> "
    "148; one category, Rows 106 -> 93; no page slower beyond the runs' spread; of the 216 page x scenario "
    "cells timed (Overview and Customers left out), 100 -> 112 under 100 ms. "
    "On 2026-12-06: a period of whole months (the default year and every sidebar scenario but the year of 100 "
    "branches, which starts on 2 January) reads no cut days, the day-table branch of each generated read left "
    "out of the text (`periods.without_cut_days`; a year's `component_item_variances` 32 -> 22 ms); each query "
    "text is parsed once per process and its parsed statement kept (`runner.parsed`: parsing was a quarter of a "
    "read, `consistency_branch_months` 8-10 of 37 ms); a drill-down sorted by a key it lists sorts on that key "
    "alone and `drill_responses` materialises its page (a year's newest responses 274 -> 57 ms); "
    "`explore_performance` groups one row per respondent (`rollup_respondent_performance`) when no dimension or "
    "selection is the component (342 -> 26 ms). Timed as above, default filter: Components 134 -> 78, Five "
    "RATER groups 170 -> 104, Consistency 175 -> 130 (a slow host that morning). In the benchmark the cells "
    "met went from 151 (03:31) to 177 of 248. "
    "Later that day, each page's recorded reads timed the same way against the text before: Explore's cells "
    "read the month twins (see Explore above; gap and perception by region 15-60 % faster, one component "
    "80 -> 38 ms); with one component selected the RATER groups read `rollup_component_months` for the whole "
    "months (`servqual_rater_gaps` 53 -> 14 ms) and `explore_performance` reads each respondent's one row as "
    "it is (153 -> 58 ms); the CTEs of a query's own `with` that nothing reads once its choices are applied "
    "are left out of the text (`runner._without_unread`); the Kruskal-Wallis tie correction is a column of "
    "`consistency_gap_rank_sums`, which builds the tie groups anyway (one read less: the Consistency page "
    "12-29 % faster in every scenario, one component 247 -> 174 ms). "
    "That evening: a cut month whose days outside the period are fewer than those inside is read as its "
    "month row less those days, their sums negated (`periods.cut_months` picks the way per month, "
    "`periods.for_period` keeps that way's branches; a group the subtraction empties is left out by each "
    "rollup's count of facts, `Rollup.rows`, in `having sum(r._rows) > 0`). A year from 2 January read "
    "January's 595,000 item-day rows; it now reads January's 62,000 month rows and 1 January's 20,000. "
    "A source that holds the period's days alone (a fragment's CTE) and a measure that is a bare sum (0 where "
    "it must be null) keep the days added; a period of whole months runs the same text as before. Measured "
    "the same evening, each page's recorded reads for the year of 100 branches, the code before and after "
    "alternating, two runs each (a busy host: the same pages took half as long an hour earlier, the ratios "
    "held): Components 240, 253 -> 150, 155 ms; Five RATER groups 282, 244 -> 184, 191; gap by quarter 251, "
    "198 -> 157, 149; a region against the network 256, 202 -> 162, 140; the alpha views 234-257 -> 130-161; "
    "Gaps 199, 193 -> 118, 154; Gaps by region 165, 191 -> 117, 149. Left: the 100 branches' whole months "
    "come from the branch month tables (`component_item_variances`, 45-75 ms of those pages). Tried by hand "
    "on `component_gaps` (2026-12-06): the network's months less the 20 other branches' months, 40 -> 22 ms; "
    "not built: which way is shorter depends on how many branches the store has, which the text cannot "
    "know. "
    "Instead (the same night): every survey month table holds channel × segment, which a read selecting "
    "neither sums away; a year of 100 branches read 745,000 rows of `rollup_item_months`, 32,000 once summed "
    "over them. Each survey rollup with a month twin now has a **brief twin** summed over channel and segment "
    "(per branch and month, and for the network per month where it has a network twin: "
    "`Rollup.brief_months`, `brief_network`, ten small tables generated from the month twins by "
    "`twins.brief_twins`, 0.9 s to build at 10 M), read for the whole months when neither is selected; "
    "the branch of the twin a pattern does not take is left out of the text once the null tests are "
    "answered (`periods.without_dead_branches`). Each page's recorded reads on the 10 M store, the code "
    "before and after alternating, median of 5 passes, two runs each: year of 100 branches, Components "
    "142, 138 -> 72, 59 ms; Five RATER groups 137, 117 -> 85, 78; alpha of gaps 123, 146 -> 65, 67; Gaps "
    "127, 155 -> 89, 91; Gaps by region 127, 156 -> 99, 96 (`component_item_variances` 76 -> 29-44 ms); "
    "no filter, Gaps 131 -> 62; default, Gaps 83 -> 56; a channel, a segment: within the spread (they read the "
    "month twins with every column, as before).",
    "- The bare scan with no filter is a `count(*)` DuckDB answers from metadata (~1 ms); the filtered ones "
    "scan `opened_at` and `branch_id`.",
    "- Every figure is from a shared 2-core machine (see the load average above): other work slows all columns "
    "alike, the ratios less than the times.",
]


# A section measured by other tools (tools/bench/spark_build.py, spark_fallback.py), kept when the report is rewritten.
KEPT_SECTION = "\n## Rollups on Spark"


# Written by hand under the import figures (what earlier runs measured, what changed), kept as it
# is by every run: from this heading to the next "## " one.
KEPT_IMPORT_HISTORY = "\n### Earlier import measurements\n"


def write_report(path: Path, text: str) -> None:
    """`text` to `path`, keeping the old file's hand-written parts: the import history
    (KEPT_IMPORT_HISTORY, put back before the verdict) and everything from KEPT_SECTION on."""
    old = path.read_text() if path.exists() else ""
    kept = old[old.index(KEPT_SECTION) :] if KEPT_SECTION in old else ""
    if KEPT_IMPORT_HISTORY in old:
        start = old.index(KEPT_IMPORT_HISTORY)
        end = old.find("\n## ", start + 1)
        history = old[start : end if end != -1 else len(old)].rstrip("\n") + "\n"
        verdict = text.index("\n## Verdict")
        text = text[:verdict].rstrip("\n") + "\n" + history + text[verdict:]
    path.write_text(text.rstrip("\n") + "\n" + kept)
