"""Pre-aggregated tables the queries read instead of scanning every ticket and survey item.

Each rollup is one model, `models/<name>.sql`: a select over the base tables and views (or other
models) whose header names its grain and the order its rows are stored in. `refresh(con)` (re)builds
every `rollup_*` table from its model, each after the models it reads. It runs inside every
build (`store.build_atomically`: the demo and every import), so the rollups always describe
the file they are in; `python -m servicequality refresh --db PATH` rebuilds them in an
existing database (atomically, like an import).

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
The handling percentiles count a selected channel, segment, category or component over every day of
the period in rollup_complaint_handling (their month tables lack those columns); rollup_handling_values,
rollup_handling_censored and rollup_complaint_open carry the columns too. No selection falls back to
a plain form, which is the tests' and the benchmark's oracle only. Which rollup a generated query reads
is declared with the facts (store/facts.py: each fact's rollups and their grain).
"""

from __future__ import annotations

import functools
import graphlib
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import duckdb

from servicequality.store import facts
from servicequality.store.connection import row_counts

MODELS_DIR = Path(__file__).parent / "models"
# A model's header: "-- Grain: branch_id x submitted_on x ..." (the columns one row stands for),
# "-- Order: ..." (the order its rows are stored in, so a period reads only its row groups) and
# "-- Temporary: ..." (an intermediate table dropped after the refresh).
_HEADER = re.compile(r"^-- (Grain|Order|Temporary): (.+)$", re.MULTILINE)
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


@functools.cache
def models() -> tuple[Model, ...]:
    """Every model, in an order where each comes after the models it reads."""
    texts = {p.stem: p.read_text() for p in sorted(MODELS_DIR.glob("*.sql"))}
    # Each ticket sum written once, with the tickets fact (store/facts.py).
    ticket_sums = facts.model_columns("tickets")
    parsed = {}
    for name, text in texts.items():
        header = dict(_HEADER.findall(text))
        code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
        reads = frozenset(n for n in _NAMES.findall(code) if n in texts and n != name)
        parsed[name] = Model(
            name,
            text.replace("{ticket_sums}", ticket_sums).rstrip(),
            tuple(g.strip() for g in header["Grain"].split(" x ")),
            header.get("Order"),
            "Temporary" in header,
            reads,
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


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every rollup table from the base tables (inside the caller's transaction)."""
    con.execute("set enable_progress_bar = false")
    bound = settings(lambda sql: con.execute(sql).fetchall(), source_counts(con))
    for view in VIEWS:
        con.execute("drop view if exists " + view)  # names from the constants here
    for table in TABLES:
        con.execute("drop table if exists " + table)
    con.execute("create table rollup_settings as " + SETTINGS, bound)
    con.execute("create view response_component_means as " + RESPONSE_COMPONENT_MEANS)
    _build_models(con)


def _build_models(con: duckdb.DuckDBPyConnection) -> None:
    """Create every model of models/ in dependency order, then drop the temporary ones."""
    temporary = []
    for model in models():
        # Names and texts from the model files, never from input.
        kind = "temporary table" if model.temporary else "table"
        order = f" order by {model.order}" if model.order else ""
        con.execute(f"create {kind} {model.name} as select * from (\n{model.sql}\n) as m{order}")
        if model.temporary:
            temporary.append(model.name)
    for name in temporary:
        con.execute("drop table " + name)


def has_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    present = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database()"
        ).fetchall()
    }
    return all(t in present for t in TABLES + VIEWS)
