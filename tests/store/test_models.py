"""The rollup models (servicequality/store/models/): one .sql file per rollup table, its grain in the
header, built in dependency order; the plain form of a query computes the rollups it reads from them."""

import pandas as pd

from servicequality import store
from servicequality.store import facts, rollups


def test_every_rollup_table_is_one_model_with_its_grain():
    names = {m.name for m in rollups.models()}
    assert set(rollups.TABLES) - {"rollup_settings"} <= names
    for model in rollups.models():
        assert model.grain and all(model.grain), model.name
        assert model.temporary == model.name.startswith("tmp_"), model.name
        assert model.name not in rollups.TABLES or not model.temporary


def test_models_come_after_the_models_they_read():
    seen: set[str] = set()
    for model in rollups.models():
        assert model.reads <= seen, (model.name, model.reads - seen)
        seen.add(model.name)
    assert rollups.model("rollup_handling_values").reads == {
        "tmp_handling_values",
        "tmp_complaints",
        "rollup_handling_buckets",
    }


def test_a_fact_reads_a_rollup_whose_model_holds_its_grain():
    # facts.py says which selections a rollup can filter; the model's header says what it is grouped by.
    checked = 0
    for fact in facts.FACTS.values():
        for rollup in fact.rollups:
            for table in (rollup.table, rollup.months):
                if table and table.startswith("rollup_"):
                    assert set(rollup.grain) <= set(rollups.model(table).grain), (fact.name, table)
                    checked += 1
    assert checked >= 10


def test_the_models_compute_what_the_tables_hold(fixture_con):
    # The plain form's CTE of each model returns the stored table's rows (the fixture's, in any order).
    for model in rollups.models():
        if model.temporary:
            continue
        sql = f"with {rollups.as_ctes({model.name})} select * from {model.name}"
        computed = fixture_con.execute(sql).df()
        stored = fixture_con.execute(f"select * from {model.name}").df()  # names from the model files
        assert list(computed.columns) == list(stored.columns), model.name
        by = list(stored.columns)
        pd.testing.assert_frame_equal(
            computed.sort_values(by).reset_index(drop=True),
            stored.sort_values(by).reset_index(drop=True),
            obj=model.name,
        )


def test_a_hand_written_query_reads_the_models_in_its_plain_form():
    plain = store.load_query("handling_summary", plain=True).sql
    assert "rollup_complaint_handling as (" in plain and "tmp_handling_values as (" in plain
    assert plain.index("tmp_complaints as (") < plain.index("tmp_handling_values as (")
    assert "rollup_" not in " ".join(store.runner.tables_read(plain))
