"""Every page on the stores real companies have (issue 13): a performance-only survey (the Israeli
hospital export), complaints without surveys (the CFPB sample), a SERVQUAL survey of one
branch without tickets (the kiosk) and visits alone (the support tickets' purchases). No
exception, no error box, no chart without data, and no gap where the survey asked no
expectations."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from servicequality import ingest
from servicequality.ui.navigation import PAGES
from tests.conftest import ROOT, SHARED_DATA, require_or_skip

pytestmark = pytest.mark.slow

STORES = {
    "performance_only": (
        "surveys",
        SHARED_DATA / "il_hospital_survey" / "satisfaction-hosp-psychiatry-2017.xls",
        "il_hospital_survey.toml",
    ),
    "tickets_only": ("tickets", SHARED_DATA / "cfpb_complaints" / "complaints_sample.csv", "cfpb_complaints.toml"),
    "one_branch_surveys_only": ("surveys", SHARED_DATA / "kiosk_servqual" / "kiosk.csv", "kiosk_servqual.toml"),
    "visits_only": (
        "visits",
        SHARED_DATA / "support_tickets" / "customer_support_tickets.csv",
        "support_ticket_purchases.toml",
    ),
}


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    out = {}
    for kind, (target, export, mapping) in STORES.items():
        require_or_skip(export.exists(), f"{export.name} is not in {SHARED_DATA}")
        db = tmp_path_factory.mktemp(kind) / f"{kind}.duckdb"
        ingest.run_import(target, export, ROOT / "mappings" / mapping, db)
        out[kind] = db
    return out


def open_app(monkeypatch, db, period: list[str] | None = None) -> AppTest:
    """The app on `db` (its opening page run), with the sidebar's period when given."""
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if period:
        at.query_params["period"] = period
    at.run()
    return at


def _has_data(trace: dict) -> bool:
    return any(len(trace.get(axis) or []) for axis in ("x", "y", "z", "values"))


@pytest.mark.parametrize("kind", list(STORES))
@pytest.mark.parametrize("page", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_renders_on_each_kind_of_store(monkeypatch, stores, kind, page):
    at = open_app(monkeypatch, stores[kind], ["2010-01-01", "2025-12-31"])
    at.switch_page(page.path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    for spec in specs:
        title = spec["layout"]["title"]["text"]
        assert any(_has_data(t) for t in spec["data"]), f"empty chart: {title}"
        if kind == "performance_only":
            assert "gap" not in title.lower() and "servqual" not in title.lower(), title
    if kind == "performance_only":
        labels = [m.label for m in at.metric]
        assert not any("SERVQUAL" in label or "gap" in label.lower() for label in labels), labels
    if kind == "one_branch_surveys_only":
        titles = " ".join(s["layout"]["title"]["text"] for s in specs)
        assert "against volume" not in titles and "ranked" not in titles.lower(), "no funnel or ranking of one branch"


def test_rows_rejected_as_a_whole_show_a_dash_for_column_and_value(monkeypatch, stores):
    # kiosk.csv (CP949) lines 25, 81, 158 and 205 answer none of the 48 SERVQUAL items: each row is
    # rejected whole, naming no column and no value (found with pandas: every item column blank)
    at = open_app(monkeypatch, stores["one_branch_surveys_only"])
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    rejected = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert rejected["line"].tolist() == [25, 81, 158, 205]
    assert rejected["column_name"].tolist() == ["–"] * 4
    assert rejected["value"].tolist() == ["–"] * 4
    # a survey store misses no complaint rate: no "No customers-served data" caption
    assert not any("customers-served" in c.value for c in at.caption), [c.value for c in at.caption]


def test_a_store_of_visits_alone_takes_its_period_from_them(monkeypatch, stores):
    # Visits only: the period came from tickets and surveys alone, so every page, the Data page
    # too, stopped at "holds no tickets or survey responses yet".
    import pandas as pd

    purchases = pd.read_csv(STORES["visits_only"][1], usecols=["Date of Purchase"])
    days = pd.to_datetime(purchases["Date of Purchase"]).dt.date
    at = open_app(monkeypatch, stores["visits_only"])
    customers = next(p for p in PAGES if p.url_path == "customers")
    at.switch_page(customers.path).run()
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    filters = at.session_state["filters"]
    # the default period: the last 12 months of the visits (364 days back from the last one)
    assert filters.end == days.max()
    assert filters.start == max(days.min(), days.max() - pd.Timedelta(days=364))
    assert {m.label: m.value for m in at.metric}["Return rate (90 days)"].endswith("%")


def test_the_data_page_opens_on_a_store_with_nothing_dated(monkeypatch, tmp_path):
    # Branches but no tickets, responses, customers served or visits: no period to offer. The
    # other pages stop with a sentence; the Data page, where the first ones are imported, opens.
    from servicequality import store
    from servicequality.ui.navigation import DATA_PAGE

    def one_branch(con):
        con.execute("insert into branches values ('B1', 'One', 'North', 'Leeds', 'Shop', 'Small', null)")

    db = store.build_atomically(tmp_path / "branches.duckdb", one_branch)
    at = open_app(monkeypatch, db)
    assert not at.exception
    assert "no tickets, survey responses, customers served or visits" in at.error[0].value
    at.switch_page(DATA_PAGE.path).run()
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    assert at.title[0].value == DATA_PAGE.title


def test_complaints_without_targets_satisfaction_or_disputes_say_so(monkeypatch, stores):
    # The CFPB sample: no service targets, no deadlines, no satisfaction score, and "Consumer
    # disputed?" N/A since 2017. The within-target chart was drawn empty, the within-target cards
    # read "–", satisfaction "–" with a "mean – of 5" chip, and N/A counted as not escalated.
    import pandas as pd

    raw = pd.read_csv(STORES["tickets_only"][1], skiprows=2, dtype=str, keep_default_na=False)
    period = raw[raw["Date received"].between("2019-03-21", "2020-03-19")]
    asked = period[period["Consumer disputed?"] != "N/A"]
    assert len(period) == 5178 and len(asked) == 0  # the CFPB stopped asking in 2017
    at = open_app(monkeypatch, stores["tickets_only"], ["2019-03-21", "2020-03-19"])
    complaints = next(p for p in PAGES if p.url_path == "complaints")
    at.switch_page(complaints.path).run()
    assert not at.exception and not at.error, [e.value for e in (*at.exception, *at.error)]
    cards = {m.label: m for m in at.metric}
    assert cards["Answered within target"].value == "no target set"
    assert cards["Resolved within target"].value == "no target set"
    satisfaction = cards["Satisfied with handling"]
    assert satisfaction.value == "not recorded" and not satisfaction.delta
    assert cards["Escalated"].value == "not recorded"
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not any("within target by channel" in t for t in titles), titles
    assert any("No target set for these complaints" in i.value for i in at.info)


def test_one_branch_is_not_compared_with_itself(monkeypatch, stores):
    # The kiosk survey is one branch: "against the whole network" drew it beside itself, every
    # difference +0.00 ("Furthest below the network: Security (+0.00 points)").
    at = open_app(monkeypatch, stores["one_branch_surveys_only"], ["2010-01-01", "2025-12-31"])
    at.switch_page(next(p for p in PAGES if p.url_path == "components").path).run()
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not any("against the whole network" in t for t in titles), titles
    assert any("no other branch to compare it with" in i.value for i in at.info), [i.value for i in at.info]
    assert not any("Furthest below the network" in m.value for m in at.markdown)


def test_the_category_filter_offers_only_categories_the_tickets_have(monkeypatch, stores):
    # Every new store is seeded with 13 default categories (Attitude, Etiquette ...). The CFPB
    # sample's complaints name none of them; the box listed them all the same beside the sample's
    # issues, each selecting nothing. The survey-only kiosk store has no category at all.
    sample = pd.read_csv(STORES["tickets_only"][1], skiprows=2, usecols=["Issue"], dtype=str)
    issues = sample["Issue"].str.strip().dropna().unique()  # 86: the import made a category of each
    at = open_app(monkeypatch, stores["tickets_only"])
    box = at.sidebar.multiselect(key="category")
    assert sorted(box.options) == sorted(issues)  # the mapping keeps each issue as its category
    assert "Attitude" not in box.options and not box.disabled
    at = open_app(monkeypatch, stores["one_branch_surveys_only"])
    box = at.sidebar.multiselect(key="category")
    assert box.options == [] and box.disabled
    assert box.placeholder == "None in this data"


def test_hospital_responses_show_their_answers_on_the_1_to_10_scale(stores):
    # The Rows page showed "not recorded" for every hospital response's overall satisfaction and
    # recommendation (it read the classic 1-5 and 0-10 columns only). The export's record 134183,
    # read with pandas: q1 (overall, 1-10) = 6, q136 (recommend, 1-10) = 10, surveyed 05/04/2017.
    import datetime as dt
    from dataclasses import replace

    from servicequality import store
    from servicequality.metrics import drilldown
    from tests.conftest import FIXTURE_PERIOD

    raw = pd.read_excel(STORES["performance_only"][1], engine="calamine", dtype=str)
    record = raw[raw["id"].str.strip() == "134183"].iloc[0]
    assert (record["q1"].strip(), record["q136"].strip()) == ("6", "10")
    con = store.connect_read_only(stores["performance_only"])
    try:
        run = lambda name, filters, **extra: store.run_query(con, name, {**filters.params(), **extra})  # noqa: E731
        period = replace(FIXTURE_PERIOD, start=dt.date(2017, 4, 5), end=dt.date(2017, 4, 5))
        page = drilldown.fetch_page(run, period, "responses", {}, "response_id", False, 1)
    finally:
        con.close()
    shown = drilldown.for_display(page.rows, "responses", reveal=True).set_index("Response")
    assert shown.loc["134183", "Overall satisfaction"] == "6 (1-10)"
    assert shown.loc["134183", "Would recommend"] == "10 (1-10)"
    assert 0 <= shown.loc["134183", "Performance (% of maximum)"] <= 100


def test_a_store_without_complaints_does_not_ask_to_widen_the_filter(monkeypatch, stores):
    # the hospital survey holds no ticket at all: "No complaints in this filter" asked for a wider one
    at = open_app(monkeypatch, stores["performance_only"], ["2010-01-01", "2025-12-31"])
    captions = [c.value for c in at.caption]
    assert "The store holds no complaints: there are no complaint figures." in captions
    assert not any("No complaints in this filter" in c for c in captions)
    # the Complaints and Rows pages likewise: "Widen the period" on a store with no ticket at all
    at.switch_page("pages/complaints.py").run()
    infos = [i.value for i in at.info]
    assert "The store holds no complaints: import tickets on the Data page to see them here." in infos
    assert not any("Widen" in i for i in infos)
    # the Rows page offers only the survey responses it holds (a link asking for complaints would
    # add them, to say there are none: drilldown.kinds_held, tests/metrics/test_rows.py)
    at.switch_page("pages/rows.py").run()
    assert at.segmented_control(key="rows").options == ["Survey responses"]
    infos = [i.value for i in at.info]
    assert not any("Widen" in i for i in infos)


def test_a_question_the_survey_never_asked_is_not_asked(monkeypatch, stores):
    # The kiosk survey asks overall satisfaction on 1-5 but no 0-10 recommendation: its NPS card read
    # "no answers, n = 0", as if the filter had missed them. Its one day of data (1 Oct 2019) also
    # has no previous period: the caption promised "Changes compare with ..." and no card had one.
    at = open_app(monkeypatch, stores["one_branch_surveys_only"], ["2010-01-01", "2025-12-31"])
    cards = {m.label: m.value for m in at.metric}
    assert cards["Net Promoter Score"] == "not asked"
    assert cards["CSAT (satisfied, 4-5 of 5)"].endswith("%")  # asked, and answered
    caption = at.caption[0].value
    # the period is cut to the data (one day); the day before it holds nothing
    assert "No changes are shown: the data start after the previous period" in caption, caption
    assert "Changes compare with" not in caption
    # one month: the trend is a sentence, not a dot per panel (an interval band needs two months)
    kiosk_month = "The store's data all fall in one month (October 2019): there is no trend to draw."
    assert kiosk_month in [i.value for i in at.info]
    at.switch_page("pages/components.py").run()
    assert kiosk_month in [i.value for i in at.info]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not any("by month" in t for t in titles), titles


def test_a_ratings_only_store_lists_responses_without_gap_columns(monkeypatch, stores):
    # The hospital asked no expectations: every response's "Mean gap" was "not recorded", and "Mean
    # perception (1-7)" named a scale its 1-4 and 1-10 items do not use. Neither is a column, nor a sort.
    at = open_app(monkeypatch, stores["performance_only"], ["2010-01-01", "2025-12-31"])
    at.switch_page("pages/rows.py").run()
    assert at.segmented_control(key="rows").value == "responses"
    columns = list(at.dataframe[0].value.columns)
    assert "Performance (% of maximum)" in columns and "Overall satisfaction" in columns
    assert not any("gap" in c.lower() or "perception" in c.lower() for c in columns), columns
    assert not any("gap" in o.lower() for o in at.selectbox(key="rows_sort").options)
    # the SERVQUAL kiosk keeps them
    at = open_app(monkeypatch, stores["one_branch_surveys_only"], ["2010-01-01", "2025-12-31"])
    at.switch_page("pages/rows.py").run()
    assert "Mean gap (perception − expectation)" in list(at.dataframe[0].value.columns)


def test_a_visits_only_store_lists_its_visits(monkeypatch, stores):
    # The support purchases: customers' purchase dates by product, nothing else. The Rows page said
    # "The store holds no complaints" and offered no visits. Pandas on the export: the purchases of
    # 2021 (its last year), each a visit; no customer's key is shown, hashed or not.
    raw = pd.read_csv(STORES["visits_only"][1], dtype=str)
    bought = pd.to_datetime(raw["Date of Purchase"])
    in_2021 = int((bought.dt.year == 2021).sum())
    at = open_app(monkeypatch, stores["visits_only"], ["2021-01-01", "2021-12-31"])
    # the Overview's trend: not "in this period", the store has none at all
    infos = [i.value for i in at.info]
    assert "The store holds no tickets or survey ratings: there is no monthly trend to draw." in infos, infos
    at.switch_page("pages/rows.py").run()
    assert at.segmented_control(key="rows").value == "visits"
    assert any(c.value.startswith(f"rows 1-50 of {in_2021:,}") for c in at.caption), [c.value for c in at.caption]
    table = at.dataframe[0].value
    # no channel, segment, value, referral or region in the export ("Region not recorded", the
    # mapping's words): left out and named; the product is the branch, its code the same words: left out
    assert list(table.columns) == ["Visited", "Days since previous visit", "Branch", "Branch type"]
    assert any(
        "so not shown: Region, Channel, Customer segment, Value, Came on a referral" in c.value for c in at.caption
    ), [c.value for c in at.caption]
    assert table["Visited"].iloc[0] == bought[bought.dt.year == 2021].max().date()  # latest first
    assert not table.astype(str).apply(lambda c: c.str.contains("@")).any().any()  # no e-mail, hashed or not
    assert list(at.selectbox(key="rows_sort").options) == ["Visited", "Branch"]


def test_a_complaints_store_lists_only_the_columns_its_export_records(monkeypatch, stores):
    # The CFPB records no handling time, no target, no reopening and no handling score (pandas: the
    # export has no such column); it records the issue (category), and whether the complaint was
    # disputed only until 2017: not in this year (tests/pages/test_real_tickets.py, by pandas).
    at = open_app(monkeypatch, stores["tickets_only"], ["2019-03-21", "2020-03-19"])
    at.switch_page("pages/rows.py").run()
    columns = list(at.dataframe[0].value.columns)
    assert "Category" in columns and "Escalated" not in columns
    for gone in ("First response (minutes)", "Resolution (minutes)", "Resolution target (minutes)", "Times reopened"):
        assert gone not in columns
    assert any(
        c.value.startswith("Not recorded in this store's data, so not shown: First response") for c in at.caption
    )
    assert "First response (minutes)" not in at.selectbox(key="rows_sort").options


def test_a_complaints_store_says_what_its_export_does_not_record(monkeypatch, stores):
    # The CFPB's year from 21 Mar 2019: pandas counts 5,178 complaints, 4,381 + 598 + 143 = 5,122
    # "Closed ..." and 35 + 21 = 56 open ("In progress", "Untimely response"); no closing date, no
    # first response, no target, no satisfaction score, no survey. The cards read "n = 0 resolved, 56
    # still open" (5,122 closed complaints in neither), "n = 0 answered, 56 still waiting", "n = 0
    # scored complaints"; the Components page showed a "Survey responses 0" card.
    raw = pd.read_csv(STORES["tickets_only"][1], skiprows=2, dtype=str, keep_default_na=False)
    period = raw[raw["Date received"].between("2019-03-21", "2020-03-19")]
    response = period["Company response to consumer"]
    closed, still_open = (
        int(response.str.startswith("Closed").sum()),
        int(response.isin(["In progress", "Untimely response"]).sum()),
    )
    assert (len(period), closed, still_open) == (5_178, 5_122, 56)
    at = open_app(monkeypatch, stores["tickets_only"], ["2019-03-21", "2020-03-19"])
    cards = {m.label: m for m in at.metric}
    resolution = cards["Median resolution time"]
    assert resolution.value == "not recorded"
    first = cards["Median first response"]
    assert first.value == "not recorded"
    notes = [c.value for c in at.caption]
    assert f"none resolved with a time recorded: {closed:,} closed without one, {still_open} still open" in notes, notes
    assert f"no first response in the export for these {len(period):,} complaints" in notes
    assert "The store holds no survey responses: the survey figures are left out." in notes
    assert not any("still waiting" in n for n in notes), notes
    at.switch_page("pages/complaints.py").run()
    cards = {m.label: m for m in at.metric}
    assert cards["Median resolution time"].value == "not recorded"
    notes = [c.value for c in at.caption]
    assert "no complaint in this filter has a score" in notes and not any("n = 0 scored" in n for n in notes)
    assert f"not in the export for these {len(period):,} complaints" in notes  # reopened: no such column
    infos = [i.value for i in at.info]
    assert "The export records no first response for these complaints." in infos
    assert "The export records no resolution time for these complaints." in infos
    for page in ("pages/components.py", "pages/gaps.py"):
        at.switch_page(page).run()
        assert not at.metric, [m.label for m in at.metric]  # no "Survey responses 0" card
        assert [i.value for i in at.info][0].startswith("The store holds no survey responses: import a survey")


def test_a_store_without_customers_says_so_once(monkeypatch, stores):
    # CFPB: no customer key. The same "No identified customers in this store ..." box stood under both
    # headings, and the caption spoke of "the return rate with the stretch of it ... judged".
    at = open_app(monkeypatch, stores["tickets_only"], ["2019-03-21", "2020-03-19"])
    at.switch_page("pages/customers.py").run()
    infos = [i.value for i in at.info]
    assert sum(i.startswith("No identified customers in this store") for i in infos) == 1, infos
    assert "This needs identified customers too (see above)." in infos
    assert "return rate" not in at.caption[0].value


def test_explore_does_not_ask_to_widen_for_what_the_store_never_holds(monkeypatch, stores):
    # The CFPB records no closing time: "Nothing to show ... Widen the period or the filters" sent the
    # reader looking for resolution times that no period has.
    from servicequality.metrics import explore

    monkeypatch.setenv("SQ_DATABASE", str(stores["tickets_only"]))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["period"] = ["2019-03-21", "2019-04-30"]
    at.query_params["explore_measure"] = explore.MEASURES["resolution"].label
    at.run()
    at.switch_page("pages/explore.py").run()
    infos = [i.value for i in at.info]
    # nor does "no complaints resolved" fit its 6,551 closed complaints: the time is not recorded
    assert any(i.startswith("Not recorded: this store's exports give no resolution time") for i in infos), infos
    assert not any("Widen" in i for i in infos), infos
    # complaints the store has, on a day with none by fax (pandas: 21 Mar 2019 has 39 by web, 17 by
    # referral, 7 by phone): there widening does help
    raw = pd.read_csv(STORES["tickets_only"][1], skiprows=2, dtype=str, keep_default_na=False)
    assert not ((raw["Date received"] == "2019-03-21") & (raw["Submitted via"] == "Fax")).any()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["period"] = ["2019-03-21", "2019-03-21"]
    at.query_params["channel"] = ["Fax"]
    at.run()
    at.switch_page("pages/explore.py").run()
    infos = [i.value for i in at.info]
    assert any(i.startswith("Nothing to show") and "Widen the period" in i for i in infos), infos
