"""The [survey] section of a mapping: which columns are rating items, on which scale, which codes
are not ratings, and where overall satisfaction and would-recommend come from.

Only reads and checks the TOML (every mistake is one MappingError line); the rows are made in
ingest/survey_rows.py. Documented with examples in mappings/README.md ("Survey items").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from servicequality import domain
from servicequality.ingest.cells import parse_number
from servicequality.ingest.limits import RegexError, compile_regex


class MappingError(ValueError):
    """A mapping file that cannot be used; str() is one line for the user."""


SURVEY_ROLES = ("expectation", "perception", "adequate", "importance")
COMPONENT_KEYS = tuple(c.key for c in domain.COMPONENTS)
# Declared codes that are answers but not ratings: the mapping key and the reason stored.
MISSING_CODES = {"not_applicable": "not applicable", "dont_know": "don't know", "not_rated": "not rated"}
_SCALE_KEYS = {"scale", "best"} | set(MISSING_CODES)
_ANSWER_KEYS = _SCALE_KEYS | {"column", "scale_changes", "recorded_from"}
# Overall satisfaction and would-recommend: the [survey.<key>] tables and the store columns' prefix.
ANSWERS = {"overall": "satisfaction", "recommend": "recommend"}


def code_text(value: Any) -> str:
    """A cell or a declared code as comparable text: 5, 5.0, "5" and " 5 " are all "5"."""
    text = str(value).strip()
    try:
        number = parse_number(text)
    except ValueError:
        return text
    return str(int(number)) if number.is_integer() else text


@dataclass(frozen=True)
class ItemScale:
    """The answer scale of an item: its range, which end is best, and the codes that are not ratings."""

    low: int = 1
    high: int = 7
    reversed: bool = False  # the best answer is `low` (stored flipped: low + high - answer)
    codes: dict[str, str] = field(default_factory=dict)  # code text -> reason ("not applicable", ...)

    def describe(self) -> str:
        return f"{self.low}-{self.high}" + (f" ({self.low} is best)" if self.reversed else "")


@dataclass(frozen=True)
class AnswerSpec:
    """One overall question (satisfaction or recommend): its column and scale, the scale possibly
    changing from a date on (a survey that moved from 1-5 to 1-10), and the day from which the
    export records it at all (before it, the column's value is a placeholder: not recorded)."""

    column: str
    scale: ItemScale
    changes: tuple[tuple[dt.date, ItemScale], ...] = ()
    recorded_from: dt.date | None = None

    def recorded_on(self, when: dt.date | dt.datetime | None) -> bool:
        """Whether an answer given on `when` is recorded: always without recorded_from; with it, only
        on or after that day (an answer with no date cannot be placed, so it is not)."""
        if self.recorded_from is None:
            return True
        day = when.date() if isinstance(when, dt.datetime) else when
        return day is not None and day >= self.recorded_from

    def scale_on(self, when: dt.date | dt.datetime | None) -> ItemScale:
        scale = self.scale
        day = when.date() if isinstance(when, dt.datetime) else when
        for start, changed in self.changes:
            if day is not None and day >= start:
                scale = changed
        return scale


@dataclass(frozen=True)
class SurveyItem:
    """One questionnaire item: its component and the source column of each role it has."""

    item: str
    component: str
    columns: dict[str, str]  # role -> source column


@dataclass(frozen=True)
class SurveySpec:
    items: tuple[SurveyItem, ...] = ()
    patterns: dict[str, Any] = field(default_factory=dict)  # role -> RE2 regex with (?P<item>...)
    item_components: dict[str, str] = field(default_factory=dict)  # item code -> component
    scale: ItemScale = ItemScale()
    overrides: dict[str, ItemScale] = field(default_factory=dict)  # item code -> its own scale
    answers: dict[str, AnswerSpec] = field(default_factory=dict)  # "overall" / "recommend" -> spec

    def scale_of(self, item: str) -> ItemScale:
        return self.overrides.get(item, self.scale)

    def columns(self) -> set[str]:
        cols = {c for it in self.items for c in it.columns.values()}
        return cols | {a.column for a in self.answers.values()}


def _whole(where: str, value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MappingError(f"{where}: {what} must be whole numbers, e.g. scale = [1, 5]")
    return value


def item_scale(where: str, table: dict, base: ItemScale) -> ItemScale:
    """A scale from `scale`, `best` and the code lists of a table, the rest taken from `base`."""
    low, high = base.low, base.high
    if "scale" in table:
        scale = table["scale"]
        if not isinstance(scale, list) or len(scale) != 2:
            raise MappingError(f"{where}: scale must be [lowest, highest], e.g. scale = [1, 5]")
        low, high = (_whole(where, v, "scale") for v in scale)
        if low >= high:
            raise MappingError(f"{where}: scale = [{low}, {high}] must run from low to high")
    best = table.get("best", "low" if base.reversed else "high")
    if best not in ("high", "low"):
        raise MappingError(f'{where}: best = {best!r} must be "high" (the top of the scale is best) or "low"')
    codes = dict(base.codes) if not (set(MISSING_CODES) & set(table)) else {}
    for key, reason in MISSING_CODES.items():
        listed = table.get(key, [])
        if not isinstance(listed, list):
            raise MappingError(f"{where}: {key} must be a list of codes, e.g. {key} = [6, 8]")
        for code in listed:
            text = code_text(code)
            if text in codes and codes[text] != reason:
                raise MappingError(f"{where}: code {text} is both {codes[text]!r} and {reason!r}")
            codes[text] = reason
    inside = [c for c in codes if re.fullmatch(r"-?\d+", c) and low <= int(c) <= high]
    if inside:
        raise MappingError(
            f"{where}: code {inside[0]} ({codes[inside[0]]}) lies on the scale {low}-{high}: a code that is not a "
            "rating must be outside it (narrow the scale, e.g. scale = [1, 4] with dont_know = [5])"
        )
    return ItemScale(low, high, best == "low", codes)


def _date(where: str, value: Any, key: str = "from") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise MappingError(f"{where}: {key} = {value!r} must be a date, e.g. {key} = 2015-06-01") from None


def answer_spec(where: str, key: str, table: Any) -> AnswerSpec:
    where = f"{where}: [survey.{key}]"
    if not isinstance(table, dict) or not isinstance(table.get("column"), str) or not table["column"].strip():
        raise MappingError(f'{where} needs column = "the source column", and optionally scale and codes')
    bad = sorted(set(table) - _ANSWER_KEYS)
    if bad:
        raise MappingError(f"{where}: unknown key {bad[0]!r}; known: {', '.join(sorted(_ANSWER_KEYS))}")
    scale = item_scale(where, table, ItemScale(1, 10))
    if "scale" not in table:
        raise MappingError(f"{where} needs scale = [lowest, highest], e.g. [1, 10], or [0, 1] for a yes/no flag")
    changes = []
    for i, change in enumerate(table.get("scale_changes", []), 1):
        if not isinstance(change, dict) or set(change) - {"from", "scale"} or "from" not in change:
            raise MappingError(f"{where} scale_changes #{i} takes from = a date and scale = [lowest, highest]")
        changes.append((_date(where, change["from"]), item_scale(where, {"scale": change["scale"]}, scale)))
    recorded_from = _date(where, table["recorded_from"], "recorded_from") if "recorded_from" in table else None
    return AnswerSpec(table["column"], scale, tuple(sorted(changes, key=lambda c: c[0])), recorded_from)


def _patterns(where: str, sv: dict) -> dict[str, Any]:
    patterns = {}
    for role in SURVEY_ROLES:
        if role not in sv:
            continue
        try:
            pattern = compile_regex(str(sv[role]))
        except RegexError as exc:
            raise MappingError(
                f"{where}: [survey] {role} is not a valid regular expression for RE2 ({exc}); look-around and "
                "back-references are not supported"
            ) from None
        if "item" not in pattern.groupindex:
            raise MappingError(f"{where}: [survey] {role} regex needs a named group (?P<item>...) for the item code")
        patterns[role] = pattern
    return patterns


def _item_components(where: str, sv: dict) -> dict[str, str]:
    item_components = sv.get("items", {})
    if not isinstance(item_components, dict):
        raise MappingError(f'{where}: [survey.items] must be a table of "item code" = "component"')
    for code, comp in item_components.items():
        if comp not in COMPONENT_KEYS:
            raise MappingError(
                f"{where}: [survey.items] {code} = {comp!r}: component must be one of {', '.join(COMPONENT_KEYS)}"
            )
    return {str(k): v for k, v in item_components.items()}


def _item(where: str, i: int, entry: Any) -> SurveyItem:
    if not isinstance(entry, dict) or set(entry) - ({"item", "component"} | set(SURVEY_ROLES)):
        raise MappingError(f"{where}: [[survey.item]] #{i} takes item, component and {', '.join(SURVEY_ROLES)}")
    if entry.get("component") not in COMPONENT_KEYS or not entry.get("item"):
        raise MappingError(
            f'{where}: [[survey.item]] #{i} needs item = "code" and component = one of {", ".join(COMPONENT_KEYS)}'
        )
    cols = {r: str(entry[r]) for r in SURVEY_ROLES if r in entry}
    if "perception" not in cols:
        raise MappingError(f"{where}: [[survey.item]] #{i} needs a perception column (the rating of the service)")
    return SurveyItem(str(entry["item"]), entry["component"], cols)


def _overrides(where: str, sv: dict, base: ItemScale) -> dict[str, ItemScale]:
    table = sv.get("override", {})
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise MappingError(f"{where}: [survey.override.<item>] tables give one item its own scale or codes")
    out = {}
    for code, settings in table.items():
        bad = sorted(set(settings) - _SCALE_KEYS)
        if bad:
            raise MappingError(
                f"{where}: unknown key {bad[0]!r} in [survey.override.{code}]; known: {', '.join(sorted(_SCALE_KEYS))}"
            )
        out[str(code)] = item_scale(f"{where}: [survey.override.{code}]", settings, base)
    return out


def survey_spec(where: str, sv: dict) -> SurveySpec:
    allowed = set(SURVEY_ROLES) | _SCALE_KEYS | {"items", "item", "override"} | set(ANSWERS)
    bad = sorted(set(sv) - allowed)
    if bad:
        raise MappingError(f"{where}: unknown key {bad[0]!r} in [survey]; known: {', '.join(sorted(allowed))}")
    patterns = _patterns(where, sv)
    item_components = _item_components(where, sv)
    items = [_item(where, i, entry) for i, entry in enumerate(sv.get("item", []), 1)]
    if not items and "perception" not in patterns:
        raise MappingError(
            f"{where}: [survey] needs a perception column regex (and an expectation regex for SERVQUAL pairs), "
            "or [[survey.item]] entries"
        )
    if "expectation" in patterns and "perception" not in patterns:
        raise MappingError(f"{where}: [survey] has an expectation regex but no perception regex")
    if patterns and not item_components:
        raise MappingError(f'{where}: [survey.items] must give each item code its component, e.g. "1" = "reliability"')
    scale = item_scale(f"{where}: [survey]", sv, ItemScale())
    answers = {key: answer_spec(where, key, sv[key]) for key in ANSWERS if key in sv}
    spec = SurveySpec(tuple(items), patterns, item_components, scale, _overrides(where, sv, scale), answers)
    _check_servqual_scale(where, spec)
    return spec


def _check_servqual_scale(where: str, spec: SurveySpec) -> None:
    """SERVQUAL gaps are compared on the 1-7 scale the pages and the tolerance zone assume; a pair on
    another scale would average with them as if it were one."""
    paired = {it.item for it in spec.items if "expectation" in it.columns}
    if "expectation" in spec.patterns:
        paired |= set(spec.item_components)
    for item in sorted(paired):
        s = spec.scale_of(item)
        if (s.low, s.high, s.reversed) != (1, 7, False):
            raise MappingError(
                f"{where}: item {item} has an expectation on the scale {s.describe()}: SERVQUAL pairs must be "
                "1-7 with 7 best (the gap pages compare gaps on it); map a survey on another scale as "
                "performance only (no expectation column)"
            )
