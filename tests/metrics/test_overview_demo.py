"""The overview's numbers equal a direct SQL computation over the demo's raw tables.

The expected values below are computed here from the base tables (tickets, survey_scores,
survey_responses, survey_importance, customers_served, service_targets) without the project's
views or queries, then compared with overview.headline and with what the page shows.
"""

import datetime as dt

import numpy as np
import pytest
from scipy import stats as scipy_stats
from streamlit.testing.v1 import AppTest

from servicequality import store
from servicequality.filters import Filters
from servicequality.metrics import overview
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

YEAR = Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
NORTH_PHONE = Filters(dt.date(2024, 7, 1), dt.date(2025, 6, 30), regions=("North",), channels=("Phone",))


def direct(con, f: Filters) -> dict:
    """Headline numbers straight from the base tables, written independently of queries/."""
    # Constant SQL fragments spliced for brevity; every value is still a bound $parameter.
    region_ok = "(cast($regions as varchar[]) is null or list_contains($regions, b.region))"
    channel_ok = "(cast($channels as varchar[]) is null or list_contains($channels, {col}))"
    p = {"start": f.start, "end": f.end, "regions": list(f.regions) or None, "channels": list(f.channels) or None}
    comp = con.execute(
        f"""
        with per_respondent as (
            select s.response_id, s.component_key, avg(s.perception) - avg(s.expectation) as gap
            from survey_scores s join survey_responses r using (response_id) join branches b using (branch_id)
            where cast(r.submitted_at as date) between $start and $end and {region_ok}
              and {channel_ok.format(col="r.channel")}
            group by s.response_id, s.component_key
        )
        select component_key, avg(gap), count(*) from per_respondent group by component_key
        """,
        p,
    ).fetchall()
    gaps = {k: g for k, g, _ in comp}
    # The weighted score respondent by respondent, in pandas: each respondent's gaps weighted by
    # their own points, normalised over the components that have both, then averaged.
    pairs = con.execute(
        f"""
        select s.response_id, s.component_key, avg(s.perception) - avg(s.expectation) as gap,
               any_value(i.points) as points
        from survey_scores s join survey_responses r using (response_id) join branches b using (branch_id)
        join survey_importance i on i.response_id = s.response_id and i.component_key = s.component_key
        where cast(r.submitted_at as date) between $start and $end and {region_ok}
          and {channel_ok.format(col="r.channel")}
        group by s.response_id, s.component_key
        """,
        p,
    ).df()
    pairs["share"] = pairs["points"] / pairs.groupby("response_id")["points"].transform("sum")
    per_respondent = (pairs["share"] * pairs["gap"]).groupby(pairs["response_id"]).sum()
    per_respondent = per_respondent[pairs.groupby("response_id")["points"].sum() > 0]
    survey = con.execute(
        f"""
        select avg(case when overall_satisfaction >= 4 then 1.0 when overall_satisfaction is not null then 0.0 end),
               100.0 * (count(*) filter (where nps >= 9) - count(*) filter (where nps <= 6)) / count(nps)
        from survey_responses r join branches b using (branch_id)
        where cast(r.submitted_at as date) between $start and $end and {region_ok}
          and {channel_ok.format(col="r.channel")}
        """,
        p,
    ).fetchone()
    complaints = con.execute(
        f"""
        select count(*) from tickets t join branches b using (branch_id)
        where t.kind = 'complaint' and cast(t.opened_at as date) between $start and $end and {region_ok}
          and {channel_ok.format(col="t.channel")}
        """,
        p,
    ).fetchone()[0]
    served = con.execute(
        f"""
        select sum(customers) from customers_served c join branches b using (branch_id)
        where c.served_on between $start and $end and {region_ok}
        """,
        {k: p[k] for k in ("start", "end", "regions")},
    ).fetchone()[0]
    # Handling: a complaint still open is censored at its age on the data's last recorded moment
    # (Kaplan-Meier medians by scipy.stats.ecdf) and, once past its target, counts as late.
    as_of = con.execute(
        "select greatest(max(opened_at), max(first_response_at), max(resolved_at)) from tickets"
    ).fetchone()[0]
    c = con.execute(
        f"""
        select epoch(t.first_response_at - t.opened_at) / 60 as fr, epoch(t.resolved_at - t.opened_at) / 60 as rs,
               case when t.status = 'open' then epoch($as_of - t.opened_at) / 60 end as age,
               g.first_response_minutes as fr_target, g.resolution_minutes as rs_target
        from tickets t join branches b using (branch_id)
        left join service_targets g on g.channel = t.channel and g.priority = t.priority
        where t.kind = 'complaint' and cast(t.opened_at as date) between $start and $end and {region_ok}
          and {channel_ok.format(col="t.channel")}
        """,
        {**p, "as_of": as_of},
    ).df()

    def km_median(times, ages):
        sf = scipy_stats.ecdf(scipy_stats.CensoredData(uncensored=times.dropna(), right=ages.dropna())).sf
        return sf.quantiles[np.argmax(sf.probabilities <= 0.5 + 1e-9)]

    def within(times, targets):
        open_ages = c["age"].where(times.isna())
        judged = times.fillna(open_ages.where(open_ages > targets))[targets.notna()].dropna()
        return (judged <= targets[judged.index]).mean()

    handling = (
        km_median(c["fr"], c["age"].where(c["fr"].isna())),
        km_median(c["rs"], c["age"].where(c["rs"].isna())),
        within(c["fr"], c["fr_target"]),
        within(c["rs"], c["rs_target"]),
    )
    return {
        "unweighted": sum(gaps.values()) / len(gaps),
        "weighted": float(per_respondent.mean()),
        "csat": survey[0],
        "nps": survey[1],
        "complaint_rate": 1000 * complaints / served,
        "median_first_response": handling[0],
        "median_resolution": handling[1],
        "first_within": handling[2],
        "resolution_within": handling[3],
    }


@pytest.mark.parametrize("filters", [YEAR, NORTH_PHONE], ids=["2025", "north-phone"])
def test_headline_equals_direct_sql(demo_con, filters):
    expected = direct(demo_con, filters)
    got = overview.headline(lambda name, f: store.run_query(demo_con, name, f.params()), filters)
    assert got.servqual_unweighted == pytest.approx(expected["unweighted"])
    assert got.servqual_weighted == pytest.approx(expected["weighted"])
    assert got.csat == pytest.approx(expected["csat"])
    assert got.nps == pytest.approx(expected["nps"])
    assert got.complaint_rate == pytest.approx(expected["complaint_rate"])
    assert got.median_first_response == pytest.approx(expected["median_first_response"])
    assert got.median_resolution == pytest.approx(expected["median_resolution"])
    assert got.first_response_within == pytest.approx(expected["first_within"])
    assert got.resolution_within == pytest.approx(expected["resolution_within"])


def test_overview_page_shows_the_direct_numbers(monkeypatch, demo_db_path, demo_con):
    expected = direct(demo_con, YEAR)
    monkeypatch.setenv("SQ_DATABASE", str(demo_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["period"] = ["2025-01-01", "2025-12-31"]
    at.run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["SERVQUAL score (unweighted)"] == f"{expected['unweighted']:,.2f}"
    assert shown["SERVQUAL score (weighted)"] == f"{expected['weighted']:,.2f}"
    assert shown["CSAT (satisfied, 4-5 of 5)"] == f"{100 * expected['csat']:,.1f} %"
    assert shown["Net Promoter Score"] == f"{expected['nps']:,.1f}"
    assert shown["Complaints per 1,000 served"] == f"{expected['complaint_rate']:,.2f}"
