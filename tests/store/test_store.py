"""The store: atomic builds and reading the file as it is now."""

import pytest

from servicequality import store
from tests import fixture_db


def count_branches(con) -> int:
    return store.cursor(con).execute("select count(*) from branches").fetchone()[0]


def test_new_connection_sees_a_file_renamed_into_place_while_an_old_one_is_open(tmp_path):
    db = fixture_db.build(tmp_path / "s.duckdb")
    old = store.connect_read_only(db)
    assert count_branches(old) == 3
    # A later import writes a new file and renames it over the old one.
    store.build_atomically(
        db,
        lambda con: con.execute(
            "insert into branches values ('B4', 'Delta', 'East', 'Eastham', 'Standard', 'Small', null)"
        ),
        start_from_existing=True,
    )
    new = store.connect_read_only(db)
    assert count_branches(new) == 4  # not the instance DuckDB still holds for that path
    assert count_branches(old) == 3  # the old connection keeps its snapshot until it is dropped
    old.close()
    new.close()


def test_failed_build_leaves_the_previous_file_intact(tmp_path):
    db = fixture_db.build(tmp_path / "s.duckdb")
    before = db.read_bytes()

    def fail(con):
        con.execute("delete from survey_scores")
        raise RuntimeError("import failed half-way")

    with pytest.raises(RuntimeError):
        store.build_atomically(db, fail, start_from_existing=True)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob(".s.duckdb.*"))  # no temporary file left behind


def test_a_new_store_has_no_service_targets_nobody_set(tmp_path):
    # Issue 14, item 10: targets are set by somebody (an import, --default-targets, the demo), never
    # seeded into every store, so "66.6 % within target" cannot come from targets nobody chose.
    from servicequality import domain

    db = store.build_atomically(tmp_path / "new.duckdb", lambda con: None)
    con = store.connect_read_write(db)
    try:
        assert con.execute("select count(*) from service_targets").fetchall() == [(0,)]
        assert store.seed_default_targets(con) == len(domain.service_targets())
        assert store.seed_default_targets(con) == 0  # only where none is set
    finally:
        con.close()
