"""A CSV export's physical lines into rows, every line accounted for.

Two ways a file used to lose rows without a word (issue 15):
- an unclosed quote: the CSV reader keeps reading the quoted cell until the next quote or the end
  of the file, so one "row" swallowed 39,990 lines and the import reported 10 rows read;
- a file mixing UTF-8 and Windows-1252 lines: decoded as Windows-1252 throughout, "Café" written
  in UTF-8 was stored as "CafÃ©", a second category beside the real one.

Here a row whose quoted cell runs over several lines must parse cleanly on its own (RFC 4180:
the quote closes, the field count is the header's, and at most `SQ_IMPORT_MAX_CELL_LINES` lines).
Otherwise its first line is rejected as unreadable, with the lines the quote ran to, and reading
starts again on the next line: the swallowed lines come back as rows. A line in the file's
minority encoding is rejected with the reason. So the rows read are the data lines, less blank
lines and the continuation lines of well-formed multi-line cells.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from servicequality.ingest import limits


@dataclass(frozen=True)
class Unreadable:
    """A line that cannot become a row: it is rejected with this reason, never dropped."""

    reason: str
    text: str  # the line as the file has it (cut to 2,000 characters)


# --- encodings ---------------------------------------------------------------------------------


def mixed_encoding(data: bytes, *, withhold: bool = False) -> tuple[str, str, dict[int, str]] | None:
    """(text, encoding, {line number: reason}) for a file that is not UTF-8 as a whole but has both
    UTF-8 lines and lines that are not; None when it does not mix (then the file is one encoding).

    The other lines are CP949 when they read as mostly Hangul that way, else Windows-1252. The
    majority of the non-ASCII lines sets the file's encoding (a tie counts UTF-8) and the lines in
    the minority get a reason. In a CP949 file a line that is valid UTF-8 but also reads as Hangul
    is taken as CP949: a short Korean line can be valid UTF-8 by chance. (So a UTF-8 "Café" in a
    CP949 file is not caught: it reads as the Hangul "Caf챕".) `withhold` leaves the line's text
    out of the reason (the mapping reads a customer id)."""
    raw_lines = data.splitlines(keepends=True)  # \n, \r\n or \r: the CSV reader's own line ends
    utf8, other = [], []
    for i, raw in enumerate(raw_lines):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
            utf8.append(i)
        except UnicodeDecodeError:
            other.append(i)
    if not utf8 or not other:
        return None
    second = "cp949" if looks_korean(b"".join(raw_lines[i] for i in other)) else "cp1252"
    if second == "cp949":
        # short Korean lines can be valid UTF-8 by chance (홍, 천, 책): they are the file's CP949
        utf8 = [i for i in utf8 if not looks_korean(raw_lines[i])]
        if not utf8:
            return None
    majority_utf8 = len(utf8) >= len(other)
    is_utf8 = set(utf8)
    parts = [r.decode("utf-8") if i in is_utf8 else r.decode(second, errors="replace") for i, r in enumerate(raw_lines)]
    name = {"cp949": "CP949", "cp1252": "Windows-1252"}[second]

    def says(i: int) -> str:
        return "" if withhold else f" ({_sample(parts[i])!r})"

    if majority_utf8:
        bad = {
            i + 1: f"line {i + 1} is not UTF-8 like the rest of the file (it reads as {name}{says(i)}): the file "
            "mixes encodings; export it again as UTF-8"
            for i in other
        }
    else:
        bad = {
            i + 1: f"line {i + 1} is UTF-8 in a {name} file{says(i)}: stored, it would read garbled (e.g. 'Café' as "
            "'CafÃ©'); the file mixes encodings, export it again in one encoding"
            for i in utf8
        }
    text = "".join(parts).removeprefix("\ufeff")
    return text, ("utf-8" if majority_utf8 else second) + " (mixed)", bad


def looks_korean(data: bytes) -> bool:
    """The bytes read as CP949 Korean: nearly every byte above 0x7F sits beside another (CP949 writes
    a syllable in two), and read that way most of the non-ASCII characters are Hangul. Windows-1252
    text fails the first test: its accented letters and curly quotes stand alone between ASCII
    letters ("didn’t" is ...6E 92 74..., which CP949 would read as the syllable 뭪)."""
    high = [i for i, b in enumerate(data) if b > 0x7F]
    if not high:
        return False
    marks = set(high)
    paired = sum(1 for i in high if i - 1 in marks or i + 1 in marks)
    if paired / len(high) < 0.9:
        return False
    wide = [c for c in data.decode("cp949", errors="replace") if ord(c) > 0x7F]
    hangul = sum(1 for c in wide if "\uac00" <= c <= "\ud7a3" or "\u3131" <= c <= "\u318e")
    return bool(wide) and hangul / len(wide) >= 0.6


def _sample(line: str) -> str:
    """The line's first non-ASCII stretch, in context."""
    at = next((i for i, c in enumerate(line) if ord(c) > 0x7F), 0)
    return line[max(at - 15, 0) : at + 15].strip()


# --- rows ----------------------------------------------------------------------------------------


def csv_rows(
    lines: Iterable[str], first: int, delimiter: str, width: int, bad: dict[int, str]
) -> Iterator[tuple[int, list[str] | Unreadable]]:
    """(line number, cells or Unreadable) for each row of `lines`, the file's lines from its
    0-based index `first` on, read once as they come (a file streamed from disk is never held
    whole); blank lines are skipped. `width` is the header's field count, `bad` the lines rejected
    for their encoding. Only the lines of the row being read are kept: after an unreadable row that
    spans several lines, its lines after the first are read again."""
    longest = limits.CELL_LINES.value()
    source = iter(lines)
    again: deque[str] = deque()  # lines to read again (after an unreadable row), before the source's
    taken: list[str] = []  # the lines the reader took for the row it is reading

    def feed() -> Iterator[str]:
        while True:
            if again:
                line = again.popleft()
            else:
                line = next(source, None)
                if line is None:
                    return
            taken.append(line)
            yield line

    index = first  # the next row's first line, 0-based
    reader = csv.reader(feed(), delimiter=delimiter, strict=False)
    while True:
        taken.clear()
        start = index
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a NUL byte, a cell over the size limit (an unclosed quote in a big file)
            hint = "; an unclosed quote on this line?" if "field larger" in str(exc) else ""
            text = taken[0][:2000] if taken else ""
            yield start + 1, Unreadable(f"line {start + 1} cannot be read as CSV ({exc}{hint})", text)
            index = _read_again(again, taken, start)
            reader = csv.reader(feed(), delimiter=delimiter, strict=False)
            continue
        span = len(taken)
        index = start + span
        problem = next((bad[n] for n in range(start + 1, start + span + 1) if n in bad), None)
        if problem is None and span > 1:
            problem = _runaway(taken, cells, delimiter, width, start + 1, longest)
        if problem is not None:
            yield start + 1, Unreadable(problem, taken[0][:2000])
            if span > 1:  # the lines it swallowed are read again, as rows of their own
                index = _read_again(again, taken, start)
                reader = csv.reader(feed(), delimiter=delimiter, strict=False)
            continue
        if cells:
            yield start + 1, cells


def plain_rows(lines: Iterable[str], first: int, delimiter: str, width: int) -> Iterator[tuple[int, list[str]]]:
    """`csv_rows` for a file with no quote, no NUL and no carriage return outside a CRLF line end
    (`read._utf8_lines` checks): each line is one row, its cells the line split at the delimiter, which is
    what the CSV reader makes of such a line, at about a sixth of its cost (10 M rows: about 60 s
    less). A line longer than the reader's cell limit takes `csv_rows`, for its exact words."""
    limit = csv.field_size_limit()
    number = first
    for line in lines:
        number += 1
        if len(line) > limit:
            yield from csv_rows([line], number - 1, delimiter, width, {})
            continue
        text = line.rstrip("\r\n")  # a line ends in \n or \r\n here; no other \r is in the file
        if text:  # the CSV reader skips a blank line
            yield number, text.split(delimiter)


def _read_again(again: deque[str], taken: list[str], start: int) -> int:
    """Put the lines after the first of an unreadable row back in front of what is still to be read;
    returns the index of the line reading starts again on."""
    again.extendleft(reversed(taken[1:]))
    return start + 1


def _runaway(chunk: list[str], cells: list[str], delimiter: str, width: int, line: int, longest: int) -> str | None:
    """Why a row spanning several lines is not a well-formed quoted multi-line cell, or None."""
    last = line + len(chunk) - 1
    where = f"a quote opened on line {line:,} runs to line {last:,} ({len(chunk):,} lines)"
    fix = f"; fix the quoting on line {line:,} (the lines after it are read again as rows)"
    if len(chunk) > longest:
        return f"{where}: over the limit of {longest:,} lines for one quoted cell (set {limits.CELL_LINES.env}){fix}"
    try:
        clean = list(csv.reader(chunk, delimiter=delimiter, strict=True))
    except csv.Error:
        return f"{where} and does not close cleanly there: an unclosed or stray quote{fix}"
    if len(clean) != 1:
        return f"{where} and does not close cleanly there: an unclosed or stray quote{fix}"
    if len(cells) != width:
        return f"{where} and leaves a row of {len(cells)} fields where the header has {width}{fix}"
    if width > 1 and chunk[1:-1] and all(_row_like(inner, chunk[0], delimiter, width) for inner in chunk[1:-1]):
        # a stray quote closed by another one lines below: the lines between are rows of their own
        return f"{where}, over lines that read as rows of their own: a stray quote{fix}"
    return None


def _row_like(line: str, first: str, delimiter: str, width: int) -> bool:
    """The line reads as a row of the file: the header's width, and a first cell of the same shape
    as the first cell of the row the quote opened in ("T3" like "T2"; a sentence with commas inside
    a legitimate multi-line cell does not start like an id)."""
    cells = next(csv.reader([line], delimiter=delimiter, strict=False), [])
    opening = next(csv.reader([first], delimiter=delimiter, strict=False), [""])
    return len(cells) == width and _shape(cells[0]) == _shape(opening[0])


def _shape(text: str) -> str:
    """Letters as "a", digits as "9", runs collapsed: "T-104" -> "a-9", "I asked" -> "a a"."""
    return re.sub(r"[^\W\d_]+", "a", re.sub(r"\d+", "9", text.strip()))


def header_problem(lines: list[str], cells: list[str], delimiter: str, width: int, line: int) -> str | None:
    """Why a header (or question) row spanning several lines is a runaway quote, or None."""
    longest = limits.CELL_LINES.value()
    return _runaway(lines, cells, delimiter, width, line, longest)
