"""From query results to the numbers pages show. Pure: a query runner is passed in, so the
same code serves the dashboard (cached queries) and the tests (a plain connection)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from servicequality import stats
from servicequality.filters import Filters
from servicequality.metrics import formats, performance
from servicequality.metrics.complaints import handled_words, no_first_response_words
from servicequality.metrics.complaints import rate_scope as complaint_rate_scope
from servicequality.metrics.complaints import untimed as complaints_untimed
from servicequality.metrics.formats import Tile, branch_labels
from servicequality.stats import changes

Runner = Callable[[str, Filters], pd.DataFrame]


def with_gap_intervals(df: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Add the paired-t interval of each row's mean gap (columns mean_gap, sd_gap, n)."""
    out = df.copy()
    intervals = [
        stats.mean_confidence_interval(_f(m), _f(s), int(n or 0), level)
        for m, s, n in zip(out["mean_gap"], out["sd_gap"], out["n"])
    ]
    out["ci_low"] = [i.low for i in intervals]
    out["ci_high"] = [i.high for i in intervals]
    return out


# The weakest components' table: four columns, the interval as its half-width, so that it fits a
# 390 px phone (with 95% CI low and high as columns, n was off the screen).
WEAKEST_COLUMNS = {"component_name": "Component", "mean_gap": "Gap (P − E)", "margin": "± (95% CI)", "n": "n"}


WEAKEST_NAME_WIDTH = 16  # characters of a component's name on one line of its 130 px column


def weakest_table_wraps(weakest: pd.DataFrame) -> bool:
    """Whether a component's name needs a second line ("Understanding the customer")."""
    return bool((weakest["component_name"].str.len() > WEAKEST_NAME_WIDTH).any())


def weakest_table(weakest: pd.DataFrame) -> pd.DataFrame:
    """with_gap_intervals rows as the weakest components' table: component, gap, the interval's
    half-width (the paired t interval is symmetric: gap ± t·s/√n) and n, headed in words."""
    out = weakest.assign(margin=(weakest["ci_high"] - weakest["ci_low"]) / 2)
    return out[list(WEAKEST_COLUMNS)].rename(columns=WEAKEST_COLUMNS).reset_index(drop=True)


def _f(value) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)


def _row(df: pd.DataFrame) -> dict:
    return {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].to_dict().items()}


@dataclass(frozen=True)
class Headline:
    """The executive overview's numbers for one period, each with its n."""

    respondents: int
    servqual_unweighted: float
    servqual_weighted: float
    importance_n: int
    csat: float  # share of answers 4-5 on the 1-5 scale
    csat_n: int
    nps: float
    nps_n: int
    complaints: int
    customers_served: int
    complaint_rate: float  # per 1,000 customers served
    median_first_response: float  # minutes
    median_first_response_target: float
    first_response_within: float  # share
    first_response_n: int
    median_resolution: float
    median_resolution_target: float
    resolution_within: float
    resolution_n: int
    # The aggregates behind the numbers, for the tests of change against the previous period.
    components: tuple[tuple[str, float, float, int], ...] = ()  # (key, mean gap, sd, n) answered
    weighted_sd: float = math.nan  # sd of the respondents' weighted gaps
    csat_satisfied: int = 0
    promoters: int = 0
    detractors: int = 0
    resolution_within_count: int = 0
    # Handled and still open (Kaplan-Meier censors these at their age; past the target they are late).
    responded_n: int = 0
    resolved_n: int = 0
    awaiting_first_n: int = 0
    still_open_n: int = 0
    late_open_n: int = 0


def headline(run: Runner, filters: Filters, *, times: bool = True) -> Headline:
    """The overview's numbers for a period. `times=False` (the previous period, compared only by its
    shares) leaves out the Kaplan-Meier handling times and their sort of every handled value: the
    within-target counts then come from handling_quality, the times are nan."""
    gaps = run("component_gaps", filters)
    weighted = run("servqual_weighted", filters)
    survey = _row(run("survey_summary", filters))
    complaints = _row(run("complaint_summary", filters))
    handling = {
        "median_first_response_minutes": None,
        "median_first_response_target": None,
        "median_resolution_minutes": None,
        "median_resolution_target": None,
        "responded_n": None,
        "resolved_n": None,
        "awaiting_first_n": None,
        "still_open_n": None,
        "late_open_n": None,
        **_row(run("handling_summary" if times else "handling_quality", filters)),
    }

    answered = gaps[gaps["n"] > 0]
    gap_by_component = dict(zip(answered["component_key"], answered["mean_gap"].astype(float)))
    first_n = int(handling["targeted_first_n"] or 0)
    resolution_n = int(handling["targeted_resolution_n"] or 0)
    return Headline(
        respondents=int(gaps["n"].max() if len(gaps) else 0),
        servqual_unweighted=stats.servqual_score(gap_by_component),
        # Each respondent's gaps weighted by their own importance points, then averaged
        # (queries/servqual_weighted.sql): never mean weights x mean gaps over different people.
        servqual_weighted=float(weighted["score"].iloc[0]) if len(weighted) else math.nan,
        importance_n=int(weighted["n"].iloc[0]) if len(weighted) else 0,
        csat=(survey["csat_satisfied"] or 0) / survey["csat_n"] if survey["csat_n"] else math.nan,
        csat_n=int(survey["csat_n"] or 0),
        nps=stats.net_promoter_score(survey["promoters"] or 0, survey["detractors"] or 0, survey["nps_n"]),
        nps_n=int(survey["nps_n"] or 0),
        complaints=int(complaints["complaints"] or 0),
        customers_served=int(complaints["customers_served"] or 0),
        complaint_rate=stats.rate_per_1000(complaints["complaints"] or 0, complaints["customers_served"]),
        median_first_response=_f(handling["median_first_response_minutes"]),
        median_first_response_target=_f(handling["median_first_response_target"]),
        first_response_within=(handling["first_response_within_target"] or 0) / first_n if first_n else math.nan,
        first_response_n=first_n,
        median_resolution=_f(handling["median_resolution_minutes"]),
        median_resolution_target=_f(handling["median_resolution_target"]),
        resolution_within=(handling["resolution_within_target"] or 0) / resolution_n if resolution_n else math.nan,
        resolution_n=resolution_n,
        components=tuple(
            (k, float(m), _f(sd), int(n))
            for k, m, sd, n in zip(answered["component_key"], answered["mean_gap"], answered["sd_gap"], answered["n"])
        ),
        weighted_sd=_f(weighted["sd_score"].iloc[0]) if len(weighted) else math.nan,
        csat_satisfied=int(survey["csat_satisfied"] or 0),
        promoters=int(survey["promoters"] or 0),
        detractors=int(survey["detractors"] or 0),
        resolution_within_count=int(handling["resolution_within_target"] or 0),
        responded_n=int(handling["responded_n"] or 0),
        resolved_n=int(handling["resolved_n"] or 0),
        awaiting_first_n=int(handling["awaiting_first_n"] or 0),
        still_open_n=int(handling["still_open_n"] or 0),
        late_open_n=int(handling["late_open_n"] or 0),
    )


def _score_change(now: Headline, before: Headline) -> changes.Change:
    """The unweighted SERVQUAL score's change (1/K weights over the answered components)."""

    def parts(h: Headline) -> tuple[list[float], list[int], list[float]]:
        k = len(h.components)
        return [sd for *_, sd, _ in h.components], [n for *_, n in h.components], [1 / k] * k if k else []

    sd1, n1, w1 = parts(now)
    sd0, n0, w0 = parts(before)
    return changes.score_change(now.servqual_unweighted, sd1, n1, before.servqual_unweighted, sd0, n0, w1, w0)


def headline_changes(now: Headline, before: Headline) -> dict[str, changes.Change]:
    """Each headline number's change against the previous period, with its test (stats.changes)."""
    return {
        "servqual_unweighted": _score_change(now, before),
        "servqual_weighted": changes.mean_change(
            now.servqual_weighted,
            now.weighted_sd,
            now.importance_n,
            before.servqual_weighted,
            before.weighted_sd,
            before.importance_n,
        ),
        "csat": changes.proportion_change(now.csat_satisfied, now.csat_n, before.csat_satisfied, before.csat_n),
        "nps": changes.nps_change(
            now.promoters, now.detractors, now.nps_n, before.promoters, before.detractors, before.nps_n
        ),
        "complaint_rate": changes.rate_change(
            now.complaints, now.customers_served, before.complaints, before.customers_served
        ),
        "resolution_within": changes.proportion_change(
            now.resolution_within_count, now.resolution_n, before.resolution_within_count, before.resolution_n
        ),
    }


def monthly(run: Runner, filters: Filters) -> pd.DataFrame:
    """One row per month: complaint rate, mean gap, CSAT share and NPS, each with its n."""
    complaints = run("monthly_complaints", filters)
    survey = run("monthly_survey", filters)
    rated = run("monthly_performance", filters)
    m = complaints.merge(survey, on="month", how="outer").merge(rated, on="month", how="outer").sort_values("month")
    m["n_mean_performance"] = m["performance_n"].fillna(0).astype(int)
    m["n_mean_satisfaction"] = m["satisfaction_n"].fillna(0).astype(int)
    m["complaint_rate"] = [stats.rate_per_1000(c, s) for c, s in zip(m["complaints"].fillna(0), m["customers_served"])]
    m["n_complaint_rate"] = m["complaints"].fillna(0).astype(int)
    m["n_mean_gap"] = m["gap_n"].fillna(0).astype(int)
    m["csat_pct"] = 100 * m["csat_satisfied"] / m["csat_n"].where(m["csat_n"] > 0)
    m["n_csat_pct"] = m["csat_n"].fillna(0).astype(int)
    m["nps"] = [
        stats.net_promoter_score(p, d, n) if n else math.nan
        for p, d, n in zip(m["promoters"].fillna(0), m["detractors"].fillna(0), m["nps_n"].fillna(0))
    ]
    m["n_nps"] = m["nps_n"].fillna(0).astype(int)
    m["month"] = pd.to_datetime(m["month"])
    return m.reset_index(drop=True)


def branches_below_network(run: Runner, filters: Filters, limit: int = 10) -> tuple[pd.DataFrame, float, int, int]:
    """Branches whose overall gap lies below the network's, furthest first, among those with at least
    `filters.min_n` respondents. Returns (rows, network gap, number of branches left out, number of
    branches compared). A branch at or above the network's gap is not listed, whatever its interval."""
    branches = with_gap_intervals(run("branch_gaps", filters))
    if branches.empty:
        return branches, math.nan, 0, 0
    network = float((branches["mean_gap"] * branches["n"]).sum() / branches["n"].sum())
    ranked = branches[branches["n"] >= filters.min_n].copy()
    left_out = len(branches) - len(ranked)
    ranked["difference"] = ranked["mean_gap"] - network
    ranked["difference_low"] = ranked["ci_low"] - network
    ranked["difference_high"] = ranked["ci_high"] - network
    below = ranked[ranked["difference"] < 0].sort_values("difference").head(limit).copy()
    below["label"] = branch_labels(below)
    return below.reset_index(drop=True), network, left_out, len(ranked)


# The monthly trend's panels: (column, title, unit).
TREND_PANELS: tuple[tuple[str, str, str], ...] = (
    ("complaint_rate", "Complaints per 1,000 customers served", "per 1,000"),
    ("mean_gap", "SERVQUAL gap (P − E)", "points"),
    ("csat_pct", "CSAT: satisfied (4-5)", "%"),
    ("nps", "Net Promoter Score", "NPS"),
)
# a panel title fits a phone's plot (about 40 characters at 390 px; "(no customers-served data for a rate)" was cut)
COUNT_PANEL = ("complaints", "Complaints (no rate: no customers served)", "complaints")
# A survey without expectations has no gap to trend: its ratings and overall satisfaction instead.
PERFORMANCE_PANELS: tuple[tuple[str, str, str], ...] = (
    ("mean_performance", "Survey performance (0-100)", "0-100"),
    ("mean_satisfaction", "Overall satisfaction (0-100)", "0-100"),
)


def unheld_panels(contents: Mapping[str, int], asked: Mapping[str, int]) -> frozenset[str]:
    """The trend columns the store cannot have in any period (store_contents and survey_questions
    rows): the complaint panels without complaints, the survey panels without responses, CSAT or NPS
    where no survey asked them. "Not shown, no data in this period" named them, as if another period
    had them (the CFPB's SERVQUAL gap and NPS; the kiosk's NPS)."""
    out = set()
    if not contents["has_complaints"]:
        out |= {"complaint_rate", "complaints"}
    if not contents["has_responses"]:
        out |= {"mean_gap", "mean_performance", "mean_satisfaction", "csat_pct", "nps"}
    if not asked["has_csat"]:
        out.add("csat_pct")
    if not asked["has_nps"]:
        out.add("nps")
    if not asked["has_satisfaction"]:
        out.add("mean_satisfaction")
    return frozenset(out)


def trend_panels(
    months: pd.DataFrame, unheld: frozenset[str] = frozenset()
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The panels that have a value in some month, and the titles of those left out (but for the
    `unheld` columns: unheld_panels, nothing any period would show).

    With complaints but no customers served to divide by, the first panel shows the count instead
    of the rate (the count goes in n_complaints)."""
    panels = list(TREND_PANELS)
    if "mean_performance" in months and months["mean_gap"].isna().all() and months["mean_performance"].notna().any():
        panels = [panels[0], *PERFORMANCE_PANELS]
    if not months.empty and months["complaint_rate"].isna().all() and months["complaints"].fillna(0).sum() > 0:
        months["n_complaints"] = months["complaints"].fillna(0).astype(int)
        panels[0] = COUNT_PANEL
    shown = [p for p in panels if not months.empty and months[p[0]].notna().any()]
    return shown, [p[1] for p in panels if p not in shown and p[0] not in unheld]


# --- the headline tiles (the overview page and the snapshot report show these) -------------------


@dataclass(frozen=True)
class Delta:
    text: str | None
    colour: str
    test: str  # the test in words, for the tile's help


def change_delta(moves: dict[str, changes.Change], key: str, digits: int = 2, suffix: str = "") -> Delta:
    """The change against the previous period: coloured only when it is beyond sampling noise
    (p < 0.05 in its test, stats.changes), else grey and said to be within noise."""
    change = moves[key]
    if math.isnan(change.difference):
        return Delta(None, "off", "")
    beyond = change.beyond_noise
    colour = ("inverse" if key == "complaint_rate" else "normal") if beyond else "off"
    # Short enough for a quarter-width card: "(noise)" says the change is within sampling noise,
    # and the help says which test and p.
    text = f"{formats.fmt_signed(change.difference, digits)}{suffix} " + ("vs previous" if beyond else "(noise)")
    verdict = "beyond sampling noise" if beyond else "within sampling noise"
    test = f" Change: {change.test}, {changes.p_value_text(change.p_value)}: {verdict}." if change.test else ""
    return Delta(text, colour, test)


def _tile(label: str, value: str, n: str, delta: Delta, help: str) -> Tile:
    return Tile(label, value, n, delta.text, delta.colour, help + delta.test)


def ratings_tiles(
    run: Runner,
    filters: Filters,
    asked: Mapping[str, int],
    lowest: pd.DataFrame | None = None,
    previous: Filters | None = None,
) -> list[Tile]:
    """The headline tiles of a survey read as ratings (no expectations: Skytrax, the hospital), for
    the Overview and the report alike: responses, overall satisfaction and would-recommend (0-100,
    or yes %), with `previous` each answer's change against it (coloured only beyond sampling noise),
    and with `lowest` (a performance table) the lowest-rated component. `asked`: survey_questions."""
    responses, answers = performance.overall_answers(run, filters)
    moves = performance.overall_changes(answers, performance.overall_answers(run, previous)[1]) if previous else {}
    out = [Tile("Survey responses", f"{responses:,}", "in the filter")]
    for key, answer in answers.items():
        flag = answer.flag_yes is not None
        delta = change_delta(moves, key, 1, " pts" if flag else "") if key in moves else Delta(None, "normal", "")
        value, n = (f"{answer.mean:.1f}", answer.words()) if answer.n else formats.unanswered(asked[f"has_{key}"])
        out.append(
            Tile(
                answer.label.capitalize() + (" (yes %)" if flag else " (0-100)"),
                value,
                n,
                delta.text,
                delta.colour,
                "Percent of maximum possible: 100 × (answer − lowest) / (highest − lowest) on the scale asked."
                + delta.test,
            )
        )
    if lowest is not None:
        if lowest.empty:
            out.append(Tile("Lowest-rated component", "none rated", "no ratings in this filter"))
        else:
            worst = lowest.sort_values("mean_performance").iloc[0]
            out.append(
                Tile(
                    "Lowest-rated component",
                    str(worst["component_name"]),
                    f"{worst['mean_performance']:.1f} / 100 "
                    f"({performance.interval_words(worst['ci_low'], worst['ci_high'])}), n = {int(worst['n']):,}",
                )
            )
    return out


def survey_tiles(now: Headline, moves: dict[str, changes.Change], asked: Mapping[str, int] | None = None) -> list[Tile]:
    """SERVQUAL score unweighted and weighted, CSAT and NPS, each with its n and its change. `asked`
    is the survey_questions row (has_csat, has_nps); without it both questions count as asked."""
    fmt = formats
    asked = asked if asked is not None else {"has_csat": 1, "has_nps": 1}
    csat_none, nps_none = fmt.unanswered(asked["has_csat"]), fmt.unanswered(asked["has_nps"])
    return [
        _tile(
            "SERVQUAL score (unweighted)",
            fmt.fmt_number(now.servqual_unweighted),
            f"{fmt.fmt_n(now.respondents)} respondents",
            change_delta(moves, "servqual_unweighted"),
            "Mean of the ten component gaps, perception − expectation on a 1-7 scale. Below 0: customers "
            "get less than they expect.",
        ),
        _tile(
            "SERVQUAL score (weighted)",
            fmt.fmt_number(now.servqual_weighted) if now.importance_n else "no importance points",
            f"{fmt.fmt_n(now.importance_n)} respondents gave importance points",
            change_delta(moves, "servqual_weighted"),
            "Each respondent's component gaps weighted by their own importance points (normalised to sum 1), "
            "then averaged over the respondents who gave points.",
        ),
        _tile(
            "CSAT (satisfied, 4-5 of 5)",
            fmt.fmt_number(100 * now.csat, 1, " %") if now.csat_n else csat_none[0],
            fmt.fmt_n(now.csat_n) if now.csat_n else csat_none[1],
            change_delta(moves, "csat", 1, " pts"),
            "Share of survey answers of 4 or 5 to overall satisfaction.",
        ),
        _tile(
            "Net Promoter Score",
            fmt.fmt_number(now.nps, 1) if now.nps_n else nps_none[0],
            fmt.fmt_n(now.nps_n) if now.nps_n else nps_none[1],
            change_delta(moves, "nps", 1),
            "% promoters (9-10) − % detractors (0-6) on the 0-10 recommendation question.",
        ),
    ]


def complaint_tiles(now: Headline, moves: dict[str, changes.Change], filters: Filters) -> list[Tile]:
    """Complaint rate (with its change), median first response and resolution (Kaplan-Meier, with
    the median target) and the shares answered and resolved within target."""
    fmt = formats
    scope = complaint_rate_scope(filters)
    rate = change_delta(moves, "complaint_rate")
    within = change_delta(moves, "resolution_within", 1, " pts")
    # complaints, none with a first response: the export does not record it (Boston 311)
    first_missing = now.complaints > 0 and not now.responded_n
    if within.text and not first_missing:
        # two shares on the card, one change: say whose ("77 % / 70 %, -8.0 pts vs previous" did not),
        # after the sign, from which Streamlit draws the arrow ("resolved -8.3 pts" drew a green up arrow)
        within = Delta(within.text.replace(" pts ", " pts resolved ", 1), within.colour, within.test)
    # closed with no time recorded: neither handled in time nor still open (the CFPB's 5,122 closed
    # complaints have no closing date: "n = 0 resolved, 56 still open" left them out of the sentence)
    untimed_first = complaints_untimed(now.complaints, now.responded_n, now.awaiting_first_n)
    untimed = complaints_untimed(now.complaints, now.resolved_n, now.still_open_n)
    first_within = fmt.fmt_within(
        now.first_response_within, now.first_response_n, now.complaints, 0, not_recorded=first_missing
    )
    return [
        Tile(
            scope.label,
            fmt.fmt_number(now.complaint_rate, 2) if now.customers_served else "not recorded",
            f"{now.complaints:,} complaints / {now.customers_served:,} customers"
            if now.customers_served
            else f"{now.complaints:,} complaints; no customers-served data to divide by (import customers-served)",
            rate.text,
            rate.colour,
            (scope.note + rate.test).strip() or None,
            scope.note or None,
        ),
        Tile(
            "Median first response",
            "not recorded"
            if first_missing
            else fmt.fmt_survival_minutes(now.median_first_response, now.awaiting_first_n, now.responded_n),
            # Boston 311 and the CFPB record no first response: their open complaints are not "waiting"
            no_first_response_words(now.complaints)
            if first_missing
            else handled_words(now.responded_n, "answered", now.awaiting_first_n, "still waiting", untimed_first),
            f"target (median) {fmt.fmt_minutes(now.median_first_response_target)}" if now.first_response_n else None,
            "off",
            "Kaplan-Meier: a complaint still waiting counts with its wait so far, so slow ones are not left out.",
        ),
        Tile(
            "Median resolution time",
            "not recorded"
            if untimed and not now.resolved_n
            else fmt.fmt_survival_minutes(now.median_resolution, now.still_open_n, now.resolved_n),
            handled_words(now.resolved_n, "resolved", now.still_open_n, "still open", untimed),
            f"target (median) {fmt.fmt_minutes(now.median_resolution_target)}" if now.resolution_n else None,
            "off",
            "Kaplan-Meier: a complaint still open counts with its age so far, so slow ones are not left out.",
        ),
        Tile(
            # an export without first responses (Boston 311): the one share it has, to its decimal
            "Resolved on time" if first_missing else "Answered / resolved on time",
            fmt.fmt_within(now.resolution_within, now.resolution_n, now.complaints)
            if first_missing and now.resolution_n
            else f"{first_within} / {fmt.fmt_within(now.resolution_within, now.resolution_n, now.complaints, 0)}"
            if now.first_response_n or now.resolution_n or not now.complaints
            else "no target",  # "no targets set" was cut on a quarter-width card at 1440 px
            f"{fmt.fmt_n(now.resolution_n)} judged against a target, {now.late_open_n:,} of them "
            "still open past it (late)"
            if now.resolution_n
            else "no target is set for these complaints"
            if now.complaints
            else fmt.fmt_n(0),
            within.text,
            within.colour,
            ("The export records no first response: only the share resolved on time is shown. " * first_missing)
            + "Targets per channel and priority (service_targets), or a complaint's own deadline where the export "
            "sets one per ticket. A complaint still open after its target has "
            "passed counts as late. The change is that of the share resolved on time." + within.test,
        ),
    ]


@dataclass(frozen=True)
class SurveyView:
    """Which survey tiles a filter's data supports: SERVQUAL gaps (expectations were asked), ratings
    only (performance, with the ratings table), or no survey."""

    servqual: bool
    ratings: pd.DataFrame | None  # performance.performance_table, read only for a survey without gaps
    model: performance.SurveyModel | None

    @property
    def ratings_only(self) -> bool:
        return not self.servqual and self.model is not None and self.model.performance_only

    @property
    def any(self) -> bool:
        return self.servqual or (self.ratings is not None and not self.ratings.empty)


def survey_view(run: Runner, filters: Filters, now: Headline) -> SurveyView:
    """SERVQUAL tiles when the respondents have gaps; else the ratings table is read."""
    if now.respondents > 0 and not math.isnan(now.servqual_unweighted):
        return SurveyView(True, None, None)
    ratings = performance.performance_table(run, filters)
    model = performance.survey_model(ratings)
    return SurveyView(model.rated == 0 and now.respondents > 0, ratings, model)
