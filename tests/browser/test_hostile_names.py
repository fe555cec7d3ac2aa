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
from urllib.parse import urlparse

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
