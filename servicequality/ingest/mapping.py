"""Mapping files: how one customer's export becomes rows of the store.

A mapping is a TOML file (read with tomllib), documented with examples in mappings/README.md.
This module only reads and checks it: every mistake becomes one `MappingError` line that names
the file, the section and the fix. Nothing here touches the database or the export.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from servicequality import domain
from servicequality.ingest import limits
from servicequality.ingest.limits import RegexError, compile_regex
from servicequality.ingest.survey_spec import (
    COMPONENT_KEYS,
    MappingError,
    SurveySpec,
    survey_spec,
)


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


# Timestamps that may lie ahead of the import (a deadline): every other one in the future is refused.
AHEAD = frozenset({"resolution_target_at"})

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
        _f("resolution_target_at", "timestamp"),
        _f("timely_response", "bool"),
        _f("customer"),
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
        _f("customer"),
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
    "visits": (
        _f("customer", required=True),
        _f("branch_id", required=True),
        _f("visited_on", "date", required=True),
        _f("channel"),
        _f("segment"),
        _f("value", "float", low=0, high=1e12),
        _f("referred", "bool"),
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
    # a visit: one customer at one branch on one day through one channel (the customer's hashed key)
    "visits": ("customer_key", "branch_id", "visited_on", "channel"),
    "targets": ("channel", "priority"),
    "categories": ("category",),
}

FORMATS = ("csv", "xlsx", "xls", "parquet")

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
    "patterns",
    "dates",
    "id",
    "new_branches",
    "category",
    "survey",
    "aliases",
}
_SOURCE_KEYS = {"format", "encoding", "delimiter", "skip_rows", "sheet", "question_row"}
_NEW_BRANCH_KEYS = {"name", "region", "city", "branch_type", "size_band"}


@dataclass(frozen=True)
class CategoryRule:
    pattern: Any  # RE2 (ingest.limits.compile_regex)
    family: str
    component: str
    description: str
    label: str = ""  # when set, a matching category is filed under this shorter name


@dataclass(frozen=True)
class NewBranches:
    """How to create a branch the export names but the store lacks."""

    name: dict[str, str]  # branch_id -> name (else the id)
    region: dict[str, str]  # branch_id -> region (else the "*" entry, else the id)
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
    question_row: bool = False  # the row under the header holds the question texts, not data
    columns: dict[str, str] = field(default_factory=dict)  # field -> source column
    combined: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> columns joined (date + time)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> other names of its column
    undated: bool = False  # a survey export without any date: responses get the import date (with a warning)
    constants: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # field -> {source value: stored value}
    # field -> ((RE2 pattern, stored value), ...): tried in order on a value [values] does not list
    patterns: dict[str, tuple[tuple[Any, Any], ...]] = field(default_factory=dict)
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
        cols = set(self.columns.values()) | {c for names in self.combined.values() for c in names}
        return cols | self.survey.columns() if self.survey else cols


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
        "question_row": _flag(where, source, "question_row"),
    }


def _flag(where: str, table: dict, key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise MappingError(f"{where}: {key} must be true or false")
    return value


def _field_settings(s: _Sections) -> dict[str, Any]:
    """[columns], [constants], [defaults], [values] and [dates]."""
    where = s.where
    columns = dict(s.field_table("columns"))
    combined = {}
    for name, col in list(columns.items()):
        if isinstance(col, list) and len(col) >= 2 and all(isinstance(c, str) and c.strip() for c in col):
            if s.fields[name].kind not in ("timestamp", "date"):
                raise MappingError(
                    f"{where}: [columns] {name} joins several columns, which only dates and times can do"
                )
            combined[name] = tuple(col)  # e.g. ["Date", "Time"]: the cells joined with a space, then parsed
            del columns[name]
        elif not isinstance(col, str) or not col.strip():
            raise MappingError(
                f"{where}: [columns] {name} must name a source column (a non-empty string), or list the columns "
                'a date is built from, e.g. ["Date", "Time"]'
            )
    aliases = s.field_table("aliases")
    for name, names in aliases.items():
        if not isinstance(names, list) or not all(isinstance(c, str) and c.strip() for c in names):
            raise MappingError(f'{where}: [aliases] {name} must list other names of its column, e.g. ["Site"]')
        if name not in columns:
            raise MappingError(f"{where}: [aliases] {name} has no column in [columns] to be another name of")
    constants = s.field_table("constants")
    defaults = s.field_table("defaults")
    values = s.field_table("values")
    for name, table in values.items():
        if not isinstance(table, dict):
            raise MappingError(f'{where}: [values.{name}] must be a table of "source value" = "stored value"')
    patterns = {name: _patterns(where, name, table) for name, table in s.field_table("patterns").items()}
    formats = _date_formats(s)
    return {
        "columns": columns,
        "combined": combined,
        "aliases": {k: tuple(v) for k, v in aliases.items()},
        "constants": dict(constants),
        "defaults": dict(defaults),
        "values": {k: {str(a): b for a, b in v.items()} for k, v in values.items()},
        "patterns": patterns,
        "date_formats": tuple(formats),
    }


def _patterns(where: str, name: str, table: Any) -> tuple[tuple[Any, Any], ...]:
    """[patterns.<field>]: "RE2 pattern" = "stored value", in the file's order (a free-text column
    whose values come in endless spellings: "Complaint", "Contractor Complaint  D7", "Complant")."""
    if not isinstance(table, dict) or not table:
        raise MappingError(f'{where}: [patterns.{name}] must be a table of "regular expression" = "stored value"')
    out = []
    for pattern, value in table.items():
        try:
            out.append((compile_regex(str(pattern)), value))
        except RegexError as exc:
            raise MappingError(
                f"{where}: [patterns.{name}] {pattern!r} is not a valid regular expression for RE2 ({exc}); "
                "look-around and back-references are not supported"
            ) from None
    return tuple(out)


def _date_formats(s: _Sections) -> list[str]:
    """[dates] formats, each one strptime can use."""
    dates = s.table("dates")
    formats = dates.get("formats", [])
    if set(dates) - {"formats"} or not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
        raise MappingError(f'{s.where}: [dates] takes one key, formats = ["%Y-%m-%d", ...] (strftime codes)')
    for fmt in formats:
        if (problem := _format_problem(fmt)) is not None:
            raise MappingError(f"{s.where}: [dates] format {fmt!r} {problem}")
    return formats


def _format_problem(fmt: str) -> str | None:
    """Why strptime cannot read dates in this format, or None. strptime compiles the format before it
    reads any text, so reading an empty text finds a bad code, a stray % and a code given twice
    (which Python raises as a regular-expression error, not a ValueError)."""
    if not fmt.strip():
        return 'is empty: give strftime codes, e.g. "%d/%m/%Y"'
    try:
        dt.datetime.strptime("", fmt)
    except re.error:
        return "names a part of the date twice (a code such as %d may appear once)"
    except ValueError as exc:
        if not str(exc).startswith("time data"):
            return f"cannot be read: {exc} (strftime codes, e.g. %Y-%m-%d)"
    return None


def _id_settings(s: _Sections) -> dict[str, Any]:
    id_table = s.table("id")
    if not id_table:
        return {"id_field": None, "id_template": None}
    id_field, id_template = id_table.get("field"), id_table.get("template")
    if (
        id_field not in s.fields
        or not isinstance(id_template, str)
        or ("{row" not in id_template and "{hash" not in id_template)
    ):
        raise MappingError(
            f'{s.where}: [id] needs field = one of {", ".join(s.fields)} and template = "prefix-{{hash}}" (the '
            'row\'s content fills {hash}: stable when the export comes in parts) or "prefix-{row}" (the data row '
            "number)"
        )
    _check_template(s.where, id_template)
    return {"id_field": id_field, "id_template": id_template}


def _check_template(where: str, template: str) -> None:
    """The [id] template is a format string whose ids stay short: its widths are read before it is
    ever filled in (a width of 60,000,000 would build a 60 MB id per row)."""
    import string

    longest = limits.ID_LENGTH.value()
    too_long = f"ids are limited to {longest:,} characters (set {limits.ID_LENGTH.env} to raise it)"
    try:
        parts = list(string.Formatter().parse(template))
        for _, _, spec, _ in parts:
            if spec and "{" in spec:
                raise MappingError(f"{where}: [id] template {template[:80]!r}: a width cannot itself be a {{field}}")
            widths = [int(w) for w in re.findall(r"\d+", spec or "")]
            if any(w > longest for w in widths):
                raise MappingError(
                    f"{where}: [id] template {template[:80]!r} asks for a width of {max(widths):,}: {too_long}"
                )
        made = template.format(row=10**12, hash="f" * 16 + ".99")
    except MappingError:
        raise
    except (ValueError, KeyError, IndexError) as exc:
        raise MappingError(f"{where}: [id] template {template!r} is not a valid format string ({exc})") from None
    if len(made) > longest:
        raise MappingError(
            f"{where}: [id] template {template[:80]!r} makes ids of {len(made):,} characters: {too_long}"
        )


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
    region = nb.get("region", {})
    if isinstance(region, str):  # one region for every new branch
        region = {"*": region}
    for key in ("name", "city"):
        if not isinstance(nb.get(key, {}), dict):
            raise MappingError(f"{s.where}: [new_branches.{key}] must be a table of branch id = {key}")
    if not isinstance(region, dict):
        raise MappingError(f'{s.where}: [new_branches.region] must be a table of branch id = region, or region = "one"')
    return NewBranches(
        {str(k): str(v) for k, v in nb.get("name", {}).items()},
        {str(k): str(v) for k, v in region.items()},
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
        return survey_spec(s.where, sv)
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
        and f.name not in mapping.combined
        and f.name not in mapping.constants
        and f.name != mapping.id_field
        and not (mapping.undated and f.name == "submitted_at")
    ]
    if missing:
        raise MappingError(
            f"{where}: required field {missing[0]!r} has no source: add it to [columns] (a column of the export) "
            "or [constants] (one value for every row)"
        )
    both = sorted((set(mapping.columns) | set(mapping.combined)) & set(mapping.constants))
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
    if target == "surveys" and not (
        {"submitted_at"} & (set(mapping.columns) | set(mapping.combined) | set(mapping.constants))
    ):
        # No date anywhere: the responses are dated with the import date, and the import says so.
        mapping = replace(mapping, undated=True)
    _check_sources(where, mapping)
    return mapping


def _category_rule(where: str, i: int, rule: Any) -> CategoryRule:
    if not isinstance(rule, dict) or set(rule) - {"match", "family", "component", "description", "label"}:
        raise MappingError(f"{where}: [[category.rules]] #{i} takes match, family, component, description and label")
    try:
        pattern = compile_regex(str(rule.get("match", "")))
    except RegexError as exc:
        raise MappingError(
            f"{where}: [[category.rules]] #{i} match is not a valid regular expression for RE2 ({exc}); "
            "look-around and back-references are not supported"
        ) from None
    family, component = rule.get("family"), rule.get("component")
    if family not in ("product", "service"):
        raise MappingError(f"{where}: [[category.rules]] #{i} family = {family!r} must be product or service")
    if component not in COMPONENT_KEYS:
        raise MappingError(
            f"{where}: [[category.rules]] #{i} component = {component!r} must be one of {', '.join(COMPONENT_KEYS)}"
        )
    label = rule.get("label", "")
    if not isinstance(label, str):
        raise MappingError(f'{where}: [[category.rules]] #{i} label must be text, e.g. label = "Billing"')
    return CategoryRule(pattern, family, component, str(rule.get("description", "")), label.strip())


def shipped_mappings(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.toml"))
