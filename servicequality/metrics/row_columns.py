"""The columns each kind of row shows on the Rows page and in its CSV: their words, the codes shown as
words, what a blank means, what is personal, and which columns no export in the store recorded (left
out and named once). Pure: no Streamlit, no SQL."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from servicequality import domain

COLUMNS: dict[str, dict[str, str]] = {
    "tickets": {
        "ticket_id": "Ticket",
        "opened_at": "Opened",
        "branch_name": "Branch",
        "branch_id": "Branch code",  # "Branch" is the name's column; a header said "Branch id"
        "region": "Region",
        "branch_type": "Branch type",
        "channel": "Channel",
        "kind": "Kind",
        "category": "Category",
        "family": "Category family",
        "component_name": "Component",
        "priority": "Priority",
        "status": "Status",
        "first_response_minutes": "First response (minutes)",
        "resolution_minutes": "Resolution (minutes)",
        "resolution_target": "Resolution target (minutes)",
        "within_target": "Resolved within target",
        "reopened_count": "Times reopened",
        "escalated": "Escalated",
        "satisfaction": "Satisfaction with handling (1-5)",
        "segment": "Customer segment",
    },
    "responses": {
        "response_id": "Response",
        "submitted_at": "Submitted",
        "branch_name": "Branch",
        # the answer and the survey's scale: '8 (1-10)' (answers_on_scale)
        "overall_satisfaction": "Overall satisfaction",
        "nps": "Would recommend",
        "performance": "Performance (% of maximum)",
        "mean_gap": "Mean gap (perception − expectation)",
        "mean_perception": "Mean perception (1-7)",
        "comment": "Comment",
        "channel": "Channel",
        "segment": "Customer segment",
        "region": "Region",
        "branch_type": "Branch type",
        "branch_id": "Branch code",
    },
}
# Complaints only: "Kind" would say "Complaint" on every row.
COLUMNS["complaints"] = {c: label for c, label in COLUMNS["tickets"].items() if c != "kind"}
COLUMNS["visits"] = {
    "visited_on": "Visited",
    "days_since_previous": "Days since previous visit",
    "branch_name": "Branch",
    "branch_id": "Branch code",
    "region": "Region",
    "branch_type": "Branch type",
    "channel": "Channel",
    "segment": "Customer segment",
    "value": "Value",
    "referred": "Came on a referral",
}
# What a cell the row does not hold shows (st.dataframe writes "None"): a response with no answer
# (not asked, or "don't know": the store keeps both as null; "not recorded" was wrong for the
# hospital's q1 = 11, "don't know", which the export does record); a ticket's time may still be to
# come (open), or have no target set.
MISSING = {"tickets": "–", "complaints": "–", "responses": "no answer", "visits": "–"}
# Free text that may carry personal data: masked unless revealed. Identifiers are not free text
# (a 12-digit ticket number is not a phone number): only an e-mail address in one is masked.
# A visit has no free text, and no query returns a customer's key (drill_visits).
PERSONAL = {"tickets": (), "complaints": (), "responses": ("comment",), "visits": ()}
IDENTIFIERS = {"tickets": ("ticket_id",), "complaints": ("ticket_id",), "responses": ("response_id",), "visits": ()}
# Values the store keeps as lower-case codes (schema.sql's checks), shown as words: "Complaint",
# "Normal"; any other value as stored.
WORDS = {
    "kind": {k: k.capitalize() for k in domain.TICKET_KINDS},
    "priority": {p: p.capitalize() for p in domain.PRIORITIES},
    # schema.sql's status check and complaint_categories' families: "closed" and "service" sat
    # beside "Complaint" and "Normal"
    "status": {s: s.capitalize() for s in ("open", "resolved", "closed")},
    "family": {f: f.capitalize() for f in ("service", "product", "unmapped")},
}
# Times in minutes to one decimal: a deadline read from a timestamp came out as 21600.983333.
MINUTES = ("first_response_minutes", "resolution_minutes", "resolution_target")


# The columns an export may not record at all, and the probe that says whether the store holds any
# value of each (recorded_fields; store_contents' has_gaps; survey_questions' has_satisfaction and
# has_recommend). A column no export recorded is blank on every page: the CFPB sample has no handling
# times, Boston 311 no category, Skytrax and the hospital no expectations ("Mean perception (1-7)"
# would also name a scale those surveys did not use). The page leaves them out and names them once.
RECORDED_BY: dict[str, dict[str, str]] = {
    "tickets": {
        "category": "has_category",
        "family": "has_category",
        "component_name": "has_component",
        "first_response_minutes": "has_first_response",
        "resolution_minutes": "has_resolution",
        "resolution_target": "has_resolution_target",
        "within_target": "has_resolution_target",
        "reopened_count": "has_reopened",
        "escalated": "has_escalated",
        "satisfaction": "has_handling_satisfaction",
        "segment": "has_ticket_segment",
        "region": "has_region",
    },
    "responses": {
        "overall_satisfaction": "has_satisfaction",
        "nps": "has_recommend",
        "mean_gap": "has_gaps",
        "mean_perception": "has_gaps",
        "comment": "has_comment",
        "segment": "has_response_segment",
        "region": "has_region",
    },
}
RECORDED_BY["complaints"] = RECORDED_BY["tickets"]
GAP_COLUMNS = ("mean_gap", "mean_perception")
RECORDED_BY["visits"] = {
    "channel": "has_visit_channel",
    "segment": "has_visit_segment",
    "value": "has_visit_value",
    "referred": "has_referred",
    "region": "has_region",
}


# Columns left out when every ticket of the period holds one value: a mapping's constant where the
# export records none (priority "normal" for the CFPB and Boston 311), repeated 50 times a page,
# says nothing about any row. Named once under the table with the value.
ONE_VALUE: dict[str, dict[str, str]] = {"tickets": {"priority": "has_priority_choice"}}
ONE_VALUE["complaints"] = ONE_VALUE["tickets"]


def unrecorded(kind: str, probes: Mapping[str, object], branches: pd.DataFrame | None = None) -> tuple[str, ...]:
    """The columns of `kind` to leave out: those whose probe (RECORDED_BY, ONE_VALUE) is 0 in `probes`
    (recorded_fields over the period, with the store-wide probes; a probe missing from it counts as
    recorded), and the branch code where every branch's code is its name (Skytrax's lounges:
    "Branch" and "Branch code" said the same twice; `branches`: filter_branches)."""
    probed = RECORDED_BY[kind] | ONE_VALUE.get(kind, {})
    columns = tuple(c for c, probe in probed.items() if not probes.get(probe, 1))
    if branches is not None and len(branches) and (branches["branch_id"] == branches["branch_name"]).all():
        columns += ("branch_id",)
    return columns


# What a row's dash means, beyond "not recorded", where a kind has a column whose blank says more.
BLANK_NOTES = {"visits": "Days since previous visit: – on a customer's first visit on record."}


def unrecorded_words(
    kind: str,
    columns: Collection[str],
    in_store: Mapping[str, object] | None = None,
    rows: pd.DataFrame | None = None,
) -> str | None:
    """The sentences under the table naming the columns left out (unrecorded): those no export in the
    store recorded at all (their probe is 0 in `in_store`, recorded_fields over the data's whole span;
    without it, every one), those no row of the period records (the CFPB's escalation ends in 2017),
    and those with one value on every row, named with it from `rows` (the page's rows). The branch
    code, left out as a repeat of the name, is not named. None when there is nothing to say."""
    labels = COLUMNS[kind]
    recorded = RECORDED_BY[kind]
    missing = [c for c in labels if c in columns and c in recorded]
    never = [c for c in missing if in_store is None or not in_store.get(recorded[c], 1)]
    sentences = []
    if never:
        sentences.append(f"Not recorded in this store's data, so not shown: {', '.join(labels[c] for c in never)}.")
    if period := [labels[c] for c in missing if c not in never]:
        sentences.append(f"Not recorded in this period, so not shown: {', '.join(period)}.")
    for column in (c for c in ONE_VALUE.get(kind, {}) if c in columns):
        value = rows[column].iloc[0] if rows is not None and column in rows and len(rows) else None
        if value is None or pd.isna(value):
            sentences.append(f"{labels[column]} is the same on every row here, so not shown.")
        else:
            value = WORDS.get(column, {}).get(value, value)
            sentences.append(f"{labels[column]}: {value} on every row here, so not shown.")
    return " ".join(sentences) or None


def for_display(rows: pd.DataFrame, kind: str, reveal: bool = False, leave_out: Collection[str] = ()) -> pd.DataFrame:
    """Rows with words for headers and codes (WORDS), personal data masked (unless `reveal`); a text
    the row does not hold (no comment, no category) shows blank, not the word None. The columns in
    `leave_out` (unrecorded) are not shown."""
    rows = rows.drop(columns=[c for c in leave_out if c in rows.columns])
    from servicequality.metrics import privacy

    shown = rows if reveal else privacy.mask_columns(rows, PERSONAL[kind], IDENTIFIERS[kind])
    shown = shown.assign(**{c: shown[c].replace(words) for c, words in WORDS.items() if c in shown.columns})
    shown = shown.assign(**{c: pd.to_numeric(shown[c]).round(1) for c in MINUTES if c in shown.columns})
    columns = COLUMNS[kind]
    shown = shown.assign(
        **{c: _dates_if_midnight(shown[c]) for c in ("opened_at", "submitted_at", "visited_on") if c in shown}
    )
    text = [c for c in shown.columns if pd.api.types.is_string_dtype(shown[c]) or shown[c].dtype == object]
    shown = shown.assign(**{c: shown[c].fillna("") for c in text})
    if kind == "responses":
        # after the blanks: an unanswered question stays null, which the page shows as "no answer"
        shown = shown.assign(
            **{
                shown_as: answers_on_scale(shown, prefix)
                for shown_as, prefix in (("overall_satisfaction", "satisfaction"), ("nps", "recommend"))
                if f"{prefix}_answer" in shown.columns
            }
        )
        if "performance" in shown.columns:
            shown["performance"] = shown["performance"].round(1)
        for column in GAP_COLUMNS:  # two decimals, as the pages show gaps (-1.691 was shown)
            if column in shown.columns:
                shown[column] = pd.to_numeric(shown[column]).round(2)
    if kind == "visits":
        if "value" in shown.columns:
            shown["value"] = pd.to_numeric(shown["value"]).round(2)
        if "referred" in shown.columns:  # yes / no, and a blank (not recorded) as the page's placeholder
            shown["referred"] = pd.Series(
                [None if pd.isna(v) else ("yes" if v else "no") for v in shown["referred"]],
                index=shown.index,
                dtype=object,
            )
    shown = shown[[c for c in columns if c in shown.columns]].rename(columns=columns)
    return shown.reset_index(drop=True)


def answers_on_scale(rows: pd.DataFrame, prefix: str) -> pd.Series:
    """A response's overall answer with the survey's scale, as text: '8 (1-10)', '4 (1-5)'; None
    where it was not asked or answered "don't know". Surveys ask on their own scales (a hospital's
    1-10, the classic 1-5 and 0-10; one export may change scale part-way), so a bare 8 would not say
    how good it is. A yes/no question (0-1: Skytrax's "recommended") reads 'yes' or 'no', not '1 (0-1)'."""
    answer, low, high = rows[f"{prefix}_answer"], rows[f"{prefix}_min"], rows[f"{prefix}_max"]

    def text(a, lo, hi) -> str | None:
        if pd.isna(a):
            return None
        if lo == 0 and hi == 1:
            return "yes" if a == 1 else "no"
        return f"{_number(a)} ({_number(lo)}-{_number(hi)})"

    return pd.Series([text(*v) for v in zip(answer, low, high, strict=True)], index=rows.index, dtype=object)


def _number(value: Any) -> str:
    return f"{float(value):g}"


def _dates_if_midnight(stamps: pd.Series) -> pd.Series:
    """Times of an export that records dates only (CFPB's 'Date received', the hospital's survey
    date) as dates: '2020-03-19', not a made-up '2020-03-19 00:00:00'. Any time of day keeps them all."""
    if not pd.api.types.is_datetime64_any_dtype(stamps):
        return stamps
    present = stamps.dropna()
    if present.empty or (present != present.dt.normalize()).any():
        return stamps
    return stamps.dt.date
