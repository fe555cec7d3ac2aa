"""HTML to PDF with headless Chromium (Playwright), the report's title and filters in every page's
header and the page number in its footer.

Why Chromium: it is the browser the end-to-end tests already drive, it prints plotly's SVG charts
as vectors, and it needs no other renderer (WeasyPrint cannot run plotly.js; kaleido brings its
own Chromium). Where Chromium is: $SQ_CHROMIUM, else `chromium`, `chromium-browser` or
`google-chrome` on the PATH, else /usr/bin/chromium.
"""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 60_000
_HEAD_STYLE = "font-size:8px;color:#4a5060;width:100%;padding:0 15mm;font-family:Arial,sans-serif;"


SETTLED = """() => {
    if (!document.querySelector('[data-test-script-state="notRunning"]')) return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    // A new session's page is drawn as grey placeholders until its first run has sent the elements.
    if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSkeletonElement"]')) return false;
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
    const plots = [...document.querySelectorAll('.js-plotly-plot')];
    return plots.length >= charts && plots.every(p => p._fullLayout);
}"""


def wait_for_streamlit(page, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until the page has settled: the script is not running, nothing on the page is left
    stale from an earlier run, every plotly element has drawn its figure, and the number of
    elements held still for half a second (a session's first load may be cut short by a rerun,
    which would otherwise pass for a finished page)."""
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=timeout_ms, state="attached")
    page.wait_for_selector("[data-testid='stMain']", timeout=timeout_ms)
    previous = None
    for _ in range(40):
        page.wait_for_timeout(500)
        page.wait_for_function(SETTLED, timeout=timeout_ms)
        count = page.evaluate("() => document.querySelectorAll('[data-testid=\"stElementContainer\"]').length")
        if count == previous:
            return
        previous = count


class PdfError(RuntimeError):
    """Chromium is missing or failed; the message says what to do."""


def chromium_path() -> str:
    candidates = [os.environ.get("SQ_CHROMIUM")]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")]
    candidates.append("/usr/bin/chromium")
    for path in candidates:
        if path and Path(path).exists():
            return path
    raise PdfError(
        "A PDF needs Chromium and none was found (set SQ_CHROMIUM, or apt-get install -y chromium). "
        "Write HTML instead: --out report.html."
    )


def _chromium_print(what: str, viewport: dict | None, prepare: Callable[[Any], None], **pdf_options: Any) -> bytes:
    """Launch headless Chromium, let `prepare` load a page, and print it to PDF bytes with the
    header and footer templates and `pdf_options`. Any Chromium failure is a PdfError naming `what`."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(**({"viewport": viewport} if viewport else {}))
                prepare(page)
                return page.pdf(format="A4", print_background=True, display_header_footer=True, **pdf_options)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfError(f"Chromium could not print {what}: {str(exc).splitlines()[0]}") from exc


def _templates(header: str) -> dict[str, str]:
    return {
        "header_template": f'<div style="{_HEAD_STYLE}">{html.escape(header)}</div>',
        "footer_template": f'<div style="{_HEAD_STYLE}text-align:right;">page '
        '<span class="pageNumber"></span> of <span class="totalPages"></span></div>',
    }


def html_to_pdf(document: str, out: Path, *, header: str) -> int:
    """Print `document` to `out` (A4); returns the number of bytes written. `header` is plain text
    put at the top of every page. The plotly charts are drawn before it prints."""
    charts = document.count('class="plotly-graph-div"')

    def prepare(page: Any) -> None:
        page.set_content(document, wait_until="load", timeout=TIMEOUT_MS)
        page.wait_for_function(
            "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n", arg=charts, timeout=TIMEOUT_MS
        )
        page.emulate_media(media="print")

    data = _chromium_print("the report", None, prepare, prefer_css_page_size=True, **_templates(header))
    out.write_bytes(data)
    return len(data)


# What a printed dashboard page leaves out: the sidebar, Streamlit's header and toolbar, and the
# buttons and links that do nothing on paper.
PRINT_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header, [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stDownloadButton"], [data-testid="stLinkButton"],
[data-testid="stPageLink"], [data-testid="stBaseButton-headerNoPadding"] { display: none !important; }
[data-testid="stMain"] { margin-left: 0 !important; }
html, body, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  height: auto !important; min-height: 0 !important; overflow: visible !important; position: static !important; }
.js-plotly-plot, [data-testid="stMetric"], [data-testid="stDataFrame"] { break-inside: avoid; }
"""
PAGE_VIEWPORT = {"width": 1280, "height": 1600}
# An A4 portrait page at this scale holds a 1,220 px wide, 1,700 px tall piece of the screen: the
# tallest charts (one bar per branch) fit on one page instead of being cut.
PRINT_SCALE = 0.6


def page_to_pdf(url: str, *, header: str, cookies: Mapping[str, str] | None = None) -> bytes:
    """A dashboard page as the person sees it, printed by headless Chromium (A4 portrait, the
    sidebar left out, `header` on every page): the view of `url`, which carries its filters.
    `cookies`: the person's own (with sign-in, their session cookie), so the page printed is the
    one their role sees, not the sign-in page."""

    def prepare(page: Any) -> None:
        if cookies:
            page.context.add_cookies([{"name": k, "value": v, "url": url} for k, v in cookies.items()])
        page.goto(url, timeout=TIMEOUT_MS)
        wait_for_streamlit(page)
        page.add_style_tag(content=PRINT_CSS)
        # Screen media: the layout the person sees (Streamlit's print styles stack its columns).
        page.emulate_media(media="screen")

    margin = {"top": "14mm", "bottom": "12mm", "left": "8mm", "right": "8mm"}
    return _chromium_print("the page", PAGE_VIEWPORT, prepare, scale=PRINT_SCALE, margin=margin, **_templates(header))


def chromium_available() -> bool:
    try:
        chromium_path()
    except PdfError:
        return False
    return True
