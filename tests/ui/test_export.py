"""CSV export: formula-looking text is escaped, numbers and ordinary text are not."""

import csv
import io

import pandas as pd

from servicequality.ui import export

HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "plain", 'say "hi"']


def test_formula_cells_get_an_apostrophe_numbers_do_not():
    df = pd.DataFrame({"comment": HOSTILE, "gap": [-0.5, 1.0, -2.0, 0.0, 3.5, 4.0, -1.25]})
    rows = list(csv.reader(io.StringIO(export.to_csv(df).decode("utf-8-sig"))))
    assert rows[0] == ["comment", "gap"]
    # OWASP's list: =, +, -, @ and tab start a formula; each such text gets a leading apostrophe.
    expected = ['\'=HYPERLINK("http://x")', "'+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "plain", 'say "hi"']
    assert [r[0] for r in rows[1:]] == expected
    # The numeric column is written as numbers, minus signs intact.
    assert [r[1] for r in rows[1:]] == ["-0.5", "1.0", "-2.0", "0.0", "3.5", "4.0", "-1.25"]


def test_header_is_escaped_and_bom_written():
    data = export.to_csv(pd.DataFrame({"=cmd": ["a"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == "'=cmd"
