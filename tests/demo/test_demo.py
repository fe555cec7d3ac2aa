"""The demo generator: structure, planted effects and determinism.

Every expected value comes from the demo's specification (48 branches in 6 regions, three
full years 2023-2025, ~400k tickets at 60/32/8% complaint/request/compliment, ~40k survey
responses, planted branch profiles, network gaps with responsiveness about -1.0 and
tangibles about +0.3, ...), never from running the generator. The default-scale database
is built once per session (`demo_db_path` in conftest.py); determinism uses the tiny scale,
which is built twice.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats as sps

from servicequality import domain, store
from servicequality.__main__ import main

pytestmark = pytest.mark.slow

TABLES = (
    "branches",
    "customers_served",
    "tickets",
    "survey_responses",
    "survey_scores",
    "survey_importance",
    "demo_branch_profiles",
)
PLANTED_COUNTS = {
    "high_complaints": 2,
    "low_complaints": 2,
    "survey_weak": 2,
    "improving": 1,
    "declining": 1,
    "small": 3,
}


def scalar(con, sql: str, params=None):
    return con.execute(sql, params or {}).fetchone()[0]


def distinct(con, table: str, column: str) -> set:
    # Identifiers come from the tests' own literals.
    return {r[0] for r in con.execute(f"select distinct {column} from {table}").fetchall()}


def branches_with(con, profile: str) -> set[str]:
    rows = con.execute("select branch_id from demo_branch_profiles where profile = $p", {"p": profile}).fetchall()
    return {r[0] for r in rows}


def complaint_rates(con, where: str = "true") -> pd.DataFrame:
    """Complaints and customers served per branch, straight from the base tables."""
    return con.execute(
        f"""
        with served as (select branch_id, sum(customers) as customers from customers_served
                        where {where.replace("$day", "served_on")} group by branch_id),
             complaints as (select branch_id, count(*) as complaints from tickets
                            where kind = 'complaint' and {where.replace("$day", "cast(opened_at as date)")}
                            group by branch_id)
        select p.branch_id, p.profile, s.customers, coalesce(c.complaints, 0) as complaints,
               1000.0 * coalesce(c.complaints, 0) / s.customers as per_1000
        from demo_branch_profiles p
        join served s using (branch_id)
        left join complaints c using (branch_id)
        """
    ).df()


# --- structure --------------------------------------------------------------------------------


def test_network_shape(demo_con):
    assert scalar(demo_con, "select count(*) from branches") >= 40
    assert scalar(demo_con, "select count(distinct region) from branches") >= 5
    assert distinct(demo_con, "branches", "branch_type") == {"Flagship", "Standard", "Express"}
    assert distinct(demo_con, "branches", "size_band") == {"Small", "Medium", "Large"}
    assert scalar(demo_con, "select count(*) from branches where opened_on is null") == 0
    assert scalar(demo_con, "select count(distinct name) = count(*) from branches")


def test_every_branch_has_one_profile_with_the_planted_counts(demo_con):
    counts = dict(demo_con.execute("select profile, count(*) from demo_branch_profiles group by 1").fetchall())
    n_branches = scalar(demo_con, "select count(*) from branches")
    assert {k: v for k, v in counts.items() if k != "steady"} == PLANTED_COUNTS
    assert counts["steady"] == n_branches - sum(PLANTED_COUNTS.values())
    assert scalar(demo_con, "select count(*) from branches b anti join demo_branch_profiles p using (branch_id)") == 0


def test_three_full_years(demo_con):
    first, last = demo_con.execute("select min(served_on), max(served_on) from customers_served").fetchone()
    assert (str(first), str(last)) == ("2023-01-01", "2025-12-31")
    first, last = demo_con.execute("select min(opened_at), max(opened_at) from tickets").fetchone()
    assert first.year == 2023 and first.month == 1 and first.day == 1
    assert last.year == 2025 and last.month == 12 and last.day == 31
    months = scalar(demo_con, "select count(distinct date_trunc('month', opened_at)) from tickets")
    assert months == 36
    months = scalar(demo_con, "select count(distinct date_trunc('month', submitted_at)) from survey_responses")
    assert months == 36


def test_customers_served_volumes(demo_con):
    per_day = (
        demo_con.execute(
            """select b.size_band, avg(c.customers) as mean from customers_served c join branches b using (branch_id)
           join demo_branch_profiles p using (branch_id) where p.profile <> 'small' group by 1"""
        )
        .df()
        .set_index("size_band")["mean"]
    )
    assert 30 <= per_day["Small"] < per_day["Medium"] < per_day["Large"] <= 700
    # Fewer customers on Sundays; December busier than July (seasonality).
    by_dow = dict(
        demo_con.execute("select dayofweek(served_on), sum(customers) from customers_served group by 1").fetchall()
    )
    assert by_dow[0] < 0.7 * min(v for k, v in by_dow.items() if k != 0)
    dec, jul = demo_con.execute(
        """select avg(customers) filter (where month(served_on) = 12),
                  avg(customers) filter (where month(served_on) = 7)
           from customers_served"""
    ).fetchone()
    assert dec > 1.1 * jul


# --- tickets ----------------------------------------------------------------------------------


def test_ticket_volumes_and_kinds(demo_con):
    total = scalar(demo_con, "select count(*) from tickets")
    assert 350_000 <= total <= 450_000
    shares = dict(demo_con.execute("select kind, count(*) / sum(count(*)) over () from tickets group by 1").fetchall())
    assert shares["complaint"] == pytest.approx(0.60, abs=0.03)
    assert shares["request"] == pytest.approx(0.32, abs=0.03)
    assert shares["compliment"] == pytest.approx(0.08, abs=0.02)


def test_all_channels_with_plausible_shares(demo_con):
    shares = dict(
        demo_con.execute("select channel, count(*) / sum(count(*)) over () from tickets group by 1").fetchall()
    )
    assert set(shares) == set(domain.CHANNELS)
    top_two = sorted(shares, key=shares.get, reverse=True)[:2]
    assert set(top_two) == {"Face to face", "Phone"}
    assert 0.005 <= shares["Fax"] <= 0.025


def test_categories_only_on_complaints_and_all_present_pareto_like(demo_con):
    assert scalar(demo_con, "select count(*) from tickets where kind <> 'complaint' and category is not null") == 0
    assert scalar(demo_con, "select count(*) from tickets where kind = 'complaint' and category is null") == 0
    counts = dict(
        demo_con.execute("select category, count(*) from tickets where kind = 'complaint' group by 1").fetchall()
    )
    assert set(counts) == {c.category for c in domain.COMPLAINT_CATEGORIES}
    ordered = sorted(counts.values(), reverse=True)
    assert sum(ordered[:3]) > 0.4 * sum(ordered)  # a few dominate
    assert ordered[0] > 10 * ordered[-1]


def test_priorities_segments(demo_con):
    assert distinct(demo_con, "tickets", "priority") == set(domain.PRIORITIES)
    assert distinct(demo_con, "tickets", "segment") == set(domain.SEGMENTS)
    assert distinct(demo_con, "survey_responses", "segment") == set(domain.SEGMENTS)


def test_handling_mix(demo_con):
    row = demo_con.execute(
        """
        select avg((status = 'open')::int), avg(escalated::int), avg((reopened_count = 0)::int),
               count(satisfaction) / count(*) filter (where status <> 'open')
        from tickets
        """
    ).fetchone()
    open_share, escalated, never_reopened, rated = row
    assert open_share == pytest.approx(0.03, abs=0.01)
    assert escalated == pytest.approx(0.05, abs=0.02)
    assert never_reopened > 0.85
    assert rated == pytest.approx(0.40, abs=0.03)
    # Open tickets are concentrated in the last weeks of the period.
    recent = scalar(
        demo_con,
        "select avg((opened_at >= timestamp '2025-11-01')::int) from tickets where status = 'open'",
    )
    assert recent > 0.5


def test_status_matches_timestamps(demo_con):
    assert scalar(demo_con, "select count(*) from tickets where (status = 'open') <> (resolved_at is null)") == 0
    assert scalar(demo_con, "select count(*) from tickets where status = 'open' and satisfaction is not null") == 0
    responded = "select count(*) from tickets where resolved_at is not null and first_response_at is null"
    assert scalar(demo_con, responded) == 0


def test_nothing_closes_before_it_opens(demo_con):
    assert scalar(demo_con, "select count(*) from tickets where resolved_at < opened_at") == 0
    assert scalar(demo_con, "select count(*) from tickets where first_response_at < opened_at") == 0
    assert scalar(demo_con, "select count(*) from tickets where resolved_at < first_response_at") == 0
    assert scalar(demo_con, "select count(*) from tickets where resolved_at > timestamp '2026-01-01'") == 0


def test_most_tickets_within_target_with_a_tail(demo_con):
    within = demo_con.execute(
        """
        select avg((date_diff('second', opened_at, first_response_at) <= 60 * s.first_response_minutes)::int),
               avg((date_diff('second', opened_at, resolved_at) <= 60 * s.resolution_minutes)::int)
        from tickets t join service_targets s using (channel, priority)
        where t.resolved_at is not null
        """
    ).fetchone()
    for share in within:
        assert 0.7 < share < 0.95


def test_references_are_consistent(demo_con):
    orphans = {
        "tickets": "select count(*) from tickets t anti join branches b using (branch_id)",
        "customers_served": "select count(*) from customers_served c anti join branches b using (branch_id)",
        "survey_responses": "select count(*) from survey_responses r anti join branches b using (branch_id)",
        "survey_scores": "select count(*) from survey_scores s anti join survey_responses r using (response_id)",
        "survey_importance": "select count(*) from survey_importance i "
        "anti join survey_responses r using (response_id)",
        "categories": "select count(*) from tickets t anti join complaint_categories c using (category) "
        "where t.category is not null",
        "targets": "select count(*) from tickets t anti join service_targets s using (channel, priority)",
    }
    assert {name: scalar(demo_con, sql) for name, sql in orphans.items()} == dict.fromkeys(orphans, 0)
    # Nothing happens at a branch before it opened.
    assert (
        scalar(
            demo_con,
            "select count(*) from customers_served c join branches b using (branch_id) where c.served_on < b.opened_on",
        )
        == 0
    )


# --- planted complaint rates ------------------------------------------------------------------


def test_planted_complaint_outliers_are_the_extremes(demo_con):
    rates = complaint_rates(demo_con).sort_values("per_1000")
    assert set(rates["branch_id"].tail(2)) == branches_with(demo_con, "high_complaints")
    assert set(rates["branch_id"].head(2)) == branches_with(demo_con, "low_complaints")


def test_binomial_funnel_flags_planted_outliers_and_no_steady_branch(demo_con):
    rates = complaint_rates(demo_con)
    p = rates["complaints"].sum() / rates["customers"].sum()
    z = sps.norm.ppf(0.999)  # 99.8% two-sided limits
    half = z * (p * (1 - p) / rates["customers"]) ** 0.5
    rate = rates["complaints"] / rates["customers"]
    outside = rates.loc[(rate - p).abs() > half]
    planted = branches_with(demo_con, "high_complaints") | branches_with(demo_con, "low_complaints")
    assert planted <= set(outside["branch_id"])
    assert set(outside.loc[outside["profile"] == "steady", "branch_id"]) == set()


def test_improving_and_declining_complaint_trends(demo_con):
    first = complaint_rates(demo_con, "year($day) = 2023").set_index("branch_id")["per_1000"]
    last = complaint_rates(demo_con, "year($day) = 2025").set_index("branch_id")["per_1000"]
    (improving,) = branches_with(demo_con, "improving")
    (declining,) = branches_with(demo_con, "declining")
    assert last[improving] < 0.7 * first[improving]
    assert last[declining] > 1.4 * first[declining]


# --- survey -----------------------------------------------------------------------------------


def test_survey_volume_and_small_branches(demo_con):
    assert 30_000 <= scalar(demo_con, "select count(*) from survey_responses") <= 60_000
    small = demo_con.execute(
        """select p.branch_id, count(r.response_id) from demo_branch_profiles p
           left join survey_responses r using (branch_id) where p.profile = 'small' group by 1"""
    ).fetchall()
    assert len(small) == 3
    assert all(n < 25 for _, n in small)


def test_response_fields(demo_con):
    row = demo_con.execute(
        """select avg((nps is null)::int), min(nps), max(nps), min(overall_satisfaction), max(overall_satisfaction),
                  avg((comment is null)::int), count(distinct channel)
           from survey_responses"""
    ).fetchone()
    nps_missing, nps_min, nps_max, sat_min, sat_max, no_comment, channels = row
    assert nps_missing == pytest.approx(0.05, abs=0.02)
    assert (nps_min, nps_max, sat_min, sat_max) == (0, 10, 1, 5)
    assert 0.5 < no_comment < 1
    assert channels == len(domain.CHANNELS)


def test_every_response_scores_all_items(demo_con):
    items = dict(
        demo_con.execute("select component_key, count(distinct item) from survey_scores group by 1").fetchall()
    )
    expected = {c.key: 2 for c in domain.COMPONENTS} | {"tangibles": 4, "reliability": 3}
    assert items == expected
    assert scalar(demo_con, "select count(distinct item) from survey_scores where item = 'REL1'") == 1
    per_response = demo_con.execute(
        "select min(n), max(n) from (select response_id, count(*) as n from survey_scores group by 1)"
    ).fetchone()
    assert per_response == (sum(expected.values()), sum(expected.values()))
    assert scalar(demo_con, "select count(distinct response_id) from survey_scores") == scalar(
        demo_con, "select count(*) from survey_responses"
    )
    assert scalar(demo_con, "select count(*) from survey_scores where adequate is null") == 0
    # Adequate is the minimum acceptable level: never above what the respondent expects.
    assert scalar(demo_con, "select count(*) from survey_scores where adequate > expectation") == 0
    assert scalar(demo_con, "select avg((adequate < expectation)::int) from survey_scores") > 0.95


def network_gaps(con) -> dict[str, float]:
    """Component gap = mean over respondents of (mean P over items - mean E over items)."""
    return dict(
        con.execute(
            """select component_key, avg(gap) from (
                   select response_id, component_key, avg(perception) - avg(expectation) as gap
                   from survey_scores group by 1, 2)
               group by 1"""
        ).fetchall()
    )


def test_network_gaps_match_the_spec(demo_con):
    gaps = network_gaps(demo_con)
    assert gaps["responsiveness"] < 0
    assert gaps["tangibles"] > 0
    spec = {
        "responsiveness": -1.0,
        "reliability": -0.8,
        "communication": -0.6,
        "access": -0.5,
        "tangibles": 0.3,
        "security": 0.2,
    }
    for key, value in spec.items():
        assert gaps[key] == pytest.approx(value, abs=0.15), key
    # Clear shortfalls, some near zero, some exceeded.
    assert sum(abs(g) < 0.15 for g in gaps.values()) >= 2
    assert sorted(gaps, key=gaps.get)[:2] == ["responsiveness", "reliability"]


def cronbach_alpha(items: pd.DataFrame) -> float:
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))


def test_item_reliability(demo_con):
    scores = demo_con.execute("select response_id, component_key, item, perception from survey_scores").df()
    alphas = {
        key: cronbach_alpha(part.pivot(index="response_id", columns="item", values="perception"))
        for key, part in scores.groupby("component_key")
    }
    assert alphas.pop("understanding") < 0.7
    for key, alpha in alphas.items():
        assert 0.7 <= alpha <= 0.95, (key, alpha)


def test_importance_allocations(demo_con):
    share = scalar(
        demo_con,
        "select count(distinct i.response_id) / (select count(*) from survey_responses) from survey_importance i",
    )
    assert share == pytest.approx(0.70, abs=0.05)
    totals = demo_con.execute(
        "select min(n), max(n), min(total), max(total) from "
        "(select response_id, count(*) as n, sum(points) as total from survey_importance group by 1)"
    ).fetchone()
    assert totals[:2] == (len(domain.COMPONENTS), len(domain.COMPONENTS))
    assert totals[2] == pytest.approx(100) and totals[3] == pytest.approx(100)
    mean_points = dict(
        demo_con.execute("select component_key, avg(points) from survey_importance group by 1").fetchall()
    )
    ranked = sorted(mean_points, key=mean_points.get, reverse=True)
    assert set(ranked[:2]) == {"reliability", "responsiveness"}
    assert ranked[-1] == "tangibles"


def test_survey_weak_branches_have_the_worst_gaps(demo_con):
    gaps = demo_con.execute(
        """with r as (select response_id, avg(perception - expectation) as gap from survey_scores group by 1)
           select s.branch_id, p.profile, avg(r.gap) as gap, count(*) as n
           from r join survey_responses s using (response_id) join demo_branch_profiles p using (branch_id)
           group by 1, 2"""
    ).df()
    weak = gaps[gaps["profile"] == "survey_weak"]
    steady = gaps[gaps["profile"] == "steady"]
    assert len(weak) == 2
    assert weak["gap"].max() < steady["gap"].min() - 0.2


def test_improving_and_declining_survey_trends(demo_con):
    by_year = (
        demo_con.execute(
            """with r as (select response_id, avg(perception - expectation) as gap from survey_scores group by 1)
           select p.profile, year(s.submitted_at) as y, avg(r.gap) as gap
           from r join survey_responses s using (response_id) join demo_branch_profiles p using (branch_id)
           where p.profile in ('improving', 'declining') group by 1, 2"""
        )
        .df()
        .set_index(["profile", "y"])["gap"]
    )
    assert by_year["improving", 2025] - by_year["improving", 2023] > 0.3
    assert by_year["declining", 2025] - by_year["declining", 2023] < -0.3


# --- determinism and the command line --------------------------------------------------------


def checksums(path) -> dict[str, tuple[int, int]]:
    con = store.connect_read_only(path)
    try:
        # Table names come from the constant TABLES above.
        return {t: con.execute(f"select count(*), sum(hash(x)) from {t} as x").fetchone() for t in TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def tiny_builds(tmp_path_factory):
    from servicequality import demo

    root = tmp_path_factory.mktemp("tiny")
    return [demo.build(root / name, scale="tiny", seed=seed) for name, seed in (("a", 7), ("b", 7), ("c", 8))]


def test_same_seed_same_database(tiny_builds):
    a, b, c = (checksums(p) for p in tiny_builds)
    assert all(count > 0 for count, _ in a.values())
    assert a == b
    assert a != c


def test_cli_if_missing_leaves_an_existing_file_alone(tmp_path, capsys):
    out = tmp_path / "demo.duckdb"
    out.write_bytes(b"not a database")
    assert main(["demo", "--out", str(out), "--if-missing"]) == 0
    assert out.read_bytes() == b"not a database"
    assert "exists" in capsys.readouterr().out


def test_cli_builds_and_summarises(tmp_path, capsys, tiny_builds):
    out = tmp_path / "cli.duckdb"
    assert main(["demo", "--out", str(out), "--scale", "tiny", "--seed", "7"]) == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line and "tickets" in line and " s" in line
    assert checksums(out) == checksums(tiny_builds[0])
