"""Derived importance (key-driver analysis) of survey components as pure functions.

A perception-only survey scores each service component per respondent and asks one overall outcome
(overall satisfaction, likelihood to recommend). A component's derived importance is its share of
the outcome's variance explained by all components together: the Shapley value decomposition of
the regression R² (LMG). tests/stats/test_drivers.py checks it against a brute-force reference
(Shapley over all orderings, each R² by ordinary least squares on the raw data) and hand-worked
examples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

MAX_DRIVERS = 15  # 2^15 = 32,768 subsets; beyond that the exact decomposition is too slow for a page
# Rows per bootstrap resample at most (key_driver_importance: an m-out-of-n bootstrap above it). At
# 680,000 respondents, 200 resamples of every row took 32 s; of 20,000 rows, about 2 s.
RESAMPLE_ROWS = 20_000


class DriverImportance(NamedTuple):
    names: tuple[str, ...]  # the driver columns, in the order asked for
    shares: np.ndarray  # each component's share of R² (LMG); they sum to r2
    relative: np.ndarray  # shares / r2: sums to 1 (NaN if r2 is 0)
    r2: float  # R² of the regression of the outcome on all components
    n: int  # complete cases used (outcome and every component rated)
    n_dropped: int  # rows dropped for a missing (or non-finite) outcome or component
    low: np.ndarray  # percentile-bootstrap lower limit of `relative`
    high: np.ndarray  # percentile-bootstrap upper limit of `relative`
    n_boot: int  # bootstrap resamples used (resamples with a constant column or R² = 0 are skipped)
    resample_size: int = 0  # rows drawn per resample: n, or fewer (m-out-of-n, the spread rescaled)


def r_squared_from_correlations(corr: np.ndarray, predictors: Sequence[int], outcome_index: int = -1) -> float:
    """R² of the OLS regression (with intercept) of y on the predictors S, from a correlation matrix.

    R²(S) = r_yS' R_SS⁻¹ r_yS, with R_SS the correlations among the predictors in S and r_yS their
    correlations with y; R²(∅) = 0. A singular R_SS (collinear predictors) uses the Moore-Penrose
    pseudo-inverse, which gives the R² of the projection onto the span of S.
    Source: the standard result for standardised regression (R² = r_yS' β̂ with β̂ = R_SS⁻¹ r_yS);
    Grömping (2006), J. Stat. Software 17(1), §2 computes LMG this way.
    """
    corr = np.asarray(corr, dtype=float)
    idx = np.asarray(list(predictors), dtype=int)
    if idx.size == 0:
        return 0.0
    r = corr[idx, outcome_index]
    r_ss = corr[np.ix_(idx, idx)]
    return float(r @ np.linalg.pinv(r_ss) @ r)


def _subset_r2_table(corr: np.ndarray) -> np.ndarray:
    """R² of every subset of the p predictors (the last row/column of `corr` is y), indexed by bitmask:
    entry m is R² of the predictors {j : bit j of m is set}. Subsets of one size are solved together."""
    p = corr.shape[0] - 1
    masks = np.arange(1 << p)
    bits = ((masks[:, None] >> np.arange(p)) & 1).astype(bool)
    sizes = bits.sum(axis=1)
    table = np.zeros(1 << p)
    r_xx, r_xy = corr[:p, :p], corr[:p, p]
    for k in range(1, p + 1):
        ms = masks[sizes == k]
        idx = np.nonzero(bits[ms])[1].reshape(len(ms), k)  # each subset's column indices, ascending
        r_ss = r_xx[idx[:, :, None], idx[:, None, :]]
        r = r_xy[idx]
        coef = np.linalg.pinv(r_ss) @ r[:, :, None]
        table[ms] = (r[:, None, :] @ coef)[:, 0, 0]
    return table


def _complete_cases(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(y) & np.isfinite(x).all(axis=1)
    return x[keep], y[keep]


def _check(x: np.ndarray, y: np.ndarray, names: Sequence[str], outcome: str) -> None:
    n, p = x.shape
    if p > MAX_DRIVERS:
        raise ValueError(f"Too many drivers for the exact Shapley decomposition: {p} (at most {MAX_DRIVERS}).")
    if n < p + 2:
        raise ValueError(
            f"Too few complete rows for {p} drivers: {n} (need at least {p + 2}, rows with "
            "the outcome and every driver rated)."
        )
    if np.ptp(y) == 0:
        raise ValueError(f"The outcome {outcome} is constant over the complete rows: it has no variance to explain.")
    for j in range(p):
        if np.ptp(x[:, j]) == 0:
            raise ValueError(f"Driver {names[j]} is constant over the complete rows: its importance is undefined.")


def _shapley_from_table(table: np.ndarray, p: int) -> np.ndarray:
    masks = np.arange(1 << p)
    sizes = ((masks[:, None] >> np.arange(p)) & 1).sum(axis=1)
    weight = np.array([math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p) for k in range(p)])
    shares = np.empty(p)
    for j in range(p):
        without = masks[(masks >> j) & 1 == 0]
        shares[j] = np.sum(weight[sizes[without]] * (table[without | (1 << j)] - table[without]))
    return shares


def shapley_r2(
    x: np.ndarray, y: np.ndarray, *, names: Sequence[str] | None = None, outcome: str = "outcome"
) -> np.ndarray:
    """LMG / Shapley share of R² for each of the p columns of x (complete cases only).

    share_j = Σ_{S ⊆ P∖{j}} |S|! (p − |S| − 1)! / p! · (R²(S ∪ {j}) − R²(S)),
    the increase in R² from adding j averaged over all p! orders of entry. The shares are
    non-negative and sum to R² of the full model. Each R²(S) comes from the correlation matrix of
    the complete rows (r_squared_from_correlations); all 2^p are computed once.
    Source: Lindeman, Merenda & Gold (1980), "Introduction to Bivariate and Multivariate Analysis",
    p. 119ff; Grömping (2006), "Relative Importance for Linear Regression in R: The Package
    relaimpo", J. Stat. Software 17(1), §2 (LMG).
    Rows where y or any column of x is missing (NaN) or infinite are dropped. `names` and `outcome`
    only label the error messages. Raises ValueError for more than 15 columns, fewer complete rows
    than p + 2, or a constant column or outcome.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or y.ndim != 1 or x.shape[0] != y.shape[0]:
        raise ValueError(f"x must be n × p and y of length n; got x {x.shape} and y {y.shape}.")
    p = x.shape[1]
    if p == 0:
        raise ValueError("No drivers given.")
    labels = list(names) if names is not None else [f"column {j}" for j in range(p)]
    x, y = _complete_cases(x, y)
    _check(x, y, labels, outcome)
    corr = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    return _shapley_from_table(_subset_r2_table(corr), p)


def _bootstrap_relative(x: np.ndarray, y: np.ndarray, n_boot: int, seed: int, size: int) -> np.ndarray:
    """Relative importances over n_boot resamples of `size` rows drawn with replacement; degenerate
    resamples are left out."""
    rng = np.random.default_rng(seed)
    n, p = x.shape
    draws = []
    for _ in range(n_boot):
        rows = rng.integers(0, n, size=size)
        xb, yb = x[rows], y[rows]
        if np.ptp(yb) == 0 or np.any(np.ptp(xb, axis=0) == 0):
            continue
        shares = _shapley_from_table(_subset_r2_table(np.corrcoef(np.column_stack([xb, yb]), rowvar=False)), p)
        total = shares.sum()
        if total > 0:
            draws.append(shares / total)
    return np.array(draws).reshape(-1, p)


def key_driver_importance(
    frame: pd.DataFrame,
    outcome: str,
    drivers: list[str],
    *,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
    resample_rows: int = RESAMPLE_ROWS,
) -> DriverImportance:
    """Derived importance of each driver column for the outcome column, with bootstrap intervals.

    shares = shapley_r2 (LMG): share_j = Σ_{S ⊆ P∖{j}} |S|!(p − |S| − 1)!/p! · (R²(S ∪ {j}) − R²(S)),
    summing to the full-model R²; relative_j = share_j / R², summing to 1.
    Sources: Lindeman, Merenda & Gold (1980); Grömping (2006), J. Stat. Software 17(1) (LMG).
    Interval: percentile bootstrap. Resample the complete rows (respondents) with replacement
    n_boot times, recompute `relative`, and take its (1 − level)/2 and (1 + level)/2 quantiles
    (Efron & Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13). Resamples with a
    constant column or R² = 0 are skipped (n_boot in the result counts those used); with none
    left, or n_boot = 0, the limits are NaN. The same seed gives the same limits.
    More than `resample_rows` complete rows (n > m): each resample draws m rows, not n (the
    m-out-of-n bootstrap), and the spread of the draws around the estimate is narrowed to n rows:
    limit = relative + √(m/n) · (quantile of relative*_m − relative). A statistic that is a smooth
    function of means (here of the correlation matrix) has √m (relative*_m − relative) and
    √n (relative − true) close in distribution, so the limits approximate the n-row bootstrap's at
    m/n of its cost. With m = n this is the percentile bootstrap above, exactly.
    Sources: Bickel, Götze & van Zwet (1997), "Resampling fewer than n observations: gains, losses,
    and remedies for losses", Statistica Sinica 7, 1-31; Politis, Romano & Wolf (1999),
    "Subsampling", Springer, §2.2 (the rate √(m/n) for √n-consistent statistics).
    Missing values: complete cases only. A row is used when the outcome and every driver are
    present and finite; other columns of the frame do not matter. n_dropped counts the rows left
    out so the page can say so.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}.")
    x_all = frame[list(drivers)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    y_all = pd.to_numeric(frame[outcome], errors="coerce").to_numpy(dtype=float)
    x, y = _complete_cases(x_all, y_all)
    shares = shapley_r2(x, y, names=drivers, outcome=outcome)
    r2 = float(shares.sum())
    relative = shares / r2 if r2 > 0 else np.full(len(drivers), np.nan)
    if resample_rows < 1:
        raise ValueError(f"resample_rows must be at least 1, got {resample_rows}.")
    size = min(len(y), resample_rows)
    draws = _bootstrap_relative(x, y, n_boot, seed, size) if n_boot > 0 else np.empty((0, len(drivers)))
    if len(draws):
        low, high = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
        if size < len(y):
            narrow = math.sqrt(size / len(y))
            low, high = relative + narrow * (low - relative), relative + narrow * (high - relative)
    else:
        low = high = np.full(len(drivers), np.nan)
    return DriverImportance(
        names=tuple(drivers),
        shares=shares,
        relative=relative,
        r2=r2,
        n=int(len(y)),
        n_dropped=int(len(y_all) - len(y)),
        low=low,
        high=high,
        n_boot=int(len(draws)),
        resample_size=size,
    )
