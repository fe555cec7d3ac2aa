"""The store: atomic builds and reading the file as it is now."""

import pathlib
import time

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


def test_a_large_old_file_is_freed_after_the_new_one_has_its_name(tmp_path, monkeypatch):
    db = fixture_db.build(tmp_path / "s.duckdb")
    old_inode = db.stat().st_ino
    reader = store.connect_read_only(db)  # the dashboard reading the old file meanwhile
    freed = []
    monkeypatch.setattr(store.writer, "FREE_APART_BYTES", 1)  # every old file counts as large
    monkeypatch.setattr(store.writer, "_free_apart", lambda path: freed.append((path, path.stat().st_ino)))
    store.build_atomically(
        db,
        lambda con: con.execute(
            "insert into branches values ('B4', 'Delta', 'East', 'Eastham', 'Standard', 'Small', null)"
        ),
        start_from_existing=True,
    )
    # The new file has the store's name; the old one kept a second name, handed over to be freed.
    ((retired, inode),) = freed
    assert db.stat().st_ino != old_inode and inode == old_inode
    assert retired.name.startswith(".s.duckdb.") and retired.name.endswith(".retired")
    assert store.leftovers(db) == [retired]  # not freed (a killed remover): the next writer's to delete
    assert count_branches(reader) == 3
    new = store.connect_read_only(db)
    assert count_branches(new) == 4
    new.close()
    assert store.remove_leftovers(db) == (0, 0) and not retired.exists()  # removed, not reported as a kill
    assert count_branches(reader) == 3  # its open file lives on until it is closed
    reader.close()


def test_the_old_file_is_removed_by_a_process_of_its_own(tmp_path, monkeypatch):
    db = fixture_db.build(tmp_path / "s.duckdb")
    monkeypatch.setattr(store.writer, "FREE_APART_BYTES", 1)
    unlink = pathlib.Path.unlink

    def not_the_retired_one(path, missing_ok=False):  # this process may not remove it itself
        assert not path.name.endswith(".retired"), "removed by the writer, not apart"
        return unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(pathlib.Path, "unlink", not_the_retired_one)
    store.build_atomically(
        db,
        lambda con: con.execute(
            "insert into branches values ('B4', 'Delta', 'East', 'Eastham', 'Standard', 'Small', null)"
        ),
        start_from_existing=True,
    )
    deadline = time.monotonic() + 30
    while store.leftovers(db) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.leftovers(db) == []
    con = store.connect_read_only(db)
    assert count_branches(con) == 4
    con.close()


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


def _blocks(path) -> tuple[int, int]:
    con = store.connect_read_only(path)
    try:
        return con.execute("select used_blocks, free_blocks from pragma_database_size()").fetchone()
    finally:
        con.close()


def test_a_build_that_frees_most_of_the_file_writes_it_again_compactly(tmp_path):
    # DuckDB never gives a file's free blocks back, and every import copies the whole file: a build
    # that leaves more free blocks than used ones (and at least COMPACT_MIN_BLOCKS) is written again.
    db = tmp_path / "s.duckdb"
    store.build_atomically(
        db, lambda con: con.execute("create table noise as select random() as x from range(16000000)"), refresh=False
    )
    full = db.stat().st_size
    used, free = _blocks(db)
    assert full > 100e6 and free < store.connection.COMPACT_MIN_BLOCKS  # 16 M random doubles: 114 MB

    def drop(con):
        con.execute("drop table noise")
        con.execute("create table kept as select i, i % 7 as r from range(1000) as t(i)")

    store.build_atomically(db, drop, start_from_existing=True, refresh=False)
    used_after, free_after = _blocks(db)
    con = store.connect_read_only(db)
    try:
        kept = con.execute("select count(*), sum(i), sum(r) from kept").fetchone()
        views = con.execute("select count(*) from duckdb_views() where not internal and view_name = 'ticket_facts'")
        views = views.fetchone()[0]
    finally:
        con.close()
    # Without compaction the file would keep its 114 MB (the noise's blocks freed, not returned).
    assert db.stat().st_size < 0.25 * full and free_after == 0 and used_after < used
    assert kept == (1000, 999 * 1000 // 2, sum(i % 7 for i in range(1000)))  # sum 0..999 = 499,500
    assert views == 1  # the schema's views came along
    assert not [p for p in tmp_path.iterdir() if ".building" in p.name]


# Writes 256 MB: make test runs it, the fast tier does not (the compaction above stays there).
@pytest.mark.slow
def test_a_build_that_frees_less_than_it_uses_is_not_written_again(tmp_path, monkeypatch):
    db = tmp_path / "s.duckdb"

    def two(con):
        con.execute("create table kept as select random() as x from range(24000000)")  # about 170 MB
        con.execute("create table noise as select random() as x from range(12000000)")  # about 86 MB

    store.build_atomically(db, two, refresh=False)
    compacted = []
    compact = store.connection._compact
    monkeypatch.setattr(store.connection, "_compact", lambda *a, **k: compacted.append(a) or compact(*a, **k))
    store.build_atomically(db, lambda con: con.execute("drop table noise"), start_from_existing=True, refresh=False)
    used, free = _blocks(db)
    # More free blocks than COMPACT_MIN_BLOCKS, fewer than the used ones: kept as it is.
    assert (compacted, free > store.connection.COMPACT_MIN_BLOCKS, free < used) == ([], True, True)
    store.build_atomically(db, lambda con: con.execute("drop table kept"), start_from_existing=True, refresh=False)
    assert len(compacted) == 1
