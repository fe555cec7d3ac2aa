"""The README's newcomer table: every hop it names exists, so the path from a number to its
statistic stays one file and one function at a time."""

import ast
import re

from servicequality.__main__ import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _table_rows() -> list[list[str]]:
    section = README.split("**Where a number comes from", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows[1:]]


def _defined(path: str, name: str) -> bool:
    tree = ast.parse((ROOT / path).read_text())
    return any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name for n in tree.body)


def test_the_newcomer_table_names_three_numbers_on_three_pages():
    rows = _table_rows()
    assert len(rows) >= 3
    assert len({row[1] for row in rows}) >= 3, "three different pages"


def test_every_hop_of_the_newcomer_table_exists():
    for number, *hops in _table_rows():
        for hop in hops:
            for ref in re.findall(r"`([^`]+)`", hop):
                path, _, function = ref.partition(": ")
                path = path if path.startswith(("pages/", "queries/")) else f"servicequality/{path}"
                assert (ROOT / path).exists(), f"{number}: {path}"
                if function:
                    assert _defined(path, function), f"{number}: {function} in {path}"
        page, metric = hops[0], hops[1]
        metric_module = re.search(r"`metrics/(\w+)\.py: (\w+)`", metric)
        source = (ROOT / re.search(r"`([^`]+)`", page).group(1)).read_text()
        assert f"{metric_module.group(1)}.{metric_module.group(2)}(" in source, f"{number}: the page calls the metric"


def test_the_sql_command_prints_the_query_a_page_reads(capsys):
    assert main(["sql", "component_gaps"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("-- queries/component_gaps.sql\n")
    text = (ROOT / "queries" / "component_gaps.sql").read_text()
    header, _, rest = text.partition("\nwith\n-- Measures: ")
    assert header in printed and rest.partition("\n")[2].strip() in printed
    # its "-- Measures:" line becomes the generated sums over the month and day rollups (with no
    # selection, the month rows summed over the branches, channels and segments: a brief twin)
    assert "from rollup_component_brief_network_months as m" in printed and "from rollup_component_days as e" in printed
    assert main(["sql", "component_gaps", "--plain"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("-- queries/component_gaps.sql, its plain form (-- Measures: on the base views)\n")
    assert "from response_component_scores as f" in printed and "rollup_" not in printed.replace("-- ", "")
    # Every selection is answered by the rollups: a segment selection reads the ticket cells.
    assert main(["sql", "complaint_pareto", "--selected", "segments"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("-- queries/complaint_pareto.sql\n")
    assert "from per_category_finer as r" in printed and "from rollup_ticket_cells as e" in printed
    # --plain prints the reference form: the query's own text on the views it names, and the rollups
    # it reads computed by their models.
    assert main(["sql", "handling_summary", "--plain"]) == 0
    printed = capsys.readouterr().out
    first = "-- queries/handling_summary.sql, its plain form (-- Measures:, store/models/ on the base views)\n"
    assert printed.startswith(first)
    assert "rollup_handling_values as (" in printed and "from ticket_facts as tf" in printed
    assert main(["sql", "branch_performance", "--plain"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("-- queries/branch_performance.sql, its plain form (-- Oracle: on the base views)\n")
    assert "from response_component_performance as p" in printed
    # A selection a finer rollup answers: the same file, reading the smallest such rollup.
    assert main(["sql", "complaint_summary", "--selected", "channels"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("-- queries/complaint_summary.sql\n")
    assert "from counted_by_channel as r" in printed and "from rollup_ticket_channels as e" in printed
    assert "from counted_parts as r" not in printed and "from counted_finer as r" not in printed
    # as it runs: the channel clause kept, those of the selections not set answered and gone
    assert "list_contains($channels, e.channel)" in printed and "list_contains($segments" not in printed
    assert main(["sql", "no_such_query"]) == 1
