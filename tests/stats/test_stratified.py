"""The Mantel-Haenszel risk difference with Sato's variance: a hand-worked two-stratum example, and
in one stratum the Wald difference of two proportions."""

import math

import pytest
from scipy import stats as scipy_stats

from servicequality.stats.stratified import mantel_haenszel_risk_difference


def test_two_strata_worked_by_hand():
    # Stratum 1: exposed 6 of 10, unexposed 30 of 40, N = 50. Stratum 2: 2 of 8 and 12 of 24, N = 32.
    # Numerator:   (6*40 - 30*10)/50 + (2*24 - 12*8)/32 = -1.2 - 1.5 = -2.7
    # Denominator: 10*40/50 + 8*24/32 = 8 + 6 = 14               -> RD = -2.7/14 = -0.1928571
    # P1 = (100*30 - 1600*6 + 400*(40-10)/2)/2500 = (3000 - 9600 + 6000)/2500 = -0.24
    # P2 = (64*12 - 576*2 + 192*(24-8)/2)/1024 = (768 - 1152 + 1536)/1024 = 1.125      sum P = 0.885
    # Q1 = (6*(40-30) + 30*(10-6))/100 = 1.8; Q2 = (2*(24-12) + 12*(8-2))/64 = 1.5     sum Q = 3.3
    # Var = (-0.1928571*0.885 + 3.3)/14^2 = 3.1293214/196 = 0.0159659 -> SE = 0.1263563
    rd = mantel_haenszel_risk_difference([6, 2], [10, 8], [30, 12], [40, 24])
    assert rd.difference == pytest.approx(-2.7 / 14)
    assert rd.se == pytest.approx(math.sqrt((-2.7 / 14 * 0.885 + 3.3) / 196))
    assert rd.se == pytest.approx(0.1263563, abs=1e-6)
    assert (rd.low, rd.high) == pytest.approx((rd.difference - 1.959964 * rd.se, rd.difference + 1.959964 * rd.se))
    assert rd.strata == 2


def test_one_stratum_is_the_wald_difference():
    # exposed 30 of 50, unexposed 40 of 120: p1 - p0 with variance p1 q1/n1 + p0 q0/n0
    rd = mantel_haenszel_risk_difference([30], [50], [40], [120])
    p1, p0 = 30 / 50, 40 / 120
    se = math.sqrt(p1 * (1 - p1) / 50 + p0 * (1 - p0) / 120)
    assert rd.difference == pytest.approx(p1 - p0)
    assert rd.se == pytest.approx(se)
    z = scipy_stats.norm.ppf(0.975)
    assert rd.low == pytest.approx(p1 - p0 - z * se)


def test_strata_without_both_groups_carry_no_weight():
    # the third stratum has no unexposed people: the answer is that of the first two
    base = mantel_haenszel_risk_difference([6, 2], [10, 8], [30, 12], [40, 24])
    more = mantel_haenszel_risk_difference([6, 2, 5], [10, 8, 9], [30, 12, 0], [40, 24, 0])
    assert more.difference == pytest.approx(base.difference)
    assert more.se == pytest.approx(base.se)
    assert math.isnan(mantel_haenszel_risk_difference([1], [2], [0], [0]).difference)
    with pytest.raises(ValueError):
        mantel_haenszel_risk_difference([3], [2], [1], [2])
