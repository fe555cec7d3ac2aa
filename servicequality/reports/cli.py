"""`python -m servicequality report` (the snapshot report of a period and scope, as PDF or HTML) and
`python -m servicequality alerts` (rules evaluated, new signals sent by e-mail and webhook)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import tomllib
from pathlib import Path

from servicequality import store
from servicequality.metrics import formats
from servicequality.reports import alerts, deliver, html, pdf, snapshot
from servicequality.store import rollups

FORMATS = ("pdf", "html")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=store.DEFAULT_DB, help="database file (default: %(default)s)")
    parser.add_argument(
        "--period",
        required=True,
        help="a month (2025-11), a quarter (2025-Q3), a year (2025) or days (2025-01-01..2025-03-31)",
    )
    parser.add_argument(
        "--scope",
        choices=snapshot.SCOPES,
        default="executive",
        help="executive: every branch; region: one region (--region); branch: one branch (--branch)",
    )
    parser.add_argument("--region", help="the region of a region report")
    parser.add_argument("--branch", help="the branch id of a branch report (e.g. B012)")
    parser.add_argument("--out", type=Path, required=True, help="the file to write: report.pdf or report.html")
    parser.add_argument("--format", choices=FORMATS, help="pdf or html (default: from the --out suffix)")
    parser.add_argument(
        "--min-n", type=int, default=30, help="fewest responses for a branch to be compared (default: %(default)s)"
    )


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise snapshot.ReportError(
        f"Cannot tell the format from {args.out.name!r}: end it in .pdf or .html, or give --format."
    )


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        kind = _format(args)
        period = snapshot.parse_period(args.period)
        con = store.connect_read_only(args.db)
    except (snapshot.ReportError, store.StoreError) as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    try:
        if not rollups.is_fresh(con):
            print(
                f"report: {args.db} was written by an older version: run "
                f"`python -m servicequality refresh --db {args.db}` first.",
                file=sys.stderr,
            )
            return 2
        run_query = store.query_runner(con)
        value = args.region if args.scope == "region" else args.branch if args.scope == "branch" else None
        scope = snapshot.resolve_scope(args.scope, value, run_query("filter_branches"))
        snap = snapshot.gather(run_query, period, scope, min_n=args.min_n)
    except snapshot.ReportError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    document = html.render(snap, source=args.db.name)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "html":
        args.out.write_text(document, encoding="utf-8")
        size = args.out.stat().st_size
    else:
        header = f"{snap.period.words} · {snap.scope.words} · {snap.filters.describe(snap.branch_names)}"
        try:
            size = pdf.html_to_pdf(document, args.out, header=header)
        except pdf.PdfError as exc:
            print(f"report: {exc}", file=sys.stderr)
            return 2
    seconds = time.perf_counter() - started
    what = f"{snap.period.words}, {snap.scope.words}"
    print(f"report: wrote {args.out} ({kind}, {size / 1e6:.1f} MB) for {what} in {seconds:.1f} s")
    return 0


def configure_alerts(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, required=True, help="the alert rules and where to send (TOML)")
    parser.add_argument("--db", type=Path, default=store.DEFAULT_DB, help="database file (default: %(default)s)")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        help="evaluate the last whole month up to this day (YYYY-MM-DD; default: the store's last day)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the signals; send nothing, remember nothing")


def run_alerts(args: argparse.Namespace) -> int:
    try:
        config = tomllib.loads(args.config.read_text(encoding="utf-8"))
        rules = alerts.parse_rules(config)
        delivery = deliver.parse_delivery(config, args.config)
        con = store.connect_read_only(args.db)
    except FileNotFoundError as exc:
        print(f"alerts: no such file: {exc.filename}", file=sys.stderr)
        return 2
    except (tomllib.TOMLDecodeError, alerts.AlertConfigError, store.StoreError) as exc:
        print(f"alerts: {args.config.name}: {exc}", file=sys.stderr)
        return 2
    try:
        if not rollups.is_fresh(con):
            print(f"alerts: {args.db} needs `python -m servicequality refresh --db {args.db}` first.", file=sys.stderr)
            return 2
        run_query = store.query_runner(con)
        branches = run_query("filter_branches")
        bounds = run_query("date_bounds").iloc[0]
        as_of = args.as_of or (formats.data_span(bounds["first_day"], bounds["last_day"]) or (None, None))[1]
        if as_of is None:
            print(f"alerts: {args.db} holds no dated rows: nothing to check.", file=sys.stderr)
            return 2
        signals = alerts.evaluate(run_query, rules, as_of, link_base=delivery.dashboard_url)
    finally:
        con.close()
    start, end = alerts.last_whole_month(as_of)
    print(f"alerts: {len(signals)} signal(s) for {start:%B %Y} from {len(rules)} rule(s)")
    for signal in signals:
        print(f"  [{signal.rule}] {signal.line()}")
    if args.dry_run:
        return 0
    region_of = dict(zip(branches["branch_id"], branches["region"], strict=True))
    outcome = deliver.deliver(delivery, signals, region_of)
    print(
        f"alerts: sent {outcome.signals_sent} new signal(s) in {outcome.emails} e-mail(s) and "
        f"{outcome.webhooks} webhook call(s); already sent before: not again"
    )
    for failure in outcome.failures or []:
        print(f"alerts: not sent, tried again next run: {failure}", file=sys.stderr)
    return 1 if outcome.failures else 0
