"""The audit log: who revealed personal data, exported rows or imported a file, when, and with
which filters. One JSON object a line, appended under an exclusive file lock, so two server
workers (or the import command and the dashboard) never interleave a line; nothing in it is
rewritten. Kept beside the database (`<database>.audit.jsonl`) unless SQ_AUDIT names a file: the
dashboard opens the database read-only, and the log must not need the database's write lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

ACTIONS = ("reveal", "export", "import")
COLUMNS = ("at", "who", "role", "action", "what", "filters")


def audit_path(database: Path) -> Path:
    configured = os.environ.get("SQ_AUDIT")
    return Path(configured) if configured else Path(str(database) + ".audit.jsonl")


def record(
    path: Path, who: str, role: str, action: str, what: str, filters: str = "", now: dt.datetime | None = None
) -> dict[str, Any]:
    """Append one event; returns it as written."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}; expected one of {ACTIONS}.")
    event = {
        "at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "who": who,
        "role": role,
        "action": action,
        "what": what,
        "filters": filters,
    }
    line = json.dumps(event, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
    return event


def read(path: Path, last: int | None = None) -> pd.DataFrame:
    """The log's events, newest first (the last `last` of them); a line that is not a whole JSON
    object (a crash mid-write) is kept as what it says, never dropped silently."""
    if not path.exists():
        return pd.DataFrame(columns=list(COLUMNS))
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                event = json.loads(line)
                if not isinstance(event, dict):
                    raise ValueError
            except ValueError:
                event = {"action": "unreadable line", "what": line.strip()[:200]}
            rows.append({c: event.get(c, "") for c in COLUMNS})
    df = pd.DataFrame(rows, columns=list(COLUMNS)).iloc[::-1].reset_index(drop=True)
    return df.head(last) if last is not None else df
