"""Masking personal data in free text before it is shown (the rows page masks by default).

Pure functions. What is masked, and with what:
- e-mail addresses                                  -> [email]
- phone numbers (7-15 digits with a + or separators, or 10-12 plain digits) -> [phone]
- long digit runs: account, card, customer numbers (8+ digits, or 13+ with separators) -> [number]
- a name after a title (Mr, Mrs, Ms, Miss, Mx, Dr, Prof, Sir, Madam) -> the title and [name]
Dates (2024-01-15, 15/01/2024) stay, and so does text already redacted at the source (CFPB's
'XXXX', 'XX/XX/XXXX'). Masking errs on the side of hiding: a reference number may go too.

An identifier (a ticket's or a response's id) is not free text: its digits are the record's own
number (Boston 311's ids are 12 plain digits, which the phone rule would hide), so only an id that
holds an e-mail address is masked (mask_identifier).
"""

from __future__ import annotations

import re

import pandas as pd

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits possibly broken by spaces, dashes, dots, slashes or brackets, not glued to letters.
DIGITS = re.compile(r"(?<![\w@])\+?\(?\d[\d\s().\-/]{4,}\d(?![\w@])")
DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})")
TITLES = r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Madam"
PARTICLES = r"(?:(?:van|von|de|del|der|da|di|le|la|al|el|bin|ben)\s+)*"
NAME_WORD = rf"{PARTICLES}[A-Z][\w'’-]*"
NAME_AFTER_TITLE = re.compile(rf"\b({TITLES})(\.?)(\s+){NAME_WORD}(?:\s+{NAME_WORD})*")


def _digits(match: re.Match) -> str:
    text = match.group(0)
    core = text.strip(" .-/")
    if DATE.fullmatch(core):
        return text
    digits = sum(ch.isdigit() for ch in text)
    separated = any(not ch.isdigit() for ch in core)
    if digits >= 13:
        return _keep_edges(text, "[number]")
    if 7 <= digits <= 15 and (core.startswith("+") or separated):
        return _keep_edges(text, "[phone]")
    if 10 <= digits <= 12:
        return _keep_edges(text, "[phone]")
    if digits >= 8:
        return _keep_edges(text, "[number]")
    return text


def _keep_edges(text: str, token: str) -> str:
    """Keep the whitespace the pattern swallowed at either end."""
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{token}{trail}"


def mask_text(text: object) -> object:
    """The text with personal data masked; None, NaN and non-text values pass unchanged."""
    if not isinstance(text, str) or not text:
        return text
    text = EMAIL.sub("[email]", text)
    text = DIGITS.sub(_digits, text)
    return NAME_AFTER_TITLE.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}[name]", text)


def mask_identifier(value: object) -> object:
    """The identifier with any e-mail address in it masked; digits stay (they are the record's number)."""
    if not isinstance(value, str) or not value:
        return value
    return EMAIL.sub("[email]", value)


def mask_columns(
    df: pd.DataFrame, columns: list[str] | tuple[str, ...], identifiers: list[str] | tuple[str, ...] = ()
) -> pd.DataFrame:
    """A copy of `df` with the free-text `columns` and the `identifiers` (those present) masked cell
    by cell."""
    out = df.copy()
    for column in columns:
        if column in out.columns:
            out[column] = out[column].map(mask_text)
    for column in identifiers:
        if column in out.columns:
            out[column] = out[column].map(mask_identifier)
    return out
