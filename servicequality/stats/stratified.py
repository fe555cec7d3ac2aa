"""Comparing two groups' shares within strata: the Mantel-Haenszel risk difference.

Pure: numbers in, numbers out. Tested against a hand-worked example, and in one stratum against
the Wald difference of two proportions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import stats as _scipy_stats


class RiskDifference(NamedTuple):
    difference: float  # exposed minus unexposed, as a share (0.12 = 12 points)
    low: float
    high: float
    se: float
    strata: int  # strata with people in both groups (the others carry no weight)


NAN_DIFFERENCE = RiskDifference(math.nan, math.nan, math.nan, math.nan, 0)


def mantel_haenszel_risk_difference(
    a1: Sequence[float], n1: Sequence[float], a0: Sequence[float], n0: Sequence[float], level: float = 0.95
) -> RiskDifference:
    """The Mantel-Haenszel risk difference between an exposed and an unexposed group, over strata
    i (for example branch x segment), with Sato's variance, which stays valid with many small strata.

    With A1_i events among N1_i exposed, A0_i among N0_i unexposed and N_i = N1_i + N0_i:

        RD_MH = sum (A1_i N0_i − A0_i N1_i) / N_i  /  sum N1_i N0_i / N_i
        Var   = (RD_MH sum P_i + sum Q_i) / (sum N1_i N0_i / N_i)^2, where
        P_i   = (N1_i^2 A0_i − N0_i^2 A1_i + N1_i N0_i (N0_i − N1_i) / 2) / N_i^2
        Q_i   = (A1_i (N0_i − A0_i) + A0_i (N1_i − A1_i)) / (2 N_i)

    and the interval RD_MH ± z · sqrt(Var). In one stratum this is the Wald difference of two
    proportions, p1 − p0 with variance p1(1 − p1)/N1 + p0(1 − p0)/N0.
    Sources: Greenland & Robins (1985), Biometrics 41:55-68 (the estimator); Sato (1989),
    Biometrics 45:1323-1324 (the variance); Rothman, Greenland & Lash, "Modern Epidemiology"
    (3rd ed.), ch. 15.
    Strata missing either group carry no weight; NaN when no stratum has both.
    """
    a1, n1, a0, n0 = (np.asarray(x, dtype=float) for x in (a1, n1, a0, n0))
    both = (n1 > 0) & (n0 > 0)
    if not both.any():
        return NAN_DIFFERENCE
    a1, n1, a0, n0 = a1[both], n1[both], a0[both], n0[both]
    if np.any((a1 > n1) | (a0 > n0) | (a1 < 0) | (a0 < 0)):
        raise ValueError("Events cannot exceed the group's size nor be negative.")
    n = n1 + n0
    weight = (n1 * n0 / n).sum()
    rd = ((a1 * n0 - a0 * n1) / n).sum() / weight
    p = (n1**2 * a0 - n0**2 * a1 + n1 * n0 * (n0 - n1) / 2) / n**2
    q = (a1 * (n0 - a0) + a0 * (n1 - a1)) / (2 * n)
    variance = max((rd * p.sum() + q.sum()) / weight**2, 0.0)
    se = math.sqrt(variance)
    z = _scipy_stats.norm.ppf(0.5 + level / 2)
    return RiskDifference(float(rd), float(rd - z * se), float(rd + z * se), se, int(both.sum()))
