"""stats.drivers: LMG / Shapley derived importance against a brute-force reference (all orderings,
each R² by least squares on the raw data), hand-worked examples, and the bootstrap's reproducibility."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from servicequality.stats import drivers as D

# --- independent reference ------------------------------------------------------------------------


def ols_r2(x: np.ndarray, y: np.ndarray, cols: tuple[int, ...]) -> float:
    """R² = 1 − SSE/SST of y on an intercept and the columns `cols`, by numpy.linalg.lstsq."""
    design = np.column_stack([np.ones(len(y))] + [x[:, c] for c in cols])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    sse = np.sum((y - design @ beta) ** 2)
    sst = np.sum((y - y.mean()) ** 2)
    return 1.0 - sse / sst


def shapley_by_orderings(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Shapley value by its definition: the increase in R² as each predictor enters, averaged over all
    p! orders of entry. R² of each set is fitted once by OLS (a set's R² does not depend on the order)."""
    p = x.shape[1]
    r2 = {frozenset(s): ols_r2(x, y, s) for k in range(p + 1) for s in itertools.combinations(range(p), k)}
    total = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        entered: frozenset[int] = frozenset()
        for j in order:
            total[j] += r2[entered | {j}] - r2[entered]
            entered = entered | {j}
    return total / len(orders)


def correlated_fixture(n: int, p: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictors sharing a common factor (pairwise correlations ~0.3-0.6) with unequal loadings, and an
    outcome with unequal coefficients, so no two predictors play symmetric roles."""
    rng = np.random.default_rng(seed)
    common = rng.normal(size=(n, 1))
    loadings = np.linspace(0.4, 1.3, p)
    x = 50 + 10 * (rng.normal(size=(n, p)) + loadings * common)
    beta = np.array([0.9, -0.2, 0.5, 0.05, 0.3, 0.7, -0.4][:p])
    y = x @ beta + rng.normal(scale=8.0, size=n)
    return x, y


# --- against the reference ----------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "p", "seed"), [(200, 4, 11), (200, 7, 23)])
def test_shapley_r2_equals_brute_force_over_orderings(n, p, seed):
    x, y = correlated_fixture(n, p, seed)
    expected = shapley_by_orderings(x, y)
    got = D.shapley_r2(x, y)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    # efficiency: the shares add up to the full model's R² (by OLS)
    assert got.sum() == pytest.approx(ols_r2(x, y, tuple(range(p))), abs=1e-9)
    # the fixture is not symmetric: the shares differ from each other
    assert np.min(np.diff(np.sort(got))) > 1e-3


def test_r_squared_from_correlations_equals_ols_on_every_subset():
    x, y = correlated_fixture(200, 4, 5)
    corr = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    for k in range(5):
        for s in itertools.combinations(range(4), k):
            assert D.r_squared_from_correlations(corr, s) == pytest.approx(ols_r2(x, y, s), abs=1e-9)


def test_full_model_r2_equals_statsmodels():
    sm = pytest.importorskip("statsmodels.api", reason="statsmodels is not installed in .venv; skipping that check")
    x, y = correlated_fixture(200, 4, 11)
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    assert D.shapley_r2(x, y).sum() == pytest.approx(fit.rsquared, abs=1e-9)


# --- hand-worked ------------------------------------------------------------------------------------------

A = np.array([1.0, -1.0, 1.0, -1.0])
B = np.array([1.0, 1.0, -1.0, -1.0])
E = A * B  # [1, -1, -1, 1]: orthogonal to A, B and the constant
Y = 2 * A + B + 0.5 * E  # [3.5, -1.5, 0.5, -2.5], mean 0


def test_orthogonal_predictors_share_is_their_squared_correlation():
    # A, B, E have mean 0, Σ A² = Σ B² = Σ E² = 4 and are mutually orthogonal.
    # SST = Σ Y² = 12.25 + 2.25 + 0.25 + 6.25 = 21 = 2²·4 + 1²·4 + 0.5²·4 = 16 + 4 + 1.
    # r(A, Y)² = (Σ A·Y)² / (Σ A² · SST) = 8² / (4 · 21) = 16/21; r(B, Y)² = 4² / (4 · 21) = 4/21.
    # Orthogonal: R²({A, B}) = 16/21 + 4/21 = 20/21 and each increment is the same in either order.
    shares = D.shapley_r2(np.column_stack([A, B]), Y)
    np.testing.assert_allclose(shares, [16 / 21, 4 / 21], atol=1e-12)
    res = D.key_driver_importance(pd.DataFrame({"a": A, "b": B, "y": Y}), "y", ["a", "b"], n_boot=0)
    assert res.r2 == pytest.approx(20 / 21, abs=1e-12)
    np.testing.assert_allclose(res.relative, [0.8, 0.2], atol=1e-12)  # 16/20 and 4/20


def test_correlated_pair_averages_first_and_last_entry():
    # Predictors A and Z = A + B, so Y = A + Z + 0.5 E. Σ Z² = 8, Σ A·Z = 4, Σ Z·Y = Σ (A + B)(2A + B) = 12.
    # r(A, Y)² = 64 / (4 · 21) = 16/21; r(Z, Y)² = 144 / (8 · 21) = 18/21; R²({A, Z}) = 20/21 (same span
    # as A, B). With p = 2 each order has weight ½:
    #   share_A = ½ · r(A, Y)² + ½ · (R² − r(Z, Y)²) = ½ · 16/21 + ½ · 2/21 = 9/21
    #   share_Z = ½ · r(Z, Y)² + ½ · (R² − r(A, Y)²) = ½ · 18/21 + ½ · 4/21 = 11/21
    # (entering first only would give 16/21 and 18/21; entering last only 2/21 and 4/21.)
    shares = D.shapley_r2(np.column_stack([A, A + B]), Y)
    np.testing.assert_allclose(shares, [9 / 21, 11 / 21], atol=1e-12)


def test_duplicated_column_does_not_crash_and_splits_evenly():
    # R_SS is singular for {x, x}: R²({x, x}) = R²({x}), so each copy gets half of r(x, y)².
    x, y = correlated_fixture(200, 4, 3)
    twin = np.column_stack([x[:, 0], x[:, 0]])
    r2_single = ols_r2(x, y, (0,))
    np.testing.assert_allclose(D.shapley_r2(twin, y), [r2_single / 2, r2_single / 2], atol=1e-9)


# --- sums, missing values ---------------------------------------------------------------------------------


def test_shares_sum_to_r2_and_relative_to_one():
    x, y = correlated_fixture(300, 7, 31)
    frame = pd.DataFrame(x, columns=list("abcdefg")).assign(overall=y)
    res = D.key_driver_importance(frame, "overall", list("abcdefg"), n_boot=20)
    assert res.names == tuple("abcdefg")
    assert res.shares.sum() == pytest.approx(res.r2, abs=1e-12)
    assert res.r2 == pytest.approx(ols_r2(x, y, tuple(range(7))), abs=1e-9)
    assert res.relative.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(res.shares >= 0)


def test_complete_cases_dropped_and_counted():
    nan = math.nan
    frame = pd.DataFrame(
        {
            "staff": [80, 60, nan, 90, 70, 40, 55, 65, 85, 75],
            "speed": [70, 50, 60, nan, 80, 30, 45, 75, 95, 65],
            "overall": [75, 55, 65, 85, nan, 35, 50, 70, 90, 60],
            "unused": [nan, nan, nan, nan, nan, nan, 1, 2, 3, 4],  # not a driver: its NaNs do not matter
        }
    )
    # Dropped: row 2 (staff), row 3 (speed), row 4 (overall) -> 10 − 3 = 7 complete rows.
    res = D.key_driver_importance(frame, "overall", ["staff", "speed"], n_boot=0)
    assert (res.n, res.n_dropped) == (7, 3)
    kept = frame.drop(index=[2, 3, 4])
    x, y = kept[["staff", "speed"]].to_numpy(float), kept["overall"].to_numpy(float)
    np.testing.assert_allclose(res.shares, shapley_by_orderings(x, y), atol=1e-9)
    assert np.all(np.isnan(res.low)) and np.all(np.isnan(res.high)) and res.n_boot == 0


# --- bootstrap ---------------------------------------------------------------------------------------------


def _boot_frame() -> pd.DataFrame:
    x, y = correlated_fixture(400, 4, 7)
    return pd.DataFrame(x, columns=["staff", "speed", "branch", "app"]).assign(nps=y)


def test_bootstrap_is_reproducible_and_depends_on_the_seed():
    frame, cols = _boot_frame(), ["staff", "speed", "branch", "app"]
    one = D.key_driver_importance(frame, "nps", cols, n_boot=100, seed=42)
    two = D.key_driver_importance(frame, "nps", cols, n_boot=100, seed=42)
    other = D.key_driver_importance(frame, "nps", cols, n_boot=100, seed=43)
    assert np.array_equal(one.low, two.low) and np.array_equal(one.high, two.high)
    assert not np.array_equal(one.low, other.low) and not np.array_equal(one.high, other.high)
    np.testing.assert_array_equal(one.relative, other.relative)  # the point estimate has no randomness
    assert one.n_boot == 100


def test_bootstrap_interval_brackets_the_estimate():
    frame, cols = _boot_frame(), ["staff", "speed", "branch", "app"]
    res = D.key_driver_importance(frame, "nps", cols, n_boot=200, seed=0, level=0.95)
    assert np.all(res.low <= res.relative) and np.all(res.relative <= res.high)
    assert np.all(res.high - res.low > 0)
    narrow = D.key_driver_importance(frame, "nps", cols, n_boot=200, seed=0, level=0.5)
    assert np.all(narrow.high - narrow.low < res.high - res.low)


def test_the_resample_size_changes_nothing_up_to_the_number_of_rows():
    frame, cols = _boot_frame(), ["staff", "speed", "branch", "app"]
    n = len(frame)
    every = D.key_driver_importance(frame, "nps", cols, n_boot=60, seed=5, resample_rows=n)
    more = D.key_driver_importance(frame, "nps", cols, n_boot=60, seed=5, resample_rows=10 * n)
    assert every.resample_size == more.resample_size == every.n == n
    np.testing.assert_array_equal(every.low, more.low)
    np.testing.assert_array_equal(every.high, more.high)


def test_fewer_rows_per_resample_give_the_full_bootstraps_interval():
    """The m-out-of-n bootstrap (Bickel, Götze & van Zwet 1997): 200 resamples of 4,000 of 40,000 rows,
    their spread narrowed by √(4,000 / 40,000), against the percentile bootstrap of all 40,000 rows
    (the reference). Unnarrowed, the intervals would be √10 = 3.2 times as wide."""
    x, y = correlated_fixture(40_000, 4, 3)
    cols = ["a", "b", "c", "d"]
    frame = pd.DataFrame(x, columns=cols).assign(y=y)
    full = D.key_driver_importance(frame, "y", cols, n_boot=200, seed=1, resample_rows=40_000)
    part = D.key_driver_importance(frame, "y", cols, n_boot=200, seed=1, resample_rows=4_000)
    assert (full.resample_size, part.resample_size) == (40_000, 4_000)
    np.testing.assert_array_equal(full.relative, part.relative)  # the estimate uses every row
    ratio = (part.high - part.low) / (full.high - full.low)
    assert np.all((ratio > 0.75) & (ratio < 1.33)), ratio
    full_width = full.high - full.low
    assert np.all(np.abs((part.high + part.low) / 2 - (full.high + full.low) / 2) < 0.35 * full_width)
    # The limits by the formula, from the same draws: relative + √(m/n) (quantile − relative).
    xs, ys = frame[cols].to_numpy(), frame["y"].to_numpy()
    draws = D._bootstrap_relative(xs, ys, 200, 1, 4_000)
    q_low, q_high = np.quantile(draws, [0.025, 0.975], axis=0)
    np.testing.assert_allclose(part.low, part.relative + math.sqrt(0.1) * (q_low - part.relative), rtol=1e-12)
    np.testing.assert_allclose(part.high, part.relative + math.sqrt(0.1) * (q_high - part.relative), rtol=1e-12)


# --- errors -----------------------------------------------------------------------------------------------


def test_more_than_15_drivers_is_refused():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="Too many drivers.*16"):
        D.shapley_r2(rng.normal(size=(100, 16)), rng.normal(size=100))


def test_too_few_complete_rows_is_refused():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=6)
    y[[0, 1]] = np.nan  # 4 complete rows for 3 drivers, 5 needed
    with pytest.raises(ValueError, match="Too few complete rows for 3 drivers: 4"):
        D.shapley_r2(x, y)


def test_constant_driver_or_outcome_is_named():
    frame = pd.DataFrame(
        {
            "staff": [80.0, 60, 70, 90, 50, 65],
            "speed": [70.0, 70, 70, 70, 70, 70],
            "overall": [75.0, 55, 65, 85, 45, 60],
        }
    )
    with pytest.raises(ValueError, match="Driver speed is constant"):
        D.key_driver_importance(frame, "overall", ["staff", "speed"], n_boot=0)
    with pytest.raises(ValueError, match="Driver column 1 is constant"):
        D.shapley_r2(frame[["staff", "speed"]].to_numpy(), frame["overall"].to_numpy())
    with pytest.raises(ValueError, match="outcome speed is constant"):
        D.key_driver_importance(frame, "speed", ["staff", "overall"], n_boot=0)
