"""The components and gaps pages' queries against the tiny fixture (tests/fixture_db.py) and a
second small fixture built here; every expected row worked out by hand in the comments.

The fixture in the test period (2024-01-01 .. 2024-02-29), per respondent and component
(the mean over the component's items):
    R1  B1 North  Jan  reliability P 5   E 6.5  A 4  gap -1.5   tangibles P 6  E 5  A 3  gap +1
    R2  B1 North  Jan  reliability P 5   E 6    A 5  gap -1     tangibles P 4  E 4  A 3  gap  0
    R3  B2 North  Feb  reliability P 5.5 E 6         gap -0.5   tangibles P 7  E 6       gap +1
    R4  B3 South  Feb  reliability P 7   E 7         gap  0     tangibles P 3  E 6       gap -3
"""

import datetime as dt
import math
from dataclasses import replace

import pandas as pd
import pytest

from servicequality import store
from servicequality.filters import Filters
from servicequality.metrics import servqual
from tests.conftest import FIXTURE_PERIOD as P
from tests.fixture_db import RESPONSE_COLUMNS, SCORE_COLUMNS

SQRT2 = math.sqrt(2)


def run(con, name, filters=P):
    return store.run_query(con, name, filters.params())


def runner(con):
    return lambda name, filters: run(con, name, filters)


# --- trend ---------------------------------------------------------------------------------------------


def test_component_gap_monthly(fixture_con):
    df = run(fixture_con, "component_gap_monthly")
    # January R1, R2; February R3, R4; reliability (sort 9) before tangibles (sort 10)
    assert [(d.isoformat(), k) for d, k in zip(df["period"].dt.date, df["component_key"], strict=True)] == [
        ("2024-01-01", "reliability"),
        ("2024-01-01", "tangibles"),
        ("2024-02-01", "reliability"),
        ("2024-02-01", "tangibles"),
    ]
    assert df["n"].tolist() == [2, 2, 2, 2]
    # Jan rel (-1.5, -1) -> -1.25; tan (1, 0) -> 0.5; Feb rel (-0.5, 0) -> -0.25; tan (1, -3) -> -1
    assert df["mean_gap"].tolist() == pytest.approx([-1.25, 0.5, -0.25, -1.0])
    # two values a, b: sd = |a - b| / sqrt 2 -> 0.5, 1, 0.5, 4 over sqrt 2
    assert df["sd_gap"].tolist() == pytest.approx([0.5 / SQRT2, 1 / SQRT2, 0.5 / SQRT2, 4 / SQRT2])


def test_component_gap_quarterly(fixture_con):
    df = run(fixture_con, "component_gap_quarterly").set_index("component_key")
    # all four in Q1 2024: the same numbers as component_gaps
    assert set(df["period"].dt.date) == {dt.date(2024, 1, 1)}
    assert df["n"].to_dict() == {"reliability": 4, "tangibles": 4}
    assert df.loc["reliability", "mean_gap"] == pytest.approx(-0.75)
    assert df.loc["tangibles", "sd_gap"] == pytest.approx(math.sqrt(10.75 / 3))


# --- RATER groups ----------------------------------------------------------------------------------------


def test_servqual_rater_gaps(fixture_con):
    df = run(fixture_con, "servqual_rater_gaps").set_index("rater_group")
    # five groups ordered by their first component: Assurance (security 1), Empathy (communication 3),
    # Responsiveness 8, Reliability 9, Tangibles 10
    assert df.index.tolist() == ["Assurance", "Empathy", "Responsiveness", "Reliability", "Tangibles"]
    assert df["components"].tolist() == [4, 3, 1, 1, 1]
    assert df["n"].tolist() == [0, 0, 0, 4, 4]
    # one-component groups equal their component: reliability P (5 + 5 + 5.5 + 7) / 4, gap -0.75
    assert df.loc["Reliability", "mean_perception"] == pytest.approx(5.625)
    assert df.loc["Reliability", "mean_gap"] == pytest.approx(-0.75)
    # tangibles P (6 + 4 + 7 + 3) / 4 = 5, E (5 + 4 + 6 + 6) / 4 = 5.25
    assert df.loc["Tangibles", "mean_perception"] == pytest.approx(5.0)
    assert df.loc["Tangibles", "mean_expectation"] == pytest.approx(5.25)
    assert math.isnan(df.loc["Assurance", "mean_gap"])


# --- heatmap ---------------------------------------------------------------------------------------------


def test_component_branch_gaps(fixture_con):
    df = run(fixture_con, "component_branch_gaps")
    # ordered by region, branch, component: B1, B2 (North), B3 (South)
    assert list(zip(df["branch_id"], df["component_key"], strict=True)) == [
        ("B1", "reliability"),
        ("B1", "tangibles"),
        ("B2", "reliability"),
        ("B2", "tangibles"),
        ("B3", "reliability"),
        ("B3", "tangibles"),
    ]
    # B1 = R1, R2: rel -1.25, tan 0.5; B2 = R3: -0.5, +1; B3 = R4: 0, -3
    assert df["n"].tolist() == [2, 2, 1, 1, 1, 1]
    assert df["mean_gap"].tolist() == pytest.approx([-1.25, 0.5, -0.5, 1.0, 0.0, -3.0])
    assert df["sd_gap"].iloc[0] == pytest.approx(0.5 / SQRT2)
    assert df["sd_gap"].iloc[2:].isna().all()  # one respondent: no standard deviation
    assert df["region"].tolist() == ["North"] * 4 + ["South"] * 2


def test_component_region_gaps(fixture_con):
    df = run(fixture_con, "component_region_gaps").set_index(["region", "component_key"])
    # North = R1, R2, R3: rel -1.5, -1, -0.5 -> -1, sd 0.5; tan 1, 0, 1 -> 2/3,
    # deviations 1/3, -2/3, 1/3 -> squares 6/9, / 2 -> sd sqrt(1/3)
    assert df.loc[("North", "reliability"), "n"] == 3
    assert df.loc[("North", "reliability"), "mean_gap"] == pytest.approx(-1.0)
    assert df.loc[("North", "reliability"), "sd_gap"] == pytest.approx(0.5)
    assert df.loc[("North", "tangibles"), "mean_gap"] == pytest.approx(2 / 3)
    assert df.loc[("North", "tangibles"), "sd_gap"] == pytest.approx(math.sqrt(1 / 3))
    # South = R4
    assert df.loc[("South", "tangibles"), "mean_gap"] == pytest.approx(-3.0)
    assert len(df) == 4


def test_gap_grid_suppresses_cells_below_the_minimum(fixture_con):
    grid = servqual.gap_grid(runner(fixture_con), replace(P, min_n=2), by="branch").set_index(
        ["branch_id", "component_key"]
    )
    # min_n 2: B1 (n = 2) shown; B2 and B3 (n = 1) suppressed, their n kept, their gap dropped
    assert not grid.loc[("B1", "reliability"), "suppressed"]
    assert grid.loc[("B1", "reliability"), "mean_gap"] == pytest.approx(-1.25)
    assert grid["suppressed"].sum() == 4
    assert grid.loc[("B3", "tangibles"), "n"] == 1
    assert math.isnan(grid.loc[("B3", "tangibles"), "mean_gap"])
    assert grid.loc[("B1", "reliability"), "unit"] == "Alpha (B1), North"


def test_gap_grid_names_the_region_once():
    # The kiosk's one branch is "Kiosk users, Korea (KR)" in region Korea: its row read "Kiosk users,
    # Korea (KR), Korea". A name that says its region keeps it once; the others get it after.
    rows = pd.DataFrame(
        {
            "branch_id": ["KR", "B2", "B3", "B25", "B2x"],
            "branch_name": [
                "Kiosk users, Korea",
                "Harbour Street",
                "North Gate",
                "Westfield Centre",
                "Northern Quarter",
            ],
            # "north" is the word North in "North Gate", whatever its case; "West" and "North" are only the
            # start of "Westfield" and "Northern" (the demo's two rows that lost their region)
            "region": ["Korea", "South", "north", "West", "North"],
            "component_key": ["security"] * 5,
            "n": [40] * 5,
            "mean_gap": [-1.0, -0.5, 0.2, 0.1, 0.0],
            "sd_gap": [1.0] * 5,
        }
    )
    grid = servqual.gap_grid(lambda name, filters: rows, P, by="branch")
    assert grid["unit"].tolist() == [
        "Kiosk users, Korea (KR)",
        "Harbour Street (B2), South",
        "North Gate (B3)",
        "Westfield Centre (B25), West",
        "Northern Quarter (B2x), North",
    ]


# --- zone of tolerance -----------------------------------------------------------------------------------


def test_component_tolerance_zone(fixture_con):
    df = run(fixture_con, "component_tolerance_zone").set_index("component_key")
    # only R1 and R2 gave adequate levels
    assert df["n"].to_dict() == {"reliability": 2, "tangibles": 2}
    rel, tan = df.loc["reliability"], df.loc["tangibles"]
    # reliability: A 4, 5 -> 4.5; desired 6.5, 6 -> 6.25; P 5, 5 -> 5
    assert (rel["mean_adequate"], rel["mean_desired"], rel["mean_perception"]) == pytest.approx((4.5, 6.25, 5.0))
    # MSA = P - A: 1, 0 -> 0.5, sd 1/sqrt 2; MSS = P - D: -1.5, -1 -> -1.25, sd 0.5/sqrt 2
    assert (rel["mean_msa"], rel["sd_msa"]) == pytest.approx((0.5, 1 / SQRT2))
    assert (rel["mean_mss"], rel["sd_mss"]) == pytest.approx((-1.25, 0.5 / SQRT2))
    # tangibles: A 3, 3; D 5, 4; P 6, 4 -> MSA 3, 1 -> 2; MSS 1, 0 -> 0.5
    assert (tan["mean_adequate"], tan["mean_desired"], tan["mean_perception"]) == pytest.approx((3.0, 4.5, 5.0))
    assert (tan["mean_msa"], tan["mean_mss"]) == pytest.approx((2.0, 0.5))


def test_tolerance_zone_empty_without_adequate_levels(fixture_con):
    # February holds R3 and R4, neither with adequate levels: the page shows st.info instead
    feb = replace(P, start=dt.date(2024, 2, 1))
    assert run(fixture_con, "component_tolerance_zone", feb).empty


def test_tolerance_table_positions(fixture_con):
    zone = servqual.tolerance_table(runner(fixture_con), P).set_index("component_key")
    # reliability P 5 inside [4.5, 6.25]; tangibles P 5 above [3, 4.5]
    assert zone["position"].to_dict() == {"reliability": "inside the zone", "tangibles": "above the zone"}


# --- complaints ------------------------------------------------------------------------------------------


def test_component_complaints(fixture_con):
    df = run(fixture_con, "component_complaints").set_index("component_key")
    assert len(df) == 10
    # complaints in the period: T1 Attitude -> courtesy, T2 Delivery -> responsiveness,
    # T3 Function -> reliability, T5 Etiquette -> courtesy (T7 is 2023; T4 a request, T6 a compliment)
    assert df["complaints"][df["complaints"] > 0].to_dict() == {"courtesy": 2, "responsiveness": 1, "reliability": 1}
    assert set(df["complaints_mapped"]) == {4}
    assert set(df["complaints_all"]) == {4}


def test_component_complaints_region_filter(fixture_con):
    df = run(fixture_con, "component_complaints", replace(P, regions=("North",))).set_index("component_key")
    # North = B1, B2: T1 courtesy, T2 responsiveness, T3 reliability
    assert df.loc["courtesy", "complaints"] == 1
    assert set(df["complaints_mapped"]) == {3}


def test_complaints_vs_survey_shares(fixture_con):
    both = servqual.complaints_vs_survey(runner(fixture_con), P).set_index("component_key")
    # courtesy 2 of 4 mapped complaints, no survey answers; reliability 1 of 4 beside gap -0.75
    assert both.loc["courtesy", "complaint_share"] == pytest.approx(0.5)
    assert both.loc["reliability", "complaint_share"] == pytest.approx(0.25)
    assert both.loc["reliability", "mean_gap"] == pytest.approx(-0.75)
    assert both.loc["tangibles", "complaint_share"] == 0  # answered in the survey, no complaints
    assert "security" not in both.index  # neither source says anything


# --- Cronbach's alpha aggregates --------------------------------------------------------------------------


def test_component_item_variances(fixture_con):
    df = run(fixture_con, "component_item_variances").set_index("component_key")
    rel, tan = df.loc["reliability"], df.loc["tangibles"]
    assert (rel["k"], rel["n_answered"], rel["n_complete"]) == (2, 4, 4)
    # perception REL1 5, 6, 5, 7 -> var 2.75/3; REL2 5, 4, 6, 7 -> 5/3; sums 10, 10, 11, 14 -> 10.75/3
    assert rel["perception_item_var"] == pytest.approx(7.75 / 3)
    assert rel["perception_total_var"] == pytest.approx(10.75 / 3)
    # expectation REL1 7, 6, 5, 7 -> 2.75/3; REL2 6, 6, 7, 7 -> 1/3; sums 13, 12, 12, 14 -> 2.75/3
    assert rel["expectation_item_var"] == pytest.approx(3.75 / 3)
    assert rel["expectation_total_var"] == pytest.approx(2.75 / 3)
    # gap REL1 -2, 0, 0, 0 -> 3/3; REL2 -1, -2, -1, 0 -> 2/3; sums -3, -2, -1, 0 -> 5/3
    assert rel["gap_item_var"] == pytest.approx(5 / 3)
    assert rel["gap_total_var"] == pytest.approx(5 / 3)
    # tangibles has one item: k = 1 (alpha undefined); unanswered components k = 0
    assert tan["k"] == 1
    assert df.loc["courtesy", "k"] == 0 and df.loc["courtesy", "n_complete"] == 0


def test_alpha_table_on_the_fixture(fixture_con):
    table = servqual.alpha_table(runner(fixture_con), P, "perception").set_index("component_key")
    # α = 2 · (1 − 7.75 / 10.75) = 0.558140, below 0.70
    assert table.loc["reliability", "alpha"] == pytest.approx(6 / 10.75)
    assert table.loc["reliability", "below_threshold"]
    assert math.isnan(table.loc["tangibles", "alpha"])
    # the gap items: α = 2 · (1 − (5/3) / (5/3)) = 0
    gaps = servqual.alpha_table(runner(fixture_con), P, "gap").set_index("component_key")
    assert gaps.loc["reliability", "alpha"] == pytest.approx(0.0)


# --- a second fixture: groups of two components, a missing item, an unmapped complaint -----------------

MINI_PERIOD = Filters(dt.date(2024, 3, 1), dt.date(2024, 3, 31))
MINI_SCORES = [
    # response, component, item, expectation, perception
    ("S1", "courtesy", "COU1", 6, 5),
    ("S1", "courtesy", "COU2", 6, 4),
    ("S1", "security", "SEC1", 7, 7),
    ("S2", "courtesy", "COU1", 5, 6),
    ("S2", "courtesy", "COU2", 7, 6),
    ("S2", "security", "SEC1", 6, 5),
    ("S3", "courtesy", "COU1", 6, 3),  # no COU2: left out of alpha (listwise), kept in the gaps
    ("S3", "security", "SEC1", 5, 6),
]


def _fill_mini(con) -> None:
    con.execute("insert into branches values ('X1', 'Xi', 'East', 'Easton', 'Standard', 'Small', null)")
    for i, rid in enumerate(("S1", "S2", "S3")):
        con.execute(
            f"insert into survey_responses {RESPONSE_COLUMNS} "
            "values ($1, 'X1', $2, 'Phone', 'Individual', null, null, null)",
            [rid, dt.datetime(2024, 3, 5 + i, 10)],
        )
    con.executemany(
        f"insert into survey_scores {SCORE_COLUMNS} values ($1, $2, $3, $4, $5, null)",
        MINI_SCORES,
    )
    for tid, kind, category in (("U1", "complaint", "Attitude"), ("U2", "complaint", None), ("U3", "request", None)):
        con.execute(
            "insert into tickets (ticket_id, branch_id, channel, kind, category, priority, opened_at, status, "
            "segment) values ($1, 'X1', 'Phone', $2, $3, 'normal', $4, 'open', 'Individual')",
            [tid, kind, category, dt.datetime(2024, 3, 10, 9)],
        )


@pytest.fixture(scope="module")
def mini_con(tmp_path_factory):
    path = store.build_atomically(tmp_path_factory.mktemp("mini") / "mini.duckdb", _fill_mini)
    con = store.connect_read_only(path)
    yield con
    con.close()


def test_rater_group_averages_its_components_per_respondent(mini_con):
    df = run(mini_con, "servqual_rater_gaps", MINI_PERIOD).set_index("rater_group")
    # Assurance = courtesy + security, per respondent the mean of the two component scores:
    #   S1 courtesy P 4.5 E 6 (gap -1.5), security P 7 E 7 (0)  -> P 5.75, E 6.5, gap -0.75
    #   S2 courtesy P 6   E 6 (0),        security P 5 E 6 (-1) -> P 5.5,  E 6,   gap -0.5
    #   S3 courtesy P 3   E 6 (-3),       security P 6 E 5 (+1) -> P 4.5,  E 5.5, gap -1
    # means P 15.75/3 = 5.25, E 6, gap -2.25/3 = -0.75; deviations 0, .25, -.25 -> .125 / 2 -> sd .25
    row = df.loc["Assurance"]
    assert row["n"] == 3
    assert (row["mean_perception"], row["mean_expectation"], row["mean_gap"]) == pytest.approx((5.25, 6.0, -0.75))
    assert row["sd_gap"] == pytest.approx(0.25)


def test_alpha_uses_listwise_deletion(mini_con):
    df = run(mini_con, "component_item_variances", MINI_PERIOD).set_index("component_key")
    cou = df.loc["courtesy"]
    # courtesy has 2 items; S3 answered only COU1, so alpha uses S1 and S2
    assert (cou["k"], cou["n_answered"], cou["n_complete"]) == (2, 3, 2)
    # perception COU1 5, 6 -> var 0.5; COU2 4, 6 -> var 2; sums 9, 12 -> var 4.5
    assert cou["perception_item_var"] == pytest.approx(2.5)
    assert cou["perception_total_var"] == pytest.approx(4.5)
    # α = 2 · (1 − 2.5 / 4.5) = 0.888889
    alpha = servqual.alpha_table(runner(mini_con), MINI_PERIOD).set_index("component_key").loc["courtesy", "alpha"]
    assert alpha == pytest.approx(8 / 9)


def test_complaints_without_a_mapped_category_count_in_the_total_only(mini_con):
    df = run(mini_con, "component_complaints", MINI_PERIOD).set_index("component_key")
    # U1 Attitude -> courtesy; U2 a complaint without category; U3 a request
    assert df.loc["courtesy", "complaints"] == 1
    assert set(df["complaints_mapped"]) == {1}
    assert set(df["complaints_all"]) == {2}


# --- the zone of tolerance when only some items have an adequate level (issue 14, item 2) ----------


def _fill_partial_adequate(con) -> None:
    con.execute("insert into branches values ('Z1', 'Zed', 'East', 'Easton', 'Standard', 'Small', null)")
    for rid, day in (("A1", 4), ("A2", 5)):
        con.execute(
            f"insert into survey_responses {RESPONSE_COLUMNS} "
            "values ($1, 'Z1', $2, 'Phone', 'Individual', null, null, null)",
            [rid, dt.datetime(2024, 3, day, 10)],
        )
    con.executemany(
        f"insert into survey_scores {SCORE_COLUMNS} values ($1, $2, $3, $4, $5, $6)",
        [
            # response, component, item, expectation (desired), perception, adequate
            ("A1", "reliability", "REL1", 7, 3, 5),  # below its adequate level 5
            ("A1", "reliability", "REL2", 6, 7, None),  # no adequate level: not in the zone
            ("A2", "reliability", "REL1", 6, 6, 4),
            ("A2", "reliability", "REL2", 5, 5, 4),
        ],
    )


@pytest.mark.parametrize("plain", [False, True], ids=["rollups", "plain"])
def test_tolerance_zone_pairs_each_item_with_its_own_adequate_level(tmp_path, plain):
    # A1 has an adequate level on REL1 only: paired, P 3 − A 5 = MSA −2 (below the zone) and
    # P 3 − D 7 = MSS −4. Averaging P over both items (5) against the one A (5) showed MSA 0.
    # A2 pairs both items: A 4, D 5.5, P 5.5 -> MSA 1.5, MSS 0.
    # Means: A (5 + 4)/2 = 4.5; D (7 + 5.5)/2 = 6.25; P (3 + 5.5)/2 = 4.25;
    # MSA (−2 + 1.5)/2 = −0.25, sd |−2 − 1.5|/√2 = 2.4749; MSS (−4 + 0)/2 = −2, sd 4/√2 = 2.8284.
    path = store.build_atomically(tmp_path / "partial.duckdb", _fill_partial_adequate)
    con = store.connect_read_only(path)
    try:
        params = Filters(dt.date(2024, 3, 1), dt.date(2024, 3, 31)).params()
        row = store.run_query(con, "component_tolerance_zone", params, plain=plain).set_index("component_key")
        rel = row.loc["reliability"]
    finally:
        con.close()
    assert rel["n"] == 2
    assert (rel["mean_adequate"], rel["mean_desired"], rel["mean_perception"]) == pytest.approx((4.5, 6.25, 4.25))
    assert (rel["mean_msa"], rel["sd_msa"]) == pytest.approx((-0.25, 3.5 / math.sqrt(2)))
    assert (rel["mean_mss"], rel["sd_mss"]) == pytest.approx((-2.0, 4 / math.sqrt(2)))


# --- a performance-only survey on mixed scales (component_performance, performance_respondents) -------


def _fill_mixed_scales(con) -> None:
    con.execute("insert into branches values ('Y1', 'Ypsilon', 'East', 'Easton', 'Standard', 'Small', null)")
    for rid, day, satisfaction, nps in (("P1", 4, 5, 10), ("P2", 5, 2, None), ("P3", 6, None, 0)):
        con.execute(
            f"insert into survey_responses {RESPONSE_COLUMNS} "
            "values ($1, 'Y1', $2, 'Phone', 'Individual', $3, $4, null)",
            [rid, dt.datetime(2024, 3, day, 10), nps, satisfaction],
        )
    con.executemany(
        "insert into survey_scores (response_id, component_key, item, perception, scale_min, scale_max) "
        "values ($1, $2, $3, $4, $5, $6)",
        [
            # response, component, item, perception, scale
            ("P1", "courtesy", "COU1", 4, 1, 5),
            ("P1", "courtesy", "COU2", 3, 1, 5),
            ("P2", "courtesy", "COU1", 2, 1, 5),
            ("P1", "reliability", "REL1", 4, 1, 5),
            ("P2", "reliability", "REL1", 7, 1, 10),  # another respondent, another scale
            ("P3", "security", "SEC1", 5, 1, 5),
            ("P3", "security", "SEC2", 4, 1, 4),  # one respondent's two items on two scales
            ("P1", "tangibles", "TAN1", 3, 1, 5),
            ("P2", "tangibles", "TAN1", 3, 0, 5),  # the same top point, another bottom one
        ],
    )


@pytest.mark.parametrize("plain", [False, True], ids=["rollups", "plain"])
def test_component_performance_gives_a_raw_rating_only_on_one_shared_scale(tmp_path, plain):
    path = store.build_atomically(tmp_path / "mixed.duckdb", _fill_mixed_scales)
    con = store.connect_read_only(path)
    try:
        df = store.run_query(con, "component_performance", MINI_PERIOD.params(), plain=plain)
        wide = store.run_query(con, "performance_respondents", MINI_PERIOD.params(), plain=plain)
    finally:
        con.close()
    df = df.set_index("component_key")
    # courtesy, all on 1-5: P1 (4 + 3) / 2 = 3.5 (POMP 75, 50 -> 62.5), P2 2 (25): rating 2.75, POMP 43.75
    cou = df.loc["courtesy"]
    assert (cou["n"], cou["rated_answers"], cou["scales"]) == (2, 3, "1-5")
    assert (cou["mean_rating"], cou["scale_min"], cou["scale_max"]) == pytest.approx((2.75, 1, 5))
    assert cou["mean_performance"] == pytest.approx(43.75)
    assert cou["sd_rating"] == pytest.approx(1.5 / SQRT2)
    # reliability: P1 4 on 1-5 (75), P2 7 on 1-10 (66.67): no raw rating; scales in text order
    rel = df.loc["reliability"]
    assert rel["scales"] == "1-10, 1-5" and rel["mean_performance"] == pytest.approx((75 + 600 / 9) / 2)
    # security: P3's own items on 1-5 and 1-4 (5 and 4, both the best: 100) span 1-5 but share no scale
    sec = df.loc["security"]
    assert (sec["n"], sec["scales"], sec["mean_performance"]) == (1, "1-5", pytest.approx(100.0))
    # tangibles: 1-5 and 0-5 share the top point only (3 -> 50 and 60)
    tan = df.loc["tangibles"]
    assert tan["scales"] == "0-5, 1-5" and tan["mean_performance"] == pytest.approx(55.0)
    for row in (rel, sec, tan):
        assert pd.isna(row["mean_rating"]) and pd.isna(row["sd_rating"]) and pd.isna(row["scale_min"])
    assert df.loc["access", "n"] == 0

    # one row per respondent, in id order, a column per component; satisfaction 1-5 and nps 0-10 as 0-100
    assert wide["response_id"].tolist() == ["P1", "P2", "P3"]
    assert wide["courtesy"].tolist() == pytest.approx([62.5, 25.0, math.nan], nan_ok=True)
    assert wide["reliability"].tolist() == pytest.approx([75.0, 600 / 9, math.nan], nan_ok=True)
    assert wide["tangibles"].tolist() == pytest.approx([50.0, 60.0, math.nan], nan_ok=True)
    assert wide["security"].tolist() == pytest.approx([math.nan, math.nan, 100.0], nan_ok=True)
    assert wide["access"].isna().all()
    assert wide["satisfaction"].tolist() == pytest.approx([100.0, 25.0, math.nan], nan_ok=True)
    assert wide["recommend"].tolist() == pytest.approx([100.0, math.nan, 0.0], nan_ok=True)


# --- which components the survey asks ------------------------------------------------------------


def _fill_with_a_dont_know_component(con):
    from tests import fixture_db

    fixture_db.fill(con)
    # R5 (B3, outside the test period) answered courtesy's one item "don't know": asked, not rated
    con.execute("insert into survey_item_missing values ('R5', 'courtesy', 'COU1', 'don''t know', '9')")


@pytest.mark.parametrize("plain", [False, True], ids=["rollups", "plain"])
def test_survey_components_marks_what_any_item_covers_in_any_period(fixture_con, tmp_path, plain):
    # the fixture's scores cover reliability and tangibles only (R1-R5); every other component is unasked
    df = store.run_query(fixture_con, "survey_components", {}, plain=plain)
    assert df["sort_order"].tolist() == list(range(1, 11))
    assert df.loc[df["asked"] == 1, "component_key"].tolist() == ["reliability", "tangibles"]
    # a component answered only "don't know", by a response outside any test period, was still asked
    path = store.build_atomically(tmp_path / "dont_know.duckdb", _fill_with_a_dont_know_component)
    con = store.connect_read_only(path)
    try:
        df = store.run_query(con, "survey_components", {}, plain=plain)
    finally:
        con.close()
    assert df.loc[df["asked"] == 1, "component_key"].tolist() == ["courtesy", "reliability", "tangibles"]
    assert df.loc[df["asked"] == 0, "component_name"].tolist()[:2] == ["Security", "Credibility"]
