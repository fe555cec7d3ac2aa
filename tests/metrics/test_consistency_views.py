"""Branch consistency's shaping: the survey performance interval stays on its 0-100 scale, and the
"each branch against the network" plot leaves out branches below the minimum volume."""

from __future__ import annotations

import pandas as pd

from servicequality.metrics import consistency


def _performance_rows() -> pd.DataFrame:
    # Three branches of a performance-only survey, as consistency_branch_measures and
    # branch_performance give them (asymmetric: one of 2 respondents far apart, one at the top).
    return pd.DataFrame(
        {
            "branch_id": ["H", "P", "Z"],
            "branch_name": ["Hannover", "Porto", "Zurich"],
            "performance_n": [2, 40, 3],
            "mean_performance": [44.791667, 61.0, 100.0],
            "sd_performance": [57.452426, 18.0, 0.0],
        }
    )


def test_survey_performance_intervals_stay_between_0_and_100():
    # Hannover's t interval was 44.8 +- 12.706 * 57.45 / sqrt(2) = -471 to 561 (the Skytrax lounges)
    measure = consistency.branch_measure(_performance_rows(), "survey_performance")
    assert (measure["ci_low"] >= 0).all() and (measure["ci_high"] <= 100).all(), measure[["ci_low", "ci_high"]]
    assert (measure["ci_low"] < measure["value"]).all()
    # Zurich, 3 of 3 at 100: Wilson's lower limit for 3 of 3, 3 / (3 + 1.95996^2) = 0.43849
    zurich = measure.set_index("branch_id").loc["Z"]
    assert round(zurich["ci_low"], 2) == 43.85 and zurich["ci_high"] == 100


def test_the_gap_keeps_its_t_interval():
    # the gap has no bounds set: mean -0.5, sd 1, n 4 -> -0.5 +- 3.18245 * 0.5 = (-2.0912, 1.0912)
    rows = pd.DataFrame({"branch_id": ["A"], "branch_name": ["A"], "gap_n": [4], "mean_gap": [-0.5], "sd_gap": [1.0]})
    measure = consistency.branch_measure(rows, "survey_gap")
    assert round(measure["ci_low"].iloc[0], 4) == -2.0912 and round(measure["ci_high"].iloc[0], 4) == 1.0912


def test_the_dot_plot_leaves_out_branches_below_the_minimum():
    present = pd.DataFrame(
        {"label": ["a", "b", "c", "d", "e"], "volume": [1.0, 2.0, 30.0, 45.0, 29.0], "value": [9.0, 1.0, 5.0, 7.0, 3.0]}
    )
    shown = pd.Series([True, True, True, True, True])
    dots = consistency.dot_plot_branches(present, shown, 30, higher_is_better=True)
    assert dots.rows["label"].tolist() == ["d", "c"]  # 45 and 30 respondents, best (7) first
    assert dots.too_few == 3
    lower_is_better = consistency.dot_plot_branches(present, shown, 2, higher_is_better=False)
    assert lower_is_better.rows["label"].tolist() == ["b", "e", "c", "d"] and lower_is_better.too_few == 1
    # a peer the session may not see is neither drawn nor counted as too small
    hidden = consistency.dot_plot_branches(present, pd.Series([False, True, True, True, True]), 30)
    assert hidden.too_few == 2


def test_the_words_say_how_many_and_whose_minimum():
    words = consistency.dot_plot_left_out(175, 30, "survey_performance")
    assert words.startswith(
        "175 branches with fewer than 30 respondents (the sidebar's minimum responses) are left out"
    )
    assert "1 branch with fewer than 100 customers served (a fixed minimum) is left out" in (
        consistency.dot_plot_left_out(1, 100, "complaint_rate")
    )
