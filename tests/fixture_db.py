"""The tiny fixture database. Every expected value in tests/test_queries.py is worked out by
hand from these rows; change a row and the comments there must change too.

Period used by the tests: 2024-01-01 .. 2024-02-29. Rows dated outside it exist on purpose.
Targets come from the default service_targets (servicequality.domain):
Phone/normal 2 min and 1440 min; Email/high 240 and 2160; Chat/urgent 1 and 720.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from servicequality import store

# Column lists for inserts (the tables have more columns, filled by imports).
RESPONSE_COLUMNS = "(response_id, branch_id, submitted_at, channel, segment, nps, overall_satisfaction, comment)"
SCORE_COLUMNS = "(response_id, component_key, item, expectation, perception, adequate)"

BRANCHES = [
    # branch_id, name, region, city, branch_type, size_band, opened_on
    ("B1", "Alpha", "North", "Northtown", "Standard", "Small", dt.date(2020, 1, 1)),
    ("B2", "Beta", "North", "Northtown", "Express", "Small", dt.date(2021, 6, 1)),
    ("B3", "Gamma", "South", "Southport", "Flagship", "Large", dt.date(2019, 3, 1)),
]

CUSTOMERS_SERVED = [
    ("B1", dt.date(2024, 1, 10), 100),
    ("B1", dt.date(2024, 2, 10), 200),
    ("B2", dt.date(2024, 1, 10), 300),
    ("B3", dt.date(2024, 1, 10), 400),
    ("B3", dt.date(2023, 12, 31), 1000),  # outside the test period
]


def _ts(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


TICKETS = [
    # id, branch, channel, kind, category, priority, opened, first response, resolved, status,
    # reopened, escalated, satisfaction, segment
    (
        "T1",
        "B1",
        "Phone",
        "complaint",
        "Attitude",
        "normal",
        "2024-01-10 09:00",
        "2024-01-10 09:01",
        "2024-01-10 21:00",
        "resolved",
        0,
        False,
        4,
        "Individual",
    ),  # 1 min, 720 min
    (
        "T2",
        "B1",
        "Email",
        "complaint",
        "Delivery",
        "high",
        "2024-01-15 10:00",
        "2024-01-15 16:00",
        "2024-01-17 10:00",
        "closed",
        1,
        True,
        2,
        "Premium",
    ),  # 360 min, 2880 min
    (
        "T3",
        "B2",
        "Phone",
        "complaint",
        "Function",
        "normal",
        "2024-02-05 08:00",
        "2024-02-05 08:03",
        None,
        "open",
        0,
        False,
        None,
        "Individual",
    ),  # 3 min, unresolved
    (
        "T4",
        "B2",
        "Web",
        "request",
        None,
        "normal",
        "2024-02-06 12:00",
        "2024-02-06 13:00",
        "2024-02-06 14:00",
        "resolved",
        0,
        False,
        5,
        "Small business",
    ),
    (
        "T5",
        "B3",
        "Chat",
        "complaint",
        "Etiquette",
        "urgent",
        "2024-01-20 15:00:00",
        "2024-01-20 15:00:30",
        "2024-01-20 16:00",
        "resolved",
        0,
        False,
        5,
        "Corporate",
    ),  # 0.5 min, 60 min
    (
        "T6",
        "B3",
        "Phone",
        "compliment",
        None,
        "low",
        "2024-01-21 11:00",
        None,
        None,
        "closed",
        0,
        False,
        None,
        "Individual",
    ),
    (
        "T7",
        "B1",
        "Phone",
        "complaint",
        "Attitude",
        "normal",
        "2023-12-30 09:00",
        "2023-12-30 09:05",
        "2023-12-30 10:00",
        "resolved",
        0,
        False,
        1,
        "Individual",
    ),  # outside the test period
]

SURVEY_RESPONSES = [
    # id, branch, submitted, channel, segment, nps, overall satisfaction, comment
    ("R1", "B1", "2024-01-12 10:00", "Phone", "Individual", 10, 5, "Quick and kind"),
    ("R2", "B1", "2024-01-13 10:00", "Face to face", "Premium", 6, 3, None),
    ("R3", "B2", "2024-02-01 10:00", "Web", "Individual", 8, 4, None),
    ("R4", "B3", "2024-02-02 10:00", "Phone", "Corporate", None, None, "Dirty waiting room"),
    ("R5", "B3", "2023-11-01 10:00", "Phone", "Corporate", 0, 1, None),  # outside the test period
]

SURVEY_SCORES = [
    # response, component, item, expectation, perception, adequate
    ("R1", "reliability", "REL1", 7, 5, 4),
    ("R1", "reliability", "REL2", 6, 5, 4),
    ("R1", "tangibles", "TAN1", 5, 6, 3),
    ("R2", "reliability", "REL1", 6, 6, 5),
    ("R2", "reliability", "REL2", 6, 4, 5),
    ("R2", "tangibles", "TAN1", 4, 4, 3),
    ("R3", "reliability", "REL1", 5, 5, None),
    ("R3", "reliability", "REL2", 7, 6, None),
    ("R3", "tangibles", "TAN1", 6, 7, None),
    ("R4", "reliability", "REL1", 7, 7, None),
    ("R4", "reliability", "REL2", 7, 7, None),
    ("R4", "tangibles", "TAN1", 6, 3, None),
    ("R5", "reliability", "REL1", 1, 7, None),
    ("R5", "tangibles", "TAN1", 1, 7, None),
]

SURVEY_IMPORTANCE = [
    ("R1", "reliability", 60.0),
    ("R1", "tangibles", 40.0),
    ("R2", "reliability", 30.0),
    ("R2", "tangibles", 10.0),
]


def fill(con) -> None:
    con.executemany("insert into branches values ($1, $2, $3, $4, $5, $6, $7)", BRANCHES)
    store.seed_default_targets(con)
    con.executemany("insert into customers_served values ($1, $2, $3)", CUSTOMERS_SERVED)
    con.executemany(
        "insert into tickets values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, null)",
        [(*t[:6], _ts(t[6]), _ts(t[7]), _ts(t[8]), *t[9:]) for t in TICKETS],
    )
    con.executemany(
        f"insert into survey_responses {RESPONSE_COLUMNS} values ($1, $2, $3, $4, $5, $6, $7, $8)",
        [(r[0], r[1], _ts(r[2]), *r[3:]) for r in SURVEY_RESPONSES],
    )
    con.executemany(
        f"insert into survey_scores {SCORE_COLUMNS} values ($1, $2, $3, $4, $5, $6)",
        SURVEY_SCORES,
    )
    con.executemany("insert into survey_importance values ($1, $2, $3)", SURVEY_IMPORTANCE)


def build(path: Path) -> Path:
    return store.build_atomically(path, fill)
