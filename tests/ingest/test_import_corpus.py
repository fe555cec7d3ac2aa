"""A corpus of malformed and hostile files: each gets ONE clear line (what is wrong, how to fix
it) or its exact stored and rejected counts. The files are generated here, byte by byte."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from servicequality import ingest
from tests.conftest import ROOT

HEADER = "id,branch,channel,opened,resolved,status,csat,category\n"
GOOD_ROWS = (
    "T1,B1,Phone,2024-01-05 09:00,2024-01-05 10:00,resolved,4,Attitude\n"
    "T2,B2,Email,2024-01-06 09:00,,open,,Delivery\n"
    "T3,B1,Web,2024-01-07 09:00,2024-01-08 09:00,closed,5,\n"
)

TICKETS_MAPPING = """
target = "tickets"
[columns]
ticket_id = "id"
branch_id = "branch"
channel = "channel"
opened_at = "opened"
resolved_at = "resolved"
status = "status"
satisfaction = "csat"
category = "category"
[constants]
kind = "complaint"
priority = "normal"
segment = "Individual"
[dates]
formats = ["%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d"]
"""

SURVEY_MAPPING = """
target = "surveys"
[columns]
response_id = "rid"
branch_id = "branch"
submitted_at = "date"
[constants]
channel = "Web"
segment = "Individual"
[survey]
expectation = '^E(?P<item>\\d+)$'
perception = '^P(?P<item>\\d+)$'
[survey.items]
"1" = "reliability"
"2" = "courtesy"
"""

BRANCHES_CSV = (
    "branch_id,name,region,city,branch_type,size_band\n"
    "B1,One,North,Oslo,Standard,Small\nB2,Two,South,Rome,Standard,Large\n"
)
BRANCHES_MAPPING = """
target = "branches"
[columns]
branch_id = "branch_id"
name = "name"
region = "region"
city = "city"
branch_type = "branch_type"
size_band = "size_band"
"""


def xlsx(
    rows: list[list[str]],
    formulas: dict[tuple[int, int], tuple[str, str]] | None = None,
    errors: dict[tuple[int, int], str] | None = None,
    merged: tuple[str, ...] = (),
    first_column: int = 0,
    unplaced: bool = False,
) -> bytes:
    """A minimal .xlsx (inline strings); `formulas` puts a formula with its cached value in a cell,
    `errors` an error value (#DIV/0!) in a cell (line, 0-based column), `merged` merged ranges ("A2:A3");
    the table starts in column `first_column` (0 = A); `unplaced` leaves out the cells' r= attribute."""
    formulas, errors = formulas or {}, errors or {}

    def col(i: int) -> str:
        return chr(ord("A") + i)

    cells = []
    for r, row in enumerate(rows, 1):
        out = []
        for c, value in enumerate(row):
            ref = f"{col(c + first_column)}{r}"
            if (r, c) in errors:
                out.append(f'<c r="{ref}" t="e"><f>1/0</f><v>{escape(errors[(r, c)])}</v></c>')
            elif (r, c) in formulas:
                f, v = formulas[(r, c)]
                out.append(f'<c r="{ref}"><f>{escape(f)}</f><v>{v}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        row = "".join(out)
        if unplaced:
            row = re.sub(r' r="[A-Z]+\d+"', "", row)
        cells.append(f'<row r="{r}">{row}</row>')
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',  # noqa: E501
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',  # noqa: E501
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Tickets" sheetId="1" r:id="rId1"/></sheets></workbook>',  # noqa: E501
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',  # noqa: E501
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'  # noqa: E501
        + "".join(cells)
        + "</sheetData>"
        + (
            f'<mergeCells count="{len(merged)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merged) + "</mergeCells>"
            if merged
            else ""
        )
        + "</worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buffer.getvalue()


def parquet(rows: list[dict]) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    name: str  # the file name (its extension picks the reader)
    content: bytes
    error: str | None = None  # a fragment of the one-line error
    stored: int | None = None
    rejected: int | None = None
    mapping: str = TICKETS_MAPPING
    target: str = "tickets"
    reasons: tuple[str, ...] = ()  # fragments each found in some rejection reason


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


CASES = [
    # --- files that cannot be imported at all: one line, exit code 2 -----------------------------
    Case("empty.csv", b"", error="is empty (0 bytes)"),
    Case("blank_lines.csv", b"\n\n   \r\n\n", error="holds only blank lines"),
    Case("binary.csv", bytes(range(256)) * 20, error="is binary, not CSV text"),
    Case("workbook_named_csv.csv", xlsx([["id"]]), error="is a zip or Excel workbook, not CSV"),
    Case("utf16.csv", (HEADER + GOOD_ROWS).encode("utf-16"), error="is UTF-16 text"),
    Case(
        "wrong_delimiter.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING + '[source]\ndelimiter = ";"\n',
        error="is the delimiter right?",
    ),
    Case(
        "missing_column.csv",
        csv_bytes("id,branch,channel,opened,status,csat,category\nT1,B1,Phone,2024-01-05 09:00,open,4,Attitude\n"),
        error="column 'resolved' named in [columns]",
    ),
    Case("header_only.csv", csv_bytes(HEADER), error="has a header but no data rows"),
    Case(
        "bad_toml.csv", csv_bytes(HEADER + GOOD_ROWS), mapping="target = tickets\n[columns\n", error="is not valid TOML"
    ),
    Case(
        "unknown_field.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING.replace("[constants]", 'customer_name = "name"\n[constants]'),
        error="unknown field 'customer_name' in [columns]",
    ),
    Case(
        "unknown_section.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING + '[colums]\nx = "y"\n',
        error="unknown setting 'colums'",
    ),
    Case(
        "wrong_target.csv",
        csv_bytes("rid,branch,date,E1,P1\n"),
        mapping=SURVEY_MAPPING,
        error="maps surveys, not tickets",
    ),
    Case(
        "no_status_source.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING.replace('status = "status"\n', ""),
        error="required field 'status' has no source",
    ),
    Case(
        "declared_utf8_but_cp949.csv",
        csv_bytes(HEADER + "T1,지점,Phone,2024-01-05 09:00,,open,,\n", "cp949"),
        mapping=TICKETS_MAPPING + '[source]\nencoding = "utf-8"\n',
        error="is not utf-8 text (bad byte at line 2)",
    ),
    Case("corrupt.xlsx", b"PK\x03\x04" + b"\x00garbage" * 50, error="cannot read the workbook"),
    Case("csv_named_xlsx.xlsx", csv_bytes(HEADER + GOOD_ROWS), error="is not an Excel .xlsx workbook"),
    Case("corrupt.parquet", b"PAR1" + b"\x01\x02garbage" * 40, error="cannot read the Parquet file"),
    # Legacy .xls is read (calamine); a damaged one says so, and a CSV named .xls is told apart.
    Case("corrupt_old_excel.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, error="cannot read the workbook"),
    Case("csv_named_xls.xls", csv_bytes(HEADER + GOOD_ROWS), error="is not a legacy Excel .xls workbook"),
    Case(
        "duplicate_header.csv",
        csv_bytes(
            "id,branch,channel,opened,resolved,status,csat,category,id\nT1,B1,Phone,2024-01-05 09:00,,open,,,T9\n"
        ),
        error="column 'id' appears twice",
    ),
    Case(
        "bad_category_regex.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING
        + '[[category.rules]]\nmatch = "(unclosed"\nfamily = "service"\ncomponent = "courtesy"\n',
        error="match is not a valid regular expression",
    ),
    Case(
        "bad_encoding_name.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING + '[source]\nencoding = "klingon-8"\n',
        error="is not an encoding Python knows",
    ),
    Case(
        "skip_everything.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING + "[source]\nskip_rows = 40\n",
        error="skips every line of the file",
    ),
    Case(
        "bad_component.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING + '[[category.rules]]\nmatch = "x"\nfamily = "service"\ncomponent = "happiness"\n',
        error="component = 'happiness' must be one of",
    ),
    Case(
        "survey_regex_without_item.csv",
        csv_bytes("rid,branch,date,E1,P1\nR1,B1,2024-01-01,5,6\n"),
        mapping=SURVEY_MAPPING.replace("(?P<item>", "(", 1),
        target="surveys",
        error="needs a named group (?P<item>...)",
    ),
    Case("no_known_column.csv", csv_bytes("a,b,c\n1,2,3\n"), error="none of the columns the mapping names"),
    Case(
        "survey_item_without_component.csv",
        csv_bytes("rid,branch,date,E1,P1,E2,P2,E3,P3\nR1,B1,2024-01-01,5,6,5,6,5,6\n"),
        mapping=SURVEY_MAPPING,
        target="surveys",
        error="item '3' matched by the [survey] regexes has no component",
    ),
    # --- partly good files: exact stored and rejected counts -------------------------------------
    Case("good.csv", csv_bytes(HEADER + GOOD_ROWS), stored=3, rejected=0),
    Case(
        "out_of_range.csv",
        csv_bytes(
            HEADER + GOOD_ROWS + "T4,B1,Phone,2024-01-05 09:00,,open,9,\nT5,B1,Phone,2024-01-05 09:00,,open,0,\n"
        ),
        stored=3,
        rejected=2,
        reasons=("satisfaction out of range 1-5",),
    ),
    Case(
        "unknown_branch.csv",
        csv_bytes(HEADER + GOOD_ROWS + "T4,B99,Phone,2024-01-05 09:00,,open,,\n"),
        stored=3,
        rejected=1,
        reasons=("unknown branch 'B99'",),
    ),
    Case(
        "closed_before_opened.csv",
        csv_bytes(HEADER + GOOD_ROWS + "T4,B1,Phone,2024-01-05 09:00,2024-01-04 09:00,closed,,\n"),
        stored=3,
        rejected=1,
        reasons=("closed before opened",),
    ),
    Case(
        "future_date.csv",
        csv_bytes(HEADER + GOOD_ROWS + "T4,B1,Phone,2099-01-05 09:00,,open,,\n"),
        stored=3,
        rejected=1,
        reasons=("opened_at is in the future",),
    ),
    Case(
        "duplicate_ids.csv",
        csv_bytes(HEADER + GOOD_ROWS + "T2,B1,Phone,2024-01-05 09:00,,open,,\nT2,B2,Phone,2024-01-05 09:00,,open,,\n"),
        stored=3,
        rejected=2,
        reasons=("duplicate id 'T2' in the file (first at line 3)",),
    ),
    Case(
        "unparseable_dates.csv",
        csv_bytes(HEADER + GOOD_ROWS + "T4,B1,Phone,yesterday,,open,,\nT5,B1,Phone,2024-13-45 09:00,,open,,\n"),
        stored=3,
        rejected=2,
        reasons=("unparseable date for opened_at",),
    ),
    Case(
        "mixed_date_formats.csv",
        csv_bytes(
            HEADER
            + "T1,B1,Phone,2024-01-05 09:00,,open,,\n"
            + "T2,B1,Phone,06/01/2024 09:00,,open,,\n"
            + "T3,B1,Phone,2024-01-07,,open,,\n"
        ),
        stored=3,
        rejected=0,
    ),
    Case(
        "formula_text.csv",
        csv_bytes(
            HEADER
            + '"=HYPERLINK(""http://evil"",""x"")",B1,Phone,2024-01-05 09:00,,open,,\n'
            + "T5,B1,Phone,2024-01-05 09:00,,open,=1+1,\n"
            + "T6,B1,Phone,2024-01-05 09:00,,open,,@SUM(A1)\n"
        ),
        stored=1,
        rejected=2,
        reasons=("satisfaction must be a number", "unknown complaint category '@SUM(A1)'"),
    ),
    Case(
        "ragged_rows.csv",
        csv_bytes(HEADER + GOOD_ROWS + "T4,B1,Phone,2024-01-05 09:00,,open,,,extra\nT5,B1\n"),
        stored=3,
        rejected=2,
        reasons=("row has 9 fields, the header has 8", "row has 2 fields"),
    ),
    Case(
        "unterminated_quote.csv",
        csv_bytes(
            HEADER
            + GOOD_ROWS
            + 'T4,B1,Phone,2024-01-05 09:00,,open,,"never closed\nT5,B1,Phone,2024-01-05 09:00,,open,,\n'
        ),
        # T4's quote runs to the end of the file: T4 is rejected, T5 (which it swallowed) is read again and stored
        stored=4,
        rejected=1,
        reasons=("a quote opened on line 5 runs to line 6 (2 lines) and does not close cleanly",),
    ),
    Case(
        "junk_lines_semicolon_multiline.csv",
        csv_bytes(
            "Archive: export.zip\n  inflating: export.csv\n"
            + HEADER.replace(",", ";")
            + 'T1;B1;Phone;2024-01-05 09:00;;open;;"Attitude"\n'
            + 'T2;B1;Phone;2024-01-05 09:00;;open;;"Delivery"\n'
        ),
        stored=2,
        rejected=0,
    ),
    Case(
        "tab_delimited_bom.csv",
        b"\xef\xbb\xbf" + csv_bytes(HEADER.replace(",", "\t") + GOOD_ROWS.replace(",", "\t")),
        stored=3,
        rejected=0,
    ),
    Case(
        "cp949_detected.csv",
        csv_bytes(
            HEADER + "T1,B1,Phone,2024-01-05 09:00,,open,,불친절한 직원\nT2,B1,Phone,2024-01-05 09:00,,open,,\n",
            "cp949",
        ),
        stored=1,
        rejected=1,
        reasons=("unknown complaint category '불친절한 직원'",),
    ),
    Case(
        "cp1252_detected.csv",
        csv_bytes(HEADER + "T1,B1,Phone,2024-01-05 09:00,,open,,Caf\u00e9 Zo\u00eb \u2013 M\u00fcller\n", "cp1252"),
        stored=0,
        rejected=1,
        reasons=("unknown complaint category 'Café Zoë – Müller'",),
    ),
    Case(
        "empty_rows_and_blank_required.csv",
        csv_bytes(HEADER + GOOD_ROWS + ",,,,,,,\nT4,B1,Phone,2024-01-05 09:00,,,,\n"),
        stored=3,
        rejected=2,
        reasons=("empty row", "status is required but blank"),
    ),
    Case(
        "unknown_channel.csv",
        csv_bytes(HEADER + GOOD_ROWS + "T4,B1,Carrier pigeon,2024-01-05 09:00,,open,,\n"),
        stored=3,
        rejected=1,
        reasons=("unknown channel 'Carrier pigeon'",),
    ),
    Case(
        "tickets.xlsx",
        xlsx(
            [
                ["Exported by CRM"],
                HEADER.strip().split(","),
                *[r.split(",") for r in GOOD_ROWS.strip().split("\n")],
                ["T4", "B1", "Phone", "2024-01-05 09:00", "", "open", "", ""],
            ],
            formulas={(6, 6): ("1+2", "3")},  # csat cell holds =1+2 with cached value 3: the value is read, not run
        ),
        stored=4,
        rejected=0,
    ),
    Case(
        "tickets.parquet",
        parquet(
            [
                {
                    "id": "T1",
                    "branch": "B1",
                    "channel": "Phone",
                    "opened": "2024-01-05 09:00",
                    "resolved": None,
                    "status": "open",
                    "csat": 4,
                    "category": None,
                },
                {
                    "id": "T2",
                    "branch": "B1",
                    "channel": "Phone",
                    "opened": "2024-01-05 09:00",
                    "resolved": None,
                    "status": "open",
                    "csat": 7,
                    "category": None,
                },
            ]
        ),
        stored=1,
        rejected=1,
        reasons=("satisfaction out of range",),
    ),
    Case(
        "survey_scores.csv",
        csv_bytes(
            "rid,branch,date,E1,P1,E2,P2\nR1,B1,2024-01-01,6,5,7,7\nR2,B1,2024-01-01,8,5,7,7\nR3,B1,2024-01-01,6,,7,7\n"
            "R4,B1,2024-01-01,,,,\n"
        ),
        mapping=SURVEY_MAPPING,
        target="surveys",
        stored=1,
        rejected=3,
        reasons=(
            "expectation of item 1 out of range 1-7",
            "item 1 has a expectation but no perception",
            "no SERVQUAL item answered",
        ),
    ),
    # --- issue 15: what used to be lost or stored wrongly, now rejected row by row with the reason ----
    Case(
        # R1 good; R2 a NaN perception; R3 an infinite expectation; R4 fine: before, one nan aborted the file
        "nan_and_inf_scores.csv",
        csv_bytes(
            "rid,branch,date,E1,P1,E2,P2\nR1,B1,2024-01-01,6,5,7,7\nR2,B1,2024-01-01,6,nan,7,7\n"
            "R3,B1,2024-01-01,inf,5,7,7\nR4,B1,2024-01-02,5,5,-Infinity,7\nR5,B1,2024-01-03,1,2,3,4\n"
        ),
        mapping=SURVEY_MAPPING,
        target="surveys",
        stored=2,
        rejected=3,
        reasons=(
            "perception of item 1 is not a number ('nan' is not a finite number)",
            "expectation of item 1 is not a number ('inf' is not a finite number)",
            "expectation of item 2 is not a number ('-Infinity' is not a finite number)",
        ),
    ),
    Case(
        # csat "1_000" (Python reads 1000), Arabic-Indic "٤" and fullwidth "４" (Python reads 4), then a plain 4
        "look_alike_numbers.csv",
        csv_bytes(
            HEADER
            + "T1,B1,Phone,2024-01-05 09:00,,open,1_000,\nT2,B1,Phone,2024-01-05 09:00,,open,\u0664,\n"
            + "T3,B1,Phone,2024-01-05 09:00,,open,\uff14,\nT4,B1,Phone,2024-01-05 09:00,,open,4,\n"
        ),
        stored=1,
        rejected=3,
        reasons=("satisfaction must be a number", "is written with other digits than 0-9"),
    ),
    Case(
        # a Cyrillic О in a Latin id, a zero-width space, a fullwidth B: each would be a second ticket or branch
        "look_alike_ids.csv",
        csv_bytes(
            HEADER
            + "T\u041e1,B1,Phone,2024-01-05 09:00,,open,,\nT\u200b2,B1,Phone,2024-01-05 09:00,,open,,\n"
            + "T3,\uff221,Phone,2024-01-05 09:00,,open,,\nT4,B1,Phone,2024-01-05 09:00,,open,,\n"
        ),
        stored=1,
        rejected=3,
        reasons=(
            "ticket_id mixes Latin and Cyrillic letters ('\u041e' is CYRILLIC CAPITAL LETTER O)",
            "ticket_id holds an invisible or unusual character (ZERO WIDTH SPACE, U+200B)",
            "branch_id holds compatibility characters (it reads as 'B1')",
        ),
    ),
    Case(
        # UTF-8 throughout but line 3 written in Windows-1252: stored, "Caf\xe9" would be a second category
        "mixed_encodings_mostly_utf8.csv",
        csv_bytes(HEADER + "T1,B1,Phone,2024-01-05 09:00,,open,,Caf\u00e9\n")
        + csv_bytes("T2,B1,Phone,2024-01-05 09:00,,open,,Caf\u00e9\n", "cp1252")
        + csv_bytes("T3,B1,Phone,2024-01-05 09:00,,open,,M\u00fcller\nT4,B1,Phone,2024-01-05 09:00,,open,,\n"),
        mapping=TICKETS_MAPPING + '[[category.rules]]\nmatch = "."\nfamily = "service"\ncomponent = "courtesy"\n',
        stored=3,
        rejected=1,
        reasons=("line 3 is not UTF-8 like the rest of the file",),
    ),
    Case(
        # Windows-1252 throughout but line 2 written in UTF-8: it would be stored as "CafÃ©"
        "mixed_encodings_mostly_cp1252.csv",
        csv_bytes(HEADER + "T1,B1,Phone,2024-01-05 09:00,,open,,Caf\u00e9\n")
        + csv_bytes(
            "T2,B1,Phone,2024-01-05 09:00,,open,,Caf\u00e9\nT3,B1,Phone,2024-01-05 09:00,,open,,Zo\u00eb\n", "cp1252"
        ),
        mapping=TICKETS_MAPPING + '[[category.rules]]\nmatch = "."\nfamily = "service"\ncomponent = "courtesy"\n',
        stored=2,
        rejected=1,
        reasons=("line 2 is UTF-8 in a Windows-1252 file",),
    ),
    Case(
        # T2's csat is #DIV/0! (rejected); T3 has #N/A in a column the mapping does not read (stored)
        "excel_error_cells.xlsx",
        xlsx(
            [
                [*HEADER.strip().split(","), "notes"],
                *[[*r.split(","), ""] for r in GOOD_ROWS.strip().split("\n")],
            ],
            errors={(3, 6): "#DIV/0!", (4, 8): "#N/A"},
        ),
        stored=2,
        rejected=1,
        reasons=("cell G3 holds the Excel error #DIV/0! (a formula that failed)",),
    ),
    Case(
        # the same with the table starting in column C: the cells are still named as Excel names them
        "excel_error_cells_from_column_c.xlsx",
        xlsx(
            [
                [*HEADER.strip().split(","), "notes"],
                *[[*r.split(","), ""] for r in GOOD_ROWS.strip().split("\n")],
            ],
            errors={(2, 1): "#REF!", (4, 8): "#N/A"},
            merged=("D3:D4",),
            first_column=2,
        ),
        stored=1,
        rejected=2,
        reasons=(
            "cell D2 holds the Excel error #REF!",
            "the cell is under the merged cells D3:D4: only D3 holds their value",
        ),
    ),
    Case(
        # T2's row is all #REF! (calamine reads it blank: it vanished); T3's csat #DIV/0! sits in a cell
        # without r= (optional in the format: the cell after the one to its left)
        "excel_error_row_and_cells_without_place.xlsx",
        xlsx(
            [HEADER.strip().split(","), *[r.split(",") for r in GOOD_ROWS.strip().split("\n")]],
            errors={(3, c): "#REF!" for c in range(8)} | {(4, 6): "#DIV/0!"},
            unplaced=True,
        ),
        stored=1,
        rejected=2,
        reasons=("cell A3 holds the Excel error #REF!", "cell G4 holds the Excel error #DIV/0!"),
    ),
    Case(
        # 40 merged ranges of a whole column (40 million cells) in columns the mapping does not read: kept
        # as ranges, not cell by cell (before: 2.7 GB and 10 s for 30 of them, in a 5 KB workbook)
        "excel_merged_whole_columns.xlsx",
        xlsx(
            [HEADER.strip().split(","), *[r.split(",") for r in GOOD_ROWS.strip().split("\n")]],
            merged=tuple(f"{c}1:{c}1048576" for c in "JKLMNOPQRSTUVWXY") * 2
            + tuple(f"{c}1:{c}1048576" for c in "JKLMNOPQ"),
        ),
        stored=3,
        rejected=0,
    ),
    Case(
        # the branch cells B3:B4 are merged: only B3 holds "B1"; T3 on line 4 would read a blank branch
        "excel_merged_cells.xlsx",
        xlsx(
            [HEADER.strip().split(","), *[r.split(",") for r in GOOD_ROWS.strip().split("\n")]],
            merged=("B3:B4",),
        ),
        stored=2,
        rejected=1,
        reasons=("the cell is under the merged cells B3:B4: only B3 holds their value",),
    ),
    Case(
        # the header's last name opens a quote that never closes: every row would be read into the header
        "header_unclosed_quote.csv",
        csv_bytes(HEADER.replace(",category", ',"category') + GOOD_ROWS),
        error="the header on line 1 has a quote that is not closed there (it runs over 4 lines)",
    ),
    Case(
        "question_row_unclosed_quote.csv",
        csv_bytes(HEADER + 'Ticket,"Branch, where,Channel,Opened,Resolved,Status,CSAT,Category\n' + GOOD_ROWS),
        mapping=TICKETS_MAPPING + "[source]\nquestion_row = true\n",
        error="the question row on line 2 has a quote that is not closed there",
    ),
    Case(
        # T2's category opens a quote that T5's closes: before, T2-T5 became one row with a 4-line category
        "stray_quote_closed_lines_below.csv",
        csv_bytes(
            HEADER
            + "".join(
                f"T{i},B1,Phone,2024-01-05 09:00,,open,,{c}\n"
                for i, c in enumerate(["Attitude", '"Attitude', "Delivery", "Delivery", 'Delivery"', "Attitude"], 1)
            )
        ),
        mapping=TICKETS_MAPPING + '[[category.rules]]\nmatch = "."\nfamily = "service"\ncomponent = "courtesy"\n',
        stored=5,
        rejected=1,
        reasons=("a quote opened on line 3 runs to line 6 (4 lines), over lines that read as rows of their own",),
    ),
    Case(
        # German UTF-8 (ü, ä read as Hangul in CP949) and one Windows-1252 line: was read whole as CP949
        "mixed_encodings_german.csv",
        csv_bytes(
            HEADER + "T1,B1,Phone,2024-01-05 09:00,,open,,M\u00fcnchen\nT2,B1,Phone,2024-01-05 09:00,,open,,Lieferung "
            "versp\u00e4tet\nT3,B1,Phone,2024-01-05 09:00,,open,,Gr\u00fc\u00dfe\n"
        )
        + csv_bytes("T4,B1,Phone,2024-01-05 09:00,,open,,\u00c4rger\n", "cp1252"),
        mapping=TICKETS_MAPPING + '[[category.rules]]\nmatch = "."\nfamily = "service"\ncomponent = "courtesy"\n',
        stored=3,
        rejected=1,
        reasons=("line 5 is not UTF-8 like the rest of the file (it reads as",),
    ),
    Case(
        # Windows-1252 with curly apostrophes ("didn’t": 6E 92 74, which CP949 reads as a Hangul syllable)
        # and one UTF-8 line: the file is Windows-1252 (it was read as CP949: "didn뭪")
        "cp1252_curly_quotes_and_one_utf8_line.csv",
        csv_bytes(
            HEADER
            + "".join(
                f"T{i},B1,Phone,2024-01-05 09:00,,open,,didn\u2019t listen, it\u2019s my third visit\n"
                for i in range(1, 6)
            ).replace(", it", " - it"),
            "cp1252",
        )
        + csv_bytes("T6,B1,Phone,2024-01-05 09:00,,open,,Caf\u00e9 closed\n"),
        mapping=TICKETS_MAPPING + '[[category.rules]]\nmatch = "."\nfamily = "service"\ncomponent = "courtesy"\n',
        stored=5,
        rejected=1,
        reasons=("line 7 is UTF-8 in a Windows-1252 file",),
    ),
    Case(
        # CP949 throughout; 홍천 (C8 AB C3 B5) is also valid UTF-8 by chance: it was read as "ȫõ" and the
        # other rows rejected as "not UTF-8"
        "cp949_short_words_valid_as_utf8.csv",
        csv_bytes(
            HEADER
            + "".join(f"H{i},B1,Phone,2024-01-05 09:00,,open,,\ud64d\ucc9c\n" for i in range(4))
            + "".join(f"S{i},B1,Phone,2024-01-05 09:00,,open,,\uc11c\uc6b8\n" for i in range(2)),
            "cp949",
        ),
        mapping=TICKETS_MAPPING
        + '[[category.rules]]\nmatch = "^(\ud64d\ucc9c|\uc11c\uc6b8)$"\nfamily = "service"\ncomponent = "courtesy"\n',
        stored=6,
        rejected=0,
    ),
    Case(
        # a legitimate multi-line cell whose middle line has as many commas as a row: not a stray quote
        "multiline_cell_with_commas.csv",
        csv_bytes(
            HEADER
            + 'T1,B1,Phone,2024-01-05 09:00,,open,,"Complaint:\nI asked about milk, eggs, bread, butter, jam, tea, '
            'rice, oil\nand got nothing"\nT2,B1,Phone,2024-01-05 09:00,,open,,Attitude\n'
        ),
        mapping=TICKETS_MAPPING + '[[category.rules]]\nmatch = "."\nfamily = "service"\ncomponent = "courtesy"\n',
        stored=2,
        rejected=0,
    ),
    Case(
        "backtracking_regex.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING + '[[category.rules]]\nmatch = "(?=a)b"\nfamily = "service"\ncomponent = "courtesy"\n',
        error="match is not a valid regular expression for RE2 (invalid perl operator: (?=)",
    ),
    Case(
        "id_template_bomb.csv",
        csv_bytes(HEADER + GOOD_ROWS),
        mapping=TICKETS_MAPPING + '[id]\nfield = "ticket_id"\ntemplate = "T{row:0>60000000}"\n',
        error="asks for a width of 60,000,000: ids are limited to 200 characters (set SQ_IMPORT_MAX_ID_LENGTH",
    ),
]


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """A store holding branches B1 and B2 only."""
    folder = tmp_path_factory.mktemp("corpus_base")
    (folder / "branches.csv").write_text(BRANCHES_CSV)
    (folder / "branches.toml").write_text(BRANCHES_MAPPING)
    db = folder / "base.duckdb"
    result = ingest.run_import("branches", folder / "branches.csv", folder / "branches.toml", db)
    assert (result.rows_stored, result.rows_rejected) == (2, 0)
    return db


def test_the_corpus_has_at_least_25_hostile_files():
    assert len(CASES) >= 25
    assert len([c for c in CASES if c.error]) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_file(case: Case, base_db: Path, tmp_path: Path):
    db = tmp_path / "store.duckdb"
    shutil.copy(base_db, db)
    file = tmp_path / case.name
    file.write_bytes(case.content)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(case.mapping)
    before = _counts(db)
    if case.error:
        with pytest.raises(ingest.ImportProblem) as excinfo:
            ingest.run_import(case.target, file, mapping, db)
        message = str(excinfo.value)
        assert case.error in message
        assert "\n" not in message and len(message) < 400
        assert _counts(db) == before, "a failed import changed the store"
        return
    result = ingest.run_import(case.target, file, mapping, db)
    assert (result.rows_stored, result.rows_rejected) == (case.stored, case.rejected), [
        r.reason for r in result.rejected
    ]
    assert result.rows_read == result.rows_stored + result.rows_rejected
    for fragment in case.reasons:
        assert any(fragment in r.reason for r in result.rejected), (fragment, [r.reason for r in result.rejected])
    con = duckdb.connect(str(db), read_only=True)
    try:
        run = con.execute(
            "select rows_read, rows_stored, rows_rejected from import_runs where run_id = $r", {"r": result.run_id}
        ).fetchone()
        (logged,) = con.execute("select count(*) from rejected_rows where run_id = $r", {"r": result.run_id}).fetchone()
    finally:
        con.close()
    assert run == (result.rows_read, case.stored, case.rejected)
    assert logged == case.rejected


def _counts(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return tuple(
            con.execute("select count(*) from " + t).fetchone()[0]  # constant table names
            for t in ("branches", "tickets", "survey_responses", "import_runs", "rejected_rows")
        )
    finally:
        con.close()


def test_formula_text_is_stored_as_text_and_shown_with_a_quote(base_db, tmp_path):
    case = next(c for c in CASES if c.name == "formula_text.csv")
    db, file, mapping = tmp_path / "s.duckdb", tmp_path / case.name, tmp_path / "m.toml"
    shutil.copy(base_db, db)
    file.write_bytes(case.content)
    mapping.write_text(case.mapping)
    result = ingest.run_import("tickets", file, mapping, db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        (stored_id,) = con.execute("select ticket_id from tickets").fetchone()
        shown = ingest.rejected_rows(con, result.run_id)
    finally:
        con.close()
    assert stored_id == '=HYPERLINK("http://evil","x")'  # kept verbatim, never evaluated
    assert ingest.safe_cell(stored_id).startswith("'=")
    assert set(shown["value"]) == {"'=1+1", "'@SUM(A1)"}
    assert shown["row_json"].str.startswith("{").all()


@pytest.mark.parametrize("name", ["empty.csv", "bad_toml.csv", "unknown_field.csv", "binary.csv"])
def test_the_command_line_prints_one_line_and_exits_2(name, base_db, tmp_path):
    case = next(c for c in CASES if c.name == name)
    db, file, mapping = tmp_path / "s.duckdb", tmp_path / case.name, tmp_path / "m.toml"
    shutil.copy(base_db, db)
    file.write_bytes(case.content)
    mapping.write_text(case.mapping)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "servicequality",
            "import",
            case.target,
            str(file),
            "--mapping",
            str(mapping),
            "--db",
            str(db),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("import: error: ") and case.error in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cp1252_curly_quotes_and_one_utf8_line.csv", {"didn\u2019t listen - it\u2019s my third visit"}),
        ("cp949_short_words_valid_as_utf8.csv", {"\ud64d\ucc9c", "\uc11c\uc6b8"}),
        ("mixed_encodings_german.csv", {"M\u00fcnchen", "Lieferung versp\u00e4tet", "Gr\u00fc\u00dfe"}),
    ],
)
def test_mixed_and_lookalike_encodings_store_the_text_as_written(name, expected, base_db, tmp_path):
    # The counts alone would not show a garbled text: the categories stored are the words written.
    case = next(c for c in CASES if c.name == name)
    db, file, mapping = tmp_path / "s.duckdb", tmp_path / case.name, tmp_path / "m.toml"
    shutil.copy(base_db, db)
    file.write_bytes(case.content)
    mapping.write_text(case.mapping)
    ingest.run_import("tickets", file, mapping, db)
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = {c for (c,) in con.execute("select distinct category from tickets").fetchall()}
    finally:
        con.close()
    assert stored == expected
