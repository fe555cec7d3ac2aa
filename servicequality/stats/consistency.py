"""Consistency across branches as pure functions: funnel limits and overdispersion, empirical-Bayes
shrinkage, spread and the Kruskal-Wallis test (control charts: stats/control.py).

SQL aggregates (counts, sums, rank sums); these functions do the statistics. Every formula
names its source; tests/stats/test_consistency.py checks each against a hand-worked example and
an independent reference (scipy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as _st

from servicequality import stats
from servicequality.stats.changes import p_value_text

Kind = Literal["proportion", "rate", "mean"]
Adjustment = Literal["auto", "none", "multiplicative", "additive"]

FUNNEL_LEVELS: tuple[float, ...] = (0.95, 0.998)

# Rates are not ranked on noise: a branch needs this much volume in the period (documented on the page).
MIN_CUSTOMERS_SERVED = 1_000  # complaint rate: ~20 expected complaints at the demo's network rate
MIN_TARGETED_COMPLAINTS = 30  # share within target: complaints that have a resolution target


# --- funnel plots ------------------------------------------------------------------------------


def _interpolated_quantile(dist, p: float) -> np.ndarray:
    """Spiegelhalter's interpolation of a discrete quantile: r_p − α with
    α = (F(r_p) − p) / (F(r_p) − F(r_p − 1)), r_p the smallest r with F(r) ≥ p."""
    r = np.asarray(dist.ppf(p), dtype=float)
    f_r = dist.cdf(r)
    f_below = dist.cdf(r - 1)
    step = f_r - f_below
    alpha = np.divide(f_r - p, step, out=np.zeros_like(r), where=step > 0)
    return r - alpha


def binomial_funnel_limits(
    n: Sequence[float] | np.ndarray, theta: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial control limits for an observed proportion y/n around the target θ.

    For p = (1 − level)/2 and 1 − p: r_p = the p-quantile of Binomial(n, θ)
    (scipy.stats.binom.ppf), α = (F(r_p) − p) / (F(r_p) − F(r_p − 1)), limit = (r_p − α) / n.
    The interpolation makes the discrete limits a smooth funnel.
    Source: Spiegelhalter (2005), "Funnel plots for comparing institutional performance",
    Statistics in Medicine 24:1185-1202, appendix A.1.1.
    """
    n = np.asarray(n, dtype=float)
    p = (1 - level) / 2
    safe_n = np.where(n > 0, n, np.nan)
    if theta <= 0 or theta >= 1:
        # Binomial(n, 0) and Binomial(n, 1) have no spread: the limits are θ itself (the
        # interpolation above would put them a hair inside and flag every unit on the target).
        return np.where(n > 0, float(theta), np.nan), np.where(n > 0, float(theta), np.nan)
    low = _interpolated_quantile(_st.binom(np.where(n > 0, n, 1).astype(int), theta), p) / safe_n
    high = _interpolated_quantile(_st.binom(np.where(n > 0, n, 1).astype(int), theta), 1 - p) / safe_n
    return np.clip(low, 0, 1), np.clip(high, 0, 1)


def poisson_funnel_limits(
    exposure: Sequence[float] | np.ndarray, theta: float, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson control limits for a rate y/E (events per unit of exposure) around θ.

    As binomial_funnel_limits with Poisson(θ·E) in place of Binomial(n, θ): limit = (r_p − α) / E.
    Source: Spiegelhalter (2005), Statistics in Medicine 24:1185-1202, appendix A.1.2
    (indirectly standardised ratios and rates per exposure).
    """
    e = np.asarray(exposure, dtype=float)
    p = (1 - level) / 2
    safe_e = np.where(e > 0, e, np.nan)
    mu = theta * np.where(e > 0, e, 0)
    if theta <= 0:
        return np.where(e > 0, 0.0, np.nan), np.where(e > 0, 0.0, np.nan)  # Poisson(0): no events, no spread
    low = _interpolated_quantile(_st.poisson(mu), p) / safe_e
    high = _interpolated_quantile(_st.poisson(mu), 1 - p) / safe_e
    return np.clip(low, 0, None), high


def normal_funnel_limits(
    se: Sequence[float] | np.ndarray, theta: float, level: float, *, phi: float = 1.0, tau2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Normal limits θ ± z·√(φ·s² + τ²), z = Φ⁻¹(1 − (1 − level)/2), s the standard error at θ.

    φ = 1, τ² = 0: the plain normal approximation (and the exact limits of a mean with known σ).
    φ > 1: multiplicative overdispersion; τ² > 0: additive random effects.
    Source: Spiegelhalter (2005), Statistics in Medicine 24:1185-1202, §2 and §4; Spiegelhalter
    (2005), "Handling over-dispersion of performance indicators", Qual Saf Health Care 14:347-351.
    """
    se = np.asarray(se, dtype=float)
    z = _st.norm.ppf(1 - (1 - level) / 2)
    half = z * np.sqrt(phi * se * se + tau2)
    return theta - half, theta + half


def winsorised_overdispersion(z: Sequence[float] | np.ndarray, fraction: float = 0.1) -> float:
    """Multiplicative overdispersion φ̂ = (1/I) Σ z_w², the z-scores winsorised at `fraction`.

    Winsorising sets the lowest and highest 10% of the z-scores to the 10th and 90th
    percentiles, so the outliers being looked for do not inflate φ̂ themselves.
    Source: Spiegelhalter (2005), Qual Saf Health Care 14:347-351, "Handling over-dispersion
    of performance indicators", §"Estimating overdispersion".
    """
    z = np.asarray([v for v in z if v is not None and np.isfinite(v)], dtype=float)
    if z.size == 0:
        return math.nan
    lo, hi = np.quantile(z, [fraction, 1 - fraction])
    zw = np.clip(z, lo, hi)
    return float(np.mean(zw * zw))


def overdispersion_is_significant(phi: float, units: int, level: float = 0.95) -> bool:
    """I·φ̂ against the χ² distribution with I − 1 degrees of freedom (the target is estimated
    from the same units). Source: Spiegelhalter (2005), Qual Saf Health Care 14:347-351."""
    if units < 3 or not np.isfinite(phi):
        return False
    return units * phi > _st.chi2.ppf(level, units - 1)


class Heterogeneity(NamedTuple):
    chi2: float
    df: int
    p_value: float


def heterogeneity_test(z: Sequence[float] | np.ndarray) -> Heterogeneity:
    """Do the units differ at all? Σ z_i² against χ² on I − 1 df, z_i at the pooled target.

    For proportions this is Pearson's χ² of the I × 2 table, for Poisson rates Pearson's χ² of
    observed against expected counts, for means Cochran's Q. Unlike φ it is not winsorised, so a
    few outliers are enough to make it significant.
    Source: Cochran (1954), "The combination of estimates from different experiments",
    Biometrics 10:101-129.
    """
    z = np.asarray([v for v in z if v is not None and np.isfinite(v)], dtype=float)
    if z.size < 2:
        return Heterogeneity(math.nan, max(z.size - 1, 0), math.nan)
    q = float((z * z).sum())
    return Heterogeneity(q, int(z.size - 1), float(_st.chi2.sf(q, z.size - 1)))


def additive_tau2(z: Sequence[float] | np.ndarray, se: Sequence[float] | np.ndarray, fraction: float = 0.1) -> float:
    """Additive random-effects variance from winsorised z-scores (a DerSimonian-Laird estimate):

    τ̂² = max(0, (I·φ̂ − (I − 1)) / (Σ w_i − Σ w_i² / Σ w_i)),  w_i = 1 / s_i².
    Source: Spiegelhalter (2005), Qual Saf Health Care 14:347-351, "additive random effects".
    """
    z = np.asarray(z, dtype=float)
    se = np.asarray(se, dtype=float)
    keep = np.isfinite(z) & np.isfinite(se) & (se > 0)
    z, se = z[keep], se[keep]
    units = z.size
    if units < 2:
        return 0.0
    phi = winsorised_overdispersion(z, fraction)
    w = 1 / (se * se)
    denom = w.sum() - (w * w).sum() / w.sum()
    if denom <= 0:
        return 0.0
    return max(0.0, (units * phi - (units - 1)) / denom)


@dataclass(frozen=True)
class Funnel:
    """A funnel plot's numbers: the target, the adjustment used, per-unit limits and a curve."""

    kind: Kind
    target: float
    phi: float
    tau2: float
    overdispersed: bool
    adjustment: str  # 'none', 'multiplicative' or 'additive' (what the limits actually use)
    points: pd.DataFrame  # input columns + value, se, z, low_95, high_95, low_99.8, high_99.8, outside_*
    curve: pd.DataFrame  # volume, low_*, high_* on a grid for drawing


def _level_name(level: float) -> str:
    return f"{100 * level:g}"


def standard_error(kind: Kind, target: float, volume: np.ndarray, sigma: float = math.nan) -> np.ndarray:
    """s(volume) at the target: √(θ(1 − θ)/n) for a proportion, √(θ/E) for a rate, σ/√n for a mean."""
    volume = np.asarray(volume, dtype=float)
    v = np.where(volume > 0, volume, np.nan)
    if kind == "proportion":
        return np.sqrt(target * (1 - target) / v)
    if kind == "rate":
        return np.sqrt(target / v)
    return sigma / np.sqrt(v)


def pooled_sd(n: Sequence[float], mean: Sequence[float], sd: Sequence[float]) -> float:
    """Pooled within-unit standard deviation √(Σ (n_i − 1) s_i² / Σ (n_i − 1))."""
    n = np.asarray(n, dtype=float)
    sd = np.nan_to_num(np.asarray(sd, dtype=float))
    dof = np.clip(n - 1, 0, None)
    return math.sqrt((dof * sd * sd).sum() / dof.sum()) if dof.sum() > 0 else math.nan


def _funnel_limits(
    kind: Kind, used: str, vol: np.ndarray, s: np.ndarray, target: float, level: float, phi: float, tau2: float
) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits at `level` for volumes `vol` with standard errors `s`: exact binomial or Poisson
    without adjustment, else normal widened by φ (multiplicative) or with τ² added (additive);
    clipped to the measure's range."""
    if used == "none" and kind == "proportion":
        return binomial_funnel_limits(vol, target, level)
    if used == "none" and kind == "rate":
        return poisson_funnel_limits(vol, target, level)
    if used == "multiplicative":
        lo, hi = normal_funnel_limits(s, target, level, phi=max(phi, 1.0))
    elif used == "additive":
        lo, hi = normal_funnel_limits(s, target, level, tau2=tau2)
    else:
        lo, hi = normal_funnel_limits(s, target, level)
    if kind == "proportion":
        return np.clip(lo, 0, 1), np.clip(hi, 0, 1)
    if kind == "rate":
        return np.clip(lo, 0, None), hi
    return lo, hi


def exact_outside(kind: Kind, volume: np.ndarray, value: np.ndarray, target: float, level: float) -> np.ndarray:
    """+1 / −1 where the count behind a proportion or rate is improbably high / low under the
    target θ₀, else 0: P(X ≥ y) < p or P(X ≤ y) < p, p = (1 − level)/2, X ~ Binomial(n, θ₀) or
    Poisson(θ₀·E), y = value × volume (rounded to the count it came from).

    Why not "beyond the interpolated limit": Spiegelhalter's interpolation draws a smooth funnel
    between whole counts, and at the count y = r_p itself (the quantile) it flags a unit the exact
    test does not: 3 of 3 satisfied at θ₀ = 0.60 lies above the 99.8% limit (3 − α)/3 = 0.9985, yet
    P(X ≥ 3) = 0.60³ = 0.22. A tiny branch at 100 % is noise, not a special cause.
    Source: Spiegelhalter (2005), Statistics in Medicine 24:1185-1202, section 3 (the exact
    p-value of each unit) and appendix A.1.
    """
    volume = np.asarray(volume, dtype=float)
    ok = (volume > 0) & np.isfinite(value)
    events = np.round(np.where(ok, value * volume, 0))
    p = (1 - level) / 2
    if kind == "proportion":
        dist = _st.binom(np.where(ok, volume, 1).astype(int), min(max(target, 0.0), 1.0))
    else:
        dist = _st.poisson(np.where(ok, target * volume, 1.0))
    high = dist.sf(events - 1) < p  # P(X >= y)
    low = dist.cdf(events) < p  # P(X <= y)
    return np.where(~ok, 0, np.where(high, 1, np.where(low, -1, 0)))


def standard_score(value: np.ndarray, centre: float, se: np.ndarray) -> np.ndarray:
    """z_i = (y_i − θ₀) / s_i; where s_i = 0 (a share of 0 % or 100 % everywhere, or no spread at
    all) a unit on the centre has z = 0 and one off it z = ±inf: no sampling noise to measure by."""
    value = np.asarray(value, dtype=float)
    se = np.broadcast_to(np.asarray(se, dtype=float), value.shape)
    diff = value - centre
    z = np.divide(diff, se, out=np.zeros_like(diff), where=se > 0)
    off = (se <= 0) & (diff != 0)
    z[off] = np.copysign(np.inf, diff[off])
    return z


def funnel(
    kind: Kind,
    volume: Sequence[float],
    value: Sequence[float],
    *,
    sd: Sequence[float] | None = None,
    target: float | None = None,
    adjustment: Adjustment = "auto",
    levels: Sequence[float] = FUNNEL_LEVELS,
    winsor: float = 0.1,
    grid_points: int = 120,
) -> Funnel:
    """Funnel plot of `value` (a proportion, a rate per unit of exposure or a mean) against `volume`.

    Target θ₀: the pooled network value (Σ events / Σ volume, or the volume-weighted mean).
    z_i = (y_i − θ₀) / s_i with s_i from `standard_error`. φ̂ and τ̂² from the winsorised
    z-scores. Limits: exact binomial / Poisson (Spiegelhalter's interpolation) when no adjustment
    is used, else normal with the multiplicative φ̂ or the additive τ̂². "auto" uses φ̂ only when
    the overdispersion test says it is significant (I·φ̂ > χ²₀.₉₅ with I − 1 df). Without an
    adjustment, who is outside comes from each unit's exact tail probability (exact_outside), the
    limits being the drawn funnel.
    Source: Spiegelhalter (2005), Statistics in Medicine 24:1185-1202 and Qual Saf Health Care
    14:347-351.
    """
    volume = np.asarray(volume, dtype=float)
    value = np.asarray(value, dtype=float)
    ok = (volume > 0) & np.isfinite(value)
    sigma = math.nan
    if kind == "mean":
        if sd is None:
            raise ValueError("A funnel of means needs each unit's standard deviation.")
        sigma = pooled_sd(volume[ok], value[ok], np.asarray(sd, dtype=float)[ok])
    if target is None:
        target = float((value[ok] * volume[ok]).sum() / volume[ok].sum()) if ok.any() else math.nan
    se = standard_error(kind, target, volume, sigma)
    z = standard_score(value, target, se)
    z_ok = z[ok & np.isfinite(z)]
    phi = winsorised_overdispersion(z_ok, winsor)
    tau2 = additive_tau2(z[ok], se[ok], winsor)
    significant = overdispersion_is_significant(phi, int(z_ok.size))
    used = adjustment
    if adjustment == "auto":
        used = "multiplicative" if significant else "none"

    def limits(vol: np.ndarray, s: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
        return _funnel_limits(kind, used, vol, s, target, level, phi, tau2)

    points = pd.DataFrame({"volume": volume, "value": value, "se": se, "z": z})
    lo_v = max(volume[ok].min() * 0.8, 1.0) if ok.any() else 1.0
    hi_v = volume[ok].max() * 1.15 if ok.any() else 10.0
    grid = np.unique(np.round(np.geomspace(lo_v, hi_v, grid_points)))
    curve = pd.DataFrame({"volume": grid})
    for level in levels:
        name = _level_name(level)
        lo, hi = limits(volume, se, level)
        points[f"low_{name}"], points[f"high_{name}"] = lo, hi
        if used == "none" and kind in ("proportion", "rate"):
            points[f"outside_{name}"] = exact_outside(kind, volume, value, target, level)
        else:
            points[f"outside_{name}"] = np.where(~ok, 0, np.where(value > hi, 1, np.where(value < lo, -1, 0)))
        clo, chi = limits(grid, standard_error(kind, target, grid, sigma), level)
        curve[f"low_{name}"], curve[f"high_{name}"] = clo, chi
    return Funnel(kind, target, phi, tau2, significant, used, points, curve)


# --- shrinkage and ranking ---------------------------------------------------------------------


def method_of_moments_tau2(y: Sequence[float], se2: Sequence[float]) -> float:
    """Between-unit variance τ̂² by the method of moments (DerSimonian & Laird 1986):

    w_i = 1/s_i², ȳ_w = Σ w y / Σ w, Q = Σ w (y − ȳ_w)², τ̂² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)).
    Source: DerSimonian & Laird (1986), "Meta-analysis in clinical trials", Controlled Clinical
    Trials 7:177-188.
    """
    y = np.asarray(y, dtype=float)
    se2 = np.asarray(se2, dtype=float)
    k = y.size
    if k < 2 or not (se2 > 0).all():
        return 0.0  # one unit, or units known without sampling error: no variance to split
    w = 1 / se2
    mean = (w * y).sum() / w.sum()
    q = (w * (y - mean) ** 2).sum()
    return max(0.0, (q - (k - 1)) / (w.sum() - (w * w).sum() / w.sum()))


def shrink(y: Sequence[float], se2: Sequence[float], tau2: float | None = None, level: float = 0.95) -> pd.DataFrame:
    """Empirical-Bayes (normal-normal) shrinkage toward the network mean.

    μ̂ = Σ w*_i y_i / Σ w*_i with w*_i = 1/(s_i² + τ²); B_i = s_i²/(s_i² + τ²);
    θ̂_i = B_i·μ̂ + (1 − B_i)·y_i; var(θ̂_i) ≈ (1 − B_i)·s_i² + B_i²/Σ w* (the second term
    carries the uncertainty of μ̂). Interval θ̂_i ± z·√var. τ² defaults to method_of_moments_tau2.
    Noisy units (large s_i²) move most toward the mean, so they are not ranked on noise.
    Source: Morris (1983), "Parametric empirical Bayes inference", JASA 78:47-55;
    Efron & Morris (1975), JASA 70:311-319.
    """
    y = np.asarray(y, dtype=float)
    se2 = np.asarray(se2, dtype=float)
    if tau2 is None:
        tau2 = method_of_moments_tau2(y, se2)
    total = se2 + tau2
    exact = total <= 0
    if exact.any():
        # s_i² + τ² = 0 (a share of 0 % or 100 % everywhere, or no spread at all): those units are
        # known without error, so μ̂ is their mean and nothing moves (B_i = 0, no interval).
        mu = float(y[exact].mean())
        b = np.where(exact, 0.0, se2 / np.where(exact, 1.0, total))
        var = np.where(exact, 0.0, (1 - b) * se2)
    else:
        w = 1 / total
        mu = (w * y).sum() / w.sum()
        b = se2 / total
        var = (1 - b) * se2 + b * b / w.sum()
    est = b * mu + (1 - b) * y
    half = _st.norm.ppf(0.5 + level / 2) * np.sqrt(var)
    return pd.DataFrame(
        {"shrunk": est, "shrunk_low": est - half, "shrunk_high": est + half, "shrinkage": b, "mu": mu, "tau2": tau2}
    )


# --- spread ------------------------------------------------------------------------------------


def coefficient_of_variation(values: Sequence[float]) -> float:
    """CV = s / |x̄| of branch values (sample sd, n − 1 divisor). Meaningful on a ratio scale
    (rates, shares); not for a gap that can be 0 or change sign (report the sd there)."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size < 2 or v.mean() == 0:
        return math.nan
    return float(np.std(v, ddof=1) / abs(v.mean()))


def percentile_spread(values: Sequence[float], high: float = 80, low: float = 50) -> float:
    """P80 − P50 of branch values (linear interpolation, as percentile_cont in SQL): how far the
    better-or-worse fifth of branches sits from the typical one."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size == 0:
        return math.nan
    return float(np.percentile(v, high) - np.percentile(v, low))


class KruskalWallis(NamedTuple):
    h: float
    df: int
    p_value: float
    epsilon_squared: float  # effect size H / (N − 1): share of rank variance between groups
    n: int


def kruskal_wallis_from_rank_sums(
    rank_sums: Sequence[float], sizes: Sequence[int], tie_sum: float = 0.0
) -> KruskalWallis:
    """Kruskal-Wallis H from per-group rank sums (average ranks for ties, over all N observations).

    H₀ = 12 / (N(N + 1)) · Σ R_i² / n_i − 3(N + 1); tie correction C = 1 − Σ(t³ − t) / (N³ − N)
    over groups of tied values of size t; H = H₀ / C, compared with χ² on k − 1 df.
    Effect size ε² = H / (N − 1) (Tomczak & Tomczak 2014).
    Source: Kruskal & Wallis (1952), JASA 47:583-621, eq. (1.1) and (1.4); scipy.stats.kruskal
    computes the same from raw data.
    """
    r = np.asarray(rank_sums, dtype=float)
    n = np.asarray(sizes, dtype=float)
    keep = n > 0
    r, n = r[keep], n[keep]
    total = n.sum()
    k = int(r.size)
    if k < 2 or total < 2:
        return KruskalWallis(math.nan, max(k - 1, 0), math.nan, math.nan, int(total))
    h0 = 12.0 / (total * (total + 1)) * (r * r / n).sum() - 3 * (total + 1)
    correction = 1 - tie_sum / (total**3 - total)
    h = h0 / correction if correction > 0 else math.nan
    return KruskalWallis(float(h), k - 1, float(_st.chi2.sf(h, k - 1)), float(h / (total - 1)), int(total))


def kruskal_wallis_in_words(result: KruskalWallis, what: str = "branches") -> str:
    """The test said in plain words, with the effect size so that a huge n does not oversell it."""
    if not np.isfinite(result.h):
        return f"Too few {what} or answers to test whether they differ."
    p = p_value_text(result.p_value)
    size = (
        "a large"
        if result.epsilon_squared >= 0.26
        else "a moderate"
        if result.epsilon_squared >= 0.08
        else "a small"
        if result.epsilon_squared >= 0.01
        else "a negligible"
    )
    if result.p_value < 0.05:
        return (
            f"The {result.df + 1} {what} differ by more than chance would explain (Kruskal-Wallis H = "
            f"{result.h:,.1f} on {result.df} degrees of freedom, one fewer than the {what}; {p}); the difference "
            f"is {size} one: ε² = {result.epsilon_squared:.3f} of the rank variation lies between {what}."
        )
    return (
        f"The {result.df + 1} {what} do not differ by more than chance would explain "
        f"(Kruskal-Wallis H = {result.h:,.1f} on {result.df} degrees of freedom, one fewer than the {what}; {p})."
    )


def poisson_rate_interval(events: float, exposure: float, level: float = 0.95) -> stats.Interval:
    """Exact (Garwood 1936) interval for a Poisson rate: χ²_{α/2}(2y)/2E to χ²_{1−α/2}(2y + 2)/2E.
    Source: Garwood (1936), Biometrika 28:437-442."""
    if not exposure:
        return stats.NAN_INTERVAL
    a = 1 - level
    low = _st.chi2.ppf(a / 2, 2 * events) / 2 if events > 0 else 0.0
    high = _st.chi2.ppf(1 - a / 2, 2 * events + 2) / 2
    return stats.Interval(low / exposure, high / exposure)
