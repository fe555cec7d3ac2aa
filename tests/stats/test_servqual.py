"""SERVQUAL statistics: a hand-worked example each, then an independent reference (scipy, numpy,
a published value)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from servicequality import stats
from servicequality.metrics import servqual
from servicequality.stats import servqual as servqual_stats

# The fixture's reliability scores (tests/fixture_db.py), respondent means over REL1 and REL2:
# R1 P 5, E 6.5; R2 P 5, E 6; R3 P 5.5, E 6; R4 P 7, E 7 -> differences -1.5, -1, -0.5, 0
P = np.array([5.0, 5.0, 5.5, 7.0])
E = np.array([6.5, 6.0, 6.0, 7.0])
D = P - E


# --- gap with interval ------------------------------------------------------------------------------


def test_gap_interval_hand_worked():
    # mean -0.75; sd sqrt(((-.75)² + (-.25)² + .25² + .75²) / 3) = sqrt(1.25 / 3) = 0.645497
    # t(0.975; 3) = 3.182446; half width 3.182446 · 0.645497 / √4 = 1.027130 -> (-1.777130, 0.277130)
    est = servqual_stats.gap_with_interval(-0.75, math.sqrt(1.25 / 3), 4)
    assert est.gap == -0.75 and est.n == 4
    assert (est.low, est.high) == pytest.approx((-1.777130, 0.277130), abs=1e-6)


def test_gap_interval_matches_scipy_t_interval():
    rng = np.random.default_rng(3)
    d = rng.normal(-0.4, 1.2, 37)
    est = servqual_stats.gap_with_interval(d.mean(), d.std(ddof=1), len(d))
    ref = sps.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=sps.sem(d))
    assert (est.low, est.high) == pytest.approx(ref)


def test_gap_interval_undefined_for_one_respondent_or_none():
    assert math.isnan(servqual_stats.gap_with_interval(0.5, None, 1).low)
    assert servqual_stats.gap_with_interval(None, None, 0).n == 0


# --- paired t test ------------------------------------------------------------------------------------


def test_paired_t_hand_worked():
    # t = -0.75 / (0.645497 / 2) = -2.323790; df 3; two-sided p = 2 · P(T3 >= 2.323790) = 0.102728
    result = servqual_stats.paired_t_test(-0.75, math.sqrt(1.25 / 3), 4)
    assert result.t == pytest.approx(-2.323790, abs=1e-6)
    assert result.df == 3
    assert result.p == pytest.approx(0.102728, abs=1e-6)


def test_paired_t_matches_scipy_ttest_rel_and_1samp_on_the_fixture():
    result = servqual_stats.paired_t_test(D.mean(), D.std(ddof=1), len(D))
    rel = sps.ttest_rel(P, E)
    one = sps.ttest_1samp(D, 0.0)
    assert (result.t, result.p) == pytest.approx((rel.statistic, rel.pvalue))
    assert (result.t, result.p) == pytest.approx((one.statistic, one.pvalue))
    assert result.df == rel.df


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_paired_t_matches_scipy_on_likert_scores(seed):
    rng = np.random.default_rng(seed)
    e = rng.integers(1, 8, 200)
    p = np.clip(e + rng.integers(-3, 3, 200), 1, 7)
    d = p - e
    result = servqual_stats.paired_t_test(d.mean(), d.std(ddof=1), len(d))
    ref = sps.ttest_rel(p, e)
    assert (result.t, result.p, result.df) == pytest.approx((ref.statistic, ref.pvalue, ref.df))


def test_paired_t_edge_cases():
    assert math.isnan(servqual_stats.paired_t_test(1.0, 0.5, 1).p)
    # everyone 1 point short: no spread, the shortfall is certain
    assert servqual_stats.paired_t_test(-1.0, 0.0, 10) == (-math.inf, 9, 0.0)
    assert math.isnan(servqual_stats.paired_t_test(0.0, 0.0, 10).p)


def test_gap_test_in_plain_words():
    assert (
        servqual_stats.describe_gap_test("Responsiveness", -0.98, 1e-9, 4012)
        == "Responsiveness falls short of expectations (gap −0.98, p < 0.001, n = 4,012)"
    )
    assert (
        servqual_stats.describe_gap_test("Tangibles", 0.31, 0.004, 50)
        == "Tangibles exceeds expectations (gap +0.31, p = 0.004, n = 50)"
    )
    assert (
        servqual_stats.describe_gap_test("Reliability", -0.75, 0.10277, 4)
        == "Reliability does not differ clearly from expectations (gap −0.75, p = 0.10, n = 4)"
    )
    assert "too few" in servqual_stats.describe_gap_test("Courtesy", math.nan, math.nan, 1)


# --- adequacy, superiority, zone ---------------------------------------------------------------------


def test_msa_and_mss_hand_worked():
    # fixture R1 and R2 reliability: P 5 and 5, adequate 4 and 5, desired 6.5 and 6
    # MSA = mean P - mean A = 5 - 4.5 = 0.5 (= mean of 1 and 0); MSS = 5 - 6.25 = -1.25
    assert servqual_stats.adequacy(5.0, 4.5) == pytest.approx(0.5)
    assert servqual_stats.superiority(5.0, 6.25) == pytest.approx(-1.25)
    assert np.mean([5 - 4, 5 - 5]) == pytest.approx(servqual_stats.adequacy(np.mean([5, 5]), np.mean([4, 5])))


@pytest.mark.parametrize(
    "p,a,d,expected",
    [
        (3.9, 4, 6, "below the zone"),
        (4, 4, 6, "inside the zone"),
        (6, 4, 6, "inside the zone"),
        (6.1, 4, 6, "above the zone"),
        (None, 4, 6, "unknown"),
    ],
)
def test_tolerance_position(p, a, d, expected):
    assert servqual_stats.tolerance_position(p, a, d) == expected


# --- Cronbach's alpha ------------------------------------------------------------------------------------


def alpha_from_raw(items: np.ndarray) -> float:
    """Independent second implementation: α = k/(k − 1) · (1 − trace(C) / sum(C)) with C the item
    covariance matrix (Σ var(items) = trace; var(sum) = sum of all entries)."""
    c = np.cov(items, rowvar=False)
    k = items.shape[1]
    return k / (k - 1) * (1 - np.trace(c) / c.sum())


def test_alpha_hand_worked_on_the_fixture():
    # fixture reliability perception items over R1..R4: REL1 = 5, 6, 5, 7; REL2 = 5, 4, 6, 7
    # var REL1: mean 5.75, squares .5625 + .0625 + .5625 + 1.5625 = 2.75, / 3 = 0.916667
    # var REL2: mean 5.5, squares .25 + 2.25 + .25 + 2.25 = 5, / 3 = 1.666667
    # sums 10, 10, 11, 14: mean 11.25, squares 1.5625 + 1.5625 + .0625 + 7.5625 = 10.75, / 3 = 3.583333
    # α = 2/1 · (1 − (2.75 + 5) / 10.75) = 2 · 3 / 10.75 = 0.558140
    alpha = servqual_stats.cronbach_alpha(2, 2.75 / 3 + 5 / 3, 10.75 / 3)
    assert alpha == pytest.approx(6 / 10.75)
    assert alpha == pytest.approx(alpha_from_raw(np.array([[5, 5], [6, 4], [5, 6], [7, 7]])))


# mtcars (R datasets; Henderson & Velleman 1981), columns cyl, gear, carb, hp of the 32 cars.
# Published: performance::cronbachs_alpha(mtcars[, c("cyl", "gear", "carb", "hp")]) prints
# 0.09463206 (easystats documentation, reference/cronbachs_alpha.html).
MTCARS = {
    "cyl": [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4],
    "gear": [4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 5, 4],
    "carb": [4, 4, 1, 1, 2, 1, 4, 2, 2, 4, 4, 3, 3, 3, 4, 4, 4, 1, 2, 1, 1, 2, 2, 4, 2, 1, 2, 2, 4, 6, 8, 2],
    "hp": [
        110,
        110,
        93,
        110,
        175,
        105,
        245,
        62,
        95,
        123,
        123,
        180,
        180,
        180,
        205,
        215,
        230,
        66,
        52,
        65,
        97,
        150,
        150,
        245,
        175,
        66,
        91,
        113,
        264,
        175,
        335,
        109,
    ],
}


def test_alpha_reproduces_a_published_value():
    items = pd.DataFrame(MTCARS)
    # the well-known column means check the transcription: 6.1875, 3.6875, 2.8125, 146.6875
    assert items.mean().tolist() == pytest.approx([6.1875, 3.6875, 2.8125, 146.6875])
    alpha = servqual_stats.cronbach_alpha(4, items.var(ddof=1).sum(), items.sum(axis=1).var(ddof=1))
    assert alpha == pytest.approx(0.09463206, abs=1e-8)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_alpha_matches_the_covariance_matrix_formula(k):
    rng = np.random.default_rng(k)
    latent = rng.normal(0, 1, (300, 1))
    items = np.clip(np.round(4 + latent + rng.normal(0, 0.8, (300, k))), 1, 7)
    alpha = servqual_stats.cronbach_alpha(k, items.var(axis=0, ddof=1).sum(), items.sum(axis=1).var(ddof=1))
    assert alpha == pytest.approx(alpha_from_raw(items))
    # the divisor cancels: population variances give the same alpha
    assert alpha == pytest.approx(servqual_stats.cronbach_alpha(k, items.var(axis=0).sum(), items.sum(axis=1).var()))


def test_alpha_undefined_for_one_item_or_no_spread():
    assert math.isnan(servqual_stats.cronbach_alpha(1, 1.0, 1.0))
    assert math.isnan(servqual_stats.cronbach_alpha(2, 0.0, 0.0))
    assert math.isnan(servqual_stats.cronbach_alpha(3, None, 2.0))


# --- importance-performance quadrants ---------------------------------------------------------------


def test_quadrants_split_at_the_means():
    # importance 10, 20, 30, 40 -> mean 25; performance 6, 4, 6, 4 -> mean 5
    imp = {"a": 10, "b": 20, "c": 30, "d": 40}
    perf = {"a": 6, "b": 4, "c": 6, "d": 4}
    assert servqual_stats.assign_quadrants(imp, perf) == {
        "a": "Possible overkill",
        "b": "Low priority",
        "c": "Keep up the good work",
        "d": "Concentrate here",
    }


def test_quadrant_ties_count_as_high():
    assert servqual_stats.quadrant(25, 5, 25, 5) == "Keep up the good work"
    assert servqual_stats.assign_quadrants({"a": 1.0}, {}) == {}


# --- weighted score and contributions ---------------------------------------------------------------


def test_contributions_hand_worked():
    # gaps a -1, b 0.5, c -0.2; points 6, 2, 2 -> weights .6, .2, .2
    # unweighted: -1/3, 0.5/3, -0.2/3 -> score -0.7/3 = -0.233333; weighted: -0.6, 0.1, -0.04 -> -0.54
    gaps = {"a": -1.0, "b": 0.5, "c": -0.2}
    weights = {"a": 6, "b": 2, "c": 2}
    parts = servqual_stats.score_contributions(gaps, weights)
    assert [parts[k].weighted for k in "abc"] == pytest.approx([-0.6, 0.1, -0.04])
    assert sum(p.unweighted for p in parts.values()) == pytest.approx(stats.servqual_score(gaps))
    assert sum(p.weighted for p in parts.values()) == pytest.approx(stats.servqual_score(gaps, weights))
    assert sum(p.weighted for p in parts.values()) == pytest.approx(-0.54)
    # ranks from the most negative contribution: a, c, b under both weightings
    assert [parts[k].unweighted_rank for k in "abc"] == [1, 3, 2]
    assert [parts[k].weighted_rank for k in "abc"] == [1, 3, 2]


def test_weighting_moves_a_rank():
    # gaps a -0.5, b -0.4; weights 1 : 4 -> weighted -0.1 and -0.32: b becomes the larger drag
    parts = servqual_stats.score_contributions({"a": -0.5, "b": -0.4}, {"a": 1, "b": 4})
    assert (parts["a"].unweighted_rank, parts["a"].weighted_rank) == (1, 2)
    assert (parts["b"].unweighted_rank, parts["b"].weighted_rank) == (2, 1)


# --- complaints against the survey ---------------------------------------------------------------


def test_findings_name_the_disagreements():
    rows = pd.DataFrame(
        [
            # key, name, share, gap, ci low, ci high
            ("courtesy", "Courtesy", 0.18, 0.12, 0.05, 0.19),  # many complaints, surplus
            ("reliability", "Reliability", 0.40, -0.9, -1.0, -0.8),  # many complaints, big shortfall: agree
            ("access", "Accessibility", 0.30, -0.02, -0.1, 0.06),  # many complaints, no clear gap
            ("understanding", "Understanding", 0.01, -0.6, -0.7, -0.5),  # few complaints, big shortfall
            ("tangibles", "Tangibles", 0.11, 0.3, 0.2, 0.4),  # under 1/4 and not under 1/8: no finding
        ],
        columns=["component_key", "component_name", "complaint_share", "mean_gap", "ci_low", "ci_high"],
    )
    # K = 5: "many" is a share of at least 1/5 = 20%, "few" under 1/10 = 10%
    rows.loc[0, "complaint_share"] = 0.21
    texts = {f.component_key: f.text for f in servqual.complaint_survey_findings(rows)}
    assert set(texts) == {"courtesy", "access", "understanding"}
    assert texts["courtesy"] == "Courtesy: 21% of complaints (3rd most) but a surplus in the survey (gap +0.12)"
    assert texts["access"].startswith("Accessibility: 30% of complaints (2nd most) but no clear gap")
    assert texts["understanding"].startswith(
        "Understanding: only 1% of complaints but the 2nd largest of 5 shortfalls in the survey (gap −0.60)"
    )
