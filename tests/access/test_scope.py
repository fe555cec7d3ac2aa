"""Row-level security in the query layer (issue 16, item 3): Filters.scope binds $branches within
the session's branches whatever the selections say, so every query reads only those branches."""

import dataclasses

import pandas as pd
import pytest

from servicequality import store
from tests.conftest import FIXTURE_PERIOD, query_extras

# Queries that read no branch's rows: the period's bounds, the sidebar's lists (the sidebar keeps
# only the scope's branches, regions and types), the store's row counts (data stewards), which
# fields any export recorded at all, and which components and overall questions the questionnaire
# covers (the same for every branch).
NOT_PER_BRANCH = {
    "date_bounds",
    "filter_branches",
    "filter_values",
    "store_contents",
    "survey_components",
    "survey_questions",
    "recorded_fields",
}


def _run(con, name, filters):
    return store.run_query(con, name, {**query_extras(), **filters.params()})


def test_params_bind_the_selection_within_the_scope():
    scoped = dataclasses.replace(FIXTURE_PERIOD, scope=("B2", "B3"))
    assert scoped.params()["branches"] == ["B2", "B3"]  # nothing selected: the whole scope
    assert dataclasses.replace(scoped, branches=("B1", "B3")).params()["branches"] == ["B3"]
    assert dataclasses.replace(scoped, branches=("B1",)).params()["branches"] == []  # outside: nothing
    # network_wide (my branch against the network) keeps the scope; only without_scope drops it
    assert scoped.network_wide().params()["branches"] == ["B2", "B3"]
    assert scoped.without_scope().params()["branches"] is None
    assert FIXTURE_PERIOD.params()["branches"] is None  # no scope: as before


@pytest.mark.parametrize("name", [n for n in store.query_names() if n not in NOT_PER_BRANCH])
def test_every_query_reads_only_the_scope(fixture_con, name):
    scoped = dataclasses.replace(FIXTURE_PERIOD, scope=("B2",))
    expected = _run(fixture_con, name, dataclasses.replace(FIXTURE_PERIOD, branches=("B2",)))
    # a selection that tries to widen the scope (B1 and B3 are outside it) gets B2's rows only
    widened = dataclasses.replace(scoped, branches=("B1", "B2", "B3"), regions=())
    pd.testing.assert_frame_equal(_run(fixture_con, name, scoped), expected)
    pd.testing.assert_frame_equal(_run(fixture_con, name, widened), expected)
    # and the query does depend on the branches: the unscoped answer differs for some query
    # (checked across all of them below)


def test_the_scope_changes_answers(fixture_con):
    differs = []
    for name in store.query_names():
        if name in NOT_PER_BRANCH:
            continue
        everyone = _run(fixture_con, name, FIXTURE_PERIOD)
        mine = _run(fixture_con, name, dataclasses.replace(FIXTURE_PERIOD, scope=("B2",)))
        if not everyone.equals(mine):
            differs.append(name)
        if "branch_id" in mine.columns:
            assert set(mine["branch_id"].dropna()) <= {"B2"}, name
    # most queries' answers on the three-branch fixture change when only B2 may be read
    assert len(differs) >= 30, differs


def test_outside_the_scope_reads_nothing(fixture_con):
    outside = dataclasses.replace(FIXTURE_PERIOD, scope=("B2",), branches=("B1",))
    df = _run(fixture_con, "complaint_summary", outside)
    assert int(df["complaints"].fillna(0).sum()) == 0
    assert _run(fixture_con, "drill_tickets_count", outside).iloc[0, 0] == 0


def test_a_peer_below_the_minimum_n_is_not_shown_on_its_own():
    from servicequality.metrics import consistency

    present = pd.DataFrame({"branch_id": ["B1", "Peer A", "Peer B", "Peer C"], "volume": [5.0, 29.0, 30.0, 400.0]})
    # my branch B1 is shown whatever its n; Peer A (29 < 30) is not; Peer B (30) and C are
    assert consistency.shown_branches(present, ("B1",), 30).tolist() == [True, False, True, True]
    assert consistency.shown_branches(present, None, 30).all()  # without a scope every branch is named anyway
