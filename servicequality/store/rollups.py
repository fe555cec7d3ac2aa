"""Pre-aggregated tables the queries read instead of scanning every ticket and survey item.

Each rollup is one model, `models/<name>.sql`: a select over the base tables and views (or other
models) whose header names its grain, the order its rows are stored in and, for most, the day or
month a row belongs to ("-- Partition:"). `refresh(con)` (re)builds every `rollup_*` table from its
model, each after the models it reads. It runs inside every build (`store.build_atomically`: the demo
and every import), so the rollups always describe the file they are in; an import recomputes only
the days its rows fall on, in the models that read what it wrote (`refresh(con, change)`), which
gives the tables a whole rebuild gives (the handling percentiles' buckets aside: store/handling.py).
`python -m servicequality refresh --db PATH` rebuilds them in an existing database (atomically, like
an import).

Exactness. The queries in `queries/` must return what their plain forms return (store.runner: the
generated sums over the base views, store.facts). Counts are counts. Means and standard deviations
are rebuilt from sums, and the survey sums are *integers*: a respondent's mean over a component's k
items is (sum of scores) / k, so it is stored multiplied by `gap_scale` = the least common multiple
of every k (and of every count of adequate items) in the data, which makes it a whole number; a
respondent's overall gap (the mean over their m components) is stored multiplied by
`respondent_scale` = gap_scale times the lcm of every m. Sums and sums of squares of whole numbers
are exact (HUGEINT), so a mean is one division and a variance (n * sum(x^2) - sum(x)^2) / (n (n -
1)) is exact up to its last rounding: the results equal the plain queries' to about 1e-15 relative
(the plain ones add doubles in whatever order DuckDB's threads meet them, so they are no more exact
than that). Only importance shares (points / a respondent's total) are summed as doubles.

Grain: branch and day, so any period of whole days and any set of branches, regions or branch
types is answered exactly. The larger tables also have a branch x month twin: a query reads the
period's whole months there and only its partial first and last months from the day table (two
date ranges, so DuckDB skips the other row groups).

Exact percentiles of the complaint handling times without sorting every value: the values of each
series (models/tmp_handling_values.sql) lie in 128 buckets of disjoint value ranges. The k-th smallest
value of a series in a filter is found in two steps: its counts per bucket in the filter (whole
months from rollup_handling_months or rollup_handling_network_months, other days from
rollup_complaint_handling) give the bucket and the rank inside it; that bucket's values in the
filter (rollup_handling_values), sorted, give the value (or the bucket's only value, without
reading any). A percentile_cont is two such values interpolated as percentile_cont does.

The survey rollups' grain also holds the response's channel and segment (every answer has one of
each, and a branch-day holds a handful of responses, so they grow little): survey queries filter
channel and segment selections on the rollups themselves. A component selection changes which
components a respondent's overall (or RATER group) gap averages: those queries then average the
selected ones from rollup_response_components (respondent_scale holds every count of components up
to the largest, so any subset is still an exact integer). The ticket sums per branch and day have
a finer twin, rollup_ticket_cells (branch x day x channel x segment x category x component): a
query whose header says "-- Rollup choice: rollup_ticket_days -> rollup_ticket_cells when ..." reads
it when one of those selections is set (store.runner), and the coarse table carries those columns as
nulls so one query text filters both; the category and channel counts switch to it the same way.
Those finer tables (rollup_ticket_channels, _segments, _cells) have month twins summed from them
(rollup_ticket_channel_months, ...; their models are generated, `twins.month_twins`, from the Rollup
declarations of store/facts.py): at 10 M tickets the cells are 5.7 M rows by day, 1.0 M by
month, and the Consistency page under one category or component took 25-32 % less time. The
coarse table has none: a year of its day rows (44,000) was read as fast as months and a cut one.
A month twin reads the as-of time through its day table, so an import that moves it recomputes the
months of the days recomputed there.
The handling percentiles count a selected channel, segment, category or component over every day of
the period in rollup_complaint_handling (their month tables lack those columns); rollup_handling_values,
rollup_handling_censored and rollup_complaint_open carry the columns too. No selection falls back to
a plain form, which is the tests' and the benchmark's oracle only. Which rollup a generated query reads
is declared with the facts (store/facts.py: each fact's rollups and their grain).
"""

from __future__ import annotations

import datetime as dt
import functools
import graphlib
import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import duckdb

from servicequality.store import facts, handling, twins
from servicequality.store.connection import row_counts

MODELS_DIR = Path(__file__).parent / "models"
# A model's header: "-- Grain: branch_id x submitted_on x ..." (the columns one row stands for),
# "-- Order: ..." (the order its rows are stored in, so a period reads only its row groups) and
# "-- Temporary: ..." (an intermediate table dropped after the refresh) and "-- Partition: day EXPR" or
# "-- Partition: month EXPR" (a row's day or month, an expression over its columns, such that the row
# depends only on base rows of that day or month, and on the data's as-of time only through the view
# ticket_as_of (AS_OF_VIEW): an import's refresh recomputes only those; see refresh).
_HEADER = re.compile(r"^-- (Grain|Order|Temporary|Partition): (.+)$", re.MULTILINE)
_PARTITION = re.compile(r"(day|month) (.+)")
_NAMES = re.compile(r"\b((?:rollup|tmp)_\w+)\b")


@dataclass(frozen=True)
class Model:
    """One rollup: `models/<name>.sql`, a select over the base tables and views (or other models)."""

    name: str
    sql: str
    grain: tuple[str, ...]
    order: str | None
    temporary: bool
    reads: frozenset[str]  # the other models it reads
    partition: tuple[str, str] | None = None  # ("day" or "month", the expression giving it)


def _without_comments(sql: str) -> str:
    """The SQL without its `--` comments (no model has `--` inside a string)."""
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


@functools.cache
def models() -> tuple[Model, ...]:
    """Every model, in an order where each comes after the models it reads."""
    texts = {p.stem: p.read_text() for p in sorted(MODELS_DIR.glob("*.sql"))}
    texts |= twins.month_twins(texts) | twins.brief_twins(texts)
    # Each ticket sum written once, with the tickets fact (store/facts.py).
    ticket_sums = facts.model_columns("tickets")
    ticket_sums_of_sums = facts.sums_of_sums("tickets")
    parsed = {}
    for name, text in texts.items():
        header = dict(_HEADER.findall(text))
        code = _without_comments(text)
        reads = frozenset(n for n in _NAMES.findall(code) if n in texts and n != name)
        partition = _PARTITION.fullmatch(header["Partition"].strip()) if "Partition" in header else None
        if "Partition" in header and (partition is None or "Temporary" in header):
            raise ValueError(f"models/{name}.sql: '-- Partition: day EXPR' or 'month EXPR', on a table that stays")
        parsed[name] = Model(
            name,
            text.replace("{ticket_sums}", ticket_sums).replace("{ticket_sums_of_sums}", ticket_sums_of_sums).rstrip(),
            tuple(g.strip() for g in header["Grain"].split(" x ")),
            header.get("Order"),
            "Temporary" in header,
            reads,
            (partition[1], partition[2].strip()) if partition else None,
        )
    ordered = graphlib.TopologicalSorter({n: sorted(m.reads) for n, m in parsed.items()}).static_order()
    return tuple(parsed[n] for n in ordered)


def model(name: str) -> Model:
    return next(m for m in models() if m.name == name)


def as_ctes(tables: set[str] | frozenset[str]) -> str:
    """The models of these rollup tables, and every model they read, as CTEs (`name as (...)`,
    comma-separated, each after those it reads): the plain form of a query that reads them."""
    wanted: set[str] = set()
    stack = [t for t in tables if t != "rollup_settings"]
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted.add(name)
            stack.extend(model(name).reads)
    return ",\n".join(f"{m.name} as (\n{m.sql}\n)" for m in models() if m.name in wanted)


# Every table refresh writes (the settings, then each model that is not temporary).
TABLES = ("rollup_settings", *(m.name for m in models() if not m.temporary))

# Views over the rollups' settings (the scale), rebuilt with them.
VIEWS = ("response_component_means",)

MAX_SCALE = 10**12  # guard: beyond this the squared sums could overflow HUGEINT at 10^9 rows


def _lcm(values) -> int:
    return reduce(math.lcm, (int(v) for v in values if v), 1)


# Base tables whose row counts are recorded with the rollups, so a stale set can be detected.
SOURCES = (
    "branches",
    "customers_served",
    "complaint_categories",
    "service_targets",
    "components",
    "tickets",
    "survey_responses",
    "survey_scores",
    "survey_importance",
)


def source_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return row_counts(con, SOURCES)


def definition() -> str:
    """A fingerprint of the code that builds the rollups (this file, the models, the views of
    schema.sql they read): a file built by other code is stale."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update((Path(__file__).parent / "schema.sql").read_bytes())
    for m in models():
        digest.update(m.sql.encode())
    return digest.hexdigest()


def is_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every rollup exists, was built by this code, from base tables of today's row counts.

    Every write goes through store.build_atomically, which refreshes, so this only guards
    files written by older versions or by hand."""
    if not has_rollups(con):
        return False
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_name = 'rollup_settings'"
        ).fetchall()
    }
    if "definition" not in columns:
        return False
    recorded, built_by = con.execute("select source_counts, definition from rollup_settings").fetchone()
    return built_by == definition() and recorded == json.dumps(source_counts(con), sort_keys=True)


# The item counts per response and component fix the scale: every count k of a component's items
# (and of its items with an adequate level) must divide gap_scale.
SCALE_COUNTS = (
    "select distinct k, ka from (select count(*) as k, count(sc.adequate) as ka from servqual_scores as sc "
    "group by sc.response_id, sc.component_key)"
)
# Any m components of a respondent may be averaged (the overall gap, a RATER group, the components
# selected in the sidebar): the scale takes every count up to the largest m.
MOST_COMPONENTS = (
    "select coalesce(max(m), 1) from (select count(distinct component_key) as m from servqual_scores "
    "group by response_id)"
)
SETTINGS = (
    "select cast($g as bigint) as gap_scale, cast($r as bigint) as respondent_scale, "
    "cast($c as varchar) as source_counts, cast($d as varchar) as definition"
)
# Per response and component, scaled: p = mean perception * gap_scale, and so on (whole numbers).
# A view (the plain form of the queries that read its materialisation, "-- Oracle:") over
# rollup_settings; rebuilt with the rollups.
RESPONSE_COMPONENT_MEANS = """
with rc as (
    select
        sc.response_id,
        sc.component_key,
        count(*) as k,
        count(sc.adequate) as ka,
        sum(sc.perception) as sum_p,
        sum(sc.expectation) as sum_e,
        sum(sc.adequate) as sum_a,
        -- the zone of tolerance pairs item by item: P and E of the items with an adequate level
        sum(case when sc.adequate is not null then sc.perception end) as sum_pa,
        sum(case when sc.adequate is not null then sc.expectation end) as sum_ea
    from servqual_scores as sc
    group by sc.response_id, sc.component_key
)
select
    r.branch_id,
    cast(r.submitted_at as date) as submitted_on,
    r.channel,
    r.segment,
    r.response_id,
    rc.component_key,
    cast(rc.sum_p * (st.gap_scale // rc.k) as bigint) as p,
    cast(rc.sum_e * (st.gap_scale // rc.k) as bigint) as e,
    case when rc.ka > 0 then cast(rc.sum_a * (st.gap_scale // rc.ka) as bigint) end as a,
    case when rc.ka > 0 then cast(rc.sum_pa * (st.gap_scale // rc.ka) as bigint) end as pa,
    case when rc.ka > 0 then cast(rc.sum_ea * (st.gap_scale // rc.ka) as bigint) end as ea
from rc
join survey_responses as r on r.response_id = rc.response_id
cross join rollup_settings as st
"""


def settings(fetchall: Callable[[str], list[tuple]], counts: dict[str, int]) -> dict[str, object]:
    """The bound parameters of SETTINGS: the scales from the survey's item counts (`fetchall` runs
    a query on the engine at hand, DuckDB or Spark), the source counts and the code's fingerprint."""
    pairs = fetchall(SCALE_COUNTS)
    gap_scale = _lcm([k for k, _ in pairs] + [ka for _, ka in pairs])
    ((most,),) = fetchall(MOST_COMPONENTS)
    respondent_scale = gap_scale * _lcm(range(1, int(most) + 1))
    if respondent_scale > MAX_SCALE:
        raise ValueError(f"Survey item counts give a scale of {respondent_scale}; rollups need at most {MAX_SCALE}.")
    return {"g": gap_scale, "r": respondent_scale, "c": json.dumps(counts, sort_keys=True), "d": definition()}


@dataclass(frozen=True)
class Before:
    """The store before an import wrote: were its rollups fresh, and the data's as-of time then."""

    fresh: bool
    as_of: dt.datetime | None


@dataclass(frozen=True)
class Change:
    """What an import appended, for `refresh` to recompute only what it touches: the fact tables it
    added rows to (never a reference table's rows replaced: that is a whole refresh), and the days
    those rows fall on."""

    before: Before
    tables: frozenset[str]
    days: tuple[dt.date, ...]


def before_change(con: duckdb.DuckDBPyConnection) -> Before:
    """Call before an import writes: what `Change` needs to know of the store as it was."""
    return Before(is_fresh(con), as_of(con))


def as_of(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The data's as-of time (the view ticket_as_of): an open ticket's age runs to it."""
    ((value,),) = con.execute("select as_of from ticket_as_of").fetchall()
    return value


# Refreshed: (model, "whole" or "12 days" or "3 months": what was recomputed, seconds), in build order.
Refreshed = list[tuple[str, str, float]]


def refresh(con: duckdb.DuckDBPyConnection, change: Change | None = None) -> Refreshed:
    """Rebuild the rollup tables from the base tables (inside the caller's transaction).

    Without `change` every table is rebuilt. With it (an import appended rows), only what those rows
    can change is recomputed, and the result is the same table a whole rebuild gives
    (tests/store/test_incremental_refresh.py):
    - a model that reads none of the tables written (through the views and models it reads) is kept;
    - a model with a "-- Partition: day EXPR" (or month) header loses its rows of the days (months)
      the import's rows fall on and gets them again from its select, filtered to those days; when the
      import moved the data's as-of time, so are the days of the open tickets that passed a target
      meanwhile (AS_OF_DAYS), in the models that read the as-of time (AS_OF_VIEW);
    - the complaint-handling percentile models put the new values into the buckets they have
      (store/handling.py): the same query results, with buckets of other sizes than a new tiling;
    - any other model is rebuilt whole (the sidebar's values), and so is every temporary model a
      recomputed one reads.
    It is a whole rebuild when the rollups were not fresh before the import, or when the survey's
    item counts change the scales every survey sum is multiplied by."""
    con.execute("set enable_progress_bar = false")
    if change is not None and change.before.fresh and "survey_scores" not in change.tables:
        # The scales come from the survey items (SCALE_COUNTS, MOST_COMPONENTS): without new items they
        # stay (and are not counted again over every score: 4.5 s at 46 M scores).
        ((gap_scale, respondent_scale),) = con.execute(
            "select gap_scale, respondent_scale from rollup_settings"
        ).fetchall()
        counts = json.dumps(source_counts(con), sort_keys=True)
        bound = {"g": gap_scale, "r": respondent_scale, "c": counts, "d": definition()}
    else:
        bound = settings(lambda sql: con.execute(sql).fetchall(), source_counts(con))
    if change is None or not change.before.fresh or not _same_scales(con, bound):
        for view in VIEWS:
            con.execute("drop view if exists " + view)  # names from the constants here
        for table in TABLES:
            con.execute("drop table if exists " + table)
        con.execute("create table rollup_settings as " + SETTINGS, bound)
        con.execute("create view response_component_means as " + RESPONSE_COMPONENT_MEANS)
        return _build_models(con, {m.name: "whole" for m in models()}, (), ())
    con.execute("delete from rollup_settings")
    con.execute("insert into rollup_settings " + SETTINGS, bound)
    plan, days, new_days = _plan(con, change.tables), _days(con, change), tuple(sorted(change.days))
    done: Refreshed = []
    if plan.keys() & set(handling.MODELS):
        # The percentile buckets take the new values in (store/handling.py), unless a series is new or
        # a bucket has outgrown its tiling: then they are tiled anew (the family rebuilt whole).
        part = handling.refresh(con, new_days)
        if part is not None and not handling.outgrown(con):
            done = part
            plan = {name: how for name, how in plan.items() if name not in handling.MODELS}
    return done + _build_models(con, plan, days, new_days)


def _same_scales(con: duckdb.DuckDBPyConnection, bound: dict[str, object]) -> bool:
    if not has_rollups(con):
        return False
    ((gap_scale, respondent_scale),) = con.execute("select gap_scale, respondent_scale from rollup_settings").fetchall()
    return (gap_scale, respondent_scale) == (bound["g"], bound["r"])


# The days of the open tickets whose counts change when the as-of time moves from $old to now: a
# ticket still open is counted as late (facts.py: within target, judged, late) from the moment its
# age passes a target on, so only the tickets whose target passed in between change a count. The
# ages themselves are stored only by the handling models, which recompute every open complaint
# (store/handling.py), never by a partitioned one. (The first condition follows from the second, on
# a raw column: a ticket with an open age has status open. It keeps the other tickets out of the
# view's joins and ages: 661 -> 129 ms at 10 M tickets.)
AS_OF_DAYS = """
select distinct f.opened_on
from ticket_facts as f
where (f.status = 'open' or $old is null)
    and ($old is null
    or (f.first_response_open_minutes > f.first_response_target
        and date_diff('second', f.opened_at, $old) / 60.0 <= f.first_response_target)
    or (f.resolution_open_minutes > f.resolution_target
        and date_diff('second', f.opened_at, $old) / 60.0 <= f.resolution_target))
"""


def _days(con: duckdb.DuckDBPyConnection, change: Change) -> tuple[dt.date, ...]:
    """The days to recompute: the new rows' days, and those of the open tickets that passed a target
    while the as-of time moved."""
    days = set(change.days)
    if "tickets" in change.tables and as_of(con) != change.before.as_of:
        days.update(d for (d,) in con.execute(AS_OF_DAYS, {"old": change.before.as_of}).fetchall())
    return tuple(sorted(days))


_WORD = re.compile(r"\b[a-z_][a-z0-9_]*\b")


def _reads(con: duckdb.DuckDBPyConnection) -> dict[str, frozenset[str]]:
    """Every model's base tables and views: those its SQL names, through the views and models it
    reads (a word that only looks like a table's name counts too: more is recomputed, never less).
    Its comments name nothing: a header saying "at 10 M tickets" would make a survey model recompute
    at every ticket import."""
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database() "
            "and table_type = 'BASE TABLE'"
        ).fetchall()
    } - set(TABLES)
    views = {
        name: text.lower()
        for name, text in con.execute(
            "select view_name, sql from duckdb_views() where database_name = current_database() and not internal"
        ).fetchall()
    }

    @functools.cache
    def of_view(name: str) -> frozenset[str]:
        words = set(_WORD.findall(views[name])) - {name}
        return frozenset(words & (tables | views.keys())).union(*(of_view(v) for v in words & views.keys()))

    reads: dict[str, frozenset[str]] = {}
    for m in models():
        words = set(_WORD.findall(_without_comments(m.sql).lower()))
        reads[m.name] = frozenset(words & (tables | views.keys())).union(
            *(of_view(v) for v in words & views.keys()), *(reads[r] for r in m.reads)
        )
    return reads


# A partitioned model that does not read the as-of time (through the views and models it reads)
# recomputes only the days of the new rows, not those of the open tickets that passed a target
# meanwhile (_days): in a daily import of 50,000 tickets into the 10 M-ticket store, 5 days instead
# of 13 for rollup_complaint_open and rollup_ticket_categories, 1 month instead of 2 for
# rollup_complaint_category_months.
AS_OF_VIEW = "ticket_as_of"


def _plan(con: duckdb.DuckDBPyConnection, written: frozenset[str]) -> dict[str, str]:
    """Per model to recompute: "whole", "part" (its days or months) or "new" (those of the new rows
    only: it does not read the as-of time); the others are kept."""
    reads = _reads(con)
    plan = {
        m.name: ("whole" if not m.partition else "part" if AS_OF_VIEW in reads[m.name] else "new")
        for m in models()
        if reads[m.name] & written
    }
    for m in reversed(models()):  # a temporary model a recomputed one reads is rebuilt whole
        if m.name in plan:
            for name in m.reads:
                if model(name).temporary:
                    plan[name] = "whole"
    return plan


# A day partition that is the day of a column (a timestamp or a date: one a date compares with). Its
# days are selected by a range of the column itself, which the scan checks against each row group's
# minimum and maximum; a range of the cast was checked row by row after the view's joins
# (rollup_complaint_open's 5 days at 10 M tickets: 205 -> 7 ms to select, 0.39-0.52 -> 0.05-0.07 s
# to recompute in a daily import).
_DAY_OF = re.compile(r"cast\((\w+) as date\)")


def _build_models(
    con: duckdb.DuckDBPyConnection, plan: dict[str, str], days: tuple[dt.date, ...], new_days: tuple[dt.date, ...]
) -> Refreshed:
    """Build the models of the plan in dependency order (whole, or the rows of their days again: `days`,
    or `new_days` for a model planned "new"), then drop the temporary ones."""
    done: Refreshed = []
    temporary = []
    for m in models():
        mode = plan.get(m.name)
        if mode is None:
            continue
        started = time.perf_counter()
        # Names, texts and expressions from the model files, never from input; the days are bound.
        if mode == "whole":
            build_whole(con, m)
            if m.temporary:
                temporary.append(m.name)
        else:
            grain, expr = m.partition
            chosen = new_days if mode == "new" else days
            values = sorted({d.replace(day=1) for d in chosen} if grain == "month" else set(chosen))
            if not values:
                continue
            mode = f"{len(values)} {grain}s"
            lo, hi = values[0], values[-1]
            where = f"({expr}) between $lo and $hi"
            timestamp = _DAY_OF.fullmatch(expr) if grain == "day" else None
            if timestamp:  # the same days as a range of the column itself: DuckDB skips row groups by it
                where = f"{timestamp[1]} >= $lo and {timestamp[1]} < $hi + 1"
            bound = {"lo": lo, "hi": hi}
            if len(values) < _span(grain, lo, hi):  # not every day (month) of the range: the list picks them
                where += f" and list_contains($values, {expr})"
                bound["values"] = values
            replace_rows(con, m, where, bound)
        done.append((m.name, mode, time.perf_counter() - started))
    for name in temporary:
        con.execute("drop table " + name)
    return done


def _span(grain: str, lo: dt.date, hi: dt.date) -> int:
    """The days (months) from `lo` to `hi`, both counted. When an import's rows cover every one of
    them (the first import of a chain's history: 1,090 days at 10 M tickets), the range alone selects
    them, and no row is looked up in a list of 1,090 days (rollup_ticket_cells: 16.0 -> 14.4 s)."""
    if grain == "month":
        return (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    return (hi - lo).days + 1


def build_whole(con: duckdb.DuckDBPyConnection, m: Model) -> None:
    """Model `m`'s table (or temporary table) built anew from its select, in its order."""
    kind = "temporary table" if m.temporary else "table"
    order = f" order by {m.order}" if m.order else ""
    con.execute(f"create or replace {kind} {m.name} as select * from (\n{m.sql}\n) as m{order}")


def replace_rows(con: duckdb.DuckDBPyConnection, m: Model, where: str, bound: dict) -> None:
    """The rows of model `m`'s table where `where` (over its columns) holds, again from its select."""
    order = f" order by {m.order}" if m.order else ""
    con.execute(f"delete from {m.name} where {where}", bound)
    con.execute(f"insert into {m.name} select * from (\n{m.sql}\n) as m where {where}{order}", bound)


def has_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    present = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database()"
        ).fetchall()
    }
    return all(t in present for t in TABLES + VIEWS)
