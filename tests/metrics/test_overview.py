"""Page-level numbers on the fixture, worked out by hand from tests/fixture_db.py."""

import datetime as dt
import math
from dataclasses import replace

import pandas as pd
import pytest

from servicequality import store
from servicequality.metrics import overview
from tests.conftest import FIXTURE_PERIOD as P


def runner(con):
    return lambda name, filters: store.run_query(con, name, filters.params())


def test_headline_on_fixture(fixture_con):
    h = overview.headline(runner(fixture_con), P)
    assert h.respondents == 4
    assert h.servqual_unweighted == pytest.approx(-0.5)  # (-0.75 + -0.25) / 2
    # respondent by respondent: R1 0.6·(−1.5) + 0.4·(+1) = −0.5; R2 0.75·(−1) + 0.25·0 = −0.75;
    # mean −0.625 (mean weights × mean gaps over different respondents gave −0.5875)
    assert h.servqual_weighted == pytest.approx(-0.625)
    assert h.importance_n == 2
    assert h.csat == pytest.approx(2 / 3)
    assert h.nps == pytest.approx(0.0)  # 1 promoter, 1 detractor of 3
    assert h.complaint_rate == pytest.approx(4.0)  # 4 complaints / 1000 served * 1000
    assert h.first_response_within == pytest.approx(0.5)
    # T1 and T5 within, T2 late, T3 still open past its target: late too (2 of 4, not 2 of 3)
    assert h.resolution_within == pytest.approx(2 / 4)


def test_previous_period_on_fixture(fixture_con):
    # 2024-01-01..2024-02-29 is January and February, whole months: the previous period is November
    # and December 2023 (61 days, not the 60 days back from 2 November), which hold T7 (30 Dec), the
    # 1,000 served and R5 (1 Nov, which the 60 days back left out)
    prev = P.previous_period()
    assert (prev.start.isoformat(), prev.end.isoformat()) == ("2023-11-01", "2023-12-31")
    h = overview.headline(runner(fixture_con), prev)
    assert h.complaints == 1 and h.customers_served == 1000
    assert h.respondents == 1
    assert h.servqual_unweighted == pytest.approx(6.0)  # R5: perception 7, expectation 1 on both items
    # a period of days that are not whole months goes back as many days: 2 Jan - 29 Feb is 59 days,
    # so 4 Nov - 1 Jan, without R5
    days = replace(P, start=dt.date(2024, 1, 2)).previous_period()
    assert (days.start.isoformat(), days.end.isoformat()) == ("2023-11-04", "2024-01-01")
    assert overview.headline(runner(fixture_con), days).respondents == 0


def test_previous_period_of_whole_months_is_calendar_months():
    def previous(start, end):
        p = replace(P, start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end)).previous_period()
        return p.start.isoformat(), p.end.isoformat()

    # February 2015 (28 days) against all of January (31), not 4-31 January
    assert previous("2015-02-01", "2015-02-28") == ("2015-01-01", "2015-01-31")
    assert previous("2025-03-01", "2025-03-31") == ("2025-02-01", "2025-02-28")  # 31 days against 28
    assert previous("2025-07-01", "2025-09-30") == ("2025-04-01", "2025-06-30")  # Q3 against Q2
    assert previous("2025-01-01", "2025-12-31") == ("2024-01-01", "2024-12-31")  # across a leap year
    assert previous("2025-01-01", "2025-01-31") == ("2024-12-01", "2024-12-31")  # across the year's turn
    # a part of a month, or a month's end without its start: as many days back
    assert previous("2025-03-01", "2025-03-30") == ("2025-01-30", "2025-02-28")
    assert previous("2025-03-02", "2025-03-31") == ("2025-01-31", "2025-03-01")


def test_headline_without_times_keeps_the_shares(fixture_con):
    # The previous period is compared by its shares only: the same within-target counts (T1, T5 of
    # 4 judged, T3 still open past its target), no Kaplan-Meier times read.
    full = overview.headline(runner(fixture_con), P)
    shares = overview.headline(runner(fixture_con), P, times=False)
    assert (shares.resolution_within_count, shares.resolution_n) == (full.resolution_within_count, full.resolution_n)
    assert (shares.resolution_within_count, shares.resolution_n) == (2, 4)
    assert (shares.first_response_within, shares.first_response_n) == (full.first_response_within, 4)
    assert math.isnan(shares.median_resolution) and math.isnan(shares.median_first_response)
    assert overview.headline_changes(full, shares)["resolution_within"].difference == pytest.approx(0.0)


def test_branches_below_network_respects_min_n(fixture_con):
    from dataclasses import replace

    rows, network, left_out, compared = overview.branches_below_network(runner(fixture_con), replace(P, min_n=2))
    # network: mean of respondent gaps -0.25, -0.5, 0.25, -1.5 = -0.5; only B1 has 2 respondents,
    # and its -0.375 is 0.125 above the network: compared, but not listed as below it
    assert network == pytest.approx(-0.5)
    assert (left_out, compared) == (2, 1)
    assert rows.empty


def test_branches_below_network_lists_only_those_below(fixture_con):
    from dataclasses import replace

    rows, network, left_out, compared = overview.branches_below_network(runner(fixture_con), replace(P, min_n=1))
    # B1 -0.375 (+0.125), B2 0.25 (+0.75), B3 -1.5 (-1.0) against the network's -0.5: only B3 is below
    assert network == pytest.approx(-0.5)
    assert (left_out, compared) == (0, 3)
    assert rows["branch_id"].tolist() == ["B3"]
    assert rows.loc[0, "difference"] == pytest.approx(-1.0)


def test_monthly_on_fixture(fixture_con):
    m = overview.monthly(runner(fixture_con), P)
    assert m["complaint_rate"].tolist() == pytest.approx([3 / 800 * 1000, 1 / 200 * 1000])
    # January NPS: promoter R1, detractor R2 of 2 -> 0; February: R3 (8) passive of 1 -> 0
    assert m["nps"].tolist() == pytest.approx([0.0, 0.0])
    assert m["csat_pct"].tolist() == pytest.approx([50.0, 100.0])


def test_the_weakest_components_table_gives_the_interval_as_its_half_width():
    # -1.02 in (-1.10, -0.94): ± 0.08; -0.33 in (-0.40, -0.26): ± 0.07
    weakest = pd.DataFrame(
        {
            "component_key": ["responsiveness", "understanding"],
            "component_name": ["Responsiveness", "Understanding the customer"],
            "mean_gap": [-1.02, -0.33],
            "sd_gap": [1.0, 1.1],
            "ci_low": [-1.10, -0.40],
            "ci_high": [-0.94, -0.26],
            "n": [600, 13_833],
        },
        index=[4, 7],  # rows picked from a sorted frame keep their old index
    )
    table = overview.weakest_table(weakest)
    assert table.columns.tolist() == ["Component", "Gap (P − E)", "± (95% CI)", "n"]
    assert table["± (95% CI)"].tolist() == pytest.approx([0.08, 0.07])
    assert table["n"].tolist() == [600, 13_833] and table.index.tolist() == [0, 1]
    # 'Understanding the customer' (26 characters) needs a second line; the other nine names do not
    assert overview.weakest_table_wraps(weakest)
    assert not overview.weakest_table_wraps(weakest.iloc[:1])
    assert not overview.weakest_table_wraps(pd.DataFrame({"component_name": ["Professionalism"]}))


def test_the_overview_counts_complaints_closed_with_no_time_and_names_a_missing_first_response():
    # The CFPB sample's year: 5,178 complaints, 56 open, no first response, no closing date, no
    # target. The cards read "n = 0 answered, 56 still waiting", "n = 0 resolved, 56 still open" and
    # "n = 0 judged against a target, 0 of them still open past it (late)".
    nan = math.nan
    now = overview.Headline(
        respondents=0,
        servqual_unweighted=nan,
        servqual_weighted=nan,
        importance_n=0,
        csat=nan,
        csat_n=0,
        nps=nan,
        nps_n=0,
        complaints=5_178,
        customers_served=0,
        complaint_rate=nan,
        median_first_response=nan,
        median_first_response_target=nan,
        first_response_within=nan,
        first_response_n=0,
        median_resolution=nan,
        median_resolution_target=nan,
        resolution_within=nan,
        resolution_n=0,
        awaiting_first_n=56,
        still_open_n=56,
    )
    moves = overview.headline_changes(now, now)  # no previous figures: no change to show
    tiles = {t.label: t for t in overview.complaint_tiles(now, moves, P)}
    first = tiles["Median first response"]
    assert (first.value, first.n) == ("not recorded", "no first response in the export for these 5,178 complaints")
    resolution = tiles["Median resolution time"]
    assert resolution.value == "not recorded"
    assert resolution.n == "none resolved with a time recorded: 5,122 closed without one, 56 still open"
    on_time = tiles["Resolved on time"]
    assert (on_time.value, on_time.n) == ("no target", "no target is set for these complaints")


def test_the_trend_does_not_call_missing_what_the_store_never_holds():
    # The CFPB (complaints only): "Not shown, no data in this period: SERVQUAL gap (P − E); CSAT ...;
    # Net Promoter Score", as if another period had them. The kiosk (no NPS question): its NPS.
    months = pd.DataFrame(
        {
            "month": pd.to_datetime(["2019-04-01", "2019-05-01"]),
            "complaint_rate": [None, None],
            "complaints": [800, 2_100],
            "mean_gap": [None, None],
            "csat_pct": [None, None],
            "nps": [None, None],
        }
    )
    cfpb = {"has_complaints": 1, "has_responses": 0}
    asked = {"has_csat": 0, "has_nps": 0, "has_satisfaction": 0}
    panels, missing = overview.trend_panels(months.copy(), overview.unheld_panels(cfpb, asked))
    assert [p[0] for p in panels] == ["complaints"] and missing == []
    # the same months in a store that has a survey elsewhere: those panels are said to be missing here
    survey_elsewhere = {"has_complaints": 1, "has_responses": 1}
    _, missing = overview.trend_panels(months.copy(), overview.unheld_panels(survey_elsewhere, asked | {"has_csat": 1}))
    assert missing == ["SERVQUAL gap (P − E)", "CSAT: satisfied (4-5)"]  # NPS never asked: not named


def test_the_two_share_card_says_whose_change_it_shows(fixture_con):
    # The card shows answered and resolved on time; its one change is the resolved share's: now T1
    # and T5 of 4 (50 %), before T7 of 1 (resolved in 60 minutes, within its target): -50 points.
    now = overview.headline(runner(fixture_con), P)
    before = overview.headline(runner(fixture_con), P.previous_period(), times=False)
    tiles = {t.label: t for t in overview.complaint_tiles(now, overview.headline_changes(now, before), P)}
    delta = tiles["Answered / resolved on time"].delta
    # the sign first (Streamlit draws the arrow from it), then whose change it is
    assert delta.startswith(("−50.0 pts resolved ", "-50.0 pts resolved ")), delta
