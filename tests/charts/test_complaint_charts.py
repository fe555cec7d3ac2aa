"""Complaint chart builders, read back from the figure."""

import pandas as pd

from servicequality.charts import complaints as cc

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


def test_monthly_complaints_with_rates_draw_both_panels():
    rates = pd.DataFrame(
        {"month": MONTHS, "complaint_rate": [1.5, 2.0, 0.5], "complaints": [5, 7, 2], "customers_served": [3, 3, 4]}
    )
    fig = cc.monthly_complaints(BY_FAMILY, rates, title="t")
    assert [t.type for t in fig.data] == ["bar", "bar", "scatter"]
    assert list(fig.data[2].y) == [1.5, 2.0, 0.5]
    assert fig.layout.xaxis2.title.text == "Month" and fig.layout.yaxis2.title.text == "Per 1,000 served"
