"""The Complaints page's numbers: headline shares, the Pareto's vital few, and the shares of
complaints handled within target, by channel and by channel x priority.

Shares are part ÷ whole over the complaints that have the part's denominator (e.g. answered
complaints with a first-response target); a share with no denominator is NaN ("not recorded"),
never 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from servicequality import stats
from servicequality.catalog import BY_SELECTION
from servicequality.filters import Filters
from servicequality.metrics import formats as fmt
from servicequality.metrics.formats import Tile

RATE_LABEL = "Complaints per 1,000 served"


@dataclass(frozen=True)
class RateScope:
    """What a complaint rate divides by under the current selections."""

    label: str  # the metric's label
    note: str  # one sentence for the caption; "" when numerator and denominator cover the same customers


def rate_scope(filters: Filters) -> RateScope:
    """Customers served are recorded per branch and day, not per channel, segment, category or
    component. With such a selection the rate's numerator is the selected complaints while its
    denominator stays every customer served: the label says so ("of all served"), never a rate
    whose denominator silently covers a wider population than its numerator."""
    narrowed = [
        (dimension, getattr(filters, selection))
        for selection, dimension in BY_SELECTION.items()
        if not dimension.served and getattr(filters, selection)
    ]
    if not narrowed:
        return RateScope(RATE_LABEL, "")
    which = "; ".join(f"{d.chip.lower()} {', '.join(values)}" for d, values in narrowed)
    per = " or ".join(d.label.lower() for d, _ in narrowed)
    return RateScope(
        "Selected complaints per 1,000 of all served",
        f"Complaints in {which} divided by all customers served: customers served are not recorded per {per}, "
        "so this is not the complaint rate of those customers.",
    )


def share(part: float, whole: float) -> float:
    """part ÷ whole; NaN when there is no whole or the part is missing."""
    return float(part) / float(whole) if whole and not pd.isna(part) else math.nan


def _percent(part: pd.Series, whole: pd.Series) -> pd.Series:
    """100 · part ÷ whole per row, NaN where the whole is 0."""
    return 100 * part / whole.where(whole > 0)


@dataclass(frozen=True)
class Headline:
    complaints: int
    served: int
    rate_per_1000: float  # complaints ÷ customers served × 1,000
    reopened: float  # shares, 0-1
    escalated: float
    satisfied: float  # handling satisfaction 4-5 of 5, over scored complaints
    first_response_within_target: float  # over complaints with a target judged: answered, or waiting past it
    resolution_within_target: float  # over complaints with a target judged: resolved, or open past it
    targeted_first_n: int
    targeted_resolution_n: int


def headline(summary: pd.Series, handling: pd.Series, quality: pd.Series) -> Headline:
    """The page's headline from one row each of complaint_summary, handling_summary, handling_quality."""
    complaints = int(summary["complaints"] or 0)
    served = int(summary["customers_served"] or 0)
    first_n = int(handling["targeted_first_n"] or 0)
    resolution_n = int(handling["targeted_resolution_n"] or 0)
    return Headline(
        complaints=complaints,
        served=served,
        rate_per_1000=stats.rate_per_1000(complaints, served),
        reopened=share(quality["reopened"], quality["reopened_n"]),
        escalated=share(quality["escalated"], quality["escalated_n"]),
        satisfied=share(quality["satisfied"], quality["satisfaction_n"]),
        first_response_within_target=share(handling["first_response_within_target"], first_n),
        resolution_within_target=share(handling["resolution_within_target"], resolution_n),
        targeted_first_n=first_n,
        targeted_resolution_n=resolution_n,
    )


@dataclass(frozen=True)
class VitalFew:
    count: int  # the fewest categories that hold 80% of the complaints
    categories: int
    total: int
    leaders: list[str]  # up to three of them, most frequent first


def vital_few(pareto: pd.DataFrame, share_of_total: float = 0.8) -> VitalFew:
    """Juran's vital few: sorted by complaints, the categories before the cumulative share reaches
    `share_of_total`, plus the one that crosses it."""
    total = int(pareto["complaints"].sum())
    top = pareto.sort_values("complaints", ascending=False)
    cumulative = top["complaints"].cumsum() / total
    count = int((cumulative < share_of_total).sum()) + 1
    return VitalFew(count, len(top), total, top["category"].head(min(count, 3)).tolist())


# The Pareto chart shows the vital few plus PARETO_EXTRA categories, at most PARETO_CAP bars of
# categories, then one bar for the rest: 67 CFPB issues drawn as 67 bars were unreadable (at 390 px
# every other label dropped); the table under the chart keeps every category.
PARETO_EXTRA = 3
PARETO_CAP = 15
OTHER_FAMILY = "other"


def pareto_bars(pareto: pd.DataFrame, *, extra: int = PARETO_EXTRA, cap: int = PARETO_CAP) -> pd.DataFrame:
    """complaint_pareto rows as the chart's bars: the categories most frequent first (ties by name);
    more than `cap` + 1 of them (the demo's 13 are all drawn), the vital few (vital_few) plus
    `extra`, at most `cap`, then one bar "Other N categories" summing the rest. Columns: category (the bar's words),
    category_id (the value a click filters by; "" for the rest and for 'Unmapped', no categories), family
    ('other' for the rest), component_name, complaints, folded (categories in the bar: 1, or N),
    share_pct and cumulative_pct (of every complaint: the last bar's is 100)."""
    d = pareto.sort_values(["complaints", "category"], ascending=[False, True]).reset_index(drop=True)
    total = int(d["complaints"].sum())
    # a rest of one category would be a bar for itself under another name: fold two or more
    shown = len(d) if len(d) <= cap + 1 or not total else min(vital_few(d).count + extra, cap)
    top = d.head(shown)
    bars = top[["category", "family", "component_name", "complaints"]].assign(
        # 'Unmapped' (complaints without a category of the store) is no value the sidebar offers either
        category_id=top["category"].where(top["family"] != "unmapped", ""),
        folded=1,
    )
    rest = d.iloc[shown:]
    if len(rest):
        other = {
            "category": f"Other {len(rest)} categories",
            "category_id": "",
            "family": OTHER_FAMILY,
            "component_name": "several",
            "complaints": int(rest["complaints"].sum()),
            "folded": len(rest),
        }
        bars = pd.concat([bars, pd.DataFrame([other])], ignore_index=True)
    bars["complaints"] = bars["complaints"].astype("int64")
    bars["share_pct"] = 100 * bars["complaints"] / total if total else 0.0
    bars["cumulative_pct"] = 100 * bars["complaints"].cumsum() / total if total else 0.0
    return bars[
        ["category", "category_id", "family", "component_name", "complaints", "folded", "share_pct", "cumulative_pct"]
    ]


def pareto_table(pareto: pd.DataFrame) -> pd.DataFrame:
    """Every category of complaint_pareto, most frequent first, with its share and the cumulative
    share of all complaints (%): the full list the chart folds into "Other"."""
    d = pareto.sort_values(["complaints", "category"], ascending=[False, True]).reset_index(drop=True)
    total = d["complaints"].sum()
    d["share_pct"] = 100 * d["complaints"] / total if total else 0.0
    d["cumulative_pct"] = 100 * d["complaints"].cumsum() / total if total else 0.0
    return d[["category", "family", "component_name", "complaints", "share_pct", "cumulative_pct"]]


# The "Every category" table's headers, for pareto_table's columns.
PARETO_TABLE_LABELS = {
    "category": "Category",
    "family": "Family",
    "component_name": "Component",
    "complaints": "Complaints",
    "share_pct": "Share (%)",
    "cumulative_pct": "Cumulative share (%)",
}


def pareto_labelled_table(pareto: pd.DataFrame) -> pd.DataFrame:
    """pareto_table with its headers in words (PARETO_TABLE_LABELS): the "Every category" table."""
    return pareto_table(pareto).rename(columns=PARETO_TABLE_LABELS)


def pareto_method(bars: pd.DataFrame) -> str:
    """The Pareto's "How is this computed?" text, from pareto_bars: what a bar and the line are and,
    when the chart folds categories into a last "Other N categories" bar, which ones it draws."""
    words = (
        "Bars: complaints per category, sorted descending. Line: cumulative share of all complaints. Each category "
        "belongs to a family (product or service) and points at one of the ten components; the mapping is data "
        "(the complaint_categories table), so your own categories can map differently."
    )
    folded = bars.loc[bars["family"] == OTHER_FAMILY, "folded"]
    if folded.empty:
        return words
    return words + (
        f" The chart shows the categories that hold 80% of the complaints and {PARETO_EXTRA} more "
        f"(at most {PARETO_CAP}); the other {int(folded.iloc[-1])} are summed in the last bar, and listed under "
        "'Every category'."
    )


def no_category_recorded(pareto: pd.DataFrame) -> str | None:
    """What to say instead of a Pareto when no complaint of the period has a category of the store
    (complaint_pareto's one row 'Unmapped': Boston 311's export gives none); None when some have one.
    A chart of one bar named by our own placeholder would read as a category."""
    if set(pareto["category"]) != {"Unmapped"}:
        return None
    total = int(pareto["complaints"].sum())
    return (
        f"Complaint category not recorded: none of the {total:,} complaints in this period has one (the export, "
        "or its mapping, gives no category the store knows), so there is no Pareto of categories to draw."
    )


def backlog_words(open_n: int, opened_before: int) -> str:
    """What the backlog counts, against the tiles' 'still open': the backlog is every complaint open
    at the end of the period, whenever opened, even one resolved since; the tiles count the period's
    complaints open on the data's last recorded day (Boston 2015: a backlog of 1,332 against 1,288
    still open, both right)."""
    before = f", {opened_before:,} of them opened before the period" if opened_before else ""
    return (
        f"Every complaint open at the end of the period ({open_n:,}{before}), including those resolved since; "
        "the tiles above count the period's complaints that are still open on the data's last recorded day."
    )


def vital_few_words(few: VitalFew) -> str:
    """The Pareto's sentence (markdown), worded for one category, for all of them and for some."""
    lead = ", ".join(few.leaders)
    if few.categories == 1:
        held = "the only complaint" if few.total == 1 else f"all {few.total:,} complaints"
        return f"**One category** holds {held} ({lead})."
    if few.count == 1:
        return f"**1 of {few.categories} categories** accounts for 80% of the complaints ({lead})."
    if few.count == few.categories:
        every = "Both categories" if few.categories == 2 else f"All {few.categories} categories"
        return f"**{every}** are needed to account for 80% of the complaints (led by {lead})."
    return f"**{few.count} of {few.categories} categories** account for 80% of the complaints (led by {lead})."


def within_target_by_channel(targets: pd.DataFrame) -> pd.DataFrame:
    """handling_targets rows (channel x priority) summed per channel, with the within-target percent
    of answered (first_pct) and resolved (resolution_pct) complaints that have a target."""
    by_channel = targets.groupby("channel", as_index=False)[
        ["targeted_first_n", "first_response_within_target", "targeted_resolution_n", "resolution_within_target"]
    ].sum()
    by_channel["first_pct"] = _percent(by_channel["first_response_within_target"], by_channel["targeted_first_n"])
    by_channel["resolution_pct"] = _percent(by_channel["resolution_within_target"], by_channel["targeted_resolution_n"])
    # Wilson 95% intervals, in percent: a channel of 1 or 2 complaints (Boston 311's Social media, 100 %
    # of 1) stood at full height like one of 1,000
    for stage, within, judged in (
        ("first", "first_response_within_target", "targeted_first_n"),
        ("resolution", "resolution_within_target", "targeted_resolution_n"),
    ):
        bounds = [
            stats.wilson_interval(int(k), int(n)) for k, n in zip(by_channel[within], by_channel[judged], strict=True)
        ]
        by_channel[f"{stage}_low"] = [100 * b.low for b in bounds]
        by_channel[f"{stage}_high"] = [100 * b.high for b in bounds]
    return by_channel.rename(columns={"targeted_first_n": "first_n", "targeted_resolution_n": "resolution_n"})


def no_target_set(targets: pd.DataFrame) -> bool:
    """handling_targets rows in which no complaint has a target: no channel and priority shows one
    and none was judged against one (complaints whose own deadlines differ show no single target
    but are judged, so they count as set)."""
    shown = targets[["first_response_target", "resolution_target"]].notna().any(axis=None)
    judged = targets[["targeted_first_n", "targeted_resolution_n"]].fillna(0).to_numpy().sum() > 0
    return not (shown or judged)


def own_deadline_words(chosen: pd.DataFrame) -> str | None:
    """A caption for the time-against-target charts of one priority (handling_targets rows) when some
    channel's complaints were judged against deadlines of their own that differ (Boston 311's per-request
    target times): the chart marks no target for them, and the caption says why and where their
    within-target share is. None when every charted channel shows its target or has none."""
    stages = (
        ("first_response_target", "targeted_first_n", "responded_n"),
        ("resolution_target", "targeted_resolution_n", "resolved_n"),
    )
    varying = sorted(
        {
            str(channel)
            for target, judged, handled in stages
            for channel in chosen.loc[
                chosen[target].isna() & (chosen[judged].fillna(0) > 0) & (chosen[handled].fillna(0) > 0), "channel"
            ]
        }
    )
    if not varying:
        return None
    return (
        f"No target marker for {', '.join(varying)}: each complaint there carries a deadline of its own, "
        "and they differ, so no one target can be drawn; how many met their own deadline is in the share "
        "within target below."
    )


def targets_table(targets: pd.DataFrame) -> pd.DataFrame:
    """handling_targets rows with the within-target percents per channel x priority."""
    return targets.assign(
        first_pct=_percent(targets["first_response_within_target"], targets["targeted_first_n"]),
        resolution_pct=_percent(targets["resolution_within_target"], targets["targeted_resolution_n"]),
    )


def recorded_words(count: object, recorded: object, complaints: object) -> str:
    """A yes/no field's n (reopened, escalated): '12 of 400 complaints (not recorded for 120)'; where
    the export records it for none, says so ('0 of 0 complaints (not recorded for 5,178)' on the CFPB)."""
    count, recorded, complaints = (int(v or 0) for v in (count, recorded, complaints))
    if not recorded and complaints:
        return f"not in the export for these {complaints:,} complaints"
    missing = complaints - recorded
    return f"{count:,} of {recorded:,} complaints" + (f" (not recorded for {missing:,})" if missing > 0 else "")


def no_first_response_words(complaints: int) -> str:
    """A first-response card's n where the export records none (Boston 311, the CFPB): their open
    complaints are not "still waiting"."""
    return f"no first response in the export for these {complaints:,} complaints"


def handled_words(handled: int, verb: str, still_open: int, state: str, untimed: int) -> str:
    """A handling time's n: 'n = 1,200 resolved, 56 still open', then the closed complaints whose
    time the export does not hold, which are in neither (the CFPB's 5,122 closed complaints have no
    closing date: "n = 0 resolved, 56 still open" left them out as if they did not exist). With
    none timed, those come first: "none resolved with a time recorded: 5,122 closed without one, 56
    still open" ("n = 0 resolved" beside thousands closed read as a contradiction)."""
    if untimed and not handled:
        words = f"none {verb} with a time recorded: {untimed:,} closed without one"
        return words + (f", {still_open:,} {state}" if still_open else "")
    words = f"{fmt.fmt_n(handled)} {verb}, {still_open:,} {state}"
    return words + (f"; {untimed:,} closed with no time recorded" if untimed else "")


def untimed(complaints: int, handled: int, still_open: int) -> int:
    """Complaints closed with no handling time recorded: neither handled in time nor still open."""
    return max(int(complaints) - int(handled or 0) - int(still_open or 0), 0)


def handling_tiles(head: Headline, handling: pd.Series, *, no_target: bool = False) -> list[Tile]:
    """Median and 90th percentile times to first response and to resolution (Kaplan-Meier) and the
    shares within target, from a handling_summary row: the Complaints page's and the report's.
    `no_target`: no complaint has a target (no_target_set), so the shares say so even when none was
    answered or resolved."""

    # Complaints, none of which has a first response: the export does not record it (Boston 311's
    # closed requests have a closing time and no first response), whether or not some are still open.
    first_missing = head.complaints > 0 and not int(handling["responded_n"] or 0)
    missing_words = no_first_response_words(head.complaints) if first_missing else ""
    first_untimed = untimed(head.complaints, handling["responded_n"], handling["awaiting_first_n"])
    resolution_untimed = untimed(head.complaints, handling["resolved_n"], handling["still_open_n"])

    def times(stage: str, still: str, done: str) -> tuple[str, str]:
        def one(column: str) -> str:
            if stage == "first_response" and first_missing:
                return "not recorded"
            if stage == "resolution" and resolution_untimed and not int(handling[done] or 0):
                return "not recorded"  # closed, and no closing time (the CFPB)
            return fmt.fmt_survival_minutes(handling[column], int(handling[still]), int(handling[done]))

        return one(f"median_{stage}_minutes"), "90th percentile " + one(f"p90_{stage}_minutes")

    first_median, first_p90 = times("first_response", "awaiting_first_n", "responded_n")
    resolution_median, resolution_p90 = times("resolution", "still_open_n", "resolved_n")
    first_n, resolution_n = head.targeted_first_n, head.targeted_resolution_n
    return [
        Tile(
            "Median first response",
            first_median,
            missing_words
            or handled_words(
                int(handling["responded_n"] or 0),
                "answered",
                int(handling["awaiting_first_n"]),
                "still waiting",
                first_untimed,
            ),
            first_p90,
            "off",
        ),
        Tile(
            "Answered within target",
            fmt.fmt_within(
                head.first_response_within_target,
                first_n,
                int(handling["responded_n"] or 0),
                no_target=no_target,
                not_recorded=first_missing,
            ),
            missing_words
            or f"{fmt.fmt_n(first_n)} with a target, {int(handling['late_awaiting_first_n']):,} of them "
            "still waiting past it (late)",
        ),
        Tile(
            "Median resolution time",
            resolution_median,
            handled_words(
                int(handling["resolved_n"] or 0),
                "resolved",
                int(handling["still_open_n"]),
                "still open",
                resolution_untimed,
            ),
            resolution_p90,
            "off",
        ),
        Tile(
            "Resolved within target",
            fmt.fmt_within(
                head.resolution_within_target, resolution_n, int(handling["resolved_n"] or 0), no_target=no_target
            ),
            f"{fmt.fmt_n(resolution_n)} with a target, {int(handling['late_open_n']):,} of them still open past it "
            "(late)"
            if resolution_n or not no_target
            else "no target is set for these complaints",
        ),
    ]
