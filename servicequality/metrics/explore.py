"""The Explore page's logic: which measures and dimensions there are, which go together, and
from query rows to a long table of cells (value, 95% interval, n, suppression) and a pivot.

Pure: a query runner is passed in (the dashboard's cached `ui.query`, or a plain connection in
the tests), as in servicequality.metrics.overview. Dimension keys reach SQL only as bound parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from servicequality import catalog, stats
from servicequality.filters import Filters
from servicequality.metrics.formats import literal
from servicequality.stats.consistency import poisson_rate_interval

# run(query_name, filters, **extra_params) -> rows, e.g. ui.query
Runner = Callable[..., pd.DataFrame]

# Extra parameters of the explore_* queries, for callers that run every query with defaults.
QUERY_DEFAULTS: dict[str, object] = {"dim1": None, "dim2": None}


# Explore's dimensions, in its menu's order: the catalogue's (servicequality.catalog).
Dimension = catalog.Dimension
DIMENSIONS: dict[str, Dimension] = catalog.DIMENSIONS
NO_DIMENSION = "none"  # the second dimension's "no split" choice

WEEKDAYS = {
    "1": "Monday",
    "2": "Tuesday",
    "3": "Wednesday",
    "4": "Thursday",
    "5": "Friday",
    "6": "Saturday",
    "7": "Sunday",
}
FAMILIES = {"product": "Product", "service": "Service", "unmapped": "Unmapped"}

# Dimensions a click on a chart can turn into a dashboard filter (ui.CrossFilter).
CROSS_FILTERABLE = frozenset(k for k, d in DIMENSIONS.items() if d.clickable)

# The measures Explore offers: the catalogue's (servicequality.catalog).
TICKET_DIMS, SURVEY_DIMS, RESPONSE_DIMS = catalog.TICKET_DIMS, catalog.SURVEY_DIMS, catalog.RESPONSE_DIMS
PRAISE_DIMS, VISIT_DIMS = catalog.PRAISE_DIMS, catalog.VISIT_DIMS
Measure = catalog.Measure
MEASURES: dict[str, Measure] = catalog.MEASURES
DEFAULT_MEASURE = "count"
DEFAULT_DIM1 = "region"

# The explore_* query behind each measure source. Counts and the rate need only complaint counts
# (explore_complaints, from the day rollups), the share within target only the judged counts
# (explore_within_target, from the same rollups); the handling times need explore_tickets' medians.
QUERY = {
    "complaints": "explore_complaints",
    "rate": "explore_complaints",
    "within": "explore_within_target",
    "tickets": "explore_tickets",
    "survey": "explore_survey",
    "responses": "explore_responses",
    "performance": "explore_performance",
    "praise": "explore_praise",
    "returns": "explore_returns",
}


def default_measure(contents: pd.DataFrame) -> str:
    """The measure the page opens on: complaints when the store has any, else the survey's gap, else
    its ratings, else the return rate of its identified customers' visits (store_contents): a
    visits-only store opened on "Complaints (count)" and "Nothing to show"."""
    row = contents.iloc[0]
    if row["has_complaints"]:
        return DEFAULT_MEASURE
    if row["has_gaps"]:
        return "gap"
    if row["has_ratings_only"]:
        return "performance"
    return "return_rate" if row["has_visits"] else DEFAULT_MEASURE


def default_dimension(branches: pd.DataFrame, values: pd.DataFrame | None = None, measure: str | None = None) -> str:
    """The first dimension the page opens on: region, unless every branch is in one region (Boston
    311's departments: "by region" was one bar, "Boston"); then branch. A store of one branch (the
    kiosk survey: "Korea", one bar by region or by branch) opens on the first of segment and channel
    with more than one value in `values` (filter_values) that `measure` can be split by (every
    measure can today: explore.unsupported), else month."""
    if branches["region"].nunique() <= 1 and len(branches) > 1:
        return "branch"
    if len(branches) == 1 and values is not None:
        counts = values["dimension"].value_counts()
        for dim in ("segment", "channel"):
            if counts.get(dim, 0) > 1 and (measure is None or unsupported(measure, dim) is None):
                return dim
        return "month"
    return DEFAULT_DIM1


def query_name(measure: str) -> str:
    """The explore_* query behind a measure."""
    return QUERY[MEASURES[measure].source]


def unsupported(measure: str, dim: str | None) -> str | None:
    """Why `dim` cannot split `measure`, in words; None when it can."""
    if dim is None or dim == NO_DIMENSION:
        return None
    m, d = MEASURES[measure], DIMENSIONS[dim]
    if dim in m.dims:
        return None
    if m.source in ("praise", "returns") and dim in ("category", "family", "component"):
        what = "Compliments have" if m.source == "praise" else "Visits have"
        return f"{what} no complaint category, family or component: choose another dimension than {d.label.lower()}."
    if dim in ("category", "family"):
        return (
            f"{m.label} comes from survey responses, which have no complaint category: choose another "
            f"dimension than {d.label.lower()}."
        )
    if dim == "component":
        return (
            f"{m.label} is one answer per survey response, not one per service component: choose another "
            "dimension, or the SERVQUAL gap or perception to compare components."
        )
    return f"{m.label} cannot be split by {d.label.lower()}."


@dataclass(frozen=True)
class Choice:
    """The page's measure and dimensions after cleaning; `messages` say what was changed and why."""

    measure: str
    dim1: str
    dim2: str | None
    messages: tuple[str, ...] = ()
    problem: str | None = None  # an unsupported combination: say so instead of a chart


def resolve(measure: object, dim1: object, dim2: object) -> Choice:
    """Clean a (possibly hand-edited) choice. Never raises."""
    messages: list[str] = []
    measure, dim1, dim2 = _text(measure), _text(dim1), _text(dim2)
    if measure not in MEASURES:
        messages.append(f"Unknown measure {_quote(measure)}: showing {MEASURES[DEFAULT_MEASURE].label.lower()}.")
        measure = DEFAULT_MEASURE
    if dim1 not in DIMENSIONS:
        messages.append(f"Unknown dimension {_quote(dim1)}: showing {DIMENSIONS[DEFAULT_DIM1].label.lower()}.")
        dim1 = DEFAULT_DIM1
    if dim2 in (None, "", NO_DIMENSION):
        dim2 = None
    elif dim2 not in DIMENSIONS:
        messages.append(f"Unknown second dimension {_quote(dim2)}: none used.")
        dim2 = None
    elif dim2 == dim1:
        messages.append("The second dimension is the same as the first: none used.")
        dim2 = None
    problem = unsupported(measure, dim1) or unsupported(measure, dim2)
    return Choice(str(measure), str(dim1), dim2, tuple(messages), problem)


def _text(value: object) -> str | None:
    return None if value is None else value if isinstance(value, str) else str(value)


def link_messages(link: Mapping[str, object]) -> list[str]:
    """What a link asks for that the page does not know, in words. `link` holds the URL values of
    explore_measure, dim1 and dim2: the labels Streamlit writes for the bound selectboxes."""
    checks = (
        ("explore_measure", measure_labels(), "measure", MEASURES[DEFAULT_MEASURE].label.lower()),
        ("dim1", dimension_labels(), "dimension", DIMENSIONS[DEFAULT_DIM1].label.lower()),
        ("dim2", dimension_labels(with_none=True), "second dimension", "none"),
    )
    messages = []
    for key, labels, words, fallback in checks:
        value = _text(link.get(key))
        if value is not None and value not in labels.values():
            messages.append(f"Unknown {words} {_quote(value)}: showing {fallback}.")
    return messages


def measure_labels() -> dict[str, str]:
    return {k: m.label for k, m in MEASURES.items()}


def dimension_labels(with_none: bool = False) -> dict[str, str]:
    labels = {NO_DIMENSION: "Nothing"} if with_none else {}
    labels.update({k: d.label for k, d in DIMENSIONS.items()})
    return labels


def _quote(value: object) -> str:
    return literal(value, 40)


# --- labels -------------------------------------------------------------------------------


def label_for(dim: str, key: object, names: Mapping[str, Mapping[str, str]]) -> str:
    """Words for a cell key: branch ids and component keys through `names`, weekday numbers as
    day names, months as 'Jan 2024'."""
    if key is None or (isinstance(key, float) and math.isnan(key)):
        return "All"
    key = str(key)
    if dim == "weekday":
        return WEEKDAYS.get(key, key)
    if dim == "month":
        try:
            return pd.Timestamp(key + "-01").strftime("%b %Y")
        except ValueError:
            return key
    if dim == "family":
        return FAMILIES.get(key, key)
    if dim == "component" and key == "unmapped":
        return "Unmapped"
    return names.get(dim, {}).get(key, key)


def _order(dim: str, keys: pd.Series, names: Mapping[str, Mapping[str, str]]) -> pd.Series:
    """A sort key that keeps months and weekdays in time order and components in their order."""
    if dim in ("month", "weekday"):
        return keys.astype(str)
    if dim == "component" and dim in names:
        position = {k: i for i, k in enumerate(names[dim])}
        return keys.map(lambda k: f"{position.get(k, 999):04d}")
    return keys.map(lambda k: label_for(dim, k, names).lower())


# --- from query rows to cells ---------------------------------------------------------------

CELL_COLUMNS = [
    "key1",
    "key2",
    "label1",
    "label2",
    "value",
    "low",
    "high",
    "n",
    "suppressed",
    "extra",
    "order1",
    "order2",
]


def cells(run: Runner, filters: Filters, choice: Choice, names: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """One row per cell: keys, labels, value, 95% interval (low, high), n, suppressed flag and
    `extra` (customers served for the rate). Survey cells with n < filters.min_n are suppressed:
    their value and interval are NaN, their n stays."""
    m = MEASURES[choice.measure]
    dims = {"dim1": choice.dim1, "dim2": choice.dim2}
    rows = run(query_name(m.key), filters, **dims)
    if m.source == "rate":
        rows = _with_served(rows, run("explore_served", filters, **dims), choice)
    out = pd.DataFrame({"key1": rows["key1"], "key2": rows["key2"]})
    value, low, high, n, extra = _values(m.key, rows)
    out["value"], out["low"], out["high"], out["n"], out["extra"] = value, low, high, n, extra
    out["n"] = out["n"].fillna(0).astype(int)
    # A rate cell with customers served but no complaint is a real 0; other cells need an n.
    out = out[(out["n"] > 0) | (out["extra"].fillna(0) > 0)]
    if m.bounds:  # a t or normal interval can run past the scale on few answers
        out["low"] = out["low"].clip(lower=m.bounds[0])
        out["high"] = out["high"].clip(upper=m.bounds[1])
    out["suppressed"] = m.survey & (out["n"] < filters.min_n)
    for column in ("value", "low", "high"):
        out.loc[out["suppressed"], column] = np.nan
    out["label1"] = [label_for(choice.dim1, k, names) for k in out["key1"]]
    out["label2"] = [label_for(choice.dim2, k, names) if choice.dim2 else "" for k in out["key2"]]
    if out.empty:
        return pd.DataFrame(columns=CELL_COLUMNS)
    out["order1"] = _order(choice.dim1, out["key1"], names)
    out["order2"] = _order(choice.dim2, out["key2"], names) if choice.dim2 else ""
    out = out.sort_values(["order1", "order2"])
    return out[CELL_COLUMNS].reset_index(drop=True)


def _with_served(tickets: pd.DataFrame, served: pd.DataFrame, choice: Choice) -> pd.DataFrame:
    """Complaints beside the customers served of their cell. When every chosen dimension splits
    customers served, cells with customers but no complaints are kept (rate 0)."""
    sentinel = ""
    t = tickets[["key1", "key2", "complaints"]].copy()
    s = served[["key1", "key2", "customers_served"]].copy()
    for df in (t, s):
        df["key1"] = df["key1"].fillna(sentinel)
        df["key2"] = df["key2"].fillna(sentinel)
    split = [d is not None and DIMENSIONS[d].served for d in (choice.dim1, choice.dim2)]
    if all(split[i] or d is None for i, d in enumerate((choice.dim1, choice.dim2))):
        merged = t.merge(s, on=["key1", "key2"], how="outer")
    else:
        t["s1"] = t["key1"] if split[0] else sentinel
        t["s2"] = t["key2"] if split[1] else sentinel
        merged = t.merge(s.rename(columns={"key1": "s1", "key2": "s2"}), on=["s1", "s2"], how="left")
        merged = merged.drop(columns=["s1", "s2"])
    merged["complaints"] = merged["complaints"].fillna(0)
    for key in ("key1", "key2"):
        merged[key] = merged[key].replace(sentinel, None)
    return merged


def _values(measure: str, rows: pd.DataFrame) -> tuple:
    """(value, low, high, n, extra) columns for a measure from its query rows."""
    nan = pd.Series(np.nan, index=rows.index)

    def num(column: str) -> pd.Series:
        return pd.to_numeric(rows[column], errors="coerce").astype(float)

    if measure == "count":
        return num("complaints"), nan, nan, num("complaints"), nan
    if measure == "complaint_rate":
        events, exposure = num("complaints"), num("customers_served")
        value = pd.Series(
            [stats.rate_per_1000(e, x if x == x else 0) for e, x in zip(events, exposure)], index=rows.index
        )
        intervals = [
            poisson_rate_interval(e, x) if x == x and x > 0 else stats.NAN_INTERVAL for e, x in zip(events, exposure)
        ]
        low = pd.Series([1000 * i.low for i in intervals], index=rows.index)
        high = pd.Series([1000 * i.high for i in intervals], index=rows.index)
        return value, low, high, events, exposure
    # A Kaplan-Meier median's n is its sample: the handled and those still waiting (censored), not
    # the handled alone (Boston's hotline, January 2015: "not reached, n=9" for 127 requests). A cell
    # with nothing handled has no median to show (n 0, left out): the CFPB's 56 open complaints
    # beside 5,122 closed with no time recorded are no sample of resolution times.
    if measure == "first_response":
        sample = num("first_response_n").where(num("responded_n") > 0, 0)
        return num("median_first_response_minutes"), nan, nan, sample, nan
    if measure == "resolution":
        return num("median_resolution_minutes") / 60, nan, nan, num("resolution_n").where(num("resolved_n") > 0, 0), nan
    if measure == "within_target":
        k, n = num("resolution_within_target").fillna(0), num("targeted_resolution_n")
        return _shares(k, n)
    if measure in ("gap", "perception", "performance"):
        mean, sd, n = num(f"mean_{measure}"), num(f"sd_{measure}"), num("n")
        intervals = [stats.mean_confidence_interval(a, b, int(c)) for a, b, c in zip(mean, sd, n.fillna(0))]
        return (
            mean,
            pd.Series([i.low for i in intervals], index=rows.index),
            pd.Series([i.high for i in intervals], index=rows.index),
            n,
            nan,
        )
    if measure == "csat":
        return _shares(num("csat_satisfied").fillna(0), num("csat_n"))
    if measure == "reputation":
        praise = num("compliments").fillna(0)
        return _shares(praise, praise + num("complaints").fillna(0))
    if measure == "return_rate":
        return _shares(num("returned").fillna(0), num("judged"))
    if measure == "nps":
        p, d, n = num("promoters").fillna(0), num("detractors").fillna(0), num("nps_n")
        value = pd.Series(
            [stats.net_promoter_score(a, b, int(c)) for a, b, c in zip(p, d, n.fillna(0))], index=rows.index
        )
        intervals = [stats.nps_interval(int(a), int(b), int(c)) for a, b, c in zip(p, d, n.fillna(0))]
        return (
            value,
            pd.Series([i.low for i in intervals], index=rows.index),
            pd.Series([i.high for i in intervals], index=rows.index),
            n,
            nan,
        )
    raise KeyError(measure)


def _shares(k: pd.Series, n: pd.Series) -> tuple:
    value = pd.Series([100 * a / b if b else np.nan for a, b in zip(k, n.fillna(0))], index=k.index)
    intervals = [stats.wilson_interval(int(a), int(b)) for a, b in zip(k, n.fillna(0))]
    return (
        value,
        pd.Series([100 * i.low for i in intervals], index=k.index),
        pd.Series([100 * i.high for i in intervals], index=k.index),
        n,
        pd.Series(np.nan, index=k.index),
    )


# --- tables for people ------------------------------------------------------------------------


def csat_other_scales(csat_n: int, satisfaction_n: int, scales: str) -> str | None:
    """A caption when CSAT (answers 4-5 of a 1-5 overall satisfaction) leaves answers out: those the
    survey took on another scale (Skytrax moved to 1-10 in June 2015, so its last months have no
    CSAT at all). `csat_n`: CSAT's answers in the filter; `satisfaction_n` and `scales`: overall
    satisfaction's answers on every scale and those scales (metrics.performance.overall_answers)."""
    other = satisfaction_n - csat_n
    if other <= 0:
        return None
    others = ", ".join(s for s in (x.strip() for x in scales.split(",")) if s and s != "1-5") or "another scale"
    return (
        f"CSAT counts overall satisfaction on a 1-5 scale only: {other:,} of the {satisfaction_n:,} answers in "
        f"this filter were on {others} and are not in it (cells and months with none of 1-5 are missing). The "
        "Ten components page shows overall satisfaction on every scale, as 0-100."
    )


def csat_note(run: Runner, filters: Filters, csat_n: int) -> str | None:
    """csat_other_scales for the filter: overall satisfaction's answers and scales from survey_overall."""
    row = run("survey_overall", filters).iloc[0]
    return csat_other_scales(csat_n, int(row["n_satisfaction"]), str(row["satisfaction_scales"] or ""))


def never_words(measure: str, probes: Mapping[str, object]) -> str:
    """Why a measure has nothing to show in any period or filter of this store, in words. `probes`:
    store_contents, survey_questions and recorded_fields over the data's whole span. A store whose
    exports do not record what the measure needs says so ("not recorded", "asked on another scale"),
    not "no answers": the hospital's 1,012 satisfaction answers on 1-10 read "no answers ... so no
    csat", the CFPB's 6,551 closed complaints "no complaints resolved"."""
    m = MEASURES[measure]

    def has(probe: str) -> bool:
        return bool(probes.get(probe, 1))

    complaints = has("has_complaints")
    if measure == "csat" and not has("has_csat") and has("has_satisfaction"):
        return (
            "Not recorded on its scale: CSAT counts answers of 4 or 5 to overall satisfaction asked on 1-5, and "
            "this store's surveys ask it on another scale. The Ten components page shows their overall "
            "satisfaction as 0-100."
        )
    if measure == "nps" and not has("has_nps") and has("has_recommend"):
        return (
            "Not recorded on its scale: the Net Promoter Score needs the would-recommend question on 0-10, and "
            "this store's surveys ask it another way (yes or no, or another scale). The Ten components page "
            "shows their answers as 0-100."
        )
    if measure in ("csat", "nps") and not (has("has_satisfaction") if measure == "csat" else has("has_recommend")):
        question = "overall satisfaction" if measure == "csat" else "whether they would recommend"
        return f"Not asked: no survey in this store asks {question}, so there is no {m.label}."
    timed = {"first_response": ("has_first_response", "first response"), "resolution": ("has_resolution", "resolution")}
    if measure in timed and complaints and not has(timed[measure][0]):
        return (
            f"Not recorded: this store's exports give no {timed[measure][1]} time for any complaint, so there is no "
            f"{m.label.lower()}."
        )
    if measure in ("gap", "perception") and not has("has_gaps") and has("has_ratings_only"):
        return (
            "Not recorded: this store's surveys ask no expectations (ratings only), so there is no gap or 1-7 "
            "perception. Choose Survey performance (0-100)."
        )
    return f"Nothing to show: no {m.none_words} in any period or filter of this store, so no {m.label.lower()}."


def no_category_words(cells: pd.DataFrame, choice: Choice) -> str | None:
    """What to say instead of a chart split by category or family when no complaint in the filter
    has one (Boston 311: one bar, "Unmapped 2,885", our own placeholder read as a category)."""
    for position, dim in ((1, choice.dim1), (2, choice.dim2)):
        if dim in ("category", "family") and set(cells[f"key{position}"].astype(str).str.lower()) == {"unmapped"}:
            return (
                f"Complaint category not recorded: none of these {int(cells['n'].sum()):,} complaints has one (the "
                f"export, or its mapping, gives none the store knows), so there is no {DIMENSIONS[dim].label.lower()} "
                "to split them by. Choose another dimension."
            )
    return None


def suppressed_words(measure: str) -> str:
    """What a suppressed cell says, in the measure's own n: "fewer respondents than the minimum", and
    for the return rate "fewer customers judged" (a visits store has no responses)."""
    return f"suppressed: fewer {MEASURES[measure].n_words} than the minimum"


def format_value(value: float, measure: str) -> str:
    m = MEASURES[measure]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{m.digits}f}{m.unit}"


MEDIANS = ("first_response", "resolution")  # Kaplan-Meier medians: a cell can hold one not reached
NOT_REACHED = "not reached"


def unreached(cells: pd.DataFrame, measure: str) -> pd.Series:
    """The cells whose Kaplan-Meier median is not reached: a sample (n > 0) with something handled
    (cells() leaves the others out) whose open complaints keep the survival above one half."""
    if measure not in MEDIANS:
        return pd.Series(False, index=cells.index)
    return cells["value"].isna() & (cells["n"] > 0) & ~cells["suppressed"].astype(bool)


def value_words(value: float, n: float, measure: str) -> str:
    """A cell's value in words: format_value, or "not reached" for a median its open complaints keep
    out of reach (Boston's March 2015: a blank bar and "– (n = 242)" read as nothing to show)."""
    if measure in MEDIANS and (value is None or math.isnan(value)) and n and n > 0:
        return NOT_REACHED
    return format_value(value, measure)


def cell_text(row: pd.Series, measure: str) -> str:
    """'−0.52 (n = 41)', 'suppressed (n = 3)', 'not reached (n = 242)' or, for the rate, '5.00 (2 of
    400 served)'."""
    if row["suppressed"]:
        return f"suppressed (n = {int(row['n']):,})"
    if measure == "complaint_rate":
        served = 0 if pd.isna(row["extra"]) else int(row["extra"])
        return f"{format_value(row['value'], measure)} ({int(row['n']):,} of {served:,} served)"
    if MEASURES[measure].key == "count":  # '16,427', not '16,427 (n = 16,427)'
        return format_value(row["value"], measure)
    return f"{value_words(row['value'], row['n'], measure)} (n = {int(row['n']):,})"


def long_table(df: pd.DataFrame, choice: Choice) -> pd.DataFrame:
    """The cells as a table with words for headers: dimensions, value, interval, n, a note."""
    m = MEASURES[choice.measure]
    out = pd.DataFrame({DIMENSIONS[choice.dim1].label: df["label1"]})
    if choice.dim2:
        out[DIMENSIONS[choice.dim2].label] = df["label2"]
    out[m.label] = df["value"].round(0).astype("int64") if m.key == "count" else df["value"].round(m.digits + 2)
    if not m.interval.startswith("none"):
        out["95% interval, low"] = df["low"].round(m.digits + 2)
        out["95% interval, high"] = df["high"].round(m.digits + 2)
    if m.key != "count":  # a count's n is the count itself: the same column twice
        out[f"n ({m.n_words})"] = df["n"].astype(int)
    if choice.measure == "complaint_rate":
        out["Customers served"] = df["extra"].fillna(0).astype("int64")
    if m.survey:
        out["Note"] = np.where(df["suppressed"], suppressed_words(choice.measure), "")
    if choice.measure == "complaint_rate":
        out["Note"] = np.where(df["extra"].fillna(0) > 0, "", "no customers served recorded in this cell")
    if choice.measure in MEDIANS:
        out["Note"] = np.where(unreached(df, choice.measure), f"{NOT_REACHED}: too many still open", "")
    return out.reset_index(drop=True)


def long_table_formats(choice: Choice) -> dict[str, str]:
    """How the cells table shows its numbers (printf formats, read by ui.table): each value to its
    measure's decimals with its unit, counts whole with thousands separators. The CSV download keeps
    the numbers themselves."""
    m = MEASURES[choice.measure]
    whole = "%,d"
    value = whole if m.key == "count" else f"%,.{m.digits}f" + m.unit.replace("%", "%%")
    formats = {m.label: value} | ({} if m.key == "count" else {f"n ({m.n_words})": whole})
    if not m.interval.startswith("none"):
        formats["95% interval, low"] = formats["95% interval, high"] = value
    if choice.measure == "complaint_rate":
        formats["Customers served"] = whole
    return formats


def wide_table(df: pd.DataFrame, choice: Choice) -> pd.DataFrame:
    """Rows = first dimension, columns = second, each cell 'value (n = …)' or 'suppressed (n = …)'."""
    if not choice.dim2 or df.empty:
        return pd.DataFrame()
    text = df.assign(text=[cell_text(r, choice.measure) for _, r in df.iterrows()])
    rows = list(dict.fromkeys(text["label1"]))
    columns = list(dict.fromkeys(text.sort_values("order2", kind="stable")["label2"]))
    wide = text.pivot_table(index="label1", columns="label2", values="text", aggfunc="first")
    wide = wide.reindex(index=rows, columns=columns).fillna("–")
    wide.index.name = DIMENSIONS[choice.dim1].label
    wide.columns.name = None
    return wide.reset_index()
