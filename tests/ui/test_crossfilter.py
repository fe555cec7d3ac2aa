"""Cross-filtering: the pure mapping from a chart click to sidebar values, the chips, and the
pages under AppTest (chips from URL parameters, ids on every clickable chart's points)."""

import base64
import datetime as dt
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from servicequality.ui import crossfilter
from servicequality.ui.crossfilter import Chip, CrossFilter, FilterOptions, selection_to_filters
from servicequality.ui.navigation import PAGES
from tests.conftest import ROOT

# The fixture's data run from 1 Nov 2023 to 10 Feb 2024 (tests/fixture_db.py).
OPTIONS = FilterOptions(
    values={
        "region": ["North", "South"],
        "branch": ["B1", "B2", "B3"],
        "branch_type": ["Express", "Flagship", "Standard"],
        "channel": ["Email", "Phone", "Web"],
        "segment": ["Individual", "Premium"],
        "category": ["Attitude", "Delivery"],
        "component": ["courtesy", "reliability", "tangibles"],
    },
    first=dt.date(2023, 11, 1),
    last=dt.date(2024, 2, 10),
    labels={"branch": {"B1": "Alpha (B1)", "B2": "Beta (B2)"}, "component": {"courtesy": "Courtesy"}},
)
NOTHING: dict = {}


def bar(**point):
    return {"curve_number": 0, "point_number": 0, "point_index": 0, **point}


# --- the pure mapping ---------------------------------------------------------------------------


def test_a_clicked_channel_bar_becomes_the_channel_filter():
    out = selection_to_filters([bar(x=120, y="Phone")], CrossFilter("channel", "y"), NOTHING, OPTIONS)
    assert out.updates == {"channel": ["Phone"]}
    assert out.applied == ["Channel: Phone"] and out.ignored == []


def test_a_click_adds_to_what_is_chosen_and_keeps_a_value_once():
    state = {"channel": ["Email"]}
    out = selection_to_filters([bar(x="Phone")], CrossFilter("channel"), state, OPTIONS)
    assert out.updates == {"channel": ["Email", "Phone"]}
    again = selection_to_filters([bar(x="Email")], CrossFilter("channel"), state, OPTIONS)
    assert again.updates == {} and again.ignored == []
    # two points in one selection: both added, in click order
    both = selection_to_filters([bar(x="Web"), bar(x="Phone")], CrossFilter("channel"), state, OPTIONS)
    assert both.updates == {"channel": ["Email", "Web", "Phone"]}


def test_a_pareto_bar_filters_by_its_category_and_the_other_bar_by_nothing():
    # the Pareto's bars carry [whole name, family, component, share, category id]; the bar of the
    # folded categories carries [how many, share, ""]: "Other 54 categories" is no category
    pareto = CrossFilter("category", "customdata:-1")
    clicked = bar(x=12, y="Attitude", customdata=["Attitude", "service", "Courtesy", 40.0, "Attitude"])
    out = selection_to_filters([clicked], pareto, NOTHING, OPTIONS)
    assert out.updates == {"category": ["Attitude"]}
    other = bar(x=30, y="Other 54 categories", customdata=[54, 12.5, ""])
    out = selection_to_filters([other], pareto, NOTHING, OPTIONS)
    assert (out.updates, out.applied, out.ignored) == ({}, [], [])


def test_branch_ids_come_from_customdata_and_the_chip_shows_the_label():
    # charts put the branch_id last in customdata; the axis shows the label
    point = bar(x=-0.4, y="Alpha (B1)", customdata=[42, -0.9, 0.1, "B1"])
    out = selection_to_filters([point], CrossFilter("branch", "customdata:-1"), NOTHING, OPTIONS)
    assert out.updates == {"branch": ["B1"]}
    assert out.applied == ["Branch: Alpha (B1)"]
    # the label itself is not an id: ignored, not raised on
    wrong = selection_to_filters([point], CrossFilter("branch", "y"), NOTHING, OPTIONS)
    assert wrong.updates == {} and wrong.ignored == ["Branch: Alpha (B1)"]


def test_a_heatmap_cell_sets_its_row_and_its_column():
    cell = bar(x="Courtesy", y="Alpha (B1), North", customdata=["B1", "courtesy", "gap −0.50, n = 4"])
    selects = (CrossFilter("branch", "customdata:0"), CrossFilter("component", "customdata:1"))
    out = selection_to_filters([cell], selects, {"component": ["tangibles"]}, OPTIONS)
    assert out.updates == {"branch": ["B1"], "component": ["tangibles", "courtesy"]}


def test_a_month_sets_the_period_clipped_to_the_data():
    month = CrossFilter("month", "x")
    # December 2023 lies wholly inside the data
    assert selection_to_filters([bar(x="2023-12-01")], month, NOTHING, OPTIONS).updates == {
        "period": (dt.date(2023, 12, 1), dt.date(2023, 12, 31))
    }
    # the data end on 10 Feb 2024, so February is clipped to its first ten days
    out = selection_to_filters([bar(x="2024-02-01 00:00:00")], month, NOTHING, OPTIONS)
    assert out.updates == {"period": (dt.date(2024, 2, 1), dt.date(2024, 2, 10))}
    assert out.applied == ["Period: Feb 2024"]
    # a day inside the month counts as its month; plotly may send 'YYYY-MM' too
    assert selection_to_filters([bar(x="2023-11-17")], month, NOTHING, OPTIONS).updates["period"][0] == dt.date(
        2023, 11, 1
    )
    assert selection_to_filters([bar(x="2024-01")], month, NOTHING, OPTIONS).updates["period"] == (
        dt.date(2024, 1, 1),
        dt.date(2024, 1, 31),
    )
    # a month without data, and text that is no month: ignored
    outside = selection_to_filters([bar(x="2025-03-01")], month, NOTHING, OPTIONS)
    assert outside.updates == {} and outside.ignored == ["Period: Mar 2025 (no data)"]
    for junk in ("March", "2024-13-01", "20240101", "", None, 3.5):
        assert selection_to_filters([bar(x=junk)], month, NOTHING, OPTIONS).updates == {}


@pytest.mark.parametrize(
    "value",
    [
        "Phone'; drop table tickets; --",
        '=HYPERLINK("http://x")',
        "phone",  # case matters: not an option
        "P" * 10_000,
        None,
        float("nan"),
        {"a": 1},
        ["Phone"],
        True,
    ],
)
def test_values_the_sidebar_does_not_offer_are_ignored_never_raised(value):
    out = selection_to_filters([bar(x=value)], CrossFilter("channel"), {"channel": ["Email"]}, OPTIONS)
    assert out.updates == {}


def test_points_without_the_source_are_skipped():
    # e.g. a click on a funnel's limit line, which carries no branch id
    out = selection_to_filters(
        [bar(x=1200, y=0.3), bar(customdata="B2"), "not a point", None],
        CrossFilter("branch", "customdata:-1"),
        NOTHING,
        OPTIONS,
    )
    assert out.updates == {"branch": ["B2"]}


def test_numbers_as_values_match_their_text():
    options = FilterOptions(values={"segment": ["1", "2"]}, first=OPTIONS.first, last=OPTIONS.last)
    out = selection_to_filters([bar(x=2.0)], CrossFilter("segment"), NOTHING, options)
    assert out.updates == {"segment": ["2"]}


def test_a_bad_cross_filter_is_a_programming_error():
    with pytest.raises(ValueError):
        CrossFilter("colour").check()
    with pytest.raises(ValueError):
        CrossFilter("channel", "z").check()
    assert CrossFilter("branch", "customdata:-1").check()


# --- chips ---------------------------------------------------------------------------------------


def test_chips_name_each_selection_with_its_label():
    default = (dt.date(2023, 11, 1), dt.date(2024, 2, 10))
    state = {"channel": ["Phone"], "component": ["courtesy"], "branch": ["B2"], "region": []}
    chips = crossfilter.chips(state, OPTIONS, default, default)
    assert [c.text for c in chips] == ["Branch: Beta (B2)", "Channel: Phone", "Component: Courtesy"]
    assert chips[1] == Chip("channel", "Phone", "Channel: Phone")
    # the period has a chip only when it is not the default
    march = (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert crossfilter.chips({}, OPTIONS, march, default) == [Chip("period", None, "Period: Jan 2024")]


def test_removing_a_chip_removes_only_its_value():
    state = {"channel": ["Email", "Phone"]}
    assert crossfilter.without(state, Chip("channel", "Phone", "Channel: Phone")) == ["Email"]
    assert crossfilter.without({}, Chip("channel", "Phone", "Channel: Phone")) == []


def test_period_words():
    d = dt.date
    assert crossfilter.describe_period(d(2025, 3, 1), d(2025, 3, 31)) == "Mar 2025"
    assert crossfilter.describe_period(d(2024, 2, 1), d(2024, 2, 10)) == "Feb 2024 (1–10)"
    assert crossfilter.describe_period(d(2024, 2, 5), d(2024, 2, 5)) == "05 Feb 2024"
    assert crossfilter.describe_period(d(2024, 1, 1), d(2024, 12, 31)) == "01 Jan 2024 – 31 Dec 2024"


# --- the pages under AppTest --------------------------------------------------------------------

FIXTURE_PERIOD = {"period": ["2024-01-01", "2024-02-29"]}


def open_app(monkeypatch, db, page=None, query=None) -> AppTest:
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None and page is not PAGES[0]:
        at.switch_page(page.path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chip_labels(at) -> list[str]:
    """The chips as drawn: their labels are markdown with every markdown character escaped."""
    return [
        re.sub(r"\\(.)", r"\1", b.label)
        for b in at.button
        if b.key and b.key.startswith("chip_") and b.key != "chip_clear_all"
    ]


def test_url_parameters_show_as_chips(monkeypatch, fixture_db_path):
    at = open_app(monkeypatch, fixture_db_path, query={**FIXTURE_PERIOD, "channel": "Phone", "component": "Courtesy"})
    assert at.session_state["filters"].channels == ("Phone",)
    assert at.session_state["filters"].components == ("courtesy",)
    # the fixture's period is not the default (the last 12 months of data), so it has a chip too
    assert chip_labels(at) == ["Period: 01 Jan 2024 – 29 Feb 2024", "Channel: Phone", "Component: Courtesy"]
    assert at.button(key="chip_clear_all").label == "Clear all"


def test_no_filter_no_chips_and_the_link_carries_the_view(monkeypatch, fixture_db_path):
    at = open_app(monkeypatch, fixture_db_path)
    assert chip_labels(at) == []
    at = open_app(monkeypatch, fixture_db_path, query={"region": "North"})
    assert chip_labels(at) == ["Region: North"]
    link = at.sidebar.code[-1].value
    assert "region=North" in link


def test_the_data_page_shows_no_chips(monkeypatch, fixture_db_path):
    data = next(p for p in PAGES if p.url_path == "data")
    at = open_app(monkeypatch, fixture_db_path, data, {"channel": "Phone"})
    assert at.title[0].value == "Data"
    assert chip_labels(at) == []


def _values(array) -> list:
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


# Every clickable chart on the fixture: its key and where its points carry the filter value.
CLICKABLE = {
    "overview_trend": ("month", "x"),
    "overview_weakest": ("component", -1),
    "overview_branches": ("branch", -1),
    "components_gaps": ("component", -1),
    "components_vs_network": ("component", -1),
    "components_alpha": ("component", -1),
    "components_complaints": ("component", -1),
    "gaps_heatmap": ("branch", 0),
    "gaps_contributions": ("component", -1),
    "gaps_tolerance": ("component", -1),
    "gaps_ipa": ("component", -1),
    "complaints_pareto": ("category", -1),
    "complaints_channels": ("channel", "y"),
    "complaints_branch_rates": ("branch", -1),
    "complaints_region_rates": ("region", -1),
    "complaints_within_target": ("channel", "x"),
    "consistency_branches": ("branch", -1),
    "consistency_funnel": ("branch", -1),
    "consistency_ranking": ("branch", -1),
    "customers_reputation_by_branch": ("branch", -1),
    "customers_return_by_branch": ("branch", -1),
}


@pytest.mark.slow  # every page under AppTest
def test_every_clickable_chart_carries_valid_filter_values(monkeypatch, fixture_db_path):
    """Each chart with on_select: the value its points carry (an id, not a label) is one the
    sidebar offers, so a click filters rather than being ignored."""
    seen = set()
    for page in (p for p in PAGES if p.url_path not in ("explore", "rows", "data")):
        at = open_app(monkeypatch, fixture_db_path, page, {**FIXTURE_PERIOD, "min_n": "2"})
        options = at.session_state["filter_options"]
        for element in at.get("plotly_chart"):
            key = element.proto.id.rsplit("-", 1)[-1].split("__")[0]
            if not element.proto.selection_mode:
                assert key not in CLICKABLE, key
                continue
            spec = json.loads(element.proto.spec)
            if key not in CLICKABLE:
                continue
            seen.add(key)
            dimension, source = CLICKABLE[key]
            found = []
            for trace in spec["data"]:
                if isinstance(source, int):
                    data = trace.get("customdata")
                    found += [row[source] for row in data] if data else []
                else:
                    found += _values(trace.get(source, []))
            assert found, key
            if dimension == "month":
                assert all(crossfilter.month_of(v) for v in found), (key, found[:3])
            else:
                ids = [v for v in found if v != ""]
                assert ids and set(ids) <= set(options.values[dimension]), (key, sorted(set(ids))[:5])
    # the fixture has no identified customers: the return-rate chart is drawn on stores with visits
    # (tests/metrics/test_customers.py)
    assert seen >= set(CLICKABLE) - {"overview_branches", "gaps_tolerance", "customers_return_by_branch"}, (
        set(CLICKABLE) - seen
    )
