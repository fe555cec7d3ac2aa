"""Alert rules: which branches need someone's attention now, on evidence beyond noise.

Each rule is read from a TOML file (see alerts.example.toml) and evaluated for the last whole
calendar month up to a date (the store's last day unless told); it gives Signals, each naming the
branch, the measure, the evidence in words and a link to the dashboard's view. Only
special-cause evidence becomes a signal:

- funnel: the branch is outside its 99.8% funnel limits against the whole network (Spiegelhalter
  2005; exact tails without overdispersion), on the worse side unless `side = "both"`;
- control_chart: the month is beyond the control limits of the branch's ratio to the network
  (observed ÷ expected at the network's value each month, so a seasonal peak every branch shares
  is not a signal; `against = "own history"` charts the branch's own values instead), or ends a
  run of 8 months on one side of its centre line;
- target: the share resolved within target over the month is below the rule's `goal`, and so is
  the upper end of its 95% Wilson interval (a goal nobody set is not a goal: the rule needs one);
- gap_worsened: a component's gap fell from the month before beyond sampling noise (Welch's z,
  p < 0.05: the 95% interval of the fall excludes 0);
- backlog: complaints still open at the month's end for at least `older_than_days` days, at
  least `at_least` of them in a branch.

Pure apart from the query runner it is given; delivery and memory of what was sent are in
servicequality.reports.deliver.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from servicequality import stats
from servicequality.filters import Filters
from servicequality.metrics import consistency, control_charts
from servicequality.stats import changes

Runner = Callable[..., pd.DataFrame]
KINDS = ("funnel", "control_chart", "target", "gap_worsened", "backlog")
CONTROL_MONTHS = 24  # months of history behind a control chart
# Parameters of the alert queries beyond the filter, for callers that run every query with defaults.
QUERY_DEFAULTS: dict[str, object] = {"older_than_days": 30}


class AlertConfigError(ValueError):
    """The alert file asks for something that does not exist; the message says where and what."""


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    measure: str = "complaint_rate"
    side: str = "worse"
    goal: float = math.nan  # target rule: the share within target a branch should reach (0-100)
    older_than_days: int = 30  # backlog rule
    at_least: int = 1  # backlog rule: open complaints that make a signal
    against: str = "network"  # control_chart rule: "network" (its ratio to the network) or "own history"


@dataclass(frozen=True)
class Signal:
    rule: str
    measure: str  # in words
    branch_id: str | None  # None: the whole network
    branch: str  # "Tower Point (B037)" or "the network"
    period: str  # "December 2025"
    evidence: str
    link: str
    key: str  # the same signal has the same key on every run: it is sent once

    def line(self) -> str:
        return f"{self.branch}: {self.measure}, {self.period}. {self.evidence}"

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "measure": self.measure,
            "branch_id": self.branch_id,
            "branch": self.branch,
            "period": self.period,
            "evidence": self.evidence,
            "link": self.link,
            "key": self.key,
        }


_MEASURE_RULES = {"funnel", "control_chart"}


def parse_rules(config: Mapping[str, Any]) -> list[Rule]:
    """The [[rule]] tables of the alert file, checked."""
    raw = config.get("rule", [])
    if not isinstance(raw, list) or not raw:
        raise AlertConfigError("The alert file has no [[rule]] table: nothing to evaluate.")
    rules, names = [], set()
    for i, entry in enumerate(raw, start=1):
        where = f"rule {i} ({entry.get('name', 'unnamed')!r})"
        kind = entry.get("kind")
        if kind not in KINDS:
            raise AlertConfigError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}.")
        known = {"name", "kind", "measure", "side", "goal", "older_than_days", "at_least", "against"}
        if unknown := sorted(set(entry) - known):
            raise AlertConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}.")
        name = str(entry.get("name") or kind)
        if name in names:
            raise AlertConfigError(f"{where}: two rules are named {name!r}; names tell signals apart.")
        names.add(name)
        measure = entry.get("measure", "complaint_rate")
        if kind in _MEASURE_RULES and measure not in consistency.MEASURES:
            raise AlertConfigError(f"{where}: measure {measure!r} is not one of {', '.join(consistency.MEASURES)}.")
        side = entry.get("side", "worse")
        if side not in ("worse", "both"):
            raise AlertConfigError(f"{where}: side must be 'worse' or 'both', not {side!r}.")
        against = entry.get("against", "network")
        if against not in ("network", "own history"):
            raise AlertConfigError(f"{where}: against must be 'network' or 'own history', not {against!r}.")
        goal = entry.get("goal")
        if kind == "target" and not (isinstance(goal, (int, float)) and 0 < goal <= 100):
            raise AlertConfigError(
                f"{where}: a target rule needs goal = the share resolved within target a branch should reach, "
                "in % (for example goal = 80). A goal nobody set is not a goal."
            )
        rules.append(
            Rule(
                name,
                kind,
                measure,
                side,
                float(goal) if goal is not None else math.nan,
                int(entry.get("older_than_days", 30)),
                int(entry.get("at_least", 1)),
                against,
            )
        )
    return rules


def last_whole_month(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The last calendar month that ends on or before `as_of`."""
    next_day = as_of + dt.timedelta(days=1)
    end = as_of if next_day.month != as_of.month else as_of.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _months_back(month_start: dt.date, months: int) -> dt.date:
    index = month_start.year * 12 + month_start.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Context:
    run: Runner
    filters: Filters  # the month evaluated, over the scope
    link_base: str
    labels: Mapping[str, str]  # branch_id -> "Name (id)"

    @property
    def period(self) -> str:
        return f"{self.filters.start:%B %Y}"

    def link(self, page: str, **params: str) -> str:
        pairs = [("period", self.filters.start.isoformat()), ("period", self.filters.end.isoformat())]
        pairs += [(k, v) for k, v in params.items() if v]
        return f"{self.link_base.rstrip('/')}/{page}?{urlencode(pairs)}"

    def key(self, rule: Rule, branch: str | None, extra: str = "") -> str:
        return "|".join((rule.name, rule.kind, rule.measure, branch or "network", f"{self.filters.start:%Y-%m}", extra))


def _value(m: consistency.Measure, value: float, unit: bool = True) -> str:
    return f"{value:.{m.digits}f}{' per 1,000' if unit and m.kind == 'rate' else ''}"


def _interval(m: consistency.Measure, low: float, high: float) -> str:
    return f"{_value(m, low, unit=False)} to {_value(m, high)}"


def _funnel(rule: Rule, ctx: Context) -> list[Signal]:
    m = consistency.MEASURES[rule.measure]
    rows = ctx.run("consistency_branch_measures", ctx.filters.network_wide())
    if rule.measure == "survey_performance":
        rows = consistency.with_performance(rows, ctx.run("branch_performance", ctx.filters.network_wide()))
    if rule.measure == "return_rate":
        rows = consistency.with_returns(rows, ctx.run("customer_returns", ctx.filters.network_wide()))
    view = consistency.funnel_view(consistency.branch_measure(rows, rule.measure), rule.measure)
    if view is None:
        return []
    flagged = set(view.worse) | (set(view.better) if rule.side == "both" else set())
    network = view.funnel.target * m.scale
    out = []
    for r in view.present[view.present["label"].isin(flagged)].itertuples():
        if ctx.filters.branches and r.branch_id not in ctx.filters.branches:
            continue
        side = "worse" if r.label in view.worse else "better"
        out.append(
            Signal(
                rule.name,
                m.label,
                r.branch_id,
                r.label,
                ctx.period,
                f"{_value(m, r.value)} (95% interval {_interval(m, r.ci_low, r.ci_high)}, "
                f"{int(r.volume):,} {m.volume_label}) against the network's {_value(m, network)}: {side} than the "
                "network, outside the 99.8% funnel limits for its volume.",
                ctx.link("consistency", measure=m.label, my_branch=r.branch_id),
                ctx.key(rule, r.branch_id),
            )
        )
    return out


def _control_chart(rule: Rule, ctx: Context) -> list[Signal]:
    m = consistency.MEASURES[rule.measure]
    history = replace(ctx.filters, start=_months_back(ctx.filters.start, CONTROL_MONTHS - 1))
    months = ctx.run("consistency_branch_months", history.network_wide())
    if rule.measure == "survey_performance":
        extra = ctx.run("branch_month_performance", history.network_wide())
        months = consistency.with_performance(months, extra, ("branch_id", "month"))
    if rule.measure == "return_rate":
        extra = ctx.run("customer_returns_months", history.network_wide())
        months = consistency.with_returns(months, extra, ("branch_id", "month"))
    if months.empty:
        return []
    months = months.assign(month=pd.to_datetime(months["month"]))
    against_network = rule.against == "network"
    chart_of = control_charts.control_chart_against_network if against_network else control_charts.control_chart
    wanted = pd.Timestamp(ctx.filters.start)
    out = []
    for branch in sorted(months["branch_id"].unique()):
        if ctx.filters.branches and branch not in ctx.filters.branches:
            continue
        chart = chart_of(months, branch, rule.measure)
        if chart is None or pd.Timestamp(chart.series["month"].iloc[-1]) != wanted:
            continue
        last = chart.chart.iloc[-1]
        beyond, run = bool(last["beyond_limits"]), bool(last["run_of_8"])
        worse = (last["value"] > last["centre"]) != m.higher_is_better
        if not (beyond or run) or (rule.side == "worse" and not worse):
            continue
        out.append(
            Signal(
                rule.name,
                m.label,
                branch,
                ctx.labels.get(branch, branch),
                ctx.period,
                _chart_evidence(m, chart, last, beyond, worse),
                ctx.link("consistency", measure=m.label, my_branch=branch),
                ctx.key(rule, branch),
            )
        )
    return out


def _chart_evidence(
    m: consistency.Measure, chart: control_charts.ControlChart, last: pd.Series, beyond: bool, worse: bool
) -> str:
    months = len(chart.series)
    why = (
        "beyond the limits of its own month-to-month variation"
        if beyond
        else "the 8th month or more in a row on the same side of its usual level"
    )
    verdict = f"{why} ({chart.name}, {months} months), {'worse' if worse else 'better'} than usual."
    mine = chart.series.iloc[-1]
    if "expected" in chart.chart:  # observed / expected at the network's rate that month
        return (
            f"{int(mine['events']):,} against {last['expected']:.1f} expected at the network's "
            f"{'rate' if m.kind == 'rate' else 'share'} that month: ratio {last['value']:.2f}, where the branch "
            f"usually runs at {last['centre']:.2f} of the network (limits {last['lcl']:.2f} to {last['ucl']:.2f}): "
            + verdict
        )
    if "difference" in chart.name:
        return (
            f"{_value(m, mine['value'])} this month, {last['value'] * m.scale:+.{m.digits}f} from the network's; "
            f"usually {last['centre'] * m.scale:+.{m.digits}f} (limits {last['lcl'] * m.scale:+.{m.digits}f} to "
            f"{last['ucl'] * m.scale:+.{m.digits}f}): " + verdict
        )
    return (
        f"{_value(m, last['value'] * m.scale)} against the branch's own average of "
        f"{_value(m, last['centre'] * m.scale)} (limits {_interval(m, last['lcl'] * m.scale, last['ucl'] * m.scale)}): "
        + verdict
    )


def _target(rule: Rule, ctx: Context) -> list[Signal]:
    rows = ctx.run("consistency_branch_measures", ctx.filters)
    out = []
    for r in rows.itertuples():
        n = int(r.targeted_resolution_n or 0) if not pd.isna(r.targeted_resolution_n) else 0
        if not n:
            continue
        within = int(r.resolution_within_target or 0)
        interval = stats.wilson_interval(within, n)
        if 100 * interval.high >= rule.goal:
            continue
        label = ctx.labels.get(r.branch_id, r.branch_id)
        out.append(
            Signal(
                rule.name,
                "Complaints resolved within target",
                r.branch_id,
                label,
                ctx.period,
                f"{within:,} of {n:,} complaints with a target resolved within it ({100 * within / n:.1f} %, 95% "
                f"interval {100 * interval.low:.1f} to {100 * interval.high:.1f} %), below the goal of "
                f"{rule.goal:g} % even at the interval's upper end.",
                ctx.link("complaints", branch=r.branch_id),
                ctx.key(rule, r.branch_id),
            )
        )
    return out


def _gap_worsened(rule: Rule, ctx: Context) -> list[Signal]:
    now = ctx.run("component_gaps", ctx.filters)
    before = ctx.run("component_gaps", ctx.filters.previous_period())
    merged = now.merge(before, on="component_key", suffixes=("", "_before"))
    out = []
    for r in merged.itertuples():
        if not (r.n and r.n_before) or r.n < 2 or r.n_before < 2:
            continue
        change = changes.mean_change(
            r.mean_gap, r.sd_gap, int(r.n), r.mean_gap_before, r.sd_gap_before, int(r.n_before)
        )
        if not (change.beyond_noise and change.difference < 0):
            continue
        out.append(
            Signal(
                rule.name,
                f"SERVQUAL gap: {r.component_name}",
                None,
                "the network" if not ctx.filters.branches else ", ".join(ctx.filters.branches),
                ctx.period,
                f"Gap {r.mean_gap:+.2f} (n = {int(r.n):,}) against {r.mean_gap_before:+.2f} the month before "
                f"(n = {int(r.n_before):,}): {change.difference:+.2f}, {changes.p_value_text(change.p_value)} "
                f"({change.test}): worse beyond sampling noise.",
                ctx.link("gaps", component=r.component_key),
                ctx.key(rule, None, r.component_key),
            )
        )
    return out


def _backlog(rule: Rule, ctx: Context) -> list[Signal]:
    rows = ctx.run("alert_backlog", ctx.filters, older_than_days=rule.older_than_days)
    out = []
    for r in rows[rows["open_complaints"] >= rule.at_least].itertuples():
        out.append(
            Signal(
                rule.name,
                "Backlog of open complaints",
                r.branch_id,
                ctx.labels.get(r.branch_id, r.branch_id),
                ctx.period,
                f"{int(r.open_complaints):,} complaint{'s' if r.open_complaints != 1 else ''} still open on "
                f"{ctx.filters.end:%d %b %Y} after {rule.older_than_days} days or more (the oldest opened "
                f"{pd.Timestamp(r.oldest_opened_at):%d %b %Y}).",
                ctx.link("rows", branch=r.branch_id),
                ctx.key(rule, r.branch_id),
            )
        )
    return out


EVALUATE = {
    "funnel": _funnel,
    "control_chart": _control_chart,
    "target": _target,
    "gap_worsened": _gap_worsened,
    "backlog": _backlog,
}


def evaluate(
    run: Runner, rules: list[Rule], as_of: dt.date, *, link_base: str, branches: tuple[str, ...] = (), min_n: int = 30
) -> list[Signal]:
    """Every rule's signals for the last whole month up to `as_of`, over `branches` (all when empty)."""
    start, end = last_whole_month(as_of)
    filters = Filters(start, end, branches=branches, min_n=min_n)
    names = run("filter_branches")
    labels = dict(zip(names["branch_id"], names["branch_name"] + " (" + names["branch_id"] + ")", strict=True))
    ctx = Context(run, filters, link_base, labels)
    return [signal for rule in rules for signal in EVALUATE[rule.kind](rule, ctx)]
