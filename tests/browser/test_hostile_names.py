"""Names, segments and comments a file wrote are shown as text on every page: no link, image, bold
or script they hold is drawn, loaded or run, and no page asks another host for anything (issue 16,
item 6).

The demo store with payloads stored where an import would put them: two branch names, a region, a
customer segment (in tickets and survey responses) and survey comments, holding markdown links and
images, HTML tags and a script. Chromium visits every page (the Rows page with the responses and
their comments, the others with B001, the branch named by a link, as "my branch") and listens to
every request it makes.

Before formats.plain and charts.common.escape_labels, B001's name was a working link on four pages
and B002's <b> was bold in three pages' charts.
"""

import shutil
from urllib.parse import urlencode, urlparse

import duckdb
import pytest

from servicequality.store import rollups
from servicequality.ui.navigation import PAGES
from tools import browser

pytestmark = pytest.mark.browser

EVIL = "evil.example"
LINK = f"[Session expired: sign in again](https://{EVIL}/login)"
IMAGE = f"![x](https://{EVIL}/b.png) <b>bold</b>"
HTML = f"<img src=https://{EVIL}/r.png>North"
SEGMENT = f"<a href='https://{EVIL}/s'>Premium</a>"
COMMENT = f"![c](https://{EVIL}/c.png) <b>bold</b> [link](https://{EVIL}/l) <script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile_store(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(demo_db_path, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("update branches set name = $n where branch_id = 'B001'", {"n": LINK})
        con.execute("update branches set name = $n where branch_id = 'B002'", {"n": IMAGE})
        con.execute("update branches set region = $r where branch_id = 'B003'", {"r": HTML})
        for table in ("tickets", "survey_responses"):
            con.execute(f"update {table} set segment = $s where segment = 'Premium'", {"s": SEGMENT})
        con.execute(
            "update survey_responses set comment = $c where response_id in "
            "(select response_id from survey_responses where comment is not null order by response_id limit 200)",
            {"c": COMMENT},
        )
        rollups.refresh(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return path


def _rendered(page) -> dict:
    """Links, images, bold text and scripts the page made of the payloads (HTML and plotly's SVG)."""
    return page.evaluate(
        """(evil) => ({
            links: [...document.querySelectorAll('a')]
                .map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
                .filter(h => h.startsWith('http') && new URL(h).hostname === evil),
            bold: [...document.querySelectorAll('b, strong, tspan')]
                .filter(e => e.textContent.trim() === 'bold'
                    && (e.tagName !== 'TSPAN' && e.tagName !== 'tspan'
                        || (e.getAttribute('style') || '').includes('bold')))
                .length,
            images: [...document.querySelectorAll('img, image, source, iframe')]
                .map(i => i.getAttribute('src') || i.getAttribute('href') || i.getAttribute('xlink:href') || '')
                .filter(s => s.includes(evil)),
            scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(1)')).length,
        })""",
        EVIL,
    )


@pytest.fixture(scope="module")
def server(hostile_store):
    with browser.streamlit_server(hostile_store) as url:
        yield url


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_stored_markup_is_text_and_no_page_calls_another_host(server, chromium_path, spec):
    with browser.chromium(chromium_path, height=2200) as context:
        page = context.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        # the Rows page with responses (their comments) and a branch manager's view of B001
        query = "?rows=Survey+responses" if spec.url_path == "rows" else "?my_branch=B001"
        page.goto(f"{server}/{spec.url}{query}")
        browser.wait_for_page(page)
        report = browser.page_report(page)
        drawn = _rendered(page)
    assert report["exceptions"] == [], report["exceptions"]
    assert drawn == {"links": [], "bold": 0, "images": [], "scripts": 0}, drawn
    assert dialogs == []  # the stored <script>alert(1)</script> never ran
    elsewhere = {urlparse(u).hostname for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert elsewhere <= {"127.0.0.1"}, elsewhere


# --- 200 hostile strings in the link -------------------------------------------------------------

PAYLOADS = (
    LINK,
    f"![x](https://{EVIL}/i.png)",
    f"<img src=https://{EVIL}/i.png onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<b>bold</b>",
    f"<a href='https://{EVIL}/a'>a</a>",
    f"<iframe src=https://{EVIL}/f></iframe>",
    "<svg onload=alert(1)>",
    "<b onmouseover=alert(1)>bold</b>",
    f"<style>body{{background:url(https://{EVIL}/c.png)}}</style>",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    f"https://{EVIL}/x",
    f"www.{EVIL}",
    f"$x^2$ \\href{{https://{EVIL}}}{{x}}",
    ":material/warning: :red[alert] :streamlit:",
    "**bold** _it_ `code` ~~gone~~",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "&lt;b&gt;bold&lt;/b&gt;",
    "\u202eevil\u202c",
    "'; drop table tickets; --",
    "inf",
    "-inf",
    "nan",
    "-1",
    "1e999",
    "2024-13-45",
    "9999-99-99",
    "x" * 1500,
)
WRAPPERS = ("{}", "x** {} **", "B001{}", " {} ", "[{}]", "{}\n{}", "# {}")
HOSTILE_URL_STRINGS = tuple(w.format(p, p) if w.count("{}") == 2 else w.format(p) for p in PAYLOADS for w in WRAPPERS)[
    :200
]
# every parameter a page or the sidebar reads from the link
URL_KEYS = (
    "region",
    "branch",
    "channel",
    "segment",
    "branch_type",
    "category",
    "component",
    "my_branch",
    "peers",
    "min_n",
    "period",
    "explore_measure",
    "dim1",
    "dim2",
    "measure",
    "rows",
    "rows_sort",
    "rows_page",
    "rows_region",
    "rows_segment",
    "rows_month",
    "rows_branch",
    "rows_desc",
    "focus",
    "view",
)


def _loads() -> list[tuple[str, list[tuple[str, str]]]]:
    """The 200 strings spread over every page: each page gets 25, in loads of up to one per key."""
    per_page = -(-len(HOSTILE_URL_STRINGS) // len(PAGES))
    loads = []
    for i, spec in enumerate(PAGES):
        strings = HOSTILE_URL_STRINGS[i * per_page : (i + 1) * per_page]
        for start in range(0, len(strings), len(URL_KEYS)):
            chunk = strings[start : start + len(URL_KEYS)]
            loads.append((spec.url, list(zip(URL_KEYS, chunk, strict=False))))
    return loads


def test_200_hostile_url_strings_on_every_page(server, chromium_path):
    assert len(set(HOSTILE_URL_STRINGS)) == 200
    loads = _loads()
    assert sum(len(pairs) for _, pairs in loads) == 200 and {u for u, _ in loads} == {p.url for p in PAGES}
    failures = []
    with browser.chromium(chromium_path, height=1600) as context:
        page = context.new_page()
        requests, dialogs = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for url, pairs in loads:
            page.goto(f"{server}/{url}?{urlencode(pairs)}")
            browser.wait_for_page(page)
            report, drawn = browser.page_report(page), _rendered(page)
            text = page.inner_text("body")
            if (
                report["exceptions"]
                or "Traceback" in text
                or drawn != {"links": [], "bold": 0, "images": [], "scripts": 0}
            ):
                failures.append((url, report["exceptions"], drawn))
    assert failures == []
    assert dialogs == []
    elsewhere = {urlparse(u).hostname for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert elsewhere <= {"127.0.0.1"}, elsewhere
