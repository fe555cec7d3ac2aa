"""The keys of the fact tables, checked over an import's rows after they are written.

The store declares no primary or foreign keys on its fact tables (store/schema.sql: their indexes
were two thirds of the file, which every import copies). What they guaranteed is checked here for the
rows of the run, after they are written and before the new file replaces the old one. The import
rejected repeats and unknown references row by row before (`stored` below, commit._earlier_in_file,
the mapping's branches and components); a check that finds one is a fault of ours, and the import
stops with nothing changed. CHECKS: per target, (what, a query giving an
offending key or nothing, over the run $r).
"""

from __future__ import annotations

import duckdb

from servicequality.ingest.read import ImportProblem

_RUN_TICKETS = "(select ticket_id from ticket_sources where run_id = $r)"
_RUN_RESPONSES = "(select response_id from survey_sources where run_id = $r)"


# The queries below are built from the table and column names of CHECKS, never from a file or a
# mapping; the run is bound ($r).
def _repeats(table: str, keys: str, run: str, key: str) -> str:
    return f"select {keys} from {table} where {key} in {run} group by {keys} having count(*) > 1 limit 1"


def _unknown(table: str, column: str, run: str, key: str, reference: str) -> str:
    return (
        f"select f.{column} from {table} as f where f.{key} in {run} "
        f"and not exists (select 1 from {reference} as r where r.{column} = f.{column}) limit 1"
    )


CHECKS = {
    "tickets": (
        ("a ticket id twice", _repeats("tickets", "ticket_id", _RUN_TICKETS, "ticket_id")),
        ("a ticket's source twice", _repeats("ticket_sources", "ticket_id", _RUN_TICKETS, "ticket_id")),
        ("a ticket's customer twice", _repeats("ticket_customers", "ticket_id", _RUN_TICKETS, "ticket_id")),
        ("a ticket of an unknown branch", _unknown("tickets", "branch_id", _RUN_TICKETS, "ticket_id", "branches")),
    ),
    "surveys": (
        ("a response id twice", _repeats("survey_responses", "response_id", _RUN_RESPONSES, "response_id")),
        ("a response's source twice", _repeats("survey_sources", "response_id", _RUN_RESPONSES, "response_id")),
        (
            "a response's customer twice",
            _repeats("response_customers", "response_id", _RUN_RESPONSES, "response_id"),
        ),
        (
            "an item's score twice",
            _repeats("survey_scores", "response_id, component_key, item", _RUN_RESPONSES, "response_id"),
        ),
        (
            "an item's missing answer twice",
            _repeats("survey_item_missing", "response_id, component_key, item", _RUN_RESPONSES, "response_id"),
        ),
        (
            "an importance twice",
            _repeats("survey_importance", "response_id, component_key", _RUN_RESPONSES, "response_id"),
        ),
        (
            "a response of an unknown branch",
            _unknown("survey_responses", "branch_id", _RUN_RESPONSES, "response_id", "branches"),
        ),
        *(
            (
                f"a {what} of an unknown component",
                _unknown(table, "component_key", _RUN_RESPONSES, "response_id", "components"),
            )
            for what, table in (
                ("score", "survey_scores"),
                ("missing answer", "survey_item_missing"),
                ("importance", "survey_importance"),
            )
        ),
    ),
    "visits": (
        (
            "a visit of an unknown branch",
            "select v.branch_id from visits as v anti join branches as b on b.branch_id = v.branch_id limit 1",
        ),
    ),
}


def stored(waiting: str, table: str, names: tuple[str, ...]) -> str:
    """The SQL of the distinct keys (`names`) of the rows of `waiting` that `table` already holds: a
    join in DuckDB, so the store's millions of ids are never read into Python (they were: 11 s and
    about 1.5 GB at 10 M tickets). "is not distinct from": a blank part of a key (a visit without a
    channel) equals a blank one. A one-column id an earlier version stored decomposed (NFD) matches
    its composed form (ids arrive NFC). Names are the callers' constants (mapping.KEYS and the store's
    table names), never a file's or a mapping's."""
    cols = ", ".join(f"w.{n}" for n in names)
    on = " and ".join(f"s.{n} is not distinct from w.{n}" for n in names)
    sql = f"select distinct {cols} from {waiting} as w semi join {table} as s on {on}"
    if len(names) == 1:
        (name,) = names
        sql += (
            f" union select distinct w.{name} from {waiting} as w semi join (select nfc_normalize(s.{name}) "
            f"as k from {table} as s where strlen(s.{name}) <> length(s.{name})) as d on d.k = w.{name}"
        )
    return sql


def check(con: duckdb.DuckDBPyConnection, target: str, run_id: int) -> None:
    """What the fact tables' keys guaranteed, over the rows run `run_id` wrote (CHECKS); ImportProblem
    when a row breaks it."""
    for what, sql in CHECKS.get(target, ()):
        # The queries are the constants above; the run is bound.
        found = con.execute(sql, {"r": run_id} if "$r" in sql else {}).fetchall()
        if found:
            raise ImportProblem(
                f"the import would have stored {what} ({', '.join(map(str, found[0]))}): nothing was changed; "
                "this is a fault of the dashboard's, please report it with the file's first lines"
            )
