"""metrics/performance: the weighted score and the survey model, worked by hand."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from servicequality.metrics import performance
from servicequality.stats.drivers import DriverImportance


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
