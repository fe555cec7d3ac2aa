"""A cell's text as a number or an identifier, strictly: what a person reading the export would
call a number, and ids that are what they look like."""

from __future__ import annotations

import math
import re
import unicodedata

_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?", re.ASCII)  # 1,234 or 12,345.5; not 0,004


def parse_number(text: str) -> float:
    """A cell's number, written with the ASCII digits 0-9, an optional sign, decimal point and
    exponent, or with comma thousands separators (1,234.5); finite. ValueError with the reason
    otherwise. Python's float() also reads "nan", "inf", "1_000" and other scripts' digits
    ("١٢" is 12): a score of NaN, an infinite weight or a look-alike number are not data."""
    t = text.strip()
    if _DECIMAL.fullmatch(t):
        number = float(t)
    elif _THOUSANDS.fullmatch(t):
        number = float(t.replace(",", ""))
    elif any(c.isdigit() and not c.isascii() for c in t):
        raise ValueError(f"{t!r} is written with other digits than 0-9")
    elif t.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise ValueError(f"{t!r} is not a finite number")
    else:
        raise ValueError(f"{t!r} is not a number")
    if not math.isfinite(number):
        raise ValueError(f"{t!r} is too large")
    return number


# Letters of these scripts look like Latin ones (Cyrillic "В", "О", Greek "Α"): an id mixing them
# with Latin letters is a look-alike of another id, not a new one.
_LOOK_ALIKE_SCRIPTS = ("CYRILLIC", "GREEK")


def identifier_problem(text: str, *, reveal: bool = True) -> str | None:
    """Why an id (ticket, response, branch, customer) is not plain text, or None: invisible
    characters (zero-width space, byte-order mark, control codes), spaces other than the plain one,
    compatibility forms that Unicode folds to other characters (fullwidth "Ｂ００１" is "B001"), or
    Latin letters mixed with Cyrillic or Greek ones ("B0О1" with a Cyrillic "О"). Each would store
    a second branch or customer that reads the same as the first (Unicode TR 36, TR 39). The text is
    taken in NFC (the caller composes it). `reveal=False` leaves the id's own text out of the reason
    (a customer's id never reaches the store, not even in a rejection)."""
    if text.isascii() and text.isprintable():  # the common case, in C: letters, digits, punctuation, " "
        return None
    for c in text:
        category = unicodedata.category(c)
        if category in ("Cf", "Cc") or (category == "Zs" and c != " "):
            name = unicodedata.name(c, "a control character")
            return f"holds an invisible or unusual character ({name}, U+{ord(c):04X})"
    folded = unicodedata.normalize("NFKC", text)
    if folded != unicodedata.normalize("NFC", text):
        return "holds compatibility characters" + (f" (it reads as {folded!r})" if reveal else "")
    scripts = {unicodedata.name(c, "").split(" ")[0] for c in text if c.isalpha()}
    mixed = scripts & set(_LOOK_ALIKE_SCRIPTS)
    if "LATIN" in scripts and mixed:
        odd = next(c for c in text if c.isalpha() and unicodedata.name(c, "").split(" ")[0] in mixed)
        detail = f" ({odd!r} is {unicodedata.name(odd)})" if reveal else ""
        return f"mixes Latin and {sorted(mixed)[0].title()} letters{detail}"
    return None
