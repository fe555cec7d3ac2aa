"""Branch consistency's shaping: the survey performance interval stays on its 0-100 scale, and the
"each branch against the network" plot leaves out branches below the minimum volume."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from servicequality.metrics import consistency, control_charts


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


# --- the ranking's and the control chart's limits on the 0-100 scale ----------------------------


def _near_the_top() -> pd.DataFrame:
    # two small branches near 100 (Zurich 99 of 6, Hannover 97 of 5) and two larger ones lower down
    return pd.DataFrame(
        {
            "branch_id": ["H", "P", "Z", "Q"],
            "branch_name": ["Hannover", "Porto", "Zurich", "Quito"],
            "performance_n": [5, 40, 6, 30],
            "mean_performance": [97.0, 61.0, 99.0, 40.0],
            "sd_performance": [5.0, 18.0, 2.0, 20.0],
        }
    )


def test_shrunk_intervals_of_survey_performance_stop_at_100(monkeypatch):
    key = "survey_performance"
    bounded, _ = consistency.ranking(consistency.branch_measure(_near_the_top(), key), key, 2)
    # the same ranking with the scale's bounds taken away: the normal interval θ̂ ± 1.96·√var
    monkeypatch.setitem(consistency.MEASURES, key, consistency.MEASURES[key]._replace(bounds=None))
    free, _ = consistency.ranking(consistency.branch_measure(_near_the_top(), key), key, 2)
    bounded, free = bounded.set_index("branch_id"), free.set_index("branch_id")
    # Zurich (θ̂ ≈ 96.7, interval ≈ 83.0 to 110.5) and Hannover passed 100: now cut at 100
    assert free.loc["Z", "shrunk_high"] > 105 and free.loc["H", "shrunk_high"] > 100
    assert bounded.loc[["Z", "H"], "shrunk_high"].tolist() == [100.0, 100.0]
    # nothing else moves: the estimates, the lower ends, Porto's and Quito's intervals, the ranks
    for column in ("shrunk", "shrunk_low", "rank"):
        assert bounded[column].tolist() == free[column].tolist()
    assert bounded.loc[["P", "Q"], "shrunk_high"].tolist() == free.loc[["P", "Q"], "shrunk_high"].tolist()


def test_the_xmr_limits_of_survey_performance_stay_between_0_and_100():
    months = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
    rows = pd.DataFrame(
        {
            "branch_id": ["Z"] * 4 + ["Q"] * 4,
            "branch_name": ["Zurich"] * 4 + ["Quito"] * 4,
            "month": list(months) * 2,
            "performance_n": [10] * 8,
            "mean_performance": [98.0, 90.0, 99.0, 97.0, 3.0, 10.0, 2.0, 5.0],
            "sd_performance": [3.0] * 8,
        }
    )
    # Zurich: X̄ = 384 / 4 = 96, MR̄ = (8 + 9 + 2) / 3 = 6.333; 96 ± 2.66 · 6.333 = 79.153 to 112.847
    zurich = control_charts.control_chart(rows, "Z", "survey_performance")
    assert round(zurich.chart["lcl"].iloc[0], 3) == 79.153 and zurich.chart["ucl"].iloc[0] == 100.0
    # Quito: X̄ = 20 / 4 = 5, MR̄ = (7 + 8 + 3) / 3 = 6; 5 ± 15.96 = -10.96 to 20.96
    quito = control_charts.control_chart(rows, "Q", "survey_performance")
    assert quito.chart["lcl"].iloc[0] == 0.0 and round(quito.chart["ucl"].iloc[0], 2) == 20.96
    assert not zurich.beyond and not quito.beyond
    words = control_charts.control_formula(zurich.name, consistency.MEASURES["survey_performance"])
    assert words.endswith(", drawn no further than the scale's 0 and 100")
    # the gap has no bounds: its limits and words stay as they are
    assert (
        control_charts.control_formula("XmR chart", consistency.MEASURES["survey_gap"])
        == (control_charts.CONTROL_FORMULAS["XmR chart"])
    )


def test_the_dot_plot_says_how_many_coloured_branches_chance_alone_would_give():
    # 42 products, two intervals above the network (0.10): 2 <= 0.05 * 42 = 2.1 by chance alone
    rows = pd.DataFrame({"ci_low": [0.12, 0.11] + [0.01] * 40, "ci_high": [0.3, 0.2] + [0.2] * 40})
    words = consistency.dot_plot_chance(rows, 0.10)
    assert words.startswith("2 of 42 branch intervals leave out the network value: no more than chance")
    assert "(2.1 of 42 at 95%" in words
    # 5 of 20 (chance: 1.0): more than chance
    many = pd.DataFrame({"ci_low": [0.2] * 5 + [0.0] * 15, "ci_high": [0.3] * 5 + [0.2] * 15})
    assert "more than the 1 in 20" in consistency.dot_plot_chance(many, 0.10)
    assert consistency.dot_plot_chance(rows.iloc[2:], 0.10) is None


def test_no_ranking_when_the_branches_differ_no_more_than_chance():
    # means 60, 61, 59 of 40 respondents each, sd 20: each s² = 20² / 40 = 10, so Cochran's
    # Q = Σ (y − 60)² / 10 = (0 + 1 + 1) / 10 = 0.2 < 2 degrees of freedom: τ² = 0 (DerSimonian-
    # Laird, cut at 0), every estimate is the mean 60 and every branch was '#1' (the support data).
    key = "survey_performance"
    rows = pd.DataFrame(
        {
            "branch_id": ["A", "B", "C"],
            "branch_name": ["A", "B", "C"],
            "performance_n": [40, 40, 40],
            "mean_performance": [60.0, 61.0, 59.0],
            "sd_performance": [20.0, 20.0, 20.0],
        }
    )
    m = consistency.MEASURES[key]
    ranked, _ = consistency.ranking(consistency.branch_measure(rows, key), key, 30)
    assert ranked["rank"].tolist() == [1, 1, 1] and ranked["tau"].iloc[0] == 0
    words = consistency.ranks_noise(ranked, m, 30)
    assert words.startswith("No ranking: the 3 branches with at least 30 respondents differ no more than chance")
    assert "their mean, 60.0," in words
    # branches far apart (Zurich 99, Quito 40): τ > 0, a ranking to show
    spread, _ = consistency.ranking(consistency.branch_measure(_near_the_top(), key), key, 2)
    assert spread["tau"].iloc[0] > 0 and consistency.ranks_noise(spread, m, 2) is None


def test_one_ranked_branch_has_no_spread():
    # Skytrax, one airport ranked: the card read "– / 0.00" (P80 − P50 of one value) and "1 ranked
    # branches". Two values 40 and 50: P80 − P50 by linear interpolation = 48 − 45 = 3.
    one = consistency.spread(pd.DataFrame({"value": [58.0]}))
    assert all(math.isnan(v) for v in one)
    two = consistency.spread(pd.DataFrame({"value": [40.0, 50.0]}))
    assert two.p80_p50 == pytest.approx(3.0) and two.sd == pytest.approx(math.sqrt(50))
    assert consistency.ranked_words(1) == "1 ranked branch"
    assert consistency.ranked_words(45) == "45 ranked branches"
    assert consistency.ranked_words(48, noise=True) == "48 branches, none ranked"


def test_the_chart_words_say_which_months_took_exact_limits():
    from servicequality.metrics import control_charts
    from servicequality.stats.control import p_chart

    # 16 customers a month at p̄ = 1/192: 0.08 expected, every month exact; 1,000 and 10 a month: one of two
    rare = p_chart([0, 0, 1] + [0] * 9, [16] * 12)
    assert control_charts.chart_words("proportion", True, rare) == (
        "p chart, exact limits: each month's share against the branch's average. Every month expected fewer "
        "than 5 events at that average, too few for limits 3 standard errors either side, so the limits are "
        "exact binomial ones: the counts with less than a 0.135% chance either side."
    )
    mixed = control_charts.chart_words("rate", False, p_chart([50, 1], [1000, 10]))
    assert "1 of the 2 months expected fewer than 5 events" in mixed and "its limits are exact Poisson" in mixed
    assert "exact" not in control_charts.chart_words("proportion", True, p_chart([50, 60], [1000, 1000]))


def test_an_xmr_chart_of_thin_months_says_what_its_silence_is_worth():
    from servicequality.metrics import consistency, control_charts

    mean = next(m for m in consistency.MEASURES.values() if m.kind == "mean")
    rate = next(m for m in consistency.MEASURES.values() if m.kind != "mean")
    # reviews a month 1, 2, 1, 3: median 1.5
    thin = pd.DataFrame({"n": [1, 2, 1, 3], "value": [40.0, 90.0, 20.0, 60.0]})
    words = control_charts.thin_months_words(mean, thin)
    assert words.startswith(f"Its months hold a median of 1.5 {mean.volume_label}:")
    assert control_charts.thin_months_words(mean, thin.assign(n=[10, 12, 9, 30])) is None  # median 11
    assert control_charts.thin_months_words(mean, pd.DataFrame({"n": [1, 1, 2]})).startswith(
        "Its months hold a median of 1 respondent:"  # Skytrax's read "1 respondents"
    )
    assert control_charts.thin_months_words(rate, thin) is None  # counts: exact limits say it (chart_words)


def test_a_mappings_placeholder_for_no_branch_is_not_compared():
    # Skytrax's "[defaults] branch_id = Airport not given" (94 reviews) was ranked #11 among the
    # lounges; the CFPB's "Unknown" state likewise. A real name that merely holds a word stays.
    rows = pd.DataFrame(
        {
            "branch_id": ["Airport not given", "Doha", "Unknown", "UP", "N/A"],
            "branch_name": ["Airport not given", "Doha Airport", "Unknown", "Unknown Pleasures", "N/A"],
            "volume": [94.0, 300.0, 12.0, 40.0, 0.0],
        }
    )
    rows["label"] = rows["branch_name"]
    kept, left_out = consistency.without_placeholders(rows)
    assert kept["branch_id"].tolist() == ["Doha", "UP"]
    assert left_out["branch_id"].tolist() == ["Airport not given", "Unknown", "N/A"]
    words = consistency.placeholder_words(left_out, consistency.MEASURES["survey_performance"])
    assert words.startswith(
        "Left out of the comparisons below, as no branch: Airport not given (94 respondents), Unknown (12 respondents),"
    )  # N/A holds nothing in the filter: not named
    assert consistency.placeholder_words(left_out.iloc[:0], consistency.MEASURES["survey_performance"]) is None
