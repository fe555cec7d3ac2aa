"""A real Streamlit server and headless Chromium, for the end-to-end tests and for screenshots.

As a script: `python -m tests.browser --db data/demo.duckdb --out screenshots` starts the
dashboard, visits every page and saves a full-page PNG of each.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
TIMEOUT_MS = 60_000  # 2 cores parse plotly slowly; more under load


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db: Path, port: int | None = None) -> Iterator[str]:
    """Start `streamlit run app.py` on a free port against `db`; yield its base URL."""
    port = port or free_port()
    env = dict(os.environ, SQ_DATABASE=str(db))
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "servicequality.serve", "--port", str(port), "--db", str(db),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
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
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise RuntimeError(f"Streamlit did not start on {url}:\n{out[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def chromium(executable: str = "/usr/bin/chromium", height: int = 1000, **context_args) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1500, "height": height}, **context_args)
        try:
            yield context
        finally:
            context.close()
            browser.close()


def wait_for_page(page) -> None:
    """Wait until the script has finished and plotly has drawn what it was given."""
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=TIMEOUT_MS, state="attached")
    page.wait_for_selector("[data-testid='stMain']", timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p._fullLayout)""",
        timeout=TIMEOUT_MS,
    )


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


def main(argv: list[str] | None = None) -> None:
    from servicequality.navigation import PAGES

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "demo.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--query", default="", help="query string to append, e.g. 'region=North'")
    parser.add_argument("--height", type=int, default=2600)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    # Streamlit scrolls inside its own container, so a tall viewport stands in for a full-page shot.
    with streamlit_server(args.db) as url, chromium(height=args.height) as context:
        page = context.new_page()
        for spec in PAGES:
            page.goto(f"{url}/{spec.url}" + (f"?{args.query}" if args.query else ""))
            wait_for_page(page)
            shot = args.out / f"{spec.url_path}.png"
            page.screenshot(path=str(shot), full_page=True)
            print(spec.url_path, page_report(page), shot)


if __name__ == "__main__":
    main()
