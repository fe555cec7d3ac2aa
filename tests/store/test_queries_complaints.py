"""The complaint_, handling_ and consistency_ queries against the tiny fixture (tests/fixture_db.py),
expected rows worked out by hand; plus a small fixture of our own with tied survey gaps for the
Kruskal-Wallis rank sums.

Fixture recap for the period 2024-01-01 .. 2024-02-29:
  customers served: B1 100 + 200 = 300, B2 300, B3 400
  complaints: T1 B1 Phone Attitude (service) normal: 1 min, 720 min, sat 4
              T2 B1 Email Delivery (product) high: 360 min, 2880 min, reopened, escalated, sat 2
              T3 B2 Phone Function (product) normal: 3 min, still open
              T5 B3 Chat Etiquette (service) urgent: 0.5 min, 60 min, sat 5
  targets: Phone/normal 2 and 1440; Email/high 240 and 2160; Chat/urgent 1 and 720
  survey: R1 B1 sat 5 gap −0.25; R2 B1 sat 3 gap −0.5; R3 B2 sat 4 gap 0.25; R4 B3 no sat, gap −1.5
"""

import datetime as dt
import math
from dataclasses import replace

import pandas as pd
import pytest
from scipy import stats as st

from servicequality import store
from servicequality.filters import Filters
from servicequality.stats import consistency as consistency_stats
from tests.conftest import FIXTURE_PERIOD as P
from tests.fixture_db import RESPONSE_COLUMNS, SCORE_COLUMNS


def run(con, name, filters=P):
    return store.run_query(con, name, filters.params())


def records(df, columns):
    return [tuple(r) for r in df[columns].itertuples(index=False)]


def test_complaint_pareto(fixture_con):
    df = run(fixture_con, "complaint_pareto")
    # one complaint each, so ties are ordered by category name
    assert records(df, ["category", "family", "component_key", "component_name", "complaints"]) == [
        ("Attitude", "service", "courtesy", "Courtesy", 1),
        ("Delivery", "product", "responsiveness", "Responsiveness", 1),
        ("Etiquette", "service", "courtesy", "Courtesy", 1),
        ("Function", "product", "reliability", "Reliability", 1),
    ]


def test_complaint_channels(fixture_con):
    df = run(fixture_con, "complaint_channels")
    # Phone: T1, T3, T6 (compliment) -> 3 tickets, 2 complaints (T3 product, T1 service)
    # Chat: T5 service; Email: T2 product; Web: T4 request only
    assert records(df, ["channel", "tickets", "complaints", "product_complaints", "service_complaints"]) == [
        ("Phone", 3, 2, 1, 1),
        ("Chat", 1, 1, 0, 1),
        ("Email", 1, 1, 1, 0),
        ("Web", 1, 0, 0, 0),
    ]


def test_complaint_monthly_family(fixture_con):
    df = run(fixture_con, "complaint_monthly_family")
    # January: T2 product; T1, T5 service. February: T3 product
    assert [(m.date(), f, c) for m, f, c in records(df, ["month", "family", "complaints"])] == [
        (dt.date(2024, 1, 1), "product", 1),
        (dt.date(2024, 1, 1), "service", 2),
        (dt.date(2024, 2, 1), "product", 1),
    ]


def test_handling_targets(fixture_con):
    df = run(fixture_con, "handling_targets").set_index(["channel", "priority"])
    assert list(df.index) == [("Chat", "urgent"), ("Email", "high"), ("Phone", "normal")]
    phone = df.loc[("Phone", "normal")]
    # Kaplan-Meier, the smallest time with S(t) <= 1 - q. First response T1 1 min, T3 3 min: after
    # 1, S = 1/2 -> median 1 (percentile_cont would say 2); after 3, S = 0 -> P90 3. Within 2 min: T1.
    assert phone["complaints"] == 2
    assert (phone["first_response_target"], phone["resolution_target"]) == (2, 1440)
    assert phone["median_first_response_minutes"] == pytest.approx(1.0)
    assert phone["p90_first_response_minutes"] == pytest.approx(3.0)
    assert (phone["first_response_within_target"], phone["targeted_first_n"]) == (1, 2)
    # Resolution: T1 720 min within 1440; T3 still open, censored at its age on the data's last
    # moment (T4 resolved 2024-02-06 14:00) - opened 02-05 08:00 = 1,800 min > 1,440: late.
    # KM: at 720 two at risk, S = 1/2 -> median 720; S never reaches 0.1 -> P90 not reached (null).
    assert (phone["resolved_n"], phone["median_resolution_minutes"]) == (1, pytest.approx(720.0))
    assert pd.isna(phone["p90_resolution_minutes"])
    assert (phone["resolution_within_target"], phone["targeted_resolution_n"]) == (1, 2)
    assert (phone["awaiting_first_n"], phone["still_open_n"]) == (0, 1)
    email = df.loc[("Email", "high")]
    # T2: 360 > 240 and 2880 > 2160: neither within target
    assert (email["first_response_within_target"], email["resolution_within_target"]) == (0, 0)
    chat = df.loc[("Chat", "urgent")]
    # T5: 0.5 min within 1, 60 min within 720
    assert chat["p90_first_response_minutes"] == pytest.approx(0.5)
    assert (chat["first_response_within_target"], chat["resolution_within_target"]) == (1, 1)


def test_handling_quality(fixture_con):
    row = run(fixture_con, "handling_quality").iloc[0]
    assert row["complaints"] == 4
    assert "p90_resolution_minutes" not in row.index  # the times are handling_summary's
    # T2 reopened and escalated; satisfaction 4 (T1), 2 (T2), 5 (T5) -> mean 11/3, 2 satisfied
    assert (row["reopened"], row["escalated"]) == (1, 1)
    assert (row["satisfaction_n"], row["satisfied"]) == (3, 2)
    assert row["mean_satisfaction"] == pytest.approx(11 / 3)


def test_handling_satisfaction_has_every_score(fixture_con):
    df = run(fixture_con, "handling_satisfaction")
    # scores 4 (T1), 2 (T2), 5 (T5)
    assert records(df, ["satisfaction", "complaints"]) == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 1)]


def test_handling_backlog_at_end_of_period(fixture_con):
    df = run(fixture_con, "handling_backlog")
    # open at 2024-03-01 00:00: only T3, opened 2024-02-05 08:00 -> 24 days 16 h = 24.667 days
    assert df["age_bucket"].tolist() == ["Under 1 day", "1-3 days", "3-7 days", "7-30 days", "30 days or more"]
    assert df["open_complaints"].tolist() == [0, 0, 0, 1, 0]
    assert df.loc[3, "mean_age_days"] == pytest.approx(24 + 16 / 24)
    assert df["opened_before_period"].sum() == 0


def test_handling_backlog_counts_complaints_resolved_after_the_end(fixture_con):
    df = run(fixture_con, "handling_backlog", replace(P, end=dt.date(2024, 1, 15)))
    # at 2024-01-16 00:00: T2 (opened 01-15 10:00, resolved 01-17) is open, 14 h old; T1 and T7 resolved
    assert df["open_complaints"].tolist() == [1, 0, 0, 0, 0]
    assert df.loc[0, "mean_age_days"] == pytest.approx(14 / 24)


def test_handling_backlog_keeps_complaints_opened_before_the_period(fixture_con):
    df = run(fixture_con, "handling_backlog", replace(P, start=dt.date(2024, 2, 10)))
    # T3 (opened 02-05) is still open at the end: it counts, and it was opened before the period
    assert (df["open_complaints"].sum(), df["opened_before_period"].sum()) == (1, 1)


def test_consistency_branch_measures(fixture_con):
    df = run(fixture_con, "consistency_branch_measures").set_index("branch_id")
    columns = [
        "customers_served",
        "complaints",
        "targeted_resolution_n",
        "resolution_within_target",
        "csat_n",
        "csat_satisfied",
        "gap_n",
    ]
    # B1: T1 (720 <= 1440) and T2 (2880 > 2160) resolved; R1 5, R2 3
    # B2: T3 still open at 1,800 min, past its 1,440: judged late; R3 4.  B3: T5 60 <= 720; R4 has
    # no satisfaction answer
    assert records(df.reset_index(), ["branch_id", *columns]) == [
        ("B1", 300, 2, 2, 1, 2, 1, 2),
        ("B2", 300, 1, 1, 0, 1, 1, 1),
        ("B3", 400, 1, 1, 1, 0, 0, 1),
    ]
    assert df["mean_gap"].tolist() == pytest.approx([-0.375, 0.25, -1.5])
    assert df.loc["B1", "sd_gap"] == pytest.approx(0.25 / math.sqrt(2))
    assert (df.loc["B3", "region"], df.loc["B3", "branch_type"], df.loc["B3", "size_band"]) == (
        "South",
        "Flagship",
        "Large",
    )


def test_consistency_branch_measures_filters(fixture_con):
    north = run(fixture_con, "consistency_branch_measures", replace(P, regions=("North",)))
    assert north["branch_id"].tolist() == ["B1", "B2"]
    phone = run(fixture_con, "consistency_branch_measures", replace(P, channels=("Phone",))).set_index("branch_id")
    # Phone complaints T1 (B1), T3 (B2); Phone responses R1 (B1, sat 5), R4 (B3, none); served unchanged
    assert phone["complaints"].tolist() == [1, 1, 0]
    assert phone["customers_served"].tolist() == [300, 300, 400]
    assert phone["csat_n"].tolist() == [1, 0, 0]


def test_consistency_branch_months(fixture_con):
    df = run(fixture_con, "consistency_branch_months")
    got = [
        (b, m.date(), s, c, t, w, n, k, g)
        for b, m, s, c, t, w, n, k, g in records(
            df,
            [
                "branch_id",
                "month",
                "customers_served",
                "complaints",
                "targeted_resolution_n",
                "resolution_within_target",
                "csat_n",
                "csat_satisfied",
                "gap_n",
            ],
        )
    ]
    jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    assert got == [
        ("B1", jan, 100, 2, 2, 1, 2, 1, 2),  # T1, T2; R1, R2
        ("B1", feb, 200, 0, 0, 0, 0, 0, 0),
        ("B2", jan, 300, 0, 0, 0, 0, 0, 0),
        ("B2", feb, 0, 1, 1, 0, 1, 1, 1),  # T3 open past its target: late; R3
        ("B3", jan, 400, 1, 1, 1, 0, 0, 0),  # T5
        ("B3", feb, 0, 0, 0, 0, 0, 0, 1),  # R4: scores but no satisfaction answer
    ]
    assert df["mean_gap"].iloc[0] == pytest.approx(-0.375)


def test_consistency_gap_rank_sums_and_ties(fixture_con):
    sums = run(fixture_con, "consistency_gap_rank_sums")
    # gaps sorted: R4 −1.5 (rank 1), R2 −0.5 (2), R1 −0.25 (3), R3 0.25 (4)
    # B1 = R1 + R2 = 5, B2 = 4, B3 = 1
    assert records(sums, ["branch_id", "n", "rank_sum"]) == [("B1", 2, 5.0), ("B2", 1, 4.0), ("B3", 1, 1.0)]
    assert sums["tie_sum"].tolist() == [0, 0, 0]  # four different gaps: no ties
    # H = 12/(4·5) · (25/2 + 16 + 1) − 3·5 = 0.6 · 29.5 − 15 = 2.7
    kw = consistency_stats.kruskal_wallis_from_rank_sums(sums["rank_sum"], sums["n"], 0.0)
    assert kw.h == pytest.approx(2.7)
    assert kw.h == pytest.approx(st.kruskal([-0.25, -0.5], [0.25], [-1.5]).statistic)


@pytest.mark.parametrize(
    "selection",
    [{}, {"components": ["courtesy", "reliability", "tangibles"]}, {"channels": ["Phone"], "regions": ["North"]}],
    ids=["everyone", "three components", "phone in the north"],
)
def test_kruskal_wallis_from_the_rank_queries_matches_scipy_on_the_demo(demo_con, selection):
    # The rank sums and ties come from the rollups, ranked through tie groups; scipy ranks the
    # respondents' gaps itself, read here from the base view (over the selected components).
    first, last = store.run_query(demo_con, "date_bounds", {}).iloc[0]
    params = {**Filters(pd.Timestamp(last).date() - dt.timedelta(days=364), pd.Timestamp(last).date()).params()}
    params.update(selection)
    sums = store.run_query(demo_con, "consistency_gap_rank_sums", params)
    gaps = (
        demo_con.execute(
            "select s.branch_id, round(avg(s.gap), 9) as gap from response_component_scores as s "
            "where s.submitted_on between $start and $end "
            "and ($components is null or list_contains($components, s.component_key)) "
            "and ($channels is null or list_contains($channels, s.channel)) "
            "and ($regions is null or list_contains($regions, s.region)) "
            "group by s.response_id, s.branch_id",
            {k: params[k] for k in ("start", "end", "components", "channels", "regions")},
        )
        .df()
        .groupby("branch_id")["gap"]
    )
    groups = [g.to_numpy() for _, g in gaps]
    assert len(groups) == len(sums) > 5 and int(sums["n"].sum()) == sum(len(g) for g in groups)
    ours = consistency_stats.kruskal_wallis_from_rank_sums(sums["rank_sum"], sums["n"], sums["tie_sum"].iloc[0])
    assert ours.h == pytest.approx(st.kruskal(*groups).statistic, rel=1e-9)


# --- a fixture with tied gaps -------------------------------------------------------------------

TIED_GAPS = {"X1": [0, 1, 1, -1], "X2": [1, 2, 2], "X3": [-1, -1, 0]}


@pytest.fixture(scope="module")
def tied_db(tmp_path_factory):
    def fill(con):
        for i, branch in enumerate(TIED_GAPS):
            con.execute(
                "insert into branches values ($1, $2, 'R', 'C', 'Standard', 'Small', null)",
                [branch, f"Branch {i}"],
            )
        n = 0
        for branch, gaps in TIED_GAPS.items():
            for gap in gaps:
                n += 1
                rid = f"S{n}"
                con.execute(
                    f"insert into survey_responses {RESPONSE_COLUMNS} "
                    "values ($1, $2, timestamp '2024-01-05 10:00', 'Web', 'Individual', "
                    "null, null, null)",
                    [rid, branch],
                )
                # two items per component so the respondent's gap is an average: (P − E) = gap on each
                for item in ("REL1", "REL2"):
                    con.execute(
                        f"insert into survey_scores {SCORE_COLUMNS} values ($1, 'reliability', $2, 4, $3, null)",
                        [rid, item, 4 + gap],
                    )

    return store.build_atomically(tmp_path_factory.mktemp("tied") / "tied.duckdb", fill)


def test_kruskal_wallis_from_sql_rank_sums_matches_scipy_with_ties(tied_db):
    con = store.connect_read_only(tied_db)
    try:
        filters = Filters(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
        sums = store.run_query(con, "consistency_gap_rank_sums", filters.params())
    finally:
        con.close()
    # values −1 ×3 (ranks 1-3, average 2), 0 ×2 (4.5), 1 ×3 (7), 2 ×2 (9.5)
    # X1: 4.5 + 7 + 7 + 2 = 20.5; X2: 7 + 9.5 + 9.5 = 26; X3: 2 + 2 + 4.5 = 8.5
    assert records(sums, ["branch_id", "n", "rank_sum"]) == [("X1", 4, 20.5), ("X2", 3, 26.0), ("X3", 3, 8.5)]
    # ties: 3 groups... t = 3, 2, 3, 2 -> 24 + 6 + 24 + 6 = 60, on every branch's row
    assert sums["tie_sum"].tolist() == [60, 60, 60]
    kw = consistency_stats.kruskal_wallis_from_rank_sums(sums["rank_sum"], sums["n"], 60)
    # H₀ = 12/110 · (20.5²/4 + 26²/3 + 8.5²/3) − 33 = 5.6705; C = 1 − 60/990; H = 6.0364
    assert kw.h == pytest.approx((12 / 110 * (20.5**2 / 4 + 26**2 / 3 + 8.5**2 / 3) - 33) / (1 - 60 / 990))
    reference = st.kruskal(*TIED_GAPS.values())
    assert kw.h == pytest.approx(reference.statistic)
    assert kw.p_value == pytest.approx(reference.pvalue)


@pytest.mark.slow
def test_kruskal_wallis_on_the_demo_matches_scipy_on_raw_gaps(demo_con):
    filters = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    sums = store.run_query(demo_con, "consistency_gap_rank_sums", filters.params())
    kw = consistency_stats.kruskal_wallis_from_rank_sums(sums["rank_sum"], sums["n"], sums["tie_sum"].iloc[0])
    # reference: the raw respondent gaps, pulled here only to check the SQL route
    raw = demo_con.execute(
        "select branch_id, round(avg(gap), 9) as gap from response_component_scores "
        "where submitted_on between $s and $e group by response_id, branch_id",
        {"s": filters.start, "e": filters.end},
    ).df()
    reference = st.kruskal(*[g["gap"].to_numpy() for _, g in raw.groupby("branch_id")])
    assert kw.h == pytest.approx(reference.statistic, rel=1e-9)
    assert kw.p_value < 0.05  # the survey_weak branches differ


@pytest.fixture(scope="module")
def date_only_db(tmp_path_factory):
    """Three complaints of an export that records dates only (opened at midnight), still open."""

    def fill(con):
        con.execute("insert into branches values ('D1', 'Dates', 'R', 'C', 'Standard', 'Small', null)")
        for ticket_id, opened in (("D-1", "2024-01-31"), ("D-2", "2024-01-30"), ("D-3", "2024-01-25")):
            con.execute(
                "insert into tickets values ($1, 'D1', 'Web', 'complaint', 'Billing', 'normal', "
                "cast($2 as timestamp), null, null, 'open', 0, false, null, 'Individual', null)",
                [ticket_id, opened],
            )

    return store.build_atomically(tmp_path_factory.mktemp("dates") / "dates.duckdb", fill)


def test_handling_backlog_ages_a_date_only_complaint_from_its_date(date_only_db):
    con = store.connect_read_only(date_only_db)
    try:
        df = run(con, "handling_backlog", Filters(dt.date(2024, 1, 1), dt.date(2024, 1, 31)))
    finally:
        con.close()
    # at the end of 2024-01-31: opened on the 31st = 0 whole days + half a day = 0.5 (under 1 day; from
    # midnight it would read 1.0 and fall in 1-3 days); on the 30th 1.5 (1-3 days); on the 25th 6.5
    # (3-7 days; from midnight 7.0, 7-30 days)
    assert df["open_complaints"].tolist() == [1, 1, 1, 0, 0]
    assert df["mean_age_days"].tolist()[:3] == pytest.approx([0.5, 1.5, 6.5])
