"""stats.changes: tests of a change against the previous period, by hand and against scipy."""

import math

import numpy as np
import pytest
from scipy import stats as st

from servicequality.stats import changes


def test_proportion_change_hand_worked_and_equal_to_pearson_chi2():
    # 62 of 100 now, 50 of 100 before: p̄ = 112/200 = 0.56, se = √(0.56·0.44·(1/100 + 1/100))
    # = √0.004928 = 0.070200; z = 0.12/0.070200 = 1.7094; p = 2·(1 − Φ(1.7094)) = 0.0874.
    c = changes.proportion_change(62, 100, 50, 100)
    assert c.difference == pytest.approx(12.0)
    assert c.p_value == pytest.approx(0.0874, abs=5e-4)
    assert not c.beyond_noise
    chi2 = st.chi2_contingency([[62, 38], [50, 50]], correction=False)
    assert c.p_value == pytest.approx(chi2.pvalue, rel=1e-9)


def test_nps_change_equals_welch_on_the_expanded_scores():
    # Now: 50 promoters, 20 detractors of 100 (NPS 30); before: 30 and 30 of 90 (NPS 0). Expanded to
    # +1/0/−1 answers, Welch's t statistic (scipy) is the same number as this z.
    now = np.r_[np.ones(50), np.zeros(30), -np.ones(20)]
    before = np.r_[np.ones(30), np.zeros(30), -np.ones(30)]
    welch = st.ttest_ind(now, before, equal_var=False)
    c = changes.nps_change(50, 20, 100, 30, 30, 90)
    assert c.difference == pytest.approx(30.0)
    assert c.p_value == pytest.approx(2 * st.norm.sf(welch.statistic), rel=1e-9)
    assert c.beyond_noise


def test_rate_change_is_the_exact_conditional_binomial_test():
    # 30 complaints per 1,000 served now, 10 per 1,000 before: 30 + 10 = 40 events, under equal
    # rates 30 ~ Binomial(40, 1000/2000 = 0.5); P(X ≥ 30) = 0.000111, two-sided (symmetric) 0.000222.
    c = changes.rate_change(30, 1000, 10, 1000)
    assert c.difference == pytest.approx(20.0)
    upper = sum(math.comb(40, k) for k in range(30, 41)) / 2**40
    assert c.p_value == pytest.approx(2 * upper, rel=1e-9)
    # Unequal exposure: 21.6 vs 21.2 per 1,000 on ~100,000 served each is noise.
    flat = changes.rate_change(2160, 100_000, 2120, 100_000)
    assert flat.difference == pytest.approx(0.4)
    assert not flat.beyond_noise


def test_score_change_uses_the_fully_correlated_bound():
    # Two components, weights ½ each. Now: sds 1.0 and 2.0 over n 100 and 400: bound = ½·0.1 + ½·0.1
    # = 0.1; before: sds 1.0, 1.0 over n 25, 100: ½·0.2 + ½·0.1 = 0.15. se = √(0.01 + 0.0225) =
    # 0.180278; difference −0.30 − (−0.50) = 0.20; z = 1.1094; p = 0.2673. With independent
    # components the se would be smaller (0.0791 + …) and call this change significant.
    c = changes.score_change(-0.30, [1.0, 2.0], [100, 400], -0.50, [1.0, 1.0], [25, 100], [0.5, 0.5], [0.5, 0.5])
    assert c.difference == pytest.approx(0.20)
    assert c.p_value == pytest.approx(2 * st.norm.sf(0.20 / math.sqrt(0.01 + 0.0225)), rel=1e-9)
    assert c.p_value == pytest.approx(0.2673, abs=5e-4)


def test_p_value_words():
    assert changes.p_value_text(0.0004) == "p < 0.001"
    assert changes.p_value_text(0.0035) == "p = 0.0035"
    assert changes.p_value_text(0.42) == "p = 0.42"
    assert changes.p_value_text(math.nan) == "not tested"


def test_mean_change_equals_welch_from_summary_statistics():
    # Weighted scores −0.30 (sd 0.9, n 400) now and −0.45 (sd 1.2, n 250) before: Welch's statistic
    # from scipy's ttest_ind_from_stats; se = √(0.81/400 + 1.44/250) = 0.08822, z = 1.7003.
    c = changes.mean_change(-0.30, 0.9, 400, -0.45, 1.2, 250)
    welch = st.ttest_ind_from_stats(-0.30, 0.9, 400, -0.45, 1.2, 250, equal_var=False)
    assert c.difference == pytest.approx(0.15)
    assert c.p_value == pytest.approx(2 * st.norm.sf(welch.statistic), rel=1e-9)
    assert welch.statistic == pytest.approx(0.15 / math.sqrt(0.81 / 400 + 1.44 / 250))
    assert math.isnan(changes.mean_change(-0.3, 0.9, 1, -0.4, 1.0, 50).p_value)
