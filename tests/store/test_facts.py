"""The generated sum-and-count CTEs (store/generate.py, from the facts of store/facts.py): which
rollup a `-- Measures:` line reads, and the errors a wrong line gets. Their rows are checked against
the base form in test_rollups.py."""

from __future__ import annotations

import re

import pytest

from servicequality import store
from servicequality.store import facts, generate, runner


def _sources(sql: str) -> set[str]:
    sql = "\n".join(line.split("--")[0] for line in sql.splitlines())
    return set(re.findall(r"\bfrom (rollup_\w+|customers_served|\w+_facts|response_component_scores)\b", sql))


def test_a_measures_line_reads_the_smallest_rollup_whose_grain_holds_its_keys():
    # by channel: the channel table (the cut months' days) and its month twin (the whole months);
    # a channel selection stays there (its grain holds channel), a segment selection needs the cells
    # (branch x day x channel x segment x category x component, and their month twin)
    query = store.load_query("complaint_channels")
    channels = {"rollup_ticket_channels", "rollup_ticket_channel_months"}
    cells = {"rollup_ticket_cells", "rollup_ticket_cell_months"}
    assert _sources(query.sql) == channels | cells
    assert _sources(query.sql_for({"channels": ["Phone"]})) == channels
    assert "from per_channel_parts as r" in query.sql_for({"channels": ["Phone"]})
    assert _sources(query.sql_for({"segments": ["Premium"]})) == cells
    assert "from per_channel_finer as r" in query.sql_for({"segments": ["Premium"]})
    # the source nobody reads is left out of the text, and so are the parameters only it bound
    assert "per_channel_finer as (" not in query.sql_for({})
    assert "segments" in query.parameters and "segments" not in query.bound(dict.fromkeys(query.parameters))
    assert query.choices == (
        runner.Choice("per_channel_parts", "per_channel_finer", frozenset({"segments", "categories", "components"})),
    )
    # by category: the category table and its month twin
    pareto = store.load_query("complaint_pareto").sql_for({})
    assert {"rollup_ticket_categories", "rollup_complaint_category_months"} <= _sources(pareto)
    assert "from per_category_parts as r" in pareto
    # no key: the branch x day table, the cells under any cell selection
    summary = store.load_query("complaint_summary")
    assert "from counted_parts as r" in summary.sql_for({"regions": ["North"], "branches": ["B1"]})
    assert "from counted_finer as r" in summary.sql_for({"categories": ["Attitude"]})
    # the survey components: one rollup holds every selection, so there is no choice
    assert store.load_query("component_gaps").choices == ()


def test_the_plain_form_reads_only_the_base_views():
    for name in ("complaint_channels", "component_gap_quarterly", "monthly_survey", "complaint_summary"):
        plain = store.load_query(name, plain=True)
        assert "rollup_" not in "\n".join(line.split("--")[0] for line in plain.sql.splitlines()), name
        assert plain.choices == ()
        assert plain.parameters == store.load_query(name).parameters


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("-- Measures: x = nothing: complaints", "no fact named 'nothing'"),
        ("-- Measures: x = tickets: complaints, smiles", "tickets has no measure ['smiles']"),
        ("-- Measures: x = tickets in cell: complaints, smiles", "tickets has no measure ['smiles']"),
        ("-- Measures: x = tickets by weekday: complaints", "cannot group tickets by 'weekday'"),
        # the survey components have no rollup by category
        ("-- Measures: x = component_scores by category: n", "no rollup of component_scores holds"),
    ],
)
def test_a_wrong_measures_line_says_what_is_wrong(line, message):
    with pytest.raises(KeyError, match=re.escape(message)):
        generate.expand(f"with\n{line}\nselect * from x")


def test_the_selection_clause_is_written_once():
    assert facts.selected("regions", "b.region") == "($regions is null or list_contains($regions, b.region))"
    # every clause of a generated query is that one text
    sql = store.load_query("component_gaps").sql
    clauses = re.findall(r"\(\$(\w+) is null or list_contains\(\$(\w+), [\w.]+\)\)", sql)
    assert clauses and all(a == b for a, b in clauses)


def test_the_network_twin_answers_whole_months_when_no_branch_is_selected():
    # component_gaps (no key): the whole months from the network twin under a guard that no branch,
    # region or branch type is selected, and from the branch months under its negation; the cut
    # months' days from the day table either way
    sql = store.load_query("component_gaps").sql_for({})
    assert {"rollup_component_network_months", "rollup_component_months", "rollup_component_days"} <= _sources(sql)
    network = sql[sql.index("from rollup_component_network_months") : sql.index("sums_summed as")]
    branch = sql[sql.index("from rollup_component_months") :].split("union all")[0]
    guard = "$branches is null and $regions is null and $branch_types is null"
    assert guard in network and f"not ({guard})" in branch
    assert "n.branch_id" not in network  # the twin has no branch column, and no branch to join:
    joined = sql[sql.index("from sums_parts as r") :]
    assert joined.index("join branches") < joined.index("union all\n            select * from sums_network")
    # grouped by branch or region, the branch months only
    for name in ("component_branch_gaps", "component_region_gaps"):
        assert "rollup_component_network_months" not in _sources(store.load_query(name).sql_for({})), name
    # the plain form reads the base views
    assert "network" not in store.load_query("component_gaps", plain=True).sql
