"""metrics/performance: the weighted score and the survey model, worked by hand."""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from servicequality.metrics import performance
from servicequality.stats.drivers import DriverImportance
from tests.conftest import FIXTURE_PERIOD


def _importance(relative) -> DriverImportance:
    relative = np.asarray(relative, float)
    nan = np.full(len(relative), np.nan)
    return DriverImportance(("a", "b"), relative * 0.5, relative, 0.5, 3, 0, nan, nan, 0)


def test_weighted_performance_weights_each_respondent_by_derived_importance():
    frame = pd.DataFrame({"a": [100.0, 50.0, 0.0, np.nan], "b": [0.0, 50.0, 100.0, 10.0]})
    score = performance.weighted_performance(frame, _importance([0.75, 0.25]))
    # 0.75·100 + 0.25·0 = 75; 50; 25 (the fourth respondent skipped a) -> mean 50, sd 25, n 3
    assert score.n == 3
    assert score.mean == pytest.approx(50.0)
    half = stats.t.ppf(0.975, 2) * 25 / math.sqrt(3)  # 62.10
    assert (score.low, score.high) == pytest.approx((50 - half, 50 + half))
    # equal weights would give 50, 50, 50: the weighting is what moves respondents apart
    equal = performance.weighted_performance(frame, _importance([0.5, 0.5]))
    assert equal.mean == pytest.approx(50.0) and math.isnan(equal.low) is False and equal.high == pytest.approx(50.0)


def test_survey_model_says_which_reading_the_data_supports():
    table = pd.DataFrame({"n": [10, 8], "n_expectation": [0, 0]})
    assert performance.survey_model(table).performance_only
    assert "performance only" in performance.survey_model(table).sentence()
    mixed = pd.DataFrame({"n": [10, 8], "n_expectation": [4, 0]})
    assert performance.survey_model(mixed).has_gaps and "mixed" in performance.survey_model(mixed).sentence()
    full = pd.DataFrame({"n": [10], "n_expectation": [10]})
    assert "SERVQUAL" in performance.survey_model(full).sentence()
    assert performance.survey_model(pd.DataFrame()).sentence() == "No survey ratings in this filter."


def test_a_yes_no_recommend_share_gets_a_wilson_interval_and_one_answer_none():
    row = {
        "responses": 5,
        "n_satisfaction": 1,
        "mean_satisfaction": 40.0,
        "sd_satisfaction": None,
        "satisfaction_scales": "1-5",
        "mean_satisfaction_rating": 2.6,
        "n_recommend": 5,
        "mean_recommend": 0.0,
        "sd_recommend": 0.0,
        "recommend_scales": "0-1",
        "mean_recommend_rating": 0.0,
        "recommend_flag_yes": 0,
    }
    _, answers = performance.overall_answers(lambda name, filters: pd.DataFrame([row]), None)
    # 0 of 5: Wilson 95% upper limit z²/(n + z²) = 3.8415 / 8.8415 = 43.4 %; a t interval would say 0-0
    assert answers["recommend"].low == pytest.approx(0.0, abs=1e-9)
    assert answers["recommend"].high == pytest.approx(100 * 3.841459 / 8.841459, abs=1e-3)
    assert "0 of 5 (0.0 %, 95% CI 0.0-43.4, Wilson)" == answers["recommend"].words()
    assert "no interval from a single answer" in answers["satisfaction"].words()


def test_derived_importance_says_why_it_cannot_be_derived():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 2, 2, 2, 2], "satisfaction": [1.0, 3, 2, 5, 4]})
    assert "only one component" in performance.derived_importance(frame, "satisfaction", ["a"])
    said = performance.derived_importance(frame, "satisfaction", ["a", "b"], n_boot=0)
    assert said.startswith("driver b is constant"), said
    assert "nobody answered would recommend" in performance.derived_importance(frame, "recommend", ["a", "b"])


def test_branches_below_network_leaves_out_branches_above_it():
    branches = pd.DataFrame(
        {
            "branch_id": ["A", "B", "C", "D"],
            "branch_name": ["Alpha", "Beta", "Gamma", "Delta"],
            "region": ["North", "North", "South", "South"],
            "n": [4, 4, 2, 1],
            "mean_performance": [80.0, 60.0, 70.0, 10.0],
            "sd_performance": [10.0, 10.0, 10.0, None],
        }
    )
    rows, network, left_out, compared = performance.branches_below_network(
        lambda name, filters: branches.copy(), replace(FIXTURE_PERIOD, min_n=2)
    )
    # network over all 11 respondents: (4·80 + 4·60 + 2·70 + 1·10) / 11 = 710 / 11 = 64.55;
    # D (1 respondent) is not ranked; A (+15.45) and C (+5.45) are above: only B (-4.55) is listed
    assert network == pytest.approx(710 / 11)
    assert (left_out, compared) == (1, 3)
    assert rows["branch_id"].tolist() == ["B"]
    assert rows.loc[0, "difference"] == pytest.approx(60 - 710 / 11)
    assert rows.loc[0, "label"] == "Beta (B)"  # the sidebar's way: name (id), on every page


def test_branches_below_network_is_empty_when_every_branch_is_above_it():
    # the network mean counts the unranked branch: 2·80 + 2·90 + 1·0 = 340 / 5 = 68, both ranked ones above
    branches = pd.DataFrame(
        {
            "branch_id": ["A", "B", "C"],
            "branch_name": ["Alpha", "Beta", "Gamma"],
            "region": ["North", "North", "South"],
            "n": [2, 2, 1],
            "mean_performance": [80.0, 90.0, 0.0],
            "sd_performance": [5.0, 5.0, None],
        }
    )
    rows, network, left_out, compared = performance.branches_below_network(
        lambda name, filters: branches.copy(), replace(FIXTURE_PERIOD, min_n=2)
    )
    assert network == pytest.approx(68.0)
    assert (left_out, compared) == (1, 2)
    assert rows.empty


def _answer(n, mean, sd=math.nan, flag_yes=None):
    return performance.OverallAnswer("overall satisfaction", n, mean, 0.0, 100.0, "1-5", mean, flag_yes, sd)


def test_overall_answers_against_the_previous_period():
    now = {"satisfaction": _answer(539, 50.2, 20.0), "recommend": _answer(539, 48.4, flag_yes=261)}
    before = {"satisfaction": _answer(404, 55.5, 22.0), "recommend": _answer(404, 56.9, flag_yes=230)}
    moves = performance.overall_changes(now, before)
    # Welch z by hand: se = √(20²/539 + 22²/404) = √(0.742115 + 1.198020) = 1.392888;
    # z = (50.2 − 55.5) / 1.392888 = −3.8050; p = erfc(3.8050 / √2) ≈ 1.42e-4
    sat = moves["satisfaction"]
    assert sat.difference == pytest.approx(-5.3)
    assert sat.p_value == pytest.approx(math.erfc(5.3 / 1.392888 / math.sqrt(2)), rel=1e-4)
    assert sat.p_value == pytest.approx(1.42e-4, rel=0.01) and "0-100 answers" in sat.test
    # yes shares 261/539 = 48.42 % and 230/404 = 56.93 %: −8.51 points; Pearson's χ² of the 2×2
    # table without continuity correction (scipy) gives the same p as the pooled z test (≈ 0.0097)
    rec = moves["recommend"]
    assert rec.difference == pytest.approx(100 * (261 / 539 - 230 / 404))
    chi2 = stats.chi2_contingency([[261, 539 - 261], [230, 404 - 230]], correction=False)
    assert rec.p_value == pytest.approx(chi2.pvalue, rel=1e-9) and rec.p_value == pytest.approx(0.0097, abs=5e-4)


def test_overall_answers_with_nothing_to_compare_have_no_change():
    now = {"satisfaction": _answer(10, 60.0, 5.0), "recommend": _answer(10, 40.0, flag_yes=4)}
    # no answers before; a question asked as a flag now and on a scale before
    before = {"satisfaction": _answer(0, math.nan), "recommend": _answer(20, 70.0, 10.0)}
    moves = performance.overall_changes(now, before)
    assert all(math.isnan(m.difference) and math.isnan(m.p_value) for m in moves.values())


def test_a_quadrant_the_intervals_do_not_settle_is_said_to_be_on_the_line():
    # Three components, as Skytrax's: relative importance 0.326, 0.40, 0.274 (bootstrap intervals
    # below); performance 50.9, 60.4, 57.2 on 0-100 with sd 30 and n 2,251, 2,260, 2,231.
    # Splits: importance (32.6 + 40.0 + 27.4) / 3 = 33.33 %, performance (50.9 + 60.4 + 57.2) / 3 = 56.17.
    # Reliability: importance 32.6 < 33.33, "Low priority", but its interval 25.1-40.0 holds 33.33;
    # its performance interval, 50.9 ± t(0.975, 2250) · 30 / √2251 = 50.9 ± 1.240, does not hold 56.17.
    # Tangibles: 40.0 (36.0-44.0) clear of 33.33; 60.4 ± 1.238 clear of 56.17. Courtesy: importance
    # 27.4 (24.0-30.9) clear; performance 57.2 ± 1.246 = 55.95-58.45 holds 56.17.
    result = DriverImportance(
        ("reliability", "tangibles", "courtesy"),
        np.array([0.163, 0.2, 0.137]),
        np.array([0.326, 0.40, 0.274]),
        0.5,
        2_200,
        0,
        np.array([0.251, 0.360, 0.240]),
        np.array([0.400, 0.440, 0.309]),
        200,
    )
    perf = pd.DataFrame(
        {
            "component_key": ["reliability", "tangibles", "courtesy"],
            "component_name": ["Reliability", "Tangibles", "Courtesy"],
            "n": [2_251, 2_260, 2_231],
            "mean_performance": [50.9, 60.4, 57.2],
            "sd_performance": [30.0, 30.0, 30.0],
        }
    )
    ipa, imp_split, perf_split = performance.derived_importance_performance(perf, result)
    assert imp_split == pytest.approx(100 / 3) and perf_split == pytest.approx(56.1667, abs=1e-4)
    half = stats.t.ppf(0.975, 2_250) * 30 / math.sqrt(2_251)
    assert half == pytest.approx(1.240, abs=1e-3)
    assert ipa.loc[0, "performance_low"] == pytest.approx(50.9 - half)
    words = performance.unsettled_quadrants(ipa, imp_split, perf_split)
    assert words == (
        "On the line, so their quadrant is not settled (a 95% interval holds the split): Reliability (importance "
        "32.6% (95% interval 25.1-40.0) against 33.3%); Courtesy (performance 57.2 (56.0-58.4) against 56.2)."
    )
    # every one clear of both lines: nothing to say
    clear = ipa.assign(importance_low=ipa["importance_pct"], importance_high=ipa["importance_pct"], performance_low=0.0)
    clear["performance_high"] = 0.0
    assert performance.unsettled_quadrants(clear, imp_split, perf_split) is None
