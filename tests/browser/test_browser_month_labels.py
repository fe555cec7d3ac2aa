"""Every month of a monthly chart keeps its label in a real Chromium.

plotly turns crowded date labels 30° and hides one that would cross the chart's edge: with a 10 px
right margin the last month ('Dec 2015', Boston's Complaints page at 1440 px) went unlabelled
(charts.common.layout now leaves MONTH_LABEL_ROOM). The chart is drawn by plotly.js itself, from the
figure the page would send, at the width of a half column at 1440 px and of a phone.
"""

import pandas as pd
import plotly.io as pio
import pytest

from servicequality.charts import complaints as cc
from tools import browser

pytestmark = pytest.mark.browser

LABELS = "() => [...document.querySelectorAll('.xtick text')].map(t => [t.textContent, getComputedStyle(t).display])"


@pytest.fixture(scope="module")
def context(chromium_path):
    with browser.chromium(chromium_path, width=700, height=700) as ctx:
        yield ctx


@pytest.mark.parametrize("width", [560, 350])
def test_the_last_month_is_labelled(context, width):
    months = pd.date_range("2015-01-01", "2015-12-01", freq="MS")
    # Boston 311's complaints by month in 2015 (Complaints page), one family
    by_family = pd.DataFrame(
        {
            "month": months,
            "family": "service",
            "complaints": [240, 870, 240, 240, 160, 165, 180, 265, 200, 125, 115, 85],
        }
    )
    rates = pd.DataFrame(columns=["month", "complaint_rate", "complaints", "customers_served"])
    fig = cc.monthly_complaints(by_family, rates, title="Complaints month by month")
    page = context.new_page()
    try:
        page.set_content(pio.to_html(fig, include_plotlyjs=True, full_html=True, default_width=f"{width}px"))
        page.wait_for_selector(".xtick text")
        labels = page.evaluate(LABELS)
    finally:
        page.close()
    assert [text for text, _ in labels] == [f"{m:%b %Y}" for m in months]
    hidden = [text for text, display in labels if display == "none"]
    assert hidden == [], f"unlabelled at {width} px: {hidden}"
