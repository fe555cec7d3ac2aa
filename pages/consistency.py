"""Branch consistency: how far branches differ from each other and from the network on one
measure: branch against network, funnel plot with limits, control chart over time, ranking with
shrinkage, and the spread across branches."""

import math

import pandas as pd
import streamlit as st

from servicequality import ui
from servicequality.charts import consistency as cc
from servicequality.charts.common import interval_bars, stored, wrap_title
from servicequality.metrics import complaints, consistency, control_charts, performance

filters = ui.current_filters()

st.title("Branch consistency")
st.caption(filters.describe())
contents = ui.query("store_contents").iloc[0]
if sentence := performance.store_model_sentence(ui.query("store_contents")):
    st.caption(sentence)

ADJUSTMENTS = {
    "auto": "Automatic: widen by φ only when overdispersed",
    "none": "None: sampling noise only (exact limits)",
    "multiplicative": "Multiplicative φ (always)",
    "additive": "Additive random effects τ²",
}
CHART_NAMES = {"proportion": "Laney p′ chart", "rate": "Laney u′ chart", "mean": "XmR chart (individuals)"}

rows = ui.network_query("consistency_branch_measures", filters)
# The page opens on a measure this store has data for: a survey without expectations has ratings
# (read from the base view only when there are no gaps), a store without surveys has complaints.
no_gaps = rows["gap_n"].fillna(0).sum() == 0
has_ratings = no_gaps and not ui.network_query("branch_performance", filters).empty
available = consistency.measures_with_data(rows, has_ratings, bool(contents["has_visits"]))
if not available:
    st.info(
        "No measure here can compare the branches: the complaint rate needs customers served (import "
        "customers-served), the share resolved within target needs targets (import targets), and the survey "
        "measures need responses."
    )
    st.stop()
left, right = st.columns([3, 2])  # the measures' names are the longer ones
with left:
    key = st.selectbox(
        "Measure",
        available,
        format_func=lambda k: consistency.MEASURES[k].label,
        key="measure",
        bind="query-params",
    )
with right:
    adjustment = st.selectbox(
        "Overdispersion adjustment of the funnel limits",
        list(ADJUSTMENTS),
        format_func=ADJUSTMENTS.get,
        key="funnel_adjustment",
        help="Spiegelhalter (2005): when branches differ by more than sampling noise for reasons nobody can act on, "
        "plain limits flag too many; φ (multiplicative) or τ² (additive) widens them.",
    )
m = consistency.MEASURES[key]
if key == "complaint_rate" and (note := complaints.rate_scope(filters).note):
    st.caption(note)
suffix = " %" if m.unit == "%" else ""
points = " pts" if m.unit == "%" else ""  # a difference of shares: percentage points
min_volume = consistency.minimum_volume(key, filters.min_n)

if key == "survey_performance":
    rows = consistency.with_performance(rows, ui.network_query("branch_performance", filters))
if key == "return_rate":
    rows = consistency.with_returns(rows, ui.network_query("customer_returns", filters))
    st.caption(
        f"A customer counts at their first visit in the period and came back when they visited again within "
        f"{filters.return_days} days (the sidebar's return window); customers seen too recently to judge are left out."
    )
measure, placeholders = consistency.without_placeholders(consistency.branch_measure(rows, key))
if left_out := consistency.placeholder_words(placeholders, m):
    st.caption(left_out)
view = consistency.funnel_view(measure, key, adjustment)
my_label = None
if filters.my_branch:
    mine = measure.loc[measure["branch_id"] == filters.my_branch, "label"]
    my_label = mine.iloc[0] if len(mine) else None

if view is None:
    st.info(f"No branch has {m.volume_label} in this period: nothing to compare.")
    st.stop()

present, funnel, worse, better = view.present, view.funnel, view.worse, view.better
# With a scope (a manager), a peer's own figure is shown only from the minimum n up: the
# sidebar's, but never below the default (a link with min_n=2 would show every small peer).
shown = consistency.shown_branches(present, filters.scope, max(min_volume, consistency.minimum_volume(key, 30)))
ranked, not_ranked = consistency.ranking(measure, key, min_volume)
# branches that differ no more than chance (τ = 0) are not ranked: every one would be #1
noise = consistency.ranks_noise(ranked, m, min_volume) if not ranked.empty else None
counted = consistency.ranked_words(len(ranked), noise=bool(noise))

# One branch has nothing to be compared with: no funnel, no ranking, only its own control chart.
comparable = len(present) >= 2
if not comparable:
    st.info(
        f"Only one branch, {present['label'].iloc[0]}, has {m.volume_label} in this filter: there is nothing to "
        "compare it with, so there is no funnel plot or ranking. Its month-by-month control chart is below."
    )
else:
    row = st.columns(4)
    with row[0]:
        ui.metric(
            # the measure under the value: "Network: Survey performance (0-100)" was cut on a quarter card
            "Network",
            ui.fmt_number(funnel.target * m.scale, m.digits, suffix),
            n=f"{m.short}; n = {int(present['volume'].sum()):,} {m.volume_label}",
        )
    with row[1]:
        ui.metric(
            "Outside 99.8% limits",
            f"{len(worse) + len(better)} of {len(present)}",
            n=f"{len(worse)} worse, {len(better)} better than the network",
            help="Funnel plot limits: a branch outside them differs from the network by more than chance would "
            "explain (about 1 in 500 by chance alone).",
        )
    with row[2]:
        spread = consistency.spread(ranked)
        if m.kind == "mean":
            ui.metric(
                "Spread: SD / P80 − P50",
                f"{ui.fmt_number(spread.sd, 2)} / {ui.fmt_number(spread.p80_p50, 2)}",
                n=counted,
                help="A coefficient of variation is meaningless for a gap near 0, so the standard deviation of the "
                "branch gaps is shown instead.",
            )
        else:
            ui.metric(
                "Spread: CV / P80 − P50",
                f"{ui.fmt_number(100 * spread.cv, 1, ' %')} / {ui.fmt_number(spread.p80_p50, m.digits)}",
                # the unit of P80 − P50 under the card: with it the value ran out of a quarter row
                n=counted + ("; P80 − P50 in points" if points else ""),
                help="Coefficient of variation = SD of the branch values ÷ their mean. P80 − P50: how far the fifth "
                f"of branches at the top sits from the median branch, in {consistency.difference_unit(m)}.",
            )
    with row[3]:
        ui.metric(
            "Overdispersion φ",
            ui.fmt_number(funnel.phi, 2),
            delta="overdispersed" if funnel.overdispersed else "within sampling noise",
            delta_color="off",
            n=f"{len(present)} branches; τ = {ui.fmt_number(math.sqrt(funnel.tau2) * m.scale, m.digits, points)}",
            help="Mean squared winsorised z-score: about 1 when branches differ only by chance. Tested with "
            "I·φ against χ² on I − 1 degrees of freedom.",
        )

    if filters.my_branch:
        st.subheader("My branch")
        ui.my_branch_strip(filters, key="consistency")

    # --- branch against network ----------------------------------------------------------------------
    st.subheader("Each branch against the network")
    dots = consistency.dot_plot_branches(present, shown, min_volume, m.higher_is_better)
    if dots.too_few:
        st.caption(consistency.dot_plot_left_out(dots.too_few, min_volume, key))
    if dots.rows.empty:
        st.info(f"No branch has at least {min_volume:,} {m.volume_label}: none to plot on its own.")
    else:
        ui.chart(
            interval_bars(
                dots.rows,
                label="label",
                n_words=m.volume_label,
                title=f"{m.short} by branch, best first",
                # short, in lines of 20: centred under a plot that long branch names leave 130 px
                # wide on a phone, the long label ran off the figure ("...ratin")
                value_title=wrap_title(f"{m.short}, 95% interval", 20),
                reference=funnel.target * m.scale,
                highlight=my_label,
                higher_is_better=m.higher_is_better,
                digits=m.digits,
                dots=True,
                ids="branch_id",
            ),
            key="consistency_branches",
            filename=f"{key}_by_branch",
            select=ui.CrossFilter("branch", "customdata:-1"),
        )
        if chance := consistency.dot_plot_chance(dots.rows, funnel.target * m.scale):
            st.caption(chance)
    ui.how_computed(
        "Each branch's raw value with its 95% interval (Wilson for shares, exact Poisson for rates, t for gaps, "
        "t on the logit of the 0-100 score for survey performance, so it stays within 0-100); "
        "the dashed line is the network value pooled over all branches. Blue: the whole interval is better than the "
        "network, red: wholly worse, grey: the interval includes the network value.",
        filters,
        f"{int(present['volume'].sum()):,} {m.volume_label} in {len(present)} branches",
        ([f"{len(measure) - len(present)} branches without {m.volume_label}"] if len(present) < len(measure) else [])
        + ([consistency.dot_plot_left_out(dots.too_few, min_volume, key)] if dots.too_few else []),
    )

    # --- funnel plot -----------------------------------------------------------------------------------
    st.subheader("Funnel plot: who is outside the limits?")
    ui.chart(
        cc.funnel_plot(
            funnel,
            present["label"],
            m,
            title=f"{m.short} against volume, with 95% and 99.8% limits",
            highlight=my_label,
            ids=present["branch_id"],
            shown=shown,
        ),
        key="consistency_funnel",
        filename=f"{key}_funnel",
        select=ui.CrossFilter("branch", "customdata:-1"),
        hint="Click a branch's dot to filter the dashboard by it.",
        wide=True,  # a phone's 275 px plot cannot hold the names of the branches outside the limits
    )
    if worse or better:
        if worse:
            st.markdown(f"**Worse than the network, outside the 99.8% limits:** {', '.join(worse)}")
        if better:
            st.markdown(f"**Better than the network, outside the 99.8% limits:** {', '.join(better)}")
    else:
        st.markdown("**No branch is outside the 99.8% limits**: the differences are within what chance would explain.")
    if view.between:
        st.caption(f"Between the 95% and 99.8% limits (watch, do not act yet): {', '.join(view.between)}")
    limits_words = consistency.limits_in_words(funnel, m)
    ui.how_computed(
        f"Each dot is a branch: its value against its volume ({m.volume_label}, log scale). The centre line is "
        f"the network value θ₀ = {funnel.target * m.scale:.{m.digits}f}; the limits are where a branch with that "
        f"volume would fall 95% and 99.8% of the time if it were really at θ₀: **{limits_words}** limits "
        f"(Spiegelhalter 2005, with the interpolation of the discrete quantiles). Overdispersion "
        f"φ = {funnel.phi:.2f}: the mean squared z-score after "
        "winsorising the top and bottom 10%, so the outliers themselves do not widen the limits"
        + (" (significant: I·φ > χ²₀.₉₅ on I − 1 df)." if funnel.overdispersed else " (not significant)."),
        filters,
        f"{len(present)} branches, {int(present['volume'].sum()):,} {m.volume_label}",
    )

# --- control chart ---------------------------------------------------------------------------------
st.subheader("Control chart over time")
options = present.loc[shown, "branch_id"].tolist()
default_branch = control_charts.default_control_branch(view, filters.my_branch, options)
default_branch = default_branch if default_branch in options else options[0]
labels = dict(zip(present["branch_id"], present["label"], strict=False))
left, right = st.columns([2, 1])
with left:
    branch = st.selectbox(
        "Branch", options, index=options.index(default_branch), format_func=labels.get, key="consistency_branch"
    )
with right:
    laney = st.checkbox(
        "Laney adjustment for large samples",
        value=True,
        key="consistency_laney",
        disabled=m.kind == "mean",
        help="With hundreds of customers a month, plain p/u limits are so narrow that every month "
        "looks special; Laney's p′/u′ widens them by the month-to-month variation.",
    )
months = ui.network_query("consistency_branch_months", filters)
if key == "survey_performance":
    months = consistency.with_performance(
        months, ui.network_query("branch_month_performance", filters), ("branch_id", "month")
    )
if key == "return_rate":
    # month by month, a customer counts in each month they visit (customer_returns_months)
    months = consistency.with_returns(
        months, ui.network_query("customer_returns_months", filters), ("branch_id", "month")
    )
control = control_charts.control_chart(months, branch, key, laney)
if control is None:
    st.info("No months with data for this branch in the period.")
elif len(control.series) < 2:
    st.info("Only one month with data for this branch in the period: a control chart needs at least two.")
else:
    series, chart, chart_name = control.series, control.chart, control.name
    ui.chart(
        cc.control_chart(
            chart, series["month"], m, title=f"{stored(labels[branch])}: {m.short} month by month ({chart_name})"
        ),
        key="consistency_control",
        filename=f"{key}_control_chart_{branch}",
        select=ui.CrossFilter("month", "x"),
    )
    st.caption(control_charts.chart_words(m.kind, laney, chart))
    if control.beyond:
        st.markdown(
            "**Special causes beyond the limits:** " + ", ".join(f"{pd.Timestamp(x):%b %Y}" for x in control.beyond)
        )
    else:
        st.markdown("**No month beyond the control limits.**")
    if thin := control_charts.thin_months_words(m, chart):
        st.caption(thin)
    if control.runs:
        st.markdown(
            f"**{control.runs} months are part of a run of 8 or more on one side of the centre line** (a shift)."
        )
    elif not control.runs_checked:
        st.caption(control_charts.RUNS_NOT_CHECKED.format(volume=m.volume_label))
    formula = control_charts.control_formula(chart_name, m)
    ui.how_computed(
        f"One point per month for this branch; centre line = the branch's own value over the period; limits {formula}. "
        "Marked: points beyond the limits (special causes) and runs of 8 or more on one side of the centre line.",
        filters,
        f"{len(series)} months, {int(series['volume'].sum()):,} {m.volume_label}",
        ["months with no volume"],
    )

if comparable:
    # --- ranking -----------------------------------------------------------------------------------------
    st.subheader("Ranking, with shrinkage toward the network")
    if ranked.empty:
        st.info(f"No branch has at least {min_volume:,} {m.volume_label} in this period, so none is ranked.")
    elif noise:
        st.info(noise)
    else:
        ui.chart(
            cc.ranking_chart(
                ranked,
                m,
                title=f"Branches ranked on {m.short} (1 = best), shrunk toward the network",
                highlight=my_label,
            ),
            key="consistency_ranking",
            filename=f"{key}_ranking",
            select=ui.CrossFilter("branch", "customdata:-1"),
        )
        if len(ranked) > 1:  # one branch has no spread to estimate
            st.caption(consistency.tau_words(float(ranked["tau"].iloc[0]), math.sqrt(funnel.tau2) * m.scale, m))
    ui.how_computed(
        "Empirical Bayes (normal-normal): τ² by the method of moments (DerSimonian-Laird); each branch's estimate "
        "θ̂ = B·μ + (1 − B)·y with B = s²/(s² + τ²), s² its sampling variance at the network value; 95% interval "
        "θ̂ ± 1.96·√((1 − B)s² + B²/Σw)"
        + consistency.on_the_scale(m, "cut at")
        + ". Ranked on θ̂; the open circle is the raw value.",
        filters,
        counted,
        [
            f"{len(not_ranked)} branches with fewer than {min_volume:,} {m.volume_label} are not ranked"
            + (
                f" ({', '.join(not_ranked['label'].head(8))}{'…' if len(not_ranked) > 8 else ''})"
                if len(not_ranked)
                else ""
            )
        ]
        if len(not_ranked)
        else [],
    )

    # --- spread --------------------------------------------------------------------------------------------
    st.subheader("Spread across branches")
    if len(ranked) < 2:
        st.info("Fewer than two ranked branches: no spread to show.")
    else:
        ui.chart(
            cc.spread_strip(ranked, m, title=f"{m.short}: every ranked branch", highlight=my_label),
            key="consistency_spread",
            filename=f"{key}_spread",
            select=ui.CrossFilter("branch", "customdata:-1"),
            hint="Click a branch's dot to filter the dashboard by it.",
        )
    if key == "survey_gap":
        kw, words = consistency.gap_difference(ui.network_query("consistency_gap_rank_sums", filters))
        st.markdown("**Do branches differ on the survey gap?** " + words)
        how = (
            "Kruskal-Wallis test on every respondent's overall gap (mean of their component gaps), ranked over all "
            "branches in SQL (average ranks for ties); H = [12/(N(N+1))·Σ Rᵢ²/nᵢ − 3(N+1)] ÷ (1 − Σ(t³ − t)/(N³ − N)), "
            "χ² on k − 1 df. ε² = H/(N − 1) says how large the difference is, not only whether it exists."
        )
        n_text = f"{kw.n:,} respondents in {kw.df + 1} branches"
    else:
        st.markdown(consistency.difference_in_words(view, m))
        how = (
            "Heterogeneity: Σ z² against χ² on I − 1 degrees of freedom, z each branch's standardised difference from "
            "the network (Pearson's χ² for shares and rates). Overdispersion φ: the same after winsorising the top and "
            "bottom 10% of z, tested with I·φ against χ² on I − 1 df (Spiegelhalter 2005)."
        )
        n_text = f"{len(present)} branches"
    ui.how_computed(
        how + " Spread: coefficient of variation (SD ÷ mean of the ranked branch values; not for gaps) and P80 − P50.",
        filters,
        n_text,
    )
