"""What a snapshot report holds: the period and scope it covers and the numbers of the pages it
summarises, gathered with the same metrics functions the pages call (so the PDF and the page
show the same numbers for the same filters).

Pure apart from the query runner it is given: no Streamlit, no HTML.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd

from servicequality.filters import Filters
from servicequality.metrics import complaints, consistency, customers, formats, overview
from servicequality.metrics.formats import Tile

Runner = Callable[..., pd.DataFrame]

SCOPES = ("executive", "region", "branch")
TREND_MONTHS = 12
FUNNEL_MEASURES = ("complaint_rate", "within_target", "survey_gap", "csat", "survey_performance")


class ReportError(ValueError):
    """A report asked for something the store or the command line cannot give; the message says what."""


# --- the period -----------------------------------------------------------------------------------

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_YEAR = re.compile(r"(\d{4})")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    words: str  # "November 2025", "Q3 2025", "2025", "1 Jan 2024 – 29 Feb 2024"


def parse_period(text: str) -> Period:
    """'2025-11' (a month), '2025-Q3', '2025' or '2024-01-01..2024-02-29' (inclusive)."""
    text = text.strip()
    if m := _MONTH.fullmatch(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ReportError(f"Month {month} in {text!r} does not exist: use YYYY-MM with a month 01-12.")
        last = calendar.monthrange(year, month)[1]
        return Period(dt.date(year, month, 1), dt.date(year, month, last), f"{calendar.month_name[month]} {year}")
    if m := _QUARTER.fullmatch(text):
        year, quarter = int(m[1]), int(m[2])
        first_month = 3 * quarter - 2
        last = calendar.monthrange(year, first_month + 2)[1]
        return Period(dt.date(year, first_month, 1), dt.date(year, first_month + 2, last), f"Q{quarter} {year}")
    if m := _YEAR.fullmatch(text):
        year = int(m[1])
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    if m := _RANGE.fullmatch(text):
        try:
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        except ValueError as exc:
            raise ReportError(f"{text!r} holds a date that does not exist ({exc}).") from None
        if end < start:
            raise ReportError(f"The period {text!r} ends before it starts.")
        return Period(start, end, f"{start:%d %b %Y} – {end:%d %b %Y}")
    raise ReportError(
        f"Cannot read the period {text!r}: use a month (2025-11), a quarter (2025-Q3), a year (2025) "
        "or a range of days (2025-01-01..2025-03-31)."
    )


# --- the scope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    kind: str  # executive, region or branch
    value: str | None  # the region, or the branch id
    words: str  # "All branches", "Region North", "Branch Harbour Street (B012)"


def resolve_scope(kind: str, value: str | None, branches: pd.DataFrame) -> Scope:
    """Check the scope against the store's branches (filter_branches rows)."""
    if kind not in SCOPES:
        raise ReportError(f"Unknown scope {kind!r}: use one of {', '.join(SCOPES)}.")
    if kind == "executive":
        return Scope(kind, None, "All branches")
    if not value:
        raise ReportError(f"The {kind} scope needs --{kind}: which {kind} the report is for.")
    if kind == "region":
        regions = sorted(set(branches["region"].dropna()))
        if value not in regions:
            raise ReportError(f"No region {value!r} in this store; its regions are: {', '.join(regions)}.")
        return Scope(kind, value, f"Region {value}")
    row = branches[branches["branch_id"] == value]
    if row.empty:
        raise ReportError(
            f"No branch with id {value!r} in this store (ids such as {', '.join(branches['branch_id'].head(3))})."
        )
    return Scope(kind, value, f"Branch {row['branch_name'].iloc[0]} ({value})")


def scope_filters(period: Period, scope: Scope, min_n: int) -> Filters:
    """The sidebar filters the dashboard would have for this report: the period and the scope's
    region or branch."""
    return Filters(
        period.start,
        period.end,
        regions=(scope.value,) if scope.kind == "region" else (),
        branches=(scope.value,) if scope.kind == "branch" else (),
        min_n=min_n,
    )


# --- the numbers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outside:
    """Branches of the scope outside a measure's funnel limits against the whole network."""

    measure: consistency.Measure
    rows: pd.DataFrame  # branch_measure rows: label, value, ci_low, ci_high, volume, side ('worse'/'better'/'watch')
    network_value: float  # display units
    branches: int  # branches in the funnel (the network's with volume)
    view: consistency.FunnelView
    min_volume: int = 0  # the volume a branch needs to be judged (consistency.minimum_volume)
    too_few: int = 0  # branches of the scope with some volume but less than min_volume: not judged


@dataclass
class Snapshot:
    period: Period
    scope: Scope
    filters: Filters
    previous: Filters
    survey: overview.SurveyView
    survey_tiles: list[Tile] = field(default_factory=list)
    survey_note: str = ""
    complaint_tiles: list[Tile] = field(default_factory=list)
    customer_tiles: list[Tile] = field(default_factory=list)  # return rate and reputation, as the overview
    months: pd.DataFrame | None = None  # overview.monthly over the trend window
    trend_filters: Filters | None = None
    weakest: pd.DataFrame | None = None  # three weakest components (gaps or ratings)
    handling_tiles: list[Tile] = field(default_factory=list)
    within_by_channel: pd.DataFrame | None = None
    targets: pd.DataFrame | None = None
    outside: list[Outside] = field(default_factory=list)
    complaints: int = 0
    coverage: str | None = None  # how much of the period the store's data cover (formats.period_coverage)
    timed: bool = False  # some complaint has a handling time (answered or resolved)
    holds_complaints: bool = True  # the store holds complaints at all (store_contents), in any period
    branch_names: dict[str, str] = field(default_factory=dict)  # id -> 'Name (id)', for the filters line
    targeted: bool = False  # some complaint is judged against a target


def _weakest(run: Runner, filters: Filters, survey: overview.SurveyView) -> pd.DataFrame:
    if survey.servqual:
        gaps = overview.with_gap_intervals(run("component_gaps", filters))
        return gaps[gaps["n"] > 0].sort_values("mean_gap").head(3).reset_index(drop=True)
    if survey.ratings is not None and not survey.ratings.empty:
        return survey.ratings.sort_values("mean_performance").head(3).reset_index(drop=True)
    return pd.DataFrame()


def _outside(run: Runner, filters: Filters, scope: Scope) -> list[Outside]:
    """Per measure with data: the scope's branches outside the 99.8% funnel limits of the whole
    network (special-cause signals), and those between the 95% and 99.8% limits (watch). Only a
    branch with the volume the Consistency page ranks from (the report's minimum n for survey
    measures, consistency.minimum_volume) is judged: the limits are drawn with every branch, but a
    lounge with two reviews flagged "watch" (Skytrax, 2014) is noise the header's minimum disowns."""
    network = filters.network_wide()
    rows = run("consistency_branch_measures", network)
    ratings = run("branch_performance", network)
    has_ratings = not ratings.empty and ("gap_n" not in rows or rows["gap_n"].fillna(0).sum() == 0)
    if has_ratings:
        rows = consistency.with_performance(rows, ratings)
    out = []
    for key in consistency.measures_with_data(rows, has_ratings):
        if key not in FUNNEL_MEASURES:
            continue
        # a mapping's placeholder for rows without a branch is no branch to judge (as on the page)
        measure, _ = consistency.without_placeholders(consistency.branch_measure(rows, key))
        view = consistency.funnel_view(measure, key)
        if view is None:
            continue
        present = view.present
        side = pd.Series("", index=present.index)
        side[present["label"].isin(view.worse)] = "worse"
        side[present["label"].isin(view.better)] = "better"
        side[present["label"].isin(view.between)] = "watch"
        in_scope = pd.Series(True, index=present.index)
        if scope.kind == "region":
            in_scope = present["region"] == scope.value
        elif scope.kind == "branch":
            in_scope = present["branch_id"] == scope.value
        min_volume = consistency.minimum_volume(key, filters.min_n)
        judged = present["volume"] >= min_volume
        m = consistency.MEASURES[key]
        network = view.funnel.target * m.scale
        flagged = present.assign(side=side, order=side.map({"worse": 0, "watch": 1, "better": 2}))
        flagged = flagged.assign(distance=-(flagged["value"] - network).abs())[(side != "") & in_scope & judged]
        flagged = flagged.sort_values(["order", "distance"]).drop(columns=["order", "distance"])
        too_few = int((in_scope & ~judged).sum())
        out.append(Outside(m, flagged.reset_index(drop=True), network, len(present), view, min_volume, too_few))
    return out


def gather(run: Runner, period: Period, scope: Scope, min_n: int = 30) -> Snapshot:
    """Every number of the report, from the same metrics functions the pages use."""
    filters = scope_filters(period, scope, min_n)
    previous = filters.previous_period()
    now = overview.headline(run, filters)
    before = overview.headline(run, previous, times=False)
    moves = overview.headline_changes(now, before)
    survey = overview.survey_view(run, filters, now)
    snap = Snapshot(period, scope, filters, previous, survey, complaints=now.complaints)
    branches = run("filter_branches")
    snap.branch_names = dict(zip(branches["branch_id"], formats.branch_labels(branches), strict=True))
    contents = run("store_contents").iloc[0]
    if survey.servqual:
        snap.survey_tiles = overview.survey_tiles(now, moves, run("survey_questions").iloc[0])
    elif survey.ratings_only:
        snap.survey_note = survey.model.sentence()
        asked = run("survey_questions").iloc[0]
        snap.survey_tiles = overview.ratings_tiles(run, filters, asked, survey.ratings, previous)
    else:
        snap.survey_note = (
            "No survey responses in this period and scope: the survey figures are left out."
            if contents["has_responses"]
            else "The store holds no survey responses: the survey figures are left out."
        )
    if now.complaints > 0 or now.customers_served > 0:
        snap.complaint_tiles = overview.complaint_tiles(now, moves, filters)
    snap.holds_complaints = bool(contents["has_complaints"])
    if contents["has_visits"] or contents["has_compliments"]:
        snap.customer_tiles = customers.headline_tiles(run, filters, contents)

    bounds = run("date_bounds").iloc[0]
    first, last = formats.data_span(bounds["first_day"], bounds["last_day"]) or (None, None)
    snap.coverage = formats.period_coverage(filters.start, filters.end, first, last)

    # The trend: the twelve months up to the period's end (or the period itself when longer), from
    # the month the data start when later ("Month by month, Mar 2014 - Feb 2015" drew Boston's two).
    trend_start = min(filters.start, _months_before(filters.end, TREND_MONTHS))
    if first is not None and trend_start < first <= filters.end:
        trend_start = first.replace(day=1)
    snap.trend_filters = replace(filters, start=trend_start)
    snap.months = overview.monthly(run, snap.trend_filters)
    snap.weakest = _weakest(run, filters, survey)

    if now.complaints:
        summary = run("complaint_summary", filters).iloc[0]
        handling = run("handling_summary", filters).iloc[0]
        quality = run("handling_quality", filters).iloc[0]
        head = complaints.headline(summary, handling, quality)
        targets = run("handling_targets", filters)
        no_target = not targets.empty and complaints.no_target_set(targets)
        snap.handling_tiles = complaints.handling_tiles(head, handling, no_target=no_target)
        snap.timed = any(int(handling[c] or 0) for c in ("responded_n", "resolved_n"))
        snap.targeted = any(int(handling[c] or 0) for c in ("targeted_first_n", "targeted_resolution_n"))
        if not targets.empty:
            snap.within_by_channel = complaints.within_target_by_channel(targets)
            snap.targets = complaints.targets_table(targets)
    snap.outside = _outside(run, filters, scope)
    return snap


def _months_before(end: dt.date, months: int) -> dt.date:
    """The first day of the month `months - 1` months before `end`'s: twelve whole months to `end`."""
    index = end.year * 12 + end.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)
