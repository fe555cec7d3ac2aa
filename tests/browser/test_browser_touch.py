"""On a phone (390 px, touch), a swipe that starts on a chart scrolls the page.

plotly.js stops the page scrolling under its default drag-to-zoom (plotly.js#2844): a phone's
reader could not get past a chart that fills the screen by swiping over it. ui.widgets draws every
chart with dragmode off (a clickable one gets 'pan' from Streamlit, see ui.widgets._plotly); a real
Chromium with touch input, the finger's moves sent through the DevTools protocol
(Input.dispatchTouchEvent), shows the page moving under a swipe on the backlog chart's plot area.
Clicks on charts still filter: tests/browser/test_browser_explore.py.
"""

import pytest

from tools import browser

pytestmark = pytest.mark.browser

SCROLLED = """(el) => {
    for (let n = el; n; n = n.parentElement) {
        const s = getComputedStyle(n).overflowY;
        if ((s === 'auto' || s === 'scroll') && n.scrollHeight > n.clientHeight) return n.scrollTop;
    }
    return document.scrollingElement.scrollTop;
}"""


@pytest.fixture(scope="module")
def phone(chromium_path):
    with browser.chromium(chromium_path, width=390, height=844, has_touch=True, is_mobile=True) as ctx:
        yield ctx


def test_a_swipe_over_a_chart_scrolls_the_page(demo, phone):
    page = phone.new_page()
    try:
        page.goto(f"{demo}/complaints")
        browser.wait_for_page(page)
        plot = page.locator(".st-key-complaints_backlog .js-plotly-plot .nsewdrag").first
        plot.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        box = plot.bounding_box()
        assert box and box["height"] > 60, "no plot area to swipe on"
        before = plot.evaluate(SCROLLED)
        cdp = phone.new_cdp_session(page)
        # a finger on the middle of the plot, moved 300 px up: the page should follow it down
        x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 400)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for step in range(1, 11):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 30 * step}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        page.wait_for_timeout(500)
        after = plot.evaluate(SCROLLED)
        assert after - before > 150, f"the page did not scroll under the swipe: {before} -> {after}"
    finally:
        page.close()
