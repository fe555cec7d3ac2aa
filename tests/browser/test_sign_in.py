"""Sign-in through a real OpenID Connect flow, and what each role sees (issue 16, items 1-5).

A local OpenID provider (oidc-provider-mock, a Flask server in this process) and the dashboard
started with an [auth] secrets file and a roles file. Chromium signs in as a person would: the
dashboard's "Sign in" button, the provider's form, back to the dashboard with its cookie.

- an executive sees every branch;
- a regional manager (a group in the ID token) sees the North's branches by name, others as peers;
- a branch manager (B001) sees only B001 by name on every page, peers as "Peer A", ..., the same
  network figures as the executive, and only B001's rows behind the numbers and in the CSV;
- as that branch manager, every way to widen the scope gets nothing outside it: other branches,
  regions and "my branch" in the link, Explore by branch, the Rows page's cell for another branch
  and its CSV, a click on a peer's dot;
- someone the roles file does not name gets "No access" and no data.
"""

import csv
import io
import re
import secrets
from urllib.parse import quote

import duckdb
import pytest

from servicequality.access import audit
from tools import browser

pytestmark = pytest.mark.browser

oidc_provider_mock = pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock is in requirements.txt")
httpx = pytest.importorskip("httpx")

CEO = "ceo@chain.example"
ANALYST = "analyst@chain.example"
STEWARD = "data@chain.example"
NORTH = "north.lead@chain.example"
MANAGER = "clocktower.manager@chain.example"
STRANGER = "someone@elsewhere.example"

PEER = re.compile(r"Peer [A-Z]{1,2}\b")

ROLES = f"""
[[grant]]
email = "{CEO}"
role = "executive"

[[grant]]
group = "managers-north"
role = "regional_manager"
regions = ["North"]

[[grant]]
email = "{MANAGER}"
role = "branch_manager"
branches = ["B001"]

[[grant]]
group = "cx-analysts"
role = "analyst"

[[grant]]
email = "{STEWARD}"
role = "data_steward"
"""


@pytest.fixture(scope="module")
def branches(demo_db_path) -> dict[str, tuple[str, str]]:
    """branch id -> (name, region) in the demo store."""
    con = duckdb.connect(str(demo_db_path), read_only=True)
    try:
        return {b: (n, r) for b, n, r in con.execute("select branch_id, name, region from branches").fetchall()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def idp():
    with oidc_provider_mock.run_server_in_thread() as server:
        url = f"http://localhost:{server.server_port}"
        for email, claims in (
            (CEO, {}),
            (NORTH, {"groups": ["staff", "managers-north"]}),
            (MANAGER, {"groups": ["managers-north"]}),  # her e-mail's grant wins over the group's
            (STRANGER, {}),
            (ANALYST, {"groups": "cx-analysts"}),  # one group, as a string
            (STEWARD, {}),
        ):
            response = httpx.put(f"{url}/users/{quote(email)}", json={"email": email, "name": email, **claims})
            assert response.status_code == 204
        yield url


@pytest.fixture(scope="module")
def server(demo_db_path, idp, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sign-in")
    port = browser.free_port()
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        'client_id = "service-quality"\n'
        'client_secret = "test-only"\n'
        f'server_metadata_url = "{idp}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    (folder / "roles.toml").write_text(ROLES, encoding="utf-8")
    extra = ("--secrets", str(folder / "secrets.toml"), "--roles", str(folder / "roles.toml"))
    with browser.streamlit_server(demo_db_path, port, *extra) as url:
        yield url


def _sign_in(context, server: str, idp: str, email: str, path: str = ""):
    page = context.new_page()
    page.goto(f"{server}/{path}")
    browser.wait_for_page(page)
    assert page.locator(".js-plotly-plot").count() == 0  # nothing before signing in
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{idp}/**", timeout=browser.TIMEOUT_MS)
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server}/**", timeout=browser.TIMEOUT_MS)
    browser.wait_for_page(page)
    return page


def _open(page, url: str) -> None:
    page.goto(url)
    browser.wait_for_page(page)


def _everything_shown(page) -> str:
    """The page's text and every chart's data and labels, as one string."""
    charts = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(p =>
            JSON.stringify({data: p.data, layout: p.layout})).join('\\n')"""
    )
    return _text(page) + "\n" + charts


def _text(page) -> str:
    """The page's text without the zero-width spaces formats.plain puts inside bare addresses."""
    return page.inner_text("body").replace("\u200b", "").replace("\u200b", "")


def _named(text: str, branches: dict, allowed: set[str]) -> set[str]:
    """Branches other than `allowed` whose id or name the text holds."""
    found = set()
    for b, (name, _) in branches.items():
        if b not in allowed and (re.search(rf"\b{b}\b", text) or name in text):
            found.add(b)
    return found


def _peer_panels(page) -> str:
    return browser.chart_locator(page, "overview_my_branch").evaluate("gd => JSON.stringify(gd.data)")


def _headline(page) -> list[str]:
    """The overview's eight headline figures."""
    page.wait_for_function("document.querySelectorAll('[data-testid=stMetricValue]').length >= 8")
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()[:8]


def _nav(page) -> list[str]:
    """The navigation's page titles (each link's text is its icon's name, then the title)."""
    return [t.split("\n")[-1].strip() for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]


def _csv(page) -> list[dict]:
    """The Rows page's "Download all rows" CSV, fetched with the session's cookies."""
    href = page.get_by_role("link", name=re.compile("Download all")).get_attribute("href")
    response = page.request.get(href if href.startswith("http") else page.url.split("/rows")[0] + href)
    assert response.status == 200
    return list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))


@pytest.fixture(scope="module")
def executive_panels(server, idp, chromium_path):
    with browser.chromium(chromium_path, height=2400) as context:
        page = _sign_in(context, server, idp, CEO)
        _open(page, f"{server}/?my_branch=B001")  # after signing in the provider sends her to the start
        assert "Signed in as ceo@chain.example" in _text(page)
        return _peer_panels(page)


def test_executive_sees_every_branch(server, idp, chromium_path, branches):
    with browser.chromium(chromium_path, height=2400) as context:
        page = _sign_in(context, server, idp, CEO)
        assert "Executive: every branch" in _text(page)
        # an executive has figures, not the rows behind them nor imports
        assert "Rows behind the numbers" not in _nav(page) and "Data" not in _nav(page)
        _open(page, f"{server}/consistency")
        shown = _everything_shown(page)
        assert len(_named(shown, branches, set())) >= 40  # the funnel names (nearly) every branch
        assert not PEER.search(shown)


def test_branch_manager_sees_her_branch_peers_anonymised(
    server, idp, chromium_path, branches, executive_panels, demo_db_path
):
    with browser.chromium(chromium_path, height=2400) as context:
        page = _sign_in(context, server, idp, MANAGER)
        body = _text(page)
        assert "Branch manager: B001" in body
        assert "Data" not in _nav(page)
        # "my branch" starts on hers, and the network and peer figures equal the executive's
        assert _peer_panels(page) == executive_panels
        for path in ("", "components", "gaps", "complaints", "consistency", "explore?dim1=Branch", "rows"):
            _open(page, f"{server}/{path}")
            report = browser.page_report(page)
            assert report["exceptions"] == [] and report["errors"] == [], (path, report)
            shown = _everything_shown(page)
            assert _named(shown, branches, {"B001"}) == set(), path
            assert "Clocktower" in shown or path == "rows", path  # her own branch is named
        _open(page, f"{server}/consistency")
        shown = _everything_shown(page)
        assert len(set(PEER.findall(shown))) >= 40  # the funnel shows the peers, anonymised
        # the page as PDF is printed by the server's Chromium with her session: her view, not the sign-in page
        import pypdf

        _open(page, server)
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="Download this page as PDF").click()
        text = " ".join(p.extract_text() for p in pypdf.PdfReader(download.value.path()).pages)
        assert "Executive overview" in text and "Clocktower" in text and "Sign in" not in text
        assert _named(" ".join(text.split()), branches, {"B001"}) == set()
        _open(page, f"{server}/rows?rows=Complaints")
        rows = _csv(page)
        assert rows and {r["Branch code"] for r in rows} == {"B001"}
        # the same link forwarded to someone without her sign-in cookie: refused
        href = page.get_by_role("link", name=re.compile("Download all")).get_attribute("href")
        forwarded = httpx.get(server + href if href.startswith("/") else href)
        assert forwarded.status_code == 403 and "B001" not in forwarded.text
    events = [e for e in audit.read(audit.audit_path(demo_db_path)).to_dict("records") if e["who"] == MANAGER]
    # newest first: the rows' CSV, then the page as PDF before it
    assert [(e["role"], e["action"], e["what"]) for e in events][:2] == [
        ("branch_manager", "export", "complaints rows as CSV"),
        ("branch_manager", "export", "Executive overview page as PDF"),
    ]


def test_regional_manager_sees_her_region(server, idp, chromium_path, branches):
    north = {b for b, (_, region) in branches.items() if region == "North"}
    with browser.chromium(chromium_path, height=2400) as context:
        page = _sign_in(context, server, idp, NORTH)
        _open(page, f"{server}/consistency")
        shown = _everything_shown(page)
        assert "Regional manager: North" in shown
        assert _named(shown, branches, north) == set()
        assert len(_named(shown, branches, set())) == len(north) == 8
        # the 40 other branches as peers; a peer under the minimum n is not shown on its own
        assert 30 <= len(set(PEER.findall(shown))) <= len(branches) - len(north)


def test_no_way_to_widen_a_branch_managers_scope(server, idp, chromium_path, branches):
    with browser.chromium(chromium_path, height=2400) as context:
        page = _sign_in(context, server, idp, MANAGER)
        # other branches, a region and "my branch" in the link: ignored, with a note
        _open(page, f"{server}/?branch=B002&branch=Northern+Quarter&region=South&my_branch=B002&peers=type")
        # the note repeats what the link said (the visitor's own words) and confirms nothing
        note = page.locator('[data-testid="stAlert"]', has_text="Ignored in the link").inner_text()
        assert "no such value, or outside what you may see" in note
        shown = _everything_shown(page).replace(note.replace("\u200b", ""), "")
        assert _named(shown, branches, {"B001"}) == set()
        # the figures are B001's alone: the same as with no widening at all
        widened = _headline(page)
        _open(page, server)
        assert _headline(page) == widened and len(widened) == 8
        # Explore by branch and by region: one bar, hers
        _open(page, f"{server}/explore?dim1=Branch")
        assert _named(_everything_shown(page), branches, {"B001"}) == set()
        _open(page, f"{server}/explore?dim1=Region")
        bars = browser.chart_locator(page, "explore_chart").evaluate("gd => gd.data.map(t => t.y.length)")
        assert max(bars) == 1
        # the Rows page's cell for another branch and its CSV: nothing
        _open(page, f"{server}/rows?rows=Complaints&rows_branch=B002")
        assert "No complaints match" in _text(page)
        _open(page, f"{server}/rows?rows=Complaints&rows_region=South")
        assert "No complaints match" in _text(page)
        # the whole export under a link naming other branches and regions: hers alone
        _open(page, f"{server}/rows?rows=Complaints&branch=B002&branch=B003&region=South")
        rows = _csv(page)
        assert rows and {r["Branch code"] for r in rows} == {"B001"}
        # a click on a peer's dot in the spread filters nothing in
        _open(page, f"{server}/consistency")
        strip = browser.chart_locator(page, "consistency_spread")
        strip.scroll_into_view_if_needed()
        peer_point = strip.locator(".scatterlayer .trace .point").first
        browser.wait_for_rerun(page, lambda: peer_point.click(force=True))
        assert _named(_everything_shown(page), branches, {"B001"}) == set()


def test_someone_not_named_gets_no_access(server, idp, chromium_path):
    with browser.chromium(chromium_path) as context:
        page = _sign_in(context, server, idp, STRANGER)
        body = _text(page)
        assert "No access" in body and "no role has been given" in body
        assert page.locator(".js-plotly-plot").count() == 0
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0
        _open(page, f"{server}/rows?rows=Complaints")
        assert "No access" in _text(page) and page.locator('[data-testid="stDataFrame"]').count() == 0


def _reveal_toggle(page):
    return page.get_by_role("switch", name="Show personal data")


def test_rights_follow_the_role(server, idp, chromium_path, demo_db_path):
    """Personal data for analysts and stewards only; the Data page and the audit log for stewards."""
    with browser.chromium(chromium_path, height=1600) as context:
        manager = _sign_in(context, server, idp, MANAGER)
        _open(manager, f"{server}/rows?rows=Survey+responses")
        assert _reveal_toggle(manager).is_disabled()
        _open(manager, f"{server}/data")  # typed by hand: not in her navigation, and no upload
        assert "Page not found" in _text(manager)  # Streamlit's own words; it shows the start page
        assert manager.locator('[data-testid="stFileUploader"]').count() == 0
    with browser.chromium(chromium_path, height=1600) as context:
        analyst = _sign_in(context, server, idp, ANALYST)
        assert "Analyst: every branch" in _text(analyst) and "Data" not in _nav(analyst)
        _open(analyst, f"{server}/rows?rows=Survey+responses")
        toggle = _reveal_toggle(analyst)
        assert toggle.is_enabled()
        browser.wait_for_rerun(analyst, lambda: toggle.click(force=True))
        assert "personal data masked" not in _text(analyst)
    events = audit.read(audit.audit_path(demo_db_path))
    reveals = events[(events["who"] == ANALYST) & (events["action"] == "reveal")]
    assert reveals["what"].tolist()[0].startswith("personal data in responses, page 1 of ")
    with browser.chromium(chromium_path, height=1600) as context:
        steward = _sign_in(context, server, idp, STEWARD)
        assert "Data" in _nav(steward)
        _open(steward, f"{server}/data")
        body = _text(steward)
        assert "Import a file" in body and "Audit log" in body
        assert steward.locator('[data-testid="stFileUploader"]').count() == 1
