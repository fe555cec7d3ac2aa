"""Importing a customer's export into the store, through a mapping file.

- `mapping`: the mapping file (which column is which field, targets, survey items).
- `read`: CSV, Excel .xlsx and Parquet files into text rows; formula text kept safe. `lines`: a
  CSV's lines into rows, an unclosed quote or a line in another encoding rejected, never swallowed;
  `workbook`: Excel sheets row by row, their error and merged cells named.
- `cells`: strict numbers (no nan, inf, 1_000 or other scripts' digits) and look-alike ids.
- `limits`: the bounds on one import's work (documented settings) and RE2 for mappings' regexes.
- `convert`: one cell's text into a typed value, or a reason to reject the row.
- `validate`: each row against the mapping and the store: store rows, or a rejection with its reason.
- `commit`: the import itself: every row stored or rejected with its reason, atomically.
- `report`: reading imports back (store counts, recent runs, rejected rows).
- `cli`: the `import` and `rejected` commands.
"""

from servicequality.ingest.cli import configure_import, configure_rejected, run_import_command, run_rejected_command
from servicequality.ingest.commit import ImportResult, file_sha256, run_import
from servicequality.ingest.convert import parse_timestamp
from servicequality.ingest.read import MAPPINGS_DIR, ImportProblem, decode, is_formula_like, safe_cell
from servicequality.ingest.report import STORE_TABLES, recent_runs, rejected_rows, store_counts

__all__ = [
    "MAPPINGS_DIR",
    "STORE_TABLES",
    "ImportProblem",
    "ImportResult",
    "configure_import",
    "configure_rejected",
    "decode",
    "file_sha256",
    "is_formula_like",
    "parse_timestamp",
    "recent_runs",
    "rejected_rows",
    "run_import",
    "run_import_command",
    "run_rejected_command",
    "safe_cell",
    "store_counts",
]
