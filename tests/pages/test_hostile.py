"""Hostile input: filter values and URL parameters made of quotes, SQL fragments, huge lists and
unknown names give a clean empty result or a clear message, never an error or a changed query,
and the database is the same afterwards."""

import hashlib
import json
import re
from dataclasses import replace

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from servicequality import store
from servicequality.filters import SELECTIONS, Filters
from servicequality.metrics import drilldown, explore
from servicequality.ui.navigation import PAGES
from tests.conftest import FIXTURE_PERIOD as P
from tests.conftest import ROOT, query_extras

HOSTILE = (
    "'",
    "''",
    '"',
    "North'; drop table tickets; --",
    "1 or 1=1",
    "' or '1'='1",
    "B1') or ('1'='1",
    "$regions",
    "%",
    "_",
    "\\",
    "NULL",
    "",
    " ",
    "Ω≈ç√∫ 北京 \u202eevil",
    "\x00",
    "x" * 10_000,
)
HUGE = tuple(f"{i}'; delete from tickets; --" for i in range(10_000))
UNKNOWN = {
    "regions": "Atlantis",
    "branch_types": "Castle",
    "branches": "B999",
    "channels": "Pigeon",
    "segments": "Aliens",
    "categories": "Nope",
    "components": "telepathy",
}
EXTRA = query_extras()
TABLES = (
    "branches",
    "customers_served",
    "complaint_categories",
    "service_targets",
    "tickets",
    "survey_responses",
    "survey_scores",
    "survey_importance",
    "components",
)


def counts(con) -> dict[str, int]:
    cur = store.cursor(con)
    try:
        # table names come from the constant above, never from input
        return {t: cur.execute("select count(*) from " + t).fetchone()[0] for t in TABLES}
    finally:
        cur.close()


def file_hash(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_all(con, filters: Filters, **extra) -> dict:
    return {name: store.run_query(con, name, {**EXTRA, **extra, **filters.params()}) for name in store.query_names()}


# Which headline numbers each selection narrows (survey answers have no category; customers served
# are not split by channel, segment, category or component).
TICKET_SELECTIONS = set(SELECTIONS)
SURVEY_SELECTIONS = set(SELECTIONS) - {"categories"}


@pytest.mark.parametrize("selection", SELECTIONS)
def test_hostile_selection_values_give_clean_empty_results(fixture_con, fixture_db_path, selection):
    before, digest = counts(fixture_con), file_hash(fixture_db_path)
    # the 10,000-value list on one selection only, to keep the run short
    hostile = HOSTILE + HUGE if selection == "regions" else HOSTILE
    for values in (hostile, (UNKNOWN[selection],)):
        filters = replace(P, **{selection: values})
        results = run_all(fixture_con, filters)  # every query runs
        assert all(len(df.columns) for df in results.values())
        assert results["complaint_summary"].iloc[0]["complaints"] == 0
        assert results["explore_tickets"].empty
        assert results["drill_tickets_count"].iloc[0]["total_rows"] == 0
        assert results["drill_tickets"].empty
        if selection in SURVEY_SELECTIONS - {"components"}:
            assert results["survey_summary"].iloc[0]["responses"] == 0
            assert results["explore_responses"].empty
        if selection in SURVEY_SELECTIONS:
            assert results["explore_survey"].empty
            assert results["drill_responses_count"].iloc[0]["total_rows"] == 0
            assert (results["component_gaps"]["n"] == 0).all()
    assert counts(fixture_con) == before
    assert file_hash(fixture_db_path) == digest


@pytest.mark.parametrize("value", HOSTILE)
def test_each_hostile_value_alone_is_a_value_not_sql(fixture_con, value):
    filters = replace(P, regions=(value,), branches=(value,))
    row = store.run_query(fixture_con, "complaint_summary", filters.params()).iloc[0]
    assert (row["complaints"], row["customers_served"]) == (0, 0)
    cell = drilldown.cell_bind_params({dim: value for dim in drilldown.CELL_DIMENSIONS})
    for name in ("drill_tickets_count", "drill_responses_count"):
        params = {**EXTRA, **P.params(), **cell}
        assert store.run_query(fixture_con, name, params).iloc[0]["total_rows"] == 0
    assert counts(fixture_con)["tickets"] == 7


def test_hostile_dimensions_sort_and_paging_do_not_change_the_query(fixture_con):
    base = {**EXTRA, **P.params()}
    for name in ("explore_tickets", "explore_survey", "explore_responses", "explore_served"):
        plain = store.run_query(fixture_con, name, base)
        for dim in ("x'--", "region; drop table tickets", "1 or 1=1", "REGION", "", "tf.region"):
            odd = store.run_query(fixture_con, name, {**base, "dim1": dim, "dim2": dim})
            # an unknown dimension is one cell over everything: exactly the "no dimension" result
            pd.testing.assert_frame_equal(odd, plain, check_exact=False, obj=f"{name} by {dim!r}")
    default = store.run_query(fixture_con, "drill_tickets", {**base, "sort": "ticket_id"})["ticket_id"].tolist()
    for sort in ("1; drop table tickets", "opened_at desc", "ticket_id; --", "(select 1)"):
        got = store.run_query(fixture_con, "drill_tickets", {**base, "sort": sort})["ticket_id"].tolist()
        assert sorted(got) == sorted(default)  # the same rows, in the tie-break order
    assert store.run_query(fixture_con, "drill_tickets", {**base, "offset": 10**12}).empty
    assert store.run_query(fixture_con, "drill_tickets", {**base, "limit": 0}).empty
    assert counts(fixture_con)["tickets"] == 7


def test_a_period_that_ends_before_it_starts_is_a_clear_message():
    with pytest.raises(ValueError, match="ends .* before it starts"):
        Filters(P.end, P.start)


def test_explore_and_rows_choices_from_anywhere_never_raise():
    for value in (*HOSTILE, None, 5, ["region"], {"a": 1}):
        choice = explore.resolve(value, value, value)
        assert choice.measure in explore.MEASURES and choice.dim1 in explore.DIMENSIONS
        request = drilldown.parse_request(
            {
                "rows": value,
                "rows_sort": value,
                "rows_page": value,
                "rows_desc": value,
                **{f"rows_{d}": value for d in explore.DIMENSIONS},
            }
        )
        assert request.kind in drilldown.KINDS and request.page >= 1


# --- hostile URL parameters on every page ------------------------------------------------------

URLS = {
    "sql and unknown names": {
        "period": "garbage",
        "min_n": "-5",
        "region": ["North'; drop table tickets; --", "Atlantis"],
        "branch": ["B1' or '1'='1", "B999"],
        "channel": "",
        "component": "telepathy",
        "category": ["", "'"],
        "my_branch": "zz'--",
        "peers": "1; drop table",
        "explore_measure": "unknown",
        "measure": "unknown'--",  # the consistency page's measure
        "dim1": "x'--",
        "dim2": "1; drop table tickets",
        "rows": "'; drop table tickets; --",
        "rows_sort": "1; drop table",
        "rows_desc": "maybe",
        "rows_page": "-1",
        "rows_region": "x" * 5000,
        "rows_month": "2024-13",
        "rows_weekday": "99",
    },
    "out of range": {
        "period": ["2024-02-29", "2024-01-01"],
        "min_n": "abc",
        "explore_measure": "",
        "dim1": "Region",
        "dim2": "Region",
        "rows": "Survey responses",
        "rows_page": str(10**12),
        "rows_category": "Delivery",  # does not apply to survey responses
    },
    # issue 16: a link that would put a phishing link, an image or HTML on the page, and numbers the
    # number widget cannot read (int(inf) raised OverflowError in Streamlit)
    "markup": {
        "region": "[Session expired: sign in again](https://evil.example/login)",
        "channel": "x** ![i](https://evil.example/i.png) **",
        "min_n": "inf",
        "explore_measure": "<b>bold</b> https://evil.example/x",
        "rows_segment": "x** [Session expired: sign in again](https://evil.example/login) **",
        "rows_sort": "www.evil.example",
        "rows_page": ":material/warning: $x^2$",
    },
    "infinite": {"min_n": "1e999", "rows_page": "inf"},
    "huge": {
        "period": ["1900-01-01", "2999-12-31"],
        "min_n": str(10**12),
        "region": [f"R{i}'--" for i in range(10_000)],
        "rows_page": "999999",
    },
}


@pytest.mark.parametrize("name", list(URLS))
def test_hostile_url_parameters_on_every_page(monkeypatch, fixture_db_path, name):
    query = URLS[name]
    before = file_hash(fixture_db_path)
    monkeypatch.setenv("SQ_DATABASE", str(fixture_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()  # the frame and the first page read the link
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for page in PAGES:
        at.switch_page(page.path).run()
        at.query_params.update(query)  # a page switch clears the URL; give the page the link again
        at.run()
        assert not at.exception, (page.url_path, [e.value for e in at.exception])
        assert not at.error, (page.url_path, [e.value for e in at.error])
        assert at.title[0].value == page.title
    assert file_hash(fixture_db_path) == before


def _outside_code_spans(text: str) -> str:
    return re.sub(r"`[^`]*`", "", text)


def test_markup_in_a_link_is_shown_as_text(monkeypatch, fixture_db_path):
    """Every value the link carries that a page repeats is in a code span, where Streamlit's
    markdown reads no link, image, HTML, LaTeX or icon: nothing from evil.example is rendered."""
    monkeypatch.setenv("SQ_DATABASE", str(fixture_db_path))
    query = URLS["markup"]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    shown = []
    for page in (None, "pages/explore.py", "pages/rows.py"):
        if page:
            at.switch_page(page).run()
            at.query_params.update(query)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        texts = [e.value for kind in ("warning", "markdown", "caption", "info") for e in at.get(kind)]
        shown += [t for t in texts if "evil" in t]
        for text in texts:
            assert "evil" not in _outside_code_spans(text), text
    assert any("Ignored in the link" in t for t in shown)  # the sidebar names what it ignored
    assert any("Unknown measure" in t for t in shown)  # Explore
    assert any("Behind the number for" in t for t in shown)  # the rows page's cell


def test_hostile_link_gets_a_clear_message_on_explore_and_rows(monkeypatch, fixture_db_path):
    monkeypatch.setenv("SQ_DATABASE", str(fixture_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    query = URLS["sql and unknown names"]
    at.switch_page("pages/explore.py").run()
    at.query_params.update(query)
    at.run()
    warnings = " ".join(w.value for w in at.warning)
    assert "Unknown measure `unknown`" in warnings
    assert "Unknown dimension `x'--`" in warnings
    at.switch_page("pages/rows.py").run()
    at.query_params.update(query)
    at.run()
    warnings = " ".join(w.value for w in at.warning)
    assert "Unknown kind of rows" in warnings and "Cannot sort by `1; drop table`" in warnings
    assert "There is no page -1" in warnings
    # the odd cell values match nothing: a clean empty page
    assert any("No complaints match" in i.value for i in at.info)


def test_megabyte_category_names_are_cut_on_the_page(monkeypatch, fixture_db_path, tmp_path):
    """Issue 16: three 9 MB category names made the Complaints page push 28 MB a load. Here two
    tickets' categories are 1 MB each: the charts draw them cut, the sidebar offers them cut."""
    import shutil

    import duckdb

    from servicequality.store import rollups

    path = tmp_path / "huge.duckdb"
    shutil.copy(fixture_db_path, path)
    huge = {"Attitude": "Attitude " + "a" * 1_000_000, "Delay": "Delay " + "d" * 1_000_000}
    con = duckdb.connect(str(path))
    try:
        for old, new in huge.items():
            con.execute("update tickets set category = $new where category = $old", {"new": new, "old": old})
            con.execute(
                "update complaint_categories set category = $new where category = $old", {"new": new, "old": old}
            )
        assert con.execute("select count(*) from tickets where length(category) > 1000000").fetchone()[0] >= 2
        rollups.refresh(con)
        con.execute("checkpoint")
    finally:
        con.close()
    monkeypatch.setenv("SQ_DATABASE", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["period"] = ["2024-01-01", "2024-02-29"]
    at.run()
    # the sidebar's box for categories (read on the first run: AppTest drops the frame's widgets later)
    offered = at.multiselect(key="category")
    labels = [offered.format_func(o) for o in offered.options] if hasattr(offered, "format_func") else offered.options
    assert max(len(label) for label in labels) <= 120, [len(label) for label in labels]
    at.switch_page("pages/complaints.py").run()
    assert not at.exception, [e.value for e in at.exception]
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    big = [s for s in specs if len(s) >= 200_000]
    assert specs and not big, [re.findall(r'"(\\w+)":[^:]{0,40}Attitude aaaa', s)[:5] for s in big]
    cut = "Attitude " + "a" * 70 + "…"  # 79 characters and an ellipsis
    assert any(cut in json.dumps(json.loads(s), ensure_ascii=False) for s in specs)  # drawn, cut


@pytest.mark.parametrize(
    ("period", "said", "shown"),
    [
        # the fixture's data runs Nov 2023 - Feb 2024: the date box holds 01 Jan 2023 - 31 Dec 2024
        (
            ["2000-01-01", "2030-12-31"],
            "runs outside the data's years: cut to 01 Jan 2023 – 31 Dec 2024",
            "01 Jan 2023 to 31 Dec 2024",
        ),
        (["2024-02-01", "2030-12-31"], "cut to 01 Feb 2024 – 31 Dec 2024", "01 Feb 2024 to 31 Dec 2024"),
        # nothing of it inside: the default, the data's last 365 days
        (["1990-01-01", "1990-12-31"], "holds no data (the data's years run 2023 – 2024)", None),
        (["soon", "2024-01-31"], "Ignored in the link (not a date): period `soon – 2024-01-31`", None),
    ],
)
def test_a_link_period_outside_the_data_is_cut_and_said(monkeypatch, fixture_db_path, period, said, shown):
    # Streamlit's bound date box replaced such a period with the default without a word
    monkeypatch.setenv("SQ_DATABASE", str(fixture_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["period"] = period
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(said in w.value for w in at.warning), [w.value for w in at.warning]
    described = at.caption[0].value  # the overview's first line: the filter in words
    # without a period in the link: the default, the data's last 365 days (all of them here)
    assert described.startswith(shown or "01 Nov 2023 to 10 Feb 2024"), described
