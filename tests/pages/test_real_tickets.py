"""The real ticket exports through the pages: the CFPB sample's 67 categories in one readable Pareto,
Boston 311's first response that the export does not record, the handling chart's time axis, the
and the Rows page of a survey-only store.

Expected numbers come from the raw CSV files read with pandas, not from the store."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from servicequality import ingest
from servicequality.ui.navigation import PAGES
from tests.conftest import ROOT, SHARED_DATA, require_or_skip
from tests.ingest.test_import_boston311 import CHANNELS, _raw

pytestmark = pytest.mark.slow

CFPB = SHARED_DATA / "cfpb_complaints" / "complaints_sample.csv"
BOSTON = [
    SHARED_DATA / "boston311" / name
    for name in ("Equipment Repair.csv", "General Comments For a Program or Policy.csv")
]
SKYTRAX = SHARED_DATA / "skytrax_lounges" / "lounge.csv"
CFPB_YEAR = ["2019-03-21", "2020-03-19"]  # the CFPB store's default period: its last year
COMPLAINTS = next(p for p in PAGES if p.url_path == "complaints")
ROWS = next(p for p in PAGES if p.url_path == "rows")


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    for path in (CFPB, *BOSTON, SKYTRAX):
        require_or_skip(path.exists(), f"{path.name} is not in {SHARED_DATA}")
    folder = tmp_path_factory.mktemp("real")
    out = {"cfpb": folder / "cfpb.duckdb", "boston": folder / "boston.duckdb", "skytrax": folder / "skytrax.duckdb"}
    ingest.run_import("tickets", CFPB, ROOT / "mappings" / "cfpb_complaints.toml", out["cfpb"])
    for path in BOSTON:
        ingest.run_import("tickets", path, ROOT / "mappings" / "boston311.toml", out["boston"])
    ingest.run_import("surveys", SKYTRAX, ROOT / "mappings" / "skytrax_lounges.toml", out["skytrax"])
    return out


def open_page(monkeypatch, db, page, query=None) -> AppTest:
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page.path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def chart(at, key: str) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if key in c.proto.id)


def values(array) -> list:
    """A spec's array: numbers travel as base64 ("bdata"), text as a list."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def cfpb_issues() -> pd.Series:
    # the sample's two first lines are unzip's messages, then the header
    raw = pd.read_csv(CFPB, skiprows=2, dtype=str, keep_default_na=False)
    return raw["Issue"]


def test_the_cfpb_pareto_shows_the_vital_few_and_one_bar_for_the_rest(monkeypatch, stores):
    # pandas on the CSV, 21 Mar 2019 - 19 Mar 2020: 5,178 complaints in 67 issues; cumulative share
    # 78.9 % after the 9th (Communication tactics, 93), 80.5 % after the 10th: 10 vital few, + 3 =
    # 13 bars of issues (85.1 %, 4,407), then "Other 54 categories" with 5,178 - 4,407 = 771
    raw = pd.read_csv(CFPB, skiprows=2, dtype=str, keep_default_na=False)
    year = raw[raw["Date received"].between(*CFPB_YEAR)]
    counts = year["Issue"].value_counts()
    assert (len(year), len(counts)) == (5178, 67)
    at = open_page(monkeypatch, stores["cfpb"], COMPLAINTS, {"period": CFPB_YEAR})
    spec = chart(at, "complaints_pareto")
    bars = [t for t in spec["data"] if t["type"] == "bar"]
    assert {t["orientation"] for t in bars} == {"h"}
    # bars are traces per family: their order top to bottom is the y axis's
    by_label = {y: (x, row) for t in bars for y, x, row in zip(t["y"], values(t["x"]), t["customdata"], strict=True)}
    order = spec["layout"]["yaxis"]["categoryarray"]
    assert len(order) == len(by_label) == 14
    top = counts.sort_values(ascending=False).head(3)
    assert [by_label[y][1][0] for y in order[:3]] == list(top.index)  # Incorrect information ... 1,913
    assert [by_label[y][0] for y in order[:3]] == list(top)
    assert order[-1] == "Other 54 categories" and by_label[order[-1]][0] == 771
    assert by_label[order[-1]][1][-1] == ""  # no category to filter by
    line = next(t for t in spec["data"] if t["type"] == "scatter")
    assert round(values(line["x"])[-1], 6) == 100.0
    # readable at 390 px: two lines of at most 26 characters, whole names on hover. The commonest
    # issue takes two whole lines (it read "Incorrect information on y…" cut to one).
    axis = spec["layout"]["yaxis"]
    assert axis["tickvals"] == order
    lines = [text.split("<br>") for text in axis["ticktext"]]
    assert max(len(line) for label in lines for line in label) <= 26 and max(map(len, lines)) <= 2
    assert axis["ticktext"][0] == "Incorrect information on<br>your report"
    assert max(len(y) for t in bars for y in t["y"]) <= 26  # the bars' own labels: one line
    # the full list stays: every issue in the table under the chart, with its count
    table = next(d.value for d in at.dataframe if "Category" in d.value.columns)
    assert len(table) == 67
    assert dict(zip(table["Category"], table["Complaints"])) == counts.to_dict()
    assert "**10 of 67 categories** account for 80% of the complaints" in "\n".join(m.value for m in at.markdown)


def test_boston_first_response_is_not_recorded_and_the_time_axis_reads_in_words(monkeypatch, stores):
    # Boston 311 exports a closing time and a target date per request, no first response: pandas
    # finds no such column among the export's
    raw = pd.read_csv(BOSTON[0], dtype=str, nrows=5)
    assert not [c for c in raw.columns if "response" in c.lower()], list(raw.columns)
    at = open_page(monkeypatch, stores["boston"], COMPLAINTS, {"period": ["2010-01-01", "2025-12-31"]})
    cards = {m.label: m.value for m in at.metric}
    assert cards["Answered within target"] == "not recorded"
    assert cards["Median first response"] == "not recorded"
    assert cards["Resolved within target"].endswith(" %")  # resolution is recorded
    # nor does it record customers served: no rate to divide, not a dash
    assert cards["Complaints per 1,000 served"] == "not recorded"
    axis = chart(at, "complaints_resolution_vs_target")["layout"]["xaxis"]
    assert axis["type"] == "log" and len(axis["tickvals"]) >= 3
    assert all(word.split()[-1] in ("min", "h", "day", "days", "week", "year") for word in axis["ticktext"])
    # Each request carries its own target date: where a channel's complaints' deadlines differ the chart
    # marks no target, and a caption names those channels. Which they are, from the raw files: the
    # mapping's complaint titles and channel names, deadlines (TARGET_DT - OPEN_DT) that differ, and at
    # least one complaint closed (the chart's points are the resolved ones)
    # (the raw files as tests/ingest/test_import_boston311.py reads them: the mapping's kinds, dates)
    raw = pd.concat(_raw(path) for path in BOSTON)
    rows = raw[(raw["kind"] == "complaint") & raw["TARGET_DT"].notna()]
    rows = rows.assign(channel=rows["Source"].map(CHANNELS), deadline=rows["TARGET_DT"] - rows["OPEN_DT"])
    per_channel = rows.groupby("channel").agg(deadlines=("deadline", "nunique"), closed=("CLOSED_DT", "count"))
    differing = sorted(per_channel.index[(per_channel["deadlines"] > 1) & (per_channel["closed"] > 0)])
    assert differing  # Boston's phone complaints at least
    caption = next(c.value for c in at.caption if c.value.startswith("No target marker for"))
    assert caption.startswith(f"No target marker for {', '.join(differing)}:")
    # Boston records no priority (the mapping's constant "normal" on every request): no choice of one,
    # nor a word of it in the titles
    assert not at.radio, [r.label for r in at.radio]
    assert chart(at, "complaints_resolution_vs_target")["layout"]["title"]["text"].startswith(
        "Time to resolution against target"
    )
    assert "priority" not in chart(at, "complaints_resolution_vs_target")["layout"]["title"]["text"]


def test_the_rows_page_of_the_cfpb_leaves_out_what_its_last_year_does_not_record(monkeypatch, stores):
    # The sample's "Consumer disputed?" (escalated) is answered only until 2017 (pandas below); its
    # priority is the mapping's constant. In the default year neither says anything about a row.
    raw = pd.read_csv(CFPB, skiprows=2, dtype=str, usecols=["Date received", "Consumer disputed?"])
    answered = raw[raw["Consumer disputed?"].isin(["Yes", "No"])]
    assert len(answered) and answered["Date received"].max() < "2018"
    assert not raw[raw["Date received"].between(*CFPB_YEAR)]["Consumer disputed?"].isin(["Yes", "No"]).any()
    at = open_page(monkeypatch, stores["cfpb"], ROWS, {"period": CFPB_YEAR})
    columns = list(at.dataframe[0].value.columns)
    assert "Escalated" not in columns and "Priority" not in columns and "Category" in columns
    captions = " ".join(c.value for c in at.caption)
    assert "Not recorded in this period, so not shown: Escalated." in captions
    assert "Priority: Normal on every row here, so not shown." in captions
    # over the whole sample the answers of 2015-2017 are there: the column comes back
    whole = open_page(monkeypatch, stores["cfpb"], ROWS, {"period": ["2011-01-01", "2020-12-31"]})
    assert "Escalated" in whole.dataframe[0].value.columns


def test_the_rows_page_of_a_survey_only_store_opens_on_its_responses(monkeypatch, stores):
    at = open_page(monkeypatch, stores["skytrax"], ROWS, {"period": ["2010-01-01", "2025-12-31"]})
    assert at.segmented_control(key="rows").value == "responses"
    assert "Response" in at.dataframe[0].value.columns and len(at.dataframe[0].value) == 50  # a full page


def test_the_overview_of_boston_says_what_the_export_does_not_record(monkeypatch, stores):
    # the on-time tile read "no target set / 44 %" and the rate "–": neither first responses nor
    # customers served are in the export
    at = open_page(monkeypatch, stores["boston"], PAGES[0], {"period": ["2010-01-01", "2025-12-31"]})
    cards = {m.label: m.value for m in at.metric}
    # Then "not recorded / 44 %", cut to "not record…" in a quarter-width tile at 1440 px, and
    # rounded away from the Complaints page's 44.5 %: the one share Boston has, to the same decimal.
    assert "Answered / resolved on time" not in cards
    complaints = open_page(monkeypatch, stores["boston"], COMPLAINTS, {"period": ["2010-01-01", "2025-12-31"]})
    shown = {m.label: m.value for m in complaints.metric}["Resolved within target"]
    assert cards["Resolved on time"] == shown and shown.endswith(" %") and "." in shown
    # Boston's export gives no category: no Pareto of one 'Unmapped' bar, a sentence saying so
    assert any("Complaint category not recorded" in i.value for i in complaints.info)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in complaints.get("plotly_chart")]
    assert not any("Pareto" in t for t in titles), titles
    assert cards["Complaints per 1,000 served"] == "not recorded"


def test_explore_says_the_cfpb_records_no_resolution_time(monkeypatch, stores):
    # 6,551 of the sample's complaints are closed (pandas: "Company response to consumer" says how),
    # none with a time: "no complaints resolved" was wrong, "not recorded" is right
    explore_page = next(p for p in PAGES if p.url_path == "explore")
    query = {"period": CFPB_YEAR, "explore_measure": "Median resolution time (hours)"}
    at = open_page(monkeypatch, stores["cfpb"], explore_page, query)
    assert [i.value for i in at.info] == [
        "Not recorded: this store's exports give no resolution time for any complaint, so there is no median "
        "resolution time (hours)."
    ]


def test_skytraxs_reviews_without_an_airport_are_not_ranked_as_one(monkeypatch, stores):
    # the mapping files the reviews that name no airport under "Airport not given": no lounge to rank,
    # funnel or chart. pandas: 94 blank "airport" cells, 79 of them dated 2010 or later, each with a
    # rated item (1-5; 0 = not rated)
    raw = pd.read_csv(SKYTRAX, dtype=str)
    blank = raw[raw["airport"].isna() & (raw["date"] >= "2010")]
    items = [c for c in raw.columns if c.endswith("_rating") and c != "overall_rating"]
    rated = int((blank[items].apply(pd.to_numeric, errors="coerce") > 0).any(axis=1).sum())
    consistency_page = next(p for p in PAGES if p.url_path == "consistency")
    at = open_page(monkeypatch, stores["skytrax"], consistency_page, {"period": ["2010-01-01", "2016-12-31"]})
    for key in ("consistency_ranking", "consistency_funnel", "consistency_branches"):
        assert "Airport not given" not in json.dumps(chart(at, key)), key
    caption = next(c.value for c in at.caption if c.value.startswith("Left out of the comparisons below"))
    assert f"Airport not given ({rated:,} respondents)" in caption and rated == 79


def test_explore_opens_on_boston_by_its_departments(monkeypatch, stores):
    # Boston's nine departments are one region, "Boston": Explore opened on one bar "by region"
    explore_page = next(p for p in PAGES if p.url_path == "explore")
    at = open_page(monkeypatch, stores["boston"], explore_page, {"period": ["2010-01-01", "2025-12-31"]})
    assert at.selectbox(key="dim1").value == "branch"
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart"))
    assert "by branch" in spec["layout"]["title"]["text"].replace("<br>", " ")
    assert "dim1" not in at.query_params  # the store's default stays out of the link
