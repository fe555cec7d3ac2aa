"""Start the dashboard: `python -m servicequality.ui.serve [--port 8501] [--db PATH]`.

Why not plain `streamlit run app.py`: with a `pages/` folder beside the entry script,
Streamlit falls back to its first multipage scheme for a session's first run, so a deep link
such as /complaints runs pages/complaints.py without the frame (no filters, no navigation).
Our pages are `st.navigation` pages; telling Streamlit so before the server starts makes
every URL go through app.py.

It serves asgi.py: the Streamlit app plus the routes that stream whole exports (Starlette, in
the same process, so a page can hand a download to the server).

An error a page did not expect is logged on the server with its traceback; the visitor sees only
that an error happened (`client.showErrorDetails = none`): a traceback shows server paths and code.
`--dev` shows the traceback on the page, for development.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager

ROOT = Path(__file__).resolve().parent.parent.parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Start the service quality dashboard.")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--db", type=Path, help="database file (default: $SQ_DATABASE or data/demo.duckdb)")
    parser.add_argument("--dev", action="store_true", help="show an error's traceback on the page (development)")
    args = parser.parse_args(argv)
    if args.db:
        os.environ["SQ_DATABASE"] = str(args.db.resolve())
    PagesManager.uses_pages_directory = False
    from streamlit.web import cli

    sys.argv = streamlit_argv(args.address, args.port, dev=args.dev)
    sys.exit(cli.main())


def streamlit_argv(address: str, port: int, *, dev: bool = False) -> list[str]:
    """The `streamlit run` command line the server starts with."""
    return [
        "streamlit",
        "run",
        str(ROOT / "asgi.py"),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.showErrorDetails",
        "full" if dev else "none",
    ]


if __name__ == "__main__":
    main()
