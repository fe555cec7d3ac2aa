"""On a phone (390 px, touch), a swipe that starts on a chart scrolls the page.

plotly.js stops the page scrolling under its default drag-to-zoom (plotly.js#2844): a phone's
reader could not get past a chart that fills the screen by swiping over it. ui.widgets draws every
chart with dragmode off (a clickable one gets 'pan' from Streamlit, see ui.widgets._plotly); a real
Chromium with touch input, the finger's moves sent through the DevTools protocol
(Input.dispatchTouchEvent), shows the page moving under a swipe on the backlog chart's plot area.

A clickable chart gets 'pan' from Streamlit 1.67 whatever the figure says, and 'pan' holds the
finger too: on a browser that says it is a phone (its User-Agent) no chart is clickable, and a
swipe over the Pareto chart, clickable on a computer, scrolls the page. Clicks on charts still
filter on a computer: tests/browser/test_browser_explore.py.
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


# Chrome on an Android phone, as it names itself
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


@pytest.fixture(scope="module")
def phone(chromium_path):
    with browser.chromium(chromium_path, width=390, height=844, has_touch=True, is_mobile=True) as ctx:
        yield ctx


@pytest.fixture(scope="module")
def named_phone(phone):
    """The same phone whose browser names itself one (one Chromium for both)."""
    ctx = phone.browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, user_agent=PHONE_AGENT
    )
    yield ctx
    ctx.close()


def test_a_swipe_over_a_chart_scrolls_the_page(demo, phone):
    _swipe_scrolls(demo, phone, "complaints_backlog")


def test_on_a_phone_a_swipe_over_a_clickable_chart_scrolls_the_page(demo, named_phone, phone):
    # on a computer's browser (no phone in its User-Agent) the Pareto is clickable: 'pan' holds the finger
    page = phone.new_page()
    try:
        page.goto(f"{demo}/complaints")
        browser.wait_for_page(page)
        assert page.get_by_text("Click a category's bar to filter the dashboard by it.").count() == 1
        assert _drag_mode(page, "complaints_pareto") == "pan"
    finally:
        page.close()
    # on the phone it is not, and the page follows the finger
    page = _swipe_scrolls(demo, named_phone, "complaints_pareto", keep=True)
    try:
        assert page.get_by_text("Click a category's bar to filter the dashboard by it.").count() == 0
        assert _drag_mode(page, "complaints_pareto") is False
    finally:
        page.close()


def _drag_mode(page, key: str):
    return page.locator(f".st-key-{key} .js-plotly-plot").first.evaluate("(el) => el._fullLayout.dragmode")


def _swipe_scrolls(demo, context, key: str, keep: bool = False):
    page = context.new_page()
    try:
        page.goto(f"{demo}/complaints")
        browser.wait_for_page(page)
        plot = page.locator(f".st-key-{key} .js-plotly-plot .nsewdrag").first
        plot.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        box = plot.bounding_box()
        assert box and box["height"] > 60, "no plot area to swipe on"
        before = plot.evaluate(SCROLLED)
        cdp = context.new_cdp_session(page)
        # a finger on the middle of the plot, moved 300 px up: the page should follow it down
        x, y = box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 400)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        for step in range(1, 11):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 30 * step}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        page.wait_for_timeout(500)
        after = plot.evaluate(SCROLLED)
        assert after - before > 150, f"the page did not scroll under the swipe over {key}: {before} -> {after}"
    except BaseException:
        page.close()
        raise
    if not keep:
        page.close()
    return page
