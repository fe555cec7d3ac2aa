"""Streamlit glue shared by the frame and every page; the only room that imports Streamlit.

- `data`: the cached read-only connection and cached named queries.
- `sidebar`: the filter sidebar (its values live in the URL).
- `captions`: what a page says about the data behind it (previous period, partial months, no surveys).
- `widgets`: number formats, metric cards, "How is this computed?", clickable charts, chips, tables.
- `my_branch`: my branch against its peers and the network.
- `crossfilter` (pure): a chart click becomes a filter; `export` (pure): safe CSV;
  `navigation`: the page registry; `serve`: `make run`'s server.

Pages use this front door: `ui.query(...)`, `ui.metric(...)`, `ui.chart(...)`.
"""

from pathlib import Path

from servicequality.metrics.formats import (
    fmt_minutes,
    fmt_n,
    fmt_number,
    fmt_p,
    fmt_signed,
    fmt_survival_minutes,
    fmt_within,
    minus,
)
from servicequality.ui.captions import (
    compared_with,
    no_surveys,
    one_period_info,
    partial_months_note,
    stop_without_surveys,
)
from servicequality.ui.crossfilter import CrossFilter
from servicequality.ui.data import connection, data_bounds, engine_note, network_query, query, store_problem
from servicequality.ui.my_branch import my_branch_strip
from servicequality.ui.sidebar import (
    current_filters,
    default_period,
    drop_unreadable_int,
    sidebar_filters,
)
from servicequality.ui.widgets import (
    WIDE_CHART_CSS,
    chart,
    filter_chips,
    how_computed,
    metric,
    share_link,
    table,
    tiles,
    view_from_url,
    write_view_to_url,
)

FAVICON = str(Path(__file__).with_name("favicon.png"))

__all__ = [
    "FAVICON",
    "WIDE_CHART_CSS",
    "CrossFilter",
    "chart",
    "compared_with",
    "connection",
    "data_bounds",
    "current_filters",
    "engine_note",
    "default_period",
    "drop_unreadable_int",
    "filter_chips",
    "fmt_minutes",
    "fmt_survival_minutes",
    "fmt_n",
    "fmt_number",
    "fmt_p",
    "fmt_signed",
    "fmt_within",
    "view_from_url",
    "write_view_to_url",
    "minus",
    "no_surveys",
    "one_period_info",
    "partial_months_note",
    "how_computed",
    "metric",
    "my_branch_strip",
    "network_query",
    "query",
    "share_link",
    "sidebar_filters",
    "stop_without_surveys",
    "store_problem",
    "table",
    "tiles",
]
