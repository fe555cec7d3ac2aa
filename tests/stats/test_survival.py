"""Kaplan-Meier from counts per time: a hand-worked example and scipy.stats.ecdf on censored data."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from servicequality.stats.survival import kaplan_meier, median_time, survival_at


def test_hand_worked_example():
    # Six people: events at 1, 2, 2 and 3; censored at 2 and at 4.
    # t=1: 6 at risk, 1 event  -> S = 5/6
    # t=2: 5 at risk, 2 events -> S = 5/6 * 3/5 = 1/2 (the one censored at 2 is still at risk at 2)
    # t=3: 2 at risk, 1 event  -> S = 1/2 * 1/2 = 1/4
    # t=4: 1 at risk, censored -> S stays 1/4
    curve = kaplan_meier([1, 2, 3, 4, 2], [1, 2, 1, 0, 0], [0, 0, 0, 1, 1])
    assert curve["time"].tolist() == [1, 2, 3, 4]
    assert curve["at_risk"].tolist() == [6, 5, 2, 1]
    assert curve["survival"].tolist() == pytest.approx([5 / 6, 1 / 2, 1 / 4, 1 / 4])
    assert survival_at(curve, 0.5) == 1.0
    assert survival_at(curve, 2.5) == pytest.approx(0.5)
    assert median_time(curve) == 2


def test_equals_scipy_ecdf_on_censored_times():
    rng = np.random.default_rng(19)
    times = rng.integers(1, 120, 800)
    observed = rng.random(800) < 0.7  # 30 % censored
    values, counts = np.unique(np.stack([times, observed]), axis=1, return_counts=True)
    t, is_event = values
    curve = kaplan_meier(t, counts * is_event, counts * (1 - is_event))
    reference = scipy_stats.ecdf(scipy_stats.CensoredData.right_censored(times.astype(float), ~observed)).sf
    # at every time in the data (scipy's survival just after it)
    assert curve["survival"].to_numpy() == pytest.approx(reference.evaluate(curve["time"].to_numpy()), abs=1e-12)


def test_no_data_and_bad_counts():
    assert kaplan_meier([], [], []).empty
    with pytest.raises(ValueError):
        kaplan_meier([1], [-1], [0])
