"""The catalogue is the one place dimensions and measures are declared: the rest reads it, and
every path it names (queries, statistics) exists."""

import ast
import re

from servicequality import catalog, filters
from servicequality.metrics import drilldown, explore
from servicequality.store import load_query
from servicequality.ui import crossfilter
from tests.conftest import ROOT


def test_every_reader_takes_its_dimensions_from_the_catalogue():
    assert filters.SELECTIONS == catalog.SELECTIONS
    assert list(crossfilter.SELECTION_WORDS) == list(catalog.SIDEBAR_ORDER)
    assert explore.DIMENSIONS is catalog.DIMENSIONS
    assert list(drilldown.CELL_DIMENSIONS) == list(catalog.DIMENSIONS)
    assert explore.MEASURES is catalog.MEASURES
    # What a click may set is exactly what the sidebar (and the period) can hold.
    assert set(crossfilter.DIMENSIONS) == set(catalog.SIDEBAR_ORDER) | {"month"}


def test_a_selection_is_bound_by_the_queries_under_its_own_parameter_name():
    # A catalogue entry whose parameter no query binds would filter nothing: the complaint summary
    # (in the form that runs with the selection set) binds every one of them.
    for selection in catalog.SELECTIONS:
        assert selection in load_query("complaint_summary", plain=True).parameters, selection


def test_every_measure_names_queries_and_a_statistic_that_exist():
    for key, m in catalog.MEASURES.items():
        assert m.key == key
        assert m.reads, key
        for name in m.reads:
            assert (ROOT / "queries" / f"{name}.sql").exists(), f"{key}: {name}"
        assert explore.query_name(key) == m.reads[0], f"{key}: Explore reads the first query named"
        for path, names in re.findall(r"([\w/]+\.py): ([\w, ]+)", m.statistic):
            tree = ast.parse((ROOT / "servicequality" / path).read_text())
            defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
            for name in names.split(", "):
                assert name in defined, f"{key}: {name} in {path}"


def test_measures_only_split_by_dimensions_that_exist():
    for m in catalog.MEASURES.values():
        assert m.dims <= set(catalog.DIMENSIONS), m.key
    assert catalog.RESPONSE_DIMS < catalog.SURVEY_DIMS < catalog.TICKET_DIMS
