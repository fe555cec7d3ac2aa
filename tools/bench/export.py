"""The Rows page's whole export through a real server: rows, size, seconds and the server's memory.

`python -m tools.bench.export --db data/medium.duckdb` starts the dashboard on the store, opens the
Rows page in headless Chromium for a month, a quarter, a year and all data, follows its
"Download all N rows (CSV)" link and reads the stream while sampling the server process's resident
memory (VmRSS) every 20 ms. Streamed, the peak stays near the same few tens of MB above the
server's resting size whatever the number of rows.
"""

from __future__ import annotations

import argparse
import re
import threading
import time
import urllib.request
from pathlib import Path

from tools import browser

PERIODS = {
    "one month": ("2025-12-01", "2025-12-31"),
    "one quarter": ("2025-10-01", "2025-12-31"),
    "one year": ("2025-01-01", "2025-12-31"),
    "all data": ("2023-01-01", "2025-12-31"),
}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def download(url: str, pid: int) -> tuple[int, int, float, float, float]:
    """(bytes, rows, seconds, RSS before, peak RSS) of one streamed download."""
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.02)

    before = rss_mb(pid)
    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    size = lines = 0
    with urllib.request.urlopen(url, timeout=600) as response:
        while chunk := response.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    return size, lines - 1, seconds, before, peak[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("data/demo.duckdb"))
    parser.add_argument("--kind", default="Complaints", help="Complaints, All tickets or Survey responses")
    args = parser.parse_args()
    print(f"Rows page export ({args.kind}) on {args.db}")
    print("| period | rows | CSV | seconds | rows/s | server RSS before | peak while streaming |")
    print("|---|---|---|---|---|---|---|")
    with browser.streamlit_server(args.db) as server, browser.chromium() as context:
        page = context.new_page()
        for words, (start, end) in PERIODS.items():
            page.goto(f"{server}/rows?period={start}&period={end}&rows={args.kind.replace(' ', '+')}")
            browser.wait_for_page(page)
            link = page.get_by_role("link", name=re.compile(r"Download all"))
            size, rows, seconds, before, peak = download(server + link.get_attribute("href"), server.pid)
            print(
                f"| {words} | {rows:,} | {size / 1e6:.1f} MB | {seconds:.1f} | {rows / seconds:,.0f} | "
                f"{before:.0f} MB | {peak:.0f} MB (+{peak - before:.0f}) |"
            )


if __name__ == "__main__":
    main()
