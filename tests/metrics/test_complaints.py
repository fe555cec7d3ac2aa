"""metrics.complaints: what a complaint rate divides by under a selection; whether any complaint
has a target; the Pareto's sentence."""

import datetime as dt

import pandas as pd

from servicequality.filters import Filters
from servicequality.metrics.complaints import (
    RATE_LABEL,
    VitalFew,
    backlog_words,
    handling_tiles,
    headline,
    no_category_recorded,
    no_target_set,
    own_deadline_words,
    pareto_bars,
    pareto_labelled_table,
    pareto_method,
    pareto_table,
    rate_scope,
    recorded_words,
    vital_few,
    vital_few_words,
)

YEAR = dict(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))


def test_a_rate_over_branches_and_regions_is_the_plain_rate():
    # regions, branches and branch types narrow customers served as well: same population.
    scope = rate_scope(Filters(**YEAR, regions=("North",), branches=("B1",), branch_types=("Express",)))
    assert scope.label == RATE_LABEL
    assert scope.note == ""


def test_a_channel_or_category_selection_says_the_denominator_is_everyone_served():
    # Issue 14, item 4: Phone complaints ÷ all customers served is not the Phone customers' rate.
    scope = rate_scope(Filters(**YEAR, channels=("Phone",), categories=("Attitude", "Billing")))
    assert scope.label == "Selected complaints per 1,000 of all served"
    assert "channel Phone" in scope.note and "category Attitude, Billing" in scope.note
    assert "not recorded per channel or complaint category" in scope.note
    segment = rate_scope(Filters(**YEAR, segments=("Small business",)))
    assert "segment Small business" in segment.note and "customer segment" in segment.note


def _targets(first_target, resolution_target, targeted_first_n, targeted_resolution_n) -> pd.DataFrame:
    # handling_targets rows: two channels, the second with nothing set or judged
    return pd.DataFrame(
        {
            "channel": ["Phone", "Web"],
            "priority": ["normal", "normal"],
            "first_response_target": pd.array([first_target, None], dtype="Int64"),
            "resolution_target": [resolution_target, None],
            "targeted_first_n": [targeted_first_n, 0],
            "targeted_resolution_n": [targeted_resolution_n, 0],
        }
    )


def test_no_target_set_only_when_no_pair_shows_one_and_none_was_judged():
    # the CFPB store: no service target, no deadline of its own, nothing judged
    assert no_target_set(_targets(None, None, 0, 0))
    # a channel's first-response target, nothing answered yet: a target is set
    assert not no_target_set(_targets(60, None, 0, 0))
    # per-complaint deadlines that differ show no single target, but 3 were judged against them
    assert not no_target_set(_targets(None, None, 0, 3))


def test_own_deadlines_that_differ_are_named_under_the_target_charts():
    rows = _targets(None, None, 0, 3).assign(responded_n=[0, 2], resolved_n=[3, 0])
    # Phone: 3 resolved, judged against their own deadlines, no one target -> named
    assert own_deadline_words(rows).startswith("No target marker for Phone:")
    # Web answered 2 but none judged (no deadline): not named; a Phone target shown: nothing to say
    assert own_deadline_words(_targets(None, 60, 0, 3).assign(responded_n=[0, 2], resolved_n=[3, 0])) is None
    # judged but nothing handled yet (still open past its deadline): no marker is expected either
    assert own_deadline_words(rows.assign(resolved_n=[0, 0])) is None


def test_the_pareto_sentence_for_one_two_and_more_categories():
    one = vital_few(pd.DataFrame({"category": ["Attitude"], "complaints": [40]}))
    assert vital_few_words(one) == "**One category** holds all 40 complaints (Attitude)."
    assert vital_few_words(VitalFew(1, 1, 1, ["Attitude"])) == "**One category** holds the only complaint (Attitude)."
    # 30 and 10: Attitude alone is 75 %, both reach 100 %: both are needed for 80 %
    both = vital_few(pd.DataFrame({"category": ["Attitude", "Billing"], "complaints": [30, 10]}))
    assert (both.count, both.categories) == (2, 2)
    assert vital_few_words(both) == (
        "**Both categories** are needed to account for 80% of the complaints (led by Attitude, Billing)."
    )
    # 36 and 4: Attitude alone is 90 %
    first = vital_few(pd.DataFrame({"category": ["Attitude", "Billing"], "complaints": [36, 4]}))
    assert vital_few_words(first) == "**1 of 2 categories** accounts for 80% of the complaints (Attitude)."
    # some of several, and all of three
    assert vital_few_words(VitalFew(2, 4, 100, ["A", "B"])) == (
        "**2 of 4 categories** account for 80% of the complaints (led by A, B)."
    )
    assert vital_few_words(VitalFew(3, 3, 9, ["A", "B", "C"])).startswith("**All 3 categories** are needed")


# --- the Pareto's bars: the vital few, a few more, the rest in one bar ----------------------------

EIGHT = pd.DataFrame(
    {
        "category": ["B", "A", "C", "D", "E", "F", "G", "H"],
        "family": ["service", "product", "service", "service", "product", "product", "service", "unmapped"],
        "component_key": ["x"] * 8,
        "component_name": ["X"] * 8,
        "complaints": [20, 50, 10, 8, 5, 4, 2, 1],
    }
)


def test_pareto_bars_fold_the_rest_into_one_bar():
    # A 50, B 20, C 10, D 8, E 5, F 4, G 2, H 1 = 100: cumulative 50, 70, 80: C reaches 80 %, so
    # the vital few are A, B, C; 8 categories are more than a cap of 6 + 1: one more (extra=1)
    # shows D; E..H (4 categories, 12) are one bar
    bars = pareto_bars(EIGHT, extra=1, cap=6)
    assert bars["category"].tolist() == ["A", "B", "C", "D", "Other 4 categories"]
    assert bars["complaints"].tolist() == [50, 20, 10, 8, 12]
    assert bars["cumulative_pct"].tolist() == [50.0, 70.0, 80.0, 88.0, 100.0]
    assert bars["category_id"].tolist() == ["A", "B", "C", "D", ""]  # the rest filters by nothing
    assert bars["folded"].tolist() == [1, 1, 1, 1, 4]
    # capped at 2 bars of categories: A, B, then C..H (6, 30)
    capped = pareto_bars(EIGHT, extra=3, cap=2)
    assert capped["category"].tolist() == ["A", "B", "Other 6 categories"]
    assert capped["complaints"].tolist() == [50, 20, 30]


def test_pareto_bars_draw_every_category_when_they_fit():
    # a cap of 7 would leave H alone: drawn as itself, not as "Other 1 categories"
    bars = pareto_bars(EIGHT, extra=1, cap=7)
    assert bars["category"].tolist() == ["A", "B", "C", "D", "E", "F", "G", "H"]
    assert bars["cumulative_pct"].iloc[-1] == 100.0
    # H is 'unmapped' (no category of the store): a click on it filters by nothing
    assert bars["category_id"].tolist() == ["A", "B", "C", "D", "E", "F", "G", ""]
    # the default cap, 15: eight categories (or the demo's 13) are all drawn
    assert len(pareto_bars(EIGHT)) == 8


def test_pareto_table_lists_every_category():
    table = pareto_table(EIGHT)
    assert table["category"].tolist() == ["A", "B", "C", "D", "E", "F", "G", "H"]
    assert table["share_pct"].tolist() == [50.0, 20.0, 10.0, 8.0, 5.0, 4.0, 2.0, 1.0]


# Twenty categories, most frequent not first: T 300, S 200, R 150, Q 100, P 60 (cumulative 30, 50,
# 65, 75, 81 %: P crosses 80 %, so the vital few are five), then O 40, N 30, M 25 and twelve more
# (L 20, K 18, J 15, I 12, H 10, G 8, F 5, E 3, D, C, B, A 1 each) = 1,000 complaints.
TWENTY = pd.DataFrame(
    {
        "category": list("ABCDEFGHIJKLMNOPQRST"),
        "family": ["service", "product"] * 10,
        "component_name": ["X"] * 20,
        "complaints": [1, 1, 1, 1, 3, 5, 8, 10, 12, 15, 18, 20, 25, 30, 40, 60, 100, 150, 200, 300],
    }
)


def test_the_pareto_method_says_how_many_categories_the_last_bar_folds():
    # 20 categories > 15 + 1: the vital five plus three more (O, N, M) are drawn, the other
    # 20 - 8 = 12 (L..A, 95 complaints) are one bar
    bars = pareto_bars(TWENTY)
    assert bars["category"].tolist() == [*"TSRQPONM", "Other 12 categories"]
    assert bars["complaints"].iloc[-1] == 95
    words = pareto_method(bars)
    assert words.startswith("Bars: complaints per category, sorted descending.")
    assert words.endswith(
        " The chart shows the categories that hold 80% of the complaints and 3 more (at most 15); "
        "the other 12 are summed in the last bar, and listed under 'Every category'."
    )
    # eight categories are all drawn: nothing folded, nothing said about it
    assert "summed in the last bar" not in pareto_method(pareto_bars(EIGHT))


def test_the_every_category_table_has_headers_in_words():
    table = pareto_labelled_table(TWENTY)
    assert table.columns.tolist() == [
        "Category",
        "Family",
        "Component",
        "Complaints",
        "Share (%)",
        "Cumulative share (%)",
    ]
    assert len(table) == 20  # the table keeps what the chart folds
    # T 300 of 1,000 first; S's cumulative share is (300 + 200) / 1,000
    assert table["Category"].iloc[0] == "T" and table["Share (%)"].iloc[0] == 30.0
    assert table["Cumulative share (%)"].iloc[1] == 50.0


# --- handling tiles where the export records no first response (Boston 311) ----------------------


def _boston_like(awaiting: int) -> tuple:
    # complaints all without a first response; resolution times and per-ticket deadlines recorded
    complaints = 1_597 + awaiting
    summary = pd.Series({"complaints": complaints, "customers_served": 0})
    quality = pd.Series(
        {"reopened": None, "reopened_n": 0, "escalated": None, "escalated_n": 0, "satisfied": None, "satisfaction_n": 0}
    )
    handling = pd.Series(
        {
            "complaints": complaints,
            "responded_n": 0,
            "median_first_response_minutes": float("nan"),
            "p90_first_response_minutes": float("nan"),
            "first_response_within_target": 0,
            "targeted_first_n": 0,
            "awaiting_first_n": awaiting,
            "late_awaiting_first_n": 0,
            "resolved_n": 1_597,
            "median_resolution_minutes": 46_151.3,
            "p90_resolution_minutes": float("nan"),
            "resolution_within_target": 1_281,
            "targeted_resolution_n": 1_597 + awaiting,
            "still_open_n": awaiting,
            "late_open_n": awaiting,
        }
    )
    return headline(summary, handling, quality), handling


def test_first_response_an_export_lacks_is_not_recorded_not_a_dash():
    for awaiting in (1_288, 0):  # some still open; or every one closed (a filter on closed ones)
        head, handling = _boston_like(awaiting)
        tiles = {t.label: t for t in handling_tiles(head, handling)}
        assert tiles["Answered within target"].value == "not recorded", awaiting
        assert tiles["Median first response"].value == "not recorded", awaiting
        # not "n = 0 answered, 1,288 still waiting": nothing says they wait
        words = f"no first response in the export for these {1_597 + awaiting:,} complaints"
        assert tiles["Median first response"].n == tiles["Answered within target"].n == words
        # 1,281 of 1,597 + awaiting judged: resolution is recorded
        expected = f"{100 * 1_281 / (1_597 + awaiting):.1f} %"
        assert tiles["Resolved within target"].value == expected


def test_no_pareto_when_no_complaint_has_a_category():
    # Boston 311: every complaint 'Unmapped' (no category in the export): one bar named by our own
    # placeholder read as a category ("One category holds all 2,885 complaints (Unmapped)").
    unmapped = pd.DataFrame({"category": ["Unmapped"], "complaints": [2885]})
    assert "none of the 2,885 complaints" in no_category_recorded(unmapped)
    # one complaint with a category is enough for a Pareto (of two bars)
    some = pd.DataFrame({"category": ["Unmapped", "Access"], "complaints": [2884, 1]})
    assert no_category_recorded(some) is None


def test_the_backlog_says_how_it_differs_from_still_open():
    words = backlog_words(72, 16)  # CFPB: 72 open at the period's end, 16 opened before it
    assert "(72, 16 of them opened before the period)" in words and "resolved since" in words
    assert "opened before" not in backlog_words(5, 0)


def test_closed_complaints_with_no_closing_time_are_counted_not_dropped():
    # The CFPB sample, 21 Mar 2019 - 19 Mar 2020: 5,178 complaints, 56 open ("In progress"), 5,122
    # closed, and no closing date or first response in the export, no target anywhere. The cards read
    # "n = 0 resolved, 56 still open": 5,122 closed complaints were in neither count.
    summary = pd.Series({"complaints": 5_178, "customers_served": 0})
    quality = pd.Series(
        {"reopened": None, "reopened_n": 0, "escalated": None, "escalated_n": 0, "satisfied": None, "satisfaction_n": 0}
    )
    nan = float("nan")
    handling = pd.Series(
        {
            "complaints": 5_178,
            "responded_n": 0,
            "median_first_response_minutes": nan,
            "p90_first_response_minutes": nan,
            "first_response_within_target": 0,
            "targeted_first_n": 0,
            "awaiting_first_n": 56,
            "late_awaiting_first_n": 0,
            "resolved_n": 0,
            "median_resolution_minutes": nan,
            "p90_resolution_minutes": nan,
            "resolution_within_target": 0,
            "targeted_resolution_n": 0,
            "still_open_n": 56,
            "late_open_n": 0,
        }
    )
    tiles = {t.label: t for t in handling_tiles(headline(summary, handling, quality), handling, no_target=True)}
    resolution = tiles["Median resolution time"]
    assert resolution.value == "not recorded"
    assert resolution.n == "none resolved with a time recorded: 5,122 closed without one, 56 still open"  # 5,178 - 56
    assert tiles["Resolved within target"].value == "no target set"
    assert tiles["Resolved within target"].n == "no target is set for these complaints"
    # a store that records the times: nothing added (1,000 resolved + 20 open = 1,020)
    timed = pd.Series(
        {
            **handling,
            "resolved_n": 1_000,
            "median_resolution_minutes": 600.0,
            "complaints": 1_020,
            "still_open_n": 20,
            "awaiting_first_n": 20,
        }
    )
    timed_tiles = handling_tiles(headline(pd.Series({**summary, "complaints": 1_020}), timed, quality), timed)
    assert next(t.n for t in timed_tiles if t.label == "Median resolution time") == "n = 1,000 resolved, 20 still open"


def test_a_field_recorded_for_none_says_so():
    # CFPB: no "reopened" column at all; it read "0 of 0 complaints (not recorded for 5,178)"
    assert recorded_words(None, 0, 5_178) == "not in the export for these 5,178 complaints"
    assert recorded_words(12, 400, 520) == "12 of 400 complaints (not recorded for 120)"
    assert recorded_words(3, 10, 10) == "3 of 10 complaints"


def test_handled_words_put_the_untimed_first_when_none_is_timed():
    from servicequality.metrics.complaints import handled_words as words

    assert words(1200, "resolved", 56, "still open", 30) == (
        "n = 1,200 resolved, 56 still open; 30 closed with no time recorded"
    )
    # the CFPB's year: no closing date at all, 56 open
    assert words(0, "resolved", 56, "still open", 5122) == (
        "none resolved with a time recorded: 5,122 closed without one, 56 still open"
    )
    assert words(0, "resolved", 56, "still open", 0) == "n = 0 resolved, 56 still open"  # all of them open
    # none open: no "0 still open" (the CFPB's October 2019)
    assert words(0, "resolved", 0, "still open", 77) == "none resolved with a time recorded: 77 closed without one"
