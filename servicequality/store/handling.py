"""An import's refresh of the complaint-handling percentile rollups, without tiling every value anew.

A whole build (models/tmp_handling_values.sql) cuts each series' values into 128 buckets of disjoint
value ranges, so that a query finds the k-th smallest value of a filter from the counts per bucket
and then sorts one bucket's values only (rollups.py, "Exact percentiles"). Tiling sorts every value:
about 45 s of an import at 10 M tickets. An import only adds tickets (a stored ticket id is refused
again, and the imports that change categories, targets or branches rebuild everything), so the
values already bucketed stay, and the new ones are put into the buckets kept:

- a new value goes into the bucket of its series with the greatest low <= value (the series' first
  bucket when it is below them all), and that bucket's low and high widen to hold it. A value
  between two buckets widens the lower one up to it, so the ranges stay disjoint and in order, and
  every old value keeps its bucket (its bucket is still the greatest low <= it). The percentiles
  stay exact; the buckets are only no longer of equal size until the next whole rebuild;
- a bucket's count is summed again over the months (rollup_handling_network_months holds every
  series per month and bucket);
- rollup_handling_values holds the values of the buckets holding more than one distinct value: the
  new days' values, and every value of a bucket that held one value and now holds several (read
  back from rollup_complaint_handling, which keeps each value with its bucket per measure);
- an open complaint's age moves with the data's as-of time, so every open complaint is recomputed
  (rollup_complaint_handling's rows of them, rollup_handling_censored whole): 176,000 of the 6 M
  complaints at 10 M tickets.

What is recomputed, with D the days of the new rows and M their months (the days of the open
tickets that passed a target while the as-of time moved, which rollups._days adds for the other
models, need nothing more here: every open complaint is recomputed, and a closed complaint's values
and targets do not depend on the as-of time):
  tmp_complaints                  the complaints of M, and every complaint still open
  tmp_handling_measured, _values  their values, bucketed as above
  rollup_handling_months,
  rollup_handling_network_months  the months M
  rollup_handling_buckets         low and high widened, counts summed again
  rollup_complaint_handling       the days D, and every open complaint
  rollup_handling_values          the days D, and the buckets that now hold several values
  rollup_handling_censored        whole (open complaints only)
A value of a series the buckets do not have (a channel and priority pair not seen before, or the
first handled or targeted complaint of a measure) falls back to rebuilding the family whole (`refresh`
returns None before changing any table): series are numbered over all of them.

Keeping the buckets has a cost that grows: a drift in handling times piles new values into a series'
first or last bucket, which a percentile query then sorts whole. So when a bucket of several values
holds more than OUTGROWN_MIN values and more than twice its count when tiled plus a bucket's share
of its series (`outgrown`), the family is rebuilt whole after all: a rebuild per doubling. (Between
whole rebuilds the open complaints and new days are also appended at the end of
rollup_complaint_handling and rollup_handling_values, so their date and bucket order, which lets a
read skip row groups, frays. Neither changes a result.)
tests/store/test_incremental_refresh.py checks every handling query against a whole rebuild.
"""

from __future__ import annotations

import datetime as dt
import time

import duckdb

# The models this refresh builds (rollups.refresh hands them all to it), in its order.
MODELS = (
    "tmp_complaints",
    "tmp_handling_measured",
    "tmp_handling_values",
    "rollup_handling_months",
    "rollup_handling_network_months",
    "rollup_handling_buckets",
    "rollup_complaint_handling",
    "rollup_handling_values",
    "rollup_handling_censored",
)

# A bucket sorted by a percentile query in a few milliseconds whatever its growth: never re-tiled for.
OUTGROWN_MIN = 10_000

# The buckets of several values that have outgrown their tiling (see the module's text).
OUTGROWN = """
select count(*)
from rollup_handling_buckets as k
join (select series, sum(n) / count(*) as share from rollup_handling_buckets group by series) as s
    on s.series = k.series
where k.low < k.high and k.n > $least and k.n > 2 * k.tiled_n + s.share
"""

# A complaint still open: its ages (first response, resolution) run to the as-of time.
STILL_OPEN = "(first_response_open_minutes is not null or resolution_open_minutes is not null)"
IN_MONTHS = "list_contains($months, cast(date_trunc('month', opened_on) as date))"
IN_DAYS = "list_contains($days, opened_on)"

# The new values' buckets: the greatest low <= value in their series, else the series' first bucket.
# Series numbers come from the buckets kept (a series missing there leaves `series` null).
BUCKETED = """
with keyed as (
    select v.*, k.series
    from tmp_handling_measured as v
    left join (select distinct series, measure, channel, priority from rollup_handling_buckets) as k
        on k.measure = v.measure
        and k.channel is not distinct from v.channel
        and k.priority is not distinct from v.priority
)
select
    v.series, v.measure, v.channel, v.priority, v.complaint_no, v.value,
    cast(coalesce(e.bucket, f.bucket) as smallint) as bucket
from keyed as v
asof left join (select series, bucket, low from rollup_handling_buckets) as e
    on e.series = v.series and v.value >= e.low
left join (select series, min(bucket) as bucket from rollup_handling_buckets group by series) as f
    on f.series = v.series
"""

# Each bucket widened by its new values, its count summed over the months again.
WIDENED = """
select
    k.bucket, k.series, k.measure, k.channel, k.priority,
    least(k.low, a.low) as low, greatest(k.high, a.high) as high, t.n, k.tiled_n
from rollup_handling_buckets as k
left join (select bucket, min(value) as low, max(value) as high from tmp_handling_values group by bucket) as a
    on a.bucket = k.bucket
join (select bucket, sum(n) as n from rollup_handling_network_months group by bucket) as t
    on t.bucket = k.bucket
order by k.bucket
"""

# rollup_complaint_handling's bucket and value column per measure (models/rollup_complaint_handling.sql).
MEASURE_COLUMNS = (
    ("first_response_bucket", "first_response_minutes"),
    ("resolution_bucket", "resolution_minutes"),
    ("first_response_target_bucket", "first_response_target"),
    ("resolution_target_bucket", "resolution_target"),
    ("first_response_pair_bucket", "first_response_minutes"),
    ("resolution_pair_bucket", "resolution_minutes"),
)

# The values, outside the days D, of the buckets that held one value and now hold several, in the
# columns of models/rollup_handling_values.sql.
NOW_SEVERAL = "\nunion all\n".join(
    f"""select h.{bucket} as bucket, h.opened_on, h.branch_id, h.region, h.branch_type,
    h.channel, h.segment, h.category, h.component_key, cast(h.{value} as double) as value
from rollup_complaint_handling as h
where h.{bucket} in (select bucket from tmp_several) and not {IN_DAYS.replace("opened_on", "h.opened_on")}"""
    for bucket, value in MEASURE_COLUMNS
)

Refreshed = list[tuple[str, str, float]]


def refresh(con: duckdb.DuckDBPyConnection, days: tuple[dt.date, ...]) -> Refreshed | None:
    """Recompute the handling models (MODELS) for the days `days` (see the module's text). None,
    with no table changed, when the import brings a new series."""
    from servicequality.store import rollups  # rollups calls this module: imported when it runs

    model = rollups.model
    months = sorted({d.replace(day=1) for d in days})
    bound_days, bound_months = {"days": list(days)}, {"months": months}
    if _new_series_only(con, months):
        return None
    done: Refreshed = []
    clock = [time.perf_counter()]

    def step(name: str, how: str) -> None:
        now = time.perf_counter()
        done.append((name, how, now - clock[0]))
        clock[0] = now

    # Names and texts from the model files and the constants above, never from input; days bound.
    def sql(name: str) -> str:
        return model(name).sql

    complaints = sql("tmp_complaints")
    source = "from ticket_facts as tf\n"
    if complaints.count(source) != 1:
        raise ValueError("models/tmp_complaints.sql: expected to read ticket_facts once, as tf")
    # The complaints still open, and the others of the months. "status = 'open'" and "opened_at >=
    # $first" follow from the conditions beside them (a ticket still open has status open; a day of
    # the months is on or after the first), on raw columns, which the scan checks before the view's
    # joins and ages, each branch on its own (an "or" of the two is checked after reading every
    # complaint): 765 -> 484 -> 377 ms at 10 M tickets.
    restricted = (
        f"from (select * from ticket_facts where status = 'open' and {STILL_OPEN}\n"
        f"union all\nselect * from ticket_facts where opened_at >= $first and {IN_MONTHS} and not {STILL_OPEN}) as tf\n"
    )
    con.execute(
        "create or replace temporary table tmp_complaints as " + complaints.replace(source, restricted),
        {**bound_months, "first": months[0] if months else None},
    )
    step("tmp_complaints", f"{len(months)} months + open")
    con.execute("create or replace temporary table tmp_handling_measured as " + sql("tmp_handling_measured"))
    step("tmp_handling_measured", f"{len(months)} months + open")
    con.execute("create or replace temporary table tmp_handling_values as " + BUCKETED)
    ((unseen,),) = con.execute("select count(*) from tmp_handling_values where series is null").fetchall()
    if unseen:
        for name in ("tmp_handling_values", "tmp_handling_measured", "tmp_complaints"):
            con.execute("drop table " + name)
        return None
    step("tmp_handling_values", "into the buckets kept")

    for name in ("rollup_handling_months", "rollup_handling_network_months"):
        rollups.replace_rows(con, model(name), "list_contains($months, month)", bound_months)
        step(name, f"{len(months)} months")

    con.execute("create or replace temporary table tmp_buckets as " + WIDENED)
    con.execute(
        "create or replace temporary table tmp_several as select n.bucket from tmp_buckets as n "
        "join rollup_handling_buckets as o on o.bucket = n.bucket where o.low = o.high and n.low < n.high"
    )
    con.execute("delete from rollup_handling_buckets")
    con.execute("insert into rollup_handling_buckets select * from tmp_buckets")
    step("rollup_handling_buckets", "widened")

    rollups.replace_rows(con, model("rollup_complaint_handling"), f"({IN_DAYS} or {STILL_OPEN})", bound_days)
    step("rollup_complaint_handling", f"{len(days)} days + open")
    values = model("rollup_handling_values")
    rollups.replace_rows(con, values, IN_DAYS, bound_days)
    con.execute(f"insert into {values.name} {NOW_SEVERAL}\norder by {values.order}", bound_days)
    step("rollup_handling_values", f"{len(days)} days + buckets now of several values")
    rollups.build_whole(con, model("rollup_handling_censored"))
    step("rollup_handling_censored", "whole (open complaints)")
    for name in ("tmp_several", "tmp_buckets", "tmp_handling_values", "tmp_handling_measured", "tmp_complaints"):
        con.execute("drop table " + name)
    return done


# A complaint of the months with a value a handling series would hold (tmp_handling_measured's).
MEASURED_IN_MONTHS = f"""
select exists (
    select 1 from ticket_facts
    where kind = 'complaint' and opened_on >= $first and {IN_MONTHS}
        and (first_response_minutes is not null or resolution_minutes is not null
            or first_response_target is not null or resolution_target is not null)
)
"""


def _new_series_only(con: duckdb.DuckDBPyConnection, months: list[dt.date]) -> bool:
    """No series is kept yet (a first import, or a store whose complaints had no handling time and no
    target) and the import's months bring a value: every value is of a new series, so the family is
    tiled whole, without first building what the buckets kept would take in (at 10 M tickets that try
    cost 19 s). A store without any value keeps the incremental path: its tables change only by days."""
    ((tiled,),) = con.execute("select count(*) from rollup_handling_buckets").fetchall()
    if tiled or not months:
        return False
    ((measured,),) = con.execute(MEASURED_IN_MONTHS, {"months": months, "first": months[0]}).fetchall()
    return measured


def outgrown(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a bucket has outgrown its tiling: the handling family is then rebuilt whole."""
    ((count,),) = con.execute(OUTGROWN, {"least": OUTGROWN_MIN}).fetchall()
    return count > 0
