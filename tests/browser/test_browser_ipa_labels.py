"""The importance-performance matrix's point labels, measured in a real Chromium at a desktop's and
a phone's width: no two overlap. On the Israeli hospital survey the names "Reliability" and
"Security" (two points 1 point of importance and 1 of performance apart) printed over each other."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_DATA
from tools import browser

pytestmark = pytest.mark.browser

HOSPITAL = SHARED_DATA / "il_hospital_survey" / "satisfaction-hosp-psychiatry-2017.xls"
PERIOD = "period=2010-01-01&period=2025-12-31"

OVERLAPS = """(key) => {
    // Pairs of point labels, and of a label and another point's marker, the key under the plot or
    // an axis title, whose drawn boxes intersect by more than a pixel each way.
    const box = document.querySelector(`[class*="st-key-${key}"] .js-plotly-plot`);
    if (!box) return null;
    const rect = (e) => e.getBoundingClientRect();
    const labels = [...box.querySelectorAll('.scatterlayer .textpoint text')].map(t => [t.textContent, rect(t)]);
    const markers = [...box.querySelectorAll('.scatterlayer .points .point')].map(rect);
    const others = [...box.querySelectorAll('.g-xtitle text, .g-ytitle text, .annotation-text')]
        .map(t => [t.textContent.slice(0, 30), rect(t)]);
    const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
        && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    const out = [];
    labels.forEach(([ta, a], i) => {
        labels.slice(i + 1).forEach(([tb, b]) => { if (hit(a, b)) out.push([ta, tb]); });
        others.forEach(([tb, b]) => { if (hit(a, b)) out.push([ta, tb]); });
        markers.forEach((m, j) => { if (j !== i && hit(a, m)) out.push([ta, `point ${j + 1}`]); });
    });
    return {labels: labels.length, markers: markers.length, overlaps: out};
}"""


@pytest.fixture(scope="module")
def hospital(serve_export):
    with serve_export("surveys", HOSPITAL, "il_hospital_survey.toml") as url:
        yield url


@pytest.mark.parametrize("width", [1440, 390])
@pytest.mark.parametrize("store,key,points", [("hospital", "gaps_derived_ipa", 8), ("demo", "gaps_ipa", 10)])
def test_no_two_labels_of_the_importance_performance_matrix_overlap(request, chromium_path, width, store, key, points):
    url = request.getfixturevalue(store)
    with browser.chromium(chromium_path, height=4000, width=width) as context:
        page = context.new_page()
        page.goto(f"{url}/gaps?{PERIOD}")
        browser.wait_for_page(page)
        found = page.evaluate(OVERLAPS, key)
    assert found is not None, f"no {key} chart"
    assert found["labels"] == found["markers"] == points
    assert found["overlaps"] == [], found
