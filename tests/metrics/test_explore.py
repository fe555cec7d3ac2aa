"""The Explore page: every measure by one and two dimensions (AppTest), and its numbers against
hand-worked values on the fixture (tests/fixture_db.py) and an independent SQL query on the demo."""

import json
import math
from dataclasses import replace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from servicequality import store
from servicequality.charts import explore as charts_explore
from servicequality.metrics import drilldown, explore
from tests import fixture_db
from tests.conftest import FIXTURE_PERIOD, ROOT

PERIOD = {"period": ["2024-01-01", "2024-02-29"], "min_n": "2"}

# Every measure with one dimension and a second one it supports.
COMBOS = {
    "count": ("region", "category"),
    "complaint_rate": ("branch", "month"),
    "gap": ("component", "segment"),
    "perception": ("channel", "branch_type"),
    "first_response": ("category", "weekday"),
    "resolution": ("month", "channel"),
    "within_target": ("family", "region"),
    "csat": ("segment", "month"),
    "nps": ("weekday", "branch"),
}


def open_explore(monkeypatch, db, state, query=PERIOD) -> AppTest:
    """The frame once (URL filters), then the explore page with its choices in session state:
    AppTest clears the URL on a page switch, as a click in the navigation does."""
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page("pages/explore.py").run()
    return at


def assert_clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.mark.slow  # the page for every measure, both ways
def test_every_measure_with_one_and_two_dimensions(monkeypatch, fixture_db_path):
    for measure, (dim1, dim2) in COMBOS.items():
        at = open_explore(monkeypatch, fixture_db_path, {"explore_measure": measure, "dim1": dim1})
        assert_clean(at)
        assert at.title[0].value == "Explore"
        (spec,) = specs(at)
        label = explore.MEASURES[measure].label
        assert spec["layout"]["title"]["text"].replace("<br>", " ").startswith(label), measure
        assert spec["data"], f"{measure}: empty chart"
        (cells,) = at.dataframe  # one dimension: the table of cells
        assert list(cells.value.columns[:2]) == [explore.DIMENSIONS[dim1].label, label]
        assert any(c.startswith("n (") for c in cells.value.columns) != (measure == "count"), (
            measure
        )  # a count is its n

        at.selectbox(key="dim2").set_value(dim2).run()
        assert_clean(at)
        (spec,) = specs(at)
        assert explore.DIMENSIONS[dim2].label.lower() in spec["layout"]["title"]["text"].replace("<br>", " "), measure
        pivot, cells = at.dataframe  # two dimensions: the wide pivot, then the cells
        assert pivot.value.columns[0] == explore.DIMENSIONS[dim1].label
        texts = pivot.value.iloc[:, 1:].to_numpy().ravel()
        if measure == "count":  # its own n: the count alone
            assert all(v == "–" or v.replace(",", "").isdigit() for v in texts), texts
        else:
            assert all("n = " in v or "served" in v or v == "–" for v in texts)
        assert list(cells.value.columns[:3]) == [explore.DIMENSIONS[dim1].label, explore.DIMENSIONS[dim2].label, label]


def test_pivot_numbers_on_the_fixture_page(monkeypatch, fixture_db_path):
    at = open_explore(
        monkeypatch, fixture_db_path, {"explore_measure": "complaint_rate", "dim1": "region", "dim2": "month"}
    )
    assert_clean(at)
    pivot = at.dataframe[0].value.set_index("Region")
    # North January: T1, T2 (B1) over 100 (B1) + 300 (B2) served -> 5.00; February: T3 (B2) over 200 (B1).
    # South January: T5 over 400 (B3); South February has neither complaints nor customers served.
    assert pivot.loc["North", "Jan 2024"] == "5.00 (2 of 400 served)"
    assert pivot.loc["North", "Feb 2024"] == "5.00 (1 of 200 served)"
    assert pivot.loc["South", "Jan 2024"] == "2.50 (1 of 400 served)"
    assert pivot.loc["South", "Feb 2024"] == "–"


def test_survey_cells_below_the_minimum_show_n_not_value(monkeypatch, fixture_db_path):
    at = open_explore(monkeypatch, fixture_db_path, {"explore_measure": "gap", "dim1": "branch", "dim2": "component"})
    assert_clean(at)
    pivot = at.dataframe[0].value.set_index("Branch")
    # B1: reliability R1 (6.5 -> 5) -1.5, R2 (6 -> 5) -1 -> -1.25; tangibles R1 +1, R2 0 -> +0.50
    assert pivot.loc["Alpha (B1)", "Reliability"] == "-1.25 (n = 2)"
    assert pivot.loc["Alpha (B1)", "Tangibles"] == "0.50 (n = 2)"
    # B2 and B3 have one respondent each: below min_n = 2, so only n is shown
    assert pivot.loc["Beta (B2)", "Reliability"] == "suppressed (n = 1)"
    assert pivot.loc["Gamma (B3)", "Tangibles"] == "suppressed (n = 1)"
    # a count is its own n: '3', not '3 (n = 3)'
    counted = pd.Series({"suppressed": False, "value": 16427.0, "n": 16427, "extra": None})
    assert explore.cell_text(counted, "count") == "16,427"
    cells = at.dataframe[1].value
    suppressed = cells[cells["Note"] != ""]
    assert suppressed["SERVQUAL gap (perception − expectation)"].isna().all()
    assert suppressed["n (respondents)"].tolist() == [1, 1, 1, 1]


def fixture_runner(con):
    return lambda name, filters, **extra: store.run_query(con, name, {**filters.params(), **extra})


def cells_by(con, filters, measure, dim1, dim2=None):
    choice = explore.resolve(measure, dim1, dim2)
    df = explore.cells(fixture_runner(con), filters, choice, {})
    return {(k1, k2) if dim2 else k1: row for (k1, k2), (_, row) in zip(zip(df["key1"], df["key2"]), df.iterrows())}


def test_measures_by_hand_on_the_fixture(fixture_con):
    p = replace(FIXTURE_PERIOD, min_n=2)
    # CSAT by region: North R1 5, R2 3, R3 4 -> 2 of 3 satisfied; South R4 has no answer (no cell).
    csat = cells_by(fixture_con, p, "csat", "region")
    assert set(csat) == {"North"}
    assert csat["North"]["value"] == pytest.approx(200 / 3)
    assert csat["North"]["n"] == 3
    # Wilson 95% for 2 of 3: (0.2077, 0.9385)
    assert (csat["North"]["low"], csat["North"]["high"]) == pytest.approx((20.77, 93.85), abs=0.01)
    # Within target by channel: Phone T1 720 <= 1440 and T3 still open at 1,800 min (02-05 08:00 to
    # the data's last moment, 02-06 14:00), past its 1,440: late; Email T2 2880 > 2160; Chat T5 60 <= 720
    within = cells_by(fixture_con, p, "within_target", "channel")
    assert {k: (v["value"], v["n"]) for k, v in within.items()} == {
        "Chat": (100.0, 1),
        "Email": (0.0, 1),
        "Phone": (50.0, 2),
    }
    # NPS by branch: B1 R1 10 (promoter), R2 6 (detractor) -> 0 over n = 2; B2 R3 8 (passive) n = 1 suppressed
    nps = cells_by(fixture_con, p, "nps", "branch")
    assert (nps["B1"]["value"], nps["B1"]["n"]) == (0.0, 2)
    assert nps["B2"]["suppressed"] and math.isnan(nps["B2"]["value"]) and nps["B2"]["n"] == 1
    # Complaints by component (via category): Attitude T1 + Etiquette T5 -> courtesy 2;
    # Delivery T2 -> responsiveness 1; Function T3 -> reliability 1
    count = cells_by(fixture_con, p, "count", "component")
    assert {k: v["value"] for k, v in count.items()} == {"courtesy": 2, "responsiveness": 1, "reliability": 1}
    # Median first response by weekday (Kaplan-Meier: the smallest time with S <= 1/2): Monday T3 3
    # and T2 360 -> S 1/2 after 3: 3 (percentile_cont said 181.5); Wednesday T1 1; Saturday T5 0.5
    first = cells_by(fixture_con, p, "first_response", "weekday")
    assert {k: v["value"] for k, v in first.items()} == {"1": 3.0, "3": 1.0, "6": 0.5}
    assert {k: v["n"] for k, v in first.items()} == {"1": 2, "3": 1, "6": 1}
    # Perception by segment: Individual R1 (5 + 5 + 6) / 3... per respondent: mean over components of the
    # component's mean perception: R1 (5 + 6) / 2 = 5.5, R3 (5.5 + 7) / 2 = 6.25 -> 5.875
    perception = cells_by(fixture_con, p, "perception", "segment")
    assert perception["Individual"]["value"] == pytest.approx(5.875)
    # two respondents: sd = 0.75 / sqrt(2), se = 0.375, t(0.975; 1) = 12.706 -> 5.875 ± 4.765, i.e.
    # 1.110 to 10.640: the upper end runs past the 1-7 scale and is clipped to 7
    assert perception["Individual"]["low"] == pytest.approx(1.110, abs=0.001)
    assert perception["Individual"]["high"] == 7.0
    # Complaint rate by branch: B1 2 / 300, B2 1 / 300, B3 1 / 400 (per 1,000)
    rate = cells_by(fixture_con, p, "complaint_rate", "branch")
    assert {k: round(v["value"], 4) for k, v in rate.items()} == {"B1": 6.6667, "B2": 3.3333, "B3": 2.5}
    # Resolution hours by family (Kaplan-Meier): product T3 still open, censored at 30 h, then T2 at
    # 48 h with one at risk: S 0 -> 48 h; service T5 1 h (S 1/2), T1 12 h -> median 1 h
    resolution = cells_by(fixture_con, p, "resolution", "family")
    assert {k: v["value"] for k, v in resolution.items()} == {"product": 48.0, "service": 1.0}
    # the median's n is its sample, the open T3 included: product 2 (1 resolved), service 2
    assert {k: v["n"] for k, v in resolution.items()} == {"product": 2, "service": 2}


def test_rate_split_by_channel_uses_all_customers_served(fixture_con):
    # Channel does not split customers served: each channel's complaints over all 1,000 served.
    rate = cells_by(fixture_con, FIXTURE_PERIOD, "complaint_rate", "channel")
    # Phone T1, T3; Email T2; Chat T5
    assert {k: (v["value"], v["extra"]) for k, v in rate.items()} == {
        "Chat": (1.0, 1000),
        "Email": (1.0, 1000),
        "Phone": (2.0, 1000),
    }


def test_pivots_match_independent_sql_on_the_demo(demo_con):
    con = demo_con
    (first, last) = con.execute(
        "select min(cast(submitted_at as date)), max(cast(submitted_at as date)) from survey_responses"
    ).fetchone()
    filters = replace(FIXTURE_PERIOD, start=first, end=last, min_n=30)
    run = fixture_runner(con)
    # CSAT by region and channel, straight from survey_responses.
    expected = con.execute(
        """
        select b.region, r.channel, count(r.overall_satisfaction) as n,
               100.0 * count(case when r.overall_satisfaction in (4, 5) then 1 end)
                   / count(r.overall_satisfaction) as csat
        from survey_responses r join branches b using (branch_id)
        where r.overall_satisfaction is not null
        group by 1, 2
        """
    ).df()
    choice = explore.resolve("csat", "region", "channel")
    got = explore.cells(run, filters, choice, {}).set_index(["key1", "key2"])
    assert len(got) == len(expected)
    for row in expected.itertuples():
        cell = got.loc[(row.region, row.channel)]
        assert cell["n"] == row.n
        if row.n >= 30:
            assert cell["value"] == pytest.approx(row.csat)
        else:
            assert cell["suppressed"] and math.isnan(cell["value"])
    # Complaints per 1,000 served by branch type, from the base tables.
    expected = con.execute(
        """
        with c as (select b.branch_type, count(*) as complaints from tickets t join branches b using (branch_id)
                   where t.kind = 'complaint' and cast(t.opened_at as date) between $first and $last group by 1),
             s as (select b.branch_type, sum(customers) as served from customers_served cs join branches b
                   using (branch_id) where served_on between $first and $last group by 1)
        select s.branch_type, 1000.0 * coalesce(c.complaints, 0) / s.served as rate, c.complaints
        from s left join c using (branch_type)
        """,
        {"first": first, "last": last},
    ).df()
    got = explore.cells(run, filters, explore.resolve("complaint_rate", "branch_type", None), {}).set_index("key1")
    assert sorted(got.index) == sorted(expected["branch_type"])
    for row in expected.itertuples():
        assert got.loc[row.branch_type, "value"] == pytest.approx(row.rate)
        assert got.loc[row.branch_type, "n"] == row.complaints


def test_unsupported_combination_says_why(monkeypatch, fixture_db_path):
    at = open_explore(monkeypatch, fixture_db_path, {"explore_measure": "csat", "dim1": "component"})
    assert_clean(at)
    assert not at.get("plotly_chart")
    assert "one answer per survey response" in at.warning[0].value
    at = open_explore(monkeypatch, fixture_db_path, {"explore_measure": "gap", "dim1": "region", "dim2": "category"})
    assert "no complaint category" in at.warning[0].value


def test_unknown_choices_in_the_link_fall_back_with_a_message(monkeypatch, fixture_db_path):
    at = open_explore(monkeypatch, fixture_db_path, {})
    at.query_params.update({**PERIOD, "explore_measure": "x'--", "dim1": "region; drop table tickets", "dim2": "Month"})
    at.run()
    assert_clean(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "Unknown measure" in warnings and "Unknown dimension" in warnings
    assert specs(at)  # the default view still renders


def test_a_store_without_customers_served_says_why_there_is_no_rate(monkeypatch, tmp_path):
    def fill(con):
        con.executemany("insert into branches values ($1, $2, $3, $4, $5, $6, $7)", fixture_db.BRANCHES)
        con.execute(
            "insert into tickets values ('X1', 'B1', 'Fax', 'complaint', 'Delivery', 'normal',"
            " timestamp '2024-01-10 09:00', null, null, 'open', 0, false, null, 'Individual', null)"
        )

    db = store.build_atomically(tmp_path / "tickets_only.duckdb", fill)
    at = open_explore(monkeypatch, db, {"explore_measure": "complaint_rate", "dim1": "region"}, query={})
    assert_clean(at)
    assert "no customers served recorded" in at.info[0].value
    at = open_explore(monkeypatch, db, {"explore_measure": "gap", "dim1": "region"}, query={})
    assert_clean(at)
    assert "no respondents" in at.info[0].value


def test_choices_and_links_are_checked():
    assert explore.link_messages({"explore_measure": "SERVQUAL gap (perception − expectation)", "dim1": "Branch"}) == []
    assert explore.link_messages({"explore_measure": "gap", "dim1": ["x"], "dim2": "Nothing"}) == [
        "Unknown measure `gap`: showing complaints (count).",
        "Unknown dimension `['x']`: showing region.",
    ]
    choice = explore.resolve("nope", "region", "region")
    assert (choice.measure, choice.dim1, choice.dim2) == ("count", "region", None)
    assert len(choice.messages) == 2 and choice.problem is None
    assert explore.resolve("csat", "category", None).problem
    assert explore.resolve("count", "component", "weekday").problem is None


def test_every_measure_lists_supported_dimensions_and_its_drilldown():
    for m in explore.MEASURES.values():
        assert m.dims <= set(explore.DIMENSIONS)
        # the return rate has no rows to show: a visit's row would carry the customer's key
        assert m.rows in drilldown.KINDS or (m.key == "return_rate" and m.rows == "")
        assert m.source in explore.QUERY
    assert charts_explore.title_for(explore.resolve("gap", "region", "month")).endswith("(95% intervals)")


@pytest.mark.parametrize(
    "measure,dim1,dim2,value_format",
    [
        # the catalogue: the gap to 2 decimals, the share within target to 1 with its " %", counts whole
        ("gap", "component", None, "%,.2f"),
        ("within_target", "region", "channel", "%,.1f %%"),
        ("count", "region", None, "%,d"),
        ("complaint_rate", "branch", None, "%,.2f"),
    ],
)
def test_the_cells_table_shows_every_number_to_its_measures_decimals(
    monkeypatch, fixture_db_path, measure, dim1, dim2, value_format
):
    # Before: the value and interval columns reached the screen rounded to the measure's decimals + 2
    # and n without a thousands separator (3.6667, 12345).
    state = {"explore_measure": measure, "dim1": dim1} | ({"dim2": dim2} if dim2 else {})
    at = open_explore(monkeypatch, fixture_db_path, state)
    assert_clean(at)
    table = at.dataframe[-1]
    formats = {
        column: (config.get("type_config") or {}).get("format")
        for column, config in json.loads(table.proto.columns).items()
    }
    frame = table.value
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    assert numeric and all(formats.get(c) for c in numeric), (numeric, formats)
    label = explore.MEASURES[measure].label
    assert formats[label] == value_format
    if measure == "count":  # a count's n is the count: no second column of the same numbers
        assert not any(c.startswith("n (") for c in frame.columns), list(frame.columns)
    else:
        assert formats[next(c for c in numeric if c.startswith("n ("))] == "%,d"
    if "95% interval, low" in frame:
        assert formats["95% interval, low"] == formats["95% interval, high"] == value_format


def _contents(**has) -> pd.DataFrame:
    # a store_contents row: every probe 0 but those named
    names = ("has_complaints", "has_gaps", "has_ratings_only", "has_compliments", "has_visits")
    more = ("has_customer_complaints", "has_tickets", "has_responses")
    return pd.DataFrame([{name: has.get(name, 0) for name in names + more}])


def test_explore_opens_on_a_measure_the_store_has():
    assert explore.default_measure(_contents(has_complaints=1, has_gaps=1, has_visits=1)) == explore.DEFAULT_MEASURE
    assert explore.default_measure(_contents(has_gaps=1, has_ratings_only=1, has_visits=1)) == "gap"
    assert explore.default_measure(_contents(has_ratings_only=1, has_visits=1)) == "performance"
    # visits and nothing else (the support tickets' purchases): it opened on "Complaints (count)"
    assert explore.default_measure(_contents(has_visits=1)) == "return_rate"
    assert explore.default_measure(_contents(has_visits=1, has_tickets=1, has_compliments=1)) == "return_rate"
    assert explore.default_measure(_contents()) == explore.DEFAULT_MEASURE  # an empty store: the usual default


def test_a_visits_only_store_opens_on_the_return_rate(monkeypatch, tmp_path):
    def fill(con):
        con.executemany("insert into branches values ($1, $2, $3, $4, $5, $6, $7)", fixture_db.BRANCHES)
        # c1 back at B1 after 10 days; c2 and c3 once; c4 in June makes January's customers judgeable
        con.execute(
            "insert into visits (customer_key, branch_id, visited_on) values ('c1', 'B1', date '2024-01-05'), "
            "('c1', 'B1', date '2024-01-15'), ('c2', 'B2', date '2024-01-07'), ('c3', 'B3', date '2024-02-01'), "
            "('c4', 'B1', date '2024-06-01')"
        )

    db = store.build_atomically(tmp_path / "visits_only.duckdb", fill)
    at = open_explore(monkeypatch, db, {})
    assert_clean(at)
    measure = next(s for s in at.selectbox if s.label == "Measure")
    assert measure.value == "return_rate"
    assert not any(i.value.startswith("Nothing to show") for i in at.info), [i.value for i in at.info]


def test_months_stay_in_time_order_when_some_are_suppressed():
    # cells come sorted by the first dimension: Jan shown, Feb suppressed (n = 4), Mar shown. The
    # suppressed month was drawn after every shown one (Jan, Mar, Feb) on the Skytrax store.
    cells = pd.DataFrame(
        {
            "key1": ["2015-01", "2015-02", "2015-03"],
            "key2": [None, None, None],
            "label1": ["Jan 2015", "Feb 2015", "Mar 2015"],
            "label2": [None, None, None],
            "value": [70.0, None, 55.0],
            "low": [60.0, float("nan"), 45.0],
            "high": [80.0, float("nan"), 65.0],
            "n": [40, 4, 35],
            "suppressed": [False, True, False],
        }
    )
    fig = charts_explore.bars(cells, explore.resolve("csat", "month", None))
    assert list(fig.layout.xaxis.categoryarray) == ["Jan 2015", "Feb 2015", "Mar 2015"]
    assert fig.layout.xaxis.categoryorder == "array"
    bars, crosses = fig.data
    assert list(bars.x) == ["Jan 2015", "Mar 2015"] and list(crosses.x) == ["Feb 2015"]
    # the legend under the plot, at the figure's foot: above it, it overprinted the title wrapped to
    # two lines on a phone (Skytrax at 390 px); its count reads as a count, not as the minimum
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert crosses.name == "1 suppressed: fewer answers than the minimum"  # CSAT's n counts answers
    # a visits store's return rate counts customers judged, not responses (the support store)
    assert explore.suppressed_words("return_rate") == "suppressed: fewer customers judged than the minimum"
    assert explore.suppressed_words("gap") == "suppressed: fewer respondents than the minimum"


def test_csat_names_the_overall_answers_on_another_scale():
    # 1,940 answers, 1,821 of them on 1-5: 119 on 1-10 left out of CSAT
    note = explore.csat_other_scales(1_821, 1_940, "1-10, 1-5")
    assert "119 of the 1,940 answers in this filter were on 1-10 and are not in it" in note
    assert explore.csat_other_scales(100, 100, "1-5") is None  # every answer on 1-5
    assert "50 of the 50 answers in this filter were on 0-10" in explore.csat_other_scales(0, 50, "0-10")


def test_explore_opens_by_branch_when_every_branch_is_in_one_region():
    one_region = pd.DataFrame({"branch_id": ["BPS_", "PWDx"], "region": ["Boston", "Boston"]})
    assert explore.default_dimension(one_region) == "branch"  # "by region" was one bar
    two = pd.DataFrame({"branch_id": ["B1", "B2"], "region": ["North", "South"]})
    assert explore.default_dimension(two) == explore.DEFAULT_DIM1 == "region"
    # one branch: by branch is one bar too, so the usual default
    assert explore.default_dimension(one_region.head(1)) == "region"
    # ... unless the store's values say more (the kiosk survey: one branch, five age groups, one channel)
    values = pd.DataFrame({"dimension": ["segment"] * 5 + ["channel", "component", "component"]})
    assert explore.default_dimension(one_region.head(1), values, "gap") == "segment"
    assert explore.default_dimension(one_region.head(1), values.iloc[4:], "gap") == "month"  # one of each
    two_channels = pd.DataFrame({"dimension": ["segment", "channel", "channel"]})
    assert explore.default_dimension(one_region.head(1), two_channels, "count") == "channel"


@pytest.mark.slow  # the demo store
def test_a_heatmap_asks_for_a_click_on_a_cell(monkeypatch, demo_db_path):
    # 48 branches by 12 months is a heatmap: "Click a bar or point" named what it does not have
    state = {"explore_measure": "count", "dim1": "branch", "dim2": "month"}
    at = open_explore(monkeypatch, demo_db_path, state, {"period": ["2025-01-01", "2025-12-31"]})
    assert_clean(at)
    (spec,) = specs(at)
    assert spec["data"][0]["type"] == "heatmap"
    captions = [c.value for c in at.caption]
    assert any(c.endswith("Click a cell to filter the dashboard by its branch.") for c in captions), captions


def test_many_suppressed_cells_are_left_out_of_the_chart():
    # Skytrax's performance by airport: 116 of 117 suppressed drew 116 crosses, 4,400 px tall
    n = 25
    cells = pd.DataFrame(
        {
            "key1": [f"A{i}" for i in range(n)],
            "key2": [None] * n,
            "label1": [f"Airport {i}" for i in range(n)],
            "label2": [None] * n,
            "value": [58.0, 61.0] + [None] * (n - 2),
            "low": [50.0, 55.0] + [float("nan")] * (n - 2),
            "high": [66.0, 67.0] + [float("nan")] * (n - 2),
            "n": [40, 35] + [3] * (n - 2),
            "suppressed": [False, False] + [True] * (n - 2),
        }
    )
    choice = explore.resolve("performance", "branch", None)
    assert not charts_explore.crosses_drawn(cells)  # 23 suppressed: more than 20, and than the 2 shown
    fig = charts_explore.bars(cells, choice)
    # 300 px for two bars (max(300, 90 + 26 * 2)) and the title's lines; with the crosses 90 + 26 * 25 = 740
    assert len(fig.data) == 1 and fig.layout.height < 400
    # a few (3 of 5): still marked where they are
    few = cells.head(5)
    assert charts_explore.crosses_drawn(few) and len(charts_explore.bars(few, choice).data) == 2


def test_a_split_by_category_where_none_is_recorded_says_so():
    # Boston 311: "by complaint category" drew one bar, "Unmapped 2,885"
    cells = pd.DataFrame({"key1": ["Unmapped"], "key2": [None], "n": [2_885]})
    words = explore.no_category_words(cells, explore.resolve("count", "category", None))
    assert words.startswith("Complaint category not recorded: none of these 2,885 complaints has one")
    family = cells.assign(key1=["unmapped"])
    assert "no category family to split" in explore.no_category_words(family, explore.resolve("count", "family", None))
    # as the second dimension too; and nothing to say where one category is recorded
    by_month = pd.DataFrame({"key1": ["2015-01", "2015-02"], "key2": ["Unmapped", "Unmapped"], "n": [3, 4]})
    assert explore.no_category_words(by_month, explore.resolve("count", "month", "category"))
    some = pd.DataFrame({"key1": ["Unmapped", "Access"], "key2": [None, None], "n": [5, 1]})
    assert explore.no_category_words(some, explore.resolve("count", "category", None)) is None


def test_heatmap_cells_say_a_count_once_and_a_median_out_of_reach():
    cell = pd.Series({"value": 531.0, "n": 531, "suppressed": False})
    assert charts_explore.heatmap_text(cell, "count") == "531"  # was "531<br>n=531"
    # Boston's hotline, Jan 2015: 9 of 127 resolved, the rest open: the Kaplan-Meier median is not
    # reached, over its sample of 127 (cells() gives resolution_n, the open ones included)
    open_cell = pd.Series({"value": float("nan"), "n": 127, "suppressed": False})
    assert charts_explore.heatmap_text(open_cell, "resolution") == "not<br>reached<br>n=127"
    timed = pd.Series({"value": 14.26, "n": 40, "suppressed": False})
    assert charts_explore.heatmap_text(timed, "resolution") == "14.3<br>n=40"


def test_a_heatmap_cell_without_a_value_is_grey_not_the_scales_light_end():
    nan = float("nan")
    cells = pd.DataFrame(
        {
            "key1": ["Phone", "Phone"],
            "key2": ["2015-02", "2015-03"],
            "label1": ["Phone", "Phone"],
            "label2": ["Feb 2015", "Mar 2015"],
            "value": [672.6, nan],  # March: a median not reached
            "low": [nan, nan],
            "high": [nan, nan],
            "n": [872, 242],
            "suppressed": [False, False],
            "extra": [nan, nan],
            "order1": ["Phone", "Phone"],
            "order2": ["2015-02", "2015-03"],
        }
    )
    fig = charts_explore.heatmap(cells, explore.resolve("resolution", "channel", "month"))
    values, blanks = fig.data
    assert values.z[0][0] == 672.6 and math.isnan(values.z[0][1])
    # March's cell is a grey layer of its own, with its words in dark ink; February's is not on it
    assert math.isnan(blanks.z[0][0]) and blanks.z[0][1] == 0
    assert {c for _, c in blanks.colorscale} == {charts_explore.NO_VALUE} and not blanks.showscale
    assert list(blanks.text[0]) == ["", "not<br>reached<br>n=242"] and list(values.text[0])[1] == ""
    assert blanks.textfont.color == charts_explore.NO_VALUE_INK
    assert charts_explore.NO_VALUE not in {c for _, c in values.colorscale}  # not the value scale's end


def test_a_median_not_reached_is_said_and_marked_not_left_blank():
    # Boston 311, resolution by month: March 2015's 242 requests (most still open) have no median:
    # its bar slot was empty and its table cell "– (n = 242)"; February's median is 672.6 h.
    nan = float("nan")
    cells = pd.DataFrame(
        {
            "key1": ["2015-02", "2015-03"],
            "key2": [None, None],
            "label1": ["Feb 2015", "Mar 2015"],
            "label2": ["", ""],
            "value": [672.6, nan],
            "low": [nan, nan],
            "high": [nan, nan],
            "n": [872, 242],
            "suppressed": [False, False],
            "extra": [nan, nan],
            "order1": ["2015-02", "2015-03"],
            "order2": ["", ""],
        }
    )
    choice = explore.resolve("resolution", "month", None)
    assert explore.unreached(cells, "resolution").tolist() == [False, True]
    assert explore.cell_text(cells.iloc[1], "resolution") == "not reached (n = 242)"
    assert explore.cell_text(cells.iloc[0], "resolution") == "672.6 (n = 872)"
    fig = charts_explore.bars(cells, choice)
    marks = [t for t in fig.data if t.name and "not reached" in t.name]
    assert len(marks) == 1 and list(marks[0].x) == ["Mar 2015"] and list(marks[0].y) == [0.0]
    assert marks[0].name == "1 not reached: too many still open"
    assert explore.long_table(cells, choice)["Note"].tolist() == ["", "not reached: too many still open"]
    # a survey mean's missing value is not a median: no such words
    assert not explore.unreached(cells, "gap").any()
    # grouped by a second dimension: marked too
    two = cells.assign(key2=["Phone", "Phone"], label2=["Phone", "Phone"], order2=["Phone", "Phone"])
    grouped = charts_explore.grouped_bars(two, explore.resolve("resolution", "month", "channel"))
    marks = [t for t in grouped.data if t.name and "not reached" in t.name]
    assert len(marks) == 1 and list(marks[0].x) == ["Mar 2015"]


def test_a_measure_the_store_cannot_give_says_why_not_no_answers():
    # The hospital: satisfaction on 1-10 (no 1-5 CSAT), recommend on its own scale, ratings only.
    hospital = {
        "has_complaints": 0,
        "has_gaps": 0,
        "has_ratings_only": 1,
        "has_csat": 0,
        "has_satisfaction": 1,
        "has_nps": 0,
        "has_recommend": 1,
    }
    assert explore.never_words("csat", hospital).startswith("Not recorded on its scale: CSAT counts answers of 4")
    assert explore.never_words("nps", hospital).startswith("Not recorded on its scale: the Net Promoter Score")
    assert explore.never_words("gap", hospital).startswith("Not recorded: this store's surveys ask no expectations")
    # a survey that never asked the question
    assert explore.never_words("nps", hospital | {"has_recommend": 0}) == (
        "Not asked: no survey in this store asks whether they would recommend, so there is no Net Promoter Score."
    )
    # The CFPB: complaints closed, no resolution time in the export
    cfpb = {"has_complaints": 1, "has_first_response": 0, "has_resolution": 0}
    assert explore.never_words("resolution", cfpb) == (
        "Not recorded: this store's exports give no resolution time for any complaint, so there is no median "
        "resolution time (hours)."
    )
    # complaints with times, but none in any filter (all still open): the words about what n lacks
    assert explore.never_words("resolution", cfpb | {"has_resolution": 1}).startswith(
        "Nothing to show: no complaints resolved in any period"
    )
    # a probe the caller did not run counts as recorded
    assert explore.never_words("csat", {}).startswith("Nothing to show:")
