"""Complaint chart builders, read back from the figure."""

import math

import pandas as pd
import pytest

from servicequality.charts import complaints as cc
from servicequality.charts.common import short_labels
from servicequality.metrics.complaints import within_target_by_channel

MONTHS = pd.to_datetime(["2015-01-01", "2015-02-01", "2015-03-01"])
BY_FAMILY = pd.DataFrame({"month": MONTHS, "family": ["service", "service", "product"], "complaints": [5, 7, 2]})


def test_monthly_complaints_without_customers_served_draw_one_panel_with_its_months():
    # No customers served recorded (CFPB, Boston 311): no rate, so no second panel, and the month
    # axis (shared with it before, its labels drawn under the empty panel as "Month -1 ... 6")
    # is the bars' own: one x axis, dated ticks, titled.
    empty = pd.DataFrame(columns=["month", "complaint_rate", "complaints", "customers_served"])
    fig = cc.monthly_complaints(BY_FAMILY, empty, title="t")
    axes = [k for k in fig.layout.to_plotly_json() if k.startswith("xaxis")]
    assert axes == ["xaxis"]
    assert fig.layout.xaxis.title.text == "Month" and fig.layout.xaxis.tickformat == "%b %Y"
    assert [t.type for t in fig.data] == ["bar", "bar"]
    assert [a.text for a in fig.layout.annotations] == ["Complaints by family"]
    # Boston 311: no complaint has a category, so no family: the panel is not "by family"
    unmapped = BY_FAMILY.assign(family="unmapped")
    assert [a.text for a in cc.monthly_complaints(unmapped, empty, title="t").layout.annotations] == ["Complaints"]


def test_monthly_complaints_with_rates_draw_both_panels():
    rates = pd.DataFrame(
        {"month": MONTHS, "complaint_rate": [1.5, 2.0, 0.5], "complaints": [5, 7, 2], "customers_served": [3, 3, 4]}
    )
    fig = cc.monthly_complaints(BY_FAMILY, rates, title="t")
    assert [t.type for t in fig.data] == ["bar", "bar", "scatter"]
    assert list(fig.data[2].y) == [1.5, 2.0, 0.5]
    assert fig.layout.xaxis2.title.text == "Month" and fig.layout.yaxis2.title.text == "Per 1,000 served"


# --- the Pareto of many categories (CFPB: 67 issues in the default period) --------------------


def _many(n: int) -> pd.DataFrame:
    # complaint_pareto rows: category Cnn with 100 - nn complaints (C01 99 ... C40 60), long names
    return pd.DataFrame(
        {
            "category": [f"C{i:02d} problem with a credit reporting company's investigation" for i in range(1, n + 1)],
            "family": ["service" if i % 2 else "product" for i in range(1, n + 1)],
            "component_key": ["reliability"] * n,
            "component_name": ["Reliability"] * n,
            "complaints": [100 - i for i in range(1, n + 1)],
        }
    )


def test_the_pareto_of_40_categories_draws_16_horizontal_bars_and_ends_at_100_percent():
    from servicequality.metrics.complaints import pareto_bars

    # 40 categories, 99 down to 60 (sum 40 x 159 / 2 = 3,180): 80% is 2,544; the first k sum
    # 99k - k(k-1)/2: 2,535 at k = 30, 2,604 at k = 31, so the vital few are 31; 31 + 3 is capped at
    # 15 bars of categories, and one bar sums the other 25 (C16..C40: 25 x (84 + 60) / 2 = 1,800)
    fig = cc.pareto(pareto_bars(_many(40)), title="t")
    bars = [t for t in fig.data if t.type == "bar"]
    assert {t.orientation for t in bars} == {"h"}
    labels = [y for t in bars for y in t.y]
    assert len(labels) == 16
    other = bars[-1]
    assert list(other.y) == ["Other 25 categories"] and list(other.x) == [1800]
    assert other.customdata[0][-1] == ""  # a click on it filters by nothing
    assert bars[0].customdata[0][-1] == "C01 problem with a credit reporting company's investigation"
    line = next(t for t in fig.data if t.type == "scatter")
    assert line.xaxis == "x2" and round(line.x[-1], 6) == 100.0
    # 99 / 3,180 = 3.11 % after the first bar
    assert round(line.x[0], 2) == 3.11
    # labels a 390 px phone can hold, all different, the whole name on hover
    assert max(len(y) for y in labels) <= 26 and len(set(labels)) == 16
    assert fig.layout.yaxis.autorange == "reversed"


def test_short_labels_stay_distinct():
    labels = pd.Series(["Problem with a purchase shown on statement", "Problem with a purchase shown on bill", "Fees"])
    assert short_labels(labels, 20) == ["Problem with a purc…", "Problem with a purc… (2)", "Fees"]


# --- the log time axis against the target --------------------------------------------------------


def test_duration_ticks_in_words_for_boston_like_resolution_times():
    # target 21,000 min (14.6 days), median 46,000 (31.9 days), p90 150,000 (104 days): from the
    # last tick at or below 21,000 (1 week = 10,080) to the first at or above 150,000 (1 year =
    # 525,600): 1 week, 30 days, 90 days, 1 year
    values, words, bounds = cc.duration_ticks([21_000, 46_000, 150_000])
    assert values == [10_080, 43_200, 129_600, 525_600]
    assert words == ["1 week", "30 days", "90 days", "1 year"]
    assert 10 ** bounds[0] < 10_080 and 10 ** bounds[1] > 525_600


def test_duration_ticks_keep_the_round_ones_over_a_wide_range():
    # 2 min to 4,000 min: 1 min ... 3 days is 7 ticks, more than 5: the round ones, 1 min, 1 h, 1 day
    values, words, _ = cc.duration_ticks([2, 40, 4_000])
    assert words == ["1 min", "1 h", "1 day"] and values == [1, 60, 1_440]


def test_handling_against_target_labels_its_log_axis_in_words():
    df = pd.DataFrame(
        {
            "channel": ["Phone", "Web"],
            "median_resolution_minutes": [46_000.0, 30_000.0],
            "p90_resolution_minutes": [150_000.0, 90_000.0],
            "resolution_target": [21_000.0, 21_000.0],
            "resolved_n": [10, 50],
        }
    )
    fig = cc.handling_vs_target(df, stage="resolution", title="t")
    axis = fig.layout.xaxis
    assert axis.type == "log"
    assert list(axis.ticktext) == ["1 week", "30 days", "90 days", "1 year"]
    assert list(axis.tickvals) == [10_080, 43_200, 129_600, 525_600]


def test_handling_against_target_without_a_target_keeps_its_ticks():
    # no target set: the target column is a nullable integer of missing values (pd.NA), which
    # raised "float() argument must be ... not 'NAType'"; the times alone set the ticks: 1 min
    # (the last at or below 1) to 4 h (the first at or above 200): 1, 5, 15 min, 1 h, 4 h
    df = pd.DataFrame(
        {
            "channel": ["Phone", "Email"],
            "median_first_response_minutes": [1.0, 30.0],
            "p90_first_response_minutes": [10.0, 200.0],
            "first_response_target": pd.array([None, None], dtype="Int64"),
            "responded_n": [30, 20],
        }
    )
    fig = cc.handling_vs_target(df, stage="first_response", title="t")
    assert list(fig.layout.xaxis.ticktext) == ["1 min", "5 min", "15 min", "1 h", "4 h"]


def test_handling_against_target_hovers_a_time_in_words():
    # Phone's median 46,151.3 min / 1,440 = 32.05 days; Web's 300 min / 60 = 5.0 h; Web's target
    # 45 min stays minutes; Phone's target is not set (pd.NA): "–"
    df = pd.DataFrame(
        {
            "channel": ["Web", "Phone"],
            "median_resolution_minutes": [300.0, 46_151.3],
            "p90_resolution_minutes": [2_000.0, 150_000.0],
            "resolution_target": pd.array([45, None], dtype="Int64"),
            "resolved_n": [15, 1_234],
        }
    )
    fig = cc.handling_vs_target(df, stage="resolution", title="t")
    target, median, p90 = fig.data  # sorted by channel: Phone, Web
    assert [list(row) for row in median.customdata] == [[1_234, "32.0 days"], [15, "5.0 h"]]
    assert [row[1] for row in target.customdata] == ["–", "45 min"]
    # 150,000 / 1,440 = 104.2 days; 2,000 / 60 = 33.3 h
    assert [row[1] for row in p90.customdata] == ["104.2 days", "33.3 h"]
    assert " min<br>" not in median.hovertemplate and "%{customdata[1]}" in median.hovertemplate


def test_handling_against_target_leaves_out_the_90th_percentile_of_a_few_complaints():
    # Boston's Social media: one complaint, so its "90th percentile" was its only time, drawn over the
    # median (12,000 min). Under 10 handled complaints the diamond is left out and the legend says so.
    # A channel of 12 whose median equals its 90th percentile (9,000 min) keeps both: the diamond is
    # an outline larger than the circle, so the median shows inside it.
    df = pd.DataFrame(
        {
            "channel": ["Social media", "Phone"],
            "median_resolution_minutes": [12_000.0, 9_000.0],
            "p90_resolution_minutes": [12_000.0, 9_000.0],
            "resolution_target": pd.array([None, 4_320], dtype="Int64"),
            "resolved_n": [1, 12],
        }
    )
    target, median, p90 = cc.handling_vs_target(df, stage="resolution", title="t").data
    assert median.marker.symbol == "circle" and p90.marker.symbol == "diamond-open"
    assert p90.marker.size > median.marker.size and p90.marker.line.width > 0
    # sorted by channel: Phone, Social media
    assert p90.x[0] == median.x[0] == 9_000.0 and math.isnan(p90.x[1]) and median.x[1] == 12_000.0
    assert p90.name == "90th percentile (channels of 10 or more)"
    assert "90th percentile %{customdata[1]}" in p90.hovertemplate
    every = df.assign(resolved_n=[10, 12])  # 10 is enough: the plain name
    assert cc.handling_vs_target(every, stage="resolution", title="t").data[2].name == "90th percentile"


def test_within_target_bars_leave_out_a_share_nothing_was_judged_for():
    # Boston 311 records no first response: its legend listed 'First response within target' with no
    # bar, and Social media's 100 % (1 of 1) looked like City staff's 50 % (1 of 2) and Phone's.
    df = pd.DataFrame(
        {
            "channel": ["Phone", "City staff", "Social media"],
            "first_pct": [None, None, None],
            "first_n": [0, 0, 0],
            "resolution_pct": [44.5, 50.0, 100.0],
            "resolution_n": [2877, 2, 1],
        }
    )
    fig = cc.within_target_bars(df, title="t")
    assert [t.name for t in fig.data] == ["Resolved within target"]
    assert list(fig.data[0].x) == ["City staff", "Phone", "Social media"]  # a click filters by the channel
    assert list(fig.layout.xaxis.ticktext) == ["City staff<br>n 2", "Phone<br>n 2,877", "Social media<br>n 1"]
    both = df.assign(first_pct=[90.0, 80.0, 70.0], first_n=[10, 5, 1])
    assert len(cc.within_target_bars(both, title="t").data) == 2


def test_within_target_bars_draw_each_share_with_its_interval():
    # Wilson 95% intervals (metrics.within_target_by_channel): Social media 1 of 1 is 100 % with a low
    # end of 1 / (1 + 1.96²) = 20.65 %; the whisker reaches down from the bar by 79.35 points.
    by_channel = within_target_by_channel(
        pd.DataFrame(
            {
                "channel": ["Phone", "Social media"],
                "targeted_first_n": [0, 0],
                "first_response_within_target": [0, 0],
                "targeted_resolution_n": [2_877, 1],
                "resolution_within_target": [1_280, 1],
            }
        )
    )
    social = by_channel.set_index("channel").loc["Social media"]
    assert social["resolution_pct"] == 100.0
    assert social["resolution_low"] == pytest.approx(100 / (1 + 1.959964**2), abs=1e-3)
    assert social["resolution_high"] == pytest.approx(100.0)
    fig = cc.within_target_bars(by_channel, title="t")
    (bars,) = fig.data
    assert bars.error_y.arrayminus[1] == pytest.approx(100 - social["resolution_low"])
    # Phone: 1,280 of 2,877 = 44.49 %, a narrow interval (about ±1.8 points)
    assert bars.error_y.array[0] + bars.error_y.arrayminus[0] < 4


def test_channel_bars_list_only_the_families_complaints_have():
    # Boston 311: every complaint without a category; the legend listed Service and Product too
    df = pd.DataFrame(
        {"channel": ["Phone", "Social media"], "complaints": [2882, 1], "product_complaints": [0, 0]}
        | {"service_complaints": [0, 0], "tickets": [3000, 5]}
    )
    assert [t.name for t in cc.channel_bars(df, title="t").data] == ["Unmapped"]
    mixed = df.assign(service_complaints=[10, 1])  # Phone: 10 service, 2,872 unmapped
    assert [t.name for t in cc.channel_bars(mixed, title="t").data] == ["Service", "Unmapped"]
