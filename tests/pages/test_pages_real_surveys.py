"""Branch consistency on the real Skytrax airport-lounge reviews (../shared/data): 193 airports in
2010-2015, most with a handful of reviews. The intervals of the branches' 0-100 performance stay
on the scale, and the dot plot draws only the branches with the sidebar's minimum responses."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from servicequality import ingest
from servicequality.metrics import explore
from tests.conftest import ROOT, SHARED_DATA, require_or_skip

pytestmark = pytest.mark.slow

LOUNGES = SHARED_DATA / "skytrax_lounges" / "lounge.csv"
PERIOD = ["2010-01-01", "2015-08-02"]  # to the last review (a later end falls back to the last year)

# Counted from lounge.csv with pandas, not through the store: reviews dated 2010 on with at least
# one of the seven aspects rated (1-5; 0 = not rated), per airport: 192 airports named, 175 with
# fewer than 30 reviews, 113 with fewer than 5, 64 with 1. The 79 reviews with a blank airport (the
# mapping's "Airport not given") are no branch to compare: the Consistency page leaves them out.
AIRPORTS, BELOW_30, BELOW_5 = 192, 175, 113


@pytest.fixture(scope="module")
def lounges(tmp_path_factory):
    require_or_skip(LOUNGES.exists(), f"the real export {LOUNGES} is missing")
    db = tmp_path_factory.mktemp("lounges") / "lounges.duckdb"
    ingest.run_import("surveys", LOUNGES, ROOT / "mappings" / "skytrax_lounges.toml", db)
    return db


def open_page(monkeypatch, db, page: str, **query) -> AppTest:
    """`page` of the store `db` with the link's `query` (period: PERIOD unless given; None: the
    default), with no exception and no error box."""
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in ({"period": PERIOD} | query).items():
        if value is not None:
            at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def open_consistency(monkeypatch, db, **query) -> AppTest:
    return open_page(monkeypatch, db, "consistency", **query)


def dot_plot(at) -> dict:
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(c for c in charts if "by branch, best" in c["layout"]["title"]["text"].replace("<br>", " "))


def test_intervals_of_branches_with_two_reviews_stay_between_0_and_100(monkeypatch, lounges):
    # Before: Hannover Airport's 2 reviews (44.8 ± 12.7 · 57.5/√2) gave −471 to 561.
    at = open_consistency(monkeypatch, lounges, min_n="2")
    trace = dot_plot(at)["data"][0]
    n, low, high = zip(*[(row[0], row[1], row[2]) for row in trace["customdata"]], strict=True)
    assert min(low) >= 0 and max(high) <= 100, (min(low), max(high))
    assert min(n) == 2 and len(n) == AIRPORTS - 64  # the 64 airports of one review left out


@pytest.mark.parametrize("min_n,left_out", [(None, BELOW_30), ("5", BELOW_5)])
def test_the_dot_plot_draws_only_branches_with_the_minimum_responses(monkeypatch, lounges, min_n, left_out):
    at = open_consistency(monkeypatch, lounges, **({"min_n": min_n} if min_n else {}))
    minimum = int(min_n or 30)
    trace = dot_plot(at)["data"][0]
    n = [row[0] for row in trace["customdata"]]
    assert len(n) == AIRPORTS - left_out and min(n) >= minimum
    captions = " ".join(c.value for c in at.caption)
    assert f"{left_out} branches with fewer than {minimum} respondents (the sidebar's minimum responses)" in captions


def test_explore_csat_by_month_keeps_time_order_and_names_the_answers_left_out(monkeypatch, lounges):
    # Counted from lounge.csv with pandas: 1,940 reviews in PERIOD answer overall satisfaction, 119
    # of them dated 2015-06-09 on, when Skytrax asked it on 1-10: CSAT (4-5 of 5) cannot count them.
    # the link holds the labels
    link = {"explore_measure": explore.MEASURES["csat"].label, "dim1": explore.DIMENSIONS["month"].label}
    at = open_page(monkeypatch, lounges, "explore", **link)
    captions = " ".join(c.value for c in at.caption)
    assert "119 of the 1,940 answers in this filter were on 1-10" in captions
    months = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]["categoryarray"]
    order = [pd.Timestamp(dt.datetime.strptime(m, "%b %Y")) for m in months]
    assert order == sorted(order) and len(order) == len(set(order)), months


def test_the_overview_compares_overall_satisfaction_with_the_previous_year(monkeypatch, lounges):
    # Worked out with pandas from lounge.csv: overall_rating on 1-5 (1-10 from 2015-06-09) as 0-100;
    # 03 Aug 2014 - 02 Aug 2015 (the default: the data's last year) 539 answers, mean 50.23, sd 33.28;
    # the year before 403, mean 55.52, sd 30.01: -5.29, Welch z = -2.55, p = 0.011.
    at = open_page(monkeypatch, lounges, "overview", period=None)
    card = next(m for m in at.metric if m.label == "Overall satisfaction (0-100)")
    assert (card.value, card.proto.delta) == ("50.2", "-5.3 vs previous")
    assert "p = 0.011: beyond sampling noise" in card.proto.help
