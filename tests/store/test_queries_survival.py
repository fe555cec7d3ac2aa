"""Handling times with complaints still open: Kaplan-Meier percentiles and late open complaints.

The store below has 900 complaints over three months in three branches, about a sixth of them still
open, with whole-minute times so handled times tie with each other and with open complaints'
ages. Every figure is checked three ways: the optimised query (bucket rollups, the rank derived
segment by segment), the plain query (a survival window over every time), and an independent
reference (scipy.stats.ecdf over right-censored data, and pandas for the counts).
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from servicequality import store
from servicequality.filters import Filters

START = dt.datetime(2024, 1, 1)
CHANNELS = ("Phone", "Email")
PRIORITIES = ("normal", "high")
TARGETS = {  # channel, priority -> first response, resolution (minutes)
    ("Phone", "normal"): (30, 600),
    ("Phone", "high"): (10, 300),
    ("Email", "normal"): (240, 1440),
    ("Email", "high"): (120, 720),
}
LAST = dt.datetime(2024, 3, 31, 23, 0)  # the data's last recorded moment (the last ticket opens then)


def _tickets(seed: int = 11) -> list[tuple]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(900):
        branch = ("K1", "K2", "K3")[i % 3]
        channel, priority = CHANNELS[i % 2], PRIORITIES[(i // 2) % 2]
        # whole minutes: ties among handled times, and between them and open complaints' ages
        opened = START + dt.timedelta(minutes=int(rng.integers(0, 60 * 24 * 88)))
        first = int(rng.choice([5, 20, 60, 200, 500]) * rng.integers(1, 4))
        resolve = int(rng.choice([120, 400, 900, 2000, 5000]) * rng.integers(1, 4))
        still_open = rng.random() < 0.15
        if still_open and rng.random() < 0.7:  # most open complaints are recent ones
            opened = LAST - dt.timedelta(minutes=int(rng.integers(1, 60 * 24 * 12)))
        answered = not still_open or rng.random() < 0.5
        first_at = opened + dt.timedelta(minutes=first) if answered else None
        resolved_at = None if still_open else opened + dt.timedelta(minutes=first + resolve)
        rows.append(
            (f"C{i}", branch, channel, "complaint", "Attitude", priority, opened, first_at, resolved_at,
             "open" if still_open else "closed", 0, False, None, "Individual")
        )  # fmt: skip
    # The last complaint opens at the data's last moment: it sets the as-of time.
    rows.append(
        ("CLAST", "K1", "Phone", "complaint", "Attitude", "normal", LAST, None, None, "open", 0, False, None,
         "Individual")
    )  # fmt: skip
    return rows


def _fill(con) -> None:
    for b in ("K1", "K2", "K3"):
        con.execute("insert into branches values ($1, $1, 'North', 'C', 'Standard', 'Small', null)", [b])
    for (channel, priority), (first, resolution) in TARGETS.items():
        con.execute("insert into service_targets values ($1, $2, $3, $4)", [channel, priority, first, resolution])
    rows = [r for r in _tickets() if r[7] is None or r[7] <= LAST]
    rows = [r for r in rows if r[8] is None or r[8] <= LAST]  # nothing recorded after the as-of time
    con.executemany(
        "insert into tickets values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, null)", rows
    )


@pytest.fixture(scope="module")
def survival_db(tmp_path_factory):
    return store.build_atomically(tmp_path_factory.mktemp("survival") / "survival.duckdb", _fill)


@pytest.fixture(scope="module")
def complaints(survival_db) -> pd.DataFrame:
    """The complaints with their times in minutes and ages at the as-of time, read by pandas."""
    con = store.connect_read_only(survival_db)
    try:
        t = con.execute("select * from tickets").df()
    finally:
        con.close()
    targets = pd.DataFrame(
        [(c, p, f, r) for (c, p), (f, r) in TARGETS.items()], columns=["channel", "priority", "frt", "rt"]
    )
    t = t.merge(targets, on=["channel", "priority"])
    as_of = max(t["opened_at"].max(), t["first_response_at"].max(), t["resolved_at"].max())
    assert as_of == LAST
    minutes = lambda a, b: (b - a).dt.total_seconds() / 60  # noqa: E731
    still_open = t["status"] == "open"
    age = minutes(t["opened_at"], pd.Series(as_of, index=t.index))
    return t.assign(
        fr=minutes(t["opened_at"], t["first_response_at"]),
        rs=minutes(t["opened_at"], t["resolved_at"]),
        fr_age=age.where(still_open & t["first_response_at"].isna()),
        rs_age=age.where(still_open & t["resolved_at"].isna()),
        opened_on=t["opened_at"].dt.date,
    )


def km_quantile(handled: pd.Series, censored: pd.Series, q: float) -> float:
    """Reference: scipy's Kaplan-Meier survival function; the smallest handled time with S <= 1 - q."""
    sf = scipy_stats.ecdf(scipy_stats.CensoredData(uncensored=handled.dropna(), right=censored.dropna())).sf
    reached = sf.probabilities <= 1 - q + 1e-9
    return float(sf.quantiles[np.argmax(reached)]) if reached.any() else np.nan


def judged_counts(times: pd.Series, ages: pd.Series, targets: pd.Series) -> tuple[int, int]:
    """(within target, judged): handled within the target; judged = handled, or open past it."""
    late_open = ages > targets
    within = int((times <= targets).sum())
    return within, int(times.notna().sum() + late_open.sum())


PERIODS = {
    "quarter": Filters(dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    "partial months": Filters(dt.date(2024, 1, 17), dt.date(2024, 3, 9)),
    "one branch": Filters(dt.date(2024, 1, 1), dt.date(2024, 3, 31), branches=("K2",)),
    # a selection the month tables cannot filter: every day of the period from the complaints
    "one channel": Filters(dt.date(2024, 1, 17), dt.date(2024, 3, 31), channels=("Email",)),
}


@pytest.mark.parametrize("label", PERIODS)
def test_handling_summary_is_kaplan_meier_and_counts_late_open(survival_db, complaints, label):
    f = PERIODS[label]
    c = complaints[(complaints["opened_on"] >= f.start) & (complaints["opened_on"] <= f.end)]
    if f.branches:
        c = c[c["branch_id"].isin(f.branches)]
    if f.channels:
        c = c[c["channel"].isin(f.channels)]
    assert c["rs_age"].notna().sum() > 10 and c["fr_age"].notna().sum() > 5  # censored ones in every case
    con = store.connect_read_only(survival_db)
    try:
        fast = store.run_query(con, "handling_summary", f.params()).iloc[0]
        plain = store.run_query(con, "handling_summary", f.params(), plain=True).iloc[0]
    finally:
        con.close()
    want = {
        "median_first_response_minutes": km_quantile(c["fr"], c["fr_age"], 0.5),
        "p90_first_response_minutes": km_quantile(c["fr"], c["fr_age"], 0.9),
        "median_resolution_minutes": km_quantile(c["rs"], c["rs_age"], 0.5),
        "p90_resolution_minutes": km_quantile(c["rs"], c["rs_age"], 0.9),
    }
    # The resolved ones alone would say less: the open ones are the slow ones.
    assert not want["p90_resolution_minutes"] <= c["rs"].quantile(0.9)
    for row in (fast, plain):
        for column, value in want.items():
            if np.isnan(value):
                assert pd.isna(row[column]), column
            else:
                assert row[column] == pytest.approx(value), column
        assert (row["first_response_within_target"], row["targeted_first_n"]) == judged_counts(
            c["fr"], c["fr_age"], c["frt"]
        )
        assert (row["resolution_within_target"], row["targeted_resolution_n"]) == judged_counts(
            c["rs"], c["rs_age"], c["rt"]
        )
        assert (row["awaiting_first_n"], row["still_open_n"]) == (c["fr_age"].notna().sum(), c["rs_age"].notna().sum())
        assert row["late_open_n"] == (c["rs_age"] > c["rt"]).sum()


def test_handling_targets_per_pair_is_kaplan_meier(survival_db, complaints):
    f = PERIODS["partial months"]
    c = complaints[(complaints["opened_on"] >= f.start) & (complaints["opened_on"] <= f.end)]
    con = store.connect_read_only(survival_db)
    try:
        fast = store.run_query(con, "handling_targets", f.params()).set_index(["channel", "priority"])
        plain = store.run_query(con, "handling_targets", f.params(), plain=True).set_index(["channel", "priority"])
    finally:
        con.close()
    assert len(fast) == len(plain) == 4
    for (channel, priority), g in c.groupby(["channel", "priority"]):
        for table in (fast, plain):
            row = table.loc[(channel, priority)]
            for q, name in ((0.5, "median"), (0.9, "p90")):
                for stage, times, ages in (("first_response", "fr", "fr_age"), ("resolution", "rs", "rs_age")):
                    want = km_quantile(g[times], g[ages], q)
                    got = row[f"{name}_{stage}_minutes"]
                    assert pd.isna(got) if np.isnan(want) else got == pytest.approx(want), (channel, priority, name)
            assert (row["resolution_within_target"], row["targeted_resolution_n"]) == judged_counts(
                g["rs"], g["rs_age"], g["rt"]
            )


def test_explore_cells_are_kaplan_meier(survival_db, complaints):
    # Explore's complaints by branch and channel, one branch left out: each cell's
    # medians against scipy, its counts against pandas.
    f = Filters(dt.date(2024, 1, 17), dt.date(2024, 3, 31), branches=("K1", "K3"))
    c = complaints[(complaints["opened_on"] >= f.start) & (complaints["opened_on"] <= f.end)]
    c = c[c["branch_id"].isin(f.branches)]
    con = store.connect_read_only(survival_db)
    try:
        params = {**f.params(), "dim1": "branch", "dim2": "channel"}
        tables = [store.run_query(con, "explore_tickets", params, plain=plain) for plain in (False, True)]
    finally:
        con.close()
    for table in tables:
        got = table.set_index(["key1", "key2"])
        assert len(got) == 4
        for (branch, channel), g in c.groupby(["branch_id", "channel"]):
            row = got.loc[(branch, channel)]
            assert (row["complaints"], row["still_open_n"]) == (len(g), g["rs_age"].notna().sum())
            for column, times, ages in (
                ("median_first_response_minutes", "fr", "fr_age"),
                ("median_resolution_minutes", "rs", "rs_age"),
            ):
                want = km_quantile(g[times], g[ages], 0.5)
                assert pd.isna(row[column]) if np.isnan(want) else row[column] == pytest.approx(want), column
            assert (row["resolution_within_target"], row["targeted_resolution_n"]) == judged_counts(
                g["rs"], g["rs_age"], g["rt"]
            )


def _one_branch(rows: list[tuple], *, as_of: dt.datetime):
    """A store's fill: branch K1's Phone complaints (id, opened, resolved or None, status), each
    answered as it opened, and a request opened at `as_of`, the data's last moment."""

    def fill(con):
        con.execute("insert into branches values ('K1', 'K1', 'North', 'C', 'Standard', 'Small', null)")
        for tid, opened, resolved, status in rows:
            con.execute(
                "insert into tickets values ($1, 'K1', 'Phone', 'complaint', 'Attitude', 'normal', $2, $2, $3, "
                "$4, 0, false, null, 'Individual', null)",
                [tid, opened, resolved, status],
            )
        con.execute(
            "insert into tickets values ('Q1', 'K1', 'Web', 'request', null, 'low', $1, null, null, 'open', "
            "0, false, null, 'Individual', null)",
            [as_of],
        )

    return fill


def test_a_percentile_the_open_complaints_keep_out_of_reach_is_null(tmp_path):
    # Hand-worked: handled 10 and 20 minutes, four still open at 30+ minutes. S after 10 = 5/6,
    # after 20 = 5/6 * 4/5 = 2/3: never 1/2 or below, so the median is not reached (null), while
    # the resolved ones alone would say 15.
    opened = dt.datetime(2024, 1, 10, 8, 0)
    rows = [(f"H{m}", opened, opened + dt.timedelta(minutes=m), "closed") for m in (10, 20)]
    rows += [(f"O{i}", opened, None, "open") for i in range(4)]
    # the data's last moment: another ticket opened an hour later
    fill = _one_branch(rows, as_of=opened + dt.timedelta(minutes=60))

    db = store.build_atomically(tmp_path / "open.duckdb", fill)
    con = store.connect_read_only(db)
    try:
        f = Filters(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
        for plain in (False, True):
            row = store.run_query(con, "handling_summary", f.params(), plain=plain).iloc[0]
            assert pd.isna(row["median_resolution_minutes"])
            assert row["still_open_n"] == 4
            # no target set in this store: nothing is judged against one
            assert (row["targeted_resolution_n"], row["late_open_n"]) == (0, 0)
            # Explore's cell: fewer than half handled, so no bound cuts its times (explore_tickets)
            cell = store.run_query(con, "explore_tickets", {**f.params(), "dim1": None, "dim2": None}, plain=plain)
            assert pd.isna(cell.iloc[0]["median_resolution_minutes"]) and cell.iloc[0]["still_open_n"] == 4
    finally:
        con.close()


def test_explore_medians_keep_the_open_complaints_above_the_bound_at_risk(tmp_path):
    # Hand-worked: resolved after 10, 20, 30 and 40 minutes; two still open, aged 15 and 60 minutes
    # at the as-of time. Six at risk: S after 10 = 5/6; the one aged 15 leaves; after 20 = 5/6 * 3/4
    # = 5/8; after 30 = 5/8 * 2/3 = 5/12 <= 1/2, so the median is 30 (the resolved alone: 25).
    # explore_tickets sorts only the times up to a bound (here 30: three of six handled by then) and
    # keeps the two above it (40, and the open one aged 60) at risk; without them it would say 20
    # (S after 10 = 3/4, after 20 = 3/8).
    t0 = dt.datetime(2024, 1, 10, 8, 0)
    rows = [(f"H{m}", t0, t0 + dt.timedelta(minutes=m), "closed") for m in (10, 20, 30, 40)]
    rows += [(f"O{a}", t0 + dt.timedelta(minutes=1000 - a), None, "open") for a in (15, 60)]
    fill = _one_branch(rows, as_of=t0 + dt.timedelta(minutes=1000))

    db = store.build_atomically(tmp_path / "bound.duckdb", fill)
    con = store.connect_read_only(db)
    try:
        params = {**Filters(dt.date(2024, 1, 1), dt.date(2024, 1, 31)).params(), "dim1": "channel", "dim2": None}
        for plain in (False, True):
            row = store.run_query(con, "explore_tickets", params, plain=plain).iloc[0]
            assert row["key1"] == "Phone" and row["complaints"] == 6 and row["still_open_n"] == 2
            # the median's sample: the four resolved and the two open, not the resolved alone
            assert (row["resolved_n"], row["resolution_n"]) == (4, 6)
            assert row["median_resolution_minutes"] == pytest.approx(30)
            assert row["median_first_response_minutes"] == pytest.approx(0)  # answered as they opened
    finally:
        con.close()


def _wide_tickets(n: int = 24_000, seed: int = 5) -> pd.DataFrame:
    """Complaints whose whole-minute times spread over days: a series' 128 buckets each hold a range of
    many values (low < high), and a third of the complaints are still open, their whole-minute ages
    tying with handled times inside those ranges."""
    rng = np.random.default_rng(seed)
    opened = START + pd.to_timedelta(rng.integers(0, 60 * 24 * 88, n), unit="min")
    first = pd.to_timedelta(rng.integers(1, 60 * 24 * 4, n), unit="min")
    resolve = pd.to_timedelta(rng.integers(1, 60 * 24 * 30, n), unit="min")
    first_at = pd.Series(opened + first)
    resolved_at = first_at + resolve
    still_open = (resolved_at > LAST) | (rng.random(n) < 0.1)
    frame = pd.DataFrame(
        {
            "ticket_id": [f"W{i}" for i in range(n)],
            "branch_id": "K1",
            "channel": "Phone",
            "kind": "complaint",
            "category": "Attitude",
            "priority": "normal",
            "opened_at": opened,
            "first_response_at": first_at.where(first_at <= LAST),
            "resolved_at": resolved_at.where(~still_open),
            "status": np.where(still_open, "open", "closed"),
            "reopened_count": 0,
            "escalated": False,
            "satisfaction": None,
            "segment": "Individual",
        }
    )
    last = pd.DataFrame([{**frame.iloc[0].to_dict(), "ticket_id": "WLAST", "opened_at": pd.Timestamp(LAST),
                          "first_response_at": pd.NaT, "resolved_at": pd.NaT, "status": "open"}])  # fmt: skip
    return pd.concat([frame, last], ignore_index=True)


def test_percentiles_are_exact_when_open_ages_fall_inside_wide_buckets(tmp_path):
    # The optimised query counts the handled values at or below each open complaint's age inside its
    # bucket by bins of the bucket's range (queries/fragments/handling_percentiles.sql); here every
    # bucket is a range of many values, with ages tied to them, against scipy's Kaplan-Meier.
    tickets = _wide_tickets()

    def fill(con):
        con.execute("insert into branches values ('K1', 'K1', 'North', 'C', 'Standard', 'Small', null)")
        con.execute("insert into service_targets values ('Phone', 'normal', 600, 20000)")
        con.register("wide", tickets)
        con.execute("insert into tickets by name select * from wide")

    db = store.build_atomically(tmp_path / "wide.duckdb", fill)
    minutes = lambda a, b: (b - a).dt.total_seconds() / 60  # noqa: E731
    age = minutes(tickets["opened_at"], pd.Series(pd.Timestamp(LAST), index=tickets.index))
    open_ = tickets["status"] == "open"
    fr, rs = (
        minutes(tickets["opened_at"], tickets["first_response_at"]),
        minutes(tickets["opened_at"], tickets["resolved_at"]),
    )
    fr_age, rs_age = age.where(open_ & fr.isna()), age.where(open_ & rs.isna())
    con = store.connect_read_only(db)
    try:
        buckets = con.execute(
            "select count(*) filter (where low < high), count(*) from rollup_handling_buckets where measure in (1, 2)"
        ).fetchall()[0]
        inside = con.execute(
            "select count(*) from rollup_handling_censored as o join rollup_handling_buckets as k "
            "on k.series = o.series and o.age > k.low and o.age < k.high and o.age in "
            "(select value from rollup_handling_values as v where v.bucket = k.bucket)"
        ).fetchall()[0][0]
        f = Filters(dt.date(2024, 1, 9), dt.date(2024, 3, 31))
        row = store.run_query(con, "handling_summary", f.params()).iloc[0]
    finally:
        con.close()
    assert buckets[0] == buckets[1] == 256  # every bucket a range of values
    assert inside > 100  # open ages equal to a handled value strictly inside a bucket
    period = (tickets["opened_at"] >= pd.Timestamp(f.start)).to_numpy()
    for column, times, ages, q in (
        ("median_first_response_minutes", fr, fr_age, 0.5),
        ("p90_first_response_minutes", fr, fr_age, 0.9),
        ("median_resolution_minutes", rs, rs_age, 0.5),
        ("p90_resolution_minutes", rs, rs_age, 0.9),
    ):
        want = km_quantile(times[period], ages[period], q)
        assert not np.isnan(want) and row[column] == want, column


def test_an_open_age_tied_to_handled_times_inside_a_bucket_counts_them_below(tmp_path):
    # Resolved in 1, 2, ..., 30000 minutes, and 10 more in exactly 9200; still open: 3000 at age
    # exactly 9200 and one every 100 minutes. The 30010 times make 128 buckets (ntile: the first 58
    # of 235 times; positions 9166-9400 in the 40th), so 9200 and its ties lie inside the range
    # 9166-9390 of one bucket, and the optimised query counts the handled times at or below those ages
    # inside it (by its 8 bins: 34 times in the bins before 9200's, 11 in its own). Kaplan & Meier: the
    # 11 resolved at 9200 leave the risk set before the 3000 censored at 9200; counted the other way,
    # the survival after 9200 drops faster and the later percentiles move.
    opened_at = lambda minutes: LAST - dt.timedelta(minutes=minutes)  # noqa: E731
    times = list(range(1, 30001)) + [9200] * 10
    ages = [9200] * 3000 + list(range(100, 30001, 100))
    rows = []
    for i, t in enumerate(times):
        opened = opened_at(30001 + t)
        done = opened + dt.timedelta(minutes=t)
        rows.append((f"H{i}", opened, done, done, "closed"))
    rows += [(f"O{i}", opened_at(a), None, None, "open") for i, a in enumerate(ages)]
    rows.append(("LAST", LAST, None, None, "open"))  # opened at the as-of moment: age 0

    def fill(con):
        con.execute("insert into branches values ('K1', 'K1', 'North', 'C', 'Standard', 'Small', null)")
        frame = pd.DataFrame(rows, columns=["ticket_id", "opened_at", "first_response_at", "resolved_at", "status"])
        con.register("ties", frame)
        con.execute(
            "insert into tickets select ticket_id, 'K1', 'Phone', 'complaint', 'Attitude', 'normal', opened_at, "
            "first_response_at, resolved_at, status, 0, false, null, 'Individual', null from ties"
        )

    db = store.build_atomically(tmp_path / "ties.duckdb", fill)
    # The reference's convention on one tie: handled 1, 2; open at 1. S(1) = 2/3 (3 at risk, one
    # event), then 1 at risk at 2: S(2) = 0. With the open one first, S(1) = 1/2 instead.
    sf = scipy_stats.ecdf(scipy_stats.CensoredData(uncensored=[1.0, 2.0], right=[1.0])).sf
    assert sf.evaluate(1.0) == pytest.approx(2 / 3)
    con = store.connect_read_only(db)
    try:
        around = con.execute(
            "select low, high from rollup_handling_buckets where measure = 2 and low <= 9200 and high >= 9200"
        ).fetchall()
        f = Filters(LAST.date() - dt.timedelta(days=45), LAST.date())
        row = store.run_query(con, "handling_summary", f.params()).iloc[0]
    finally:
        con.close()
    assert around == [(9166, 9390)]
    for column, q in (("median_resolution_minutes", 0.5), ("p90_resolution_minutes", 0.9)):
        want = km_quantile(pd.Series(times, dtype=float), pd.Series(ages, dtype=float), q)
        assert row[column] == want, column
