"""Statistics as pure functions. SQL aggregates (counts, sums, means, standard deviations);
these turn the aggregates into estimates with their uncertainty.

Each function names its formula and source; tests check each against a hand-worked example
and an independent reference (scipy).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

from scipy import stats as _scipy_stats


class Interval(NamedTuple):
    low: float
    high: float


NAN_INTERVAL = Interval(math.nan, math.nan)


def mean_confidence_interval(mean: float, sd: float, n: int, level: float = 0.95) -> Interval:
    """Student t interval for a mean from its summary statistics.

    mean ± t(1 − α/2; n − 1) · sd / √n, with sd the sample standard deviation (n − 1 divisor).
    Source: Student (1908); any introductory text, e.g. Moore, McCabe & Craig, "Introduction
    to the Practice of Statistics", §7.1. For a SERVQUAL gap, `mean` and `sd` are those of the
    per-respondent differences P − E, so this is the paired-t interval.
    Undefined (NaN) for n < 2.
    """
    if n is None or n < 2 or sd is None or math.isnan(sd) or math.isnan(mean):
        return NAN_INTERVAL
    half = _scipy_stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return Interval(mean - half, mean + half)


def bounded_mean_interval(mean: float, sd: float, n: int, low: float, high: float, level: float = 0.95) -> Interval:
    """Interval for the mean of scores on a bounded scale [low, high] (a 0-100 performance score):
    the t interval computed on the logit of the rescaled mean, then transformed back, so it never
    leaves the scale however few the respondents.

    With p = (mean − low)/(high − low) and s_p = sd/(high − low), on the logit scale
    η = ln(p/(1 − p)), se(η) = s_p / (√n · p(1 − p)) (delta method), and the interval is
    low + (high − low) · expit(η ± t(1 − α/2; n − 1) · se(η)), expit(x) = 1/(1 + e⁻ˣ).
    This is the intercept-only fractional logit of Papke & Wooldridge (1996), J. Applied
    Econometrics 11:619-632: its quasi-likelihood estimate is logit(p) and its robust (sandwich)
    variance, with the n/(n − 1) small-sample factor, is exactly se(η)²; t on n − 1 df as in
    `mean_confidence_interval`, which it approaches when p is near ½ and n is large.
    When every score sits at one bound (p = 0 or 1, so sd = 0) the logit is infinite: the Wilson
    interval for n·p successes of n is used instead, since p(1 − p) is the largest variance a score
    in [0, 1] with mean p can have (Bhatia & Davis 2000, Amer. Math. Monthly 107:353-357).
    Undefined (NaN) for n < 2.
    """
    if n is None or n < 2 or sd is None or math.isnan(sd) or math.isnan(mean) or not high > low:
        return NAN_INTERVAL
    width = high - low
    p = min(max((mean - low) / width, 0.0), 1.0)
    if p in (0.0, 1.0):
        w = wilson_interval(round(p * n), n, level)
        return Interval(low + width * w.low, low + width * w.high)
    eta = math.log(p / (1 - p))
    half = _scipy_stats.t.ppf(0.5 + level / 2, n - 1) * (sd / width) / (math.sqrt(n) * p * (1 - p))
    return Interval(low + width * _expit(eta - half), low + width * _expit(eta + half))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def wilson_interval(successes: int, n: int, level: float = 0.95) -> Interval:
    """Wilson score interval for a proportion.

    (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n), z = Φ⁻¹(1 − α/2).
    Source: Wilson (1927), JASA 22:209-212; recommended by Brown, Cai & DasGupta (2001).
    """
    if not n:
        return NAN_INTERVAL
    z = _scipy_stats.norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denom = 1 + z * z / n
    return Interval((centre - half) / denom, (centre + half) / denom)


def net_promoter_score(promoters: int, detractors: int, n: int) -> float:
    """NPS = 100 · (promoters − detractors) / n, promoters answer 9-10 and detractors 0-6
    on the 0-10 recommendation question (Reichheld 2003, HBR "The one number you need to grow").
    """
    if not n:
        return math.nan
    return 100.0 * (promoters - detractors) / n


def nps_interval(promoters: int, detractors: int, n: int, level: float = 0.95) -> Interval:
    """Normal-approximation interval for NPS.

    Each answer scores +1, 0 or −1; NPS/100 is their mean, with variance
    (p₊ + p₋ − (p₊ − p₋)²) / n. Interval: 100 · (d ± z·√var). Source: the variance of a
    three-valued score (e.g. Rocks, "Confidence intervals for Net Promoter Score", 2016).
    """
    if not n:
        return NAN_INTERVAL
    pp, pd = promoters / n, detractors / n
    d = pp - pd
    half = _scipy_stats.norm.ppf(0.5 + level / 2) * math.sqrt(max(pp + pd - d * d, 0.0) / n)
    return Interval(100 * (d - half), 100 * (d + half))


def rate_per_1000(events: float, exposure: float) -> float:
    """Events per 1,000 units of exposure (complaints per 1,000 customers served)."""
    if not exposure:
        return math.nan
    return 1000.0 * events / exposure


def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Scale non-negative weights to sum 1 (importance points → shares). Empty if all are 0."""
    clean = {k: float(v) for k, v in weights.items() if v is not None and not math.isnan(v)}
    if any(v < 0 for v in clean.values()):
        raise ValueError("Importance weights cannot be negative.")
    total = sum(clean.values())
    if total <= 0:
        return {}
    return {k: v / total for k, v in clean.items()}


def servqual_score(gaps: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    """Overall SERVQUAL score from component gaps.

    Unweighted: the mean of the component gaps. Weighted: Σ w_c · gap_c, with the importance
    weights w_c normalised to sum 1 over the components that have a gap.
    Source: Parasuraman, Zeithaml & Berry (1988), "SERVQUAL", J. Retailing 64(1), p. 31;
    Zeithaml, Parasuraman & Berry (1990), "Delivering Quality Service", appendix.
    """
    valid = {k: g for k, g in gaps.items() if g is not None and not math.isnan(g)}
    if not valid:
        return math.nan
    if weights is None:
        return sum(valid.values()) / len(valid)
    w = normalise_weights({k: weights.get(k, 0.0) for k in valid})
    if not w:
        return math.nan
    return sum(w[k] * valid[k] for k in w)


def relative_change(current: float, previous: float) -> float:
    """(current − previous) / |previous|; NaN when the previous value is 0 or missing."""
    if previous is None or current is None or math.isnan(previous) or math.isnan(current) or previous == 0:
        return math.nan
    return (current - previous) / abs(previous)
