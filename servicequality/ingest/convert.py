"""Turning one cell's text into a typed value, or a reason to reject the row."""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache
from typing import Any

from servicequality.ingest.cells import parse_number
from servicequality.ingest.mapping import Field

# --- values ------------------------------------------------------------------------------------


class Reject(Exception):
    """One row is rejected: which source column, which value, why."""

    def __init__(self, reason: str, column: str | None = None, value: Any = None):
        super().__init__(reason)
        self.reason, self.column, self.value = reason, column, value


_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


@lru_cache(maxsize=65536)
def parse_timestamp(text: str, formats: tuple[str, ...]) -> dt.datetime:
    """The first format that parses the whole text wins, then ISO 8601; ValueError otherwise."""
    for fmt in formats:
        # The two commonest formats on zero-padded text: fromisoformat gives strptime's result
        # ten times faster (anything else, e.g. "2024-1-5", still goes through strptime).
        fast = _ISO_FAST.get(fmt)
        try:
            if fast is not None and fast.match(text):
                return dt.datetime.fromisoformat(text)  # ValueError on a day that does not exist, as strptime
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return dt.datetime.fromisoformat(text).replace(tzinfo=None) if _ISO.match(text) else _fail(text)


_ISO_FAST = {
    "%Y-%m-%d %H:%M:%S": re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\Z", re.ASCII),
    "%Y-%m-%d": re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII),
}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([+-]\d{2}:?\d{2}|Z)?$")


def _fail(text: str):
    raise ValueError(text)


def _text_value(f: Field, text: str, formats: tuple[str, ...]) -> Any:
    """A text, timestamp, date or bool field's value from its cell text."""
    if f.kind == "text":
        if f.choices and text not in f.choices:
            raise ValueError(f"{f.name} must be one of {', '.join(f.choices)}")
        return text
    if f.kind in ("timestamp", "date"):
        try:
            stamp = parse_timestamp(text, formats)
        except ValueError:
            shown = ", ".join(formats) if formats else "ISO 8601"
            raise ValueError(f"unparseable date for {f.name} (tried {shown}); add its format to [dates]") from None
        return stamp.date() if f.kind == "date" else stamp
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"{f.name} must be yes/no or true/false; map other values in [values.{f.name}]")


def _number(f: Field, number: float | int) -> int | float:
    """A number checked against the field's kind and range."""
    if not math.isfinite(number):
        raise ValueError(f"{f.name} must be a finite number")
    if f.kind == "int" and number != int(number):
        raise ValueError(f"{f.name} must be a whole number")
    if (f.low is not None and number < f.low) or (f.high is not None and number > f.high):
        raise ValueError(f"{f.name} out of range {f.low:g}-{f.high:g}")
    return int(number) if f.kind == "int" else float(number)


def convert(f: Field, value: Any, formats: tuple[str, ...]) -> Any:
    """A mapped value as the store's type; raises ValueError with the reason."""
    if isinstance(value, bool):
        if f.kind == "bool":
            return value
        value = str(value).lower()
    if isinstance(value, int | float) and f.kind in ("int", "float"):
        return _number(f, value)
    text = str(value).strip()
    if f.kind not in ("int", "float"):
        return _text_value(f, text, formats)
    try:
        number = parse_number(text)
    except ValueError as exc:
        detail = str(exc)
        raise ValueError(
            f"{f.name} must be a number" + ("" if "is not a number" in detail else f" ({detail})")
        ) from None
    return _number(f, number)
