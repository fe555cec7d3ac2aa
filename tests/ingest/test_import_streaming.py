"""Imports with bounded memory (issue 15: a 10 M-row file took 8.6 GB). A UTF-8 export is read line
by line from disk: the rows, line numbers and rejections must be those of the file read whole, and
the reader must not read ahead of the row it gives. The keys of rows already written are looked up
in DuckDB: a repeat gets the same reason whichever chunk its first row was in."""

from __future__ import annotations

import io

import pytest

from servicequality import ingest, store
from servicequality.ingest import lines, read, validate
from servicequality.ingest.mapping import load as load_mapping
from tests.ingest.test_import_safety import MAPPING

# Rows with every kind of line end, a blank line, a well-formed two-line cell, a quote closed by a
# stray one two lines below (each swallowed line must come back as a row of its own) and a last line
# without its line end.
TRICKY = (
    "id,branch,channel,kind,category,opened\r\n"
    "T1,B01,email,complaint,Billing,2025-01-02 10:00\r\n"
    "\n"
    'T2,B01,email,complaint,"Two\nlines",2025-01-02 11:00\n'
    'T3,B01,phone,complaint,Bill"ing,2025-01-02 12:00\r'
    'T4,B01,phone,complaint,"Late,2025-01-03 09:00\n'
    "T5,B01,phone,complaint,Late,2025-01-03 10:00\n"
    'T6,B01,phone,complaint,Late",2025-01-03 11:00\n'
    "T7,B01,phone,complaint,Café,2025-01-04 08:00"
)


def whole_file_rows(text: str, first: int) -> list:
    """The rows as the reader gives them from the file held whole: the reference."""
    held = list(io.StringIO(text, newline=""))
    return list(lines.csv_rows(iter(held[first:]), first, ",", 6, {}))


def test_the_streamed_file_gives_the_rows_and_rejections_of_the_file_read_whole(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_bytes(TRICKY.encode("utf-8"))
    mapping = tmp_path / "tickets.toml"
    mapping.write_text(MAPPING)
    table = read.read_table(path, load_mapping(mapping))
    streamed = list(table.rows)
    assert streamed == whole_file_rows(TRICKY, 1)
    # Worked out by hand: T1 line 2 (line 3 is blank); T2 lines 4-5 (one row, its cell spans two
    # lines); T3 line 6 (its line ends in \r alone); the quote opened on line 7 closes on line 9, past
    # a line (T5) that reads as a row of the same shape: line 7 is unreadable and lines 8 and 9 are
    # read again as rows; T7 line 10.
    assert [n for n, _ in streamed] == [2, 4, 6, 7, 8, 9, 10]
    assert isinstance(streamed[3][1], lines.Unreadable)
    assert streamed[4][1][0] == "T5" and streamed[5][1][0] == "T6"
    assert streamed[6][1][4] == "Café"
    # 10 physical lines; the data lines after the header: 9 (an upper bound for the progress bar).
    assert table.total_rows == 9


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_lines_are_counted_as_the_csv_reader_splits_them_across_block_boundaries(tmp_path, end):
    # A line end cut by the 1 MB block boundary (the \r in one block, the \n in the next) is one line
    # end; a \r alone is one too. The reference: Python's own split, io.StringIO(newline="").
    first = "a" * ((1 << 20) - 1)  # its line end starts at the block's last byte
    text = "h\n" + first[2:] + end + "b,c" + end + "d"
    path = tmp_path / "cut.csv"
    path.write_text(text, encoding="utf-8", newline="")
    codec, count, plain, _ = read._utf8_lines(path, None)
    assert (codec, count) == ("utf-8-sig", len(list(io.StringIO(text, newline=""))))
    assert count == 4
    # A \r\n cut by the boundary is a line end like any other; a \r alone makes the file not plain.
    assert plain is (end != "\r")


def test_a_file_that_is_not_utf8_is_read_whole_and_a_declared_other_encoding_too(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("a,b\nCaf\xe9,1\n".encode("cp1252"))
    assert read._utf8_lines(path, None) is None
    path.write_bytes(b"a,b\nx,1\n")
    assert read._utf8_lines(path, "cp949") is None
    assert read._utf8_lines(path, "UTF8") == ("UTF8", 2, True, True)


class CountingLines:
    """An iterator of lines that counts how many were taken."""

    def __init__(self, items: list[str]):
        self.items, self.taken = iter(items), 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.items)
        self.taken += 1
        return line


def test_rows_are_read_as_they_are_asked_for_not_ahead():
    source = CountingLines([f"T{i},B01\n" for i in range(1, 1001)])
    rows = lines.csv_rows(source, 1, ",", 2, {})
    for n in range(1, 6):
        line, cells = next(rows)
        assert cells == [f"T{n}", "B01"] and line == n + 1
        assert source.taken == n  # exactly the lines of the rows given so far


@pytest.mark.slow  # 4 s: make test runs it, the fast tier does not
def test_a_repeated_id_gets_the_same_reason_whether_its_first_row_was_written_before_or_not(tmp_path, monkeypatch):
    # The keys of rows already written go to DuckDB, not a Python dict: with 2-row chunks every repeat
    # below meets its first row in an earlier chunk, and must be rejected as it is in one chunk.
    mapping = tmp_path / "tickets.toml"
    mapping.write_text(MAPPING)
    head = "id,branch,channel,opened,status\n"
    (tmp_path / "stored.csv").write_text(head + "T2,B1,Phone,2024-01-01 09:00,open\n")
    ids = ["T1", "T2", "T3", "T4", "T5", "T3", "T6", "T2", "T7", "T3"]  # lines 2 to 11
    (tmp_path / "new.csv").write_text(head + "".join(f"{i},B1,Phone,2024-01-02 09:00,open\n" for i in ids))
    # Worked out by hand: T2 (line 3) is in the store; T3 repeats line 4 on lines 7 and 11; T2 on
    # line 9 repeats line 3, the file's first T2 (which the store rejected), as before chunks.
    expected = [
        (3, "duplicate id 'T2': already in the store"),
        (7, "duplicate id 'T3' in the file (first at line 4)"),
        (9, "duplicate id 'T2' in the file (first at line 3)"),
        (11, "duplicate id 'T3' in the file (first at line 4)"),
    ]
    outcomes = []
    for chunk, every in ((2, 1), (validate.CHUNK_ROWS, validate.CHECK_EVERY)):
        monkeypatch.setattr(validate, "CHUNK_ROWS", chunk)
        monkeypatch.setattr(validate, "CHECK_EVERY", every)
        db = tmp_path / f"store_{chunk}.duckdb"
        ingest.run_import("tickets", tmp_path / "stored.csv", mapping, db)
        result = ingest.run_import("tickets", tmp_path / "new.csv", mapping, db)
        assert [(r.line, r.reason) for r in result.rejected] == expected
        assert (result.rows_read, result.rows_stored) == (10, 6)
        con = store.connect_read_only(db)
        try:
            stored = [r[0] for r in con.execute("select ticket_id from tickets order by ticket_id").fetchall()]
        finally:
            con.close()
        outcomes.append(stored)
    assert outcomes[0] == outcomes[1] == ["T1", "T2", "T3", "T4", "T5", "T6", "T7"]


@pytest.mark.parametrize(
    ("text", "plain", "readable"),
    [
        ("id,b\r\nT1,x\r\nT2,y", True, True),  # CRLF line ends, a last line without one
        ("id,b\nT1,x\n\nT2,y\n", True, True),  # a blank line is no obstacle: both readers skip it
        ('id,b\nT1,"x"\n', False, True),  # a quote: the CSV reader's rules apply (DuckDB's may try it)
        ('id,b\nT1,"x, y"\n', False, True),  # a space inside quotes, beside no quote
        ('id,b\nT1, "x"\n', False, False),  # a quote beside a space: DuckDB's reader would drop the space
        ('id,b\nT1,"x "\n', False, False),  # (inside quotes too: no quote beside a space, whatever the side)
        ("id,b\nT1,x\rT2,y\n", False, False),  # a \r alone ends a line for the CSV reader, not for a split
        ("id,b\nT1,x\r", False, False),  # ... also as the file's last character
        ("id,b\nT1,x\x00\n", False, False),  # NUL: the CSV reader refuses the line
        ("id,b\nT1,x\r\r\n", False, False),  # a \r before a CRLF
    ],
)
def test_a_file_is_plain_when_each_line_is_one_row_split_at_the_delimiter(tmp_path, text, plain, readable):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    assert read._utf8_lines(path, None)[2:] == (plain, readable)


@pytest.mark.parametrize(("pair", "readable"), [('" ', False), (' "', False), ('"x', True)])
def test_a_quote_and_a_space_cut_by_the_block_boundary_are_seen(tmp_path, pair, readable):
    # The pair's first character is the 1 MB block's last byte, its second the next block's first.
    text = "h\n" + "a" * ((1 << 20) - 3) + pair + "c\nd\n"
    path = tmp_path / "cut.csv"
    path.write_text(text, encoding="utf-8", newline="")
    assert read._utf8_lines(path, None)[2:] == (False, readable)


def random_plain_lines(rng, delimiter: str) -> list[str]:
    """Lines with no quote, NUL or lone \r: cells of letters, digits, spaces, the delimiter's
    neighbours, non-ASCII letters and empty cells; rows of the wrong width, blank and space-only lines,
    \n and \r\n ends, a last line without its end."""
    alphabet = ["a", "Z", "7", " ", "  ", "é", "한", "-", ":", ";", ",", "\t", "|", "'", "\\", "\u200b"]
    out = []
    for _ in range(rng.randrange(1, 40)):
        kind = rng.random()
        if kind < 0.08:
            body = ""
        elif kind < 0.12:
            body = " " * rng.randrange(1, 3)
        else:
            width = rng.choice([4, 4, 4, 3, 5, 1])
            cells = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 6))) for _ in range(width)]
            body = delimiter.join(c.replace(delimiter, "") for c in cells)
        out.append(body + rng.choice(["\n", "\r\n"]))
    if rng.random() < 0.5:
        out[-1] = out[-1].rstrip("\r\n")
    return out


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_plain_rows_are_the_csv_readers_rows_of_a_plain_file(delimiter):
    # The reference is Python's csv module (through csv_rows) on the same lines: 400 random files.
    import random

    rng = random.Random(15)
    for _ in range(400):
        text = random_plain_lines(rng, delimiter)
        first = rng.randrange(0, 3)
        expected = list(lines.csv_rows(iter(text), first, delimiter, 4, {}))
        assert list(lines.plain_rows(iter(text), first, delimiter, 4)) == expected, text


def test_a_plain_line_over_the_cell_limit_gets_the_csv_readers_words(monkeypatch):
    import csv

    before = csv.field_size_limit()
    try:
        csv.field_size_limit(12)
        text = ["a,b\n", "x" * 20 + ",y\n", "c,d\n", "e," + "f" * 10 + "\n"]
        got = list(lines.plain_rows(iter(text), 0, ",", 2))
        assert got == list(lines.csv_rows(iter(text), 0, ",", 2, {}))
        assert isinstance(got[1][1], lines.Unreadable) and "field larger" in got[1][1].reason
        assert got[3] == (4, ["e", "f" * 10])  # 13 characters in the line, 10 in the cell: read
    finally:
        csv.field_size_limit(before)


def test_a_plain_file_and_the_same_file_with_one_quote_give_the_same_rows(tmp_path):
    # The header and 30 rows; the second file differs by a quoted last cell, which sends it through
    # the CSV reader: every other row must read alike.
    mapping = tmp_path / "tickets.toml"
    mapping.write_text(MAPPING)
    head = "id,branch,channel,kind,category,opened\r\n"
    body = "".join(f"T{i}, B01 ,email,complaint,Bill ing,2025-01-02 10:00\r\n" for i in range(30))
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    plain.write_bytes((head + body + "\r\nT99,B01,email,,,\r\n").encode())
    quoted.write_bytes((head + body + '\r\nT99,B01,email,,,""\r\n').encode())
    assert read._utf8_lines(plain, None)[2] and not read._utf8_lines(quoted, None)[2]
    a = list(read.read_table(plain, load_mapping(mapping)).rows)
    b = list(read.read_table(quoted, load_mapping(mapping)).rows)
    assert a == b
    assert a[0] == (2, ["T0", " B01 ", "email", "complaint", "Bill ing", "2025-01-02 10:00"])
    assert a[-1][0] == 33  # line 32 is blank


@pytest.mark.parametrize(("after", "plain"), [("\n", True), ("b", False)])
def test_a_return_at_a_block_end_is_judged_by_the_next_blocks_first_character(tmp_path, after, plain):
    # The file's only \r is the 1 MB block's last byte: a line end with the \n after it, else alone.
    text = "h\n" + "a" * ((1 << 20) - 3) + "\r" + after + "c\nd\n"
    path = tmp_path / "cut.csv"
    path.write_text(text, encoding="utf-8", newline="")
    assert read._utf8_lines(path, None)[2] is plain
