"""The Complaints and Branch consistency pages, and the branch manager view, under AppTest.

Filters come from URL parameters in a fresh AppTest each time (see tests/test_pages.py for why).
Bound selectboxes carry their displayed label in the URL: my_branch=Alpha (B1).
"""

import json

import pytest
from streamlit.testing.v1 import AppTest

from servicequality.ui.navigation import PAGES
from tests.conftest import ROOT

COMPLAINTS = next(p for p in PAGES if p.url_path == "complaints")
CONSISTENCY = next(p for p in PAGES if p.url_path == "consistency")
OVERVIEW = PAGES[0]
FIXTURE_PERIOD = {"period": ["2024-01-01", "2024-02-29"]}
COMPLAINT_RATE = "Complaints per 1,000 customers served"  # the measure selectbox's label for complaint_rate


def open_app(monkeypatch, db, page=None, query=None) -> AppTest:
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None and page is not OVERVIEW:
        at.switch_page(page.path).run()
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def assert_clean(at, title, axes=True):
    """No exception or error box; every chart titled; on our pages every axis titled too (the
    overview's charts are not ours: only their titles are checked)."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == title
    for spec in specs(at):
        layout = spec["layout"]
        assert layout["title"]["text"], "every chart has a title"
        if not axes:
            continue
        # every y axis has a title; x axes shared by stacked panels need it only once
        axes_titles = {name: axis.get("title", {}).get("text") for name, axis in layout.items() if name[1:5] == "axis"}
        assert all(t for n, t in axes_titles.items() if n.startswith("y")), (layout["title"]["text"], axes_titles)
        assert any(t for n, t in axes_titles.items() if n.startswith("x")), (layout["title"]["text"], axes_titles)


def test_complaints_page_key_numbers_on_fixture(monkeypatch, fixture_db_path):
    at = open_app(monkeypatch, fixture_db_path, COMPLAINTS, FIXTURE_PERIOD)
    assert_clean(at, "Complaints")
    values = metrics(at)
    # 4 complaints / 1,000 served; T2 reopened and escalated (1 of 4); satisfied 2 of 3 scored (4, 2, 5)
    assert values["Complaints per 1,000 served"] == "4.00"
    assert values["Reopened"] == "25.0 %"
    assert values["Escalated"] == "25.0 %"
    assert values["Satisfied with handling"] == "66.7 %"
    # answered within target: T1, T5 of 4; resolved within target: T1, T5 of 4 (T3 still open
    # at 1,800 min, past its 1,440: late)
    assert values["Answered within target"] == "50.0 %"
    assert values["Resolved within target"] == "50.0 %"
    assert values["Median first response"] == "1 min"  # Kaplan-Meier: S 1/2 after 1 min
    assert values["Median resolution time"] == "12.0 h"
    assert "n = 4 with a target, 1 of them still open past it (late)" in [c.value for c in at.caption]
    assert "Open backlog at 29 Feb 2024: 1 complaints" in markdown(at)
    titles = [s["layout"]["title"]["text"].replace("<br>", " ") for s in specs(at)]
    assert "Complaint categories, most frequent first (Pareto)" in titles
    assert "Complaints per 1,000 customers served, by region" in titles


def test_the_pareto_sentence_for_one_and_two_selected_categories(monkeypatch, fixture_db_path):
    # In the period, Attitude is T1 alone (T7 is 2023) and Delivery T2 alone: "1 of 1 categories
    # account for 80%" was the sentence for one category.
    at = open_app(monkeypatch, fixture_db_path, COMPLAINTS, {**FIXTURE_PERIOD, "category": ["Attitude"]})
    assert_clean(at, "Complaints")
    assert "**One category** holds the only complaint (Attitude)." in markdown(at)
    assert "1 of 1" not in markdown(at)
    # one each: the first is 50 %, so both are needed to reach 80 %
    at = open_app(monkeypatch, fixture_db_path, COMPLAINTS, {**FIXTURE_PERIOD, "category": ["Attitude", "Delivery"]})
    assert_clean(at, "Complaints")
    assert "**Both categories** are needed to account for 80% of the complaints" in markdown(at)


def test_consistency_page_on_fixture(monkeypatch, fixture_db_path):
    at = open_app(monkeypatch, fixture_db_path, CONSISTENCY, {**FIXTURE_PERIOD, "measure": COMPLAINT_RATE})
    assert_clean(at, "Branch consistency")
    values = metrics(at)
    # network: 4 complaints / 1,000 customers served
    assert values["Network"] == "4.00"
    # the measure under the card's value: in its label it was cut on a quarter-width card
    assert "Complaints per 1,000 served; n = 1,000 customers served" in [c.value for c in at.caption]
    assert values["Outside 99.8% limits"] == "0 of 3"
    assert any("Funnel plot" in s.value for s in at.subheader)
    titles = [s["layout"]["title"]["text"].replace("<br>", " ") for s in specs(at)]
    assert any("against volume, with 95% and 99.8% limits" in t for t in titles)


def test_consistency_page_default_measure_on_fixture(monkeypatch, fixture_db_path):
    at = open_app(monkeypatch, fixture_db_path, CONSISTENCY, FIXTURE_PERIOD)
    assert_clean(at, "Branch consistency")
    # survey gap: respondent gaps −0.25, −0.5, 0.25, −1.5 -> network mean −0.5
    assert metrics(at)["Network"] == "-0.50"
    # the Kruskal-Wallis sentence (H = 2.7 by hand in test_queries_complaints)
    assert "H = 2.7" in markdown(at)


@pytest.mark.parametrize("page", [OVERVIEW, COMPLAINTS, CONSISTENCY], ids=lambda p: p.url_path)
def test_my_branch_from_the_url(monkeypatch, fixture_db_path, page):
    at = open_app(monkeypatch, fixture_db_path, page, {**FIXTURE_PERIOD, "my_branch": "Alpha (B1)"})
    assert_clean(at, page.title, axes=page is not OVERVIEW)
    filters = at.session_state["filters"]
    assert (filters.my_branch, filters.peers) == ("B1", "region")
    values = metrics(at)
    # B1: 2 complaints / 300 served = 6.67 per 1,000; peers in North without B1: B2 1 / 300 = 3.33
    assert values["My complaint rate"] == "6.67"
    card = next(m for m in at.metric if m.label == "My complaint rate")
    assert card.delta == "+3.33 vs peers"
    assert "against its peers (same region: North, 1 branches)" in markdown(at)


def test_overview_keeps_its_numbers_with_my_branch(monkeypatch, fixture_db_path):
    at = open_app(
        monkeypatch, fixture_db_path, OVERVIEW, {**FIXTURE_PERIOD, "my_branch": "Alpha (B1)", "peers": "Same size band"}
    )
    assert_clean(at, "Executive overview", axes=False)
    values = metrics(at)
    assert values["Complaints per 1,000 served"] == "4.00"
    assert values["SERVQUAL score (unweighted)"] == "-0.50"
    # size band Small: B2 is the only peer; CSAT B1 1 of 2 = 50 %, B2 1 of 1
    assert at.session_state["filters"].peers == "size"
    assert values["My CSAT"] == "50.0 %"


def test_no_my_branch_shows_a_hint_not_a_strip(monkeypatch, fixture_db_path):
    at = open_app(monkeypatch, fixture_db_path, OVERVIEW, FIXTURE_PERIOD)
    assert not any(m.label.startswith("My ") for m in at.metric)
    assert any("Choose **My branch**" in c.value for c in at.caption)


@pytest.mark.slow
def test_complaints_page_on_demo(monkeypatch, demo_db_path):
    at = open_app(monkeypatch, demo_db_path, COMPLAINTS, {"my_branch": "Corn Exchange (B007)"})
    assert_clean(at, "Complaints")
    assert len(specs(at)) >= 10
    for spec in specs(at):
        assert any(len(t.get("x") or t.get("y") or []) for t in spec["data"]), spec["layout"]["title"]["text"]


@pytest.mark.slow
def test_consistency_page_on_demo_names_the_planted_outliers(monkeypatch, demo_db_path):
    query = {"period": ["2023-01-01", "2025-12-31"], "measure": COMPLAINT_RATE, "my_branch": "Hillside (B008)"}
    at = open_app(monkeypatch, demo_db_path, CONSISTENCY, query)
    assert_clean(at, "Branch consistency")
    text = markdown(at)
    worse = next(line for line in text.splitlines() if line.startswith("**Worse than the network"))
    better = next(line for line in text.splitlines() if line.startswith("**Better than the network"))
    # planted: B007 and B043 high_complaints, B008 and B048 low_complaints
    assert "(B007)" in worse and "(B043)" in worse
    assert "(B008)" in better and "(B048)" in better
    assert metrics(at)["Outside 99.8% limits"] == "4 of 48"
    assert len(specs(at)) >= 6
