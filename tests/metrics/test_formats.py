"""Number formats shared by every page (issue 14, item 8)."""

import datetime as dt
import math

from servicequality.metrics import formats


def test_p_values_never_print_as_zero():
    assert formats.fmt_p(0.00001) == "< 0.001"
    assert formats.fmt_p(0.0432) == "0.043"
    assert formats.fmt_p(0.5) == "0.50"
    assert formats.fmt_p(math.nan) == "–"


def test_signed_changes_and_real_minus():
    assert formats.fmt_signed(-0.3) == "-0.30"  # st.metric reads the ASCII sign for its arrow
    assert formats.fmt_signed(1234.5, 1) == "+1,234.5"
    assert formats.minus("-0.34 and -1") == "−0.34 and −1"


def test_within_target_share_says_when_no_target_was_set():
    # Issue 14, item 10: 0 of 0 targeted complaints is not "0 %" nor a share at all.
    assert formats.fmt_within(0.8571, 700, 700) == "85.7 %"
    assert formats.fmt_within(math.nan, 0, 700) == "no target set"
    assert formats.fmt_within(math.nan, 0, 0) == "–"
    # none answered or resolved, and none of them has a target either (the CFPB store): say so
    assert formats.fmt_within(math.nan, 0, 0, no_target=True) == "no target set"
    # the export records no first response at all (Boston 311): not recorded, not a dash
    assert formats.fmt_within(math.nan, 0, 0, not_recorded=True) == "not recorded"
    # no target anywhere (the CFPB store, which records neither time): that is the reason to say
    assert formats.fmt_within(math.nan, 0, 0, no_target=True, not_recorded=True) == "no target set"


def test_kaplan_meier_times_say_not_reached_or_not_recorded():
    # Issue 14, item 1: a median the open complaints keep out of reach is not a number, and an
    # export without resolution times has none to show.
    assert formats.fmt_survival_minutes(901.8, 6539, 77314) == "15.0 h"
    assert formats.fmt_survival_minutes(math.nan, 4, 2) == "not reached"
    assert formats.fmt_survival_minutes(math.nan, 120, 0) == "not recorded"
    assert formats.fmt_survival_minutes(math.nan, 0, 0) == "–"


def test_plain_text_is_no_markdown():
    # every markdown character escaped, and a zero-width space (z) inside each bare address
    z = "\u200b"
    assert formats.plain("[Sign in](https://evil.example/x)") == rf"\[Sign in\]\(https\:{z}//evil\.example/x\)"
    assert formats.plain("WWW.evil.example a@b.example") == rf"WWW{z}\.evil\.example a{z}@b\.example"
    assert formats.plain("<b>x</b> :red[y] $z$") == r"\<b\>x\</b\> \:red\[y\] \$z\$"
    # letters, digits and spaces stay; line breaks become spaces; long text is cut
    assert formats.plain("Northern\nQuarter 7") == "Northern Quarter 7"
    assert formats.plain("x" * 200, limit=10) == "x" * 9 + "…"


def test_a_branch_is_named_the_same_way_on_every_page():
    import pandas as pd

    rows = pd.DataFrame(
        {"branch_id": ["B014", "Peer A", "גהה", "B9"], "branch_name": ["Harbour Street", "Peer A", "Geha", None]},
        index=[7, 3, 5, 1],  # a filtered frame keeps its index: the labels must land on their own rows
    )
    labels = formats.branch_labels(rows)
    assert labels.to_dict() == {7: "Harbour Street (B014)", 3: "Peer A", 5: "Geha (גהה)", 1: "B9"}


def test_compared_with_says_when_the_previous_period_holds_no_data():
    sep, oct1 = dt.date(2019, 9, 30), dt.date(2019, 10, 1)
    # the kiosk: all data on 1 Oct 2019, the previous period the day before
    assert (
        formats.compared_with(sep, sep, oct1)
        == "No changes are shown: the data start after the previous period (30 Sep 2019)"
    )
    assert formats.compared_with(sep, sep, None).startswith("No changes are shown")  # nothing dated
    # data from mid-September: the previous period holds part of them
    words = formats.compared_with(dt.date(2019, 9, 1), sep, dt.date(2019, 9, 16))
    assert words == "Changes compare with 01 Sep 2019 – 30 Sep 2019 (the data start on 16 Sep 2019)"
    # data from before: the plain sentence, and the detail only where there is a comparison
    words = formats.compared_with(dt.date(2019, 9, 1), sep, dt.date(2019, 1, 1), "; a detail")
    assert words == "Changes compare with 01 Sep 2019 – 30 Sep 2019; a detail"
    assert formats.compared_with(sep, sep, oct1, "; a detail").endswith("(30 Sep 2019)")
    # the first day of the previous period itself: the whole period is covered
    assert formats.compared_with(dt.date(2019, 9, 1), sep, dt.date(2019, 9, 1)) == (
        "Changes compare with 01 Sep 2019 – 30 Sep 2019"
    )


def test_an_unanswered_question_is_not_asked_only_where_the_store_never_had_it():
    assert formats.unanswered(0) == ("not asked", "not in this survey")
    assert formats.unanswered(1) == ("no answers", "none in this filter")


def test_one_period_asks_to_widen_only_where_the_store_holds_more():
    oct1, oct31 = dt.date(2019, 10, 1), dt.date(2019, 10, 31)
    # the kiosk: one day of data, so one month whatever the period
    assert formats.one_period(oct1, "month", oct1, oct1) == (
        "The store's data all fall in one month (October 2019): there is no trend to draw."
    )
    # a store from March to December: the filter's one month is not all there is
    words = formats.one_period(oct1, "month", dt.date(2019, 3, 1), dt.date(2019, 12, 9))
    assert words.startswith("All the data in this filter fall in one month (October 2019)")
    assert words.endswith("Widen the period to see one.")
    # quarters: 1 Oct and 31 Dec are one quarter (Q4), 30 Sep is Q3
    assert formats.one_period(oct31, "quarter", oct1, dt.date(2019, 12, 31)).startswith(
        "The store's data all fall in one quarter (2019 Q4)"
    )
    assert "Widen" in formats.one_period(oct31, "quarter", dt.date(2019, 9, 30), oct1)


def test_an_empty_below_the_network_list_says_why():
    # Skytrax: one airport with 30 or more reviews; it was "the one branch ... at or above the network's"
    assert formats.none_below_words(1, 30, "58.0 / 100", "an overall performance") == (
        "Only one branch has 30 or more responses: there is no other branch to compare it with."
    )
    assert formats.none_below_words(4, 30, "+0.10", "an overall gap") == (
        "No branch is below the network: each of the 4 branches with 30 or more responses has an overall gap "
        "at or above the network's +0.10."
    )


def test_partial_months_at_the_ends_of_a_monthly_chart_are_named():
    d = dt.date
    # the CFPB sample: data 21 Mar 2019 to 19 Mar 2020, the period a year from 21 Mar 2019
    assert formats.partial_months(d(2019, 3, 21), d(2020, 3, 19), d(2019, 3, 21), d(2020, 3, 19)) == (
        "Parts of months only: Mar 2019 from 21 Mar and Mar 2020 to 19 Mar. Their counts cover only those days."
    )
    # the hospital survey ends on 5 Apr 2017; a period of whole calendar years asks for all of 2017
    assert formats.partial_months(d(2016, 1, 1), d(2017, 12, 31), d(2015, 6, 1), d(2017, 4, 5)) == (
        "Part of a month only: Apr 2017 to 05 Apr. Its counts cover only those days."
    )
    # whole months (31 Dec, and 29 Feb of a leap year, are last days): nothing to say
    assert formats.partial_months(d(2024, 1, 1), d(2024, 2, 29), d(2020, 1, 1), d(2025, 1, 1)) is None
    assert formats.partial_months(d(2025, 1, 1), d(2025, 12, 31), d(2020, 1, 1), d(2026, 1, 1)) is None
    # one month cut at both ends
    assert formats.partial_months(d(2019, 10, 3), d(2019, 10, 20), d(2019, 1, 1), d(2020, 1, 1)) == (
        "Part of a month only: Oct 2019 from 03 Oct to 20 Oct. Its counts cover only those days."
    )


def test_period_coverage_says_how_much_of_a_period_has_no_data():
    d = dt.date
    # the demo's data end 31 Dec 2025: Dec 2025 - Feb 2026 is 31 + 31 + 28 = 90 days, 59 after the end
    assert formats.period_coverage(d(2025, 12, 1), d(2026, 2, 28), d(2023, 1, 1), d(2025, 12, 31)) == (
        "The store's data run from 01 Jan 2023 to 31 Dec 2025: 59 of this period's 90 days have none."
    )
    # the kiosk's one day in a year: 273 days before it (1 Jan - 30 Sep) and 91 after (2 Oct - 31 Dec)
    assert formats.period_coverage(d(2019, 1, 1), d(2019, 12, 31), d(2019, 10, 1), d(2019, 10, 1)) == (
        "The store's data run from 01 Oct 2019 to 01 Oct 2019: 364 of this period's 365 days have none."
    )
    # the CFPB's data end 19 Mar 2020: the second quarter holds none
    assert formats.period_coverage(d(2020, 4, 1), d(2020, 6, 30), d(2019, 3, 21), d(2020, 3, 19)) == (
        "The store's data run from 21 Mar 2019 to 19 Mar 2020: none fall in this period."
    )
    assert formats.period_coverage(d(2020, 1, 1), d(2020, 1, 31), d(2019, 3, 21), d(2020, 3, 19)) is None
    assert formats.period_coverage(d(2020, 1, 1), d(2020, 1, 31), None, None) is None


def test_a_signed_change_that_rounds_to_nothing_has_no_minus():
    assert formats.fmt_signed(-0.001) == "+0.00"  # was "-0.00", drawn with a down arrow
    assert formats.fmt_signed(-0.04, 1) == "+0.0"
    assert formats.fmt_signed(-0.05, 1) == "-0.1" and formats.fmt_signed(0.126) == "+0.13"
    assert formats.fmt_signed(-1234.5, 1) == "-1,234.5"


def test_the_caption_speaks_of_changes_only_where_a_card_can_show_one():
    change = formats.Tile("Reputation", "7.4 %", "n", "-3.9 pts vs previous")
    noise = formats.Tile("Return rate", "0.4 %", "n", "+0.0 pts (noise)")
    target = formats.Tile("Median resolution time", "28.0 days", "n", "target (median) 15.0 days", "off")
    unrecorded = formats.Tile("Complaints per 1,000 served", "not recorded", "n")
    words = "Changes compare with 01 Jan 2015 – 31 Jan 2015"
    assert formats.comparison_words([target, change], words) == f" {words}."
    assert formats.comparison_words([noise], words) == f" {words}."
    # the CFPB's October 2019: every card not recorded or a target, nothing that could change
    assert formats.comparison_words([target, unrecorded], words) == ""
    # why there are none is still said
    why = "No changes are shown: the data start after the previous period (01 Sep 2019 – 30 Sep 2019)"
    assert formats.comparison_words([unrecorded], why) == f" {why}."


def test_data_span_reads_each_engines_dates():
    import datetime as dt

    import pandas as pd

    # DuckDB gives dates, Spark (and a pandas column of them) timestamps; an empty store a null
    assert formats.data_span(dt.date(2024, 1, 1), dt.date(2024, 2, 29)) == (dt.date(2024, 1, 1), dt.date(2024, 2, 29))
    assert formats.data_span(pd.Timestamp("2023-12-30 00:00"), pd.Timestamp("2024-02-06")) == (
        dt.date(2023, 12, 30),
        dt.date(2024, 2, 6),
    )
    assert formats.data_span(None, None) is None
    assert formats.data_span(pd.NaT, pd.NaT) is None
    assert formats.data_span(float("nan"), float("nan")) is None
