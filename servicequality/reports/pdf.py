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
from pathlib import Path

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


def html_to_pdf(document: str, out: Path, *, header: str) -> int:
    """Print `document` to `out` (A4); returns the number of bytes written. `header` is plain text
    put at the top of every page. The plotly charts are drawn before it prints."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    charts = document.count('class="plotly-graph-div"')
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.set_content(document, wait_until="load", timeout=TIMEOUT_MS)
                page.wait_for_function(
                    "n => document.querySelectorAll('.js-plotly-plot .main-svg').length >= n",
                    arg=charts,
                    timeout=TIMEOUT_MS,
                )
                page.emulate_media(media="print")
                data = page.pdf(
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                    display_header_footer=True,
                    header_template=f'<div style="{_HEAD_STYLE}">{html.escape(header)}</div>',
                    footer_template=f'<div style="{_HEAD_STYLE}text-align:right;">page '
                    '<span class="pageNumber"></span> of <span class="totalPages"></span></div>',
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfError(f"Chromium could not print the report: {str(exc).splitlines()[0]}") from exc
    out.write_bytes(data)
    return len(data)
