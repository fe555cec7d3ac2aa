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
import tomllib
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager

ROOT = Path(__file__).resolve().parent.parent.parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Start the service quality dashboard.")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--db", type=Path, help="database file (default: $SQ_DATABASE or data/demo.duckdb)")
    parser.add_argument("--dev", action="store_true", help="show an error's traceback on the page (development)")
    parser.add_argument(
        "--secrets",
        type=Path,
        help="a secrets.toml with the [auth] sign-in settings (default: .streamlit/secrets.toml; none: local mode)",
    )
    parser.add_argument("--roles", type=Path, help="the roles file (default: $SQ_ROLES or roles.toml)")
    args = parser.parse_args(argv)
    if args.db:
        os.environ["SQ_DATABASE"] = str(args.db.resolve())
    if args.roles:
        os.environ["SQ_ROLES"] = str(args.roles.resolve())
    if args.address not in LOOPBACK and not sign_in_configured(args.secrets):
        print(
            f"Warning: serving on {args.address} without sign-in: anyone who can reach this address sees every "
            "branch, every row and personal data. Configure sign-in (README, 'Sign-in and roles').",
            file=sys.stderr,
        )
    PagesManager.uses_pages_directory = False
    from streamlit.web import cli

    sys.argv = streamlit_argv(args.address, args.port, dev=args.dev, secrets=args.secrets)
    sys.exit(cli.main())


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def sign_in_configured(secrets: Path | None) -> bool:
    """True when the secrets file Streamlit will read has an [auth] section."""
    candidates = (
        [secrets]
        if secrets
        else [Path.cwd() / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]
    )
    for path in candidates:
        try:
            if "auth" in tomllib.loads(path.read_text(encoding="utf-8")):
                return True
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return False


def streamlit_argv(address: str, port: int, *, dev: bool = False, secrets: Path | None = None) -> list[str]:
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
        *(["--secrets.files", str(secrets.resolve())] if secrets else []),
    ]


if __name__ == "__main__":
    main()
