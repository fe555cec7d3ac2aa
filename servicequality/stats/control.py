"""Control charts as pure functions: p and u charts (with Laney's p′/u′), the XmR chart, and the
run rule, with when it holds on counts.

SQL aggregates a branch's months; these functions draw the limits and find the signals. Every
formula names its source; tests/stats/test_consistency.py checks each against a hand-worked
example and an independent reference (scipy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from servicequality.stats.consistency import Kind, standard_score

RUN_RULE_MAX_SIDE = 0.6
# A month whose expected count under the centre line is below EXACT_BELOW (for a share, of events or
# of non-events) gets exact probability limits (exact_limits), not p̄ ± 3σ: the normal approximation
# to the binomial needs about 5 of each (Montgomery, 7th ed., §3.4.3).
EXACT_BELOW = 5.0
# The chance of a point beyond each 3-sigma limit of a normal chart, the exact limits' tail.
TAIL = float(_st.norm.sf(3))  # 0.00135


def one_side_chance(below: np.ndarray, above: np.ndarray) -> float:
    """The mean over months of the chance of the likelier side of the centre line, from each month's
    P(below) and P(above) under the chart's own model."""
    return float(np.mean(np.maximum(below, above))) if below.size else math.nan


def run_rule_holds(kind: Kind, centre: float, volume: Sequence[float]) -> bool:
    """Whether the run rule (8 months in a row on one side of the centre line) keeps its meaning
    on a chart of counts. The rule assumes a month is about as likely above the line as below (a
    run of 8 then has chance 2 · 0.5⁸ = 0.0078); with few events a month most months are 0, below
    the line, and runs come by chance (6 customers a month at a 0.5 % share: P(0) = 0.97, a run of
    8 below with chance 0.78).

    Month i: X_i ~ Binomial(n_i, p̄) for a proportion, Poisson(ū·E_i) for a rate; below = P(X_i <
    m_i), above = P(X_i > m_i), m_i = the centre line's count (n_i·p̄ or ū·E_i; a month on the line
    breaks a run). Held when the mean over the months of max(below, above) is at most
    RUN_RULE_MAX_SIDE = 0.6: a run of 8 on one side then has chance at most 0.6⁸ + 0.4⁸ = 0.017,
    about twice the symmetric rule's (the bound is this dashboard's choice, not a published one).
    Sources: Western Electric Statistical Quality Control Handbook (1956) and Montgomery,
    "Introduction to Statistical Quality Control", 7th ed., §5.3.6 (the rule and its assumption of
    a symmetric distribution about the centre line); Wheeler, "Understanding Variation" (1993)
    on runs in charts of rare events.
    """
    v = np.asarray(volume, dtype=float)
    if not v.size or not centre > 0:
        return True  # a line at 0: every month is on it, and no run can form
    m = centre * v
    if kind == "proportion":
        if centre >= 1:
            return True  # every month on the line
        n = np.round(v)
        dist = _st.binom(n, centre)
    else:
        dist = _st.poisson(m)
    # P(X < m) = P(X <= ceil(m) - 1); P(X > m) = 1 - P(X <= floor(m))
    below = dist.cdf(np.ceil(m) - 1)
    above = dist.sf(np.floor(m))
    return one_side_chance(below, above) <= RUN_RULE_MAX_SIDE


def _attribute_chart(
    value: np.ndarray,
    centre: float,
    sigma: np.ndarray,
    lower_bound: float | None,
    upper_bound: float | None,
    runs_hold: bool = True,
    exact: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The chart's frame. `exact`: (the months that take exact limits, their lower and upper limits)."""
    lcl = centre - 3 * sigma
    ucl = centre + 3 * sigma
    if lower_bound is not None:
        lcl = np.clip(lcl, lower_bound, None)
    if upper_bound is not None:
        ucl = np.clip(ucl, None, upper_bound)
    months = np.zeros(len(value), dtype=bool)
    if exact is not None:
        months, low, high = exact
        lcl, ucl = np.where(months, low, lcl), np.where(months, high, ucl)
    chart = _with_signals(pd.DataFrame({"value": value, "centre": centre, "lcl": lcl, "ucl": ucl}))
    chart["exact"] = months
    chart["runs_checked"] = runs_hold
    if not runs_hold:
        chart["run_of_8"] = False
    return chart


def exact_limits(kind: Kind, centre: float, volume: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact probability limits for the months of few expected events: (which months take them, lower
    limit, upper limit, each as a share or rate like the chart's points).

    Month i: X_i ~ Binomial(n_i, p̄) for a proportion (taken where min(n_i·p̄, n_i·(1 − p̄)) <
    EXACT_BELOW), Poisson(ū·E_i) for a rate (where ū·E_i < EXACT_BELOW). Upper limit
    F⁻¹(1 − α)/n_i and lower F⁻¹(α)/n_i with α = TAIL = P(Z > 3) = 0.00135, F⁻¹ the distribution's
    quantile (the least k with P(X ≤ k) ≥ q): a count beyond them has a chance of at most α under the
    centre line, as a 3-sigma limit has under the normal approximation. At 16 customers a month and a
    0.5 % share, p̄ + 3σ = 5.9 % put a month with one return (6.25 %) beyond the limits, though one or
    more happens with chance 1 − 0.995¹⁶ = 7.7 %; the exact upper limit is 2/16.
    Sources: Montgomery, "Introduction to Statistical Quality Control", 7th ed., §7.2.1 (probability
    limits for the p chart) and §3.4.3 (when the normal approximation holds); Ryan, "Statistical
    Methods for Quality Improvement", 3rd ed., §8.2.
    """
    v = np.asarray(volume, dtype=float)
    if kind == "proportion":
        months = np.minimum(v * centre, v * (1 - centre)) < EXACT_BELOW
        dist = _st.binom(np.round(v), min(max(centre, 0.0), 1.0))
    else:
        months = v * centre < EXACT_BELOW
        dist = _st.poisson(v * centre)
    with np.errstate(divide="ignore", invalid="ignore"):
        low, high = dist.ppf(TAIL) / v, dist.ppf(1 - TAIL) / v
    return months, low, high


def _laney_sigma_z(value: np.ndarray, centre: float, sigma: np.ndarray, narrow: bool = True) -> float:
    """Laney's σ_z = MR̄_z / 1.128. `narrow=False` (months of rare events, run_rule_holds false):
    at least 1, the plain chart's limits. There most months are 0 with one and the same z, their
    moving ranges 0, and σ_z came out far below 1: the limits closed in until a single event in a
    month of 11 customers was 'beyond the limits' (the support data; the exact chance of one or more
    at p̄ = 1.2 % is 1 − 0.988¹¹ = 12 %). This floor is this dashboard's choice."""
    z = standard_score(value, centre, sigma)
    mr = np.abs(np.diff(z))
    sigma_z = float(np.mean(mr) / 1.128) if mr.size else 1.0
    return sigma_z if narrow else max(1.0, sigma_z)


def p_chart(events: Sequence[float], n: Sequence[float], *, laney: bool = False) -> pd.DataFrame:
    """p chart (or Laney's p′ chart) for proportions per subgroup.

    p̄ = Σx / Σn, σ_i = √(p̄(1 − p̄)/n_i), limits p̄ ± 3σ_i (clipped to [0, 1]).
    Laney p′: z_i = (p_i − p̄)/σ_i, σ_z = MR̄_z / 1.128 (moving ranges of consecutive z),
    limits p̄ ± 3·σ_i·σ_z: the p chart widened (or narrowed) by the between-subgroup variation
    that large subgroups otherwise flag as special causes. The run rule only where it holds
    (run_rule_holds; `runs_checked` says whether it was applied).
    A month of few expected events (exact_limits) takes exact binomial limits instead, Laney or not.
    Sources: Montgomery, "Introduction to Statistical Quality Control", 7th ed., §7.2;
    Laney (2002), "Improved control charts for attributes", Quality Engineering 14(4):531-537.
    """
    x = np.asarray(events, dtype=float)
    n = np.asarray(n, dtype=float)
    p = x / n
    centre = x.sum() / n.sum()
    sigma = np.sqrt(centre * (1 - centre) / n)
    runs_hold = run_rule_holds("proportion", centre, n)
    if laney:
        sigma = sigma * _laney_sigma_z(p, centre, sigma, narrow=runs_hold)
    return _attribute_chart(p, centre, sigma, 0.0, 1.0, runs_hold, exact_limits("proportion", centre, n))


def u_chart(events: Sequence[float], exposure: Sequence[float], *, laney: bool = False) -> pd.DataFrame:
    """u chart (or Laney's u′ chart) for events per unit of exposure per subgroup.

    ū = Σc / ΣE, σ_i = √(ū / E_i), limits ū ± 3σ_i (lower clipped at 0); Laney u′ multiplies
    σ_i by σ_z = MR̄_z / 1.128 as in p_chart. A month of few expected events (exact_limits) takes
    exact Poisson limits instead.
    Sources: Montgomery, "Introduction to Statistical Quality Control", 7th ed., §7.3;
    Laney (2002), Quality Engineering 14(4):531-537.
    """
    c = np.asarray(events, dtype=float)
    e = np.asarray(exposure, dtype=float)
    u = c / e
    centre = c.sum() / e.sum()
    sigma = np.sqrt(centre / e)
    runs_hold = run_rule_holds("rate", centre, e)
    if laney:
        sigma = sigma * _laney_sigma_z(u, centre, sigma, narrow=runs_hold)
    return _attribute_chart(u, centre, sigma, 0.0, None, runs_hold, exact_limits("rate", centre, e))


def xmr_chart(values: Sequence[float]) -> pd.DataFrame:
    """XmR (individuals and moving range) chart.

    X̄ = mean, MR_i = |x_i − x_{i−1}|, MR̄ = mean moving range; natural process limits
    X̄ ± 2.66·MR̄ (2.66 = 3 / d₂, d₂ = 1.128 for ranges of two); moving-range upper limit
    3.267·MR̄ (D₄ for n = 2). Columns: value, centre, lcl, ucl, moving_range, mr_ucl, signals.
    Source: Wheeler & Chambers, "Understanding Statistical Process Control", 2nd ed., ch. 9.
    """
    x = np.asarray(values, dtype=float)
    centre = float(np.mean(x)) if x.size else math.nan
    mr = np.abs(np.diff(x))
    mr_bar = float(np.mean(mr)) if mr.size else math.nan
    out = pd.DataFrame({"value": x, "centre": centre, "lcl": centre - 2.66 * mr_bar, "ucl": centre + 2.66 * mr_bar})
    out["moving_range"] = np.concatenate([[np.nan], mr]) if x.size else []
    out["mr_ucl"] = 3.267 * mr_bar
    return _with_signals(out)


def runs_on_one_side(value: Sequence[float], centre: Sequence[float] | float, length: int = 8) -> np.ndarray:
    """Points in a run of `length` or more consecutive points on the same side of the centre line
    (a point on the line breaks the run). Source: Western Electric Statistical Quality Control
    Handbook (1956), test 4 in Nelson's (1984) numbering with 8 points; Montgomery §5.3.6."""
    v = np.asarray(value, dtype=float)
    c = np.broadcast_to(np.asarray(centre, dtype=float), v.shape)
    side = np.sign(v - c)
    flags = np.zeros(v.size, dtype=bool)
    start = 0
    for i in range(1, v.size + 1):
        if i == v.size or side[i] != side[start] or side[i] == 0:
            if side[start] != 0 and i - start >= length:
                flags[start:i] = True
            start = i
    return flags


def _with_signals(chart: pd.DataFrame) -> pd.DataFrame:
    chart["beyond_limits"] = (chart["value"] > chart["ucl"]) | (chart["value"] < chart["lcl"])
    chart["run_of_8"] = runs_on_one_side(chart["value"], chart["centre"])
    return chart
