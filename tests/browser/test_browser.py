"""End to end in a real Chromium against a real Streamlit server on the demo database."""

import csv
import io
import re
import urllib.request

import pytest

from servicequality.ui.navigation import PAGES
from tools import browser

pytestmark = pytest.mark.browser

# The rows behind the numbers are a table, not a chart.
PAGES_WITHOUT_CHARTS = {"rows"}


@pytest.fixture(scope="module")
def server(demo_db_path):
    with browser.streamlit_server(demo_db_path) as url:
        yield url


@pytest.fixture(scope="module")
def context(chromium_path):
    with browser.chromium(chromium_path, height=2200) as ctx:
        yield ctx


@pytest.fixture()
def page(context):
    p = context.new_page()
    yield p
    p.close()


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_shows_charts_with_data_and_no_error(server, page, spec):
    page.goto(f"{server}/{spec.url}")
    browser.wait_for_page(page)
    report = browser.page_report(page)
    assert report["exceptions"] == [] and report["errors"] == []
    assert report["title"] == spec.title
    if spec.url_path in PAGES_WITHOUT_CHARTS:
        return
    assert report["charts"], "no chart on the page"
    for chart in report["charts"]:
        assert chart["title"], "a chart without a title"
        assert chart["points"] > 0, f"empty chart: {chart['title']}"


def metric_value(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]', has_text=label).first
    return card.locator('[data-testid="stMetricValue"]').inner_text()


def test_filter_change_updates_numbers_and_url_reopens_the_view(server, context, page):
    page.goto(server)
    browser.wait_for_page(page)
    before = metric_value(page, "Complaints per 1,000 served")

    region = page.locator('[data-testid="stMultiSelect"]', has_text="Region")
    region.click()
    first_option = page.locator('[role="option"]', has_not_text="Select all").first
    chosen = first_option.inner_text().strip()
    first_option.click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"region="), timeout=browser.TIMEOUT_MS)
    browser.wait_for_page(page)
    page.wait_for_function(
        "([label, before]) => { const c = [...document.querySelectorAll('[data-testid=stMetric]')]"
        ".find(m => m.innerText.includes(label)); return c && !c.innerText.includes(before); }",
        arg=["Complaints per 1,000 served", before],
        timeout=browser.TIMEOUT_MS,
    )
    after = metric_value(page, "Complaints per 1,000 served")
    assert after != before

    # The copied link, opened in a fresh tab on every page, restores the same filter.
    link = page.url
    query = link.split("?", 1)[1]
    assert f"region={chosen}".replace(" ", "+") in query or f"region={chosen}" in query
    for spec in PAGES:
        other = context.new_page()
        other.goto(f"{server}/{spec.url}?{query}")
        browser.wait_for_page(other)
        chips = other.locator('[data-testid="stMultiSelect"]', has_text="Region").inner_text()
        assert chosen in chips
        if spec is PAGES[0]:
            assert metric_value(other, "Complaints per 1,000 served") == after
        other.close()


def test_a_hand_typed_link_with_ids_and_lower_case_is_understood(server, page):
    # Issue 14, item 9: my_branch=B022 and region=north used to be dropped without a word. The demo's
    # B022 is Kings Cross (East); "Atlantis" is no region, so the page says it was ignored.
    page.goto(f"{server}/?my_branch=b022&region=east&region=Atlantis&channel=PHONE")
    browser.wait_for_page(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert page.locator('input[aria-label="My branch"]').input_value() == "Kings Cross (B022)"
    assert "East" in sidebar.locator('[data-testid="stMultiSelect"]', has_text="Region").inner_text()
    assert "Phone" in sidebar.locator('[data-testid="stMultiSelect"]', has_text="Channel").inner_text()
    assert "Ignored in the link (no such value): region Atlantis" in sidebar.inner_text()


# --- a phone's width (issue 14, item 13) ------------------------------------------------------

CLIPPED_AXIS_TITLES = """() => {
    // Axis titles whose text runs past the edge of their chart's drawing (plotly never wraps them).
    const out = [];
    for (const svg of document.querySelectorAll('.js-plotly-plot svg.main-svg:first-of-type')) {
        const box = svg.getBoundingClientRect();
        for (const t of svg.parentElement.querySelectorAll('.g-xtitle text, .g-ytitle text')) {
            const r = t.getBoundingClientRect();
            if (r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1)) {
                out.push(t.textContent);
            }
        }
    }
    return out;
}"""

WIDE_CHART = """(key) => {
    const box = document.querySelector('.st-key-wide_chart_' + key);
    const svg = box && box.querySelector('.svg-container');
    return box && svg && {box: box.clientWidth, scroll: box.scrollWidth, chart: svg.getBoundingClientRect().width};
}"""


@pytest.fixture(scope="module")
def phone(context):
    """A page in a 390 x 844 window (one Playwright per process: a second context of its browser)."""
    small = context.browser.new_context(viewport={"width": 390, "height": 844})
    p = small.new_page()
    yield p
    small.close()


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_no_axis_title_runs_off_a_phone(server, phone, spec):
    phone.goto(f"{server}/{spec.url}")
    browser.wait_for_page(phone)
    assert phone.evaluate(CLIPPED_AXIS_TITLES) == []


def test_dense_charts_keep_their_width_on_a_phone_and_fill_a_desktop(server, phone, page):
    # The 48 x 10 gap map squeezed into 60 px on a phone; it now keeps 760 px and scrolls sideways.
    phone.goto(f"{server}/gaps")
    browser.wait_for_page(phone)
    small = phone.evaluate(WIDE_CHART, "gaps_heatmap")
    assert small["chart"] >= 760 and small["scroll"] > small["box"], small
    # a line above it says the rest is a swipe away (on a phone only: below, not on the desktop)
    hint = phone.locator(".st-key-wide_hint_gaps_heatmap")
    assert hint.is_visible() and "swipe sideways" in hint.inner_text()
    # by region too: squeezed to the phone's 358 px, its "+0.21 n = 2,283" cells overprinted each other
    region = phone.locator('[class*="st-key-gaps_heatmap_by"] label').filter(has_text="Region")
    browser.wait_for_rerun(phone, region.click)
    small = phone.evaluate(WIDE_CHART, "gaps_heatmap")
    assert small and small["chart"] >= 760 and small["scroll"] > small["box"], small
    phone.goto(f"{server}/components")
    browser.wait_for_page(phone)
    assert phone.evaluate(WIDE_CHART, "components_trend")["chart"] >= 760
    page.goto(f"{server}/gaps")  # 1,500 px wide: the chart fills its column, nothing to scroll
    browser.wait_for_page(page)
    large = page.evaluate(WIDE_CHART, "gaps_heatmap")
    assert large["scroll"] == large["box"] and abs(large["chart"] - large["box"]) <= 2, large
    assert not page.locator(".st-key-wide_hint_gaps_heatmap").is_visible()


def _rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def test_rows_page_exports_every_row_streamed(server, page):
    """The Rows page lists 50 rows at a time; its download link streams all of them (the demo's
    last 12 months: 83,853 complaints), in the page's columns, from the server."""
    page.goto(f"{server}/rows")
    browser.wait_for_page(page)
    link = page.get_by_role("link", name=re.compile(r"Download all [\d,]+ rows"))
    total = int(re.search(r"all ([\d,]+) rows", link.inner_text())[1].replace(",", ""))
    assert total == 83_853
    href = link.get_attribute("href")
    assert re.fullmatch(r"/export/rows\.csv\?token=[\w-]{32}", href), href

    before, peak = _rss_mb(server.pid), 0.0
    with urllib.request.urlopen(server + href, timeout=120) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        text = io.TextIOWrapper(response, encoding="utf-8-sig", newline="")
        rows = csv.reader(text)
        header = next(rows)
        count = 0
        for _row in rows:
            count += 1
            if count % 5000 == 0:
                peak = max(peak, _rss_mb(server.pid))
    assert count == total
    assert header[:4] == ["Ticket", "Opened", "Branch", "Branch code"]
    print(f"export of {count:,} rows: server RSS {before:.0f} MB before, {peak:.0f} MB at most while streaming")


def test_every_page_downloads_as_pdf_with_its_numbers(server, context, page):
    """The button "Download this page as PDF" prints the view on the server: the overview's PDF holds the page's
    title, its filters and the complaint rate the page shows."""
    import pypdf

    page.goto(f"{server}/?period=2025-11-01&period=2025-11-30")
    browser.wait_for_page(page)
    rate = metric_value(page, "Complaints per 1,000 served")
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download this page as PDF").click()
    path = download.value.path()
    assert download.value.suggested_filename == "overview_20251101_20251130.pdf"
    reader = pypdf.PdfReader(path)
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Executive overview" in text
    assert "01 Nov 2025 to 30 Nov 2025" in text
    assert rate in text, (rate, text[:800])
    assert "Link to this view" not in text  # the sidebar is left out of print
