"""Customers who come back: from the customer queries' rows to return rates, reputation and the
recovery comparison a page shows (values, 95 % intervals, n, plain words).

Pure: the query rows come in (queries/customer_returns.sql, complaint_recovery.sql,
complaint_summary.sql, consistency_branch_measures.sql), the statistics are in stats (Wilson,
Mantel-Haenszel, Kaplan-Meier).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from servicequality import stats
from servicequality.filters import Filters
from servicequality.metrics import formats
from servicequality.metrics.overview import change_delta
from servicequality.stats.changes import Change, proportion_change
from servicequality.stats.stratified import mantel_haenszel_risk_difference
from servicequality.stats.survival import kaplan_meier

# How a complaint was handled (queries/complaint_recovery.sql), in the page's order; 'none'
# is the reference group, customers who had not complained.
OUTCOMES: dict[str, str] = {
    "none": "Had not complained",
    "within_target": "Complaint resolved within target",
    "late": "Complaint resolved late",
    "open": "Complaint still open",
    "escalated": "Complaint escalated",
    "reopened": "Complaint reopened",
    "no_target": "Complaint closed, not judged against a target",
}
REFERENCE = "none"
# in words after "customers whose complaint was ..."
OUTCOME_WORDS = {
    "within_target": "resolved within target",
    "late": "resolved late",
    "open": "still open",
    "escalated": "escalated",
    "reopened": "reopened",
    "no_target": "closed without a target or a resolution time to judge",
}

NO_CUSTOMERS = (
    "No identified customers in this store: the return rate and recovery after complaints need a "
    "customer key. Import visits (`python -m servicequality import visits FILE --mapping M`), or tickets "
    "whose mapping names a customer column, to see them."
)

RETURN_FORMULA = (
    "Return rate = customers who visited again, on a later day and at any branch, within {days} days ÷ "
    "customers judged. Each customer counts once, at their first visit in the period that the filters "
    "match (its branch and month). A customer is judged when their {days}-day window ended by the last "
    "visit day the store holds; customers seen later could still come back and are left out. "
    "95 % Wilson interval."
)
REPUTATION_FORMULA = (
    "Reputation = compliments ÷ (compliments + complaints) among the tickets opened in the period: the "
    "share of customers' unprompted feedback that is praise. 95 % Wilson interval. A category or "
    "component filter leaves no compliments (they have no category)."
)
RECOVERY_FORMULA = (
    "Each identified customer with a visit on record is placed by their first event in the period. A customer "
    "whose first event is a complaint joins the group of how it was handled (in this order: still open, "
    "escalated, reopened, resolved late, resolved within target, closed with no target or resolution time to "
    "judge), from the complaint's opening day; a customer whose first event is a visit, with no complaint of "
    "theirs on or before that day, is one who had not complained, from that visit (a later complaint does not "
    "move them: choosing by what happened later would bias the comparison). Returned: a visit on a later day "
    "within {days} days. The difference from customers who had not complained is a Mantel-Haenszel risk "
    "difference over {adjusted_for} strata (Sato's variance): each group is compared with customers of the "
    "same {adjusted_for}, so a branch or a segment with more complaints does not explain it. "
    "This is an association, not proof of cause: customers who were going to leave anyway may complain "
    "more, and what the data does not record (the customer's history, the size of the problem) is not "
    "adjusted for."
)


class Share(NamedTuple):
    """A share with its Wilson interval: events of n, as a fraction."""

    events: int
    n: int
    value: float
    low: float
    high: float


def share(events: float, n: float) -> Share:
    events, n = int(events or 0), int(n or 0)
    if n == 0:
        return Share(events, 0, math.nan, math.nan, math.nan)
    interval = stats.wilson_interval(events, n)
    return Share(events, n, events / n, interval.low, interval.high)


class Returns(NamedTuple):
    customers: int
    rate: Share  # returned of judged
    not_judged: int  # customers whose window had not closed


def returns(rows: pd.DataFrame) -> Returns:
    """The return rate over every row of customer_returns."""
    customers = int(rows["customers"].sum()) if len(rows) else 0
    judged = int(rows["judged"].sum()) if len(rows) else 0
    returned = int(rows["returned"].sum()) if len(rows) else 0
    return Returns(customers, share(returned, judged), customers - judged)


def comparable_previous(filters: Filters, as_of: dt.date | None) -> Filters:
    """The period before, cut at its end by as many days as this period's end lies past the last day
    whose window has closed (as_of − return_days): both then count customers first seen in a stretch
    of the same length from their period's start, all of whom can be judged. Without the cut the
    previous period would also hold the customers first seen in its last weeks, who tend to be the
    ones who visit seldom (a frequent visitor is seen early), and the comparison would be biased."""
    previous = filters.previous_period()
    if as_of is None or pd.isna(as_of):
        return previous
    last_judged = pd.Timestamp(as_of).date() - dt.timedelta(days=filters.return_days)
    cut = (filters.end - last_judged).days
    if cut <= 0:
        return previous
    return replace(previous, end=max(previous.start, previous.end - dt.timedelta(days=cut)))


def comparable_words(filters: Filters, last_visit: dt.date | None) -> str:
    """The caption's words on which customers the return rate compares (comparable_previous), after
    "Changes compare with ...": the days whose customers can be judged, against the same stretch of
    the period before ("the stretch of it whose customers can be judged" named no day: the support
    purchases' October compared 1 Oct with 1 Sep only); "" when every customer can be judged."""
    if last_visit is None or pd.isna(last_visit):
        return ""
    last_judged = pd.Timestamp(last_visit).date() - dt.timedelta(days=filters.return_days)
    if last_judged >= filters.end:
        return ""
    if last_judged < filters.start:
        return "; no customer of this period can be judged yet for the return rate"
    before = comparable_previous(filters, last_visit)
    return (
        f"; the return rate compares customers first seen {formats.fmt_span(filters.start, last_judged)} with "
        f"{formats.fmt_span(before.start, before.end)}"
    )


def as_of(rows: pd.DataFrame) -> dt.date | None:
    """The last visit day the store holds, from customer_returns' rows (None without rows)."""
    return pd.Timestamp(rows["as_of"].iloc[0]).date() if len(rows) and "as_of" in rows else None


def referrals_in_words(rows: pd.DataFrame) -> str | None:
    """How many of the customers' first visits in the period came on a referral, with its Wilson
    interval; None when the visits do not record it."""
    if rows.empty or "referred_n" not in rows or not rows["referred_n"].sum():
        return None
    s = share(rows["referred"].sum(), rows["referred_n"].sum())
    return (
        f"**Referrals:** {100 * s.value:.1f} % of the customers' first visits in the period came on a referral "
        f"(95 % interval {100 * s.low:.1f} to {100 * s.high:.1f} %; {s.events:,} of {s.n:,} visits that record it)."
    )


def return_change(current: pd.DataFrame, previous: pd.DataFrame) -> Change | None:
    """The return rate now against the period before (a two-proportion z test); None without both."""
    now, before = returns(current).rate, returns(previous).rate
    if not now.n or not before.n:
        return None
    return proportion_change(now.events, now.n, before.events, before.n)


def reputation(compliments: float, complaints: float) -> Share:
    """Compliments ÷ (compliments + complaints), with its Wilson interval."""
    compliments = int(compliments or 0)
    return share(compliments, compliments + int(complaints or 0))


def reputation_change(current: pd.Series, previous: pd.Series) -> Change | None:
    now = reputation(current["compliments"], current["complaints"])
    before = reputation(previous["compliments"], previous["complaints"])
    if not now.n or not before.n:
        return None
    return proportion_change(now.events, now.n, before.events, before.n)


class Recovery(NamedTuple):
    table: pd.DataFrame  # one row per outcome group present, in OUTCOMES order
    reference: Share  # customers who had not complained
    adjusted_for: str = "branch and segment"  # or "branch", when the groups share no recorded segment


class RecoveryRows(NamedTuple):
    strata: pd.DataFrame  # outcome, branch_id, segment, customers, judged, returned
    times: pd.DataFrame  # outcome, days, back, censored


def recovery_rows(rows: pd.DataFrame) -> RecoveryRows:
    """The two parts of queries/complaint_recovery.sql's rows, each with its own columns as integers:
    per outcome, branch and segment (for `recovery`), and per outcome and day (for `recovery_curves`)."""
    strata = rows[rows["part"] == "stratum"]
    times = rows[rows["part"] == "day"]
    counts = ["customers", "judged", "returned"]
    return RecoveryRows(
        strata[["outcome", "branch_id", "segment", *counts]]
        .astype({c: "int64" for c in counts})
        .reset_index(drop=True),
        times[["outcome", "days", "back", "censored"]]
        .astype({c: "int64" for c in ("days", "back", "censored")})
        .reset_index(drop=True),
    )


def recovery(rows: pd.DataFrame) -> Recovery:
    """Per outcome: customers, judged, returned, the return rate with its interval, and the difference
    from customers who had not complained, crude and adjusted for branch x segment (Mantel-Haenszel),
    in points. Columns: outcome, group, customers, judged, returned, rate, ci_low, ci_high (percent),
    crude, adjusted, adjusted_low, adjusted_high (points), strata."""
    # Strata: branch x segment, or the branch alone when the two sides share no recorded segment (visits
    # that do not record one are "Not recorded"; tickets always name one): no stratum would hold both.
    mine = set(rows.loc[rows["outcome"] != REFERENCE, "segment"])
    theirs = set(rows.loc[rows["outcome"] == REFERENCE, "segment"])
    by_segment = bool((mine & theirs) - {"Not recorded"})
    stratum = rows["branch_id"].astype(str)
    if by_segment:
        stratum = stratum + "\x1f" + rows["segment"].astype(str)
    rows = rows.assign(stratum=stratum)
    ref_rows = rows[rows["outcome"] == REFERENCE].set_index("stratum")
    reference = share(ref_rows["returned"].sum(), ref_rows["judged"].sum())
    out = []
    for outcome, label in OUTCOMES.items():
        group = rows[rows["outcome"] == outcome]
        if group.empty:
            continue
        rate = share(group["returned"].sum(), group["judged"].sum())
        record = {
            "outcome": outcome,
            "group": label,
            "customers": int(group["customers"].sum()),
            "judged": rate.n,
            "returned": rate.events,
            "rate": 100 * rate.value,
            "ci_low": 100 * rate.low,
            "ci_high": 100 * rate.high,
            "crude": math.nan,
            "adjusted": math.nan,
            "adjusted_low": math.nan,
            "adjusted_high": math.nan,
            "strata": 0,
        }
        if outcome != REFERENCE and rate.n and reference.n:
            by_stratum = group.groupby("stratum")[["returned", "judged"]].sum()
            strata = by_stratum.index.union(ref_rows.index)
            mine = by_stratum.reindex(strata, fill_value=0)
            ref = ref_rows[["returned", "judged"]].groupby(level=0).sum().reindex(strata, fill_value=0)
            rd = mantel_haenszel_risk_difference(mine["returned"], mine["judged"], ref["returned"], ref["judged"])
            record |= {
                "crude": 100 * (rate.value - reference.value),
                "adjusted": 100 * rd.difference,
                "adjusted_low": 100 * rd.low,
                "adjusted_high": 100 * rd.high,
                "strata": rd.strata,
            }
        out.append(record)
    return Recovery(pd.DataFrame(out), reference, "branch and segment" if by_segment else "branch")


def recovery_table(table: pd.DataFrame) -> pd.DataFrame:
    """The recovery groups as a table for people: counts, the return rate with its interval, and the
    differences from customers who had not complained (crude; adjusted, with its interval) in signed
    points, "reference" on their own row."""

    def signed(value: float) -> str:
        return "–" if not np.isfinite(value) else f"{value:+.1f}".replace("-", "−")

    reference = table["outcome"] == REFERENCE
    return pd.DataFrame(
        {
            "Group": table["group"],
            "customers": table["customers"],
            "judged": table["judged"],
            "returned": table["returned"],
            "Return rate (95% interval)": [
                f"{r:.1f} % ({lo:.1f} to {hi:.1f})" if np.isfinite(r) else "–"
                for r, lo, hi in zip(table["rate"], table["ci_low"], table["ci_high"], strict=True)
            ],
            "Crude difference (points)": [
                "reference" if ref else signed(v) for ref, v in zip(reference, table["crude"], strict=True)
            ],
            "Adjusted difference (95% interval)": [
                "reference" if ref else f"{signed(v)} ({signed(lo)} to {signed(hi)})" if np.isfinite(v) else "–"
                for ref, v, lo, hi in zip(
                    reference, table["adjusted"], table["adjusted_low"], table["adjusted_high"], strict=True
                )
            ],
        }
    )


def recovery_in_words(row: pd.Series) -> str:
    """One plain sentence for an outcome group's adjusted difference from customers who had not
    complained, e.g. "Customers whose complaint was resolved late came back 12.3 points less often
    than customers who had not complained (95 % interval 8.1 to 16.4 points)"."""
    what = OUTCOME_WORDS.get(row["outcome"], str(row["group"]).lower())
    if not np.isfinite(row["adjusted"]):
        return (
            f"Customers whose complaint was {what}: too few in strata shared with customers who had not complained "
            "to compare."
        )
    low, high = row["adjusted_low"], row["adjusted_high"]
    size = abs(row["adjusted"])
    if low <= 0 <= high:
        return (
            f"Customers whose complaint was {what} came back about as often as customers who had not complained "
            f"(difference {_points(row['adjusted'])}, 95 % interval {_points(low)} to {_points(high)}: within noise)."
        )
    direction = "less" if row["adjusted"] < 0 else "more"
    return (
        f"Customers whose complaint was {what} came back {size:.1f} points {direction} often than customers "
        f"who had not complained (95 % interval {abs(high if direction == 'less' else low):.1f} to "
        f"{abs(low if direction == 'less' else high):.1f} points; {int(row['judged']):,} customers)."
    )


def _points(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−") + " points"


def recovery_curves(times: pd.DataFrame, horizon: int = 365) -> pd.DataFrame:
    """Per outcome group, the Kaplan-Meier share of customers back by day t (1 − S(t), percent), up to
    `horizon` days, from the counts per day (`recovery_rows(...).times`: outcome, days, back, censored):
    columns outcome, group, days, back, at_risk. A step at every day with a return."""
    out = []
    for outcome, label in OUTCOMES.items():
        group = times[times["outcome"] == outcome]
        if group.empty:
            continue
        curve = kaplan_meier(group["days"], group["back"], group["censored"])
        curve = curve[curve["time"] <= horizon]
        size = float(group["back"].sum() + group["censored"].sum())
        start = pd.DataFrame({"time": [0.0], "survival": [1.0], "at_risk": [size]})
        curve = pd.concat([start, curve[["time", "survival", "at_risk"]]], ignore_index=True)
        out.append(
            pd.DataFrame(
                {
                    "outcome": outcome,
                    "group": label,
                    "days": curve["time"].to_numpy(),
                    "back": 100 * (1 - curve["survival"].to_numpy()),
                    "at_risk": curve["at_risk"].to_numpy(),
                }
            )
        )
    return (
        pd.concat(out, ignore_index=True)
        if out
        else pd.DataFrame(columns=["outcome", "group", "days", "back", "at_risk"])
    )


def headline_tiles(run, filters: Filters, contents: pd.Series) -> list[formats.Tile]:
    """The return rate and reputation tiles for `filters` (run: a query runner, e.g. ui.query), each
    against the period before; the return rate's against the comparable stretch of it
    (comparable_previous)."""
    previous = filters.previous_period()
    returns_now = returns_before = pd.DataFrame()
    if contents["has_visits"]:
        returns_now = run("customer_returns", filters)
        returns_before = run("customer_returns", comparable_previous(filters, as_of(returns_now)))
    summary_now = run("complaint_summary", filters).iloc[0]
    summary_before = run("complaint_summary", previous).iloc[0]
    narrow = bool(filters.categories or filters.components)
    return tiles(contents, returns_now, returns_before, summary_now, summary_before, filters.return_days, narrow)


def _returned_words(returned: int, judged: int, not_judged: int, return_days: int) -> str:
    """The return rate's n: "1,203 of 4,010 customers came back; 312 seen too recently to judge". With
    none judged, why ("0 of 0 customers came back; 12,141 seen too recently" on a period that ends
    within the return window of the data's last visit)."""
    if not judged:
        if not_judged:
            return (
                f"all {not_judged:,} customers seen within {return_days} days of the data's last visit: too "
                "recent to judge"
            )
        return "no identified customer visited in this filter"
    return f"{returned:,} of {judged:,} customers came back" + (
        f"; {not_judged:,} seen too recently to judge" if not_judged else ""
    )


def tiles(
    contents: pd.Series,
    returns_now: pd.DataFrame,
    returns_before: pd.DataFrame,
    summary_now: pd.Series,
    summary_before: pd.Series,
    return_days: int,
    filters_narrow_tickets: bool = False,
) -> list[formats.Tile]:
    """The return rate and reputation tiles, each with its n and its change against the previous
    period (coloured only beyond sampling noise). A store without visits or compliments says what
    is missing instead of a number."""
    out = []
    if contents["has_visits"]:
        now = returns(returns_now)
        delta = change_delta(
            {"return_rate": return_change(returns_now, returns_before) or _NO_CHANGE}, "return_rate", 1, " pts"
        )
        out.append(
            formats.Tile(
                f"Return rate ({return_days} days)",
                # "not judged yet" was cut on a quarter-width card at 1440 px
                formats.fmt_number(100 * now.rate.value, 1, " %")
                if now.rate.n
                else ("too recent" if now.not_judged else "no visits"),
                _returned_words(now.rate.events, now.rate.n, now.not_judged, return_days),
                delta.text,
                delta.colour,
                f"Identified customers who visited again within {return_days} days of their first visit in the "
                "period. The change compares the same stretch of the period before: both leave out the customers "
                "first seen too late to judge." + delta.test,
            )
        )
    else:
        out.append(
            formats.Tile(
                "Return rate",
                "not recorded",
                "no identified customers: import visits to see it",
                help=NO_CUSTOMERS,
            )
        )
    if filters_narrow_tickets:
        out.append(
            formats.Tile(
                "Reputation (praise share)",
                "not applicable",
                "under a complaint category or component filter",
                help="Compliments have no category: a category or component filter leaves none of them, so the "
                "share is not shown (it would read 0 %).",
            )
        )
    elif contents["has_compliments"]:
        now_rep = reputation(summary_now["compliments"], summary_now["complaints"])
        delta = change_delta(
            {"reputation": reputation_change(summary_now, summary_before) or _NO_CHANGE}, "reputation", 1, " pts"
        )
        out.append(
            formats.Tile(
                "Reputation (praise share)",
                formats.fmt_number(100 * now_rep.value, 1, " %") if now_rep.n else "no feedback",
                f"{now_rep.events:,} compliments of {now_rep.n:,} compliments and complaints",
                delta.text,
                delta.colour,
                "Compliments ÷ (compliments + complaints): the share of unprompted feedback that is praise."
                + delta.test,
            )
        )
    elif not contents["has_tickets"]:
        out.append(
            formats.Tile(
                "Reputation (praise share)",
                "not recorded",
                "the store holds no tickets",
                help="Reputation needs compliments as well as complaints; this store holds no tickets at all, so "
                "it is not recorded (not 0 %).",
            )
        )
    else:
        out.append(
            formats.Tile(
                "Reputation (praise share)",
                "not recorded",
                "the tickets hold no compliments",
                help="Reputation needs compliments as well as complaints; this store's tickets have none, so "
                "it is not recorded (not 0 %).",
            )
        )
    return out


_NO_CHANGE = Change(math.nan, math.nan, "")
