"""Return rate, reputation and recovery after complaints on a hand-made store: every expected value
is worked out in the comments from the rows below.

Visits (customer, branch, day, channel), 2024; the last visit day the store holds (the as-of) is
10 April, the day of c6's only visit:
    c1  B1 01-01 Face to face, B1 01-20 Phone
    c2  B1 01-05, B2 03-01
    c3  B2 01-10, B2 01-10 (a second visit on the same day), B1 02-05
    c4  B2 02-01
    c5  B1 03-20, B1 04-10
    c6  B2 04-10
    c7  B2 01-15, B2 02-10
    c8  B1 01-03, B1 02-20
Complaints (Phone, normal priority: resolution target 1,440 minutes), each by an identified customer:
    T1  c1 B1 01-01 09:00, resolved 12:00 (180 min)            -> within target
    T2  c2 B1 01-05 09:00, resolved 01-08 09:00 (4,320 min)    -> late
    T3  c4 B2 02-01 10:00, still open                          -> open
    T4  c3 B2 01-10 10:00, resolved 11:00, escalated           -> escalated (before within target)
    T5  B1 compliment 01-02; T6 B2 compliment 02-02; T7 B2 compliment 02-03 (no customer)
    T8  c8 B1 01-25 09:00, resolved 10:00                      -> within target, but c8 visited first
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from servicequality import store
from servicequality.filters import Filters
from servicequality.metrics import customers
from servicequality.stats.stratified import mantel_haenszel_risk_difference

D = dt.date
VISITS = [
    ("c1", "B1", D(2024, 1, 1), "Face to face"),
    ("c1", "B1", D(2024, 1, 20), "Phone"),
    ("c2", "B1", D(2024, 1, 5), "Face to face"),
    ("c2", "B2", D(2024, 3, 1), "Face to face"),
    ("c3", "B2", D(2024, 1, 10), "Face to face"),
    ("c3", "B2", D(2024, 1, 10), "Face to face"),
    ("c3", "B1", D(2024, 2, 5), "Face to face"),
    ("c4", "B2", D(2024, 2, 1), "Face to face"),
    ("c5", "B1", D(2024, 3, 20), "Face to face"),
    ("c5", "B1", D(2024, 4, 10), "Face to face"),
    ("c6", "B2", D(2024, 4, 10), "Face to face"),
    ("c7", "B2", D(2024, 1, 15), "Face to face"),
    ("c7", "B2", D(2024, 2, 10), "Face to face"),
    ("c8", "B1", D(2024, 1, 3), "Face to face"),
    ("c8", "B1", D(2024, 2, 20), "Face to face"),
]
T = dt.datetime
TICKETS = [
    # id, branch, kind, opened, resolved, status, escalated, customer
    ("T1", "B1", "complaint", T(2024, 1, 1, 9), T(2024, 1, 1, 12), "resolved", False, "c1"),
    ("T2", "B1", "complaint", T(2024, 1, 5, 9), T(2024, 1, 8, 9), "resolved", False, "c2"),
    ("T3", "B2", "complaint", T(2024, 2, 1, 10), None, "open", False, "c4"),
    ("T4", "B2", "complaint", T(2024, 1, 10, 10), T(2024, 1, 10, 11), "resolved", True, "c3"),
    ("T5", "B1", "compliment", T(2024, 1, 2, 10), T(2024, 1, 2, 11), "resolved", False, None),
    ("T6", "B2", "compliment", T(2024, 2, 2, 10), T(2024, 2, 2, 11), "resolved", False, None),
    ("T7", "B2", "compliment", T(2024, 2, 3, 10), T(2024, 2, 3, 11), "resolved", False, None),
    ("T8", "B1", "complaint", T(2024, 1, 25, 9), T(2024, 1, 25, 10), "resolved", False, "c8"),
]


def fill(con) -> None:
    store.seed_default_targets(con)
    con.executemany(
        "insert into branches values ($1, $2, 'North', 'Town', 'Standard', 'Small', null)",
        [("B1", "Alpha"), ("B2", "Beta")],
    )
    con.executemany(
        "insert into visits (customer_key, branch_id, visited_on, channel, segment) "
        "values ($1, $2, $3, $4, 'Individual')",
        VISITS,
    )
    for tid, branch, kind, opened, resolved, status, escalated, customer in TICKETS:
        con.execute(
            "insert into tickets values ($1, $2, 'Phone', $3, $4, 'normal', $5, $5, $6, $7, 0, $8, null, 'Individual', "
            "null)",
            [tid, branch, kind, "Attitude" if kind == "complaint" else None, opened, resolved, status, escalated],
        )
        if customer:
            con.execute("insert into ticket_customers values ($1, $2)", [tid, customer])


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = store.build_atomically(tmp_path_factory.mktemp("customers") / "customers.duckdb", fill)
    connection = store.connect_read_only(path)
    yield connection
    connection.close()


YEAR_START, YEAR_END = D(2024, 1, 1), D(2024, 12, 31)


def run(con, name, start=YEAR_START, end=YEAR_END, days=30, **selections):
    return store.run_query(con, name, Filters(start, end, return_days=days, **selections).params())


def test_return_rate_per_branch_and_month(con):
    # Window 30 days; judged when the index day is at least 30 days before 10 April (11 March or earlier).
    # B1 January: c1 (01-01, back 01-20 after 19 days: returned), c2 (01-05, next 03-01 after 56: not),
    #             c8 (01-03, next 02-20 after 48: not)
    # B1 March:   c5 (03-20: 21 days before the as-of, not judged, although back on 04-10)
    # B2 January: c3 (01-10, back 02-05 after 26 days; the same-day visit is no return), c7 (01-15, back
    #             02-10 after 26): both returned
    # B2 February: c4 (02-01, never back: judged, not returned)
    # B2 April:   c6 (04-10, not judged)
    got = run(con, "customer_returns")
    want = pd.DataFrame(
        {
            "branch_id": ["B1", "B1", "B2", "B2", "B2"],
            "month": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-01-01", "2024-02-01", "2024-04-01"]),
            "customers": [3, 1, 2, 1, 1],
            "judged": [3, 0, 2, 1, 0],
            "returned": [1, 0, 2, 0, 0],
        }
    )
    pd.testing.assert_frame_equal(got[want.columns].assign(month=pd.to_datetime(got["month"])), want, check_dtype=False)
    total = customers.returns(got)
    # 8 customers, 6 judged, 3 back: 50 %
    assert (total.customers, total.rate.n, total.rate.events, total.not_judged) == (8, 6, 3, 2)
    assert total.rate.value == pytest.approx(0.5)


def test_the_first_visit_in_the_period_is_the_index(con):
    # From 16 January: c1's first visit in the period is 01-20 (never back: not returned); c2's is 03-01,
    # at B2 (40 days before the as-of: judged, not back); c3's is 02-05 at B1 (not back); c7's 02-10
    # (not back); c8's 02-20 (never back); c4 as before; c5, c6 not judged. 8 customers, 6 judged, none
    # back: a query that looked for the next visit from the customer's first visit ever would count c1,
    # c3 and c7 as back.
    got = run(con, "customer_returns", start=D(2024, 1, 16))
    assert int(got["judged"].sum()) == 6
    assert int(got["returned"].sum()) == 0
    assert got.groupby("branch_id")["customers"].sum().to_dict() == {"B1": 4, "B2": 4}


def test_a_longer_window_and_a_channel_selection(con):
    # 60 days: judged when the index day is by 10 February. c1 (back after 19), c2 (56: back within 60),
    # c3, c7 back; c8 (back after 48) too; c4 (02-01) judged, not back; c5, c6 not judged: 6 judged, 5 back.
    got = run(con, "customer_returns", days=60)
    assert (int(got["judged"].sum()), int(got["returned"].sum())) == (6, 5)
    # Phone visits only: c1's 01-20 is its only one; never back -> 1 customer, judged, not returned.
    phone = run(con, "customer_returns", channels=("Phone",))
    assert phone[["branch_id", "customers", "judged", "returned"]].values.tolist() == [["B1", 1, 1, 0]]


def test_recovery_groups_worked_by_hand(con):
    # Index day: the complaint's opening (complainers), the first visit (others). 30-day window.
    #   within_target  c1 B1 01-01 -> next visit 01-20 (19 days): judged, back
    #   late           c2 B1 01-05 -> next 03-01 (56): judged, not back
    #   open           c4 B2 02-01 -> none: judged (69 days to the as-of), not back
    #   escalated      c3 B2 01-10 -> next 02-05 (26; the same-day visit is no return): back
    #   none           c5 B1 03-20 (not judged), c6 B2 04-10 (not judged), c7 B2 01-15 -> 02-10: back,
    #                  c8 B1 01-03 -> 02-20 (48 days): judged, not back. c8's complaint of 01-25 came after
    #                  their first visit: on their index day they had not complained, so they stay here.
    got, times = customers.recovery_rows(run(con, "complaint_recovery"))
    rows = {(r.outcome, r.branch_id): (r.customers, r.judged, r.returned) for r in got.itertuples()}
    assert rows == {
        ("escalated", "B2"): (1, 1, 1),
        ("late", "B1"): (1, 1, 0),
        ("none", "B1"): (2, 1, 0),
        ("none", "B2"): (2, 1, 1),
        ("open", "B2"): (1, 1, 0),
        ("within_target", "B1"): (1, 1, 1),
    }
    # days to the next visit, or observed without one: c4 censored at 69 days, c6 at 0; c5 back after 21
    # days (an event on the curve, though too recent to be judged for the 30-day rate)
    as_tuples = {(r.outcome, r.days, r.back, r.censored) for r in times.itertuples()}
    assert as_tuples == {
        ("within_target", 19, 1, 0),
        ("late", 56, 1, 0),
        ("open", 69, 0, 1),
        ("escalated", 26, 1, 0),
        ("none", 21, 1, 0),
        ("none", 0, 0, 1),
        ("none", 26, 1, 0),
        ("none", 48, 1, 0),
    }


def test_recovery_groups_under_a_branch_selection(con):
    # B2 only: complaints T3 (c4, 02-01, open) and T4 (c3, 01-10, escalated); first B2 visits: c2 03-01,
    # c3 01-10, c4 02-01, c6 04-10, c7 01-15. 30-day window, as-of 04-10.
    #   escalated  c3 01-10 -> next visit 02-05, at B1 (any branch counts): 26 days, judged, back
    #   open       c4 02-01 -> none: judged, not back
    #   none       c6 04-10 (not judged); c7 01-15 -> 02-10 (26): judged, back. c2 is in no group: they
    #              complained (at B1, 01-05) before their first B2 visit.
    got = customers.recovery_rows(run(con, "complaint_recovery", branches=("B2",))).strata
    rows = {(r.outcome, r.branch_id): (r.customers, r.judged, r.returned) for r in got.itertuples()}
    assert rows == {("escalated", "B2"): (1, 1, 1), ("open", "B2"): (1, 1, 0), ("none", "B2"): (2, 1, 1)}


def test_a_complainer_with_no_visit_in_the_period_is_back_at_their_next_one_after_it(con):
    # 21 January to 15 February: c8 complained on 01-25 (within target) and visited on 01-03 and 02-20,
    # neither in the period: their next visit is 02-20, after the period's end (26 days): judged, back.
    # c4: complaint and visit 02-01 (open, never back). c3's first visit in the period is 02-05 (B1; their
    # complaint of 01-10 is before the period), c7's 02-10 (B2): neither is back by the as-of 04-10.
    got = customers.recovery_rows(run(con, "complaint_recovery", start=D(2024, 1, 21), end=D(2024, 2, 15))).strata
    rows = {(r.outcome, r.branch_id): (r.customers, r.judged, r.returned) for r in got.itertuples()}
    assert rows == {
        ("within_target", "B1"): (1, 1, 1),
        ("open", "B2"): (1, 1, 0),
        ("none", "B1"): (1, 1, 0),
        ("none", "B2"): (1, 1, 0),
    }


def test_a_complainer_without_visits_is_left_out_and_a_later_complaint_moves_no_one(tmp_path):
    # The store above and two more customers:
    #   c9   complained at B1 on 02-15 and has no visit on record: left out of every group (nothing could
    #        show them coming back)
    #   c10  complained at B2 on 01-08 (resolved within an hour: within target), again on 03-05; visits
    #        B2 01-12 and 02-01. Index day 01-08 (their first event in the period is the complaint); next
    #        visit 01-12 (4 days): judged, back. Their first complaint, not their last, is the one to
    #        compare with their first visit: they are no 'none' customer.
    def more(con):
        fill(con)
        for tid, opened, customer in (("T9", T(2024, 2, 15, 9), "c9"), ("T10", T(2024, 1, 8, 9), "c10"),
                                      ("T11", T(2024, 3, 5, 9), "c10")):  # fmt: skip
            con.execute(
                "insert into tickets values ($1, $2, 'Phone', 'complaint', 'Attitude', 'normal', $3, $3, $4, "
                "'resolved', 0, false, null, 'Individual', null)",
                [tid, "B1" if customer == "c9" else "B2", opened, opened + dt.timedelta(hours=1)],
            )
            con.execute("insert into ticket_customers values ($1, $2)", [tid, customer])
        for day in (D(2024, 1, 12), D(2024, 2, 1)):
            con.execute(
                "insert into visits (customer_key, branch_id, visited_on, channel, segment) "
                "values ('c10', 'B2', $1, 'Face to face', 'Individual')",
                [day],
            )

    connection = store.connect_read_only(store.build_atomically(tmp_path / "more.duckdb", more))
    try:
        got = customers.recovery_rows(run(connection, "complaint_recovery")).strata
    finally:
        connection.close()
    rows = {(r.outcome, r.branch_id): (r.customers, r.judged, r.returned) for r in got.itertuples()}
    assert rows == {
        ("escalated", "B2"): (1, 1, 1),
        ("late", "B1"): (1, 1, 0),
        ("none", "B1"): (2, 1, 0),
        ("none", "B2"): (2, 1, 1),
        ("open", "B2"): (1, 1, 0),
        ("within_target", "B1"): (1, 1, 1),
        ("within_target", "B2"): (1, 1, 1),
    }


def test_a_category_selection_narrows_the_complaints_only(con):
    # No complaint has the category Etiquette: nobody complained in this selection, and customers
    # who had not complained by their first visit stay as they are (c5, c6, c7, c8).
    got = customers.recovery_rows(run(con, "complaint_recovery", categories=("Etiquette",))).strata
    assert set(got["outcome"]) == {"none"}
    assert int(got["customers"].sum()) == 4


def test_reputation_from_the_ticket_counts(con):
    # B1: 1 compliment, 3 complaints -> 1/4; B2: 2 compliments, 2 complaints -> 1/2; all: 3/8
    summary = run(con, "complaint_summary").iloc[0]
    assert (summary["compliments"], summary["complaints"]) == (3, 5)
    rep = customers.reputation(summary["compliments"], summary["complaints"])
    assert rep.value == pytest.approx(3 / 8)
    # Wilson 95 %, 3 of 8: (p + z²/2n ± z√(p q/n + z²/4n²)) / (1 + z²/n) with z = 1.959964
    z, n, p = 1.959964, 8, 3 / 8
    centre, half = p + z * z / (2 * n), z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    assert (rep.low, rep.high) == pytest.approx(((centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)))
    rows = run(con, "consistency_branch_measures").set_index("branch_id")
    assert rows[["compliments", "complaints", "feedback_n"]].loc["B1"].tolist() == [1, 3, 4]
    assert rows[["compliments", "complaints", "feedback_n"]].loc["B2"].tolist() == [2, 2, 4]


def strata(scale: int = 1) -> pd.DataFrame:
    """Late complainers and customers who had not complained in two strata (B1, B2): the numbers of the
    hand-worked example in tests/stats/test_stratified.py, times `scale`."""
    rows = [
        ("none", "B1", 40, 30),
        ("none", "B2", 24, 12),
        ("late", "B1", 10, 6),
        ("late", "B2", 8, 2),
    ]
    return pd.DataFrame(
        [(o, b, "Individual", scale * n, scale * n, scale * k) for o, b, n, k in rows],
        columns=["outcome", "branch_id", "segment", "customers", "judged", "returned"],
    )


def test_recovery_adjusts_within_strata():
    # Late complainers against customers who had not complained, in two strata: the numbers of the
    # hand-worked example in tests/stats/test_stratified.py (RD = -2.7/14 = -19.29 points).
    rows = strata()
    result = customers.recovery(rows)
    late = result.table[result.table["outcome"] == "late"].iloc[0]
    assert late["adjusted"] == pytest.approx(-100 * 2.7 / 14)
    # crude: 8/18 against 42/64 = -21.18 points, further from 0 than the adjusted -19.29
    assert late["crude"] == pytest.approx(100 * (8 / 18 - 42 / 64))
    assert result.reference.value == pytest.approx(42 / 64)
    words = customers.recovery_in_words(late)
    # 18 late complainers: the interval (-44.1 to +5.5 points) holds 0, so the words say noise
    assert "about as often" in words and "difference −19.3 points" in words
    reference = mantel_haenszel_risk_difference([6, 2], [10, 8], [30, 12], [40, 24])
    assert (late["adjusted_low"], late["adjusted_high"]) == pytest.approx((100 * reference.low, 100 * reference.high))


def test_an_interval_across_zero_is_said_to_be_noise():
    row = pd.Series(
        {
            "outcome": "within_target",
            "group": "x",
            "adjusted": -0.4,
            "adjusted_low": -2.1,
            "adjusted_high": 1.3,
            "judged": 500,
        }
    )
    assert "about as often" in customers.recovery_in_words(row)
    assert "within noise" in customers.recovery_in_words(row)


def test_a_difference_beyond_noise_is_said_in_points():
    # the same strata ten times bigger: the same -19.29 points, an interval that no longer holds 0
    rows = strata(10)
    late = customers.recovery(rows).table.query("outcome == 'late'").iloc[0]
    assert late["adjusted"] == pytest.approx(-100 * 2.7 / 14)
    assert customers.recovery_in_words(late).startswith(
        "Customers whose complaint was resolved late came back 19.3 points less often than customers who had not "
        "complained (95 % interval"
    )


def test_referrals_are_said_only_where_recorded():
    # 2 referred of 8 first visits that record it: 25 %; Wilson 95 % for 2 of 8 is 7.1 to 59.1 %
    rows = pd.DataFrame({"referred": [2, 0], "referred_n": [5, 3]})
    assert customers.referrals_in_words(rows) == (
        "**Referrals:** 25.0 % of the customers' first visits in the period came on a referral "
        "(95 % interval 7.1 to 59.1 %; 2 of 8 visits that record it)."
    )
    assert customers.referrals_in_words(pd.DataFrame({"referred": [0], "referred_n": [0]})) is None


def test_explore_splits_the_return_rate_and_reputation(con):
    from servicequality.metrics import explore

    f = Filters(YEAR_START, YEAR_END, return_days=30, min_n=1)
    names = {"branch": {"B1": "Alpha (B1)", "B2": "Beta (B2)"}}

    def runner(name, filters, **extra):
        return store.run_query(con, name, {**filters.params(), **extra})

    # by branch: B1 judged 3 (c1, c2, c8), back 1 -> 33.3 %; B2 judged 3 (c3, c7, c4), back 2 -> 66.7 %
    cells = explore.cells(runner, f, explore.resolve("return_rate", "branch", "none"), names)
    assert cells[["key1", "n"]].values.tolist() == [["B1", 3], ["B2", 3]]
    assert cells["value"].tolist() == pytest.approx([100 / 3, 200 / 3])
    # by month of the first visit: January c1, c2, c3, c7, c8 (3 back of 5), February c4 (0 of 1); March
    # c5 and April c6 not judged: no cell
    months = explore.cells(runner, f, explore.resolve("return_rate", "month", "none"), names)
    assert months[["key1", "n"]].values.tolist() == [["2024-01", 5], ["2024-02", 1]]
    assert months["value"].tolist() == pytest.approx([60.0, 0.0])
    # reputation by branch: B1 1 of 4, B2 2 of 4
    praise = explore.cells(runner, f, explore.resolve("reputation", "branch", "none"), names)
    assert praise[["key1", "n"]].values.tolist() == [["B1", 4], ["B2", 4]]
    assert praise["value"].tolist() == pytest.approx([25.0, 50.0])
    assert "no complaint category" in explore.unsupported("reputation", "category")
    assert "no complaint category" in explore.unsupported("return_rate", "component")


def test_the_recovery_table_says_reference_and_signed_points():
    rows = strata()
    shown = customers.recovery_table(customers.recovery(rows).table)
    # none: 42 of 64 = 65.6 %; late: 8 of 18 = 44.4 %, crude -21.2, adjusted -19.3 points
    assert shown["Group"].tolist() == ["Had not complained", "Complaint resolved late"]
    assert shown["Crude difference (points)"].tolist() == ["reference", "−21.2"]
    assert shown.iloc[1]["Adjusted difference (95% interval)"].startswith("−19.3 (")
    assert shown.iloc[0]["Return rate (95% interval)"].startswith("65.6 % (")


def test_month_by_month_a_customer_counts_in_each_month_they_visit(con):
    # Each customer's first visit in each month (30 days; judged when by 11 March):
    #   B1 Jan: c1 01-01 (back 01-20), c2 01-05 (next 03-01: not), c8 01-03 (next 02-20: not) -> 3, 3, 1
    #   B1 Feb: c3 02-05 (never back), c8 02-20 (never back) -> 2, 2, 0
    #   B1 Mar: c5 03-20 (not judged); B1 Apr: c5 04-10 (not judged) -> 1, 0, 0 each
    #   B2 Jan: c3 01-10 (back 02-05), c7 01-15 (back 02-10) -> 2, 2, 2
    #   B2 Feb: c4 02-01, c7 02-10 (neither back) -> 2, 2, 0
    #   B2 Mar: c2 03-01 (never back, 40 days to the as-of: judged) -> 1, 1, 0; B2 Apr: c6 -> 1, 0, 0
    got = run(con, "customer_returns_months")
    rows = [(r.branch_id, pd.Timestamp(r.month).month, r.customers, r.judged, r.returned) for r in got.itertuples()]
    assert rows == [
        ("B1", 1, 3, 3, 1),
        ("B1", 2, 2, 2, 0),
        ("B1", 3, 1, 0, 0),
        ("B1", 4, 1, 0, 0),
        ("B2", 1, 2, 2, 2),
        ("B2", 2, 2, 2, 0),
        ("B2", 3, 1, 1, 0),
        ("B2", 4, 1, 0, 0),
    ]


def _contents(**has) -> pd.Series:
    # a store_contents row: every probe 0 but those named
    names = ("has_complaints", "has_gaps", "has_ratings_only", "has_compliments", "has_visits")
    more = ("has_customer_complaints", "has_tickets", "has_responses")
    return pd.Series({name: has.get(name, 0) for name in names + more})


@pytest.mark.parametrize(
    ("contents", "words"),
    [
        # a survey-only store: no ticket at all, so "the tickets hold no compliments" was not true
        (_contents(has_responses=1, has_ratings_only=1), "the store holds no tickets"),
        # a visits-only store (the support tickets' purchases)
        (_contents(has_visits=1), "the store holds no tickets"),
        # complaints but no compliment: the tickets themselves lack them
        (_contents(has_tickets=1, has_complaints=1), "the tickets hold no compliments"),
    ],
)
def test_reputation_not_recorded_says_what_the_store_lacks(contents, words):
    summary = pd.Series({"compliments": 0, "complaints": 0})
    reputation = customers.tiles(contents, pd.DataFrame(), pd.DataFrame(), summary, summary, 30)[-1]
    assert (reputation.label, reputation.value, reputation.n) == ("Reputation (praise share)", "not recorded", words)
    assert ("holds no tickets at all" in reputation.help) == (words == "the store holds no tickets")


def test_a_return_rate_with_none_judged_says_why():
    # The demo's December to February report: every customer of December was seen within 30 days
    # of the data's last visit (31 Dec), so none could be judged: "0 of 0 customers came back" said nothing.
    summary = pd.Series({"compliments": 0, "complaints": 0})
    recent = pd.DataFrame({"branch_id": ["B1", "B2"], "customers": [12_000, 141], "judged": [0, 0], "returned": [0, 0]})
    rate = customers.tiles(_contents(has_visits=1), recent, pd.DataFrame(), summary, summary, 30)[0]
    assert rate.value == "too recent"
    assert rate.n == "all 12,141 customers seen within 30 days of the data's last visit: too recent to judge"
    # some judged: the counts as before, the recent ones after them (40 of 100 back; 12,041 recent)
    some = recent.assign(judged=[100, 0], returned=[40, 0])
    rate = customers.tiles(_contents(has_visits=1), some, pd.DataFrame(), summary, summary, 30)[0]
    assert (rate.value, rate.n) == ("40.0 %", "40 of 100 customers came back; 12,041 seen too recently to judge")


def test_the_return_rate_names_the_stretch_it_compares():
    # The support purchases: last visit 30 Dec 2021, a 90-day window: customers first seen up to
    # 1 Oct can be judged. October 2021 (31 days) against September (30 days, whole months): the
    # first day of each, 1 Oct against 1 Sep (September cut by the 30 days October runs past 1 Oct).
    october = Filters(dt.date(2021, 10, 1), dt.date(2021, 10, 31), return_days=90)
    assert customers.comparable_words(october, dt.date(2021, 12, 30)) == (
        "; the return rate compares customers first seen 01 Oct 2021 with 01 Sep 2021"
    )
    # a period whose customers can all be judged: nothing to add
    june = Filters(dt.date(2021, 6, 1), dt.date(2021, 6, 30), return_days=90)
    assert customers.comparable_words(june, dt.date(2021, 12, 30)) == ""
    # none of December's can be judged
    december = Filters(dt.date(2021, 12, 1), dt.date(2021, 12, 30), return_days=90)
    assert customers.comparable_words(december, dt.date(2021, 12, 30)) == (
        "; no customer of this period can be judged yet for the return rate"
    )
    assert customers.comparable_words(june, None) == ""
