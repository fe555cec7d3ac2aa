"""The shared filter: one frozen value from the sidebar to every query.

Every query in `queries/` takes the same parameter set (see `Filters.params`), with optional
filters written once in SQL as `($regions is null or list_contains($regions, region))`:
"nothing selected" is `null`, never an empty list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from servicequality import catalog

# The multi-value selections (see servicequality.catalog), in the order they are described and
# bound as `$name` parameters.
SELECTIONS: tuple[str, ...] = catalog.SELECTIONS

# Selections described only when set, so the usual description stays short.
OPTIONAL_IN_DESCRIPTION = frozenset(s for s, d in catalog.BY_SELECTION.items() if not d.describe_when_empty)

# The return window's choices, in days (the sidebar's number input).
RETURN_DAYS_RANGE = (1, 730)

# Peer groups for the branch manager view: key -> words for labels.
PEER_GROUPS: dict[str, str] = {"region": "Same region", "type": "Same branch type", "size": "Same size band"}


def _clean(values: Any) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    return tuple(sorted({str(v) for v in values}))


@dataclass(frozen=True)
class Filters:
    """Date range (inclusive) plus optional selections; an empty selection means "all"."""

    start: dt.date
    end: dt.date
    regions: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    min_n: int = field(default=30)
    # The return rate's window: a customer came back when they visited again within this many days.
    return_days: int = 90
    # The branch manager view: "my branch" (None = not chosen) and the peer group it is compared
    # with ('region', 'type' or 'size': same region, branch type or size band). They change what
    # pages show beside the network, never which rows a query selects, so params() leaves them out.
    my_branch: str | None = None
    peers: str = "region"
    # Narrower selections, mostly set by clicking a chart (cross-filtering): branch types (a branch
    # attribute, so every measure follows), complaint categories (tickets only) and components
    # (survey scores of those components, and complaints whose category points at them).
    branch_types: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    # Row-level security (servicequality.access): the only branches this session may read, None
    # for every branch. params() binds $branches within it whatever the selections say, and
    # network_wide() keeps it: a sidebar value, a link or a click cannot widen it.
    scope: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"The period ends ({self.end}) before it starts ({self.start}).")
        for name in SELECTIONS:
            object.__setattr__(self, name, _clean(getattr(self, name)))
        if self.scope is not None:
            object.__setattr__(self, "scope", _clean(self.scope))
        if not 1 <= self.return_days <= RETURN_DAYS_RANGE[1]:
            raise ValueError(f"The return window must be 1 to {RETURN_DAYS_RANGE[1]} days, not {self.return_days}.")
        if self.peers not in PEER_GROUPS:
            raise ValueError(f"Unknown peer group {self.peers!r}; expected one of {sorted(PEER_GROUPS)}.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous_period(self) -> Filters:
        """The period a change is measured against, ending the day before this one starts: as many
        whole calendar months when this period is whole months (February against all of January,
        a quarter against the quarter before, a year against the year before: "February 2015"
        against 4-31 January, its 28 days, was not the previous month anyone means); otherwise the
        same number of days."""
        end = self.start - dt.timedelta(days=1)
        if self.start.day == 1 and (self.end + dt.timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            index = self.start.year * 12 + self.start.month - 1 - months
            return replace(self, start=dt.date(index // 12, index % 12 + 1, 1), end=end)
        return replace(self, start=end - dt.timedelta(days=self.days - 1), end=end)

    def params(self) -> dict[str, Any]:
        """Bound parameters shared by every query; `None` where nothing is selected."""
        params: dict[str, Any] = {"start": self.start, "end": self.end}
        params.update({name: list(getattr(self, name)) or None for name in SELECTIONS})
        if self.scope is not None:
            # Selected branches within the scope, else the whole scope. An empty list (a selection
            # wholly outside it) matches no row: `list_contains([], b)` is false.
            chosen = params["branches"]
            params["branches"] = [b for b in chosen if b in self.scope] if chosen else list(self.scope)
        params["min_n"] = self.min_n
        params["return_days"] = self.return_days
        return params

    def cache_key(self) -> tuple:
        return (
            self.start,
            self.end,
            *(getattr(self, name) for name in SELECTIONS),
            self.min_n,
            self.return_days,
            self.my_branch,
            self.peers,
            self.scope,
        )

    def network_wide(self) -> Filters:
        """The same period, channels and segments over every region, branch type and branch: what
        "my branch against its peers and the network" needs, whatever the branch filters say.
        Within the session's scope: only `without_scope()` reads other branches, for figures
        that show them anonymised (servicequality.ui.data.network_query)."""
        return replace(self, regions=(), branch_types=(), branches=())

    def widest(self, start: dt.date, end: dt.date) -> Filters:
        """Every day from `start` to `end` and no selection (the scope kept): what widening the
        period and the filters as far as they go would show."""
        return replace(self, start=start, end=end, **{name: () for name in SELECTIONS})

    def without_scope(self) -> Filters:
        """These filters over every branch: only for reads whose rows are anonymised before
        anything is shown (servicequality.ui.data.network_query)."""
        return replace(self, scope=None)

    def describe(self, branch_names: Mapping[str, str] | None = None) -> str:
        """Plain words for the 'How is this computed?' notes. `branch_names` (id -> label, e.g.
        'Public Works (PWDx)') names the selected branches; without it they are their ids."""
        named = branch_names or {}
        parts = [f"{self.start:%d %b %Y} to {self.end:%d %b %Y} ({self.days} day{'' if self.days == 1 else 's'})"]
        for name in SELECTIONS:
            values = getattr(self, name)
            if name in OPTIONAL_IN_DESCRIPTION and not values:
                continue
            label = name.replace("_", " ")
            if name == "branches" and self.scope is not None:
                values = [b for b in values if b in self.scope] or self.scope
                shown = ", ".join(named.get(b, b) for b in values)
                parts.append(f"{label}: {shown if len(values) <= 5 else f'{len(values)} of yours'}")
                continue
            if name == "branches":
                values = [named.get(b, b) for b in values]
            parts.append(f"{label}: {', '.join(values) if values else 'all'}")
        if self.my_branch:
            parts.append(f"my branch: {self.my_branch} ({PEER_GROUPS[self.peers].lower()} as peers)")
        return "; ".join(parts)
