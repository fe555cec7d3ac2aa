"""servicequality.stats.consistency: each function against a hand-worked example and an independent
reference (scipy), plus the planted truth of the demo database."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from servicequality import store
from servicequality.filters import Filters
from servicequality.metrics import consistency as C
from servicequality.stats import consistency as CS
from servicequality.stats import control as CC

# --- funnel limits --------------------------------------------------------------------------------


def test_binomial_limits_hand_worked_n10_theta_half():
    # Binomial(10, 0.5): F(7) = 968/1024, F(8) = 1013/1024, F(1) = 11/1024, F(2) = 56/1024.
    # upper (p = 0.975): r = 8, α = (1013/1024 − 0.975) / (45/1024) = 14.6 / 45 -> (8 − 0.32444) / 10
    # lower (p = 0.025): r = 2, α = (56/1024 − 0.025) / (45/1024) = 30.4 / 45 -> (2 − 0.67556) / 10
    low, high = CS.binomial_funnel_limits([10], 0.5, 0.95)
    assert high[0] == pytest.approx((8 - 14.6 / 45) / 10)
    assert low[0] == pytest.approx((2 - 30.4 / 45) / 10)


@pytest.mark.parametrize("theta", [0.05, 0.3, 0.85])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_binomial_limits_bracketed_by_exact_scipy_quantiles(theta, level):
    n = np.array([5, 20, 57, 137, 1000, 25000])
    p = (1 - level) / 2
    low, high = CS.binomial_funnel_limits(n, theta, level)
    r_high = st.binom.ppf(1 - p, n, theta)
    r_low = st.binom.ppf(p, n, theta)
    # the interpolated limit lies between (r_p − 1)/n and r_p/n, r_p the exact quantile
    assert np.all(high * n <= r_high + 1e-9) and np.all(high * n >= r_high - 1 - 1e-9)
    assert np.all(low * n <= r_low + 1e-9) and np.all(low * n >= np.maximum(r_low - 1, 0) - 1e-9)
    # and for a large n it is the normal approximation
    z = st.norm.ppf(1 - p)
    assert high[-1] == pytest.approx(theta + z * math.sqrt(theta * (1 - theta) / n[-1]), abs=2e-4)


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_poisson_limits_bracketed_by_exact_scipy_quantiles(level):
    theta = 0.021  # complaints per customer served
    exposure = np.array([100, 1_000, 14_000, 250_000])
    p = (1 - level) / 2
    low, high = CS.poisson_funnel_limits(exposure, theta, level)
    r_high = st.poisson.ppf(1 - p, theta * exposure)
    r_low = st.poisson.ppf(p, theta * exposure)
    assert np.all(high * exposure <= r_high + 1e-9) and np.all(high * exposure >= r_high - 1 - 1e-9)
    assert np.all(low * exposure <= r_low + 1e-9) and np.all(low * exposure >= np.maximum(r_low - 1, 0) - 1e-9)
    z = st.norm.ppf(1 - p)
    assert high[-1] == pytest.approx(theta + z * math.sqrt(theta / exposure[-1]), rel=3e-3)


def test_normal_limits_with_phi_and_tau2():
    # θ ± 1.959964·√(φ s² + τ²): s = 0.1, φ = 4 -> half = 1.959964 · 0.2; τ² = 0.03 -> √(0.01 + 0.03) = 0.2
    z = st.norm.ppf(0.975)
    lo, hi = CS.normal_funnel_limits([0.1], 1.0, 0.95, phi=4)
    assert (lo[0], hi[0]) == pytest.approx((1 - 0.2 * z, 1 + 0.2 * z))
    lo, hi = CS.normal_funnel_limits([0.1], 1.0, 0.95, tau2=0.03)
    assert (lo[0], hi[0]) == pytest.approx((1 - 0.2 * z, 1 + 0.2 * z))


def test_winsorised_overdispersion_hand_worked():
    # z = −3, −1, 0, 1, 3; 20% quantiles (linear): −3 + 0.8·2 = −1.4 and 1.4
    # winsorised: −1.4, −1, 0, 1, 1.4 -> squares 1.96 + 1 + 0 + 1 + 1.96 = 5.92 -> φ = 5.92 / 5
    z = [-3, -1, 0, 1, 3]
    assert CS.winsorised_overdispersion(z, fraction=0.2) == pytest.approx(1.184)
    # additive: s = 1 for all, w = 1: τ² = (I·φ − (I − 1)) / (Σw − Σw²/Σw) = (5.92 − 4) / (5 − 1) = 0.48
    assert CS.additive_tau2(z, [1, 1, 1, 1, 1], fraction=0.2) == pytest.approx(0.48)


def test_overdispersion_test_uses_chi2_on_i_minus_1_df():
    # χ²₀.₉₅ on 9 df = 16.919; I·φ = 10·1.7 = 17 > 16.919, 10·1.6 = 16 is not
    assert CS.overdispersion_is_significant(1.7, 10)
    assert not CS.overdispersion_is_significant(1.6, 10)


def test_funnel_flags_the_outlier_and_not_the_rest():
    volume = np.full(20, 1000.0)
    events = np.full(20, 100.0)
    events[0] = 200  # 20% against a network of about 10.5%
    f = CS.funnel("proportion", volume, events / volume)
    assert f.target == pytest.approx(2100 / 20000)
    assert f.points["outside_99.8"].tolist() == [1] + [0] * 19
    assert f.adjustment == "none"  # one outlier is winsorised away: no overdispersion


# --- control charts -------------------------------------------------------------------------------


def test_p_chart_hand_worked():
    # p̄ = 120 / 3000 = 0.04 (40 expected a month: the normal limits); σ = √(0.04·0.96/1000) = 0.0061968;
    # UCL = 0.04 + 3σ = 0.0585903; LCL = 0.04 − 3σ = 0.0214097
    chart = CC.p_chart([20, 40, 60], [1000, 1000, 1000])
    assert chart["centre"].iloc[0] == pytest.approx(0.04)
    assert chart["ucl"].tolist() == pytest.approx([0.04 + 3 * math.sqrt(0.0000384)] * 3)
    assert chart["lcl"].tolist() == pytest.approx([0.04 - 3 * math.sqrt(0.0000384)] * 3)
    assert not chart["exact"].any()
    # 100 a month: 4 expected, fewer than 5, so exact binomial limits (test_a_month_of_few_events...)
    assert CC.p_chart([2, 4, 6], [100, 100, 100])["exact"].all()


def test_laney_p_prime_hand_worked():
    # z = (p − p̄)/σ = −0.02/σ, 0, 0.02/σ; moving ranges 0.02/σ twice -> σ_z = (0.02/σ)/1.128
    # UCL′ = p̄ + 3·σ·σ_z = 0.04 + 0.06/1.128 = 0.0931915
    # (σ cancels: the same limits at any volume; 1,000 a month keeps the normal limits)
    chart = CC.p_chart([20, 40, 60], [1000, 1000, 1000], laney=True)
    assert chart["ucl"].iloc[0] == pytest.approx(0.04 + 0.06 / 1.128)
    assert chart["lcl"].iloc[0] == pytest.approx(0.0)  # 0.04 − 0.0532 < 0


def test_u_chart_hand_worked():
    # ū = 30 / 2000 = 0.015; σ = √(0.015/1000) = 0.003873; limits 0.015 ± 0.011619
    chart = CC.u_chart([10, 20], [1000, 1000])
    assert chart["ucl"].iloc[0] == pytest.approx(0.015 + 3 * math.sqrt(0.015 / 1000))
    assert chart["lcl"].iloc[0] == pytest.approx(0.015 - 3 * math.sqrt(0.015 / 1000))


def test_xmr_chart_hand_worked():
    # x = 5, 7, 6, 10: X̄ = 7; MR = 2, 1, 4 -> MR̄ = 7/3
    # limits 7 ± 2.66·7/3 = 7 ± 6.20667; MR upper limit 3.267·7/3 = 7.623
    chart = CC.xmr_chart([5, 7, 6, 10])
    assert chart["centre"].iloc[0] == pytest.approx(7)
    assert chart["ucl"].iloc[0] == pytest.approx(7 + 2.66 * 7 / 3)
    assert chart["lcl"].iloc[0] == pytest.approx(7 - 2.66 * 7 / 3)
    assert chart["mr_ucl"].iloc[0] == pytest.approx(3.267 * 7 / 3)
    assert chart["moving_range"].tolist()[1:] == [2, 1, 4]
    assert not chart["beyond_limits"].any()


def test_special_causes_beyond_limits_and_runs_of_8():
    # 20 points: a run of 9 above the centre, one far outlier
    values = [1, -1] * 3 + [1] * 9 + [-1, 1, -1, 1, 30]
    chart = CC.xmr_chart(values)
    assert chart["beyond_limits"].tolist() == [False] * 19 + [True]
    runs = CC.runs_on_one_side(values, 0.0)
    # points 7 to 15 (the nine 1s after 1, −1 three times) form the run
    assert runs.tolist() == [False] * 6 + [True] * 9 + [False] * 5
    assert not CC.runs_on_one_side([1] * 7 + [-1], 0.0).any()


# --- shrinkage ------------------------------------------------------------------------------------


def test_method_of_moments_tau2_hand_worked():
    # y = 0, 2, 4 with s² = 1: ȳ = 2, Q = 4 + 0 + 4 = 8, τ² = (8 − 2) / (3 − 3/3) = 3
    assert CS.method_of_moments_tau2([0, 2, 4], [1, 1, 1]) == pytest.approx(3)
    # y = 0, 4 with s² = 1, 4: w = 1, 0.25; ȳ_w = 1 / 1.25 = 0.8; Q = 0.64 + 0.25·10.24 = 3.2
    # τ² = (3.2 − 1) / (1.25 − 1.0625/1.25) = 2.2 / 0.4 = 5.5
    assert CS.method_of_moments_tau2([0, 4], [1, 4]) == pytest.approx(5.5)
    assert CS.method_of_moments_tau2([1, 1.1, 0.9], [1, 1, 1]) == 0  # less spread than noise


def test_shrinkage_hand_worked():
    # τ² = 3 (above), μ = 2, B = 1/(1 + 3) = 0.25: θ̂ = 0.25·2 + 0.75·y = 0.5, 2, 3.5
    # var = (1 − B)·s² + B²/Σw* = 0.75 + 0.0625 / (3 · 0.25) = 0.8333
    out = CS.shrink([0, 2, 4], [1, 1, 1])
    assert out["shrunk"].tolist() == pytest.approx([0.5, 2, 3.5])
    assert out["shrinkage"].tolist() == pytest.approx([0.25] * 3)
    half = st.norm.ppf(0.975) * math.sqrt(0.75 + 0.0625 / 0.75)
    assert out["shrunk_high"].iloc[0] == pytest.approx(0.5 + half)
    # τ² = 0: everyone is the network mean
    flat = CS.shrink([1, 1.1, 0.9], [1, 1, 1])
    assert flat["shrunk"].tolist() == pytest.approx([1.0] * 3)


def test_ranking_leaves_out_small_branches_and_ranks_best_first():
    rows = pd.DataFrame(
        {
            "branch_id": ["A", "B", "C", "D"],
            "branch_name": ["a", "b", "c", "d"],
            "complaints": [10, 40, 25, 1],
            "customers_served": [2000, 2000, 2000, 50],
        }
    )
    measure = C.branch_measure(rows, "complaint_rate")
    assert measure["value"].tolist() == pytest.approx([5, 20, 12.5, 20])  # per 1,000
    ranked, left_out = C.ranking(measure, "complaint_rate", CS.MIN_CUSTOMERS_SERVED)
    assert ranked["branch_id"].tolist() == ["A", "C", "B"]  # lower complaint rate is better
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert left_out["branch_id"].tolist() == ["D"]


# --- spread and Kruskal-Wallis --------------------------------------------------------------------


def test_coefficient_of_variation_and_percentile_spread():
    # sd(1, 2, 3) = 1, mean 2 -> 0.5;  P80 of 1..5 = 4.2, P50 = 3 -> 1.2
    assert CS.coefficient_of_variation([1, 2, 3]) == pytest.approx(0.5)
    assert CS.percentile_spread([1, 2, 3, 4, 5]) == pytest.approx(1.2)
    assert math.isnan(CS.coefficient_of_variation([-1, 1]))


def _rank_sums(groups):
    values = np.concatenate(groups)
    ranks = st.rankdata(values)  # average ranks for ties
    _, counts = np.unique(values, return_counts=True)
    sums, start = [], 0
    for g in groups:
        sums.append(ranks[start : start + len(g)].sum())
        start += len(g)
    return sums, [len(g) for g in groups], float((counts**3 - counts).sum())


def test_kruskal_wallis_hand_worked():
    # groups (1, 2), (3, 4, 5): ranks equal values; R = 3, 12; N = 5
    # H = 12/30 · (9/2 + 144/3) − 18 = 0.4 · 52.5 − 18 = 3
    kw = CS.kruskal_wallis_from_rank_sums([3, 12], [2, 3])
    assert kw.h == pytest.approx(3.0)
    assert kw.df == 1
    assert kw.p_value == pytest.approx(st.chi2.sf(3.0, 1))


def test_kruskal_wallis_matches_scipy_with_ties():
    rng = np.random.default_rng(4)
    groups = [np.round(rng.normal(mu, 1, n) * 2) / 2 for mu, n in ((0, 30), (0.3, 45), (0.8, 12), (0, 60))]
    sums, sizes, tie_sum = _rank_sums(groups)
    assert tie_sum > 0  # the rounding made ties
    ours = CS.kruskal_wallis_from_rank_sums(sums, sizes, tie_sum)
    reference = st.kruskal(*groups)
    assert ours.h == pytest.approx(reference.statistic)
    assert ours.p_value == pytest.approx(reference.pvalue)
    assert "differ" in CS.kruskal_wallis_in_words(ours)


# --- peers ----------------------------------------------------------------------------------------


def test_peer_comparison_pools_peers_without_my_branch():
    rows = pd.DataFrame(
        {
            "branch_id": ["A", "B", "C"],
            "branch_name": ["Alpha", "Beta", "Gamma"],
            "region": ["N", "N", "S"],
            "branch_type": ["x", "y", "x"],
            "size_band": ["Small", "Small", "Large"],
            "complaints": [10, 30, 60],
            "customers_served": [1000, 2000, 4000],
        }
    )
    out = C.peer_comparison(rows, "A", "region", "complaint_rate")
    # mine 10/1000 = 10 per 1,000; peers (region N without A) = B 30/2000 = 15; network 100/7000 = 14.29
    assert out["value"].tolist() == pytest.approx([10, 15, 100 / 7])
    assert out["group"].iloc[1].startswith("Peers (same region: N, 1 branches)")
    by_type = C.peer_comparison(rows, "A", "type", "complaint_rate")
    assert by_type["value"].iloc[1] == pytest.approx(15)  # C: 60/4000
    assert C.peer_comparison(rows, "Z", "region", "complaint_rate").empty


def test_pooled_mean_uses_total_variance():
    # group 1: n 2, mean 0, sd 1; group 2: n 2, mean 2, sd 1 -> pooled mean 1
    # SS = (1·1 + 1·1) + (2·1 + 2·1) = 6 -> sd = √(6/3) = √2 (the sd of −0.707, 0.707, 1.293, 2.707)
    rows = pd.DataFrame({"mean_gap": [0.0, 2.0], "gap_n": [2, 2], "sd_gap": [1.0, 1.0]})
    out = C.pooled(rows, "survey_gap")
    assert out["value"] == pytest.approx(1.0)
    half = st.t.ppf(0.975, 3) * math.sqrt(2) / 2
    assert out["ci_high"] == pytest.approx(1 + half)


# --- the demo's planted truth ---------------------------------------------------------------------


@pytest.mark.slow
def test_demo_funnel_flags_the_planted_complaint_outliers_and_no_steady_branch(demo_db_path):
    con = store.connect_read_only(demo_db_path)
    try:
        first, last = con.execute("select min(served_on), max(served_on) from customers_served").fetchone()
        rows = store.run_query(con, "consistency_branch_measures", Filters(first, last).params())
        profiles = dict(con.execute("select branch_id, profile from demo_branch_profiles").fetchall())
    finally:
        con.close()
    assert (first, last) == (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    measure = C.branch_measure(rows, "complaint_rate")
    funnel = CS.funnel("rate", measure["volume"], measure["raw"])  # the page's default: "auto"
    outside = dict(zip(measure["branch_id"], funnel.points["outside_99.8"], strict=False))
    high = [b for b, p in profiles.items() if p == "high_complaints"]
    low = [b for b, p in profiles.items() if p == "low_complaints"]
    steady = [b for b, p in profiles.items() if p == "steady"]
    assert high and low and len(steady) > 20
    assert all(outside[b] == 1 for b in high), {b: outside[b] for b in high}
    assert all(outside[b] == -1 for b in low), {b: outside[b] for b in low}
    assert [b for b in steady if outside[b] != 0] == []
    # winsorising keeps the planted outliers from inflating φ: steady branches differ by noise only
    assert funnel.phi < 1.5


def test_heterogeneity_test_is_pearson_chi2():
    # proportions 20/100, 10/100, 30/100 at pooled p = 0.2: z = 0, −2.5, 2.5 -> Σz² = 12.5 on 2 df
    # Pearson's χ² of the 3 × 2 table is the same number (scipy.stats.chi2_contingency, no correction)
    f = CS.funnel("proportion", [100, 100, 100], [0.2, 0.1, 0.3])
    test = CS.heterogeneity_test(f.points["z"])
    assert test.chi2 == pytest.approx(12.5)
    table = [[20, 80], [10, 90], [30, 70]]
    reference = st.chi2_contingency(table, correction=False)
    assert test.chi2 == pytest.approx(reference.statistic)
    assert test.p_value == pytest.approx(reference.pvalue)


# --- degenerate inputs: a share of 100 % everywhere, or no spread at all (issue 14, item 11) -------


def test_shrink_with_no_sampling_or_between_variance_moves_nothing():
    # s² = 0 and τ² = 0 for every unit (every complaint met its target: p̂ = 1, s² = p(1−p)/n = 0):
    # w = 1/(s² + τ²) is infinite, so the old formula gave μ̂ = nan and the ranking crashed.
    # Known without error: μ̂ = mean of y = 1, B = 0, θ̂ = y, interval of width 0.
    out = CS.shrink([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
    assert out["shrunk"].tolist() == [1.0, 1.0, 1.0]
    assert out["shrinkage"].tolist() == [0.0, 0.0, 0.0]
    assert out["shrunk_low"].tolist() == out["shrunk_high"].tolist() == [1.0, 1.0, 1.0]
    assert out["mu"].iloc[0] == 1.0


def test_method_of_moments_tau2_is_zero_when_a_unit_has_no_sampling_error():
    assert CS.method_of_moments_tau2([1.0, 1.0], [0.0, 0.0]) == 0.0


def test_degenerate_binomial_and_poisson_limits_are_the_target_itself():
    # Binomial(n, 1) is n with certainty, so p = 1 lies on both limits (the interpolation gave
    # (n − 0.001)/n and flagged every branch at 100 % as "above"); Poisson(0) is 0 with certainty.
    low, high = CS.binomial_funnel_limits([10, 250], 1.0, 0.998)
    assert low.tolist() == high.tolist() == [1.0, 1.0]
    low, high = CS.binomial_funnel_limits([10, 250], 0.0, 0.998)
    assert low.tolist() == high.tolist() == [0.0, 0.0]
    low, high = CS.poisson_funnel_limits([10, 250], 0.0, 0.998)
    assert low.tolist() == high.tolist() == [0.0, 0.0]


def test_standard_score_where_the_standard_error_is_zero():
    # (0.7 − 0.5)/0.1 = 2; on the centre with s = 0: 0; off it with s = 0: +inf / −inf.
    z = CS.standard_score(np.array([0.5, 0.7, 0.5, 0.6, 0.4]), 0.5, np.array([0.0, 0.1, 0.2, 0.0, 0.0]))
    assert z.tolist() == [0.0, pytest.approx(2.0), 0.0, math.inf, -math.inf]


def test_funnel_and_laney_chart_of_a_share_of_100_percent_everywhere():
    f = CS.funnel("proportion", [40, 90, 300], [1.0, 1.0, 1.0])
    assert f.target == 1.0
    assert f.points["outside_99.8"].tolist() == [0, 0, 0]
    assert f.points["z"].tolist() == [0.0, 0.0, 0.0]
    chart = CC.p_chart([40, 90, 300], [40, 90, 300], laney=True)
    assert chart["lcl"].tolist() == chart["ucl"].tolist() == [1.0, 1.0, 1.0]
    assert not chart.isna().any().any()


# --- asymmetric hand-worked cases: each would expose one wrong formula (tools/mutation_check.py) ---


def test_laney_sigma_z_is_the_mean_moving_range_over_1_128():
    # z = (0.5, 0.7, 0.4, 0.45 − 0.5) / 0.1 = 0, 2, −1, −0.5; moving ranges 2, 3, 0.5 (unequal):
    # mean 5.5/3 = 1.8333 -> σ_z = 1.8333 / 1.128 = 1.62530 (the median, 2, would give 1.7730).
    sigma_z = CC._laney_sigma_z(np.array([0.5, 0.7, 0.4, 0.45]), 0.5, np.array([0.1, 0.1, 0.1, 0.1]))
    assert sigma_z == pytest.approx((5.5 / 3) / 1.128)


def test_ranking_does_not_rank_noise():
    # Rates 5, 6 and 5.5 per 1,000 on 2,000 customers each: pooled 33/6,000 = 0.0055, s² = 0.0055/2,000
    # = 2.75e-6 each; Q = (0.0005² + 0.0005² + 0) / 2.75e-6 = 0.18 < k − 1 = 2, so τ² = 0, B = 1 and
    # every branch shrinks to the network value: all tied at rank 1. Ranking the raw values would
    # give 1, 3, 2.
    rows = pd.DataFrame(
        {
            "branch_id": ["A", "B", "C"],
            "branch_name": ["a", "b", "c"],
            "complaints": [10, 12, 11],
            "customers_served": [2000, 2000, 2000],
        }
    )
    ranked, _ = C.ranking(C.branch_measure(rows, "complaint_rate"), "complaint_rate", 1)
    assert ranked["rank"].tolist() == [1, 1, 1]
    assert ranked["shrunk"].tolist() == pytest.approx([5.5, 5.5, 5.5])


def _poisson_cdf(k: int, mu: float) -> float:
    return sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k + 1))


def test_poisson_limits_hand_worked_interpolation():
    # θ = 0.01 per customer, E = 500: Poisson(5). Lower p = 0.025: F(0) = 0.006738 < p ≤ F(1) =
    # 0.040428, so r = 1 and α = (F(1) − 0.025) / (F(1) − F(0)) = 0.45795 -> (1 − α)/500 = 0.0010841.
    # Upper 0.975: F(9) = 0.968172 < 0.975 ≤ F(10) = 0.986305, α = 0.62345 -> (10 − α)/500 = 0.018753.
    # Without interpolation they would be 1/500 = 0.002 and 10/500 = 0.02.
    low, high = CS.poisson_funnel_limits([500], 0.01, 0.95)
    a_low = (_poisson_cdf(1, 5) - 0.025) / (_poisson_cdf(1, 5) - _poisson_cdf(0, 5))
    a_high = (_poisson_cdf(10, 5) - 0.975) / (_poisson_cdf(10, 5) - _poisson_cdf(9, 5))
    assert low[0] == pytest.approx((1 - a_low) / 500)
    assert high[0] == pytest.approx((10 - a_high) / 500)
    assert low[0] == pytest.approx(0.0010841, abs=1e-7)
    assert high[0] == pytest.approx(0.018753, abs=1e-6)


def test_winsorised_overdispersion_at_ten_percent_asymmetric():
    # z = −3, −1, −0.5, 0, 0.2, 0.4, 0.6, 1, 2, 5 (a long right tail). 10th percentile (linear): −3 +
    # 0.9·2 = −1.2; 90th: 2 + 0.1·3 = 2.3. Clipped squares 1.44, 1, 0.25, 0, 0.04, 0.16, 0.36, 1, 4,
    # 5.29 sum to 13.54 -> φ = 1.354 (at 25 % the limits would be −0.375 and 0.9: φ = 0.5009).
    z = [-3, -1, -0.5, 0, 0.2, 0.4, 0.6, 1, 2, 5]
    assert CS.winsorised_overdispersion(z) == pytest.approx(1.354)


def test_shrinkage_with_unequal_standard_errors():
    # y = 1, 2, 4 with s² = 1, 1, 4 and τ² = 1: w* = 1/2, 1/2, 1/5, Σw* = 1.2,
    # μ̂ = (0.5 + 1 + 0.8)/1.2 = 1.91667 (the unweighted mean would be 2.3333);
    # B = 0.5, 0.5, 0.8; θ̂ = 1.458333, 1.958333, 2.333333;
    # var = (1 − B)s² + B²/Σw* = 0.5 + 0.25/1.2, the same, 0.8 + 0.64/1.2 = 0.708333, 0.708333, 1.333333.
    out = CS.shrink([1, 2, 4], [1, 1, 4], tau2=1.0)
    assert out["mu"].iloc[0] == pytest.approx(2.3 / 1.2)
    assert out["shrunk"].tolist() == pytest.approx([1.458333, 1.958333, 2.333333], abs=1e-6)
    z = st.norm.ppf(0.975)
    half = [z * math.sqrt(v) for v in (0.708333, 0.708333, 1.333333)]
    assert (out["shrunk_high"] - out["shrunk"]).tolist() == pytest.approx(half, abs=1e-5)


def test_kruskal_wallis_effect_size_is_h_over_n_minus_1():
    # The hand-worked H = 3 above on N = 5: ε² = 3 / (5 − 1) = 0.75 (H/N would be 0.6).
    kw = CS.kruskal_wallis_from_rank_sums([3, 12], [2, 3])
    assert kw.epsilon_squared == pytest.approx(0.75)


def test_pooled_sd_weights_by_degrees_of_freedom():
    # n = 2 and 5 with s = 1 and 3: √((1·1 + 4·9) / (1 + 4)) = √7.4 = 2.72029 (weights n would give
    # √(47/7) = 2.59119).
    assert CS.pooled_sd([2, 5], [0, 0], [1, 3]) == pytest.approx(math.sqrt(7.4))


def test_exact_outside_does_not_flag_a_tiny_branch_at_100_percent():
    # theta0 = 0.6, level 99.8 %: p = 0.001 in each tail.
    # 3 of 3: P(X >= 3) = 0.6^3 = 0.216 -> inside (the interpolated limit (3 - a)/3 = 0.9985 would flag it)
    # 20 of 20: P(X >= 20) = 0.6^20 = 3.66e-5 -> above
    # 0 of 8: P(X <= 0) = 0.4^8 = 6.55e-4 -> below; 1 of 8: 0.4^8 + 8*0.6*0.4^7 = 8.5e-3 -> inside
    n = np.array([3.0, 20.0, 8.0, 8.0])
    y = np.array([3.0, 20.0, 0.0, 1.0])
    assert CS.exact_outside("proportion", n, y / n, 0.6, 0.998).tolist() == [0, 1, -1, 0]


def test_exact_outside_for_rates_uses_the_poisson_tail():
    # theta0 = 0.01 per customer: mu = 0.01 * E. 0 events: P(X <= 0) = e^-mu.
    # E = 800: e^-8 = 3.4e-4 -> below; E = 600: e^-6 = 2.5e-3 -> inside
    exposure = np.array([800.0, 600.0])
    assert CS.exact_outside("rate", exposure, np.zeros(2), 0.01, 0.998).tolist() == [-1, 0]


def test_funnel_without_adjustment_flags_by_the_exact_test():
    # 40 branches at 60 % of 100 (no overdispersion: "auto" uses no adjustment), one of 3 at 3/3,
    # one of 200 at 150/200 (P(X >= 150 | 200, 0.6) ~ 1e-5: a real signal).
    volume = [100.0] * 40 + [3.0, 200.0]
    value = [0.6] * 40 + [1.0, 0.75]
    f = CS.funnel("proportion", volume, value)
    assert f.adjustment == "none"
    assert f.points["outside_99.8"].tolist()[-2:] == [0, 1]


def test_tau_is_shown_to_the_measures_decimals_in_the_ranking_caption():
    m = C.MEASURES["survey_performance"]  # 0-100 points, one decimal as on the overdispersion card
    # the hospital survey's two estimates: 5.62 (ranking, method of moments) and 3.58 (funnel,
    # winsorised); one significant digit had shown the first as "6"
    words = C.tau_words(5.6224, 3.5819, m)
    assert words.startswith("Between-branch standard deviation τ = 5.6 points among the ranked branches")
    assert "the funnel's τ = 3.6 on the overdispersion card" in words
    # equal as shown: one τ, no note about the funnel's
    assert "funnel" not in C.tau_words(5.62, 5.64, m)


def test_additive_limits_in_words_show_tau_to_the_measures_decimals():
    m = C.MEASURES["survey_performance"]
    f = CS.Funnel("mean", 76.4, 5.1, 5.6**2, True, "additive", pd.DataFrame(), pd.DataFrame())
    assert C.limits_in_words(f, m) == (
        "normal with the between-branch variance τ² added (τ = 5.6), drawn no further than the scale's 0 and 100"
    )


def test_tau_of_a_share_is_in_percentage_points():
    # Boston's resolved within target: "τ = 50.4 %" read as half of something; it is a standard
    # deviation between shares, in percentage points
    words = C.tau_words(50.4, 18.4, C.MEASURES["within_target"])
    assert words.startswith("Between-branch standard deviation τ = 50.4 percentage points among")
    assert C.difference_unit(C.MEASURES["complaint_rate"]) == "per 1,000"


def test_the_run_rule_holds_only_where_a_month_falls_on_either_side_alike():
    # proportion, n = 4 a month at p = 0.5: the line's count is 2; below = P(X < 2) = (1 + 4) / 16
    # = 0.3125, above = P(X > 2) = (4 + 1) / 16 = 0.3125: held
    assert CC.run_rule_holds("proportion", 0.5, [4, 4, 4])
    # 6 customers a month at 0.5 %: the line's count 0.03; below = P(0) = 0.995^6 = 0.9704: not held
    assert not CC.run_rule_holds("proportion", 0.005, [6] * 10)
    # rates (Poisson): mean 0.5 a month, below = P(0) = e^-0.5 = 0.6065 > 0.6: not held;
    # mean 1, below = P(0) = e^-1 = 0.3679, above = 1 - 2 e^-1 = 0.2642: held
    assert not CC.run_rule_holds("rate", 0.5, [1.0] * 8)
    assert CC.run_rule_holds("rate", 1.0, [1.0] * 8)
    assert math.exp(-0.5) > CC.RUN_RULE_MAX_SIDE > math.exp(-1)  # the two cases sit either side of the bound
    # a line at 0: every month on it, no run can form
    assert CC.run_rule_holds("proportion", 0.0, [6] * 10)


def test_a_p_chart_of_rare_events_marks_no_run_and_says_it_looked_for_none():
    # ten months of 6 customers, one returning in the last month: p̄ = 1/60; nine months of 0 lie
    # below the line (0.0167), a 'run of 9' that P(0) = (59/60)^6 = 0.904 a month makes likely
    events, n = [0] * 9 + [1], [6] * 10
    chart = CC.p_chart(events, n, laney=False)
    assert not chart["run_of_8"].any() and not chart["runs_checked"].any()
    # the same shares with 600 a month (0 of 600 nine times, 10 of 600 once): the runs are checked and
    # the nine months below the line are a run
    big = CC.p_chart([0] * 9 + [10], [600] * 10, laney=False)
    assert big["runs_checked"].all() and big["run_of_8"].sum() == 9


def test_laney_does_not_narrow_a_chart_of_rare_events():
    # nine months of 11 customers, one returning in the eighth: p̄ = 1/99 = 0.0101,
    # σ = √(0.0101 · 0.9899 / 11) = 0.03015, p chart UCL = 0.0101 + 3 · 0.03015 = 0.1005.
    # Laney's z: −0.335 for each month of 0 and (1/11 − 0.0101) / 0.03015 = 2.68 for the one;
    # moving ranges 0 six times, then 3.015 twice: MR̄ = 6.03 / 8 = 0.754, σ_z = 0.668 < 1, which
    # closed the limit in to 0.0705 and put the month (0.0909) beyond it. Here the runs do not
    # hold (P(0) = 0.9899^11 = 0.89 a month), so σ_z is kept at 1, and with 0.11 events expected a
    # month the limits are exact anyway: P(X ≥ 2) = 1 − 0.9899^11 − 11 · 0.0101 · 0.9899^10 = 0.0052
    # > 0.00135 and P(X ≥ 3) ≈ 165 · 0.0101³ = 0.00017 < 0.00135, so the upper limit is 2 / 11.
    events, n = [0] * 7 + [1, 0], [11] * 9
    laney = CC.p_chart(events, n, laney=True)
    assert laney["ucl"].iloc[7] == pytest.approx(2 / 11)
    assert not laney["beyond_limits"].any()
    # with 1,100 a month and the same shape (0 seven times, 100 once) Laney's σ_z still narrows or
    # widens as Laney (2002) has it: the runs hold there (a line of 11.1 a month)
    big = CC.p_chart([0] * 7 + [100, 0], [1_100] * 9, laney=True)
    plain = CC.p_chart([0] * 7 + [100, 0], [1_100] * 9, laney=False)
    assert big["runs_checked"].all() and big["ucl"].iloc[0] != pytest.approx(plain["ucl"].iloc[0])


def test_a_month_of_few_events_takes_exact_limits():
    # The support store's GoPro Hero: 16 customers a month, one return in 192: p̄ = 1/192 = 0.0052.
    # p̄ + 3σ = 0.0052 + 3·√(0.0052·0.9948/16) = 0.0592 put the month of one return (1/16 = 0.0625)
    # beyond the limits, though P(X ≥ 1) = 1 − (191/192)^16 = 0.078. Exact: P(X ≥ 2) = 0.0031,
    # P(X ≥ 3) = 0.000099 (sums below), so the least k with P(X ≤ k) ≥ 0.99865 is 2: UCL = 2/16.
    p, n = 1 / 192, 16

    def at_least(k: int) -> float:  # 1 − Σ_{j<k} C(n, j) p^j (1 − p)^(n − j), by hand
        return 1 - sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k))

    assert at_least(2) > 0.00135 > at_least(3)
    events = [0, 0, 1] + [0] * 9
    for laney in (False, True):
        chart = CC.p_chart(events, [n] * 12, laney=laney)
        assert chart["exact"].all()
        assert chart["ucl"].tolist() == pytest.approx([2 / 16] * 12)
        assert chart["lcl"].tolist() == [0.0] * 12
        assert not chart["beyond_limits"].any()
    # four returns in one month are beyond: p̄ = 4/192, P(X ≥ 3) = 0.0039 > 0.00135 > P(X ≥ 4) =
    # 0.00027, so UCL = 3/16 and 4/16 lies above it (scipy's quantile agrees)
    p = 4 / 192
    assert at_least(3) > 0.00135 > at_least(4)
    four = CC.p_chart([0, 0, 4] + [0] * 9, [n] * 12)
    assert four["ucl"].iloc[2] == pytest.approx(3 / 16) == st.binom(16, p).ppf(1 - 0.00135) / 16
    assert four["beyond_limits"].tolist() == [False, False, True] + [False] * 9
    # a rate: 0.5 events expected a month (ū = 1/2000, 1,000 exposure): Poisson limits, by scipy
    rate = CC.u_chart([1, 0, 0, 0], [1000] * 4)
    assert rate["exact"].all()
    assert rate["ucl"].iloc[0] == pytest.approx(st.poisson(0.25).ppf(1 - 0.00135) / 1000)
    # a month of many events keeps p̄ ± 3σ beside one of few in the same chart
    mixed = CC.p_chart([50, 1], [1000, 10])
    assert mixed["exact"].tolist() == [False, True]
