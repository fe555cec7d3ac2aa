"""The rollup models (servicequality/store/models/): one .sql file per rollup table (the ticket month
twins generated from their day tables' files), its grain in the header, built in dependency order; the
plain form of a query computes the rollups it reads from them."""

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


def test_a_month_twin_without_a_file_sums_its_day_table_by_month():
    # facts.py declares rollup_ticket_cells' month twin; its model is generated from the day model's
    # header: the same grain with the month for the day, each count summed as BIGINT.
    assert not (rollups.MODELS_DIR / "rollup_ticket_cell_months.sql").exists()
    twin = rollups.model("rollup_ticket_cell_months")
    day = rollups.model("rollup_ticket_cells")
    assert day.grain == ("branch_id", "opened_on", "channel", "segment", "category", "component_key")
    assert twin.grain == ("branch_id", "month_start", "channel", "segment", "category", "component_key")
    assert (twin.reads, twin.partition, twin.temporary) == ({"rollup_ticket_cells"}, ("month", "month_start"), False)
    assert "cast(sum(d.complaints) as bigint) as complaints" in twin.sql
    assert "from rollup_ticket_cells as d\ngroup by all" in twin.sql
    # a twin with a file of its own (complaints only, by category) is that file
    assert "-- Grain: branch_id x month_start x category" in rollups.model("rollup_complaint_category_months").sql


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


def test_a_values_bucket_is_the_least_ntile_of_its_copies():
    """models/tmp_handling_values.sql numbers each value's bucket from its rank; the reference is
    what it replaced, DuckDB's own ntile(128) and then the least tile over a value's copies. Series
    of 5, 127, 128, 129, 300 and 1,000 values (fewer values than tiles; a remainder of 0, 1, 44 and
    104), with ties (values 0-39 repeat), channels and priorities given to measures 5 and 6 only."""
    import duckdb

    con = duckdb.connect()
    sizes = [5, 127, 128, 129, 300, 1000]
    con.execute(
        "create temp table tmp_handling_measured as "
        "select cast(m as smallint) as measure, cast(m * 10000 + i as bigint) as complaint_no, "
        "case when m >= 5 then ['Phone', 'Web'][1 + i % 2] end as channel, "
        "case when m >= 5 then 'high' end as priority, cast((i * 37) % 40 + (i % 3) * 0.5 as double) as value "
        "from (select unnest(range(1, 7)) as m) as ms, (select unnest($sizes) as size) as ss, range(1000) as r(i) "
        "where i < ss.size and ss.size = $sizes[m]",
        {"sizes": sizes},
    )
    reference = (
        "with keyed as (select v.*, dense_rank() over (order by measure, channel nulls first, priority nulls first) "
        "as series from tmp_handling_measured as v), "
        "tiled as (select *, ntile(128) over (partition by series order by value) as tile from keyed) "
        "select series, measure, channel, priority, complaint_no, value, "
        "cast((series - 1) * 128 + min(tile) over (partition by series, value) as smallint) as bucket from tiled"
    )
    model = rollups.model("tmp_handling_values").sql
    got = con.execute(f"select * from ({model}) order by complaint_no").fetchall()
    want = con.execute(f"select * from ({reference}) order by complaint_no").fetchall()
    assert got == want
    counts = dict(con.execute(f"select measure, count(*) from ({model}) group by measure").fetchall())
    # measures 5 and 6 split by channel: two series each (the sizes 300 and 1,000 halved)
    assert counts == {1: 5, 2: 127, 3: 128, 4: 129, 5: 300, 6: 1000}
