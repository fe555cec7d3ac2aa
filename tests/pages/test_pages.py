"""Every page under streamlit.testing.v1.AppTest, against the fixture and the demo database."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from servicequality.ui.navigation import PAGES
from tests.conftest import ROOT


def open_app(monkeypatch, db, page=None, query=None) -> AppTest:
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page.path).run()
    return at


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def plotly_specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


@pytest.mark.parametrize("page", PAGES, ids=[p.url_path for p in PAGES])
def test_page_renders_on_fixture(monkeypatch, fixture_db_path, page):
    at = open_app(monkeypatch, fixture_db_path, page, {"period": ["2024-01-01", "2024-02-29"]})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == page.title
    for spec in plotly_specs(at):
        assert spec["layout"]["title"]["text"], "every chart has a title"


def test_overview_key_numbers_on_fixture(monkeypatch, fixture_db_path):
    at = open_app(monkeypatch, fixture_db_path, query={"period": ["2024-01-01", "2024-02-29"]})
    values = metric_values(at)
    # hand-worked in tests/metrics/test_overview.py: -0.5, -0.625, 2/3, 0, 4 per 1,000
    assert values["SERVQUAL score (unweighted)"] == "-0.50"
    assert values["SERVQUAL score (weighted)"] == "-0.62"  # −0.625 respondent by respondent
    assert values["CSAT (satisfied, 4-5 of 5)"] == "66.7 %"
    assert values["Net Promoter Score"] == "0.0"
    assert values["Complaints per 1,000 served"] == "4.00"
    # Kaplan-Meier (tests/store/test_queries.py): first response 0.5, 1, 3, 360 -> S 1/2 after 1;
    # resolution 60, 720 (S 1/2), T3 open at 1,800, 2880 -> 720 min = 12.0 h
    assert values["Median first response"] == "1 min"
    assert values["Median resolution time"] == "12.0 h"
    captions = [c.value for c in at.caption]
    assert "n = 3 resolved, 1 still open" in captions, "\n".join(captions)
    assert "n = 4 respondents" in captions
    assert "4 complaints / 1,000 customers" in captions


def test_overview_weakest_components_table_fits_a_phone(monkeypatch, fixture_db_path):
    # At 390 px the grid has 356 px: with 95% CI low and high as two columns the demo's table was
    # 410 px wide and n scrolled off. Four columns, the interval as its half-width, n last.
    at = open_app(monkeypatch, fixture_db_path, query={"period": ["2024-01-01", "2024-02-29"]})
    table = next(d.value for d in at.dataframe if "Gap (P − E)" in d.value.columns)
    assert list(table.columns) == ["Component", "Gap (P − E)", "± (95% CI)", "n"]
    # the fixture's two components (tests/fixture_db.py), gap = mean over R1-R4 of mean P - mean E:
    # reliability (5-6.5, 5-6, 5.5-6, 7-7) / 4 = -0.75; tangibles (1, 0, 1, -3) / 4 = -0.25
    assert table["Component"].tolist() == ["Reliability", "Tangibles"]
    assert table["Gap (P − E)"].tolist() == pytest.approx([-0.75, -0.25])
    # ± t(0.975, 3) · s / √4 with t = 3.1824 (a t table): reliability s² = (0.75² + 0.25² + 0.25²
    # + 0.75²) / 3 = 1.25 / 3, ± 1.027; tangibles s² = (1.25² + 0.25² + 1.25² + 2.75²) / 3 = 10.75 / 3,
    # ± 3.012
    assert table["± (95% CI)"].tolist() == pytest.approx([1.027, 3.012], abs=0.001)
    assert table["n"].tolist() == [4, 4]


# AppTest loses the frame's sidebar widgets from its element tree on a second run of an
# st.navigation app, so each filter state is a fresh run from URL parameters (what a pasted
# link does); the browser test changes a filter through the widget itself.


def test_changing_a_filter_changes_the_numbers(monkeypatch, fixture_db_path):
    period = {"period": ["2024-01-01", "2024-02-29"]}
    at = open_app(monkeypatch, fixture_db_path, query=period)
    assert metric_values(at)["Complaints per 1,000 served"] == "4.00"
    at = open_app(monkeypatch, fixture_db_path, query={**period, "region": "North"})
    assert at.multiselect(key="region").value == ["North"]
    # North: 3 complaints / 600 served
    assert metric_values(at)["Complaints per 1,000 served"] == "5.00"


def test_url_parameters_set_the_filters_on_every_page(monkeypatch, fixture_db_path):
    query = {"period": ["2024-01-01", "2024-02-29"], "region": ["North"], "channel": ["Phone"]}
    for page in PAGES:
        at = open_app(monkeypatch, fixture_db_path, page, query)
        assert not at.exception
        assert at.title[0].value == page.title
        filters = at.session_state["filters"]
        assert (filters.regions, filters.channels) == (("North",), ("Phone",))
        assert (filters.start.isoformat(), filters.end.isoformat()) == ("2024-01-01", "2024-02-29")


def test_missing_database_gives_a_message_not_a_traceback(monkeypatch, tmp_path):
    at = open_app(monkeypatch, tmp_path / "nowhere.duckdb")
    assert not at.exception
    assert "No database at" in at.error[0].value


def test_empty_database_gives_a_message(monkeypatch, tmp_path):
    from servicequality import store

    db = store.build_atomically(tmp_path / "empty.duckdb", lambda con: None)
    at = open_app(monkeypatch, db)
    assert not at.exception
    assert "empty" in at.error[0].value


def test_a_database_from_older_code_asks_for_a_refresh(monkeypatch, fixture_db_path, tmp_path):
    # A store whose rollups were built by other code (here: one rollup gone, as in a file written
    # before it existed) gets one sentence naming the command, and only the Data page, not tracebacks.
    import shutil

    from servicequality import store

    db = tmp_path / "older.duckdb"
    shutil.copy(fixture_db_path, db)
    con = store.connect_read_write(db)
    con.execute("drop table rollup_response_performance")
    con.close()
    at = open_app(monkeypatch, db)
    assert not at.exception
    assert "older version" in at.error[0].value
    assert "python -m servicequality refresh --db older.duckdb" in at.error[0].value
    assert str(tmp_path) not in at.error[0].value  # the file's name, not where it lives


def test_not_a_database_gives_a_message(monkeypatch, tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    at = open_app(monkeypatch, bad)
    assert not at.exception
    assert "Cannot open the database" in at.error[0].value


def test_consistency_page_when_every_complaint_met_its_target(monkeypatch, demo_db_path, tmp_path):
    # Issue 14, item 11: with every target met, "resolved within target" is 100 % in every branch,
    # its standard error is 0, and the ranking crashed (IntCastingNaNError) while the funnel flagged
    # all 48 branches as outside the limits. Now: no error, nobody outside, and no ranking (every
    # branch would be #1: the between-branch SD is 0) but a sentence saying why.
    import shutil

    from servicequality.store import connect_read_write, rollups
    from servicequality.ui.navigation import PAGES as ALL_PAGES

    db = tmp_path / "all_met.duckdb"
    shutil.copy(demo_db_path, db)
    con = connect_read_write(db)
    con.execute("update service_targets set first_response_minutes = 100000000, resolution_minutes = 100000000")
    rollups.refresh(con)
    con.close()
    consistency_page = next(p for p in ALL_PAGES if p.url_path == "consistency")
    at = open_app(monkeypatch, db, consistency_page)
    at.selectbox(key="measure").set_value("within_target").run()
    assert not at.exception, [e.value for e in at.exception]
    values = metric_values(at)
    assert values["Network"] == "100.0 %"
    assert values["Outside 99.8% limits"].startswith("0 of ")
    titles = [spec["layout"]["title"]["text"].replace("<br>", " ") for spec in plotly_specs(at)]
    assert not any(t.startswith("Branches ranked on") for t in titles), titles
    assert any(i.value.startswith("No ranking: the 48 branches with at least") for i in at.info)
    assert any("48 branches, none ranked" in c.value for c in at.caption)  # the spread card's n


def test_complaint_rate_under_a_channel_selection_names_its_denominator(monkeypatch, fixture_db_path):
    # Issue 14, item 4. Fixture, Jan-Feb 2024, channel Phone: the numerator is the Phone complaints,
    # the denominator all 1,000 customers served (100 + 200 + 300 + 400), who are not Phone
    # customers only, so the label must not read as a Phone complaint rate.
    query = {"period": ["2024-01-01", "2024-02-29"], "channel": "Phone"}
    at = open_app(monkeypatch, fixture_db_path, query=query)
    labels = [m.label for m in at.metric]
    assert "Selected complaints per 1,000 of all served" in labels
    assert "Complaints per 1,000 served" not in labels
    assert any("not recorded per channel" in c.value for c in at.caption)
    plain = open_app(monkeypatch, fixture_db_path, query={"period": ["2024-01-01", "2024-02-29"]})
    assert "Complaints per 1,000 served" in [m.label for m in plain.metric]


def test_overview_deltas_are_coloured_only_beyond_noise(monkeypatch, demo_db_path):
    # Issue 14, item 7. Demo, 2025 against 2024: CSAT moves by about half a point on ~13,800
    # answers a year (two-proportion z test p ≈ 0.4): grey and "(noise)". Complaints per 1,000
    # move by about +0.3 on ~400,000 customers served a year, beyond noise (exact conditional test).
    at = open_app(monkeypatch, demo_db_path)
    metrics = {m.label: m.proto for m in at.metric}
    csat = metrics["CSAT (satisfied, 4-5 of 5)"]
    assert csat.delta.endswith("(noise)") and "two-proportion z test" in csat.help
    assert "within sampling noise" in csat.help
    rate = metrics["Complaints per 1,000 served"]
    assert "noise" not in rate.delta and "exact conditional" in rate.help
    colours = {label: proto.color for label, proto in metrics.items() if proto.delta.endswith("(noise)")}
    assert colours and set(colours.values()) == {csat.color}
    assert rate.color != csat.color


def test_a_link_with_a_branch_id_and_lower_case_labels_is_understood(monkeypatch, fixture_db_path):
    # Issue 14, item 9: the widgets accept only their exact labels ("Alpha (B1)", "North"); a link
    # typed by hand with an id or another case selects the same thing, and a value that matches
    # nothing is named in a warning instead of vanishing.
    query = {"period": ["2024-01-01", "2024-02-29"], "my_branch": "b1", "region": ["north", "Nowhere"]}
    at = open_app(monkeypatch, fixture_db_path, query=query)
    assert not at.exception
    assert at.selectbox(key="my_branch").value == "B1"
    assert at.multiselect(key="region").value == ["North"]
    assert [w.value for w in at.warning] == ["Ignored in the link (no such value): region `Nowhere`"]


def test_without_targets_the_pages_say_no_target_set(monkeypatch, fixture_db_path, tmp_path):
    # Issue 14, item 10: the fixture's complaints with every service target removed.
    import shutil

    from servicequality.store import connect_read_write, rollups
    from servicequality.ui.navigation import PAGES as ALL_PAGES

    db = tmp_path / "no_targets.duckdb"
    shutil.copy(fixture_db_path, db)
    con = connect_read_write(db)
    con.execute("delete from service_targets")
    rollups.refresh(con)
    con.close()
    query = {"period": ["2024-01-01", "2024-02-29"]}
    overview = open_app(monkeypatch, db, query=query)
    # "no targets set" was cut on a quarter-width card
    assert metric_values(overview)["Answered / resolved on time"] == "no target"
    complaints_page = next(p for p in ALL_PAGES if p.url_path == "complaints")
    at = open_app(monkeypatch, db, complaints_page, query)
    assert not at.exception, [e.value for e in at.exception]
    values = metric_values(at)
    assert values["Answered within target"] == "no target set"
    assert values["Resolved within target"] == "no target set"


def test_complaints_page_says_not_recorded_for_fields_the_export_lacks(monkeypatch, fixture_db_path, tmp_path):
    # Issue 14, item 10: "Reopened 0.0 % (0 of 4,997)" for an export without the field. Here no
    # complaint records reopening, and escalation is missing for T1 only.
    import shutil

    from servicequality.store import connect_read_write, rollups
    from servicequality.ui.navigation import PAGES as ALL_PAGES

    db = tmp_path / "partial.duckdb"
    shutil.copy(fixture_db_path, db)
    con = connect_read_write(db)
    con.execute("update tickets set reopened_count = null")
    con.execute("update tickets set escalated = null where ticket_id = 'T1'")
    rollups.refresh(con)
    con.close()
    page = next(p for p in ALL_PAGES if p.url_path == "complaints")
    at = open_app(monkeypatch, db, page, {"period": ["2024-01-01", "2024-02-29"]})
    assert not at.exception, [e.value for e in at.exception]
    cards = {m.label: m for m in at.metric}
    assert cards["Reopened"].value == "not recorded"
    assert cards["Escalated"].value != "not recorded"
    assert "(not recorded for 1)" in cards["Escalated"].proto.help or any(
        "(not recorded for 1)" in c.value for c in at.caption
    )


def test_data_page_uploader_takes_every_format_a_mapping_can_name(monkeypatch, fixture_db_path):
    from servicequality.ingest.mapping import FORMATS
    from servicequality.ui.navigation import DATA_PAGE

    at = open_app(monkeypatch, fixture_db_path, DATA_PAGE)
    uploader = next(u for u in at.get("file_uploader") if u.proto.label == "Export file")
    # a mapping may say format = "xls" (mappings/il_hospital_survey.toml reads a legacy .xls)
    assert {f".{f}" for f in FORMATS} <= set(uploader.proto.type), list(uploader.proto.type)
    assert ".xls" in uploader.proto.type


def _fill_visits_only(con) -> None:
    # two branches and four visits (c1 back after 10 days), no ticket and no survey response
    con.execute(
        "insert into branches values ('B1', 'Alpha', 'North', 'Town', 'Standard', 'Small', null), "
        "('B2', 'Beta', 'South', 'Port', 'Standard', 'Small', null)"
    )
    con.execute(
        "insert into visits (customer_key, branch_id, visited_on) values "
        "('c1', 'B1', date '2024-01-05'), ('c1', 'B1', date '2024-01-15'), ('c2', 'B2', date '2024-01-07'), "
        "('c3', 'B2', date '2024-02-01')"
    )


def test_a_store_without_tickets_says_so_not_that_its_tickets_hold_no_compliments(monkeypatch, tmp_path):
    from servicequality import store

    db = store.build_atomically(tmp_path / "visits_only.duckdb", _fill_visits_only)
    for page_path in ("pages/customers.py", "pages/overview.py"):
        page = next(p for p in PAGES if p.path == page_path)
        at = open_app(monkeypatch, db, page, {"period": ["2024-01-01", "2024-02-29"]})
        assert not at.exception, [e.value for e in at.exception]
        reputation = next(m for m in at.metric if m.label == "Reputation (praise share)")
        assert reputation.value == "not recorded"
        words = " ".join(e.value for elements in (at.caption, at.markdown, at.info) for e in elements)
        assert "tickets hold no compliments" not in words, page_path
        assert "the store holds no tickets" in words, page_path
    # the Customers page's reputation and recovery sections say the same
    infos = [i.value for i in open_app(monkeypatch, db, next(p for p in PAGES if p.path == "pages/customers.py")).info]
    assert any(i.startswith("The store holds no tickets, so reputation") for i in infos), infos
    assert any(i.startswith("The store holds no tickets, so recovery after complaints") for i in infos), infos


def _fill_visits_three_branches(con, gamma_back: bool = False) -> None:
    # Alpha (B1) 1 customer, Beta (B2) 3, Gamma (B3) 2 in January 2024; nobody back unless
    # gamma_back (g1 again on 20 Jan). No branch is outside the limits at these volumes. A June
    # visit at B3 (outside the period) makes January's customers judgeable.
    con.execute(
        "insert into branches values ('B1', 'Alpha', 'North', 'Town', 'Standard', 'Small', null), "
        "('B2', 'Beta', 'North', 'Town', 'Standard', 'Small', null), "
        "('B3', 'Gamma', 'South', 'Port', 'Standard', 'Small', null)"
    )
    con.execute(
        "insert into visits (customer_key, branch_id, visited_on) values "
        "('a1', 'B1', date '2024-01-05'), ('b1', 'B2', date '2024-01-06'), ('b2', 'B2', date '2024-01-07'), "
        "('b3', 'B2', date '2024-01-08'), ('g1', 'B3', date '2024-01-09'), ('g2', 'B3', date '2024-01-10'), "
        "('g9', 'B3', date '2024-06-01')"
    )
    if gamma_back:
        con.execute("insert into visits (customer_key, branch_id, visited_on) values ('g1', 'B3', date '2024-01-20')")


@pytest.mark.parametrize(("gamma_back", "opened_on"), [(False, "B2"), (True, "B3")])
def test_the_control_chart_opens_on_the_branch_with_the_most_to_show(monkeypatch, tmp_path, gamma_back, opened_on):
    # It opened on the first branch by name (Alpha, one customer; on the support store "Adobe
    # Photoshop", a flat line at 0) when no branch was outside the limits. Now: the most volume among
    # branches with a return (Gamma, 1 of 2, when g1 came back), else the most volume (Beta, 3 customers).
    from servicequality import store

    db = store.build_atomically(
        tmp_path / "visits_three.duckdb", lambda con: _fill_visits_three_branches(con, gamma_back)
    )
    page = next(p for p in PAGES if p.path == "pages/consistency.py")
    at = open_app(monkeypatch, db, page, {"period": ["2024-01-01", "2024-01-31"]})
    assert not at.exception, [e.value for e in at.exception]
    assert next(s for s in at.selectbox if s.label == "Measure").value == "return_rate"
    assert next(s for s in at.selectbox if s.label == "Branch").value == opened_on
    # my branch, when set, still comes first
    at = open_app(monkeypatch, db, page, {"period": ["2024-01-01", "2024-01-31"], "my_branch": "Alpha (B1)"})
    assert next(s for s in at.selectbox if s.label == "Branch").value == "B1"
