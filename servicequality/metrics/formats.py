"""Numbers in words for pages, reports and alerts: one format for each kind of number.

Pure functions (no Streamlit), so the dashboard, the PDF report and the alert e-mails write a
number the same way.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass


def fmt_number(value: float, digits: int = 2, suffix: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}{suffix}"


def minus(text: str) -> str:
    """Hyphen-minus to the real minus sign (U+2212) in text that shows numbers."""
    return text.replace("-", "−")


def fmt_p(p: float) -> str:
    """A p-value for a table: '< 0.001' below a thousandth, else 2 significant digits, never 0.0000."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "< 0.001" if p < 0.001 else (f"{p:.2g}" if p < 0.1 else f"{p:.2f}")


def fmt_within(
    share: float,
    targeted_n: int,
    handled_n: int,
    digits: int = 1,
    *,
    no_target: bool = False,
    not_recorded: bool = False,
) -> str:
    """A share within target in %; "no target set" when complaints were handled but none has a
    target, or when `no_target` says none of them has one, handled or not (a target nobody set is
    not a target, so there is no share to show); else "not recorded" when `not_recorded` says the
    export holds no such time for these complaints (Boston 311 records no first response, and sets
    deadlines): a field an export lacks is neither 0 nor a dash."""
    if not targeted_n:
        if no_target:  # the CFPB store: no target anywhere, whatever the export records
            return "no target set"
        if not_recorded:
            return "not recorded"
        return "no target set" if handled_n else "–"
    return fmt_number(100 * share, digits, " %")


def fmt_survival_minutes(minutes: float, still_open: int, handled: int) -> str:
    """A Kaplan-Meier time percentile: its minutes; "not recorded" when no complaint has the time
    (an export without it); "not reached" when the complaints still open keep the survival curve
    above it (more than that share of them is not yet handled)."""
    if minutes is None or (isinstance(minutes, float) and math.isnan(minutes)):
        if not handled:
            return "not recorded" if still_open else "–"
        if still_open:
            return "not reached"
    return fmt_minutes(minutes)


def fmt_signed(value: float, digits: int = 2) -> str:
    """+0.12 / -0.30: a change with its sign (ASCII minus: st.metric reads it for the arrow). A change
    that rounds to nothing is +0.00, not "-0.00" with a down arrow (the demo's third quarter)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    shown = round(float(value), digits)
    return f"{shown if shown else 0.0:+,.{digits}f}"


def fmt_minutes(minutes: float) -> str:
    """42 min, 3.5 h or 2.1 days: whichever reads naturally."""
    if minutes is None or (isinstance(minutes, float) and math.isnan(minutes)):
        return "–"
    if minutes < 90:
        return f"{minutes:,.0f} min"
    if minutes < 60 * 48:
        return f"{minutes / 60:,.1f} h"
    return f"{minutes / 1440:,.1f} days"


def period_words(period, grain: str) -> str:
    """October 2019 or 2019 Q4: a month or quarter as a caption names it."""
    return f"{period:%B %Y}" if grain == "month" else f"{period.year} Q{(period.month - 1) // 3 + 1}"


def one_period(period, grain: str, store_first, store_last) -> str:
    """Why a trend has nothing to draw: every row of the filter falls in one month (or quarter).
    "Widen the period" only where the store holds more; a store of one month (the kiosk's one day)
    would be asked for what it does not have."""
    words = period_words(period, grain)
    same = period_words(store_first, grain) == period_words(store_last, grain) == words
    if same:
        return f"The store's data all fall in one {grain} ({words}): there is no trend to draw."
    return (
        f"All the data in this filter fall in one {grain} ({words}): there is no trend to draw. Widen the "
        "period to see one."
    )


def none_below_words(compared: int, min_n: int, network: str, measure: str) -> str:
    """Why a "furthest below the network" list is empty. One branch with enough responses has no
    other to be below ("the one branch ... at or above the network's" was said of Skytrax's one
    airport, which is most of the network); several are each at or above it."""
    if compared == 1:
        return f"Only one branch has {min_n} or more responses: there is no other branch to compare it with."
    return (
        f"No branch is below the network: each of the {compared} branches with {min_n} or more responses has "
        f"{measure} at or above the network's {network}."
    )


def partial_months(start, end, first_day, last_day) -> str | None:
    """A caption naming the months at either end of a monthly chart that hold only part of their
    days: the period's start or end, or the store's first or last day of data, falls inside them.
    Their counts are not comparable with whole months (the CFPB's year from 21 Mar 2019: March 2019
    holds 11 days, March 2020 19); None when both ends are whole months."""

    lo, hi = max(start, first_day), min(end, last_day)
    if lo > hi:
        return None
    parts = []
    if lo.day != 1:
        parts.append(f"{lo:%b %Y} from {lo:%d %b}")
    if hi.day != calendar.monthrange(hi.year, hi.month)[1]:
        if (hi.year, hi.month) == (lo.year, lo.month) and parts:
            parts[-1] += f" to {hi:%d %b}"
        else:
            parts.append(f"{hi:%b %Y} to {hi:%d %b}")
    if not parts:
        return None
    return (
        f"Part of a month only: {parts[0]}. Its counts cover only those days."
        if len(parts) == 1
        else f"Parts of months only: {' and '.join(parts)}. Their counts cover only those days."
    )


def data_span(first_day: object, last_day: object) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a date_bounds row as dates (DuckDB gives dates, Spark and pandas
    timestamps); None when the store holds nothing dated (a null, NaT or NaN first day)."""
    if first_day is None or first_day != first_day:  # NaT and NaN are not equal to themselves
        return None
    return _as_date(first_day), _as_date(last_day)


def _as_date(value: object) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value  # a Timestamp is a datetime


def period_coverage(start, end, first_day, last_day) -> str | None:
    """A sentence for a period that runs past the store's data: how many of its days hold none, or
    that none do (a report of Dec 2025 - Feb 2026 on data that end 31 Dec 2025 said "(90 days)" and
    no more); None when the data cover the whole period, or when nothing is dated."""
    if first_day is None or last_day is None:
        return None
    days = (end - start).days + 1
    data = f"The store's data run from {first_day:%d %b %Y} to {last_day:%d %b %Y}"
    if end < first_day or start > last_day:
        return f"{data}: none fall in this period."
    outside = max(0, (first_day - start).days) + max(0, (end - last_day).days)
    if not outside:
        return None
    return f"{data}: {outside:,} of this period's {days:,} days have none."


def unanswered(asked: object) -> tuple[str, str]:
    """A card's value and n where the filter holds no answer: "not asked" where the store's surveys
    never had the question (the survey_questions probe is 0; a question the export lacks is not
    recorded, not 0), else "no answers"."""
    return ("no answers", "none in this filter") if asked else ("not asked", "not in this survey")


def fmt_span(start, end) -> str:
    """01 Oct 2019, or 01 Sep 2019 – 30 Sep 2019: a period of one day is one date."""
    return f"{start:%d %b %Y}" if start == end else f"{start:%d %b %Y} – {end:%d %b %Y}"


def compared_with(start, end, first_day, detail: str = "") -> str:
    """What a page's changes compare with: the previous period (and `detail` on it), or why there
    are none. `first_day` is the store's first dated day (None: nothing dated). A previous period
    wholly before it holds no data, so "Changes compare with ..." would promise changes no card
    can show."""
    span = fmt_span(start, end)
    if first_day is None or first_day > end:
        return f"No changes are shown: the data start after the previous period ({span})"
    started = f" (the data start on {first_day:%d %b %Y})" if first_day > start else ""
    return f"Changes compare with {span}{started}{detail}"


def fmt_n(n: float) -> str:
    return "n = 0" if not n or (isinstance(n, float) and math.isnan(n)) else f"n = {int(n):,}"


@dataclass(frozen=True)
class Tile:
    """A headline number as every way out shows it: a metric card on a page, a box in the PDF
    report, a line in an alert. `delta` is a change (coloured by `delta_color`: normal, inverse)
    or, with delta_color "off", a reference such as the target; `note` is a sentence shown under
    the card."""

    label: str
    value: str
    n: str
    delta: str | None = None
    delta_color: str = "normal"
    help: str | None = None
    note: str | None = None

    @property
    def is_change(self) -> bool:
        """The delta is a change against the previous period (change_delta's words), not a reference."""
        return bool(self.delta) and self.delta.endswith(("vs previous", "(noise)"))


def any_change(tiles: Sequence[Tile]) -> bool:
    """Whether any tile shows a change: only then does a caption say what changes compare with (the
    CFPB's October 2019, every card "not recorded" or "no target", said "Changes compare with ...")."""
    return any(t.is_change for t in tiles)


def comparison_words(tiles: Sequence[Tile], compared: str) -> str:
    """The caption's sentence on changes (compared_with's words) after the filters: said where a card
    shows a change, or where it says why none can ("No changes are shown: the data start after ...");
    nothing where the cards hold nothing that could change."""
    return f" {compared}." if any_change(tiles) or compared.startswith("No changes") else ""


# Streamlit markdown's own characters: emphasis, links and images, headings, lists, tables, HTML,
# :icon: shortcodes and $LaTeX$.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&])")
# GFM links a bare https://x, www.x or a@b.c whatever is escaped around it (seen in Chromium): a zero
# width space inside each ("https:\u200b//", "www\u200b.", "a\u200b@b") leaves no address to link.
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")


def branch_labels(rows):
    """A branch as every page names it, the sidebar's way: 'Harbour Street (B014)'; the id alone when
    the name is missing or is the id itself (an anonymised peer, 'Peer A'; an export that names its
    branches by their id). `rows`: a DataFrame with branch_name and branch_id; a Series on its index."""
    names, ids = rows["branch_name"], rows["branch_id"].astype(str)
    alone = names.isna() | (names.astype(str) == ids)
    return ids.where(alone, names.astype(str) + " (" + ids + ")")


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the last of them an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: object, limit: int = 120) -> str:
    """A name or a value a file wrote, for Streamlit markdown, shown as its characters in the
    surrounding text's font: every markdown character backslash-escaped (so a stored
    "[Sign in](https://x)" is no link, "<b>" is not bold, ":red[x]" not red), a zero-width space
    inside every bare address (GFM would link it), line breaks made spaces, and text past `limit`
    characters cut with an ellipsis."""
    value = clip(" ".join(str(text).split()), limit)
    value = _AUTOLINK.sub(
        lambda m: {"://": ":\u200b//", "@": "\u200b@"}.get(m.group(1), m.group(1)[:3] + "\u200b."), value
    )
    return _MARKDOWN.sub(r"\\\1", value)


def literal(text: object, limit: int = 80) -> str:
    """A value a visitor or a file wrote (a URL parameter, a name), for Streamlit markdown, shown as
    typed: in a code span, where markdown, links, bare URLs, HTML, LaTeX and :icon: shortcodes are
    not read (escaping punctuation is not enough: GitHub-flavoured markdown still links a bare
    https://... or www...). Backticks become ˋ (they would close the span), line breaks spaces,
    and text past `limit` characters is cut with an ellipsis."""
    value = clip(" ".join(str(text).split()).replace("`", "ˋ"), limit)
    return f"`{value}`" if value else "` `"


def column_letters(index: int) -> str:
    """A spreadsheet's column letters for a 0-based index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
