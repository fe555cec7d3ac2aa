"""Ways out of the dashboard: tables as CSV that a spreadsheet opens safely.

Pure functions; servicequality.ui puts them behind download buttons.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pandas as pd

# A spreadsheet runs a cell as a formula when it starts with one of these (OWASP, "CSV Injection":
# =, +, -, @, tab and carriage return). Such text cells get a leading apostrophe, which the
# spreadsheet shows as text and never evaluates. Numbers are written as numbers: -0.5 stays -0.5.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> object:
    """One cell, escaped when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so Excel reads accents right) of `df`, text cells escaped.

    Column headers are escaped like cells: a header is text too.
    """
    return _escaped(df).to_csv(index=False).encode("utf-8-sig")


def _escaped(df: pd.DataFrame) -> pd.DataFrame:
    safe = df.copy()
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_datetime64_any_dtype(safe[column])):
            safe[column] = safe[column].map(escape_cell)
    safe.columns = [escape_cell(str(c)) for c in safe.columns]
    return safe


def csv_chunks(frames: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """The CSV of `frames` (same columns, one after the other) as byte chunks, one per frame: the
    byte-order mark and the header with the first, text cells escaped as in to_csv. No frames at
    all gives nothing; a first frame with no rows gives the header alone."""
    first = True
    for frame in frames:
        text = _escaped(frame).to_csv(index=False, header=first)
        yield (text.encode("utf-8-sig") if first else text.encode("utf-8"))
        first = False
