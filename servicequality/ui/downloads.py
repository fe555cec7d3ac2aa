"""Whole exports, streamed by the server rather than built in the browser session.

The Rows page registers what to export (the database, its filters, the cell, the sort, whether
personal data is revealed) and gets a random token; the link `/export/rows.csv?token=...` (a
Starlette route beside the Streamlit app, see asgi.py) streams every matching row as CSV, a few
thousand rows at a time from DuckDB, so a server exporting 80,000 or 8 million rows holds one
batch in Python, not the file.

The token is the only thing in the link: revealing personal data never appears in a URL, and a
link stops working after TOKEN_SECONDS (the page makes a new one on its next run).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from servicequality import store
from servicequality.filters import Filters
from servicequality.metrics import drilldown
from servicequality.store import engine
from servicequality.ui import export

ROWS_PATH = "/export/rows.csv"
TOKEN_SECONDS = 30 * 60
MAX_TOKENS = 2_000
BATCH_ROWS = 5_000


@dataclass(frozen=True)
class RowsExport:
    database: str
    filters: Filters
    kind: str
    cell: tuple[tuple[str, str], ...]
    sort: str
    descending: bool
    reveal: bool
    who: str = "this computer"  # for the audit log, written when the file is fetched
    role: str = "local"
    # With sign-in: a digest of the person's sign-in cookie; the link works only with it, so a
    # forwarded or leaked link gives nobody else the rows (None in local mode).
    session: str | None = None

    @property
    def filename(self) -> str:
        return f"{self.kind}_{self.filters.start:%Y%m%d}_{self.filters.end:%Y%m%d}.csv"


_lock = threading.Lock()
_by_token: dict[str, tuple[float, RowsExport]] = {}
_by_export: dict[RowsExport, str] = {}


def _expire(now: float) -> None:
    for token, (created, request) in list(_by_token.items()):
        if now - created > TOKEN_SECONDS or len(_by_token) > MAX_TOKENS:
            del _by_token[token]
            _by_export.pop(request, None)


def register(request: RowsExport) -> str:
    """A token for `request`: the same one while it lives (a rerun of the page reuses it)."""
    now = time.monotonic()
    with _lock:
        _expire(now)
        token = _by_export.get(request)
        if token is None:
            token = secrets.token_urlsafe(24)
            _by_token[token] = (now, request)
            _by_export[request] = token
        return token


def lookup(token: str) -> RowsExport | None:
    with _lock:
        _expire(time.monotonic())
        found = _by_token.get(token)
    return found[1] if found else None


def rows_link(request: RowsExport) -> str:
    return f"{ROWS_PATH}?token={register(request)}"


def rows_csv(request: RowsExport, batch_rows: int = BATCH_ROWS) -> Iterator[bytes]:
    """Every row of the request as CSV chunks: the Rows page's columns and words, formula-safe,
    personal data masked unless revealed."""
    con = store.connect_read_only(request.database)
    try:
        frames = _frames(con, request, batch_rows)
        yield from export.csv_chunks(drilldown.for_display(f, request.kind, request.reveal) for f in frames)
    finally:
        con.close()


def _frames(con, request: RowsExport, batch_rows: int) -> Iterator:
    """Sorted by time, month by month (drilldown.export_windows): DuckDB sorts a month at a time.
    Any other sort is one query: its sort is bounded by the connection's memory limit (it spills,
    store.read_only_config)."""
    cell = dict(request.cell)
    for window in drilldown.export_windows(request.filters, request.kind, request.sort, request.descending):
        name, params = drilldown.export_query(window, request.kind, cell, request.sort, request.descending)
        yield from engine.stream(con, name, params, batch_rows=batch_rows)


AUTH_COOKIE = "_streamlit_user"  # Streamlit's sign-in cookie (split into numbered parts when long)


def session_digest(cookies: Mapping[str, str]) -> str | None:
    """A digest of the sign-in cookie among `cookies` (None without one)."""
    parts = sorted((k, v) for k, v in cookies.items() if k.startswith(AUTH_COOKIE))
    if not parts:
        return None
    return hashlib.sha256(repr(parts).encode()).hexdigest()


async def rows_route(request: Request) -> Response:
    found = lookup(request.query_params.get("token", ""))
    if found is None:
        return PlainTextResponse(
            "This download link has expired or was never issued. Open the Rows page again and use its download link.",
            status_code=404,
        )
    if found.session is not None and session_digest(request.cookies) != found.session:
        return PlainTextResponse(
            "This download link belongs to another signed-in session. Open the Rows page and use its own link.",
            status_code=403,
        )
    from servicequality.access import audit

    audit.record(
        audit.audit_path(Path(found.database)),
        found.who,
        found.role,
        "export",
        f"{found.kind} rows as CSV" + (" with personal data" if found.reveal else ""),
        found.filters.describe(),
    )
    return StreamingResponse(
        rows_csv(found),  # a plain generator: Starlette iterates it in a worker thread
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"', "Cache-Control": "no-store"},
    )


ROUTES = [Route(ROWS_PATH, rows_route, methods=["GET"])]


# --- this page as PDF -------------------------------------------------------------------------


def _own_address() -> str:
    """Where this server answers itself: its address (127.0.0.1 when it listens everywhere), port
    and base path."""
    import streamlit as st

    host = st.get_option("server.address") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{st.get_option('server.port')}" + (f"/{base}" if base else "")


def page_pdf_button(url_path: str, title: str, filters: Filters) -> None:
    """The sidebar's "Download this page as PDF": on a click the server prints this view (its URL
    holds the page and every filter) with headless Chromium, so the PDF shows what the page shows."""
    import streamlit as st

    from servicequality.reports import pdf

    with st.sidebar:
        if not pdf.chromium_available():
            st.caption("Downloading a page as PDF needs Chromium on the server (see README).")
            return
        pairs = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
        url = f"{_own_address()}/{url_path}" + ("?" + urlencode(pairs) if pairs else "")
        header = f"{title} · {filters.describe()}"
        from servicequality.access import audit
        from servicequality.ui import session

        # Written when the file is made (on the click, outside this run): who is taken now. With
        # sign-in, the server's Chromium carries the person's cookies and prints what they see.
        access, log = session.current_access(), audit.audit_path(store.database_path())
        cookies = dict(st.context.cookies) if session.sign_in_configured() else None

        def made() -> bytes:
            audit.record(log, access.who, access.role, "export", f"{title} page as PDF", filters.describe())
            return pdf.page_to_pdf(url, header=header, cookies=cookies)

        st.download_button(
            "Download this page as PDF",
            data=made,
            file_name=f"{url_path or 'overview'}_{filters.start:%Y%m%d}_{filters.end:%Y%m%d}.pdf",
            mime="application/pdf",
            on_click="ignore",
            icon=":material/picture_as_pdf:",
            key="page_pdf",
            help="The page with these filters, printed on the server (A4); takes a few seconds.",
        )
