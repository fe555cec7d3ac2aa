"""Reading a customer's export (CSV, Excel .xlsx, Parquet) into text rows, safely."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servicequality import store
from servicequality.ingest import limits, workbook
from servicequality.ingest import lines as lines_mod
from servicequality.ingest.lines import Unreadable
from servicequality.ingest.mapping import Mapping

MAPPINGS_DIR = store.PROJECT_ROOT / "mappings"
MAX_FIELD = 10 * 1024 * 1024  # a single CSV cell larger than this is a broken file, not data
DETECT_LINES = 30  # leading lines searched for the header row
FUTURE_TOLERANCE = dt.timedelta(days=1)  # exports in another time zone may run a day ahead

csv.field_size_limit(MAX_FIELD)


class ImportProblem(ValueError):
    """The file or mapping cannot be imported at all; str() is one line saying what to fix."""


# --- formula text ------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?")


def is_formula_like(value: Any) -> bool:
    """Text a spreadsheet would run as a formula (OWASP "CSV injection"): =, @, tab or CR first,
    or + / - first when the text is not simply a number."""
    if not isinstance(value, str) or not value:
        return False
    first = value[0]
    if first in "=@\t\r":
        return True
    return first in "+-" and not _NUMBER.fullmatch(value.strip())


def safe_cell(value: Any) -> Any:
    """A value fit to show or export: formula-like text gets a leading quote, nothing else changes."""
    return "'" + value if is_formula_like(value) else value


# --- reading files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WholeCsv:
    """A UTF-8 CSV file that DuckDB's reader may read as it is (ingest.bulk): no NUL, no lone carriage
    return, and either no quote (each line one row split at the delimiter) or, `quoted`, no quote
    beside a space (DuckDB's reader drops spaces around a quoted cell, Python's keeps them). Whether a
    quoted file's cells are each one line, and read alike, is for the reader to show (bulk.whole_file)."""

    path: Path
    skip: int  # lines before the first data line (junk, header, question row)
    delimiter: str
    rows: int  # data lines, blank ones included
    quoted: bool = False


@dataclass
class Table:
    """The export as text cells: a header and rows, each with the line it starts on."""

    file_name: str
    header: list[str]
    rows: Iterator[tuple[int, list[str] | Unreadable]]  # (line, cells), or a line that cannot be a row
    header_line: int
    encoding: str | None = None
    delimiter: str | None = None
    total_rows: int | None = None  # data lines (CSV: an upper bound when cells span lines), for progress
    warnings: list[str] = field(default_factory=list)
    # why a cell cannot be read (an Excel error value, a merged cell): .get(line, column index)
    cell_problems: workbook.CellProblems = field(default_factory=workbook.CellProblems)
    whole: WholeCsv | None = None  # the file, when DuckDB may read it whole


def file_format(path: Path, mapping: Mapping) -> str:
    if mapping.format:
        return mapping.format
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".xls":
        return "xls"
    return "csv"


def read_table(path: Path, mapping: Mapping) -> Table:
    if not path.exists():
        raise ImportProblem(f"{path} does not exist: check the file name")
    if path.is_dir():
        raise ImportProblem(f"{path} is a folder: give the export file itself")
    size = path.stat().st_size
    if size == 0:
        raise ImportProblem(f"{path.name} is empty (0 bytes): export it again with a header row and data")
    if size > limits.FILE_MB.value() * 1_000_000:
        raise ImportProblem(str(limits.over(limits.FILE_MB, f"{path.name} is {size / 1e6:,.0f} MB")))
    fmt = file_format(path, mapping)
    if fmt in ("xlsx", "xls"):
        return _read_xlsx(path, mapping, legacy=fmt == "xls")
    if fmt == "parquet":
        return _read_parquet(path)
    return _read_csv(path, mapping)


def decode(data: bytes, name: str, declared: str | None) -> tuple[str, str]:
    """Text and the encoding used: the declared one strictly, else utf-8(-sig), cp949, cp1252."""
    if declared:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ImportProblem(
                f"{name} is not {declared} text (bad byte at line {line}): fix encoding in [source] "
                "or remove it to detect the encoding"
            ) from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp949")
        # cp949 decodes many Western byte pairs as rare hanja, and "didn’t" as a Hangul syllable: real
        # Korean text is mostly Hangul, written in byte pairs (lines.looks_korean).
        if lines_mod.looks_korean(data):
            return text, "cp949"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise ImportProblem(
            f"{name}: cannot tell its encoding (not UTF-8, CP949 or Windows-1252): "
            'set encoding = "..." in [source] of the mapping'
        ) from None


def _looks_binary(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return "is a zip or Excel workbook, not CSV: save it with the .xlsx extension or export CSV"
    if head.startswith(b"PAR1"):
        return "is a Parquet file, not CSV: give it the .parquet extension"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return 'is UTF-16 text: save it as UTF-8 ("CSV UTF-8" in Excel)'
    if b"\x00" in head:
        return "is binary, not CSV text: export the data as CSV, .xlsx or Parquet"
    return None


def _expected_columns(mapping: Mapping) -> set[str]:
    aliases = {a for names in mapping.aliases.values() for a in names}
    return {c.strip() for c in mapping.source_columns() | aliases}


def _header_score(header: list[str], mapping: Mapping) -> int:
    names = {h.strip() for h in header}
    score = len(_expected_columns(mapping) & names)
    if mapping.survey and mapping.survey.patterns:
        score += sum(1 for h in names for p in mapping.survey.patterns.values() if p.search(h))
    return score


def _find_header(name: str, lines: list[str], mapping: Mapping) -> tuple[int, str, list[str]]:
    """The header: the line (after any junk) and delimiter under which most mapped columns appear."""
    starts = [mapping.skip_rows] if mapping.skip_rows is not None else range(min(DETECT_LINES, len(lines)))
    delimiters = [mapping.delimiter] if mapping.delimiter else [",", ";", "\t", "|"]
    best = None  # (score, fields, -start, delimiter, header)
    for start in starts:
        if start >= len(lines):
            raise ImportProblem(f"{name}: skip_rows = {start} skips every line of the file ({len(lines)} lines)")
        for delim in delimiters:
            try:
                header = next(csv.reader(io.StringIO("".join(lines[start : start + 50]), newline=""), delimiter=delim))
            except (StopIteration, csv.Error):
                continue
            candidate = (_header_score(header, mapping), len(header), -start, delim, header)
            if best is None or candidate[:3] > best[:3]:
                best = candidate
    if best is None:
        raise ImportProblem(f"{name}: no header row found in the first {DETECT_LINES} lines")
    score, _, neg_start, delim, header = best
    start = -neg_start
    if score == 0:
        first = lines[start].strip()[:80]
        hint = ""
        if len(header) == 1 and any(d in first for d in ",;\t|"):
            hint = "; is the delimiter right? set delimiter in [source]"
        raise ImportProblem(
            f"{name}: none of the columns the mapping names ({_list(_expected_columns(mapping))}) is in the "
            f"header {first!r}{hint}; fix [columns] or skip_rows"
        )
    return start, delim, header


def _read_csv(path: Path, mapping: Mapping) -> Table:
    with path.open("rb") as fh:
        problem = _looks_binary(fh.read(8192))
    if problem:
        raise ImportProblem(f"{path.name} {problem}")
    streamed = _utf8_lines(path, mapping.encoding)
    if streamed is not None:
        return _stream_csv(path, mapping, *streamed)
    data = path.read_bytes()
    mixed = None
    if not mapping.encoding and not _is_utf8(data):
        # Not UTF-8 as a whole: it may still mix UTF-8 lines with CP949 or Windows-1252 ones.
        mixed = lines_mod.mixed_encoding(data, withhold="customer" in mapping.columns)
    if mixed is not None:
        text, encoding, bad = mixed
    else:
        (text, encoding), bad = decode(data, path.name, mapping.encoding), {}
    del data
    if not text.strip():
        raise ImportProblem(f"{path.name} holds only blank lines: export it again with a header row and data")
    lines = list(io.StringIO(text, newline=""))  # split as the CSV reader splits: \n, \r\n or \r
    del text
    start, delim, header = _find_header(path.name, lines, mapping)
    first = _after_header(path.name, lines, start, delim, len(header), mapping.question_row)
    rows = lines_mod.csv_rows(itertools.islice(lines, first, None), first, delim, len(header), bad)
    warnings = []
    if bad:
        warnings.append(
            f"the file mixes encodings: {len(bad):,} line(s) not in {encoding.split()[0]} like the rest are "
            "rejected (see the rejected rows)"
        )
    return Table(path.name, [h.strip() for h in header], rows, start + 1, encoding, delim, len(lines) - first, warnings)


_UTF8 = ("utf-8", "utf-8-sig")


def _utf8_lines(path: Path, declared: str | None) -> tuple[str, int, bool, bool] | None:
    """(codec, number of lines, plain, readable) when the file is UTF-8 text that is not all blank, read
    once in 1 MB blocks; else None (another encoding, or bytes that are not UTF-8: the whole-file path
    decides and says why). Lines are counted as the CSV reader splits them: \\n, \\r\\n or \\r.
    Readable: no NUL, no \\r but in a \\r\\n line end and no quote beside a space, so DuckDB's reader
    may try it (WholeCsv); plain: readable and no quote, so each line is one row whose cells are the
    line split at the delimiter (`lines.plain_rows`)."""
    if declared:
        try:
            if codecs.lookup(declared).name not in _UTF8:
                return None
        except LookupError:
            return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, blank, last, quotes, readable = 0, True, "", False, True
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                text = decoder.decode(block)
                if not text:
                    continue
                # Each search below is a pass over the block: the ones a block cannot need are skipped
                # (no \r: no \r\n; no quote: none beside a space). 10 M rows: 5.9 -> 3.5 s.
                returns = text.count("\r")
                pairs = text.count("\r\n") if returns else 0
                cut = last == "\r" and text[0] == "\n"  # a \r\n cut between two blocks
                lines += text.count("\n") + returns - pairs - cut
                # a \r alone (not before \n; one ending this block is judged with the next)
                lone = returns - pairs - (text[-1] == "\r") + (last == "\r" and not cut)
                quoted = '"' in text
                quotes = quotes or quoted
                # a quote beside a space, across two blocks too
                beside = (quoted and ('" ' in text or ' "' in text)) or last + text[0] in ('" ', ' "')
                readable = readable and not lone and not beside and "\x00" not in text
                blank = blank and not text.strip()
                last = text[-1]
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if blank:
        return None  # the whole-file path says the file holds only blank lines
    lines += last not in ("\n", "\r")  # a last line without its line end
    readable = readable and last != "\r"
    return declared or "utf-8-sig", lines, readable and not quotes, readable


def _stream_csv(path: Path, mapping: Mapping, codec: str, total: int, plain: bool, readable: bool) -> Table:
    """A UTF-8 export read line by line as the import goes (a 10 M-row file held whole took 8.6 GB):
    the header is found in the file's first lines, then the rows stream from disk (split at the
    delimiter when the file is plain, else by the CSV reader)."""
    with path.open(encoding=codec, newline="") as fh:
        head = list(itertools.islice(fh, max(mapping.skip_rows or 0, DETECT_LINES) + 60))
    start, delim, header = _find_header(path.name, head, mapping)
    first = _after_header(path.name, head, start, delim, len(header), mapping.question_row)
    if plain:
        rows = lines_mod.plain_rows(_lines_from(path, codec, first), first, delim, len(header))
    else:
        rows = lines_mod.csv_rows(_lines_from(path, codec, first), first, delim, len(header), {})
    shown = mapping.encoding or "utf-8"
    table = Table(path.name, [h.strip() for h in header], rows, start + 1, shown, delim, total - first)
    table.whole = WholeCsv(path, first, delim, total - first, quoted=not plain) if readable else None
    return table


def _lines_from(path: Path, codec: str, first: int) -> Iterator[str]:
    """The file's lines from the 0-based index `first` on, read from disk as they are asked for."""
    with path.open(encoding=codec, newline="") as fh:
        yield from itertools.islice(fh, first, None)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _after_header(name: str, lines: list[str], start: int, delim: str, width: int, question_row: bool) -> int:
    """The index of the first data line: after the header and the question row under it. A quote in
    either that runs on over the lines below refuses the file (the rows it swallowed would vanish)."""
    heading = csv.reader(iter(lines[start : start + 50]), delimiter=delim, strict=False)
    for what in ("header", "question row") if question_row else ("header",):
        before = heading.line_num
        cells = next(heading, None)
        if cells is None:
            break
        span = heading.line_num - before
        chunk = lines[start + before : start + heading.line_num]
        if span > 1 and lines_mod.header_problem(chunk, cells, delim, width, start + before + 1):
            raise ImportProblem(
                f"{name}: the {what} on line {start + before + 1} has a quote that is not closed there (it runs "
                f"over {span} lines): fix the quoting on that line"
            )
    return start + heading.line_num


def _cell_text(value: Any) -> str:
    """A spreadsheet or Parquet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# A legacy .xls workbook is an OLE2 compound file; an .xlsx is a zip.
_WORKBOOK_MAGIC = {
    False: (b"PK\x03\x04", "an Excel .xlsx workbook (it is not a zip file)"),
    True: (b"\xd0\xcf\x11\xe0", "a legacy Excel .xls workbook"),
}


def _read_xlsx(path: Path, mapping: Mapping, *, legacy: bool = False) -> Table:
    magic, what = _WORKBOOK_MAGIC[legacy]
    with path.open("rb") as fh:
        if fh.read(4) != magic:
            raise ImportProblem(f"{path.name} is not {what}: export it again")
    try:
        rows, problems, height = workbook.read_rows(path, mapping.sheet, _cell_text)
    except (workbook.WorkbookProblem, limits.LimitExceeded) as exc:
        raise ImportProblem(str(exc)) from None
    head, rows = workbook.peek(rows, DETECT_LINES if mapping.skip_rows is None else mapping.skip_rows + 1)
    if not any(any(c for c in cells) for _, cells in head):
        raise ImportProblem(f"{path.name}: the sheet is empty: put a header row and data on it")
    starts = [mapping.skip_rows] if mapping.skip_rows is not None else range(len(head))
    best = max(((_header_score(head[s][1], mapping), -s) for s in starts if s < len(head)), default=(0, 0))
    if best[0] == 0:
        raise ImportProblem(
            f"{path.name}: none of the columns the mapping names ({_list(_expected_columns(mapping))}) is on the "
            "sheet; fix [columns], skip_rows or sheet"
        )
    start = -best[1]
    header = [h.strip() for h in head[start][1]]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]

    # A second header row holding each column's question text is not a data row.
    first = start + (2 if mapping.question_row else 1)

    with_errors = {line for line, _ in problems.errors}  # a row of error cells reads blank: still a row

    def data_rows():
        for i, (line, cells) in enumerate(rows):
            if i < first or not (any(cells) or line in with_errors):
                continue
            extra = [c for c in cells[width:] if c]
            yield line, cells[:width] + extra  # extra non-empty cells make the row ragged

    table = Table(path.name, header, data_rows(), start + 1, total_rows=max(height - first, 0), cell_problems=problems)
    if problems.errors:
        table.warnings.append(
            f"the sheet has {len(problems.errors):,} cell(s) holding an Excel error (#DIV/0!, #N/A...): rows "
            "that read one are rejected"
        )
    if problems.merged:
        table.warnings.append("the sheet has merged cells: rows that read a cell under one are rejected")
    return table


def _read_parquet(path: Path) -> Table:
    import pyarrow.parquet as pq

    if path.read_bytes()[:4] != b"PAR1":
        raise ImportProblem(f"{path.name} is not a Parquet file (no PAR1 magic bytes): export it again")
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError variants for corrupt files
        raise ImportProblem(f"{path.name}: cannot read the Parquet file ({str(exc).splitlines()[0][:200]})") from None
    header = [str(n).strip() for n in table.column_names]
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]

    def rows():
        for i in range(table.num_rows):
            yield i + 1, [_cell_text(col[i]) for col in columns]

    return Table(path.name, header, rows(), 0, total_rows=table.num_rows)


def _list(names) -> str:
    names = sorted(names)
    shown = ", ".join(repr(n) for n in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")
