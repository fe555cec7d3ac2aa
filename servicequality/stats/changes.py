"""Is a change from the previous period beyond sampling noise? A test per kind of headline number.

Each function takes the two periods' aggregates (the current one first) and returns a `Change`:
the difference, its standard error where one is used, a two-sided p-value and the test's name in
words. The two periods hold different customers, so they are independent samples. A page colours a
delta only when p < `NOISE_LEVEL`; otherwise it says the change is within sampling noise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from scipy import stats as _st

NOISE_LEVEL = 0.05


class Change(NamedTuple):
    difference: float  # current − previous, in the number's own unit
    p_value: float  # two-sided; NaN when there is nothing to test
    test: str  # the test, in words

    @property
    def beyond_noise(self) -> bool:
        return not math.isnan(self.p_value) and self.p_value < NOISE_LEVEL


NO_CHANGE = Change(math.nan, math.nan, "")


def _z_p(difference: float, se: float) -> float:
    if not se > 0:
        return math.nan if difference != 0 or math.isnan(difference) else 1.0
    return float(2 * _st.norm.sf(abs(difference) / se))


def proportion_change(x1: int, n1: int, x0: int, n0: int) -> Change:
    """Two shares x₁/n₁ and x₀/n₀: the pooled two-proportion z test.

    p̄ = (x₁ + x₀)/(n₁ + n₀), z = (p₁ − p₀) / √(p̄(1 − p̄)(1/n₁ + 1/n₀)); z² is Pearson's χ² of
    the 2×2 table without continuity correction. Difference in percentage points.
    Source: Fleiss, Levin & Paik, "Statistical Methods for Rates and Proportions", 3rd ed., §2.2.
    """
    if not n1 or not n0:
        return NO_CHANGE
    p1, p0 = x1 / n1, x0 / n0
    pooled = (x1 + x0) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    return Change(100 * (p1 - p0), _z_p(p1 - p0, se), "two-proportion z test")


def nps_change(promoters1: int, detractors1: int, n1: int, promoters0: int, detractors0: int, n0: int) -> Change:
    """Two Net Promoter Scores: each answer scores +1, 0 or −1 and NPS/100 is their mean, so the
    difference is a difference of two means with Welch's standard error
    √(s₁²/n₁ + s₀²/n₀), s² = n/(n − 1) · (p₊ + p₋ − (p₊ − p₋)²) (the three-valued score's sample
    variance); z against the normal (n in the hundreds). Difference in NPS points.
    Source: Welch (1947), Biometrika 34:28-35; the score variance as in `nps_interval`.
    """
    if n1 < 2 or n0 < 2:
        return NO_CHANGE

    def mean_and_var(p: int, d: int, n: int) -> tuple[float, float]:
        m = (p - d) / n
        return m, n / (n - 1) * ((p + d) / n - m * m)

    m1, v1 = mean_and_var(promoters1, detractors1, n1)
    m0, v0 = mean_and_var(promoters0, detractors0, n0)
    se = math.sqrt(v1 / n1 + v0 / n0)
    return Change(100 * (m1 - m0), _z_p(m1 - m0, se), "Welch z test on the −1/0/+1 scores")


def mean_change(
    mean1: float, sd1: float, n1: int, mean0: float, sd0: float, n0: int, of: str = "the respondents' weighted gaps"
) -> Change:
    """Two means of independent respondents (a score averaged per respondent): Welch's z,
    (x̄₁ − x̄₀) / √(s₁²/n₁ + s₀²/n₀) against the normal (n in the hundreds). `of`: what the means
    are of, for the test's words.
    Source: Welch (1947), Biometrika 34:28-35.
    """
    if n1 < 2 or n0 < 2 or any(math.isnan(v) for v in (mean1, sd1, mean0, sd0)):
        return NO_CHANGE
    se = math.sqrt(sd1 * sd1 / n1 + sd0 * sd0 / n0)
    return Change(mean1 - mean0, _z_p(mean1 - mean0, se), f"Welch z test on {of}")


def rate_change(events1: int, exposure1: float, events0: int, exposure0: float, per: float = 1000.0) -> Change:
    """Two event rates per `per` units of exposure (complaints per 1,000 customers served): the
    exact conditional test. Given c₁ + c₀ events, under equal rates c₁ ~ Binomial(c₁ + c₀,
    E₁/(E₁ + E₀)); the p-value is scipy's exact two-sided binomial test.
    Source: Przyborowski & Wilenski (1940), Biometrika 31:313-323; Lehmann & Romano, "Testing
    Statistical Hypotheses", §4.6.
    """
    if not exposure1 or not exposure0:
        return NO_CHANGE
    difference = per * (events1 / exposure1 - events0 / exposure0)
    total = int(events1) + int(events0)
    if total == 0:
        return Change(difference, 1.0, "exact conditional (binomial) test")
    p = _st.binomtest(int(events1), total, exposure1 / (exposure1 + exposure0)).pvalue
    return Change(difference, float(p), "exact conditional (binomial) test")


def score_change(
    mean1: float,
    sd1: Sequence[float],
    n1: Sequence[int],
    mean0: float,
    sd0: Sequence[float],
    n0: Sequence[int],
    weights1: Sequence[float],
    weights0: Sequence[float],
) -> Change:
    """Two SERVQUAL scores Σ w_k·ḡ_k over the components k (w_k = 1/K unweighted): a conservative z
    test. The component means share respondents, so their covariance is unknown from the sums;
    Minkowski's inequality bounds the score's standard error by Σ w_k·s_k/√n_k (the value under
    perfect correlation), and the periods are independent: se = √(se₁² + se₀²). A change beyond
    this bound is beyond noise whatever the correlation. Weights are taken as fixed.
    Source: the bound sd(ΣX_k) ≤ Σ sd(X_k) (Minkowski / Cauchy-Schwarz), e.g. Casella & Berger,
    "Statistical Inference", 2nd ed., §4.5.
    """

    def bound(sd: Sequence[float], n: Sequence[int], w: Sequence[float]) -> float:
        terms = [wk * sk / math.sqrt(nk) for sk, nk, wk in zip(sd, n, w, strict=True) if nk and nk > 1]
        return sum(terms) if len(terms) == len(n) else math.nan

    if any(math.isnan(v) for v in (mean1, mean0)):
        return NO_CHANGE
    se = math.hypot(bound(sd1, n1, weights1), bound(sd0, n0, weights0))
    if math.isnan(se):
        return Change(mean1 - mean0, math.nan, "")
    return Change(mean1 - mean0, _z_p(mean1 - mean0, se), "conservative z test (components fully correlated)")


def p_value_text(p: float) -> str:
    """'p < 0.001' below a thousandth, else two significant digits ('p = 0.042', 'p = 0.62')."""
    if math.isnan(p):
        return "not tested"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"
