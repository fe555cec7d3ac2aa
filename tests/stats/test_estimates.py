"""Statistics: hand-worked examples, then scipy as an independent reference."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from servicequality import stats


def test_mean_interval_hand_worked():
    # gaps -1.5, -1, -0.5, 0: mean -0.75, sd sqrt(1.25/3) = 0.6455; t(0.975, 3) = 3.1824
    # half width = 3.1824 * 0.6455 / 2 = 1.0271 -> (-1.7771, 0.2771)
    ci = stats.mean_confidence_interval(-0.75, math.sqrt(1.25 / 3), 4)
    assert ci.low == pytest.approx(-1.7771, abs=1e-4)
    assert ci.high == pytest.approx(0.2771, abs=1e-4)


def test_mean_interval_matches_scipy_paired_t():
    rng = np.random.default_rng(1)
    e = rng.integers(1, 8, 50)
    p = np.clip(e + rng.integers(-2, 2, 50), 1, 7)
    d = p - e
    ci = stats.mean_confidence_interval(d.mean(), d.std(ddof=1), len(d))
    ref = sps.ttest_rel(p, e).confidence_interval(0.95)
    assert (ci.low, ci.high) == pytest.approx((ref.low, ref.high))


def test_mean_interval_undefined_below_two():
    assert all(math.isnan(v) for v in stats.mean_confidence_interval(1.0, math.nan, 1))


def test_wilson_hand_worked():
    # 8 of 10, z = 1.95996: centre (0.8 + 0.19207) / 1.38415 = 0.71676;
    # half = 1.95996 * sqrt(0.016 + 0.0096036) / 1.38415 = 0.22661 -> (0.4902, 0.9433)
    ci = stats.wilson_interval(8, 10)
    assert (ci.low, ci.high) == pytest.approx((0.4902, 0.9433), abs=1e-4)


@pytest.mark.parametrize("k,n", [(0, 5), (3, 7), (50, 100), (999, 1000)])
def test_wilson_matches_scipy(k, n):
    ref = sps.binomtest(k, n).proportion_ci(0.95, method="wilson")
    ci = stats.wilson_interval(k, n)
    assert (ci.low, ci.high) == pytest.approx((ref.low, ref.high))


def test_nps_hand_worked():
    # 5 promoters, 2 detractors, 10 answers -> 100 * 3 / 10
    assert stats.net_promoter_score(5, 2, 10) == pytest.approx(30.0)
    assert math.isnan(stats.net_promoter_score(0, 0, 0))


def test_nps_interval_matches_the_mean_of_plus_minus_one_scores():
    scores = np.array([1] * 5 + [-1] * 2 + [0] * 3)
    # population variance of the scores / n, normal quantile
    half = sps.norm.ppf(0.975) * scores.std(ddof=0) / math.sqrt(len(scores))
    ci = stats.nps_interval(5, 2, 10)
    assert (ci.low, ci.high) == pytest.approx((100 * (0.3 - half), 100 * (0.3 + half)))


def test_servqual_score_unweighted_and_weighted():
    gaps = {"reliability": -0.75, "tangibles": -0.25}
    assert stats.servqual_score(gaps) == pytest.approx(-0.5)
    # weights 0.675 / 0.325: -0.50625 - 0.08125
    assert stats.servqual_score(gaps, {"reliability": 0.675, "tangibles": 0.325}) == pytest.approx(-0.5875)
    # raw points are normalised: 27 and 13 are the same shares
    assert stats.servqual_score(gaps, {"reliability": 27, "tangibles": 13}) == pytest.approx(-0.5875)
    # a weight for a component without a gap is dropped and the rest renormalised
    assert stats.servqual_score(gaps, {"reliability": 1, "tangibles": 1, "access": 5}) == pytest.approx(-0.5)


def test_servqual_score_matches_numpy_average():
    rng = np.random.default_rng(3)
    g, w = rng.normal(size=10), rng.uniform(size=10)
    keys = [f"c{i}" for i in range(10)]
    got = stats.servqual_score(dict(zip(keys, g)), dict(zip(keys, w)))
    assert got == pytest.approx(np.average(g, weights=w))


def test_normalise_weights_rejects_negative():
    with pytest.raises(ValueError):
        stats.normalise_weights({"a": -1, "b": 2})


def test_rate_per_1000():
    assert stats.rate_per_1000(4, 1000) == pytest.approx(4.0)
    assert math.isnan(stats.rate_per_1000(4, 0))


def test_bounded_mean_interval_hand_worked():
    # scores 100, 100, 75, 50 on 0-100: mean 81.25, p = 0.8125, sd = sqrt(1718.75 / 3) = 23.936
    # se(eta) = 0.23936 / (2 * 0.8125 * 0.1875) = 0.78560; eta = ln(0.8125 / 0.1875) = 1.46634
    # t(0.975, 3) = 3.18245: eta +- 2.50013 = (-1.03379, 3.96647)
    # expit: 1 / (1 + e^1.03379) = 1 / 3.81174 = 0.26235; 1 / (1 + e^-3.96647) = 1 / 1.018940 = 0.98141
    ci = stats.bounded_mean_interval(81.25, math.sqrt(1718.75 / 3), 4, 0.0, 100.0)
    assert ci.low == pytest.approx(26.235, abs=2e-3)
    assert ci.high == pytest.approx(98.141, abs=2e-3)
    # the plain t interval on the same scores leaves the scale: 81.25 + 3.18245 * 11.968 = 119.3
    assert stats.mean_confidence_interval(81.25, math.sqrt(1718.75 / 3), 4).high > 100


def _fractional_logit_reference(y: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Independent route: maximise the Bernoulli quasi-likelihood numerically (scipy.optimize),
    sandwich variance from numerical derivatives with the n/(n - 1) factor, t on n - 1 df."""
    from scipy import optimize
    from scipy.special import expit

    def loglik(b: float) -> float:
        mu = expit(b)
        return float(np.sum(y * np.log(mu) + (1 - y) * np.log(1 - mu)))

    b = optimize.minimize_scalar(lambda v: -loglik(v), bounds=(-20, 20), method="bounded", options={"xatol": 1e-10}).x
    h = 1e-4
    curvature = -(loglik(b + h) - 2 * loglik(b) + loglik(b - h)) / h**2
    scores = y - expit(b)
    n = len(y)
    var = np.sum(scores**2) / curvature**2 * n / (n - 1)
    half = sps.t.ppf(0.5 + level / 2, n - 1) * math.sqrt(var)
    return float(expit(b - half)), float(expit(b + half))


@pytest.mark.parametrize("seed,n", [(3, 2), (4, 5), (5, 40)])
def test_bounded_mean_interval_matches_a_numerical_fractional_logit(seed, n):
    rng = np.random.default_rng(seed)
    scores = rng.beta(5, 1.5, n) * 4 + 1  # asymmetric, on a 1-5 scale
    ci = stats.bounded_mean_interval(scores.mean(), scores.std(ddof=1), n, 1.0, 5.0)
    low, high = _fractional_logit_reference((scores - 1) / 4)
    assert (ci.low, ci.high) == pytest.approx((1 + 4 * low, 1 + 4 * high), abs=1e-4)
    assert 1.0 <= ci.low < scores.mean() < ci.high <= 5.0


def test_bounded_mean_interval_stays_inside_the_scale_for_two_respondents():
    # Hannover Airport on the Skytrax lounges: n = 2, mean 44.8, sd 57.5; the t interval is -471 to 561
    ci = stats.bounded_mean_interval(44.791667, 57.452426, 2, 0.0, 100.0)
    assert 0.0 <= ci.low < 44.791667 < ci.high <= 100.0


def test_bounded_mean_interval_at_a_bound_uses_wilson():
    # every one of 5 respondents at 100: Wilson for 5 of 5, low = 5 / (5 + 1.95996^2) = 0.56552
    ci = stats.bounded_mean_interval(100.0, 0.0, 5, 0.0, 100.0)
    assert (ci.low, ci.high) == pytest.approx((56.552, 100.0), abs=1e-3)
    assert all(math.isnan(v) for v in stats.bounded_mean_interval(50.0, math.nan, 1, 0.0, 100.0))
