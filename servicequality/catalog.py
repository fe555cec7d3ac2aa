"""The catalogue: every dimension the dashboard can filter, split or drill by, declared once.

The sidebar, the URL, the filter chips, cross-filtering (a chart click), Explore's splits, the
drill-down cells and the query parameters all read this table. Adding a dimension is one entry
here, plus the columns its queries read (queries/) and tests.

A dimension's `selection` is the sidebar's multi-value filter: the `Filters` field and the bound
SQL parameter (`$regions`, ...), `null` when nothing is selected. Its `key` is the sidebar widget's
key, the URL key (`?region=North`), the cross-filter dimension, Explore's `dim1`/`dim2` value and
the drill-down cell (`$cell_region`, `?rows_region=`).
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


# Explore's order: the first is Explore's default first dimension.
DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("region", "Region", "Region", "regions", "All regions", served=True, clickable=True),
        Dimension("branch", "Branch", "Branch", "branches", "All branches", served=True, clickable=True),
        Dimension(
            "branch_type",
            "Branch type",
            "Branch type",
            "branch_types",
            "All branch types",
            served=True,
            clickable=True,
            describe_when_empty=False,
        ),
        Dimension("channel", "Channel", "Channel", "channels", "All channels", clickable=True),
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
        ),
        Dimension("segment", "Customer segment", "Segment", "segments", "All segments", clickable=True),
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


def _check() -> None:
    assert set(SIDEBAR_ORDER) == {d.key for d in DIMENSIONS.values() if d.selection}
    assert set(SELECTIONS) == set(BY_SELECTION)


_check()
