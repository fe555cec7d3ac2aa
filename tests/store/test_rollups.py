"""Every optimised query (queries/*.sql, reading the rollups) returns exactly what its plain form
returns (store.runner.load_query(name, plain=True): its `-- Measures:` sums generated over the base
views, its "-- Oracle:" rollups swapped for their views, any other rollup computed by its model in
store/models/): on the hand-checked fixture and on a generated medium database, under 21 filter
scenarios.

Integers must be equal. Floats must agree to 1e-9 relative (1e-12 absolute): the rollups rebuild
means and standard deviations from exact integer sums, while the plain queries add doubles in
whatever order DuckDB's threads meet them, so the two may differ in the last bits, never more.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from servicequality import store
from servicequality.filters import Filters
from servicequality.store import rollups, runner
from tests.conftest import FIXTURE_PERIOD, query_extras

RTOL, ATOL = 1e-9, 1e-12


def assert_same(fast: pd.DataFrame, plain: pd.DataFrame, label: str) -> None:
    assert list(fast.columns) == list(plain.columns), label
    assert list(fast.dtypes.astype(str)) == list(plain.dtypes.astype(str)), f"{label}: {fast.dtypes} vs {plain.dtypes}"
    assert len(fast) == len(plain), f"{label}: {len(fast)} rows vs {len(plain)}"
    for column in plain.columns:
        a, b = fast[column], plain[column]
        if pd.api.types.is_float_dtype(b):
            np.testing.assert_allclose(
                a.to_numpy(dtype=float), b.to_numpy(dtype=float), rtol=RTOL, atol=ATOL, err_msg=f"{label}.{column}"
            )
        else:
            assert a.isna().tolist() == b.isna().tolist(), f"{label}.{column}"
            assert a.dropna().tolist() == b.dropna().tolist(), f"{label}.{column}"


def scenarios(con) -> list[tuple[str, Filters]]:
    first, last = store.run_query(con, "date_bounds", {}).iloc[0]
    first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    branches = store.run_query(con, "filter_branches", {})
    ids = branches["branch_id"].tolist()
    region = branches["region"].iloc[0]
    branch_type = branches["branch_type"].iloc[-1]
    full = Filters(first, last)
    year = Filters(max(first, last - dt.timedelta(days=364)), last)
    middle = first + (last - first) / 3
    # Month edges (the component queries read whole months from month rollups, the rest by day):
    # the two months before the last one, whole; a period cutting both its first and its last
    # month around a whole one; one ending on a month's last day; one inside a month.
    month_end = last.replace(day=1) - dt.timedelta(days=1)
    months_start = (month_end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month_edges = Filters(months_start + dt.timedelta(days=14), last - dt.timedelta(days=5))
    return [
        ("all", full),
        ("last year", year),
        ("odd days", Filters(middle, middle + dt.timedelta(days=40))),
        ("one day", Filters(middle, middle)),
        ("whole months", Filters(months_start, month_end)),
        ("month edges", month_edges),
        ("to a month end", Filters(months_start + dt.timedelta(days=14), month_end)),
        ("inside a month", Filters(month_end.replace(day=11), month_end.replace(day=20))),
        # from the 13th of the month before the last: on the fixture a respondent on each side of
        # the cut, so a whole-month read of the cut month would count the 12th
        ("from a 13th", Filters(month_end.replace(day=13), last)),
        # from the 14th: the cut month read as its month less days 1-13 (periods.cut_months), which
        # on the fixture hold every response of a branch that month: its groups are left out
        ("from a 14th", Filters(month_end.replace(day=14), last)),
        # to the 20th: the last month read as its month less days 21 to its end
        ("to a 20th", Filters(first, month_end.replace(day=20))),
        ("no data", Filters(dt.date(1990, 1, 1), dt.date(1990, 12, 31))),
        ("region", replace(year, regions=(region,))),
        ("branches", replace(full, branches=tuple(ids[: max(1, len(ids) * 5 // 6)]))),
        ("one branch", replace(year, branches=(ids[-1],))),
        ("branch type", replace(year, branch_types=(branch_type,))),
        ("channel", replace(year, channels=("Phone",))),
        ("segment", replace(full, segments=("Premium",))),
        ("components", replace(year, components=("courtesy", "reliability"))),
        # one component: its own sums, no regrouping (queries/fragments/respondent_gaps.sql), over a
        # period that cuts months
        ("one component", replace(month_edges, components=("reliability",))),
        ("categories", replace(year, categories=("Attitude",))),
        # pairs of selections: a finer rollup for one, the coarse filter for the other
        ("channel and segment", replace(year, channels=("Phone",), segments=("Premium",))),
        ("region and category", replace(year, regions=(region,), categories=("Attitude",))),
        ("component and branches", replace(full, components=("courtesy",), branches=tuple(ids[:2]))),
    ]


def optimised_queries() -> list[str]:
    plain = set(store.query_names(plain=True))
    return [n for n in store.query_names() if n in plain]


# On the medium database a subset of the scenarios keeps the test under a minute and a half (the
# fixture runs them all): every day, periods that cut months, a branch attribute, and a component
# selection of two and of one (the component rollups, and the respondent-level reads' per-component
# path and its single-component shortcut).
MEDIUM_SCENARIOS = ("all", "odd days", "month edges", "branch type", "components", "one component")

# The cell-level sweeps (Explore and drill-down cells, sorts, pages) on the fixture: a subset in the
# fast tier (a period that cuts months at both ends, a selection that reads a finer rollup, an empty
# period), all twenty-four scenarios in the slow tier.
FIXTURE_SWEEPS = (
    pytest.param(("month edges", "channel", "no data"), id="fast-subset"),
    pytest.param(None, id="every-scenario", marks=pytest.mark.slow),
)


def check_every_query(con, only: tuple[str, ...] | None = None) -> int:
    compared = 0
    for label, filters in scenarios(con):
        if only is not None and label not in only:
            continue
        # The explore and drill queries' own parameters at their defaults (tested further below).
        params = {**EXTRA_DEFAULTS, **filters.params()}
        for name in optimised_queries():
            fast = store.run_query(con, name, params)
            plain = store.run_query(con, name, params, plain=True)
            assert_same(fast, plain, f"{name} [{label}]")
            compared += 1
    return compared


def test_every_plain_reference_has_its_query():
    assert set(store.query_names(plain=True)) <= set(store.query_names())


def test_optimised_queries_keep_the_plain_parameters():
    for name in optimised_queries():
        assert store.load_query(name).parameters == store.load_query(name, plain=True).parameters, name


def test_every_selection_is_answered_by_the_rollups(fixture_con, monkeypatch):
    # No query hands a sidebar selection to its plain twin any more: with each selection set, only
    # the rollup form runs (the equality with the plain form is checked above).
    ran = []
    names = optimised_queries()
    original = runner.load_query
    monkeypatch.setattr(
        runner, "load_query", lambda name, plain=False: ran.append((name, plain)) or original(name, plain=plain)
    )
    base = {**EXTRA_DEFAULTS, **FIXTURE_PERIOD.params()}
    selections = {
        "channels": ["Phone"],
        "segments": ["Premium"],
        "categories": ["Attitude"],
        "components": ["courtesy"],
    }
    for key, value in selections.items():
        for name in names:
            store.run_query(fixture_con, name, {**base, key: value})
    assert ran and not [r for r in ran if r[1]]
    assert not any(
        line.startswith("-- Plain when set:")
        for n in store.query_names()
        for line in store.load_query(n).header.splitlines()
    )


def test_a_selection_only_a_finer_rollup_can_filter_reads_that_rollup(fixture_con):
    query = store.load_query("complaint_summary")
    params = FIXTURE_PERIOD.params()

    def body(sql: str) -> str:  # the SQL below the header comments
        return sql.split("\nwith", 1)[1]

    # the generated counts define every source; the sums read the smallest one that answers every
    # selection set: the branch x day x channel (segment) table under a channel (segment) selection,
    # else the cells
    reads = {"counted_parts", "counted_by_channel", "counted_by_segment", "counted_finer"}

    def read(selected: dict) -> set[str]:
        sql = body(query.sql_for({**params, **selected}))
        return {name for name in reads if f"from {name} as r" in sql}

    assert read({}) == {"counted_parts"}
    assert read({"channels": ["x"]}) == {"counted_by_channel"}
    assert read({"segments": ["x"]}) == {"counted_by_segment"}
    assert read({"segments": ["x"], "channels": ["x"]}) == {"counted_finer"}
    for selection in ("categories", "components"):
        assert read({selection: ["x"]}) == {"counted_finer"}, selection
        assert read({selection: ["x"], "channels": ["x"]}) == {"counted_finer"}, selection
        assert read({selection: ["x"], "segments": ["x"]}) == {"counted_finer"}, selection
    # complaints alone also have a branch x day x category table (and its month twin): a category
    # selection reads it, with a channel selection too the cells
    monthly = store.load_query("monthly_complaints")
    assert [c.fine for c in monthly.choices] == [
        "counted_by_channel",
        "counted_by_segment",
        "counted_by_category",
        "counted_finer",
    ]
    by_category = body(monthly.sql_for({**params, "categories": ["x"]}))
    assert "from counted_by_category as r" in by_category and "from counted_parts as r" not in by_category
    both = body(monthly.sql_for({**params, "categories": ["x"], "channels": ["x"]}))
    assert "from counted_finer as r" in both and "from counted_by_category as r" not in both
    # The same rows either way when the selection holds every value (the cells only split the days).
    channels = store.run_query(fixture_con, "filter_values", {})
    every = channels.loc[channels["dimension"] == "channel", "value"].tolist()
    assert_same(
        store.run_query(fixture_con, "complaint_summary", {**params, "channels": every}),
        store.run_query(fixture_con, "complaint_summary", params),
        "complaint_summary, every channel vs none",
    )


@pytest.mark.parametrize(
    "only",
    [
        # the fast tier: every day, cut months both ways (their days added, or the month less its
        # outside days), finer rollups (a pair of them), no data
        pytest.param(
            (
                "all",
                "from a 13th",
                "from a 14th",
                "to a 20th",
                "month edges",
                "components",
                "one component",
                "channel and segment",
                "no data",
            ),
            id="fast-subset",
        ),
        pytest.param(None, id="every-scenario", marks=pytest.mark.slow),
    ],
)
def test_optimised_equals_plain_on_the_fixture(fixture_con, only):
    assert rollups.has_rollups(fixture_con)
    assert check_every_query(fixture_con, only) > 0


@pytest.fixture(scope="session")
def medium_db_path(tmp_path_factory):
    """The generated 'medium' database (1M tickets, 200k responses), built once per session."""
    from servicequality import demo

    return demo.build(tmp_path_factory.mktemp("medium") / "medium.duckdb", scale="medium")


@pytest.mark.slow
def test_optimised_equals_plain_on_the_medium_database(medium_db_path):
    con = store.connect_read_only(medium_db_path)
    try:
        assert check_every_query(con, MEDIUM_SCENARIOS) > 0
    finally:
        con.close()


def test_rollups_built_by_other_code_are_stale(fixture_db_path, tmp_path):
    # A file whose rollups another version of rollups.py built (other tables, other columns) must
    # be rebuilt before the queries read it: `refresh --if-stale` (make bench) relies on this.
    import shutil

    db = tmp_path / "older.duckdb"
    shutil.copy(fixture_db_path, db)
    con = store.connect_read_only(db)
    try:
        assert rollups.is_fresh(con)
    finally:
        con.close()
    con = store.connect_read_write(db)
    con.execute("update rollup_settings set definition = 'built by an older rollups.py'")
    con.close()
    con = store.connect_read_only(db)
    try:
        assert not rollups.is_fresh(con)
    finally:
        con.close()
    con = store.connect_read_write(db)
    con.execute("alter table rollup_settings drop column definition")  # as written before the fingerprint
    con.close()
    con = store.connect_read_only(db)
    try:
        assert not rollups.is_fresh(con)
    finally:
        con.close()


def test_refresh_command_rebuilds_missing_rollups_and_queries_fall_back_meanwhile(fixture_db_path, tmp_path):
    import shutil

    from servicequality.__main__ import main

    db = tmp_path / "copy.duckdb"
    shutil.copy(fixture_db_path, db)
    con = store.connect_read_write(db)
    con.execute("drop table rollup_survey_days")
    con.close()
    con = store.connect_read_only(db)
    try:
        assert not rollups.is_fresh(con)
        params = Filters(dt.date(2024, 1, 1), dt.date(2024, 2, 29)).params()
        # No rollup: the plain query answers instead of an error.
        assert store.run_query(con, "survey_summary", params).iloc[0]["responses"] == 4
    finally:
        con.close()
    assert main(["refresh", "--db", str(db), "--if-stale"]) == 0
    con = store.connect_read_only(db)
    try:
        assert rollups.is_fresh(con)
        assert store.run_query(con, "survey_summary", params).iloc[0]["responses"] == 4
    finally:
        con.close()


# --- the ticket-level queries of the Explore and Rows pages (drill_tickets, drill_tickets_count,
# explore_tickets): their own parameters too, dimension pairs, cells, sort keys both ways, offsets.


def _extra_defaults() -> dict:
    return query_extras()


def test_performance_by_region_equals_its_plain_form(fixture_con):
    # component_unit_performance's $by picks the unit; the default (branch) runs in every scenario above.
    for label, filters in scenarios(fixture_con)[:4]:
        params = {**filters.params(), "by": "region"}
        fast = store.run_query(fixture_con, "component_unit_performance", params)
        plain = store.run_query(fixture_con, "component_unit_performance", params, plain=True)
        assert_same(fast, plain, f"component_unit_performance by region [{label}]")


def test_an_oracle_line_makes_the_plain_form_from_the_same_text():
    # "-- Oracle: rollup_response_performance -> response_component_performance": the plain form
    # reads the view wherever the rollup form reads the table.
    assert "branch_performance" in store.query_names(plain=True)
    fast, plain = store.load_query("branch_performance"), store.load_query("branch_performance", plain=True)
    assert "from rollup_response_performance as p" in fast.sql
    assert "from response_component_performance as p" in plain.sql and "from rollup_response" not in plain.sql
    assert fast.sql.replace("rollup_response_performance as p", "response_component_performance as p") == plain.sql


EXTRA_DEFAULTS = _extra_defaults()

TICKET_DIM_PAIRS = (
    ("region", None),
    ("branch", "month"),
    ("weekday", "channel"),
    ("branch_type", "region"),
    ("category", "family"),
    ("component", "segment"),
    ("month", None),
    (None, None),
    ("no such dimension", "region"),
)


def _ticket_cells(con, filters) -> list[dict]:
    branches = store.run_query(con, "filter_branches", {})
    month = f"{filters.start:%Y-%m}"
    return [
        {},
        {"cell_region": branches["region"].iloc[0]},
        {"cell_branch": branches["branch_id"].iloc[-1], "cell_month": month},
        {"cell_branch_type": branches["branch_type"].iloc[-1], "cell_weekday": 3},
        {"cell_channel": "Phone"},
        {"cell_channel": "Phone", "cell_region": branches["region"].iloc[-1]},
        {"cell_category": "Attitude"},
        {"cell_category": "Unmapped"},
        {"cell_family": "service"},
        {"cell_component": "unmapped"},
        {"cell_segment": "Premium"},
        {"cell_month": "0000-00"},
    ]


# The drill pages checked: the first, one cut across days, the last (partial) one, past the end.
def _pages(total: int) -> tuple[tuple[int, int], ...]:
    return ((50, 0), (2, 1), (50, max(0, total - 20)), (10, total + 5))


# The cells whose drill-down pages are compared on the medium store (the fixture's slow sweep compares
# every cell): none, branch and month, channel, category; in the fast tier's sample: none, a category
# (a finer rollup).
MEDIUM_DRILL_CELLS = (0, 2, 4, 6)
FAST_DRILL_CELLS = (0, 6)

# Scenarios whose drill-down pages are compared (every scenario compares explore_tickets and counts).
DRILL_SCENARIOS = ("all", "one day", "no data", "month edges", "region", "channel", "segment")


def check_ticket_queries(con, only: tuple[str, ...] | None = None, *, sample: bool = False) -> int:
    """With `sample` (the fast tier), fewer cells' pages, and the other sort keys in the first
    scenario of `only` alone."""
    from servicequality.metrics import drilldown

    cells_paged = None if only is None else FAST_DRILL_CELLS if sample else MEDIUM_DRILL_CELLS
    compared = 0
    other_sorts = [k for k in drilldown.SORTS["tickets"] if k != "opened_at"] + ["no such key"]
    for label, filters in scenarios(con):
        if only is not None and label not in only:
            continue
        base = {**EXTRA_DEFAULTS, **filters.params()}
        for dim1, dim2 in TICKET_DIM_PAIRS:
            params = {**base, "dim1": dim1, "dim2": dim2}
            fast = store.run_query(con, "explore_tickets", params)
            plain = store.run_query(con, "explore_tickets", params, plain=True)
            assert_same(fast, plain, f"explore_tickets {dim1}/{dim2} [{label}]")
            compared += 1
        for i, cell in enumerate(_ticket_cells(con, filters)):
            for only_complaints in (True, False) if i == 0 else (True,):
                params = {**base, **cell, "only_complaints": only_complaints}
                count = store.run_query(con, "drill_tickets_count", params)
                plain = store.run_query(con, "drill_tickets_count", params, plain=True)
                assert_same(count, plain, f"drill_tickets_count {cell} {only_complaints} [{label}]")
                compared += 1
                if label not in DRILL_SCENARIOS or (cells_paged is not None and i not in cells_paged):
                    continue
                pages = _pages(int(count.iloc[0]["total_rows"]))
                # Sorted by opening time (the rollup-bounded path): every page both ways; the other
                # keys (the plain path) once each way, without a cell.
                views = [("opened_at", True, page) for page in pages]
                views += [("opened_at", False, page) for page in pages[:2]]
                if i == 0 and only_complaints and (not sample or label == only[0]):
                    views += [(sort, d, pages[1]) for sort in other_sorts for d in (True, False)]
                # The reference of the opening-time pages (bounded by the day counts in both forms):
                # every row of the filter, read by ticket id, sorted and cut by pandas.
                every = store.run_query(
                    con,
                    "drill_tickets",
                    {**params, "sort": "ticket_id", "descending": False, "limit": 10**9, "offset": 0},
                )
                for sort, descending, (limit, offset) in views:
                    p = {**params, "sort": sort, "descending": descending, "limit": limit, "offset": offset}
                    fast = store.run_query(con, "drill_tickets", p)
                    plain = store.run_query(con, "drill_tickets", p, plain=True)
                    where = f"drill_tickets {cell} {sort} desc={descending} {limit}@{offset} [{label}]"
                    assert_same(fast, plain, where)
                    if sort == "opened_at":
                        ordered = every.sort_values(["opened_at", "ticket_id"], ascending=[not descending, True])
                        want = ordered.iloc[offset : offset + limit]
                        assert fast["ticket_id"].tolist() == want["ticket_id"].tolist(), where
                    compared += 1
    return compared


@pytest.mark.parametrize("only", FIXTURE_SWEEPS)
def test_ticket_queries_equal_plain_on_the_fixture(fixture_con, only):
    assert check_ticket_queries(fixture_con, only, sample=only is not None) > 0


@pytest.mark.slow
def test_ticket_queries_equal_plain_on_the_medium_database(medium_db_path):
    con = store.connect_read_only(medium_db_path)
    try:
        assert check_ticket_queries(con, ("all", "odd days", "branch type")) > 0
    finally:
        con.close()


# --- explore_complaints (the Explore page's count and complaint rate): every rollup branch (day,
# channel, category) and the plain one, by dimension pair and selection.

COMPLAINT_DIM_PAIRS = TICKET_DIM_PAIRS + (
    ("channel", None),
    ("region", "channel"),
    ("category", None),
    ("family", "month"),
    ("weekday", "component"),
    ("channel", "category"),
    ("segment", None),
    ("region", "no such dimension"),
)


def check_explore_complaints(con, only: tuple[str, ...] | None = None) -> int:
    compared = 0
    for label, filters in scenarios(con):
        if only is not None and label not in only:
            continue
        base = {**EXTRA_DEFAULTS, **filters.params()}
        for dim1, dim2 in COMPLAINT_DIM_PAIRS:
            params = {**base, "dim1": dim1, "dim2": dim2}
            fast = store.run_query(con, "explore_complaints", params)
            plain = store.run_query(con, "explore_complaints", params, plain=True)
            assert_same(fast, plain, f"explore_complaints {dim1}/{dim2} [{label}]")
            # The same complaints as explore_tickets counts (the query the count used to read).
            tickets = store.run_query(con, "explore_tickets", params, plain=True)
            assert_same(
                fast, tickets[["key1", "key2", "complaints"]], f"explore_complaints ~ tickets {dim1}/{dim2} [{label}]"
            )
            # The share within target: its counts from the rollups, as explore_tickets counts them
            # complaint by complaint (the query the share used to read).
            within = store.run_query(con, "explore_within_target", params)
            plain = store.run_query(con, "explore_within_target", params, plain=True)
            assert_same(within, plain, f"explore_within_target {dim1}/{dim2} [{label}]")
            # (explore_tickets sums a HUGEINT, which pandas reads as a float: compared as whole numbers)
            judged = tickets[list(within.columns)].astype({"resolution_within_target": "int64"})
            assert_same(within, judged, f"explore_within_target ~ tickets {dim1}/{dim2} [{label}]")
            compared += 1
    return compared


@pytest.mark.parametrize("only", FIXTURE_SWEEPS)
def test_explore_complaints_equal_plain_on_the_fixture(fixture_con, only):
    assert check_explore_complaints(fixture_con, only) > 0


@pytest.mark.slow
def test_explore_complaints_equal_plain_on_the_medium_database(medium_db_path):
    con = store.connect_read_only(medium_db_path)
    try:
        assert (
            check_explore_complaints(con, ("all", "odd days", "branch type", "channel", "categories", "components")) > 0
        )
    finally:
        con.close()


# --- explore_survey and explore_performance (the Explore page's SERVQUAL gap and perception, and
# performance) by dimension pair: each reads a respondent-level rollup when no dimension splits a
# respondent, their component rows when one does.

SURVEY_DIM_PAIRS = (
    ("region", None),
    ("branch", "month"),
    ("weekday", "channel"),
    ("component", "segment"),
    ("branch_type", "component"),
    (None, None),
    ("no such dimension", "region"),
)


def check_explore_survey(con, only: tuple[str, ...] | None = None) -> int:
    compared = 0
    for label, filters in scenarios(con):
        if only is not None and label not in only:
            continue
        base = {**EXTRA_DEFAULTS, **filters.params()}
        for (dim1, dim2), name in itertools.product(SURVEY_DIM_PAIRS, ("explore_survey", "explore_performance")):
            params = {**base, "dim1": dim1, "dim2": dim2}
            fast = store.run_query(con, name, params)
            plain = store.run_query(con, name, params, plain=True)
            assert_same(fast, plain, f"{name} {dim1}/{dim2} [{label}]")
            compared += 1
    return compared


@pytest.mark.parametrize("only", FIXTURE_SWEEPS)
def test_explore_survey_equals_plain_on_the_fixture(fixture_con, only):
    assert check_explore_survey(fixture_con, only) > 0


@pytest.mark.slow
def test_explore_survey_equals_plain_on_the_medium_database(medium_db_path):
    con = store.connect_read_only(medium_db_path)
    try:
        assert check_explore_survey(con, ("all", "odd days", "branch type", "segment", "components")) > 0
    finally:
        con.close()


# --- drill_responses, drill_responses_count (the survey rows behind a number): cells, every sort
# both ways, pages.


def _response_cells(con, filters) -> list[dict]:
    branches = store.run_query(con, "filter_branches", {})
    return [
        {},
        {"cell_region": branches["region"].iloc[0]},
        {"cell_branch": branches["branch_id"].iloc[-1], "cell_month": f"{filters.start:%Y-%m}"},
        {"cell_component": "reliability"},
        {"cell_component": "courtesy", "cell_weekday": 3},
        {"cell_segment": "Premium", "cell_channel": "Phone"},
    ]


# The cells the fast tier compares (the slow tier's sweep checks every cell): none, a component (the
# per-component path), a segment and a channel.
FAST_RESPONSE_CELLS = (0, 3, 5)


def check_response_queries(con, only: tuple[str, ...] | None = None, *, sample: bool = False) -> int:
    """With `sample` (the fast tier), fewer cells, and every sort key in the first scenario of `only`
    alone."""
    from servicequality.metrics import drilldown

    compared = 0
    for label, filters in scenarios(con):
        if only is not None and label not in only:
            continue
        base = {**EXTRA_DEFAULTS, **filters.params(), "sort": "submitted_at"}
        for i, cell in enumerate(_response_cells(con, filters)):
            if sample and i not in FAST_RESPONSE_CELLS:
                continue
            params = {**base, **cell}
            count = store.run_query(con, "drill_responses_count", params)
            assert_same(
                count, store.run_query(con, "drill_responses_count", params, plain=True), f"count {cell} [{label}]"
            )
            compared += 1
            pages = _pages(int(count.iloc[0]["total_rows"]))
            # The reference of every page (the page is cut before its means are computed): every row
            # of the filter, read by response id, sorted and cut by pandas.
            every = store.run_query(
                con, "drill_responses", {**params, "sort": "response_id", "descending": False, "limit": 10**9}
            )
            assert len(every) == int(count.iloc[0]["total_rows"])
            # Their means against the view of the survey items (doubles, not the scaled sums).
            view = con.execute(
                "select response_id, avg(gap) as mean_gap, avg(perception) as mean_perception "
                "from response_component_scores where ($c is null or list_contains($c, component_key)) "
                "and ($cc is null or component_key = $cc) group by response_id",
                {"c": params["components"], "cc": params.get("cell_component")},
            ).df()
            joined = every.merge(view, on="response_id", how="left", suffixes=("", "_view"))
            for column in ("mean_gap", "mean_perception"):
                # exact sums against doubles: a mean of exactly 0 may come out as 4e-17 from the view
                np.testing.assert_allclose(
                    joined[column], joined[f"{column}_view"], rtol=1e-12, atol=ATOL, err_msg=label
                )
            every_sort = i == 0 and (not sample or label == only[0])  # every sort key without a cell
            sorts = list(drilldown.SORTS["responses"]) + ["no such key"] if every_sort else ["submitted_at", "mean_gap"]
            for sort in sorts:
                for descending in (True, False):
                    for limit, offset in pages if sort == "submitted_at" and descending else pages[:2]:
                        p = {**params, "sort": sort, "descending": descending, "limit": limit, "offset": offset}
                        fast = store.run_query(con, "drill_responses", p)
                        plain = store.run_query(con, "drill_responses", p, plain=True)
                        where = f"drill_responses {cell} {sort} desc={descending} {limit}@{offset} [{label}]"
                        assert_same(fast, plain, where)
                        key = {"branch": "branch_name"}.get(sort, sort)
                        answer = {"nps": "recommend", "overall_satisfaction": "satisfaction"}.get(sort)
                        if answer:  # the answer as a share of its scale (the survey's own, or the classic)
                            low, high = every[f"{answer}_min"], every[f"{answer}_max"]
                            every = every.assign(**{key: (every[f"{answer}_answer"] - low) / (high - low)})
                        if key in every.columns:
                            ordered = every.sort_values(
                                [key, "response_id"], ascending=[not descending, True], na_position="last"
                            )
                        else:  # an unknown key: by response id
                            ordered = every
                        want = ordered.iloc[offset : offset + limit]
                        assert fast["response_id"].tolist() == want["response_id"].tolist(), where
                        compared += 1
    return compared


@pytest.mark.parametrize("only", FIXTURE_SWEEPS)
def test_response_queries_equal_plain_on_the_fixture(fixture_con, only):
    assert check_response_queries(fixture_con, only, sample=only is not None) > 0


@pytest.mark.slow
def test_response_queries_equal_plain_on_the_medium_database(medium_db_path):
    con = store.connect_read_only(medium_db_path)
    try:
        assert check_response_queries(con, ("odd days", "components")) > 0
    finally:
        con.close()
