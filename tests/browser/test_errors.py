"""An error no page expected: the visitor sees that an error happened, never its traceback, the
server's paths or the failing SQL; the server logs all of it (servicequality.ui.serve). `--dev`
shows the traceback on the page."""

import shutil

import duckdb
import pytest

from tools import browser

pytestmark = pytest.mark.browser


@pytest.fixture()
def broken_store(fixture_db_path, tmp_path):
    """The fixture store with one rollup column renamed: the store looks current (same rollup
    definition, same row counts), and the overview's complaint query then fails to bind."""
    path = tmp_path / "broken.duckdb"
    shutil.copy(fixture_db_path, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("alter table rollup_ticket_days rename column complaints to complaints_renamed")
    finally:
        con.close()
    return path


@pytest.mark.parametrize("dev", [False, True], ids=["served", "dev"])
def test_an_unexpected_error_is_logged_on_the_server_not_shown(broken_store, chromium_path, dev):
    extra = ("--dev",) if dev else ()
    with browser.streamlit_server(broken_store, None, *extra) as url, browser.chromium(chromium_path) as context:
        page = context.new_page()
        page.goto(url)
        browser.wait_for_page(page)
        shown = "\n".join(browser.page_report(page)["exceptions"])
        logged = url.log.read_text(errors="replace")
    assert shown, "the page says an error happened"
    # the server's log holds the whole story
    assert "Uncaught app execution" in logged and "Traceback" in logged and "complaints" in logged
    if dev:
        assert "complaints" in shown
    else:
        for leak in ("Traceback", "complaints", "Binder", ".py", str(browser.ROOT), str(broken_store)):
            assert leak not in shown, leak
