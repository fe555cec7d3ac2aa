"""Bounds on the work one import may cause, each a documented setting (mappings/README.md, "Limits").

A file or mapping over a limit stops the import with one line naming the limit and its setting;
the store is unchanged. The defaults fit a chain's real exports with room to spare; raise a limit
through its environment variable when a genuine file needs it.

Regular expressions in mappings run on RE2 (google-re2, Google's own binding): matching takes time
linear in the text whatever the pattern, so a rule like `(a+)+$` cannot run for minutes (Python's
`re` backtracks: issue 15 measured 90 s on one rule). RE2 refuses the few constructs that need
backtracking (look-around, back-references) when the mapping is loaded, with the reason.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import re2

EXCEL_MAX_ROWS = 1_048_576  # a worksheet's own limit in Excel: more rows cannot come from Excel


class SettingError(ValueError):
    """A limit's environment variable holds something else than a positive whole number."""


@dataclass(frozen=True)
class Setting:
    env: str
    default: int
    unit: str
    what: str

    def value(self) -> int:
        raw = os.environ.get(self.env, "").strip().replace("_", "")
        if not raw:
            return self.default
        if not raw.isascii() or not raw.isdigit() or int(raw) <= 0:
            raise SettingError(
                f"{self.env} = {raw!r} must be a positive whole number (the limit in {self.unit} for {self.what})"
            )
        return int(raw)


# The settings, in the order mappings/README.md documents them.
FILE_MB = Setting("SQ_IMPORT_MAX_FILE_MB", 2_048, "MB", "an export file")
SHEET_CELLS = Setting("SQ_IMPORT_MAX_SHEET_CELLS", 20_000_000, "cells", "one worksheet (rows x columns)")
SHEET_XML_MB = Setting("SQ_IMPORT_MAX_SHEET_XML_MB", 512, "MB", "a workbook's sheets once unzipped")
CELL_LINES = Setting("SQ_IMPORT_MAX_CELL_LINES", 1_000, "lines", "one quoted CSV cell")
ID_LENGTH = Setting("SQ_IMPORT_MAX_ID_LENGTH", 200, "characters", "an id an [id] template makes")
MEMORY_MB = Setting("SQ_IMPORT_MEMORY_MB", 1_024, "MB", "DuckDB while an import writes (beyond it spills to disk)")
SETTINGS = (FILE_MB, SHEET_CELLS, SHEET_XML_MB, CELL_LINES, ID_LENGTH, MEMORY_MB)


class LimitExceeded(ValueError):
    """Over a limit; str() is one line naming the limit and its setting."""


def over(setting: Setting, found: str) -> LimitExceeded:
    return LimitExceeded(
        f"{found}: over the limit of {setting.value():,} {setting.unit} for {setting.what} (set {setting.env} to "
        "raise it)"
    )


_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the reason comes back in the exception, not on stderr


class RegexError(ValueError):
    pass


def compile_regex(pattern: str):
    """A mapping's regular expression, compiled by RE2 (linear-time matching); RegexError with RE2's
    reason for a pattern RE2 cannot run (look-around, back-references) or that is malformed."""
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise RegexError(reason) from None
