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
