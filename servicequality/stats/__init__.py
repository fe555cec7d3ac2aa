"""Pure statistics: no queries, no Streamlit, no page shaping. Each function names its formula and
source and is tested against a hand-worked example and an independent reference.

- `estimates`: intervals for means (on a bounded scale too), shares and NPS; rates; weights; the SERVQUAL score.
- `servqual`: gap intervals, paired t tests, adequacy and superiority, Cronbach's alpha, quadrants.
- `consistency`: funnel limits, overdispersion, control charts, shrinkage, spread, Kruskal-Wallis.

The names of `estimates` are also here: `stats.wilson_interval(...)`.
"""

from servicequality.stats.estimates import (
    NAN_INTERVAL,
    Interval,
    bounded_mean_interval,
    mean_confidence_interval,
    net_promoter_score,
    normalise_weights,
    nps_interval,
    rate_per_1000,
    relative_change,
    servqual_score,
    wilson_interval,
)

__all__ = [
    "NAN_INTERVAL",
    "Interval",
    "bounded_mean_interval",
    "mean_confidence_interval",
    "net_promoter_score",
    "normalise_weights",
    "nps_interval",
    "rate_per_1000",
    "relative_change",
    "servqual_score",
    "wilson_interval",
]
