"""axe-core (from npm, `make test` installs it) on every page in a real Chromium, light and dark
theme: no serious or critical violation (WCAG 2 A/AA rules: contrast, names, roles, ...).
Issue 14, item 13."""

from __future__ import annotations

import pytest

from servicequality.ui.navigation import PAGES
from tests.conftest import ROOT, require_or_skip
from tools import browser

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '')),
    }));
}"""


@pytest.fixture(scope="module")
def server(demo_db_path):
    with browser.streamlit_server(demo_db_path) as url:
        yield url


@pytest.fixture(scope="module", params=["light", "dark"])
def context(request, chromium_path):
    require_or_skip(AXE.exists(), f"axe-core is not installed at {AXE} (make test runs npm ci)")
    with browser.chromium(chromium_path, height=2200, color_scheme=request.param) as ctx:
        yield ctx


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_no_serious_accessibility_violation(server, context, spec):
    page = context.new_page()
    try:
        page.goto(f"{server}/{spec.url}")
        browser.wait_for_page(page)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE)
    finally:
        page.close()
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, serious
