"""One branch's months as a control chart (p/u, Laney's p′/u′, XmR), on its own or against the
network's same months, the branch it opens on, and what each chart is in words; the limits
themselves are in `stats.consistency`, the per-branch measures in `metrics.consistency`.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from servicequality.metrics.consistency import MEASURES, FunnelView, Measure, branch_measure, on_the_scale
from servicequality.stats.control import EXACT_BELOW, p_chart, u_chart, xmr_chart


def default_control_branch(view: FunnelView, my_branch: str | None, options: list[str] | None = None) -> str:
    """My branch when it has data, else the first branch outside the limits, else the branch with the
    most volume among those with any event (a mean has none to count), else the busiest. `options`:
    the branches the page may show (all present ones by default).

    The first branch by name was a flat line at 0 on the support store ('Adobe Photoshop', no return
    in the period); the busiest one with something to count has the most to show."""
    present = view.present
    if options is not None:
        present = present[present["branch_id"].isin(options)]
    ids = present["branch_id"].tolist()
    if my_branch in ids:
        return my_branch
    outside = present.loc[present["outside"] != 0, "branch_id"]
    if len(outside):
        return outside.iloc[0]
    with_events = present[present["events"].fillna(1) > 0] if "events" in present else present
    candidates = with_events if len(with_events) else present
    return candidates.sort_values("volume", ascending=False, kind="stable")["branch_id"].iloc[0]


CONTROL_FORMULAS = {
    "p chart": "p̄ ± 3·√(p̄(1 − p̄)/nᵢ)",
    "Laney p′ chart": "p̄ ± 3·σ_z·√(p̄(1 − p̄)/nᵢ), σ_z = mean moving range of the z-scores ÷ 1.128 (Laney 2002)",
    "u chart": "ū ± 3·√(ū/Eᵢ)",
    "Laney u′ chart": "ū ± 3·σ_z·√(ū/Eᵢ), σ_z = mean moving range of the z-scores ÷ 1.128 (Laney 2002)",
    "XmR chart": "X̄ ± 2.66·MR̄ (moving ranges above 3.267·MR̄ signal a jump)",
    # every month of few expected events (stats.control.exact_limits)
    "p chart, exact limits": "the counts k/nᵢ beyond which a month has less than a 0.135% chance under "
    "Binomial(nᵢ, p̄), either side (exact probability limits: too few events a month for p̄ ± 3σ)",
    "u chart, exact limits": "the counts k/Eᵢ beyond which a month has less than a 0.135% chance under "
    "Poisson(ū·Eᵢ), either side (exact probability limits: too few events a month for ū ± 3σ)",
}
# A chart whose every month took exact limits is named for them, not for Laney's widening.
EXACT_NAMES = {"proportion": "p chart, exact limits", "rate": "u chart, exact limits"}


def control_formula(name: str, m: Measure) -> str:
    """The chart's limits (CONTROL_FORMULAS), and for a bounded score that they stop at its ends."""
    return CONTROL_FORMULAS[name] + (on_the_scale(m) if name == "XmR chart" else "")


class ControlChart(NamedTuple):
    series: pd.DataFrame  # the branch's months with volume: branch_measure rows plus month
    chart: pd.DataFrame  # centre, limits and signals per month, plus n
    name: str  # a key of CONTROL_FORMULAS
    beyond: list  # months beyond the limits
    runs: int  # months in a run of 8 or more on one side
    runs_checked: bool = True  # False: too few events a month for the run rule (stats.control.run_rule_holds)


def control_chart(months: pd.DataFrame, branch: str, key: str, laney: bool = True) -> ControlChart | None:
    """One branch's months as a p/u chart (Laney's p′/u′ when `laney`) or an XmR chart for means;
    None when the branch has no month with volume."""
    m = MEASURES[key]
    mine = months[months["branch_id"] == branch]
    series = branch_measure(mine, key)
    series["month"] = mine["month"].to_numpy()
    series = series[(series["volume"] > 0) & series["raw"].notna()].reset_index(drop=True)
    if series.empty:
        return None
    if m.kind == "proportion":
        chart, name = p_chart(series["events"], series["volume"], laney=laney), "Laney p′ chart" if laney else "p chart"
    elif m.kind == "rate":
        chart, name = u_chart(series["events"], series["volume"], laney=laney), "Laney u′ chart" if laney else "u chart"
    else:
        chart, name = xmr_chart(series["raw"]), "XmR chart"
        if m.bounds is not None:
            # X̄ ± 2.66·MR̄ can pass a bounded score's ends (a branch near 100): drawn at the scale's
            # end, which moves no signal, since no month can lie beyond it
            chart[["lcl", "ucl"]] = chart[["lcl", "ucl"]].clip(*m.bounds)
    if m.kind in EXACT_NAMES and chart["exact"].all():
        name = EXACT_NAMES[m.kind]
    chart["n"] = series["volume"].to_numpy()
    beyond = series.loc[chart["beyond_limits"].to_numpy(), "month"].tolist()
    return ControlChart(series, chart, name, beyond, int(chart["run_of_8"].sum()), _runs_checked(chart))


def control_chart_against_network(
    months: pd.DataFrame, branch: str, key: str, laney: bool = True
) -> ControlChart | None:
    """One branch's months against the network's same months, so that what every branch shares
    (a seasonal peak, a network-wide change) cancels and what is left is the branch's own.

    Counts (rates, shares): a u′ chart of observed ÷ expected events, expected_i = the branch's
    volume_i × the network's value in month i (indirect standardisation; Laney's widening as in
    control_chart). Means: an XmR chart of the branch's mean − the network's mean each month.
    `months` must hold every branch of the network (consistency_branch_months, network-wide).
    Sources: Spiegelhalter (2005), Statistics in Medicine 24:1185-1202 (indirectly standardised
    ratios); Laney (2002), Quality Engineering 14(4):531-537; Wheeler & Chambers, ch. 9.
    """
    m = MEASURES[key]
    rows = branch_measure(months, key)
    rows["month"] = months["month"].to_numpy()
    rows = rows[(rows["volume"] > 0) & rows["raw"].notna()]
    if m.kind == "mean":
        weighted = (rows["raw"] * rows["volume"]).groupby(rows["month"]).sum()
        network = weighted / rows.groupby("month")["volume"].sum()
    else:
        network = rows.groupby("month")["events"].sum() / rows.groupby("month")["volume"].sum()
    series = rows[rows["branch_id"] == branch].reset_index(drop=True)
    if series.empty:
        return None
    reference = series["month"].map(network).to_numpy()
    if m.kind == "mean":
        chart, name = xmr_chart(series["raw"].to_numpy() - reference), "XmR chart of the difference from the network"
    else:
        expected = series["volume"].to_numpy() * reference
        chart = u_chart(series["events"], expected, laney=laney)
        name = "Laney u′ chart of observed ÷ expected" if laney else "u chart of observed ÷ expected"
        chart["expected"] = expected
    chart["n"] = series["volume"].to_numpy()
    beyond = series.loc[chart["beyond_limits"].to_numpy(), "month"].tolist()
    return ControlChart(series, chart, name, beyond, int(chart["run_of_8"].sum()), _runs_checked(chart))


def _runs_checked(chart: pd.DataFrame) -> bool:
    return bool(chart["runs_checked"].all()) if "runs_checked" in chart else True


RUNS_NOT_CHECKED = (
    "Runs on one side of the centre line are not looked for: with this few {volume} a month most months "
    "fall on the same side of the line by chance (mostly none at all), so a run of 8 would be no sign of a shift."
)


# What each control chart is, in plain words (shown under the chart).
CHART_WORDS = {
    "proportion": "Laney p′ chart: each month's share with limits 3 standard errors either side of the branch's "
    "average, widened (or narrowed) by how much the months really vary beyond sampling noise, so that large "
    "volumes do not make every month look special.",
    "rate": "Laney u′ chart: each month's rate per 1,000 with limits 3 standard errors either side of the "
    "branch's average, widened (or narrowed) by how much the months really vary beyond sampling noise.",
    "mean": "XmR chart: each month's value (X) with limits 2.66 average moving ranges (mR, the change from one "
    "month to the next) either side of the branch's average; a month outside them is more than routine "
    "variation.",
}
PLAIN_CHART_WORDS = {
    "proportion": "p chart: each month's share with limits 3 standard errors (from that month's volume) either "
    "side of the branch's average.",
    "rate": "u chart: each month's rate with limits 3 standard errors (from that month's volume) either side of "
    "the branch's average.",
}


# Below this median volume a month (XmR chart of means), a month's mean swings with one answer and
# the limits span most of the scale: "no month beyond the limits" then says little.
THIN_MONTH = 10


def thin_months_words(m: Measure, chart: pd.DataFrame) -> str | None:
    """For an XmR chart whose months hold few answers (median n under THIN_MONTH), what its silence
    is worth: Skytrax's Bangkok lounge, a median of 1.5 reviews a month, had limits of about 4 to 100
    on a 0-100 scale and read only "No month beyond the control limits"."""
    if m.kind != "mean" or "n" not in chart or chart.empty:
        return None
    median = float(chart["n"].median())
    if median >= THIN_MONTH:
        return None
    label = m.volume_label[:-1] if median == 1 and m.volume_label.endswith("s") else m.volume_label  # respondent
    return (
        f"Its months hold a median of {median:g} {label}: each month's value moves a lot with a single "
        "one, so the limits are wide and only an extreme month could fall outside them."
    )


def chart_words(kind: str, laney: bool, chart: pd.DataFrame | None = None) -> str:
    """The control chart in plain words: what a point is and where its limits come from, and which
    months took exact limits for their few expected events (stats.control.exact_limits)."""
    exact = int(chart["exact"].sum()) if chart is not None and "exact" in chart else 0
    if kind != "mean" and exact and exact == len(chart):
        model = "binomial" if kind == "proportion" else "Poisson"
        return (
            f"{EXACT_NAMES[kind]}: each month's {'share' if kind == 'proportion' else 'rate'} "
            f"against the branch's average. Every month expected fewer than {EXACT_BELOW:g} events at that "
            f"average, too few for limits 3 standard errors either side, so the limits are exact {model} ones: "
            "the counts with less than a 0.135% chance either side."
        )
    words = CHART_WORDS[kind] if laney or kind == "mean" else PLAIN_CHART_WORDS[kind]
    if exact:
        which = "Every month" if exact == len(chart) else f"{exact} of the {len(chart)} months"
        model = "binomial" if kind == "proportion" else "Poisson"
        words += (
            f" {which} expected fewer than {EXACT_BELOW:g} events at the branch's average: too few for those "
            f"limits, so {'its' if exact == 1 else 'their'} limits are exact {model} ones instead, the counts "
            "with less than a 0.135% chance either side."
        )
    return words
