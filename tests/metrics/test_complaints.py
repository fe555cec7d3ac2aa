"""metrics.complaints: what a complaint rate divides by under a selection."""

import datetime as dt

from servicequality.filters import Filters
from servicequality.metrics.complaints import RATE_LABEL, rate_scope

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
