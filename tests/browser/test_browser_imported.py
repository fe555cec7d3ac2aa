"""Every page in a real Chromium against databases imported from the two real exports.

The CFPB export has complaints but no survey and no customers served; the kiosk survey has
survey answers but no tickets, in one branch; the hospital survey and the lounge reviews are
performance only (no expectations). Charts may be absent when the data lacks them, but no page
may show an exception, an error box, a chart without points, or (without expectations) a gap.
"""

from __future__ import annotations

import pytest

from servicequality.ui.navigation import PAGES
from tests.conftest import SHARED_DATA
from tools import browser

pytestmark = pytest.mark.browser

EXPORTS = {
    "cfpb": ("tickets", SHARED_DATA / "cfpb_complaints" / "complaints_sample.csv", "cfpb_complaints.toml"),
    "kiosk": ("surveys", SHARED_DATA / "kiosk_servqual" / "kiosk.csv", "kiosk_servqual.toml"),
    "hospital": (
        "surveys",
        SHARED_DATA / "il_hospital_survey" / "satisfaction-hosp-psychiatry-2017.xls",
        "il_hospital_survey.toml",
    ),
    "lounges": ("surveys", SHARED_DATA / "skytrax_lounges" / "lounge.csv", "skytrax_lounges.toml"),
}
PERFORMANCE_ONLY = {"hospital", "lounges"}


@pytest.fixture(scope="module", params=list(EXPORTS))
def imported(request, serve_export, chromium_path):
    name = request.param
    with serve_export(*EXPORTS[name]) as url, browser.chromium(chromium_path, height=2200) as context:
        yield name, url, context


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_renders_on_imported_data(imported, spec):
    name, url, context = imported
    page = context.new_page()
    try:
        page.goto(f"{url}/{spec.url}")
        browser.wait_for_page(page)
        report = browser.page_report(page)
    finally:
        page.close()
    assert report["exceptions"] == [] and report["errors"] == [], report
    assert report["title"] == spec.title
    assert all(chart["points"] > 0 for chart in report["charts"]), report["charts"]
    if name in PERFORMANCE_ONLY:
        assert not any("gap" in chart["title"].lower() for chart in report["charts"]), report["charts"]


def test_the_data_page_lists_the_import(imported):
    name, url, context = imported
    page = context.new_page()
    try:
        page.goto(f"{url}/data")
        browser.wait_for_page(page)
        text = page.locator("[data-testid='stMain']").inner_text()
        html = page.content()  # the data grid draws on a canvas; its accessible copy is in the DOM
    finally:
        page.close()
    assert "Last imports" in text and "Rejected rows" in text
    assert EXPORTS[name][1].name in html
