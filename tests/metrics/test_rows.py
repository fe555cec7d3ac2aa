"""Rows behind the numbers: pagination, the sort whitelist, cells from links and masking.

Expected rows by hand from tests/fixture_db.py (period 2024-01-01 .. 2024-02-29)."""

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from servicequality import store
from servicequality.metrics import drilldown
from tests import fixture_db
from tests.conftest import FIXTURE_PERIOD as P
from tests.conftest import ROOT
from tests.fixture_db import RESPONSE_COLUMNS


def runner(con):
    return lambda name, filters, **extra: store.run_query(con, name, {**filters.params(), **extra})


def ids(page) -> list[str]:
    column = "ticket_id" if "ticket_id" in page.rows.columns else "response_id"
    return page.rows[column].tolist()


def test_page_arithmetic():
    assert drilldown.page_bounds(2, 12_345) == (2, 50, 247)
    assert drilldown.page_bounds(-3, 120) == (1, 0, 3)
    assert drilldown.page_bounds(10**12, 120) == (3, 100, 3)
    assert drilldown.page_bounds(5, 0) == (1, 0, 1)
    assert drilldown.range_words(2, 12_345) == "rows 51-100 of 12,345"
    assert drilldown.range_words(3, 120) == "rows 101-120 of 120"
    assert drilldown.range_words(1, 0) == "no rows"


def test_tickets_are_paginated_newest_first(fixture_con):
    run = runner(fixture_con)
    # every ticket in the period, newest first: T4 (6 Feb), T3 (5 Feb), T6 (21 Jan), T5 (20 Jan), T2, T1
    pages = [drilldown.fetch_page(run, P, "tickets", {}, "opened_at", True, n, page_size=2) for n in (1, 2, 3)]
    assert [ids(p) for p in pages] == [["T4", "T3"], ["T6", "T5"], ["T2", "T1"]]
    assert {(p.total, p.pages) for p in pages} == {(6, 3)}
    beyond = drilldown.fetch_page(run, P, "tickets", {}, "opened_at", True, 99, page_size=2)
    assert (beyond.page, beyond.asked_page, ids(beyond)) == (3, 99, ["T2", "T1"])


def test_complaints_only_and_sorting_by_each_whitelisted_key(fixture_con):
    run = runner(fixture_con)
    complaints = {"T1", "T2", "T3", "T5"}
    for kind, keys in drilldown.SORTS.items():
        if kind == "visits":  # the fixture has none: tests/store/test_queries.py, drill_visits
            continue
        expected = (
            complaints
            if kind == "complaints"
            else ({"T1", "T2", "T3", "T4", "T5", "T6"} if kind == "tickets" else {"R1", "R2", "R3", "R4"})
        )
        for key in keys:
            for descending in (True, False):
                page = drilldown.fetch_page(run, P, kind, {}, key, descending, 1)
                assert set(ids(page)) == expected, (kind, key, descending)
    # satisfaction: T1 4, T2 2, T3 none, T5 5; missing values last both ways
    up = drilldown.fetch_page(run, P, "complaints", {}, "satisfaction", False, 1)
    down = drilldown.fetch_page(run, P, "complaints", {}, "satisfaction", True, 1)
    assert (ids(up), ids(down)) == (["T2", "T1", "T5", "T3"], ["T5", "T1", "T2", "T3"])
    # priority in its own order (low < normal < high < urgent), not alphabetical: T1, T3 normal; T2 high; T5 urgent
    assert ids(drilldown.fetch_page(run, P, "complaints", {}, "priority", False, 1)) == ["T1", "T3", "T2", "T5"]
    # responses by mean gap: R4 -1.5, R2 -0.5, R1 -0.25, R3 0.25
    assert ids(drilldown.fetch_page(run, P, "responses", {}, "mean_gap", False, 1)) == ["R4", "R2", "R1", "R3"]


def test_responses_show_their_answers_on_their_scale_and_their_performance(fixture_con):
    run = runner(fixture_con)
    page = drilldown.fetch_page(run, P, "responses", {}, "response_id", False, 1)
    shown = drilldown.for_display(page.rows, "responses", reveal=True).set_index("Response")
    # The classic scales: R1 answered 10 of 0-10 and 5 of 1-5; R4 answered neither (not recorded).
    assert shown.loc["R1", "Would recommend"] == "10 (0-10)"
    assert shown.loc["R1", "Overall satisfaction"] == "5 (1-5)"
    assert shown.loc["R4", ["Would recommend", "Overall satisfaction"]].isna().all()
    # Performance, the mean over the components rated of the component's percent of maximum (1-7):
    #   R1 reliability (5-1)/6, (5-1)/6 -> 66.67; tangibles (6-1)/6 -> 83.33; mean 75.0
    #   R2 reliability (6-1)/6, (4-1)/6 -> 66.67; tangibles (4-1)/6 -> 50.0; mean 58.33
    #   R4 reliability 100, 100 -> 100; tangibles (3-1)/6 -> 33.33; mean 66.67
    assert shown.loc[["R1", "R2", "R4"], "Performance (% of maximum)"].tolist() == [75.0, 58.3, 66.7]
    # Sorted by the answer as a share of its scale: nps R2 6, R3 8, R1 10, R4 none (last);
    # satisfaction R2 3, R3 4, R1 5, R4 none.
    for key in ("nps", "overall_satisfaction"):
        assert ids(drilldown.fetch_page(run, P, "responses", {}, key, False, 1)) == ["R2", "R3", "R1", "R4"]
        assert ids(drilldown.fetch_page(run, P, "responses", {}, key, True, 1)) == ["R1", "R3", "R2", "R4"]


def test_answers_on_another_scale_say_it():
    # A hospital's 1-10 question, one answer of 7.5 (an average of two raters, say) and one not asked.
    rows = pd.DataFrame(
        {"satisfaction_answer": [6.0, 7.5, None], "satisfaction_min": [1, 1, None], "satisfaction_max": [10, 10, None]}
    )
    assert drilldown.answers_on_scale(rows, "satisfaction").tolist() == ["6 (1-10)", "7.5 (1-10)", None]
    # a yes/no question (Skytrax's "recommended", 0-1) read "1 (0-1)"; 0 on 0-10 stays a number
    flags = pd.DataFrame(
        {"recommend_answer": [1.0, 0.0, 0.0, None], "recommend_min": [0, 0, 0, None], "recommend_max": [1, 1, 10, None]}
    )
    assert drilldown.answers_on_scale(flags, "recommend").tolist() == ["yes", "no", "0 (0-10)", None]


def test_a_sort_key_outside_the_whitelist_sorts_by_the_default(fixture_con):
    run = runner(fixture_con)
    evil = drilldown.fetch_page(run, P, "complaints", {}, "1; drop table tickets; --", True, 1)
    default = drilldown.fetch_page(run, P, "complaints", {}, "opened_at", True, 1)
    assert ids(evil) == ids(default) == ["T3", "T5", "T2", "T1"]
    # straight to SQL, an unknown key only leaves the tie-break (ticket id)
    params = {**P.params(), **drilldown.QUERY_DEFAULTS, "sort": "opened_at; drop table tickets"}
    assert store.run_query(fixture_con, "drill_tickets", params)["ticket_id"].tolist() == ["T1", "T2", "T3", "T5"]
    assert store.run_query(fixture_con, "complaint_summary", P.params()).iloc[0]["complaints"] == 4


def test_cells_narrow_the_rows(fixture_con):
    run = runner(fixture_con)

    def cell_ids(kind, **cell):
        return sorted(
            ids(drilldown.fetch_page(run, P, kind, {k: str(v) for k, v in cell.items()}, "opened_at", True, 1))
        )

    assert cell_ids("complaints", region="North", month="2024-01") == ["T1", "T2"]
    assert cell_ids("complaints", weekday=1) == ["T2", "T3"]  # 15 Jan and 5 Feb 2024 are Mondays
    assert cell_ids("complaints", component="courtesy") == ["T1", "T5"]  # Attitude and Etiquette
    assert cell_ids("complaints", family="product") == ["T2", "T3"]
    assert cell_ids("tickets", category="Unmapped") == ["T4", "T6"]  # tickets without a category
    assert cell_ids("responses", branch="B1", channel="Phone") == ["R1"]
    assert cell_ids("responses", component="tangibles", segment="Individual") == ["R1", "R3"]
    # values that match nothing, however odd, give no rows rather than an error
    assert cell_ids("complaints", month="2024-13") == []
    assert cell_ids("complaints", weekday="8") == []
    assert cell_ids("complaints", region="North' or '1'='1") == []
    assert cell_ids("complaints", branch="B1" * 500) == []


def test_the_component_filter_keeps_responses_that_scored_it(fixture_con):
    run = runner(fixture_con)
    page = drilldown.fetch_page(run, replace(P, components=("courtesy",)), "responses", {}, "submitted_at", True, 1)
    assert page.total == 0  # nobody scored courtesy
    page = drilldown.fetch_page(run, replace(P, components=("tangibles",)), "responses", {}, "submitted_at", True, 1)
    assert page.total == 4


def test_links_carry_the_filters_and_the_cell():
    current = {
        "period": ["2024-01-01", "2024-02-29"],
        "region": ["North", "South"],
        "rows_page": ["4"],
        "rows_branch": ["B1"],
    }
    params = drilldown.link_query_params(current, "responses", month=dt.date(2024, 1, 1), weekday=3, region=None)
    assert params == {
        "period": ["2024-01-01", "2024-02-29"],
        "region": ["North", "South"],
        "rows": ["Survey responses"],
        "rows_month": ["2024-01"],
        "rows_weekday": ["3"],
    }
    with pytest.raises(ValueError, match="Unknown dimension"):
        drilldown.cell_params("complaints", colour="red")


def test_parse_request_names_what_it_ignored():
    request = drilldown.parse_request(
        {
            "rows": ["Survey responses"],  # the labels the page's bound controls write
            "rows_category": ["Delivery"],
            "rows_region": ["North"],
            "rows_sort": ["Would recommend"],
            "rows_desc": ["false"],
            "rows_page": ["3"],
        }
    )
    assert (request.kind, request.cell, request.sort, request.descending, request.page) == (
        "responses",
        (("region", "North"),),
        "nps",
        False,
        3,
    )
    assert request.problems == ("Complaint category does not apply to survey responses: ignored.",)
    odd = drilldown.parse_request({"rows": "x'--", "rows_sort": "1; drop table", "rows_page": "abc"})
    assert (odd.kind, odd.sort, odd.page) == ("complaints", "opened_at", 1)
    assert len(odd.problems) == 3
    assert drilldown.parse_request({"rows": "Survey responses", "rows_sort": "Submitted"}).problems == ()
    # keys are not what the bound controls read: named as unknown rather than silently dropped
    assert drilldown.parse_request({"rows": "responses"}).problems == (
        "Unknown kind of rows `responses`: showing complaints.",
    )


def test_display_masks_personal_data_unless_revealed():
    import pandas as pd

    rows = pd.DataFrame(
        {
            "response_id": ["R1", "jane@example.com"],
            "comment": ["Mrs Smith: a@b.com", None],
            "channel": ["Phone", "Web"],
        }
    )
    masked = drilldown.for_display(rows, "responses")
    assert masked["Comment"].tolist() == ["Mrs [name]: [email]", ""]  # no comment: blank, not None
    assert masked["Response"].tolist() == ["R1", "[email]"]  # an id that is an address is still masked
    assert list(masked.columns) == ["Response", "Comment", "Channel"]
    shown = drilldown.for_display(rows, "responses", reveal=True)
    assert shown["Comment"].tolist()[0] == "Mrs Smith: a@b.com"


def test_display_leaves_ticket_and_response_numbers_unmasked():
    """Boston 311's CASE_ENQUIRY_IDs are 12 plain digits: the free-text phone rule ("10-12 plain
    digits") read every one as a phone number and the Ticket column showed "[phone]"."""
    import pandas as pd

    tickets = pd.DataFrame({"ticket_id": ["101001685290", "T2", "4111111111111111"], "channel": ["Web"] * 3})
    shown = drilldown.for_display(tickets, "tickets")
    assert shown["Ticket"].tolist() == ["101001685290", "T2", "4111111111111111"]
    assert drilldown.for_display(tickets, "complaints")["Ticket"].tolist()[0] == "101001685290"
    responses = pd.DataFrame({"response_id": ["101001685290"], "comment": ["call 101001685290"]})
    shown = drilldown.for_display(responses, "responses")
    # the same digits in a comment are free text: still masked there
    assert (shown["Response"].tolist(), shown["Comment"].tolist()) == (["101001685290"], ["call [phone]"])


def test_display_writes_kind_and_priority_as_words_and_names_the_branch_code():
    import pandas as pd

    rows = pd.DataFrame(
        {
            "ticket_id": ["T1", "T2", "T3"],
            "branch_name": ["Public Works", "Mayor's 24-hour hotline", "Public Works"],
            "branch_id": ["PWDx", "INFO", "PWDx"],
            "kind": ["complaint", "compliment", "request"],
            "priority": ["normal", "urgent", "high"],
        }
    )
    shown = drilldown.for_display(rows, "tickets")
    assert list(shown.columns) == ["Ticket", "Branch", "Branch code", "Kind", "Priority"]  # was "Branch id"
    assert shown["Kind"].tolist() == ["Complaint", "Compliment", "Request"]  # was "complaint"
    assert shown["Priority"].tolist() == ["Normal", "Urgent", "High"]
    assert rows["kind"].tolist()[0] == "complaint"  # the rows the query returned are not changed
    # a list of complaints only: "Kind" would say "Complaint" on every row
    assert list(drilldown.for_display(rows, "complaints").columns) == ["Ticket", "Branch", "Branch code", "Priority"]
    # status and family as words too, and a deadline from a timestamp to one decimal of a minute
    more = rows.assign(
        status=["closed", "open", "resolved"],
        family=["service", "product", None],
        resolution_target=[21_600.983333, None, 60.04],
    )
    shown = drilldown.for_display(more, "tickets")
    assert shown["Status"].tolist() == ["Closed", "Open", "Resolved"]
    assert shown["Category family"].tolist() == ["Service", "Product", ""]
    assert shown["Resolution target (minutes)"].tolist()[::2] == [21_601.0, 60.0]


@pytest.fixture(scope="module")
def personal_db(tmp_path_factory):
    """The fixture plus a response whose comment holds personal data."""

    def fill(con):
        fixture_db.fill(con)
        con.execute(
            f"insert into survey_responses {RESPONSE_COLUMNS} "
            "values ('R6', 'B1', timestamp '2024-02-20 10:00', 'Email', 'Premium', 9, 5,"
            " 'Mr John Smith (john.smith@example.com, +44 20 7946 0958) was very helpful')"
        )

    return store.build_atomically(tmp_path_factory.mktemp("personal") / "personal.duckdb", fill)


def open_rows(monkeypatch, db, state, query=None):
    monkeypatch.setenv("SQ_DATABASE", str(db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (query or {"period": ["2024-01-01", "2024-02-29"]}).items():
        at.query_params[key] = value
    at.run()
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page("pages/rows.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_rows_page_masks_by_default_and_reveals_on_request(monkeypatch, personal_db):
    at = open_rows(monkeypatch, personal_db, {"rows": "responses", "rows_sort": "response_id"})
    table = at.dataframe[0].value
    assert table["Response"].tolist() == ["R6", "R4", "R3", "R2", "R1"]
    # an unanswered question shows as "no answer" (not asked, or "don't know"), not as the word None
    assert at.dataframe[0].proto.placeholder == "no answer"
    assert table["Comment"].iloc[0] == "Mr [name] ([email], [phone]) was very helpful"
    assert "personal data masked" in at.caption[-1].value
    from servicequality.access import audit

    log = audit.audit_path(personal_db)
    before = len(audit.read(log))
    at.toggle(key="rows_reveal_personal").set_value(True).run()
    assert not at.exception
    assert "john.smith@example.com" in at.dataframe[0].value["Comment"].iloc[0]
    # the reveal is in the audit log: local mode's person, what was revealed, the filters
    events = audit.read(log)
    assert len(events) == before + 1
    assert events.iloc[0][["who", "role", "action", "what"]].tolist() == [
        "this computer",
        "local",
        "reveal",
        "personal data in responses, page 1 of 1",
    ]
    assert events.iloc[0]["filters"].startswith("01 Jan 2024 to 29 Feb 2024")
    # the same view again is not a new reveal; another kind of rows, still revealed, is
    at.run()
    assert len(audit.read(log)) == before + 1
    at.segmented_control(key="rows").set_value("tickets").run()
    events = audit.read(log)
    assert len(events) == before + 2 and events.iloc[0]["what"] == "personal data in tickets, page 1 of 1"
    assert at.dataframe[0].proto.placeholder == "–"  # an open ticket's times are still to come


def test_rows_page_clamps_the_page_and_shows_the_range(monkeypatch, fixture_db_path):
    at = open_rows(monkeypatch, fixture_db_path, {"rows": "tickets", "rows_page": 7})
    assert "There is only 1 page: showing page 1." in [i.value for i in at.info]
    assert at.caption[-1].value.startswith("rows 1-6 of 6 · page 1 of 1")


def test_rows_page_follows_a_cell_in_the_link(monkeypatch, fixture_db_path):
    at = open_rows(monkeypatch, fixture_db_path, {"rows": "complaints"})
    at.query_params.update({"period": ["2024-01-01", "2024-02-29"], "rows_region": "North", "rows_month": "2024-01"})
    at.run()
    assert not at.exception
    assert sorted(at.dataframe[0].value["Ticket"]) == ["T1", "T2"]
    assert "Region: `North` · Month: `Jan 2024`" in at.markdown[0].value


def _contents(**has) -> pd.DataFrame:
    # a store_contents row: every probe 0 but those named
    names = ("has_complaints", "has_gaps", "has_ratings_only", "has_compliments", "has_visits")
    more = ("has_customer_complaints", "has_tickets", "has_responses")
    return pd.DataFrame([{name: has.get(name, 0) for name in names + more}])


def test_the_rows_open_on_what_the_store_holds():
    assert drilldown.default_kind(_contents(has_complaints=1, has_tickets=1, has_responses=1)) == "complaints"
    # requests only (no complaint): all tickets
    assert drilldown.default_kind(_contents(has_tickets=1, has_responses=1)) == "tickets"
    # a survey-only store (Skytrax lounges, the kiosk): its responses, not an empty list of complaints
    assert drilldown.default_kind(_contents(has_gaps=1, has_responses=1)) == "responses"
    assert drilldown.default_kind(_contents()) == "complaints"  # an empty store: the page's default
    # a link without a kind opens on the store's, and an unknown kind falls back to it
    assert drilldown.parse_request({}, "responses").kind == "responses"
    assert drilldown.parse_request({"rows_sort": ["Submitted"]}, "responses").sort == "submitted_at"
    assert drilldown.parse_request({"rows": "x"}, "responses").problems == (
        "Unknown kind of rows `x`: showing survey responses.",
    )


@pytest.fixture(scope="module")
def survey_only_db(tmp_path_factory):
    """The fixture's branches and survey responses, no ticket."""

    def fill(con):
        con.executemany("insert into branches values ($1, $2, $3, $4, $5, $6, $7)", fixture_db.BRANCHES)
        con.executemany(
            f"insert into survey_responses {RESPONSE_COLUMNS} values ($1, $2, $3, $4, $5, $6, $7, $8)",
            [(r[0], r[1], dt.datetime.fromisoformat(r[2]), *r[3:]) for r in fixture_db.SURVEY_RESPONSES],
        )

    return store.build_atomically(tmp_path_factory.mktemp("surveys") / "surveys.duckdb", fill)


def test_rows_page_opens_on_the_responses_of_a_survey_only_store(monkeypatch, survey_only_db):
    at = open_rows(monkeypatch, survey_only_db, {})
    assert at.segmented_control(key="rows").value == "responses"
    # R1-R4 in the period (R5 is Nov 2023), newest first
    assert at.dataframe[0].value["Response"].tolist() == ["R4", "R3", "R2", "R1"]


def test_an_export_of_dates_shows_dates_not_midnight():
    # CFPB's 'Date received' and the hospital's survey date hold no time: 00:00:00 was made up
    dates = pd.DataFrame({"ticket_id": ["A", "B"], "opened_at": pd.to_datetime(["2020-03-19", "2020-03-18"])})
    shown = drilldown.for_display(dates, "complaints", reveal=True)
    assert shown["Opened"].tolist() == [dt.date(2020, 3, 19), dt.date(2020, 3, 18)]
    # one time of day in the page: every stamp keeps its time
    times = dates.assign(opened_at=pd.to_datetime(["2020-03-19", "2020-03-18 10:30"], format="ISO8601"))
    assert drilldown.for_display(times, "complaints", reveal=True)["Opened"].iloc[1] == pd.Timestamp("2020-03-18 10:30")


def test_an_empty_list_says_whether_widening_would_help():
    held = _contents(has_complaints=1, has_tickets=1)
    assert drilldown.no_rows_words("complaints", held) == (
        "No complaints match these filters. Widen the period or the filters in the sidebar."
    )
    # a survey-only store: no ticket would come with a wider period
    assert drilldown.no_rows_words("tickets", _contents(has_responses=1)) == (
        "The store holds no tickets: choose another kind of row above, or import them on the Data page."
    )
    assert drilldown.no_rows_words("responses", held).startswith("The store holds no survey responses:")


def test_a_store_without_gaps_has_no_gap_columns_or_sort():
    no_gaps = drilldown.unrecorded("responses", {"has_gaps": 0, "has_satisfaction": 1, "has_recommend": 1})
    assert set(no_gaps) == {"mean_gap", "mean_perception"}
    assert "mean_gap" in drilldown.sorts_for("responses")
    assert "mean_gap" not in drilldown.sorts_for("responses", no_gaps)
    # the tickets' probes do not touch the responses' columns, nor the reverse
    assert drilldown.unrecorded("complaints", {"has_gaps": 0}) == ()
    assert drilldown.sorts_for("complaints", no_gaps) == drilldown.SORTS["complaints"]
    rows = pd.DataFrame({"response_id": ["R1"], "mean_gap": [None], "mean_perception": [None], "performance": [50.0]})
    assert list(drilldown.for_display(rows, "responses", leave_out=no_gaps).columns) == [
        "Response",
        "Performance (% of maximum)",
    ]
    assert "Mean gap (perception − expectation)" in drilldown.for_display(rows, "responses").columns


def test_columns_no_export_recorded_are_left_out_and_named_once():
    # The CFPB sample's probes (recorded_fields on its import): a category and escalation, no
    # handling time, no target, no reopening, no satisfaction.
    cfpb = {
        "has_category": 1,
        "has_component": 1,
        "has_first_response": 0,
        "has_resolution": 0,
        "has_resolution_target": 0,
        "has_reopened": 0,
        "has_escalated": 1,
        "has_handling_satisfaction": 0,
    }
    out = drilldown.unrecorded("complaints", cfpb)
    assert set(out) == {
        "first_response_minutes",
        "resolution_minutes",
        "resolution_target",
        "within_target",
        "reopened_count",
        "satisfaction",
    }
    sorts = drilldown.sorts_for("complaints", out)
    assert "first_response_minutes" not in sorts and "satisfaction" not in sorts and "category" in sorts
    rows = pd.DataFrame(
        {
            "ticket_id": ["T1"],
            "category": ["Late"],
            "escalated": [True],
            "first_response_minutes": [None],
            "satisfaction": [None],
        }
    )
    assert list(drilldown.for_display(rows, "complaints", leave_out=out).columns) == ["Ticket", "Category", "Escalated"]
    # named in the table's order, with the table's headers
    assert drilldown.unrecorded_words("complaints", out) == (
        "Not recorded in this store's data, so not shown: First response (minutes), Resolution (minutes), "
        "Resolution target (minutes), Resolved within target, Times reopened, Satisfaction with handling (1-5)."
    )
    assert drilldown.unrecorded_words("complaints", ()) is None
    # a probe the caller did not run counts as recorded: nothing is hidden by accident
    assert drilldown.unrecorded("tickets", {}) == ()


def test_a_column_empty_in_the_period_only_and_one_priority_are_named_apart():
    # The CFPB's last year: escalation recorded in the store (until 2017) but by none of the period's
    # complaints; every complaint's priority is the mapping's "normal".
    period = {"has_escalated": 0, "has_first_response": 0, "has_priority_choice": 0}
    store_wide = {"has_escalated": 1, "has_first_response": 0}
    out = drilldown.unrecorded("complaints", period)
    assert set(out) == {"escalated", "first_response_minutes", "priority"}
    assert "priority" not in drilldown.sorts_for("complaints", out)
    rows = pd.DataFrame({"ticket_id": ["T1", "T2"], "priority": ["normal", "normal"]})
    assert drilldown.unrecorded_words("complaints", out, store_wide, rows) == (
        "Not recorded in this store's data, so not shown: First response (minutes). "
        "Not recorded in this period, so not shown: Escalated. "
        "Priority: Normal on every row here, so not shown."
    )
    # several priorities: the column stays
    assert "priority" not in drilldown.unrecorded("complaints", {"has_priority_choice": 1})
    assert drilldown.unrecorded("responses", {"has_priority_choice": 0}) == ()  # responses have none


def test_a_branch_code_that_repeats_the_name_is_left_out_silently():
    lounges = pd.DataFrame({"branch_id": ["Heathrow T5", "Doha"], "branch_name": ["Heathrow T5", "Doha"]})
    coded = pd.DataFrame({"branch_id": ["LHR5", "Doha"], "branch_name": ["Heathrow T5", "Doha"]})
    assert drilldown.unrecorded("responses", {}, lounges) == ("branch_id",)
    assert drilldown.unrecorded("responses", {}, coded) == ()  # one code differs: the codes say something
    assert drilldown.unrecorded("tickets", {}, lounges.iloc[:0]) == ()
    assert drilldown.unrecorded_words("responses", ("branch_id",)) is None  # a repeat, not unrecorded


def test_visits_show_dates_and_words():
    rows = pd.DataFrame(
        {
            "visited_on": pd.to_datetime(["2021-12-30", "2021-12-29"]),
            "days_since_previous": [10, None],
            "branch_id": ["B1", "B2"],
            "branch_name": ["Alpha", "Beta"],
            "value": [12.346, None],
            "referred": pd.array([True, pd.NA], dtype="boolean"),
        }
    )
    shown = drilldown.for_display(rows, "visits")
    assert list(shown.columns) == [
        "Visited",
        "Days since previous visit",
        "Branch",
        "Branch code",
        "Value",
        "Came on a referral",
    ]
    assert shown["Visited"].tolist() == [dt.date(2021, 12, 30), dt.date(2021, 12, 29)]  # a date, no 00:00:00
    assert shown["Value"].iloc[0] == 12.35 and shown["Came on a referral"].iloc[0] == "yes"
    assert pd.isna(shown["Came on a referral"].iloc[1])  # not recorded: the page's placeholder
    # visits have no category or component cell
    assert "category" not in drilldown.KIND_DIMENSIONS["visits"]
    assert "component" not in drilldown.KIND_DIMENSIONS["visits"]


def test_the_page_offers_the_kinds_the_store_holds_and_the_one_asked_for():
    def contents(**has):
        probes = ("has_complaints", "has_tickets", "has_responses", "has_visits")
        return pd.DataFrame([{p: has.get(p, 0) for p in probes}])

    everything = contents(has_complaints=1, has_tickets=1, has_responses=1, has_visits=1)
    assert drilldown.kinds_held(everything, "complaints") == ["complaints", "tickets", "responses", "visits"]
    purchases = contents(has_visits=1)
    assert drilldown.kinds_held(purchases, "visits") == ["visits"]
    # a link asking for complaints on it: offered, in its place, so the page can say there are none
    assert drilldown.kinds_held(purchases, "complaints") == ["complaints", "visits"]
    assert drilldown.kinds_held(contents(), "complaints") == ["complaints"]  # an empty store
