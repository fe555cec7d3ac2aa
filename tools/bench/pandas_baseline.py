"""The baseline: the same page results computed by plain pandas on data loaded in memory.

What a dashboard that "loads everything into pandas" does: read the tables once into
DataFrames (with the joins of the store's views done at load time, as such a dashboard would
cache them), then answer each query with boolean masks and groupby. Idiomatic, not deliberately
slow: categorical columns, vectorised masks, one groupby per result.
tests/test_bench.py checks on the fixture that every function here returns the SQL's numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from servicequality import store


@dataclass
class Frames:
    branches: pd.DataFrame
    components: pd.DataFrame
    categories: pd.DataFrame
    tickets: pd.DataFrame  # ticket_facts
    responses: pd.DataFrame  # survey_responses with branch attributes and submitted_on
    rcs: pd.DataFrame  # response_component_scores
    scores: pd.DataFrame  # survey_scores with the response's filter columns
    importance: pd.DataFrame
    served: pd.DataFrame
    table_rows: dict[str, int]


def _cat(df: pd.DataFrame, columns) -> pd.DataFrame:
    for c in columns:
        if c in df:
            df[c] = df[c].astype("category")
    return df


def load(con, *, items: bool = True) -> Frames:
    """Every table the pages read, as DataFrames; the views' joins done once here.

    Respondents are keyed by a 64-bit hash of their id (a string column of 20 million rows would
    double the memory). Without `items`, the item-level scores (46 million rows at the bench
    scale) are not loaded and component_item_variances has no pandas version.
    """
    cur = store.cursor(con)
    try:

        def df(sql: str) -> pd.DataFrame:
            return cur.execute(sql).df()

        branches = df("select branch_id, name, region, city, branch_type, size_band from branches")
        components = df("select component_key, name as component_name, rater_group, sort_order from components")
        categories = df("select category, family, component_key from complaint_categories")
        targets = df(
            "select channel, priority, first_response_minutes as frt, resolution_minutes as rt from service_targets"
        )
        tickets = df(
            "select branch_id, channel, kind, category, priority, segment, opened_at, first_response_at, "
            "resolved_at, status, reopened_count, escalated, satisfaction from tickets"
        )
        responses = df(
            "select hash(response_id) as response_id, branch_id, submitted_at, channel, segment, nps, "
            "overall_satisfaction from survey_responses"
        )
        scores = df(
            "select hash(response_id) as response_id, component_key, item, expectation, perception, adequate "
            "from survey_scores" + ("" if items else " limit 0")
        )
        rcs = df(
            "select hash(response_id) as response_id, component_key, n_items, perception, expectation, adequate, "
            "gap from response_component_scores"
        )
        importance = df("select hash(response_id) as response_id, component_key, points from survey_importance")
        served = df("select branch_id, served_on, customers from customers_served")
        table_rows = {t: int(cur.execute("select count(*) from " + t).fetchone()[0]) for t in store.CORE_TABLES}
    finally:
        cur.close()

    battrs = branches[["branch_id", "region", "branch_type", "size_band"]]
    tickets = tickets.merge(battrs, on="branch_id", how="left")
    tickets = tickets.merge(categories, on="category", how="left")
    tickets = tickets.merge(targets, on=["channel", "priority"], how="left")
    tickets["opened_on"] = tickets["opened_at"].dt.normalize()
    tickets["frm"] = (tickets["first_response_at"] - tickets["opened_at"]).dt.total_seconds() // 1 / 60.0
    tickets["rm"] = (tickets["resolved_at"] - tickets["opened_at"]).dt.total_seconds() // 1 / 60.0
    # Still open at the data's as-of time (the latest recorded moment): censored ages, and the
    # times judged against a target (an open one past its target is late).
    as_of = max(tickets[c].max() for c in ("opened_at", "first_response_at", "resolved_at") if tickets[c].notna().any())
    age = (as_of - tickets["opened_at"]).dt.total_seconds() // 1 / 60.0
    still_open = tickets["status"] == "open"
    tickets["fro"] = age.where(still_open & tickets["first_response_at"].isna())
    tickets["ro"] = age.where(still_open & tickets["resolved_at"].isna())
    tickets["frj"] = tickets["frm"].fillna(tickets["fro"].where(tickets["fro"] > tickets["frt"]))
    tickets["rj"] = tickets["rm"].fillna(tickets["ro"].where(tickets["ro"] > tickets["rt"]))
    tickets = tickets.drop(columns=["first_response_at"])
    _cat(
        tickets,
        [
            "branch_id",
            "channel",
            "kind",
            "category",
            "priority",
            "segment",
            "region",
            "branch_type",
            "size_band",
            "family",
            "component_key",
            "status",
        ],
    )

    responses = responses.merge(battrs, on="branch_id", how="left")
    responses["submitted_on"] = responses["submitted_at"].dt.normalize()
    _cat(responses, ["branch_id", "channel", "segment", "region", "branch_type", "size_band"])

    keys = ["response_id", "branch_id", "submitted_on", "channel", "segment", "region", "branch_type"]
    rcs = rcs.merge(responses[keys], on="response_id", how="inner")
    _cat(rcs, ["component_key"])
    scores = scores.merge(responses[keys], on="response_id", how="inner")
    _cat(scores, ["component_key", "item"])
    importance = importance.merge(responses[keys], on="response_id", how="inner")
    served = served.merge(battrs, on="branch_id", how="left")
    served["served_on"] = pd.to_datetime(served["served_on"])
    return Frames(branches, components, categories, tickets, responses, rcs, scores, importance, served, table_rows)


# --- filters ---------------------------------------------------------------------------------


def _mask(df: pd.DataFrame, p: dict[str, Any], date: str, dims: tuple[str, ...]) -> np.ndarray:
    start, end = pd.Timestamp(p["start"]), pd.Timestamp(p["end"])
    m = (df[date] >= start) & (df[date] <= end)
    columns = {
        "regions": "region",
        "branch_types": "branch_type",
        "branches": "branch_id",
        "channels": "channel",
        "segments": "segment",
        "categories": "category",
        "components": "component_key",
    }
    for key in dims:
        if p.get(key) is not None:
            m &= df[columns[key]].isin(p[key])
    return m.to_numpy()


BRANCH = ("regions", "branch_types", "branches")
TICKET = BRANCH + ("channels", "segments", "categories", "components")
SURVEY = BRANCH + ("channels", "segments")


def _complaints(f: Frames, p) -> pd.DataFrame:
    t = f.tickets
    return t[_mask(t, p, "opened_on", TICKET) & (t["kind"] == "complaint").to_numpy()]


def _gaps(f: Frames, p, dims=SURVEY + ("components",)) -> pd.DataFrame:
    return f.rcs[_mask(f.rcs, p, "submitted_on", dims)]


def _sd(s: pd.Series) -> float:
    return s.std(ddof=1) if len(s) > 1 else np.nan


# --- one function per query --------------------------------------------------------------------


def date_bounds(f: Frames, p) -> pd.DataFrame:
    days = [
        f.tickets["opened_on"].min(),
        f.tickets["opened_on"].max(),
        f.responses["submitted_on"].min(),
        f.responses["submitted_on"].max(),
        f.served["served_on"].min(),
        f.served["served_on"].max(),
    ]
    days = [d for d in days if pd.notna(d)]
    return pd.DataFrame({"first_day": [min(days)], "last_day": [max(days)]})


def filter_branches(f: Frames, p) -> pd.DataFrame:
    b = f.branches.rename(columns={"name": "branch_name"})
    return b.sort_values(["region", "branch_id"])[
        ["branch_id", "branch_name", "region", "city", "branch_type", "size_band"]
    ]


def filter_values(f: Frames, p) -> pd.DataFrame:
    def values(column: str) -> list[str]:
        return sorted(set(f.tickets[column].dropna().unique()) | set(f.responses[column].dropna().unique()))

    channels, segments = values("channel"), values("segment")
    return pd.DataFrame(
        {"dimension": ["channel"] * len(channels) + ["segment"] * len(segments), "value": channels + segments}
    )


def survey_summary(f: Frames, p) -> pd.DataFrame:
    r = f.responses[_mask(f.responses, p, "submitted_on", SURVEY)]
    return pd.DataFrame(
        [
            {
                "responses": len(r),
                "csat_n": r["overall_satisfaction"].count(),
                "csat_satisfied": (r["overall_satisfaction"] >= 4).sum(),
                "nps_n": r["nps"].count(),
                "promoters": (r["nps"] >= 9).sum(),
                "detractors": (r["nps"] <= 6).sum(),
            }
        ]
    )


def component_gaps(f: Frames, p) -> pd.DataFrame:
    g = (
        _gaps(f, p)
        .groupby("component_key", observed=True)
        .agg(
            n=("gap", "count"),
            mean_perception=("perception", "mean"),
            mean_expectation=("expectation", "mean"),
            mean_gap=("gap", "mean"),
            sd_gap=("gap", _sd),
            mean_adequate=("adequate", "mean"),
            n_adequate=("adequate", "count"),
        )
    )
    out = f.components.merge(g, left_on="component_key", right_index=True, how="left")
    out[["n", "n_adequate"]] = out[["n", "n_adequate"]].fillna(0).astype(int)
    return out.sort_values("sort_order")


def component_importance(f: Frames, p) -> pd.DataFrame:
    i = f.importance[_mask(f.importance, p, "submitted_on", SURVEY)]
    total = i.groupby("response_id")["points"].transform("sum")
    i = i[total > 0].assign(share=i["points"] / total)
    return i.groupby("component_key").agg(n=("share", "size"), mean_share=("share", "mean")).reset_index()


def servqual_weighted(f: Frames, p) -> pd.DataFrame:
    r = f.rcs[_mask(f.rcs, p, "submitted_on", SURVEY)][["response_id", "component_key", "gap"]]
    r = r.assign(component_key=r["component_key"].astype(str))
    i = f.importance[["response_id", "component_key", "points"]]
    m = r.merge(i.assign(component_key=i["component_key"].astype(str)), on=["response_id", "component_key"])
    total = m.groupby("response_id")["points"].transform("sum")
    m = m[total > 0]
    m = m.assign(share=m["points"] / total[total > 0])
    m = m.assign(part=m["share"] * m["gap"])
    per = m.groupby("response_id")["part"].sum()
    columns = ["component_key", "mean_weight", "contribution", "n", "score", "sd_score"]
    if per.empty:
        return pd.DataFrame(columns=columns)
    n = len(per)
    parts = m.groupby("component_key").agg(mean_weight=("share", "sum"), contribution=("part", "sum")) / n
    out = parts.reset_index().assign(n=n, score=per.mean(), sd_score=per.std())
    return out[columns].sort_values("component_key").reset_index(drop=True)


def complaint_summary(f: Frames, p) -> pd.DataFrame:
    t = f.tickets[_mask(f.tickets, p, "opened_on", TICKET)]
    s = f.served[_mask(f.served, p, "served_on", BRANCH)]
    return pd.DataFrame(
        [
            {
                "complaints": (t["kind"] == "complaint").sum(),
                "customers_served": s["customers"].sum(),
                "tickets": len(t),
                "compliments": (t["kind"] == "compliment").sum(),
            }
        ]
    )


def _median(s, q=0.5):
    s = s.dropna()
    return s.quantile(q) if len(s) else np.nan


def _km(handled: pd.Series, censored: pd.Series, q: float = 0.5) -> float:
    """The Kaplan-Meier q-quantile by scipy.stats.ecdf over right-censored data: the smallest
    handled time where the survival function is at most 1 - q (nan when it never gets there)."""
    times, ages = handled.dropna().to_numpy(float), censored.dropna().to_numpy(float)
    if not len(times):
        return np.nan
    sf = scipy_stats.ecdf(scipy_stats.CensoredData(uncensored=times, right=ages)).sf
    reached = sf.probabilities <= 1 - q + 1e-9
    return float(sf.quantiles[np.argmax(reached)]) if reached.any() else np.nan


def handling_summary(f: Frames, p) -> pd.DataFrame:
    c = _complaints(f, p)
    return pd.DataFrame(
        [
            {
                "complaints": len(c),
                "responded_n": c["frm"].count(),
                "median_first_response_minutes": _km(c["frm"], c["fro"]),
                "median_first_response_target": _median(c["frt"]),
                "first_response_within_target": (c["frj"] <= c["frt"]).sum(),
                "targeted_first_n": c["frj"][c["frt"].notna()].count(),
                "resolved_n": c["rm"].count(),
                "median_resolution_minutes": _km(c["rm"], c["ro"]),
                "median_resolution_target": _median(c["rt"]),
                "resolution_within_target": (c["rj"] <= c["rt"]).sum(),
                "targeted_resolution_n": c["rj"][c["rt"].notna()].count(),
                "p90_first_response_minutes": _km(c["frm"], c["fro"], 0.9),
                "p90_resolution_minutes": _km(c["rm"], c["ro"], 0.9),
                "awaiting_first_n": c["fro"].count(),
                "late_awaiting_first_n": (c["fro"] > c["frt"]).sum(),
                "still_open_n": c["ro"].count(),
                "late_open_n": (c["ro"] > c["rt"]).sum(),
            }
        ]
    )


def handling_quality(f: Frames, p) -> pd.DataFrame:
    c = _complaints(f, p)
    return pd.DataFrame(
        [
            {
                "complaints": len(c),
                "reopened": (c["reopened_count"] > 0).sum(),
                "reopened_n": c["reopened_count"].count(),
                "escalated": (c["escalated"] == True).sum(),  # noqa: E712 (nullable: missing is not escalated)
                "escalated_n": c["escalated"].count(),
                "satisfaction_n": c["satisfaction"].count(),
                "mean_satisfaction": c["satisfaction"].mean(),
                "satisfied": (c["satisfaction"] >= 4).sum(),
                "first_response_within_target": (c["frj"] <= c["frt"]).sum(),
                "targeted_first_n": c["frj"][c["frt"].notna()].count(),
                "resolution_within_target": (c["rj"] <= c["rt"]).sum(),
                "targeted_resolution_n": c["rj"][c["rt"].notna()].count(),
            }
        ]
    )


def handling_targets(f: Frames, p) -> pd.DataFrame:
    c = _complaints(f, p)
    c = c.assign(
        frm_t=c["frj"].where(c["frt"].notna()),
        rm_t=c["rj"].where(c["rt"].notna()),
        fr_in=(c["frj"] <= c["frt"]).astype(int),
        r_in=(c["rj"] <= c["rt"]).astype(int),
    )
    g = c.groupby(["channel", "priority"], observed=True)
    out = g.agg(
        complaints=("kind", "size"),
        first_response_target=("frt", "max"),
        resolution_target=("rt", "max"),
        responded_n=("frm", "count"),
        targeted_first_n=("frm_t", "count"),
        first_response_within_target=("fr_in", "sum"),
        resolved_n=("rm", "count"),
        targeted_resolution_n=("rm_t", "count"),
        resolution_within_target=("r_in", "sum"),
        awaiting_first_n=("fro", "count"),
        still_open_n=("ro", "count"),
    )
    times = g.apply(
        lambda d: pd.Series(
            {
                "median_first_response_minutes": _km(d["frm"], d["fro"]),
                "p90_first_response_minutes": _km(d["frm"], d["fro"], 0.9),
                "median_resolution_minutes": _km(d["rm"], d["ro"]),
                "p90_resolution_minutes": _km(d["rm"], d["ro"], 0.9),
            }
        ),
        include_groups=False,
    )
    return out.join(times).reset_index().sort_values(["channel", "priority"])


def handling_satisfaction(f: Frames, p) -> pd.DataFrame:
    c = _complaints(f, p)
    counts = c["satisfaction"].value_counts()
    return pd.DataFrame({"satisfaction": range(1, 6), "complaints": [int(counts.get(s, 0)) for s in range(1, 6)]})


def handling_backlog(f: Frames, p) -> pd.DataFrame:
    t = f.tickets
    end = pd.Timestamp(p["end"]) + pd.Timedelta(days=1)
    m = _mask(t, {**p, "start": pd.Timestamp.min, "end": pd.Timestamp.max}, "opened_on", TICKET)
    o = t[
        m
        & (t["kind"] == "complaint").to_numpy()
        & (t["opened_at"] < end).to_numpy()
        & ((t["resolved_at"] >= end) | (t["resolved_at"].isna() & (t["status"] == "open"))).to_numpy()
    ]
    age = (end - o["opened_at"]).dt.total_seconds() / 86400.0
    edges = [
        (1, "Under 1 day", 0, 1),
        (2, "1-3 days", 1, 3),
        (3, "3-7 days", 3, 7),
        (4, "7-30 days", 7, 30),
        (5, "30 days or more", 30, 1e6),
    ]
    rows = []
    for order, label, lo, hi in edges:
        inside = (age >= lo) & (age < hi)
        rows.append(
            {
                "bucket_order": order,
                "age_bucket": label,
                "open_complaints": int(inside.sum()),
                "opened_before_period": int((o["opened_at"][inside] < pd.Timestamp(p["start"])).sum()),
                "mean_age_days": age[inside].mean(),
            }
        )
    return pd.DataFrame(rows)


def _month(s: pd.Series) -> pd.Series:
    return s.dt.to_period("M").dt.to_timestamp()


def monthly_complaints(f: Frames, p) -> pd.DataFrame:
    c = _complaints(f, p)
    s = f.served[_mask(f.served, p, "served_on", BRANCH)]
    a = c.groupby(_month(c["opened_on"])).size().rename("complaints")
    b = s.groupby(_month(s["served_on"]))["customers"].sum().rename("customers_served")
    out = pd.concat([a, b], axis=1).fillna(0).astype(int).rename_axis("month").reset_index()
    return out.sort_values("month")


def _respondent_gaps(f: Frames, p, dims) -> pd.DataFrame:
    """Each respondent's mean component gap, with their branch and day."""
    g = _gaps(f, p, dims)
    gap = g.groupby("response_id", sort=False)["gap"].mean()
    who = f.responses.set_index("response_id").loc[gap.index, ["branch_id", "submitted_on"]]
    return who.assign(gap=gap.to_numpy())


def monthly_survey(f: Frames, p) -> pd.DataFrame:
    r = f.responses[_mask(f.responses, p, "submitted_on", SURVEY)]
    gaps = _respondent_gaps(f, {"start": p["start"], "end": p["end"]}, ())["gap"]
    r = r.assign(gap=r["response_id"].map(gaps), month=_month(r["submitted_on"]))
    out = r.groupby("month").agg(
        responses=("response_id", "size"),
        gap_n=("gap", "count"),
        mean_gap=("gap", "mean"),
        csat_n=("overall_satisfaction", "count"),
        csat_satisfied=("overall_satisfaction", lambda s: (s >= 4).sum()),
        nps_n=("nps", "count"),
        promoters=("nps", lambda s: (s >= 9).sum()),
        detractors=("nps", lambda s: (s <= 6).sum()),
    )
    return out.reset_index()


def branch_gaps(f: Frames, p) -> pd.DataFrame:
    g = _respondent_gaps(f, p, SURVEY + ("components",))
    out = g.groupby("branch_id", observed=True)["gap"].agg(n="count", mean_gap="mean", sd_gap=_sd).reset_index()
    out = out.merge(f.branches.rename(columns={"name": "branch_name"})[["branch_id", "branch_name", "region"]])
    return out[["branch_id", "branch_name", "region", "n", "mean_gap", "sd_gap"]].sort_values("branch_id")


def _component_by(f: Frames, p, keys, key_names) -> pd.DataFrame:
    g = _gaps(f, p)
    out = g.groupby([*keys, "component_key"], observed=True)["gap"].agg(n="count", mean_gap="mean", sd_gap=_sd)
    out = out.reset_index().rename(columns=dict(zip(keys, key_names)))
    return out.merge(f.components, on="component_key")


def component_gap_monthly(f: Frames, p) -> pd.DataFrame:
    g = _gaps(f, p)
    g = g.assign(period=_month(g["submitted_on"]))
    out = g.groupby(["period", "component_key"], observed=True)["gap"].agg(n="count", mean_gap="mean", sd_gap=_sd)
    out = out.reset_index().merge(f.components, on="component_key")
    return out.sort_values(["period", "sort_order"])


def component_branch_gaps(f: Frames, p) -> pd.DataFrame:
    out = _component_by(f, p, ["branch_id"], ["branch_id"])
    out = out.merge(f.branches.rename(columns={"name": "branch_name"})[["branch_id", "branch_name", "region"]])
    return out.sort_values(["region", "branch_id", "sort_order"])


def component_tolerance_zone(f: Frames, p) -> pd.DataFrame:
    g = _gaps(f, p)
    g = g[g["adequate"].notna()]
    g = g.assign(msa=g["perception"] - g["adequate"], mss=g["perception"] - g["expectation"])
    out = (
        g.groupby("component_key", observed=True)
        .agg(
            n=("gap", "size"),
            mean_adequate=("adequate", "mean"),
            mean_desired=("expectation", "mean"),
            mean_perception=("perception", "mean"),
            mean_msa=("msa", "mean"),
            sd_msa=("msa", _sd),
            mean_mss=("mss", "mean"),
            sd_mss=("mss", _sd),
        )
        .reset_index()
    )
    out = out.merge(f.components, on="component_key")
    return out.sort_values("sort_order")


def component_item_variances(f: Frames, p) -> pd.DataFrame:
    s = f.scores[_mask(f.scores, p, "submitted_on", SURVEY)]
    s = s.assign(gap=s["perception"] - s["expectation"])
    k = s.groupby("component_key", observed=True)["item"].nunique()
    per = s.groupby(["response_id", "component_key"], observed=True).agg(
        n_items=("item", "size"),
        perception=("perception", "sum"),
        expectation=("expectation", "sum"),
        gap=("gap", "sum"),
    )
    per = per.reset_index()
    complete = per[per["n_items"] == per["component_key"].map(k).astype(int)]
    items = s.merge(complete[["response_id", "component_key"]], on=["response_id", "component_key"])
    iv = (
        items.groupby(["component_key", "item"], observed=True)[["perception", "expectation", "gap"]]
        .var()
        .groupby("component_key", observed=True)
        .sum()
    )
    tv = complete.groupby("component_key", observed=True)[["perception", "expectation", "gap"]].var()
    rows = []
    for c in f.components.sort_values("sort_order").itertuples():
        key = c.component_key
        rows.append(
            {
                "component_key": key,
                "component_name": c.component_name,
                "sort_order": c.sort_order,
                "k": int(k.get(key, 0)),
                "n_answered": int((per["component_key"] == key).sum()),
                "n_complete": int((complete["component_key"] == key).sum()),
                "perception_item_var": iv.loc[key, "perception"] if key in iv.index else np.nan,
                "perception_total_var": tv.loc[key, "perception"] if key in tv.index else np.nan,
                "expectation_item_var": iv.loc[key, "expectation"] if key in iv.index else np.nan,
                "expectation_total_var": tv.loc[key, "expectation"] if key in tv.index else np.nan,
                "gap_item_var": iv.loc[key, "gap"] if key in iv.index else np.nan,
                "gap_total_var": tv.loc[key, "gap"] if key in tv.index else np.nan,
            }
        )
    return pd.DataFrame(rows)


def component_complaints(f: Frames, p) -> pd.DataFrame:
    c = _complaints(f, p)
    per = c["component_key"].value_counts()
    out = f.components[["component_key", "component_name", "sort_order"]].copy()
    out["complaints"] = [int(per.get(k, 0)) for k in out["component_key"]]
    out["complaints_mapped"] = int(c["component_key"].count())
    out["complaints_all"] = len(c)
    return out.sort_values("sort_order")


def complaint_pareto(f: Frames, p) -> pd.DataFrame:
    c = _complaints(f, p)
    names = dict(zip(f.components["component_key"], f.components["component_name"]))
    c = pd.DataFrame(
        {
            "category": c["category"].astype(object).fillna("Unmapped"),
            "family": c["family"].astype(object).fillna("unmapped"),
            "component_key": c["component_key"].astype(object).fillna("unmapped"),
        }
    )
    c["component_name"] = c["component_key"].map(names).fillna("Unmapped")
    out = c.value_counts().rename("complaints").reset_index()
    return out.sort_values(["complaints", "category"], ascending=[False, True])


def complaint_channels(f: Frames, p) -> pd.DataFrame:
    t = f.tickets[_mask(f.tickets, p, "opened_on", TICKET)]
    is_c = t["kind"] == "complaint"
    t = t.assign(
        complaint=is_c.astype(int),
        product=(is_c & (t["family"] == "product")).astype(int),
        service=(is_c & (t["family"] == "service")).astype(int),
    )
    out = t.groupby("channel", observed=True).agg(
        tickets=("kind", "size"),
        complaints=("complaint", "sum"),
        product_complaints=("product", "sum"),
        service_complaints=("service", "sum"),
    )
    return out.reset_index().sort_values(["complaints", "channel"], ascending=[False, True])


def complaint_monthly_family(f: Frames, p) -> pd.DataFrame:
    c = _complaints(f, p)
    out = c.groupby(
        [_month(c["opened_on"]).rename("month"), c["family"].astype(object).fillna("unmapped").rename("family")]
    ).size()
    return out.rename("complaints").reset_index().sort_values(["month", "family"])


def _branch_counts(f: Frames, p, by_month: bool) -> pd.DataFrame:
    """consistency_branch_measures / _months: every count per branch (and month)."""
    keys = ["branch_id"] + (["month"] if by_month else [])
    narrow = {k: v for k, v in p.items() if k not in BRANCH}
    s = f.served[_mask(f.served, narrow, "served_on", ())].assign(month=lambda d: _month(d["served_on"]))
    c = _complaints(f, narrow).assign(month=lambda d: _month(d["opened_on"]))
    c = c.assign(rt_n=c["rj"].where(c["rt"].notna()), within=(c["rj"] <= c["rt"]).astype(int))
    t = f.tickets[_mask(f.tickets, narrow, "opened_on", TICKET)]
    praise = t[t["kind"] == "compliment"].assign(month=lambda d: _month(d["opened_on"]))
    r = f.responses[_mask(f.responses, narrow, "submitted_on", ("channels", "segments"))]
    r = r.assign(month=_month(r["submitted_on"]), sat=(r["overall_satisfaction"] >= 4).fillna(False).astype(int))
    g = _respondent_gaps(f, narrow, ("channels", "segments", "components")).assign(
        month=lambda d: _month(d["submitted_on"])
    )
    parts = [
        s.groupby(keys, observed=True)["customers"].sum().rename("customers_served"),
        c.groupby(keys, observed=True).agg(
            complaints=("kind", "size"),
            targeted_resolution_n=("rt_n", "count"),
            resolution_within_target=("within", "sum"),
        ),
        praise.groupby(keys, observed=True).size().rename("compliments"),
        r.groupby(keys, observed=True).agg(csat_n=("overall_satisfaction", "count"), csat_satisfied=("sat", "sum")),
        g.groupby(keys, observed=True)["gap"].agg(gap_n="count", mean_gap="mean", sd_gap=_sd),
    ]
    return pd.concat(parts, axis=1)


def _branch_list(f: Frames, p) -> pd.DataFrame:
    b = f.branches.rename(columns={"name": "branch_name"})
    m = np.ones(len(b), bool)
    for key, col in (("regions", "region"), ("branch_types", "branch_type"), ("branches", "branch_id")):
        if p.get(key) is not None:
            m &= b[col].isin(p[key]).to_numpy()
    return b[m]


COUNTS = [
    "customers_served",
    "complaints",
    "compliments",
    "feedback_n",
    "targeted_resolution_n",
    "resolution_within_target",
    "csat_n",
    "csat_satisfied",
    "gap_n",
]


def _fill_counts(df: pd.DataFrame) -> pd.DataFrame:
    df["feedback_n"] = df["complaints"].fillna(0) + df["compliments"].fillna(0)
    for column in COUNTS:
        df[column] = pd.to_numeric(df[column], errors="coerce").astype("Float64").fillna(0).astype("int64")
    return df


def consistency_branch_measures(f: Frames, p) -> pd.DataFrame:
    counts = _branch_counts(f, p, by_month=False)
    bl = _branch_list(f, p)[["branch_id", "branch_name", "region", "branch_type", "size_band"]]
    out = bl.merge(counts, left_on="branch_id", right_index=True, how="left")
    return _fill_counts(out).sort_values("branch_id")


def consistency_branch_months(f: Frames, p) -> pd.DataFrame:
    counts = _branch_counts(f, p, by_month=True).reset_index()
    counts = counts[counts["branch_id"].isin(_branch_list(f, p)["branch_id"])]
    return _fill_counts(counts).sort_values(["branch_id", "month"])


def consistency_gap_rank_sums(f: Frames, p) -> pd.DataFrame:
    g = _respondent_gaps(f, p, SURVEY + ("components",))
    g = g.assign(rank=g["gap"].round(9).rank(method="average"))
    t = g["gap"].round(9).value_counts().astype(float)
    return (
        g.groupby("branch_id", observed=True)["rank"]
        .agg(n="count", rank_sum="sum")
        .reset_index()
        .sort_values("branch_id")
        .assign(tie_sum=float((t**3 - t).sum()))
    )


def store_counts(f: Frames) -> pd.DataFrame:
    return pd.DataFrame(list(f.table_rows.items()), columns=["table", "rows"])


QUERIES: dict[str, Callable[[Frames, dict], pd.DataFrame]] = {
    name: fn
    for name, fn in globals().items()
    if callable(fn)
    and not name.startswith("_")
    and name not in {"load", "store_counts", "dataclass", "Frames"}
    and getattr(fn, "__module__", None) == __name__
}


def run(frames: Frames, name: str, params: dict[str, Any]) -> pd.DataFrame | None:
    """The pandas result for a recorded call; None when there is no pandas version of it."""
    fn = QUERIES.get(name)
    return None if fn is None else fn(frames, params)
