"""The benchmark's pandas baseline computes the same numbers as the SQL (so the comparison in
BENCHMARKS.md is honest), and the page recorder finds each page's queries."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from servicequality import store
from tests.conftest import FIXTURE_PERIOD
from tools.bench import pandas_baseline as bench_pandas

P_START, P_END = FIXTURE_PERIOD.start, FIXTURE_PERIOD.end


def same_numbers(got: pd.DataFrame, want: pd.DataFrame, label: str) -> None:
    got, want = got.reset_index(drop=True), want.reset_index(drop=True)
    assert len(got) == len(want), f"{label}: {len(got)} rows vs {len(want)}\n{got}\n{want}"
    for column in want.columns:
        assert column in got.columns, f"{label}: no column {column}"
        a, b = got[column], want[column]
        if pd.api.types.is_numeric_dtype(b) or pd.api.types.is_bool_dtype(b):
            np.testing.assert_allclose(
                pd.to_numeric(a).to_numpy(dtype=float),
                b.to_numpy(dtype=float),
                rtol=1e-9,
                atol=1e-9,
                err_msg=f"{label}.{column}",
            )
        elif pd.api.types.is_datetime64_any_dtype(b):
            assert pd.to_datetime(a).tolist() == b.tolist(), f"{label}.{column}"
        else:
            assert a.astype(object).tolist() == b.astype(object).tolist(), f"{label}.{column}"


FILTERS = {
    "period": FIXTURE_PERIOD,
    "region": replace(FIXTURE_PERIOD, regions=("North",)),
    "channel": replace(FIXTURE_PERIOD, channels=("Phone",)),
    "branch": replace(FIXTURE_PERIOD, branches=("B1", "B3")),
}


@pytest.mark.parametrize("label", list(FILTERS))
def test_pandas_baseline_equals_sql_on_the_fixture(fixture_con, label):
    frames = bench_pandas.load(fixture_con)
    params = FILTERS[label].params()
    for name in bench_pandas.QUERIES:
        want = store.run_query(fixture_con, name, params, plain=True)
        if name == "filter_values":
            want = want[want["dimension"].isin(["channel", "segment"])][["dimension", "value"]]
        same_numbers(bench_pandas.run(frames, name, params), want, f"{name} [{label}]")


# --- the recorder times what a user gets (issue 20) ---------------------------------------------

ROOT = store.PROJECT_ROOT


def test_every_recorded_view_names_real_widget_keys():
    from tools.bench import record

    for page, (defaults, views) in record.VIEWS.items():
        text = (ROOT / "pages" / f"{page}.py").read_text()
        for key in {**defaults, **{k: v for _, state in views for k, v in state.items()}}:
            assert f'key="{key}"' in text, f"pages/{page}.py has no widget with key {key!r}"


@pytest.mark.slow
def test_every_scenario_reaches_every_read(fixture_db_path):
    # Each benchmark scenario applied the way a link applies it: every read of every page carries
    # its period and selections (or is the comparison beside a read that does).
    from tools.bench import record
    from tools.bench import run as bench_run

    for scenario in bench_run.scenarios(fixture_db_path):
        calls = record.page_calls(fixture_db_path, scenario["query"], views=False)
        assert record.missing_selections(calls, bench_run.scenario_selection(scenario)) == [], scenario["key"]


@pytest.mark.slow
def test_a_scenario_the_sidebar_does_not_understand_is_caught(fixture_db_path):
    from tools.bench import record

    # "Teleport" is no channel of the store: the sidebar ignores it, so no read is filtered by it.
    calls = record.page_calls(fixture_db_path, {"channel": ["Teleport"]}, views=False)
    problems = record.missing_selections(calls, {"channels": ["Teleport"]})
    assert any("complaints: complaint_summary binds channels = None" in p for p in problems), problems


def test_a_recorder_that_drops_a_parameter_is_caught():
    from tools.bench import record

    dropped = {"complaints": [record.Call("query", "handling_summary", (("start", P_START), ("end", P_END)))]}
    kept = {"complaints": [record.Call("query", "handling_summary", (("channels", ("Phone",)), ("start", P_START)))]}
    assert record.missing_selections(dropped, {"channels": ["Phone"]}) == [
        "complaints: handling_summary binds channels = None, not ['Phone']"
    ]
    assert record.missing_selections(kept, {"channels": ["Phone"]}) == []


def test_a_page_over_its_target_names_the_reads_that_take_its_time():
    from tools.bench.report import why_over

    # 60 + 25 + 10 + 5 = 100 ms; a fifth is 20 ms: two reads named, the other two summed.
    calls = {"00 date_bounds": 5.0, "01 handling_summary": 60.0, "02 complaint_summary": 25.0, "03 monthly": 10.0}
    assert why_over(calls, 100.0, 50) == (
        "100 ms: handling_summary 60.0 ms (60%, alone over the target); complaint_summary 25.0 ms (25%); "
        "the other 2 reads 15.0 ms (median 7.5 ms)"
    )
    # No read a fifth of 120 ms (24 ms): the count and the median say it is the number of reads.
    even = {f"{i:02d} q{i}": ms for i, ms in enumerate([15.0, 15.0, 15.0, 15.0, 15.0, 15.0, 20.0, 10.0])}
    assert why_over(even, 120.0, 100) == (
        "120 ms, no read a fifth of it: 8 reads 120 ms (median 15.0 ms), each read's planning included"
    )


def test_a_new_report_keeps_the_hand_written_import_history(tmp_path):
    from tools.bench.report import write_report

    path = tmp_path / "BENCHMARKS.md"
    path.write_text(
        "# Benchmarks\n\nold tables\n\n## Import speed\n\n- old figures\n\n### Earlier import measurements\n\n"
        "- 2026-12-03: 628 s\n\n## Verdict\n\nold verdict\n\n## Rollups on Spark\n\nby hand\n"
    )
    write_report(path, "# Benchmarks\n\nnew tables\n\n## Import speed\n\n- new figures\n\n## Verdict\n\n9 of 9\n")
    assert path.read_text() == (
        "# Benchmarks\n\nnew tables\n\n## Import speed\n\n- new figures\n\n### Earlier import measurements\n\n"
        "- 2026-12-03: 628 s\n\n## Verdict\n\n9 of 9\n\n## Rollups on Spark\n\nby hand\n"
    )
