"""Mapping files: how one customer's export becomes rows of the store.

A mapping is a TOML file (read with tomllib), documented with examples in mappings/README.md.
This module only reads and checks it: every mistake becomes one `MappingError` line that names
the file, the section and the fix. Nothing here touches the database or the export.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servicequality import domain


class MappingError(ValueError):
    """A mapping file that cannot be used; str() is one line for the user."""


@dataclass(frozen=True)
class Field:
    """One column of the store that an import fills."""

    name: str
    kind: str  # text | timestamp | date | int | float | bool
    required: bool = False
    low: float | None = None  # inclusive range for int and float
    high: float | None = None
    choices: tuple[str, ...] = ()


def _f(name: str, kind: str = "text", required: bool = False, low=None, high=None, choices=()) -> Field:
    return Field(name, kind, required, low, high, tuple(choices))


# What each import target fills: the store's columns (README, "Data dictionary").
TARGETS: dict[str, tuple[Field, ...]] = {
    "tickets": (
        _f("ticket_id", required=True),
        _f("branch_id", required=True),
        _f("channel", required=True),
        _f("kind", required=True, choices=domain.TICKET_KINDS),
        _f("category"),
        _f("priority", required=True, choices=domain.PRIORITIES),
        _f("opened_at", "timestamp", required=True),
        _f("first_response_at", "timestamp"),
        _f("resolved_at", "timestamp"),
        _f("status", required=True, choices=("open", "resolved", "closed")),
        _f("reopened_count", "int", low=0, high=10_000),
        _f("escalated", "bool"),
        _f("satisfaction", "int", low=1, high=5),
        _f("segment", required=True),
        _f("timely_response", "bool"),
    ),
    "surveys": (
        _f("response_id", required=True),
        _f("branch_id", required=True),
        _f("submitted_at", "timestamp", required=True),
        _f("channel", required=True),
        _f("segment", required=True),
        _f("nps", "int", low=0, high=10),
        _f("overall_satisfaction", "int", low=1, high=5),
        _f("comment"),
    ),
    "branches": (
        _f("branch_id", required=True),
        _f("name", required=True),
        _f("region", required=True),
        _f("city", required=True),
        _f("branch_type", required=True),
        _f("size_band", required=True),
        _f("opened_on", "date"),
    ),
    "customers-served": (
        _f("branch_id", required=True),
        _f("served_on", "date", required=True),
        _f("customers", "int", required=True, low=0, high=100_000_000),
    ),
    "targets": (
        _f("channel", required=True),
        _f("priority", required=True, choices=domain.PRIORITIES),
        _f("first_response_minutes", "int", required=True, low=1, high=10_000_000),
        _f("resolution_minutes", "int", required=True, low=1, high=10_000_000),
    ),
    "categories": (
        _f("category", required=True),
        _f("family", required=True, choices=("product", "service")),
        _f("component_key", required=True, choices=tuple(c.key for c in domain.COMPONENTS)),
        _f("description", required=True),
    ),
}

# The key (within the file and against the store) that makes a row a duplicate.
KEYS: dict[str, tuple[str, ...]] = {
    "tickets": ("ticket_id",),
    "surveys": ("response_id",),
    "branches": ("branch_id",),
    "customers-served": ("branch_id", "served_on"),
    "targets": ("channel", "priority"),
    "categories": ("category",),
}

SURVEY_ROLES = ("expectation", "perception", "adequate", "importance")
SURVEY_SCALE = (1, 7)  # survey_scores CHECK constraints
COMPONENT_KEYS = tuple(c.key for c in domain.COMPONENTS)
FORMATS = ("csv", "xlsx", "parquet")

_TOP_KEYS = {
    "name",
    "target",
    "description",
    "channels",
    "source",
    "columns",
    "constants",
    "defaults",
    "values",
    "dates",
    "id",
    "new_branches",
    "category",
    "survey",
}
_SOURCE_KEYS = {"format", "encoding", "delimiter", "skip_rows", "sheet"}
_NEW_BRANCH_KEYS = {"name", "region", "city", "branch_type", "size_band"}


@dataclass(frozen=True)
class CategoryRule:
    pattern: re.Pattern
    family: str
    component: str
    description: str


@dataclass(frozen=True)
class SurveyItem:
    """One questionnaire item: its component and the source column of each role it has."""

    item: str
    component: str
    columns: dict[str, str]  # role -> source column


@dataclass(frozen=True)
class SurveySpec:
    items: tuple[SurveyItem, ...] = ()
    patterns: dict[str, re.Pattern] = field(default_factory=dict)  # role -> regex with (?P<item>...)
    item_components: dict[str, str] = field(default_factory=dict)  # item code -> component


@dataclass(frozen=True)
class NewBranches:
    """How to create a branch the export names but the store lacks."""

    name: dict[str, str]  # branch_id -> name (else the id)
    region: dict[str, str]  # branch_id -> region (else the id)
    city: dict[str, str]
    branch_type: str
    size_band: str


@dataclass(frozen=True)
class Mapping:
    path: Path
    name: str
    target: str
    sha256: str
    description: str = ""
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    skip_rows: int | None = None
    sheet: str | int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field -> source column
    constants: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # field -> {source value: stored value}
    date_formats: tuple[str, ...] = ()
    id_field: str | None = None
    id_template: str | None = None
    channels: tuple[str, ...] = ()
    new_branches: NewBranches | None = None
    category_rules: tuple[CategoryRule, ...] = ()
    survey: SurveySpec | None = None

    @property
    def fields(self) -> tuple[Field, ...]:
        return TARGETS[self.target]

    def source_columns(self) -> set[str]:
        """Every source column named explicitly (regex survey columns are matched later)."""
        cols = set(self.columns.values())
        if self.survey:
            for it in self.survey.items:
                cols.update(it.columns.values())
        return cols


def _read_toml(path: Path) -> tuple[bytes, dict]:
    where = path.name
    if not path.exists():
        raise MappingError(f"mapping file {path} does not exist: pick one of mappings/*.toml or write your own")
    raw = path.read_bytes()
    try:
        return raw, tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise MappingError(f"{where} is not UTF-8 text: save the mapping file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{where} is not valid TOML ({exc}): fix the syntax, see mappings/README.md") from None


@dataclass(frozen=True)
class _Sections:
    """A parsed mapping file's tables, each checked as it is read; errors name the file."""

    where: str
    data: dict
    target: str

    @property
    def fields(self) -> dict[str, Field]:
        return {f.name: f for f in TARGETS[self.target]}

    def table(self, key: str) -> dict:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise MappingError(f"{self.where}: [{key}] must be a table (a [{key}] section), not {type(value).__name__}")
        return value

    def field_table(self, key: str) -> dict:
        """A table keyed by the target's field names."""
        value = self.table(key)
        for name in value:
            if name not in self.fields:
                raise MappingError(
                    f"{self.where}: unknown field {name!r} in [{key}] for target {self.target}; "
                    f"known fields: {', '.join(self.fields)}"
                )
        return value


def _source_settings(where: str, source: dict) -> dict[str, Any]:
    bad = sorted(set(source) - _SOURCE_KEYS)
    if bad:
        raise MappingError(f"{where}: unknown key {bad[0]!r} in [source]; known: {', '.join(sorted(_SOURCE_KEYS))}")
    fmt = source.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise MappingError(f"{where}: [source] format = {fmt!r} must be one of {', '.join(FORMATS)}")
    encoding = source.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except (LookupError, TypeError):
            raise MappingError(
                f"{where}: [source] encoding = {encoding!r} is not an encoding Python knows "
                "(use e.g. utf-8, utf-8-sig, cp949, cp1252)"
            ) from None
    delimiter = source.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise MappingError(f'{where}: [source] delimiter must be one character, e.g. "," or ";" or "\\t"')
    skip_rows = source.get("skip_rows")
    if skip_rows is not None and (not isinstance(skip_rows, int) or isinstance(skip_rows, bool) or skip_rows < 0):
        raise MappingError(f"{where}: [source] skip_rows must be a whole number >= 0")
    return {
        "format": fmt,
        "encoding": encoding,
        "delimiter": delimiter,
        "skip_rows": skip_rows,
        "sheet": source.get("sheet"),
    }


def _field_settings(s: _Sections) -> dict[str, Any]:
    """[columns], [constants], [defaults], [values] and [dates]."""
    where = s.where
    columns = s.field_table("columns")
    for name, col in columns.items():
        if not isinstance(col, str) or not col.strip():
            raise MappingError(f"{where}: [columns] {name} must name a source column (a non-empty string)")
    constants = s.field_table("constants")
    defaults = s.field_table("defaults")
    values = s.field_table("values")
    for name, table in values.items():
        if not isinstance(table, dict):
            raise MappingError(f'{where}: [values.{name}] must be a table of "source value" = "stored value"')
    dates = s.table("dates")
    formats = dates.get("formats", [])
    if set(dates) - {"formats"} or not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise MappingError(f'{where}: [dates] takes one key, formats = ["%Y-%m-%d", ...] (strftime codes)')
    return {
        "columns": dict(columns),
        "constants": dict(constants),
        "defaults": dict(defaults),
        "values": {k: {str(a): b for a, b in v.items()} for k, v in values.items()},
        "date_formats": tuple(formats),
    }


def _id_settings(s: _Sections) -> dict[str, Any]:
    id_table = s.table("id")
    if not id_table:
        return {"id_field": None, "id_template": None}
    id_field, id_template = id_table.get("field"), id_table.get("template")
    if id_field not in s.fields or not isinstance(id_template, str) or "{row" not in id_template:
        raise MappingError(
            f'{s.where}: [id] needs field = one of {", ".join(s.fields)} and template = "prefix-{{row}}" '
            "(the data row number fills {row})"
        )
    try:
        id_template.format(row=1)
    except (ValueError, KeyError, IndexError) as exc:
        raise MappingError(f"{s.where}: [id] template {id_template!r} is not a valid format string ({exc})") from None
    return {"id_field": id_field, "id_template": id_template}


def _channels(s: _Sections) -> tuple[str, ...]:
    channels = s.data.get("channels", [])
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise MappingError(f'{s.where}: channels must be a list of channel names, e.g. channels = ["Kiosk"]')
    return tuple(channels)


def _new_branches(s: _Sections) -> NewBranches | None:
    nb = s.table("new_branches")
    if "new_branches" not in s.data:  # an empty [new_branches] table means: create with the defaults
        return None
    bad = sorted(set(nb) - _NEW_BRANCH_KEYS)
    if bad:
        raise MappingError(
            f"{s.where}: unknown key {bad[0]!r} in [new_branches]; known: {', '.join(sorted(_NEW_BRANCH_KEYS))}"
        )
    for key in ("name", "region", "city"):
        if not isinstance(nb.get(key, {}), dict):
            raise MappingError(f"{s.where}: [new_branches.{key}] must be a table of branch id = {key}")
    return NewBranches(
        {str(k): str(v) for k, v in nb.get("name", {}).items()},
        {str(k): str(v) for k, v in nb.get("region", {}).items()},
        {str(k): str(v) for k, v in nb.get("city", {}).items()},
        str(nb.get("branch_type", "Imported")),
        str(nb.get("size_band", "Unknown")),
    )


def _category_rules(s: _Sections) -> tuple[CategoryRule, ...]:
    cat = s.table("category")
    if not cat:
        return ()
    if s.target != "tickets":
        raise MappingError(f'{s.where}: [category] rules only apply to target = "tickets"')
    if set(cat) - {"rules"}:
        raise MappingError(f"{s.where}: [category] takes only [[category.rules]] entries")
    return tuple(_category_rule(s.where, i, rule) for i, rule in enumerate(cat.get("rules", []), 1))


def _survey(s: _Sections) -> SurveySpec | None:
    sv = s.table("survey")
    if sv:
        if s.target != "surveys":
            raise MappingError(f'{s.where}: [survey] item columns only apply to target = "surveys"')
        return _survey_spec(s.where, sv)
    if s.target == "surveys":
        raise MappingError(f"{s.where}: a survey mapping needs a [survey] section naming the item columns")
    return None


def _check_sources(where: str, mapping: Mapping) -> None:
    """Every required field has a source, and none has two."""
    missing = [
        f.name
        for f in mapping.fields
        if f.required
        and f.name not in mapping.columns
        and f.name not in mapping.constants
        and f.name != mapping.id_field
    ]
    if missing:
        raise MappingError(
            f"{where}: required field {missing[0]!r} has no source: add it to [columns] (a column of the export) "
            "or [constants] (one value for every row)"
        )
    both = sorted(set(mapping.columns) & set(mapping.constants))
    if both:
        raise MappingError(f"{where}: field {both[0]!r} is in both [columns] and [constants]: keep one")


def load(path: Path | str) -> Mapping:
    """Read and check a mapping file; raise MappingError with one line saying what to fix."""
    path = Path(path)
    where = path.name
    raw, data = _read_toml(path)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise MappingError(
            f"{where}: unknown setting {unknown[0]!r}; "
            f"known top-level keys and sections: {', '.join(sorted(_TOP_KEYS))}"
        )
    target = data.get("target")
    if target not in TARGETS:
        raise MappingError(f"{where}: target = {target!r} must be one of {', '.join(TARGETS)}")
    s = _Sections(where, data, target)
    source = _source_settings(where, s.table("source"))
    fields = _field_settings(s)
    mapping = Mapping(
        path=path,
        name=str(data.get("name") or path.stem),
        target=target,
        sha256=hashlib.sha256(raw).hexdigest(),
        description=str(data.get("description", "")),
        **source,
        **fields,
        **_id_settings(s),
        channels=_channels(s),
        new_branches=_new_branches(s),
        category_rules=_category_rules(s),
        survey=_survey(s),
    )
    _check_sources(where, mapping)
    return mapping


def _category_rule(where: str, i: int, rule: Any) -> CategoryRule:
    if not isinstance(rule, dict) or set(rule) - {"match", "family", "component", "description"}:
        raise MappingError(f"{where}: [[category.rules]] #{i} takes match, family, component and description")
    try:
        pattern = re.compile(str(rule.get("match", "")))
    except re.error as exc:
        raise MappingError(
            f"{where}: [[category.rules]] #{i} match is not a valid regular expression ({exc})"
        ) from None
    family, component = rule.get("family"), rule.get("component")
    if family not in ("product", "service"):
        raise MappingError(f"{where}: [[category.rules]] #{i} family = {family!r} must be product or service")
    if component not in COMPONENT_KEYS:
        raise MappingError(
            f"{where}: [[category.rules]] #{i} component = {component!r} must be one of {', '.join(COMPONENT_KEYS)}"
        )
    return CategoryRule(pattern, family, component, str(rule.get("description", "")))


def _survey_patterns(where: str, sv: dict) -> dict[str, re.Pattern]:
    patterns = {}
    for role in SURVEY_ROLES:
        if role not in sv:
            continue
        try:
            pattern = re.compile(str(sv[role]))
        except re.error as exc:
            raise MappingError(f"{where}: [survey] {role} is not a valid regular expression ({exc})") from None
        if "item" not in pattern.groupindex:
            raise MappingError(f"{where}: [survey] {role} regex needs a named group (?P<item>...) for the item code")
        patterns[role] = pattern
    return patterns


def _survey_item_components(where: str, sv: dict) -> dict[str, str]:
    item_components = sv.get("items", {})
    if not isinstance(item_components, dict):
        raise MappingError(f'{where}: [survey.items] must be a table of "item code" = "component"')
    for code, comp in item_components.items():
        if comp not in COMPONENT_KEYS:
            raise MappingError(
                f"{where}: [survey.items] {code} = {comp!r}: component must be one of {', '.join(COMPONENT_KEYS)}"
            )
    return {str(k): v for k, v in item_components.items()}


def _survey_item(where: str, i: int, entry: Any) -> SurveyItem:
    if not isinstance(entry, dict) or set(entry) - ({"item", "component"} | set(SURVEY_ROLES)):
        raise MappingError(f"{where}: [[survey.item]] #{i} takes item, component and {', '.join(SURVEY_ROLES)}")
    if entry.get("component") not in COMPONENT_KEYS or not entry.get("item"):
        raise MappingError(
            f'{where}: [[survey.item]] #{i} needs item = "code" and component = one of {", ".join(COMPONENT_KEYS)}'
        )
    cols = {r: str(entry[r]) for r in SURVEY_ROLES if r in entry}
    if "expectation" not in cols or "perception" not in cols:
        raise MappingError(f"{where}: [[survey.item]] #{i} needs both an expectation and a perception column")
    return SurveyItem(str(entry["item"]), entry["component"], cols)


def _survey_spec(where: str, sv: dict) -> SurveySpec:
    allowed = set(SURVEY_ROLES) | {"items", "item"}
    bad = sorted(set(sv) - allowed)
    if bad:
        raise MappingError(f"{where}: unknown key {bad[0]!r} in [survey]; known: {', '.join(sorted(allowed))}")
    patterns = _survey_patterns(where, sv)
    item_components = _survey_item_components(where, sv)
    items = [_survey_item(where, i, entry) for i, entry in enumerate(sv.get("item", []), 1)]
    if not items and not ("expectation" in patterns and "perception" in patterns):
        raise MappingError(
            f"{where}: [survey] needs expectation and perception column regexes, or [[survey.item]] entries"
        )
    if patterns and not item_components:
        raise MappingError(f'{where}: [survey.items] must give each item code its component, e.g. "1" = "reliability"')
    return SurveySpec(tuple(items), patterns, item_components)


def shipped_mappings(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.toml"))
