"""A real Streamlit server and headless Chromium, for the end-to-end tests and for screenshots.

As a script: `python -m tools.browser --db data/demo.duckdb --out screenshots` starts the
dashboard, visits every page and saves a full-page PNG of each.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from servicequality.reports.pdf import CHROMIUM_ARGS, wait_for_streamlit

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_MS = 60_000  # 2 cores parse plotly slowly; more under load


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerUrl(str):
    """The base URL of a started server, with the server's process id (for memory readings) and
    the file its output goes to (what it logs)."""

    pid: int
    log: Path


@contextlib.contextmanager
def streamlit_server(db: Path, port: int | None = None, *extra: str) -> Iterator[ServerUrl]:
    """Start the dashboard (python -m servicequality.ui.serve, with `extra` arguments) on a free
    port against `db`; yield its base URL."""
    port = port or free_port()
    env = dict(os.environ, SQ_DATABASE=str(db))
    # a file, not a pipe nobody reads while the server runs (a full pipe would stop the server)
    log = tempfile.NamedTemporaryFile(prefix="sq-server-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "servicequality.ui.serve", "--port", str(port), "--db", str(db), *extra],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = Path(log.name).read_text(errors="replace")
                raise RuntimeError(f"Streamlit did not start on {url}:\n{out[-3000:]}")
            time.sleep(0.3)
        served = ServerUrl(url)
        served.pid, served.log = proc.pid, Path(log.name)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        Path(log.name).unlink(missing_ok=True)


@contextlib.contextmanager
def chromium(executable: str = "/usr/bin/chromium", height: int = 1000, width: int = 1500, **context_args) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height}, **context_args)
        try:
            yield context
        finally:
            context.close()
            browser.close()


def wait_for_page(page) -> None:
    """Wait until the page has settled (servicequality.reports.pdf.wait_for_streamlit)."""
    wait_for_streamlit(page, TIMEOUT_MS)


def page_report(page) -> dict:
    """What a person would check: errors shown, charts drawn and how many data points they hold."""
    return page.evaluate(
        """() => ({
            exceptions: [...document.querySelectorAll('[data-testid="stException"]')].map(e => e.innerText),
            errors: [...document.querySelectorAll('[data-testid="stAlertContentError"]')].map(e => e.innerText),
            charts: [...document.querySelectorAll('.js-plotly-plot')].map(p => ({
                points: (p.calcdata || []).reduce((s, t) => s + t.filter(
                    pt => pt && (pt.y !== undefined || pt.z !== undefined || pt.x !== undefined)).length, 0),
                title: (p.layout && p.layout.title && (p.layout.title.text || p.layout.title)) || '',
            })),
            title: (document.querySelector('h1') || {}).innerText || '',
        })"""
    )


def chart_locator(page, key: str):
    """The plotly chart rendered by ui.chart(key=...): its widget key may carry a generation
    suffix (a new one after each click that filtered), so match the CSS class by prefix."""
    return page.locator(f'[class*="st-key-{key}"] .js-plotly-plot').first


def click_bar(page, key: str, value: str | None = None, *, axis: str = "y", trace: int = 0, index: int = 0) -> str:
    """Click, like a person, a bar of `trace` in the chart rendered with ui.chart(key=...): the one
    whose category on `axis` is `value`, or else the `index`-th. Returns that bar's category."""
    plot = chart_locator(page, key)
    plot.scroll_into_view_if_needed()
    values = plot.evaluate(f"(gd, t) => gd.data[t].{axis}.map(String)", trace)
    if value is not None:
        index = values.index(value)
    bar = plot.locator(f".barlayer .trace:nth-child({trace + 1}) .point path").nth(index)
    # Plotly's drag layer lies over the bars and finds the bar under the pointer itself, so click
    # where the bar is drawn (as a mouse would), centred in the viewport clear of the app header.
    bar.evaluate("el => el.scrollIntoView({block: 'center', inline: 'center'})")
    page.wait_for_timeout(300)
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    return values[index]


def chip_texts(page) -> list[str]:
    """The filter chips above the page ('Channel: Phone', …), without the close icon's name."""
    # Streamlit draws a hidden copy of a button that has a tooltip: count the visible ones only.
    chips = page.locator('[class*="st-key-chip_"]:not(.st-key-chip_clear_all) button:visible')
    return [t.replace("close", "").strip() for t in chips.all_inner_texts()]


def remove_chip(page, text: str) -> None:
    """Click the chip whose text is `text` (its ✕ removes that filter)."""
    page.locator('[class*="st-key-chip_"] button:visible', has_text=text).first.click()


def view_link(page) -> str:
    """The URL in the sidebar's "Link to this view" code block."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stCode"] code').inner_text().strip()


def wait_for_rerun(page, action) -> None:
    """Do `action` (a click) and wait until the rerun it causes has finished."""
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=TIMEOUT_MS, state="attached")
    action()
    page.wait_for_timeout(500)
    wait_for_page(page)


def main(argv: list[str] | None = None) -> None:
    import streamlit.logger

    # The page list imports the ui package, whose cached functions warn "No runtime found" outside a
    # server: this process is not one, and the warnings buried the script's own lines.
    streamlit.logger.set_log_level("error")
    from servicequality.ui.navigation import PAGES

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "demo.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--query", default="", help="query string to append, e.g. 'region=North'")
    parser.add_argument("--height", type=int, default=2600)
    parser.add_argument("--width", type=int, default=1500, help="viewport width, e.g. 1440 (desktop) or 390 (phone)")
    parser.add_argument(
        "--color-scheme",
        choices=["light", "dark"],
        default="light",
        help="the browser's colour scheme: the app follows it (theme.light / theme.dark in .streamlit/config.toml)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls inside its own container, so a tall viewport stands in for a full-page shot.
    with (
        streamlit_server(args.db) as url,
        chromium(height=args.height, width=args.width, color_scheme=args.color_scheme) as context,
    ):
        page = context.new_page()
        for spec in PAGES:
            page.goto(f"{url}/{spec.url}" + (f"?{args.query}" if args.query else ""))
            wait_for_page(page)
            shot = args.out / f"{spec.url_path}-{args.width}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(spec.url_path, page_report(page), shot)


if __name__ == "__main__":
    main()
