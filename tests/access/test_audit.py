"""The audit log (issue 16, item 4)."""

import datetime as dt
import json
import multiprocessing

import pytest

from servicequality.access import audit

AT = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def test_record_and_read_newest_first(tmp_path):
    path = tmp_path / "store.duckdb.audit.jsonl"
    audit.record(path, "ann@x", "analyst", "reveal", "personal data in complaints", "2025", now=AT)
    audit.record(path, "bob@x", "data_steward", "import", "tickets from t.csv (committed)", now=AT)
    events = audit.read(path)
    assert events["who"].tolist() == ["bob@x", "ann@x"]
    assert events.iloc[1].to_dict() == {
        "at": "2026-03-04T05:06:07+00:00",
        "who": "ann@x",
        "role": "analyst",
        "action": "reveal",
        "what": "personal data in complaints",
        "filters": "2025",
    }
    assert audit.read(path, last=1)["who"].tolist() == ["bob@x"]


def test_unknown_action_is_refused(tmp_path):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit.record(tmp_path / "a.jsonl", "x", "y", "delete", "everything")
    assert not (tmp_path / "a.jsonl").exists()


def test_an_unreadable_line_is_kept_not_dropped(tmp_path):
    path = tmp_path / "a.jsonl"
    audit.record(path, "ann@x", "analyst", "export", "table x.csv", now=AT)
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"at": "2026-03-04T05:0')  # a write cut short
    events = audit.read(path)
    assert events["action"].tolist() == ["unreadable line", "export"]
    assert audit.read(tmp_path / "none.jsonl").empty


def _write_many(path: str, who: str) -> None:
    for i in range(200):
        audit.record(__import__("pathlib").Path(path), who, "analyst", "export", f"table {i} " + "x" * 3000)


def test_two_processes_never_interleave_a_line(tmp_path):
    path = tmp_path / "a.jsonl"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_many, args=(str(path), w)) for w in ("p1", "p2")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 400
    assert all(json.loads(line)["what"].endswith("x" * 3000) for line in lines)


def test_audit_path_beside_the_database_unless_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("SQ_AUDIT", raising=False)
    assert audit.audit_path(tmp_path / "s.duckdb") == tmp_path / "s.duckdb.audit.jsonl"
    monkeypatch.setenv("SQ_AUDIT", str(tmp_path / "log" / "audit.jsonl"))
    assert audit.audit_path(tmp_path / "s.duckdb") == tmp_path / "log" / "audit.jsonl"
