"""End to end in a real Chromium against a real Streamlit server on the demo database."""

import re

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
    assert "Ignored in the link (no such value): region 'Atlantis'" in sidebar.inner_text()
