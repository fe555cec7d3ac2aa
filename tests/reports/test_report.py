"""The snapshot report: its period and scope, its numbers on the fixture (worked out by hand in
tests/metrics/test_overview.py), escaping, the command line, and the PDF of the demo against the
overview page (slow tier: Chromium and the demo database)."""

import datetime as dt
import html as html_lib
import re

import pandas as pd
import pytest

from servicequality import store
from servicequality.__main__ import main
from servicequality.reports import html, snapshot

FIXTURE_DAYS = "2024-01-01..2024-02-29"


@pytest.mark.parametrize(
    ("text", "start", "end", "words"),
    [
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "February 2024"),  # leap year
        ("2023-02", dt.date(2023, 2, 1), dt.date(2023, 2, 28), "February 2023"),
        ("2025-Q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "Q4 2025"),
        ("2025-q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "Q1 2025"),
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025"),
        ("2025-01-10..2025-02-03", dt.date(2025, 1, 10), dt.date(2025, 2, 3), "10 Jan 2025 – 03 Feb 2025"),
    ],
)
def test_periods(text, start, end, words):
    assert snapshot.parse_period(text) == snapshot.Period(start, end, words)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2025-13", "Month 13"),
        ("2025-02-30..2025-03-01", "does not exist"),
        ("2025-03-01..2025-02-01", "ends before it starts"),
        ("November", "Cannot read the period"),
    ],
)
def test_bad_periods_say_why(text, says):
    with pytest.raises(snapshot.ReportError, match=says):
        snapshot.parse_period(text)


def test_scopes_are_checked_against_the_store():
    branches = pd.DataFrame({"branch_id": ["B1", "B2"], "branch_name": ["Harbour", "Mill"], "region": ["N", "S"]})
    assert snapshot.resolve_scope("branch", "B2", branches).words == "Branch Mill (B2)"
    assert snapshot.resolve_scope("region", "S", branches).words == "Region S"
    with pytest.raises(snapshot.ReportError, match="regions are: N, S"):
        snapshot.resolve_scope("region", "East", branches)
    with pytest.raises(snapshot.ReportError, match="needs --branch"):
        snapshot.resolve_scope("branch", None, branches)
    with pytest.raises(snapshot.ReportError, match="No branch with id 'B9'"):
        snapshot.resolve_scope("branch", "B9", branches)


def _text(document: str) -> str:
    """The visible text of the report's body (tags dropped, entities decoded)."""
    body = document.split("<body>", 1)[1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_fixture_report_holds_the_hand_worked_numbers(fixture_con):
    run = store.query_runner(fixture_con)
    scope = snapshot.resolve_scope("executive", None, run("filter_branches"))
    snap = snapshot.gather(run, snapshot.parse_period(FIXTURE_DAYS), scope)
    text = _text(html.render(snap, source="fixture.duckdb"))
    # tests/metrics/test_overview.py by hand: SERVQUAL (-0.75 + -0.25) / 2 = -0.5; CSAT 2 of 3;
    # NPS 1 promoter - 1 detractor of 3 = 0; 4 complaints / 1,000 served; resolved on time 2 of 4
    for expected in ("−0.50", "66.7 %", "Net Promoter Score 0.0", "4.00", "4 complaints / 1,000 customers"):
        assert expected in text, expected
    # Kaplan-Meier medians (tests/pages/test_pages.py): first response 1 min, resolution 12.0 h
    assert "Median first response 1 min" in text
    assert "Median resolution time 12.0 h" in text
    assert "01 Jan 2024 to 29 Feb 2024 (60 days)" in text
    # four priorities among the fixture's complaints (low, normal, high, urgent): a column of them
    assert "By channel and priority Channel Priority Complaints" in text


def test_region_report_narrows_the_numbers(fixture_con):
    run = store.query_runner(fixture_con)
    scope = snapshot.resolve_scope("region", "North", run("filter_branches"))
    snap = snapshot.gather(run, snapshot.parse_period(FIXTURE_DAYS), scope)
    assert snap.filters.regions == ("North",)
    text = _text(html.render(snap, source="fixture.duckdb"))
    assert "Complaints per 1,000 served 5.00" in text  # North: 3 complaints / 600 served (test_pages)
    assert "Region North" in text


def test_a_branch_report_names_its_branch_in_the_filters_line(fixture_con):
    # the fixture's B1 is Alpha: "branches: B1" named a code the reader may not know
    run = store.query_runner(fixture_con)
    scope = snapshot.resolve_scope("branch", "B1", run("filter_branches"))
    text = _text(html.render(snapshot.gather(run, snapshot.parse_period(FIXTURE_DAYS), scope), source="f"))
    assert "branches: Alpha (B1)" in text


def test_names_from_the_store_are_text_not_markup(fixture_con):
    run = store.query_runner(fixture_con)
    period = snapshot.parse_period(FIXTURE_DAYS)
    scope = snapshot.Scope("branch", "B1", 'Branch <img src="http://evil.example/x.png"> & <b>co</b>')
    snap = snapshot.gather(run, period, snapshot.resolve_scope("executive", None, run("filter_branches")))
    snap.scope = scope
    document = html.render(snap, source="<script>alert(1)</script>.duckdb")
    assert "<img" not in document and "<b>co" not in document and "<script>alert" not in document
    assert "&lt;img src=&quot;http://evil.example/x.png&quot;&gt; &amp; &lt;b&gt;co&lt;/b&gt;" in document


def test_command_line_writes_html_and_refuses_bad_input(fixture_db_path, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", "--db", str(fixture_db_path), "--period", FIXTURE_DAYS, "--out", str(out)]) == 0
    assert "Service quality report: 01 Jan 2024 – 29 Feb 2024, All branches" in out.read_text()
    bad = ["report", "--db", str(fixture_db_path), "--out", str(tmp_path / "x.html")]
    assert main([*bad, "--period", "2024-14"]) == 2
    assert "Month 14" in capsys.readouterr().err
    assert main([*bad, "--period", "2024-01", "--scope", "region", "--region", "Atlantis"]) == 2
    assert "No region 'Atlantis'" in capsys.readouterr().err
    assert main(["report", "--db", str(fixture_db_path), "--period", "2024-01", "--out", str(tmp_path / "r.doc")]) == 2
    assert "end it in .pdf or .html" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


@pytest.mark.slow
def test_demo_pdf_headline_equals_the_overview_page(demo_db_path, chromium_path, tmp_path, monkeypatch):
    """The PDF's text holds every headline tile of the overview page for the same filters."""
    import pypdf

    from tests.pages.test_pages import open_app

    out = tmp_path / "report.pdf"
    monkeypatch.setenv("SQ_CHROMIUM", chromium_path)
    assert main(["report", "--db", str(demo_db_path), "--period", "2025-11", "--out", str(out)]) == 0
    reader = pypdf.PdfReader(out)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(reader.pages) >= 3
    # every page states the filters in its header
    for page in reader.pages:
        assert "01 Nov 2025 to 30 Nov 2025" in page.extract_text()
    # the month-by-month chart fits under the three rows of tiles on the first page (at 520 px it
    # went to the second and left the first half empty)
    assert "Month by month" in reader.pages[0].extract_text()

    at = open_app(monkeypatch, demo_db_path, query={"period": ["2025-11-01", "2025-11-30"]})
    tiles = {m.label: m.value for m in at.metric}
    assert len(tiles) == 10, tiles  # survey 4, complaints 4, return rate and reputation
    for label, value in tiles.items():
        shown = value.replace("-", "−")  # the report prints the real minus sign
        assert f"{label} {shown}" in text, (label, value)


@pytest.mark.slow
def test_reports_on_real_exports(tmp_path):
    """The report on stores built from the real exports: CFPB complaints (no customers served, no
    targets: said so, no empty chart) and the hospital survey (ratings only, Hebrew names)."""
    from servicequality import ingest
    from tests.conftest import ROOT, SHARED_DATA, require_or_skip

    cfpb = SHARED_DATA / "cfpb_complaints" / "complaints_sample.csv"
    hospital = SHARED_DATA / "il_hospital_survey" / "satisfaction-hosp-psychiatry-2017.xls"
    require_or_skip(cfpb.exists() and hospital.exists(), f"the real exports are not in {SHARED_DATA}")
    ingest.run_import("tickets", cfpb, ROOT / "mappings" / "cfpb_complaints.toml", tmp_path / "cfpb.duckdb")
    ingest.run_import("surveys", hospital, ROOT / "mappings" / "il_hospital_survey.toml", tmp_path / "h.duckdb")

    out = tmp_path / "cfpb.html"
    assert main(["report", "--db", str(tmp_path / "cfpb.duckdb"), "--period", "2019", "--out", str(out)]) == 0
    text = _text(out.read_text())
    # pandas on the file (after its two unzip lines): 5,975 of the 6,623 rows were received in 2019
    expected = pd.read_csv(cfpb, skiprows=2, usecols=["Date received"])
    in_2019 = int((pd.to_datetime(expected["Date received"]).dt.year == 2019).sum())
    assert f"{in_2019:,} complaints; no customers-served data to divide by" in text
    assert "No service targets are set for these complaints" in text
    # no time and no target in the export: no sentence on censoring or lateness, and the table's
    # cells say which is which (the Web channel: pandas, 4,562 of 2019's complaints by web)
    assert "Kaplan-Meier" not in text and "counts as late" not in text
    web = int(
        (
            pd.read_csv(cfpb, skiprows=2, usecols=["Date received", "Submitted via"]).pipe(
                lambda d: (pd.to_datetime(d["Date received"]).dt.year == 2019) & (d["Submitted via"] == "Web")
            )
        ).sum()
    )
    # every complaint's priority is the mapping's "normal": no Priority column, no "and priority"
    assert "By channel Channel Complaints First response target (min)" in text
    assert "By channel and priority" not in text and "all priorities" not in text
    assert f"Web {web:,} no target not recorded no target no target not recorded no target" in text
    assert "Share within target by channel" not in text
    # a quarter after the data's end (pandas: received 06 Apr 2015 to 19 Mar 2020) says so
    out = tmp_path / "cfpb_q2.html"
    assert main(["report", "--db", str(tmp_path / "cfpb.duckdb"), "--period", "2020-Q2", "--out", str(out)]) == 0
    received = pd.to_datetime(expected["Date received"])
    assert (
        f"The store's data run from {received.min():%d %b %Y} to {received.max():%d %b %Y}: none fall in this period."
        in _text(out.read_text())
    )
    # and a year the data cover from 21 Mar on, with a month-by-month chart of the months it holds
    out = tmp_path / "cfpb_2020.html"
    assert main(["report", "--db", str(tmp_path / "cfpb.duckdb"), "--period", "2020", "--out", str(out)]) == 0
    document = out.read_text()
    # 2020 is 366 days; the data end on 19 Mar, day 79: 287 days have none
    assert "287 of this period's 366 days have none." in _text(document)
    assert "Month by month, Jan 2020 \\u2013 Mar 2020" in document  # the months of 2020 the data hold

    out = tmp_path / "hospital.html"
    period = "2016-11-01..2017-04-05"
    assert main(["report", "--db", str(tmp_path / "h.duckdb"), "--period", period, "--out", str(out)]) == 0
    text = _text(out.read_text())
    assert "Survey responses 1,032" in text  # every row of the export (tests/ingest/test_import_surveys_real.py)
    assert "Lowest-rated component" in text and "Survey performance: ratings as percent of maximum" in text
    # a survey-only store: no period would have complaints, so not "in this period and scope"
    assert "The store holds no complaints: the complaint figures are left out." in text


def test_report_judges_only_branches_with_the_minimum_n(tmp_path):
    """Skytrax's lounges in 2014: most have a handful of reviews. The funnel limits are drawn with
    every lounge, but only those with the report's minimum n (30) are judged: a lounge of two reviews
    listed as "watch" contradicted the header's "Minimum n for a branch: 30". The kiosk's survey has
    one branch: nothing to compare it with, and no "1 branches"."""
    from servicequality import ingest
    from tests.conftest import ROOT, SHARED_DATA, require_or_skip

    lounges = SHARED_DATA / "skytrax_lounges" / "lounge.csv"
    kiosk = SHARED_DATA / "kiosk_servqual" / "kiosk.csv"
    require_or_skip(lounges.exists() and kiosk.exists(), f"the real exports are not in {SHARED_DATA}")
    db = tmp_path / "lounges.duckdb"
    ingest.run_import("surveys", lounges, ROOT / "mappings" / "skytrax_lounges.toml", db)
    con = store.connect_read_only(db)
    try:
        run = store.query_runner(con)
        scope = snapshot.resolve_scope("executive", None, run("filter_branches"))
        snap = snapshot.gather(run, snapshot.parse_period("2014"), scope)
        # the lounges with some reviews in 2014 but fewer than 30, counted apart from the code
        volumes = con.execute(
            "select branch_id, count(*) as n from survey_responses where year(submitted_at) = 2014 group by 1"
        ).df()
    finally:
        con.close()
    (performance,) = [o for o in snap.outside if o.measure.key == "survey_performance"]
    assert performance.min_volume == 30
    assert (performance.rows["volume"] >= 30).all()
    small = int((volumes["n"] < 30).sum())
    assert small >= 10  # the case this test is about: many small lounges
    # every small lounge with a rating is counted once as not judged (one may have rated nothing)
    assert small - 1 <= performance.too_few <= small
    text = _text(html.render(snap, source="lounges.duckdb"))
    assert f"{performance.too_few:,} branches in scope with fewer than 30 respondents are not judged" in text

    db = tmp_path / "kiosk.duckdb"
    ingest.run_import("surveys", kiosk, ROOT / "mappings" / "kiosk_servqual.toml", db)
    con = store.connect_read_only(db)
    try:
        run = store.query_runner(con)
        scope = snapshot.resolve_scope("executive", None, run("filter_branches"))
        text = _text(html.render(snapshot.gather(run, snapshot.parse_period("2019"), scope), source="kiosk"))
    finally:
        con.close()
    assert "over 1 branch with" in text and "1 branches" not in text
    assert "Only one branch has any: there is nothing to compare it with." in text
    assert "the differences are within chance" not in text


def test_a_ratings_only_report_shows_changes_against_the_previous_period(tmp_path):
    """Skytrax's lounges (ratings, no expectations): the report's overall satisfaction has its change
    against the previous period, as the Overview's card (tests/pages/test_pages_real_surveys.py,
    worked out with pandas: 03 Aug 2014 - 02 Aug 2015, 539 answers, mean 50.23; the 365 days before,
    403 answers, mean 55.52: -5.29, Welch p = 0.011, beyond noise)."""
    from servicequality import ingest
    from tests.conftest import ROOT, SHARED_DATA, require_or_skip

    lounges = SHARED_DATA / "skytrax_lounges" / "lounge.csv"
    require_or_skip(lounges.exists(), f"the real export {lounges} is missing")
    db = tmp_path / "lounges.duckdb"
    ingest.run_import("surveys", lounges, ROOT / "mappings" / "skytrax_lounges.toml", db)
    out = tmp_path / "lounges.html"
    assert main(["report", "--db", str(db), "--period", "2014-08-03..2015-08-02", "--out", str(out)]) == 0
    text = _text(out.read_text())
    assert "Overall satisfaction (0-100) 50.2 −5.3 vs previous" in text
    assert "Changes compare with 03 Aug 2013 – 02 Aug 2014" in text


@pytest.mark.browser
def test_the_html_report_fits_a_phone(fixture_con, chromium_path, tmp_path):
    """At 390 px the page does not scroll sideways: the tiles go two a row, a chart or a wide table
    (the handling table's nine columns) scrolls in its own box. Before, the page was 712 px wide."""
    from tools import browser

    run = store.query_runner(fixture_con)
    scope = snapshot.resolve_scope("executive", None, run("filter_branches"))
    page_file = tmp_path / "report.html"
    page_file.write_text(html.render(snapshot.gather(run, snapshot.parse_period(FIXTURE_DAYS), scope), source="f"))
    with browser.chromium(executable=chromium_path, width=390, height=800) as context:
        page = context.new_page()
        page.goto(page_file.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        columns = page.evaluate("getComputedStyle(document.querySelector('.tiles')).gridTemplateColumns")
        assert len(columns.split()) == 2, columns


def test_the_channel_table_says_which_dash_is_which():
    # Boston 311's hotline pair: own deadlines that differ (no one target), 872 judged against them
    assert html._target(float("nan"), 872) == "per complaint"
    assert html._target(None, 0) == "no target"
    assert html._target(1440.0, 10) == "1,440"
    # a median: handled but too few (not reached), all still waiting (not reached), no time in the
    # export (not recorded: 5,943 closed with none, 32 open of 5,975)
    assert html._median(float("nan"), 9, 118, 127) == "not reached"
    assert html._median(float("nan"), 0, 127, 127) == "not reached"
    assert html._median(float("nan"), 0, 32, 5975) == "not recorded"
    assert html._median(0.2, 5, 0, 5) == "<1" and html._median(0.0, 5, 0, 5) == "0"
