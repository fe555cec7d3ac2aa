"""The catalogue: every dimension the dashboard can filter, split or drill by, and every measure
Explore offers, declared once.

The sidebar, the URL, the filter chips, cross-filtering (a chart click), Explore's splits, the
drill-down cells and the query parameters all read this table. Adding a dimension is one entry
here, plus the columns its queries read (queries/) and tests.

A dimension's `selection` is the sidebar's multi-value filter: the `Filters` field and the bound
SQL parameter (`$regions`, ...), `null` when nothing is selected. Its `key` is the sidebar widget's
key, the URL key (`?region=North`), the cross-filter dimension, Explore's `dim1`/`dim2` value and
the drill-down cell (`$cell_region`, `?rows_region=`).

A measure names its label and unit, the formula and interval in words ("How is this computed?"),
the queries that compute it (`reads`) and where its statistic lives (`statistic`): the path from a
number to its source, one hop each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str  # words for the sidebar, Explore and the drill-down
    chip: str  # the shorter words a filter chip shows before the value
    selection: str | None = None  # Filters field and $parameter of the sidebar's multi-select
    placeholder: str = ""  # the empty multi-select's text
    help: str | None = None
    served: bool = False  # customers served are recorded per value (branch attributes and time)
    ordinal: bool = False  # keep the natural order (time) rather than sort by value
    clickable: bool = False  # a click on a chart's point can set it (cross-filtering)
    surveys: bool = True  # applies to survey responses (complaint categories do not)
    describe_when_empty: bool = True  # said as "...: all" in "How is this computed?" notes
    column: str = ""  # the column a selection filters, the same in the base views and the rollups


# Explore's order: the first is Explore's default first dimension.
DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("region", "Region", "Region", "regions", "All regions", served=True, clickable=True, column="region"),
        Dimension(
            "branch", "Branch", "Branch", "branches", "All branches", served=True, clickable=True, column="branch_id"
        ),
        Dimension(
            "branch_type",
            "Branch type",
            "Branch type",
            "branch_types",
            "All branch types",
            served=True,
            clickable=True,
            describe_when_empty=False,
            column="branch_type",
        ),
        Dimension("channel", "Channel", "Channel", "channels", "All channels", clickable=True, column="channel"),
        Dimension(
            "category",
            "Complaint category",
            "Category",
            "categories",
            "All categories",
            help="Narrows complaints and other tickets only; survey answers have no category.",
            clickable=True,
            surveys=False,
            describe_when_empty=False,
            column="category",
        ),
        Dimension("family", "Category family", "Family", surveys=False),
        Dimension(
            "component",
            "Service component",
            "Component",
            "components",
            "All components",
            help="Narrows survey scores to these components and complaints to categories that point at them.",
            clickable=True,
            describe_when_empty=False,
            column="component_key",
        ),
        Dimension(
            "segment", "Customer segment", "Segment", "segments", "All segments", clickable=True, column="segment"
        ),
        Dimension("month", "Month", "Month", served=True, ordinal=True, clickable=True),
        Dimension("weekday", "Weekday", "Weekday", served=True, ordinal=True),
    )
}

# The sidebar's multi-selects, top to bottom; filter chips follow the same order.
SIDEBAR_ORDER: tuple[str, ...] = ("region", "branch", "channel", "segment", "branch_type", "category", "component")

# The selections in the order queries bind them and "How is this computed?" describes them.
SELECTIONS: tuple[str, ...] = (
    "regions",
    "branch_types",
    "branches",
    "channels",
    "segments",
    "categories",
    "components",
)

BY_SELECTION: dict[str, Dimension] = {d.selection: d for d in DIMENSIONS.values() if d.selection}


# Which dimensions split which facts: tickets take every dimension, survey answers no complaint
# category (nor family), and a survey response's one-per-response answers no component either.
TICKET_DIMS = frozenset(DIMENSIONS)
SURVEY_DIMS = frozenset(k for k, d in DIMENSIONS.items() if d.surveys)
RESPONSE_DIMS = SURVEY_DIMS - {"component"}
# Compliments and visits have no complaint category (nor its family or component).
PRAISE_DIMS = TICKET_DIMS - {"category", "family", "component"}
VISIT_DIMS = PRAISE_DIMS


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # selectbox and chart title
    axis: str  # value axis title, in words with the unit
    source: str  # 'complaints' (counts), 'rate', 'tickets' (handling times), 'within' (resolved within
    # target), 'survey' (gap, perception), 'responses', 'performance' (ratings on any scale)
    dims: frozenset[str]
    survey: bool  # survey measures: cells below the minimum number of responses are suppressed
    digits: int
    n_words: str  # what n counts
    rows: str  # drilldown kind behind a cell ("" when there are no rows to show: visits)
    formula: str
    interval: str  # how the 95% interval is computed, or why there is none
    unit: str = ""  # ' %' or ''
    bounds: tuple[float, float] | None = None  # the scale's range: intervals are clipped to it
    reads: tuple[str, ...] = ()  # the queries (queries/*.sql) that compute it, Explore's first
    statistic: str = ""  # where its estimate and interval are computed
    # what a filter with no value of it lacks, where that is not n_words: a median's n counts the
    # open complaints too, but without one answered there is no median ("no complaints answered")
    lacking: str = ""

    @property
    def none_words(self) -> str:
        """The words of "Nothing to show: no ... in this period": `lacking`, else what n counts."""
        return self.lacking or self.n_words


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "count",
            "Complaints (count)",
            "Complaints",
            "complaints",
            TICKET_DIMS,
            False,
            0,
            "complaints",
            "complaints",
            "Complaints opened in the period, counted per cell.",
            "none: a count of every complaint, not a sample",
            reads=("explore_complaints", "complaint_summary"),
            statistic="a count",
        ),
        Measure(
            "complaint_rate",
            "Complaints per 1,000 customers served",
            "Complaints per 1,000 customers served",
            "rate",
            TICKET_DIMS,
            False,
            2,
            "complaints",
            "complaints",
            "Complaints ÷ customers served × 1,000. Customers served are counted per branch and day, so "
            "branch, region, branch type, month and weekday split them; channel, segment, category, family and "
            "component split the complaints only (each cell's complaints over all the customers served in its "
            "branch and time cell, so the cells add up to the total rate).",
            "exact Poisson (Garwood)",
            reads=("explore_complaints", "complaint_summary", "consistency_branch_measures"),
            statistic="stats/estimates.py: rate_per_1000; stats/consistency.py: poisson_rate_interval",
        ),
        Measure(
            "gap",
            "SERVQUAL gap (perception − expectation)",
            "Gap: perception − expectation (points, 1-7 scale)",
            "survey",
            SURVEY_DIMS,
            True,
            2,
            "respondents",
            "responses",
            "Each respondent's gap is the mean over the components they scored of (mean perception − mean "
            "expectation over the component's items); the cell's gap is the mean over its respondents. With "
            "component as a dimension, the respondent's gap on that component.",
            "t interval on the respondents' gaps",
            bounds=(-6.0, 6.0),
            reads=("explore_survey", "component_gaps", "consistency_branch_measures"),
            statistic="stats/estimates.py: mean_confidence_interval; stats/servqual.py: gap_with_interval",
        ),
        Measure(
            "perception",
            "Perception (1-7)",
            "Mean perception (1-7 scale)",
            "survey",
            SURVEY_DIMS,
            True,
            2,
            "respondents",
            "responses",
            "Each respondent's perception is the mean over the components they scored of their mean item "
            "perception; the cell's value is the mean over its respondents.",
            "t interval on the respondents' perceptions",
            bounds=(1.0, 7.0),
            reads=("explore_survey", "component_gaps"),
            statistic="stats/estimates.py: mean_confidence_interval",
        ),
        Measure(
            "performance",
            "Survey performance (0-100)",
            "Performance (0 = worst answer, 100 = best)",
            "performance",
            SURVEY_DIMS,
            True,
            1,
            "respondents",
            "responses",
            "Each respondent's score on a component is the mean of their ratings of its items as percent of "
            "maximum possible, 100 × (rating − lowest) / (highest − lowest), so surveys on any scale compare, with "
            "or without expectations; the respondent's value is the mean over the components they rated, the "
            "cell's the mean over its respondents. With component as a dimension, the respondent's score on it.",
            "t interval on the respondents' scores",
            bounds=(0.0, 100.0),
            reads=("explore_performance", "component_performance"),
            statistic="stats/estimates.py: mean_confidence_interval",
        ),
        Measure(
            "first_response",
            "Median first response (minutes)",
            "Median minutes to first response",
            "tickets",
            TICKET_DIMS,
            False,
            1,
            "complaints, answered or still waiting",
            "complaints",
            "Median minutes from opening to the first response (Kaplan-Meier): a complaint still waiting "
            "counts with its wait so far (censored at the data's last recorded moment).",
            "none shown for a median",
            reads=("explore_tickets", "handling_summary"),
            statistic="Kaplan-Meier in SQL (checked against scipy.stats.ecdf)",
            lacking="complaints answered",
        ),
        Measure(
            "resolution",
            "Median resolution time (hours)",
            "Median hours to resolution",
            "tickets",
            TICKET_DIMS,
            False,
            1,
            "complaints, resolved or still open",
            "complaints",
            "Median hours from opening to resolution (Kaplan-Meier): a complaint still open counts with "
            "its age so far (censored at the data's last recorded moment).",
            "none shown for a median",
            reads=("explore_tickets", "handling_summary"),
            statistic="Kaplan-Meier in SQL (checked against scipy.stats.ecdf)",
            lacking="complaints resolved",
        ),
        Measure(
            "within_target",
            "Resolved within target (%)",
            "Resolved within target (% of complaints judged)",
            "within",
            TICKET_DIMS,
            False,
            1,
            "complaints judged against a target",
            "complaints",
            "Complaints resolved within the resolution target of their channel and priority ÷ complaints "
            "with a target that were resolved or are still open past it (late).",
            "Wilson score",
            " %",
            (0.0, 100.0),
            reads=("explore_within_target", "handling_summary", "consistency_branch_measures"),
            statistic="stats/estimates.py: wilson_interval",
        ),
        Measure(
            "csat",
            "CSAT (% satisfied, 4-5 of 5)",
            "Satisfied (% answering 4 or 5 of 5)",
            "responses",
            RESPONSE_DIMS,
            True,
            1,
            "answers",
            "responses",
            "Survey answers 4 or 5 to overall satisfaction ÷ all answers to it.",
            "Wilson score",
            " %",
            (0.0, 100.0),
            reads=("explore_responses", "survey_summary", "consistency_branch_measures"),
            statistic="stats/estimates.py: wilson_interval",
        ),
        Measure(
            "nps",
            "Net Promoter Score",
            "Net Promoter Score (% promoters − % detractors)",
            "responses",
            RESPONSE_DIMS,
            True,
            1,
            "answers",
            "responses",
            "% answering 9-10 minus % answering 0-6 to the 0-10 recommendation question.",
            "normal approximation for a three-valued score",
            bounds=(-100.0, 100.0),
            reads=("explore_responses", "survey_summary"),
            statistic="stats/estimates.py: net_promoter_score, nps_interval",
        ),
        Measure(
            "reputation",
            "Reputation (% compliments)",
            "Compliments (% of compliments and complaints)",
            "praise",
            PRAISE_DIMS,
            False,
            1,
            "compliments and complaints",
            "complaints",
            "Compliments ÷ (compliments + complaints) among the tickets opened in the period: the share of "
            "customers' unprompted feedback that is praise.",
            "Wilson score",
            " %",
            (0.0, 100.0),
            reads=("explore_praise", "complaint_summary", "consistency_branch_measures"),
            statistic="stats/estimates.py: wilson_interval",
        ),
        Measure(
            "return_rate",
            "Return rate (% back within the window)",
            "Customers back within the return window (%)",
            "returns",
            VISIT_DIMS,
            True,  # a cell of a few customers would tell whether one person came back: suppressed below min_n
            1,
            "customers judged",
            "",
            "Identified customers who visited again, on a later day and at any branch, within the sidebar's "
            "return window ÷ customers judged. A customer counts once, in the cell of their first visit in the "
            "period; one first seen less than the window before the last visit day the store holds is not judged.",
            "Wilson score",
            " %",
            (0.0, 100.0),
            reads=("explore_returns", "customer_returns"),
            statistic="stats/estimates.py: wilson_interval; metrics/customers.py: returns",
        ),
    )
}


def _check() -> None:
    assert set(SIDEBAR_ORDER) == {d.key for d in DIMENSIONS.values() if d.selection}
    assert set(SELECTIONS) == set(BY_SELECTION)
    assert all(d.column for d in BY_SELECTION.values())


_check()
