"""The components and gaps pages under AppTest, on the tiny fixture and on the demo database,
and the demo's gaps against an independent computation from the raw item scores."""

import base64
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from servicequality import store
from servicequality.filters import Filters
from servicequality.metrics import servqual
from servicequality.stats import servqual as servqual_stats
from servicequality.ui.navigation import PAGES
from servicequality.ui.widgets import WIDE_PREFIX
from tests import fixture_db
from tests.conftest import ROOT

COMPONENTS = next(p for p in PAGES if p.path == "pages/components.py")
GAPS = next(p for p in PAGES if p.path == "pages/gaps.py")
FIXTURE_QUERY = {"period": ["2024-01-01", "2024-02-29"]}
DEMO_QUERY = {"period": ["2025-01-01", "2025-12-31"]}


def open_page(monkeypatch, db, page, query) -> AppTest:
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page.path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == page.title
    return at


def specs(at) -> dict[str, dict]:
    """Plotly specs by chart title."""
    out = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        out[spec["layout"]["title"]["text"].replace("<br>", " ")] = spec
    return out


def values(array) -> list:
    """A plotly array from a spec: a plain list, or numpy's typed-array encoding."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def all_titled(at) -> None:
    for spec in specs(at).values():
        assert spec["layout"]["title"]["text"]
        assert any(t.get("x") is not None or t.get("z") is not None for t in spec["data"]), "chart without data"


def heatmap_texts(at) -> list[str]:
    heat = [s for s in specs(at).values() if any(t["type"] == "heatmap" for t in s["data"])]
    assert len(heat) == 1
    return [cell for trace in heat[0]["data"] if trace["type"] == "heatmap" for row in trace["text"] for cell in row]


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def wide_chart_titles(at, key: str) -> list[str]:
    """Titles of the charts drawn by ui.chart(key=key, wide=True): inside the container whose key
    is WIDE_PREFIX + key, which keeps a readable width on a phone and scrolls sideways there."""

    def nodes(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from nodes(child)

    boxes = [n for n in nodes(at.main) if getattr(n.proto, "id", "").endswith("-" + WIDE_PREFIX + key)]
    return [
        json.loads(n.proto.spec)["layout"]["title"]["text"].replace("<br>", " ")
        for box in boxes
        for n in nodes(box)
        if n.type == "plotly_chart"
    ]


# --- the tiny fixture --------------------------------------------------------------------------------


def test_components_page_on_fixture(monkeypatch, fixture_db_path):
    at = open_page(monkeypatch, fixture_db_path, COMPONENTS, FIXTURE_QUERY)
    all_titled(at)
    table = at.dataframe[0].value.set_index("Component")
    # test_queries.py: reliability gap -0.75 (P 5.625, E 6.375), tangibles -0.25; sorted by gap
    assert table.index.tolist() == ["Reliability", "Tangibles"]
    assert table.loc["Reliability", "Gap (P − E)"] == pytest.approx(-0.75)
    assert table.loc["Reliability", "Mean perception"] == pytest.approx(5.625)
    assert table.loc["Tangibles", "n"] == 4
    formats = {
        k: v["type_config"]["format"]
        for k, v in json.loads(at.dataframe[0].proto.columns).items()
        if "type_config" in v
    }
    assert formats["n"] == "localized" and formats["Gap (P − E)"] == "%.2f"  # "1,032", not "1032"
    # alpha 0.558 (test_servqual.py), flagged below 0.70
    assert any("Reliability (α = 0.56, 2 items)" in w.value for w in at.warning)
    # no branch filter: the page offers a branch, the first is Alpha (B1)
    assert "Alpha (B1) against the whole network" in specs(at)
    # courtesy draws 2 of 4 complaints but nobody scored it; reliability 1 of 4 (25%) with gap -0.75
    assert "How is this computed?" in [e.label for e in at.expander]


def test_components_page_compares_the_filtered_region_with_the_network(monkeypatch, fixture_db_path):
    at = open_page(monkeypatch, fixture_db_path, COMPONENTS, {**FIXTURE_QUERY, "region": "North"})
    spec = specs(at)["Filtered: region North against the whole network"]
    network, selection = spec["data"]
    # network = all four respondents: reliability -0.75; North = R1, R2, R3: -1
    rel = selection["y"].index("Reliability")
    assert values(network["x"])[rel] == pytest.approx(-0.75)
    assert values(selection["x"])[rel] == pytest.approx(-1.0)


def test_gaps_page_on_fixture(monkeypatch, fixture_db_path):
    at = open_page(monkeypatch, fixture_db_path, GAPS, {**FIXTURE_QUERY, "min_n": "2"})
    all_titled(at)
    metrics = {m.label: m.value for m in at.metric}
    # unweighted (-0.75 + -0.25) / 2 = -0.5; weighted 0.675 · -0.75 + 0.325 · -0.25 = -0.5875
    assert metrics["SERVQUAL score (unweighted)"] == "−0.50"
    assert metrics["SERVQUAL score (weighted by importance)"] == "−0.62"  # −0.625, tests/metrics/test_overview.py
    # min_n 2: B1 (n = 2) cells coloured, B2 and B3 (n = 1) suppressed
    texts = heatmap_texts(at)
    assert "−1.25<br>n = 2" in texts
    assert texts.count("n = 1") == 4  # a suppressed cell shows its n only, never a gap
    # paired t test in words: t = -2.32, df 3, p = 0.103
    assert "Reliability does not differ clearly from expectations (gap −0.75, p = 0.10, n = 4)" in markdown(at)
    # zone of tolerance over R1, R2: tangibles perceived 5 above the desired 4.5
    assert "**Above the desired level:** Tangibles" in markdown(at)


def test_gaps_page_suppresses_every_cell_below_the_default_minimum(monkeypatch, fixture_db_path):
    at = open_page(monkeypatch, fixture_db_path, GAPS, FIXTURE_QUERY)  # min_n 30 by default
    texts = heatmap_texts(at)
    assert "n = 2" in texts and "n = 1" in texts
    assert not any("<br>" in t for t in texts)  # no cell shows a gap
    assert any("6 suppressed cells" in e for e in [c.value for c in at.caption] + [markdown(at)])


def test_gap_map_scrolls_on_a_phone_by_region_too(monkeypatch, fixture_db_path):
    # By region the map was squeezed into a phone's width (the demo's "+0.21 n = 2,283" overprinted
    # its neighbours at 390 px); like every heatmap with numbers, it keeps its width and scrolls.
    at = open_page(monkeypatch, fixture_db_path, GAPS, {**FIXTURE_QUERY, "min_n": "2"})
    for by in ("Branch", "Region"):
        at.radio(key="gaps_heatmap_by").set_value(by).run()
        titles = wide_chart_titles(at, "gaps_heatmap")
        assert len(titles) == 1 and f"per component and {by.lower()}" in titles[0], (by, titles)


def _fill_ratings_only(con) -> None:
    """The fixture as a performance-only survey: perception asked, no expectation or adequate level."""
    fixture_db.fill(con)
    con.execute("update survey_scores set expectation = null, adequate = null")


def test_ratings_map_scrolls_on_a_phone_by_region_too(monkeypatch, tmp_path):
    db = store.build_atomically(tmp_path / "ratings.duckdb", _fill_ratings_only)
    at = open_page(monkeypatch, db, GAPS, {**FIXTURE_QUERY, "min_n": "2"})
    for by in ("Branch", "Region"):
        at.radio(key="gaps_ratings_by").set_value(by).run()
        titles = wide_chart_titles(at, "gaps_ratings_map")
        assert len(titles) == 1 and f"per component and {by.lower()}" in titles[0], (by, titles)


def test_gaps_page_without_adequate_levels_says_so(monkeypatch, fixture_db_path):
    # February: R3 and R4 gave no adequate levels
    at = open_page(monkeypatch, fixture_db_path, GAPS, {"period": ["2024-02-01", "2024-02-29"]})
    assert any("no adequate" in i.value for i in at.info)


# --- the demo database ----------------------------------------------------------------------------------


def test_components_page_on_demo(monkeypatch, demo_db_path):
    at = open_page(monkeypatch, demo_db_path, COMPONENTS, DEMO_QUERY)
    all_titled(at)
    assert len(at.dataframe[0].value) == 10
    assert len(specs(at)) == 5
    # the demo plants 'understanding' as a weak scale (alpha well below 0.70)
    assert any("Understanding the customer (α =" in w.value for w in at.warning)
    assert "Where the two sources disagree" in markdown(at)


def test_gaps_page_on_demo_shows_suppressed_cells(monkeypatch, demo_db_path):
    at = open_page(monkeypatch, demo_db_path, GAPS, DEMO_QUERY)
    all_titled(at)
    texts = heatmap_texts(at)
    suppressed = [t for t in texts if t.startswith("n = ")]  # the n alone, no gap
    shown = [t for t in texts if "<br>n = " in t]
    assert suppressed, "the demo's small branches have fewer than 30 responses a year"
    assert len(shown) > 300
    for t in suppressed:  # every suppressed cell really is below the minimum
        assert int(t.split("n = ")[1]) < 30
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["SERVQUAL score (unweighted)"].startswith("−")
    assert "falls short of expectations" in markdown(at)
    assert servqual_stats.CONCENTRATE in markdown(at)


def test_demo_gaps_equal_a_direct_computation_from_raw_scores(monkeypatch, demo_db_path):
    """The page's gaps against pandas on the raw item scores (this test's own computation)."""
    con = store.connect_read_only(demo_db_path)
    try:
        raw = con.execute(
            "select sc.response_id, sc.component_key, sc.expectation, sc.perception "
            "from survey_scores sc join survey_responses r using (response_id) "
            "where r.submitted_at >= timestamp '2025-01-01' and r.submitted_at < timestamp '2026-01-01'"
        ).df()
        names = dict(con.execute("select component_key, name from components").fetchall())
        filters = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        produced = servqual.component_table(lambda n, f: store.run_query(con, n, f.params()), filters)
    finally:
        con.close()
    respondent = raw.groupby(["response_id", "component_key"])[["perception", "expectation"]].mean()
    respondent["gap"] = respondent["perception"] - respondent["expectation"]
    direct = respondent.groupby("component_key")["gap"].agg(["mean", "std", "count"])
    direct.index = direct.index.map(names)

    produced = produced.set_index("component_name")
    assert set(produced.index) == set(direct.index) and len(direct) == 10
    pd.testing.assert_series_equal(
        produced["mean_gap"].sort_index(), direct["mean"].sort_index(), check_names=False, atol=1e-9, rtol=0
    )
    assert produced["n"].sort_index().tolist() == direct["count"].sort_index().tolist()
    assert produced["sd_gap"].sort_index().to_numpy() == pytest.approx(direct["std"].sort_index().to_numpy())

    # and what the page shows is that same table
    at = open_page(monkeypatch, demo_db_path, COMPONENTS, DEMO_QUERY)
    shown = at.dataframe[0].value.set_index("Component")
    assert shown["Gap (P − E)"].sort_index().to_numpy() == pytest.approx(direct["mean"].sort_index().to_numpy())
    assert shown["n"].sort_index().tolist() == direct["count"].sort_index().tolist()


def test_gaps_page_shows_my_branch_against_peers(monkeypatch, fixture_db_path):
    at = open_page(
        monkeypatch, fixture_db_path, GAPS, {"period": ["2024-01-01", "2024-02-29"], "my_branch": "Alpha (B1)"}
    )
    card = next(m for m in at.metric if m.label == "My survey gap")
    # B1's respondents: R1 (-1.5 + 1) / 2 = -0.25 and R2 (-1 + 0) / 2 = -0.5 -> -0.375
    assert card.value == "-0.38"
    # peers (North without B1) = B2's R3: +0.25 -> difference -0.625
    assert card.delta == "-0.62 vs peers"
