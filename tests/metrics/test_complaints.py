"""metrics.complaints: what a complaint rate divides by under a selection; whether any complaint
has a target; the Pareto's sentence."""

import datetime as dt

import pandas as pd

from servicequality.filters import Filters
from servicequality.metrics.complaints import (
    RATE_LABEL,
    VitalFew,
    no_target_set,
    rate_scope,
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
