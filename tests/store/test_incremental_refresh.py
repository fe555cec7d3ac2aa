"""An import recomputes only the rollup rows its rows touch, and they equal a whole rebuild (issue 15).

Each test imports into a small generated store, then rebuilds every rollup of a copy whole and
compares every rollup table, row for row (sums of doubles to 1e-9 relative: they are added in
whatever order DuckDB's threads meet them), except the handling percentiles' bucket tables, whose
bucket numbers differ by design (store/handling.py): those are compared through every query's
results and the buckets' invariants. The imports are chosen to exercise each way a row can
reach another day's rollups: tickets on existing days, on a later day in a new month (which moves
the data's as-of time, so open tickets pass their targets), on a new branch and under a new
complaint category; survey responses on days that already have some and on new days, with and
without expectations and importance points.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil

import pandas as pd
import pytest

from servicequality import demo, ingest, store
from servicequality.filters import Filters
from servicequality.store import handling, rollups
from tests.conftest import ROOT, SHARED_DATA, query_extras, require_or_skip
from tests.ingest.test_import_in_parts import split
from tests.store.test_spark import differences as query_differences

TICKET_MAPPING = (
    (ROOT / "mappings" / "store_tickets.toml").read_text()
    + """
[new_branches]
branch_type = "Kiosk"
size_band = "Small"
region = "North"

[[category.rules]]
match = "(?i)rude"
family = "service"
component = "courtesy"
description = "Attitude"
"""
)


@pytest.fixture(scope="module")
def tiny_built(tmp_path_factory):
    return demo.build(tmp_path_factory.mktemp("tiny") / "tiny.duckdb", scale="tiny")


@pytest.fixture()
def tiny(tiny_built, tmp_path):
    """A copy of the tiny demo store for each test to import into (built once: about 4 s)."""
    return shutil.copyfile(tiny_built, tmp_path / "tiny.duckdb")


@pytest.fixture()
def refreshes(monkeypatch):
    """What each refresh recomputed: a list per refresh of (model, how, seconds)."""
    seen = []
    real = rollups.refresh

    def spy(con, change=None):
        seen.append(real(con, change))
        return seen[-1]

    monkeypatch.setattr(rollups, "refresh", spy)
    return seen


# The tables of the handling percentiles' buckets: an import puts new values into the buckets it
# finds (store/handling.py), a whole rebuild tiles them anew, so their bucket numbers differ. They are
# compared through every query's results and the buckets' invariants instead (bucket_faults).
BUCKETED = {
    "rollup_handling_buckets",
    "rollup_handling_months",
    "rollup_handling_network_months",
    "rollup_handling_values",
}


def differences(path, tmp_path) -> list[str]:
    """Every rollup table of the store at `path` against a copy whose rollups are rebuilt whole (the
    bucketed ones through every query's results), and the buckets' invariants."""
    whole = tmp_path / "whole.duckdb"
    shutil.copyfile(path, whole)
    con = store.connect_read_write(whole)
    try:
        rollups.refresh(con)
        con.execute("checkpoint")
    finally:
        con.close()
    found = []
    a, b = store.connect_read_only(path), store.connect_read_only(whole)
    try:
        for table in rollups.TABLES:
            if table == "rollup_settings" or table in BUCKETED:
                continue
            left, right = (c.execute(f"select * from {table}").df() for c in (a, b))  # names from TABLES
            left, right = (f[[c for c in f.columns if not c.endswith("_bucket")]] for f in (left, right))
            # the grain's keys, then the doubles (tables without a unique key: the handling values)
            keys = sorted(left.columns, key=lambda c: pd.api.types.is_float_dtype(left[c]))
            left, right = (
                f.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True) for f in (left, right)
            )
            try:
                pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9)
            except AssertionError as exc:
                found.append(f"{table}: {str(exc)[:300]}")
        (settings_a,), (settings_b,) = (
            c.execute("select gap_scale, respondent_scale, source_counts, definition from rollup_settings").fetchall()
            for c in (a, b)
        )
        if settings_a != settings_b:
            found.append(f"rollup_settings: {settings_a} != {settings_b}")
        for label, params in scenarios(b):
            for name in store.query_names():
                why = query_differences(store.run_query(a, name, params), store.run_query(b, name, params))
                if why:
                    found.append(f"{name} [{label}]: {why}")
        found += bucket_faults(a)
    finally:
        a.close()
        b.close()
    return found


def scenarios(con) -> list[tuple[str, dict]]:
    """The whole history; a period cut inside months (the handling queries' partial-month days) with
    a channel selected; one branch over the last 40 days (its open complaints dominate)."""
    first, last = (pd.Timestamp(d).date() for d in store.run_query(con, "date_bounds", {}).iloc[0])
    ((branch,),) = con.execute("select min(branch_id) from branches").fetchall()
    cut = dataclasses.replace(Filters(first + dt.timedelta(days=40), last - dt.timedelta(days=75)), channels=("Web",))
    recent = dataclasses.replace(Filters(last - dt.timedelta(days=40), last), branches=(branch,))
    return [
        (label, {**query_extras(), **f.params()})
        for label, f in (("whole history", Filters(first, last)), ("cut, Web", cut), ("one branch, 40 days", recent))
    ]


# Per bucket column of rollup_complaint_handling, its value column (models/rollup_complaint_handling.sql).
BUCKET_VALUES = dict(handling.MEASURE_COLUMNS)


def bucket_faults(con) -> list[str]:
    """What breaks the exact percentiles' invariants, worked out from the complaints' own values and
    buckets (rollup_complaint_handling): each series' buckets are disjoint value ranges in bucket
    order; each bucket's low, high and count are those of its values; rollup_handling_values holds
    exactly the values of the buckets with several distinct values."""
    values = " union all ".join(
        f"select {bucket} as bucket, cast({value} as double) as value from rollup_complaint_handling "
        f"where {bucket} is not null"
        for bucket, value in BUCKET_VALUES.items()
    )
    checks = {
        "overlapping buckets": """
            select count(*) from (
                select high, lead(low) over (partition by series order by bucket) as next_low
                from rollup_handling_buckets
            ) where high >= next_low""",
        "a bucket's low, high or count is not its values'": f"""
            select count(*) from rollup_handling_buckets as k
            full join (
                select bucket, min(value) as low, max(value) as high, count(*) as n from ({values}) group by bucket
            ) as v on v.bucket = k.bucket
            where k.low is distinct from v.low or k.high is distinct from v.high or k.n is distinct from v.n""",
        "rollup_handling_values is not the values of the buckets of several values": f"""
            select count(*) from (
                select bucket, value, count(*) as n from ({values}) where bucket in (
                    select bucket from rollup_handling_buckets where low < high
                ) group by all
            ) as want
            full join (select bucket, value, count(*) as n from rollup_handling_values group by all) as got
                on got.bucket = want.bucket and got.value = want.value
            where got.n is distinct from want.n""",
    }
    faults = []
    for what, sql in checks.items():
        ((wrong,),) = con.execute(sql).fetchall()
        if wrong:
            faults.append(f"{what}: {wrong} rows")
    return faults


def ticket_rows(path) -> tuple[list[str], list[list]]:
    con = store.connect_read_only(path)
    try:
        cur = con.execute("select * from tickets where kind = 'complaint' order by ticket_id limit 40")
        header = [d[0] for d in cur.description]
        rows = [list(r) for r in cur.fetchall()]
        ((last,),) = con.execute("select max(opened_at) from tickets").fetchall()
    finally:
        con.close()
    col = {name: i for i, name in enumerate(header)}
    for n, row in enumerate(rows):
        row[col["ticket_id"]] = f"INC{n:04d}"
        if 10 <= n < 20:  # 45 days after the last ticket: a new month, and the as-of time moves
            shift = last + dt.timedelta(days=45, minutes=n) - row[col["opened_at"]]
            for name in ("opened_at", "first_response_at", "resolved_at"):
                if row[col[name]] is not None:
                    row[col[name]] += shift
        if 15 <= n < 20 or n == 3:  # open, without a response: aged to the as-of time
            row[col["status"]], row[col["first_response_at"]], row[col["resolved_at"]] = "open", None, None
        if 20 <= n < 25:
            row[col["branch_id"]] = "ZNEW"
        if 25 <= n < 30:
            row[col["category"]] = "Rude cashier"
        if 30 <= n < 40 and row[col["status"]] != "open":
            # Handling times no stored ticket has: below them all (7 s), above them all (400 days),
            # and odd ones that fall between buckets or into a bucket of one value.
            opened = row[col["opened_at"]]
            first = dt.timedelta(seconds=7) if n == 30 else dt.timedelta(minutes=13.37 * n + 0.11)
            row[col["first_response_at"]] = opened + first
            row[col["resolved_at"]] = opened + (dt.timedelta(days=400) if n == 31 else first * 3.7)
    return header, rows


def write_csv(path, header, rows) -> None:
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                [
                    ""
                    if v is None
                    else v.strftime("%Y-%m-%d %H:%M:%S")
                    if isinstance(v, dt.datetime)
                    else str(v).lower()
                    if isinstance(v, bool)
                    else v
                    for v in row
                ]
            )


def test_a_ticket_import_recomputes_its_days_and_equals_a_whole_rebuild(tiny, tmp_path, refreshes):
    header, rows = ticket_rows(tiny)
    col = {name: i for i, name in enumerate(header)}
    new_days = {r[col["opened_at"]].date() for r in rows}
    new_as_of = max(r[col[c]] for r in rows for c in ("opened_at", "first_response_at", "resolved_at") if r[col[c]])
    crossed = crossings(tiny, new_as_of)
    write_csv(tmp_path / "new.csv", header, rows)
    (tmp_path / "tickets.toml").write_text(TICKET_MAPPING)
    result = ingest.run_import("tickets", tmp_path / "new.csv", tmp_path / "tickets.toml", tiny)
    assert (result.rows_stored, result.rows_rejected, result.branches_created, result.categories_created) == (
        40,
        0,
        1,
        1,
    ), result.summary()

    (done,) = refreshes
    assert differences(tiny, tmp_path) == []
    how = {name: mode for name, mode, _ in done}
    # Survey rollups read no ticket: kept as they were (a comment naming tickets changes nothing).
    survey = ("survey", "component_days", "item", "respondent", "response", "performance")
    assert not [name for name in how if any(word in name for word in survey)], how
    # The day tables that count late tickets recomputed the new rows' days and those of the open
    # tickets that passed a target while the as-of time moved; their months.
    days = new_days | crossed
    months, new_months = {d.replace(day=1) for d in days}, {d.replace(day=1) for d in new_days}
    assert crossed - new_days and len(days) < 200 and months - new_months, (len(crossed), len(days), months)
    assert how["rollup_ticket_days"] == how["rollup_ticket_cells"] == f"{len(days)} days", how
    # and their month twins, summed from them, the months of those days
    assert how["rollup_ticket_channel_months"] == how["rollup_ticket_cell_months"] == f"{len(months)} months", how
    # Those that read no age or lateness (through no view of the as-of time): the new rows' days only.
    assert how["rollup_complaint_open"] == how["rollup_ticket_categories"] == f"{len(new_days)} days", how
    assert how["rollup_complaint_category_months"] == f"{len(new_months)} months", how
    # The percentile buckets take the new values in; the complaints of the new rows' months are read
    # (with every open one, whatever its month).
    assert how["rollup_handling_buckets"] == "widened", how
    assert how["rollup_handling_months"] == f"{len(new_months)} months", how
    assert how["rollup_complaint_handling"] == f"{len(new_days)} days + open", how


def crossings(path, new_as_of: dt.datetime) -> set[dt.date]:
    """Worked out apart from the code: the days of the open tickets whose first-response or resolution
    target passes between the store's as-of time (its latest recorded moment) and `new_as_of`."""
    con = store.connect_read_only(path)
    try:
        ((old,),) = con.execute(
            "select greatest(max(opened_at), max(first_response_at), max(resolved_at)) from tickets"
        ).fetchall()
        rows = con.execute(
            "select t.opened_at, t.first_response_at, t.resolved_at, s.first_response_minutes, s.resolution_minutes "
            "from tickets as t join service_targets as s on s.channel = t.channel and s.priority = t.priority "
            "where t.status = 'open'"
        ).fetchall()
    finally:
        con.close()
    days = set()
    for opened, responded, resolved, first_target, resolution_target in rows:
        for done, target in ((responded, first_target), (resolved, resolution_target)):
            due = opened + dt.timedelta(minutes=target)
            if done is None and old <= due < new_as_of:
                days.add(opened.date())
    return days


def test_a_ticket_import_that_keeps_the_as_of_time(tiny, tmp_path, refreshes):
    """Rows on existing days only, all closed: the as-of time stays, open tickets' days are kept."""
    header, rows = ticket_rows(tiny)
    rows = [r for n, r in enumerate(rows) if n < 10 and n != 3]
    write_csv(tmp_path / "new.csv", header, rows)
    (tmp_path / "tickets.toml").write_text(TICKET_MAPPING)
    result = ingest.run_import("tickets", tmp_path / "new.csv", tmp_path / "tickets.toml", tiny)
    assert result.rows_stored == 9, result.summary()
    (done,) = refreshes
    assert differences(tiny, tmp_path) == []
    how = {name: mode for name, mode, _ in done}
    assert how["rollup_ticket_days"] == f"{len({r[header.index('opened_at')].date() for r in rows})} days", how


def test_survey_imports_in_parts_equal_a_whole_rebuild(tiny, tmp_path, refreshes):
    """The kiosk survey (expectations and importance points, one day) and the lounge reviews
    (performance only, many days), each in two parts: the second part of each is incremental."""
    kiosk = SHARED_DATA / "kiosk_servqual" / "kiosk_utf8_transcoded.csv"
    lounge = SHARED_DATA / "skytrax_lounges" / "lounge.csv"
    for path in (kiosk, lounge):
        require_or_skip(path.exists(), f"the real export {path} is missing")
    kiosk_mapping = tmp_path / "kiosk.toml"
    kiosk_mapping.write_text(
        (ROOT / "mappings" / "kiosk_servqual.toml").read_text().replace('encoding = "cp949"', 'encoding = "utf-8"')
    )
    kiosk_parts = split(kiosk, 0, 2, tmp_path)
    lounge_parts = split(lounge, 0, 2, tmp_path)
    imports = [
        (kiosk_parts[0], kiosk_mapping),
        (lounge_parts[0], ROOT / "mappings" / "skytrax_lounges.toml"),
        (kiosk_parts[1], kiosk_mapping),
        (lounge_parts[1], ROOT / "mappings" / "skytrax_lounges.toml"),
    ]
    for file, mapping in imports:
        result = ingest.run_import("surveys", file, mapping, tiny)
        assert result.rows_stored > 50, result.summary()
    second_kiosk, second_lounge = ({name: mode for name, mode, _ in done} for done in refreshes[2:])
    assert differences(tiny, tmp_path) == []
    for how in (second_kiosk, second_lounge):
        assert how["rollup_component_days"].endswith(" days") and how["rollup_item_months"].endswith(" months"), how
        assert "rollup_ticket_days" not in how, how
    assert second_kiosk["rollup_respondent_weighted"] == "1 days"  # importance points: the weighted gaps


ELEVEN_ITEMS = """
name = "eleven_items"
target = "surveys"
[columns]
response_id = "id"
branch_id = "branch"
submitted_at = "date"
channel = "channel"
segment = "segment"
[dates]
formats = ["%Y-%m-%d"]
[survey]
expectation = '^E(?P<item>\\d+)$'
perception = '^P(?P<item>\\d+)$'
scale = [1, 7]
[survey.items]
""" + "\n".join(f'"{i}" = "courtesy"' for i in range(1, 12))


def test_a_survey_that_changes_the_scale_rebuilds_whole(tiny, tmp_path, refreshes):
    """Eleven items of one component: a count the demo's scale (an lcm of its counts) does not divide,
    so the scale every survey sum is multiplied by changes and every rollup is rebuilt."""
    con = store.connect_read_only(tiny)
    try:
        ((before,),) = con.execute("select gap_scale from rollup_settings").fetchall()
        ((branch, channel, segment),) = con.execute(
            "select branch_id, channel, segment from survey_responses limit 1"
        ).fetchall()
    finally:
        con.close()
    assert before % 11 != 0
    items = range(1, 12)
    header = ["id", "branch", "date", "channel", "segment", *(f"E{i}" for i in items), *(f"P{i}" for i in items)]
    rows = [
        [f"R11-{n}", branch, "2025-06-0" + str(n + 1), channel, segment]
        + [(n + i) % 7 + 1 for i in items]
        + [(n * i) % 7 + 1 for i in items]
        for n in range(3)
    ]
    write_csv(tmp_path / "eleven.csv", header, rows)
    (tmp_path / "eleven.toml").write_text(ELEVEN_ITEMS)
    result = ingest.run_import("surveys", tmp_path / "eleven.csv", tmp_path / "eleven.toml", tiny)
    assert result.rows_stored == 3, result.summary()
    con = store.connect_read_only(tiny)
    try:
        ((after,),) = con.execute("select gap_scale from rollup_settings").fetchall()
    finally:
        con.close()
    assert after == before * 11
    (done,) = refreshes
    assert differences(tiny, tmp_path) == []
    assert {mode for _, mode, _ in done} == {"whole"} and len(done) == len(rollups.models())


def test_a_new_channel_and_priority_pair_retiles_the_handling_buckets(tiny, tmp_path, refreshes):
    """A pair the store has not seen is a new percentile series: the series are numbered anew, so the
    handling models are rebuilt whole (and then every table equals a whole rebuild's, buckets too)."""
    header, rows = ticket_rows(tiny)
    rows = [r for n, r in enumerate(rows) if n < 10]
    for row in rows[:4]:
        row[header.index("channel")] = "Kiosk"
    write_csv(tmp_path / "new.csv", header, rows)
    (tmp_path / "tickets.toml").write_text('channels = ["Kiosk"]\n' + TICKET_MAPPING)
    result = ingest.run_import("tickets", tmp_path / "new.csv", tmp_path / "tickets.toml", tiny)
    assert result.rows_stored == 10, result.summary()
    (done,) = refreshes
    how = {name: mode for name, mode, _ in done}
    assert {how[name] for name in handling.MODELS} == {"whole"}, how
    assert how["rollup_ticket_days"].endswith(" days"), how
    assert differences(tiny, tmp_path) == []
    assert whole_tables_equal(tiny, tmp_path / "whole.duckdb", sorted(BUCKETED))


def references_only(tiny, path, tables=("branches", "complaint_categories", "service_targets")):
    """A store holding only these reference tables of the tiny store (rollups fresh and empty)."""

    def fill(con):
        con.execute("attach $p as src (read_only)", {"p": str(tiny)})
        for table in tables:  # constants (components: seeded)
            con.execute(f"delete from {table}")
            con.execute(f"insert into {table} select * from src.{table}")
        con.execute("detach src")

    return store.build_atomically(path, fill)


def test_a_first_import_tiles_the_handling_buckets_whole(tiny, tmp_path, refreshes, monkeypatch):
    """Into a store holding only the reference tables (rollups fresh and empty), every handling
    series is new: the family is built whole without first trying the buckets kept (there are none),
    and every table equals a whole rebuild's, buckets too."""
    empty = references_only(tiny, tmp_path / "empty.duckdb")
    # Putting values into the buckets kept would fail: there is none to try (at 10 M tickets the try cost 19 s).
    monkeypatch.setattr(handling, "BUCKETED", "select error('tried the buckets kept')")
    header, rows = ticket_rows(tiny)
    write_csv(tmp_path / "new.csv", header, rows)
    (tmp_path / "tickets.toml").write_text(TICKET_MAPPING)
    result = ingest.run_import("tickets", tmp_path / "new.csv", tmp_path / "tickets.toml", empty)
    assert result.rows_stored == 40, result.summary()
    (done,) = refreshes[-1:]
    how = {name: mode for name, mode, _ in done}
    assert {how[name] for name in handling.MODELS} == {"whole"}, how
    assert how["rollup_ticket_days"].endswith(" days"), how
    assert differences(empty, tmp_path) == []
    assert whole_tables_equal(empty, tmp_path / "whole.duckdb", sorted(BUCKETED))


def test_a_store_without_handling_values_keeps_the_incremental_path(tiny, tmp_path, refreshes):
    """No target set and no complaint answered or resolved: no handling series exists, before or after
    the import, so the family is recomputed by days like any other (not rebuilt whole each time)."""
    empty = references_only(tiny, tmp_path / "empty.duckdb", ("branches", "complaint_categories"))
    header, rows = ticket_rows(tiny)
    col = {name: i for i, name in enumerate(header)}
    for row in rows:
        row[col["status"]], row[col["first_response_at"]], row[col["resolved_at"]] = "open", None, None
    (tmp_path / "tickets.toml").write_text(TICKET_MAPPING)
    for part, chosen in (("a", rows[:20]), ("b", rows[20:])):
        write_csv(tmp_path / f"{part}.csv", header, chosen)
        result = ingest.run_import("tickets", tmp_path / f"{part}.csv", tmp_path / "tickets.toml", empty)
        assert result.rows_stored == 20, result.summary()
    how = {name: mode for name, mode, _ in refreshes[-1]}
    assert how["rollup_complaint_handling"].endswith("days + open"), how
    assert how["rollup_handling_buckets"] == "widened", how
    assert differences(empty, tmp_path) == []


def whole_tables_equal(path, whole, tables) -> bool:
    a, b = store.connect_read_only(path), store.connect_read_only(whole)
    try:
        for table in tables:
            left, right = (c.execute(f"select * from {table}").df() for c in (a, b))  # names from BUCKETED
            keys = list(left.columns)
            left, right = (f.sort_values(keys, kind="stable").reset_index(drop=True) for f in (left, right))
            pd.testing.assert_frame_equal(left, right, obj=table)
    finally:
        a.close()
        b.close()
    return True


@pytest.mark.parametrize("least", [0, handling.OUTGROWN_MIN])
def test_buckets_outgrown_by_a_drift_are_tiled_anew(tiny, tmp_path, refreshes, monkeypatch, least):
    """Complaints resolved after 400 days and more, above every value: they pile into the last
    bucket of the resolution series and of their channel and priority pairs. Past twice a bucket's
    tiled count plus its series' share (and OUTGROWN_MIN values; 0 here to reach it in a tiny store)
    the buckets are tiled anew: every table then equals a whole rebuild's, buckets too."""
    monkeypatch.setattr(handling, "OUTGROWN_MIN", least)
    header, rows = ticket_rows(tiny)
    col = {name: i for i, name in enumerate(header)}
    # the complaints whose resolution 440 days on is not in the future
    rows = [r for r in rows if r[col["opened_at"]] + dt.timedelta(days=440) < dt.datetime.now()]
    assert len(rows) >= 20
    # eight copies under other ids: past the resolution series' last bucket's 2 x 47 + 47 (6,000 / 128)
    rows = [[f"{r[0]}-{k}", *r[1:]] for k in range(8) for r in rows]
    assert header[0] == "ticket_id" and len(rows) > 150
    for n, row in enumerate(rows):
        row[col["status"]] = "resolved"
        row[col["first_response_at"]] = row[col["opened_at"]] + dt.timedelta(hours=1)
        row[col["resolved_at"]] = row[col["opened_at"]] + dt.timedelta(days=400 + n)
    write_csv(tmp_path / "new.csv", header, rows)
    (tmp_path / "tickets.toml").write_text(TICKET_MAPPING)
    result = ingest.run_import("tickets", tmp_path / "new.csv", tmp_path / "tickets.toml", tiny)
    assert result.rows_stored == len(rows), result.summary()
    (done,) = refreshes
    how = {name: mode for name, mode, _ in done}
    assert differences(tiny, tmp_path) == []
    if least == 0:
        assert {how[name] for name in handling.MODELS} == {"whole"}, how
        assert whole_tables_equal(tiny, tmp_path / "whole.duckdb", sorted(BUCKETED))
    else:
        assert how["rollup_handling_buckets"] == "widened", how
        con = store.connect_read_only(tiny)
        try:
            ((grown,),) = con.execute(
                "select max(n - tiled_n) from rollup_handling_buckets where measure = 2"
            ).fetchall()
        finally:
            con.close()
        assert grown == len(rows)  # all of them in the resolution series' last bucket


def test_the_span_of_an_import_counts_both_ends():
    """A partition's rows are selected by their range alone when the import's days (months) are all of
    it; counted by hand: 30 and 31 January, 1 and 2 February are 4 days; November, December, January
    and February are 4 months; one day is 1."""
    assert rollups._span("day", dt.date(2026, 1, 30), dt.date(2026, 2, 2)) == 4
    assert rollups._span("month", dt.date(2025, 11, 1), dt.date(2026, 2, 1)) == 4
    assert rollups._span("day", dt.date(2026, 3, 1), dt.date(2026, 3, 1)) == 1
