"""Excel workbooks (.xlsx, legacy .xls) into text rows, with their broken cells named.

Read with python-calamine (Rust) row by row, never as a whole grid of Python objects. What
calamine passes over in silence is looked for here:
- error cells (#DIV/0!, #N/A, #REF!: a formula that failed) come back from calamine as blanks.
  In an .xlsx they are `<c t="e">` in the sheet's XML: the sheet is scanned for them (a byte search
  first, a streaming parse only when one is there) and a row whose read cell holds one is rejected
  with the error's name. A legacy .xls is not scanned (calamine gives no way to see them there);
- merged cells: only the first cell of a merged range holds the value, the others read blank. A row
  whose read cell lies under a merged range (not its first cell) is rejected, saying so;
- size: a workbook's sheets unzipped, a sheet's cells and its rows are bounded before the rows are
  read (ingest.limits): a 6 MB .xlsx can unzip to 2 M rows.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from xml.etree import ElementTree

from servicequality.ingest import limits
from servicequality.metrics.formats import column_letters

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class WorkbookProblem(ValueError):
    """The workbook cannot be read; str() is one line."""


@dataclass
class CellProblems:
    """Why particular cells cannot be read: error values by cell, merged ranges by row."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (line, column index) -> reason
    # merged ranges by block of BLOCK lines: (first line, last line, first column, last column, why);
    # a range is kept whole (not cell by cell: a full-column range is a million cells)
    merged: dict[int, list[tuple[int, int, int, int, str]]] = field(default_factory=dict)

    BLOCK = 1024

    def __bool__(self) -> bool:
        return bool(self.errors or self.merged)

    def add_merged(self, first: int, last: int, lo: int, hi: int, why: str) -> None:
        for block in range(first // self.BLOCK, last // self.BLOCK + 1):
            self.merged.setdefault(block, []).append((first, last, lo, hi, why))

    def get(self, line: int, column: int) -> str | None:
        if (line, column) in self.errors:
            return self.errors[(line, column)]
        for first, last, lo, hi, why in self.merged.get(line // self.BLOCK, ()):
            # every cell of the range but its first, which holds the value
            if first <= line <= last and lo <= column <= hi and (line, column) != (first, lo):
                return why
        return None


def _column_index(letters: str) -> int:
    number = 0
    for c in letters:
        number = number * 26 + ord(c) - ord("A") + 1
    return number - 1


def _split_ref(ref: str) -> tuple[int, int]:
    """ "B12" -> (line 12, column 1)."""
    letters = "".join(c for c in ref if c.isalpha())
    return int(ref[len(letters) :]), _column_index(letters.upper())


def _sheet_member(archive: zipfile.ZipFile, sheet: str | int | None) -> str | None:
    """The zip member holding the sheet (by name, or position; the first by default)."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    sheets = [(s.get("name"), targets.get(s.get(f"{_REL}id"), "")) for s in book.iter(f"{_MAIN}sheet")]
    chosen = next((t for n, t in sheets if n == sheet), None) if isinstance(sheet, str) else None
    if chosen is None and not isinstance(sheet, str):
        position = sheet or 0
        chosen = sheets[position][1] if 0 <= position < len(sheets) else None
    if not chosen:
        return None
    return chosen.lstrip("/") if chosen.startswith("/") else posixpath.normpath(posixpath.join("xl", chosen))


def check_xlsx_size(path: Path) -> None:
    """Refuse a workbook whose sheets unzip to more than the limit, before calamine reads it."""
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(
                i.file_size for i in archive.infolist() if i.filename.startswith(("xl/worksheets/", "xl/sharedStrings"))
            )
    except (zipfile.BadZipFile, OSError):
        return  # calamine says what is wrong with it
    if unzipped > limits.SHEET_XML_MB.value() * 1_000_000:
        raise limits.over(limits.SHEET_XML_MB, f"{path.name}: its sheets unzip to {unzipped / 1e6:,.0f} MB")


def error_cells(path: Path, sheet: str | int | None) -> dict[tuple[int, int], str]:
    """(line, absolute column index) -> the error value, for the sheet's error cells (.xlsx only)."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _sheet_member(archive, sheet)
            if member is None:
                return {}
            with archive.open(member) as stream:
                if not _mentions_error(stream):
                    return {}
            with archive.open(member) as stream:
                return _scan_errors(stream)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return {}


def _scan_errors(stream) -> dict[tuple[int, int], str]:
    """The error cells of a sheet's XML. A row's and a cell's r= (their place) is optional: without
    it a row follows the one before and a cell the one to its left."""
    found: dict[tuple[int, int], str] = {}
    line, column = 0, -1
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        if event == "start" and element.tag == f"{_MAIN}row":
            line = int(element.get("r") or line + 1)
            column = -1
        elif event == "start" and element.tag == f"{_MAIN}c":
            ref = element.get("r")
            column = _split_ref(ref)[1] if ref else column + 1
        elif event == "end" and element.tag == f"{_MAIN}c" and element.get("t") == "e":
            found[(line, column)] = element.findtext(f"{_MAIN}v") or "#ERROR"
        elif event == "end" and element.tag == f"{_MAIN}row":
            element.clear()
    return found


def _mentions_error(stream) -> bool:
    tail = b""
    while block := stream.read(1 << 20):
        if b't="e"' in tail + block or b"t='e'" in tail + block:
            return True
        tail = block[-8:]
    return False


def _problems(path: Path, sheet: str | int | None, chosen) -> CellProblems:
    """The sheet's error cells and the cells under merged ranges, by line and column as read."""
    offset = chosen.start[1] if chosen.start else 0  # rows come from the first used column on
    problems = CellProblems()
    if path.suffix.lower() != ".xls":
        for (line, column), value in error_cells(path, sheet).items():
            problems.errors[(line, column - offset)] = (
                f"cell {column_letters(column)}{line} holds the Excel error {value} (a formula that failed): fix it in "
                "the workbook and export again"
            )
    for (r0, c0), (r1, c1) in chosen.merged_cell_ranges or ():
        where = f"{column_letters(c0)}{r0 + 1}:{column_letters(c1)}{r1 + 1}"
        why = (
            f"the cell is under the merged cells {where}: only {column_letters(c0)}{r0 + 1} holds their value; unmerge "
            "them and fill the value in on every row"
        )
        problems.add_merged(r0 + 1, r1 + 1, c0 - offset, c1 - offset, why)
    return problems


def read_rows(
    path: Path, sheet: str | int | None, cell_text
) -> tuple[Iterator[tuple[int, list[str]]], CellProblems, int]:
    """((line, cells) for every row from the sheet's first line, its broken cells, its rows); the
    cells as `cell_text` writes them, columns from the sheet's first used one."""
    import python_calamine

    if path.suffix.lower() != ".xls":
        check_xlsx_size(path)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        chosen = book.get_sheet_by_name(sheet) if isinstance(sheet, str) else book.get_sheet_by_index(sheet or 0)
    except (python_calamine.WorksheetNotFound, IndexError):
        raise WorkbookProblem(f"{path.name}: no sheet {sheet!r}; fix sheet in [source]") from None
    except Exception as exc:  # calamine raises its own errors for corrupt workbooks
        raise WorkbookProblem(f"{path.name}: cannot read the workbook ({str(exc).splitlines()[0][:200]})") from None
    # end is the last used cell (0-based); rows are read from the sheet's first line
    height, width = (chosen.end[0] + 1, chosen.end[1] + 1) if chosen.end else (0, 0)
    if height > limits.EXCEL_MAX_ROWS:
        raise WorkbookProblem(
            f"{path.name}: the sheet has {height:,} rows, more than Excel's own {limits.EXCEL_MAX_ROWS:,}: it was not "
            "saved by Excel; export the data as CSV or Parquet"
        )
    if height * width > limits.SHEET_CELLS.value():
        raise limits.over(limits.SHEET_CELLS, f"{path.name}: the sheet has {height:,} rows x {width:,} columns")
    problems = _problems(path, sheet, chosen)

    def rows() -> Iterator[tuple[int, list[str]]]:
        for i, row in enumerate(chosen.iter_rows()):
            yield i + 1, [cell_text(v) for v in row]

    return rows(), problems, height


def peek(rows: Iterator, n: int) -> tuple[list, Iterator]:
    """The first n items, and an iterator over all of them again."""
    head = [r for _, r in zip(range(n), rows, strict=False)]
    return head, chain(head, rows)
