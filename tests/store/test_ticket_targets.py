"""A ticket's own resolution deadline (tickets.resolution_target_at) comes before its channel and
priority's target (service_targets); the figures below are worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from servicequality import store
from servicequality.filters import Filters

T0 = dt.datetime(2024, 3, 4, 9, 0)
H = dt.timedelta(hours=1)
COLUMNS = "ticket_id, branch_id, channel, kind, category, priority, opened_at, resolved_at, status, segment"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    # Phone/normal's target: 10 h. By hand, with the data's as-of at T0 + 30 h (the latest time, A5's):
    #   A1 resolved after 3 h, own deadline 2 h: late (its own target, though 3 h < 10 h)
    #   A2 resolved after 9 h, no own deadline: within the channel's 10 h
    #   A3 resolved after 20 h, own deadline 24 h: within (though 20 h > 10 h)
    #   A4 open, own deadline 5 h: late at the as-of (30 h > 5 h)
    #   A5 resolved after 30 h, own deadline 30 h: within (at most its target)
    #   A6 open, own deadline 48 h: not judged yet (30 h < 48 h; the channel's 10 h does not apply)
    # Within 3 of 5 judged (A1, A2, A3, A4, A5); targets (h) 2, 10, 24, 5, 30, 48.
    rows = [
        ("A1", T0 + 3 * H, "resolved", T0 + 2 * H),
        ("A2", T0 + 9 * H, "resolved", None),
        ("A3", T0 + 20 * H, "resolved", T0 + 24 * H),
        ("A4", None, "open", T0 + 5 * H),
        ("A5", T0 + 30 * H, "resolved", T0 + 30 * H),
        ("A6", None, "open", T0 + 48 * H),
    ]

    def fill(con):
        con.execute("insert into branches values ('K1', 'K1', 'North', 'C', 'Standard', 'Small', null)")
        con.execute("insert into service_targets values ('Phone', 'normal', 60, 600)")
        for tid, resolved, status, due in rows:
            con.execute(
                f"insert into tickets ({COLUMNS}, resolution_target_at) "
                "values ($1, 'K1', 'Phone', 'complaint', 'Attitude', 'normal', $2, $3, $4, 'Individual', $5)",
                [tid, T0, resolved, status, due],
            )

    return store.build_atomically(tmp_path_factory.mktemp("targets") / "targets.duckdb", fill)


def test_a_ticket_is_judged_against_its_own_deadline_before_its_channels(db):
    con = store.connect_read_only(db)
    try:
        facts = dict(
            con.execute("select ticket_id, resolution_target / 60 from ticket_facts order by ticket_id").fetchall()
        )
        late = dict(
            con.execute("select ticket_id, resolution_judged_minutes <= resolution_target from ticket_facts").fetchall()
        )
        period = Filters(T0.date(), T0.date() + dt.timedelta(days=3)).params()
        summary = store.run_query(con, "handling_summary", period).iloc[0]
        pair = store.run_query(con, "handling_targets", period).iloc[0]
    finally:
        con.close()
    assert facts == {"A1": 2, "A2": 10, "A3": 24, "A4": 5, "A5": 30, "A6": 48}
    assert late == {"A1": False, "A2": True, "A3": True, "A4": False, "A5": True, "A6": None}
    assert (summary["resolution_within_target"], summary["targeted_resolution_n"]) == (3, 5)
    assert summary["late_open_n"] == 1
    # median target: percentile_cont(0.5) of 2, 5, 10, 24, 30, 48 h = (10 + 24) / 2 = 17 h
    assert summary["median_resolution_target"] == pytest.approx(17 * 60)
    # the pair's complaints have six different targets: none is the pair's
    assert pair["resolution_target"] is None or pair["resolution_target"] != pair["resolution_target"]
    assert (pair["resolution_within_target"], pair["targeted_resolution_n"]) == (3, 5)
