"""An upload on the Data page in a real Chromium: the file and an own mapping go in, the import runs
in a child process that reports its progress, and the page says what was stored. While another
writer holds the store the page says so in one line and the store is unchanged."""

from __future__ import annotations

import pytest

from servicequality import store
from tests import fixture_db
from tests.ingest.test_import_safety import MAPPING, counts, write_tickets
from tools import browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium_path):
    folder = tmp_path_factory.mktemp("upload")
    db = fixture_db.build(folder / "store.duckdb")
    (folder / "mapping.toml").write_text(MAPPING)
    write_tickets(folder / "tickets.csv", 30_000, "UP")
    with browser.streamlit_server(db) as url, browser.chromium(chromium_path, height=2400) as context:
        yield url, context, db, folder


def _upload(page, folder) -> str:
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(folder / "tickets.csv"))
    page.get_by_label("Mapping", exact=True).click()
    page.get_by_role("option", name="Upload my own mapping…").click()
    browser.wait_for_page(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").nth(1).set_input_files(str(folder / "mapping.toml"))
    browser.wait_for_page(page)
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("[data-testid='stAlert']", timeout=120_000)
    browser.wait_for_page(page)
    return page.locator("[data-testid='stAlert']").first.inner_text()


def test_a_second_writer_is_told_in_one_line_and_changes_nothing(server):
    url, context, db, folder = server
    before = counts(db)
    page = context.new_page()
    try:
        page.goto(f"{url}/data")
        browser.wait_for_page(page)
        with store.writer_lock(db, what="a test holding the store"):
            message = _upload(page, folder)
    finally:
        page.close()
    assert "another process is writing store.duckdb (a test holding the store, process" in message, message
    assert "nothing was changed" in message
    assert counts(db) == before


def test_an_upload_is_imported_and_the_page_says_what_was_stored(server):
    url, context, db, folder = server
    before = counts(db)["tickets"]
    page = context.new_page()
    try:
        page.goto(f"{url}/data")
        browser.wait_for_page(page)
        message = _upload(page, folder)
        html = page.content()
    finally:
        page.close()
    assert "rows read 30,000, stored 30,000, rejected 0" in message, message
    assert counts(db)["tickets"] == before + 30_000
    assert "tickets.csv" in html  # the last imports list it
