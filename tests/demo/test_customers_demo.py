"""The demo's identified customers: an independent pandas computation from the base tables equals
what the Customers page shows (2025, and one filtered view), the planted effect of late complaint
handling is found, handling within target is not told apart from no complaint, no steady branch is
flagged on the return rate or on reputation, and the Kaplan-Meier curves equal scipy.stats.ecdf."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from streamlit.testing.v1 import AppTest

from servicequality import store
from servicequality.filters import Filters
from servicequality.metrics import consistency, customers
from tests.conftest import ROOT

YEAR = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
NORTH_FACE = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31), regions=("North",), channels=("Face to face",))


def pandas_returns(con, f: Filters) -> tuple[int, int, int]:
    """(customers, judged, returned) from the visits table alone: each customer's first visit in the
    period among the visits the filters match; back when any later-day visit is within the window."""
    visits = con.execute("select v.*, b.region from visits v join branches b using (branch_id)").df()
    visits["visited_on"] = pd.to_datetime(visits["visited_on"])
    as_of = visits["visited_on"].max()
    start, end = pd.Timestamp(f.start), pd.Timestamp(f.end)
    chosen = visits[(visits["visited_on"] >= start) & (visits["visited_on"] <= end)]
    if f.regions:
        chosen = chosen[chosen["region"].isin(f.regions)]
    if f.channels:
        chosen = chosen[chosen["channel"].isin(f.channels)]
    first = chosen.sort_values(["customer_key", "visited_on", "branch_id", "channel"]).groupby("customer_key").head(1)
    later = visits[["customer_key", "visited_on"]].merge(
        first[["customer_key", "visited_on"]], on="customer_key", suffixes=("", "_index")
    )
    later = later[later["visited_on"] > later["visited_on_index"]]
    next_on = later.groupby("customer_key")["visited_on"].min()
    first = first.assign(next_on=first["customer_key"].map(next_on))
    judged = (as_of - first["visited_on"]).dt.days >= f.return_days
    back = judged & ((first["next_on"] - first["visited_on"]).dt.days <= f.return_days)
    return len(first), int(judged.sum()), int(back.sum())


def pandas_index_rows(con, f: Filters, per: list[str]) -> pd.DataFrame:
    """customers, judged and returned per branch and month, from the visits table alone: each
    customer's first visit (per `per`: the customer, or the customer and month) among the visits in the
    period the filters match; back when their next visit on a later day, anywhere, is within the window."""
    visits = con.execute("select v.*, b.region from visits v join branches b using (branch_id)").df()
    visits["visited_on"] = pd.to_datetime(visits["visited_on"])
    as_of = visits["visited_on"].max()
    chosen = visits[(visits["visited_on"] >= pd.Timestamp(f.start)) & (visits["visited_on"] <= pd.Timestamp(f.end))]
    if f.regions:
        chosen = chosen[chosen["region"].isin(f.regions)]
    if f.channels:
        chosen = chosen[chosen["channel"].isin(f.channels)]
    chosen = chosen.assign(month=chosen["visited_on"].dt.to_period("M").dt.start_time)
    first = chosen.sort_values(["customer_key", "visited_on", "branch_id", "channel"]).groupby(per).head(1)
    days = visits[["customer_key", "visited_on"]].drop_duplicates().sort_values(["customer_key", "visited_on"])
    days["next_on"] = days.groupby("customer_key")["visited_on"].shift(-1)
    first = first.merge(days, on=["customer_key", "visited_on"])
    judged = (as_of - first["visited_on"]).dt.days >= f.return_days
    back = judged & ((first["next_on"] - first["visited_on"]).dt.days <= f.return_days)
    rows = first.assign(judged=judged, returned=back).groupby(["branch_id", "month"])
    return rows.agg(customers=("customer_key", "size"), judged=("judged", "sum"), returned=("returned", "sum"))


MID_MONTH = Filters(dt.date(2024, 3, 17), dt.date(2025, 2, 10))


@pytest.mark.parametrize("f", [MID_MONTH, replace(MID_MONTH, regions=("North",), channels=("Face to face",))],
                         ids=["no selection", "North, face to face"])  # fmt: skip
@pytest.mark.parametrize("query, per", [("customer_returns", ["customer_key"]),
                                        ("customer_returns_months", ["customer_key", "month"])])  # fmt: skip
def test_returns_per_branch_and_month_equal_pandas(demo_con, f, query, per):
    # Without a selection the first visit is the one whose previous visit day falls before the start
    # (or the month's 1st: rollup_visit_days); with one, it is ranked. Both against pandas.
    want = pandas_index_rows(demo_con, f, per)
    got = store.run_query(demo_con, query, f.params())
    got = got.assign(month=pd.to_datetime(got["month"])).set_index(["branch_id", "month"])
    got = got[["customers", "judged", "returned"]].astype("int64")
    assert len(want) > 50 and want["returned"].sum() > 100
    pd.testing.assert_frame_equal(got.sort_index(), want.astype("int64").sort_index())


def pandas_reputation(con, f: Filters) -> tuple[int, int]:
    t = con.execute(
        "select t.kind, t.opened_at, t.channel, b.region from tickets t join branches b using (branch_id)"
    ).df()
    t = t[(t["opened_at"].dt.date >= f.start) & (t["opened_at"].dt.date <= f.end)]
    if f.regions:
        t = t[t["region"].isin(f.regions)]
    if f.channels:
        t = t[t["channel"].isin(f.channels)]
    return int((t["kind"] == "compliment").sum()), int((t["kind"] == "complaint").sum())


def page_tiles(monkeypatch, db, f: Filters) -> dict[str, str]:
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["period"] = [f.start.isoformat(), f.end.isoformat()]
    if f.regions:
        at.query_params["region"] = list(f.regions)
    if f.channels:
        at.query_params["channel"] = list(f.channels)
    at.run()
    at.switch_page("pages/customers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("f", [YEAR, NORTH_FACE], ids=["2025", "North, face to face"])
def test_the_page_equals_pandas_on_the_base_tables(monkeypatch, demo_db_path, f):
    con = store.connect_read_only(demo_db_path)
    try:
        n, judged, back = pandas_returns(con, f)
        compliments, complaints = pandas_reputation(con, f)
        rows = store.run_query(con, "customer_returns", f.params())
    finally:
        con.close()
    assert (int(rows["customers"].sum()), int(rows["judged"].sum()), int(rows["returned"].sum())) == (n, judged, back)
    assert judged > 500
    tiles = page_tiles(monkeypatch, demo_db_path, f)
    assert tiles["Return rate (90 days)"] == f"{100 * back / judged:.1f} %"
    assert tiles["Reputation (praise share)"] == f"{100 * compliments / (compliments + complaints):.1f} %"


def test_late_handling_is_found_and_handling_within_target_is_not_flagged(demo_con):
    table = customers.recovery(
        customers.recovery_rows(store.run_query(demo_con, "complaint_recovery", YEAR.params())).strata
    ).table.set_index("outcome")
    # planted: a late complaint's first return has probability 0.62 against 0.75, about 12 points
    # (0.949 x 0.13) less within 90 days; within target, as customers who had not complained
    assert table.loc["late", "adjusted_high"] < 0
    assert table.loc["late", "adjusted_low"] < -8 < table.loc["late", "adjusted_high"] + 4
    assert table.loc["within_target", "adjusted_low"] < 0 < table.loc["within_target", "adjusted_high"]
    assert table.loc["open", "adjusted_high"] < 0 and table.loc["escalated", "adjusted_high"] < 0


def _funnel(demo_con, key):
    whole = Filters(dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    rows = store.run_query(demo_con, "consistency_branch_measures", whole.params())
    if key == "return_rate":
        rows = consistency.with_returns(rows, store.run_query(demo_con, "customer_returns", whole.params()))
    view = consistency.funnel_view(consistency.branch_measure(rows, key), key, "auto")
    profiles = dict(demo_con.execute("select branch_id, profile from demo_branch_profiles").fetchall())
    flagged = set(view.present.loc[view.present["outside"] != 0, "branch_id"])
    return view, profiles, flagged


def test_no_branch_is_flagged_on_the_return_rate(demo_con):
    # no branch effect is planted on coming back (a branch with slow handling loses only a little
    # through its late complaints): 99.8 % funnel limits flag none
    _, _, flagged = _funnel(demo_con, "return_rate")
    assert flagged == set()


def test_reputation_flags_the_planted_branches_and_a_steady_one_only_where_its_compliments_are_extreme(demo_con):
    view, profiles, flagged = _funnel(demo_con, "reputation")
    # the complaint profiles plant it: x2.5 complaints is little praise, about x0.35 much
    worse = set(view.present.loc[view.present["outside"] == -1, "branch_id"])
    better = set(view.present.loc[view.present["outside"] == 1, "branch_id"])
    assert {b for b, p in profiles.items() if p == "high_complaints"} <= worse
    assert {b for b, p in profiles.items() if p == "low_complaints"} <= better
    # Compliments are Binomial(customers served, one p) for every branch. A steady branch may still be
    # flagged where its own compliment count is extreme (seed 7 draws one: B036, 304 compliments of
    # 86,534 customers served where 243 are expected, z = 3.8); the flag then reports the data, and no
    # other steady branch may be flagged.
    counts = (
        demo_con.execute(
            """select b.branch_id, (select sum(customers) from customers_served s where s.branch_id = b.branch_id) as n,
                  (select count(*) from tickets t where t.branch_id = b.branch_id and t.kind = 'compliment') as c
           from branches b"""
        )
        .df()
        .set_index("branch_id")
    )
    p = counts["c"].sum() / counts["n"].sum()
    z = (counts["c"] - p * counts["n"]) / np.sqrt(p * (1 - p) * counts["n"])
    steady_flagged = {b for b in flagged if profiles[b] == "steady"}
    assert all(abs(z[b]) > scipy_stats.norm.ppf(0.999) for b in steady_flagged), z[list(steady_flagged)]
    assert len(steady_flagged) <= 1


def test_the_curves_equal_scipy_ecdf(demo_con):
    times = customers.recovery_rows(store.run_query(demo_con, "complaint_recovery", YEAR.params())).times
    curves = customers.recovery_curves(times, horizon=10_000)
    for outcome in ("late", "none"):
        mine = times[times["outcome"] == outcome]
        days = np.repeat(mine["days"].to_numpy(float), (mine["back"] + mine["censored"]).to_numpy())
        event = np.concatenate(
            [np.r_[np.ones(r, bool), np.zeros(c, bool)] for r, c in zip(mine["back"], mine["censored"], strict=True)]
        )
        sf = scipy_stats.ecdf(scipy_stats.CensoredData.right_censored(days, ~event)).sf
        curve = curves[curves["outcome"] == outcome].iloc[1:]  # after the start at day 0
        assert curve["back"].to_numpy() == pytest.approx(100 * (1 - sf.evaluate(curve["days"].to_numpy())), abs=1e-9)


def test_recovery_groups_equal_pandas_on_the_base_tables(demo_con):
    # Each customer with a visit on record is placed by their first event in 2025: a complaint first
    # (or on the day of their first visit) puts them in the group of how it was handled; a visit first,
    # with no complaint of theirs on or before it, among those who had not complained.
    f = YEAR
    visits = demo_con.execute("select customer_key, branch_id, visited_on, channel from visits").df()
    visits["visited_on"] = pd.to_datetime(visits["visited_on"])
    as_of = visits["visited_on"].max()
    t = demo_con.execute(
        """select t.*, c.customer_key, s.resolution_minutes as target
           from tickets t join ticket_customers c using (ticket_id)
           left join service_targets s on s.channel = t.channel and s.priority = t.priority
           where t.kind = 'complaint'"""
    ).df()
    t = t[(t["opened_at"].dt.date >= f.start) & (t["opened_at"].dt.date <= f.end)]
    t = t[t["customer_key"].isin(set(visits["customer_key"]))]
    in_year = visits[(visits["visited_on"].dt.date >= f.start) & (visits["visited_on"].dt.date <= f.end)]
    first_visit = (
        in_year.sort_values(["customer_key", "visited_on", "branch_id", "channel"]).groupby("customer_key").head(1)
    )
    first_visit_on = first_visit.set_index("customer_key")["visited_on"]
    first = t.sort_values(["customer_key", "opened_at", "ticket_id"]).groupby("customer_key").head(1)
    day = first["opened_at"].dt.normalize()
    visited_before = first["customer_key"].map(first_visit_on) < day
    first, day = first[~visited_before], day[~visited_before]
    minutes = (first["resolved_at"] - first["opened_at"]).dt.total_seconds() / 60
    outcome = np.select(
        [
            first["status"] == "open",
            first["escalated"].fillna(False).astype(bool),
            first["reopened_count"].fillna(0) > 0,
            minutes > first["target"],
            minutes <= first["target"],
        ],
        ["open", "escalated", "reopened", "late", "within_target"],
        "no_target",
    )
    complainers = pd.DataFrame({"customer_key": first["customer_key"], "index_on": day, "outcome": outcome})
    first_complaint_on = t.assign(day=t["opened_at"].dt.normalize()).groupby("customer_key")["day"].min()
    complained_by_then = first_visit["customer_key"].map(first_complaint_on) <= first_visit["visited_on"]
    others = first_visit[~complained_by_then.fillna(False).astype(bool)]
    others = pd.DataFrame({"customer_key": others["customer_key"], "index_on": others["visited_on"], "outcome": "none"})
    index = pd.concat([complainers, others], ignore_index=True)
    index = index[index["index_on"] <= as_of]
    later = visits[["customer_key", "visited_on"]].merge(index, on="customer_key")
    later = later[later["visited_on"] > later["index_on"]]
    index["next_on"] = index.set_index(["customer_key", "outcome"]).index.map(
        later.groupby(["customer_key", "outcome"])["visited_on"].min()
    )
    index["judged"] = (as_of - index["index_on"]).dt.days >= f.return_days
    index["returned"] = index["judged"] & ((index["next_on"] - index["index_on"]).dt.days <= f.return_days)
    want = index.groupby("outcome").agg(
        customers=("judged", "size"), judged=("judged", "sum"), returned=("returned", "sum")
    )
    got = (
        customers.recovery_rows(store.run_query(demo_con, "complaint_recovery", f.params()))
        .strata.groupby("outcome")[["customers", "judged", "returned"]]
        .sum()
    )
    pd.testing.assert_frame_equal(got.sort_index(), want.sort_index().astype(got.dtypes.to_dict()), check_names=False)
