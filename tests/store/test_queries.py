"""Every .sql file against the tiny fixture (tests/fixture_db.py); expected rows by hand."""

import datetime as dt
import math
import re
from dataclasses import replace

import pandas as pd
import pytest

from servicequality import store
from servicequality.store import periods, rollups, runner
from servicequality.store.connection import connect_read_write
from tests.conftest import FIXTURE_PERIOD as P
from tests.conftest import query_extras


def run(con, name, filters=P):
    return store.run_query(con, name, filters.params())


def test_filter_branches_lists_every_branch(fixture_con):
    df = run(fixture_con, "filter_branches")
    # ordered by region then id: North (B1, B2), South (B3)
    assert df["branch_id"].tolist() == ["B1", "B2", "B3"]
    assert df["branch_name"].tolist() == ["Alpha", "Beta", "Gamma"]


def test_filter_values_unions_tickets_and_surveys(fixture_con):
    df = run(fixture_con, "filter_values")
    channels = df.loc[df["dimension"] == "channel", "value"].tolist()
    segments = df.loc[df["dimension"] == "segment", "value"].tolist()
    # tickets: Phone, Email, Web, Chat; surveys add Face to face
    assert channels == ["Chat", "Email", "Face to face", "Phone", "Web"]
    # tickets: Individual, Premium, Small business, Corporate; surveys add nothing new
    assert segments == ["Corporate", "Individual", "Premium", "Small business"]


def test_date_bounds_span_tickets_and_surveys(fixture_con):
    row = run(fixture_con, "date_bounds").iloc[0]
    # earliest: survey R5 on 2023-11-01; latest: B1's customers served on 2024-02-10
    assert row["first_day"].date() == dt.date(2023, 11, 1)
    assert row["last_day"].date() == dt.date(2024, 2, 10)


def test_survey_summary(fixture_con):
    row = run(fixture_con, "survey_summary").iloc[0]
    # R1..R4 in the period (R5 is 2023); satisfaction 5, 3, 4, null -> 3 answers, 2 of them 4-5;
    # nps 10, 6, 8, null -> 3 answers, 1 promoter (10), 1 detractor (6)
    assert (row["responses"], row["csat_n"], row["csat_satisfied"]) == (4, 3, 2)
    assert (row["nps_n"], row["promoters"], row["detractors"]) == (3, 1, 1)


def test_survey_summary_channel_filter(fixture_con):
    row = run(fixture_con, "survey_summary", replace(P, channels=("Phone",))).iloc[0]
    # Phone responses in the period: R1, R4
    assert row["responses"] == 2


def test_component_gaps(fixture_con):
    df = run(fixture_con, "component_gaps").set_index("component_key")
    assert len(df) == 10  # every component, answered or not
    rel, tan = df.loc["reliability"], df.loc["tangibles"]
    # reliability per respondent: R1 P 5, E 6.5 -> -1.5; R2 P 5, E 6 -> -1; R3 P 5.5, E 6 -> -0.5; R4 0
    assert rel["n"] == 4
    assert rel["mean_gap"] == pytest.approx(-0.75)
    assert rel["mean_perception"] == pytest.approx(5.625)  # (5 + 5 + 5.5 + 7) / 4
    assert rel["mean_expectation"] == pytest.approx(6.375)  # (6.5 + 6 + 6 + 7) / 4
    # deviations -0.75, -0.25, 0.25, 0.75: squares sum 1.25; / 3 -> sd = sqrt(0.41667)
    assert rel["sd_gap"] == pytest.approx(math.sqrt(1.25 / 3))
    # adequate: R1 4, R2 5, R3 and R4 none
    assert rel["mean_adequate"] == pytest.approx(4.5)
    assert rel["n_adequate"] == 2
    # tangibles gaps: +1, 0, +1, -3 -> mean -0.25; deviations 1.25, .25, 1.25, -2.75 -> 10.75 / 3
    assert tan["mean_gap"] == pytest.approx(-0.25)
    assert tan["sd_gap"] == pytest.approx(math.sqrt(10.75 / 3))
    assert df.loc["courtesy", "n"] == 0
    assert math.isnan(df.loc["courtesy", "mean_gap"])


def test_component_gaps_branch_filter(fixture_con):
    df = run(fixture_con, "component_gaps", replace(P, branches=("B1",))).set_index("component_key")
    # B1: R1 -1.5 and R2 -1 on reliability
    assert df.loc["reliability", "n"] == 2
    assert df.loc["reliability", "mean_gap"] == pytest.approx(-1.25)


def test_component_importance(fixture_con):
    df = run(fixture_con, "component_importance").set_index("component_key")
    # R1: 60/100, 40/100; R2: 30/40, 10/40 -> reliability (0.6 + 0.75) / 2, tangibles (0.4 + 0.25) / 2
    assert df.loc["reliability", "mean_share"] == pytest.approx(0.675)
    assert df.loc["tangibles", "mean_share"] == pytest.approx(0.325)
    assert df["n"].tolist() == [2, 2]


def test_complaint_summary(fixture_con):
    row = run(fixture_con, "complaint_summary").iloc[0]
    # complaints in period: T1, T2, T3, T5 (T7 is 2023); served 100 + 200 + 300 + 400 (1000 is 2023)
    assert (row["complaints"], row["customers_served"], row["tickets"]) == (4, 1000, 6)


def test_complaint_summary_region_filter(fixture_con):
    row = run(fixture_con, "complaint_summary", replace(P, regions=("North",))).iloc[0]
    # North = B1, B2: complaints T1, T2, T3; served 100 + 200 + 300
    assert (row["complaints"], row["customers_served"]) == (3, 600)


def test_complaint_summary_channel_filter_narrows_complaints_only(fixture_con):
    row = run(fixture_con, "complaint_summary", replace(P, channels=("Phone",))).iloc[0]
    # Phone complaints: T1, T3; customers served are not per channel
    assert (row["complaints"], row["customers_served"]) == (2, 1000)


def test_handling_summary(fixture_con):
    row = run(fixture_con, "handling_summary").iloc[0]
    # Times are Kaplan-Meier percentiles: the smallest time with S(t) <= 1 - q, S the product of
    # (1 - d/n) over handled times. The data's last moment is T4's resolution, 2024-02-06 14:00.
    # First response: T1 1, T2 360, T3 3, T5 0.5, all answered -> S 3/4 after 0.5, 2/4 after 1:
    # median 1 (percentile_cont said 2); S 1/4 after 3, 0 after 360: P90 360.
    # targets: T1 2, T2 240, T3 2, T5 1 -> median 2; within: T1 yes, T2 no, T3 no, T5 yes
    assert row["complaints"] == 4
    assert row["median_first_response_minutes"] == pytest.approx(1.0)
    assert row["p90_first_response_minutes"] == pytest.approx(360.0)
    assert row["median_first_response_target"] == pytest.approx(2.0)
    assert (row["first_response_within_target"], row["targeted_first_n"]) == (2, 4)
    # Resolution: T5 60, T1 720, T2 2880; T3 still open, censored at 02-05 08:00 -> 02-06 14:00 =
    # 1,800 min. At 60 four at risk (S 3/4), at 720 three (S 1/2): median 720; T3 leaves at 1,800;
    # at 2880 one at risk: S 0 -> P90 2880 (resolved ones only, percentile_cont: 2448).
    # Within target: T1 yes, T2 no, T5 yes, and T3 is late (1,800 > its 1,440): 2 of 4, not 2 of 3.
    assert row["median_resolution_minutes"] == pytest.approx(720.0)
    assert row["p90_resolution_minutes"] == pytest.approx(2880.0)
    assert (row["resolution_within_target"], row["targeted_resolution_n"]) == (2, 4)
    assert (row["awaiting_first_n"], row["late_awaiting_first_n"]) == (0, 0)
    assert (row["still_open_n"], row["late_open_n"]) == (1, 1)


def test_monthly_complaints(fixture_con):
    df = run(fixture_con, "monthly_complaints")
    # January: T1, T2, T5 and 100 + 300 + 400 served; February: T3 and 200 served
    assert [d.date() for d in df["month"]] == [dt.date(2024, 1, 1), dt.date(2024, 2, 1)]
    assert df["complaints"].tolist() == [3, 1]
    assert df["customers_served"].tolist() == [800, 200]


def test_monthly_survey(fixture_con):
    df = run(fixture_con, "monthly_survey")
    # respondent overall gaps: R1 (-1.5 + 1) / 2 = -0.25, R2 -0.5, R3 0.25, R4 -1.5
    # January R1, R2 -> -0.375; February R3, R4 -> -0.625
    assert df["responses"].tolist() == [2, 2]
    assert df["mean_gap"].tolist() == pytest.approx([-0.375, -0.625])
    assert df["csat_n"].tolist() == [2, 1]
    assert df["csat_satisfied"].tolist() == [1, 1]
    assert df["promoters"].tolist() == [1, 0]
    assert df["detractors"].tolist() == [1, 0]


def test_branch_gaps(fixture_con):
    df = run(fixture_con, "branch_gaps").set_index("branch_id")
    # B1: R1 -0.25, R2 -0.5 -> mean -0.375, sd = 0.25 / sqrt(2); B2: R3 0.25; B3: R4 -1.5
    assert df["n"].to_dict() == {"B1": 2, "B2": 1, "B3": 1}
    assert df.loc["B1", "mean_gap"] == pytest.approx(-0.375)
    assert df.loc["B1", "sd_gap"] == pytest.approx(0.25 / math.sqrt(2))
    assert df.loc["B3", "mean_gap"] == pytest.approx(-1.5)


def test_every_query_runs_with_default_parameters(fixture_con):
    # The explore and drill-down queries take a few parameters beyond the filter (dimensions,
    # sort, page); their modules name the defaults.
    extra = query_extras()
    for name in store.query_names():
        df = store.run_query(fixture_con, name, {**extra, **P.params()})
        assert len(df.columns) > 0, name


def test_every_query_has_a_header_naming_grain_parameters_and_columns():
    for name in store.query_names():
        header = store.load_query(name).header.lower()
        for word in ("grain", "parameters", "columns"):
            assert word in header, f"{name}.sql header lacks '{word}'"


def test_fragments_that_include_each_other_in_a_circle_are_refused(tmp_path, monkeypatch):
    # a includes b, b includes a: expanding would never end; the runner names them instead
    (tmp_path / "a.sql").write_text("a_part as (select 1 as x),\n-- Include: b")
    (tmp_path / "b.sql").write_text("b_part as (select 2 as x),\n-- Include: a")
    monkeypatch.setattr(runner, "FRAGMENTS_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"in a circle, or deeper than 8: \[.a., .b.\]"):
        runner._expand_includes("with\n-- Include: a\nselect 1")


def test_included_fragments_are_expanded_with_their_constants():
    # "-- Include: handling_percentiles (measures 5, 6)" brings in one text shared by two queries.
    text = {n: (store.QUERIES_DIR / f"{n}.sql").read_text() for n in store.query_names()}
    included = [n for n in text if "-- Include: handling_percentiles" in text[n]]
    assert included == ["handling_summary", "handling_targets"]
    for name, measures in zip(included, ("1, 2", "5, 6"), strict=True):
        sql = store.load_query(name).sql
        assert "km_ranks as (" in sql and "{measures}" not in sql
        assert f"where o.measure in ({measures})" in sql
    # "-- Include: respondent_gaps" takes no constants: the respondent-level survey queries.
    included = [n for n in text if "-- Include: respondent_gaps" in text[n]]
    assert included == [
        "branch_gaps",
        "consistency_branch_measures",
        "consistency_branch_months",
        "consistency_gap_rank_sums",
        "explore_survey",
    ]
    for name in included:
        sql = store.load_query(name).sql
        assert "respondent_component_gaps as (" in sql and "\n-- Include:" not in sql


def test_a_rollup_choice_switches_only_what_the_query_reads():
    # "-- Rollup choice: rollup_respondent_gaps -> respondent_component_gaps when $components": the
    # table the query reads is swapped for the fragment's CTE; the CTE's own definition stays.
    query = store.load_query("consistency_gap_rank_sums")
    default, selected = query.sql_for({"components": None}), query.sql_for({"components": ["courtesy", "access"]})
    read = "from respondent_component_gaps as g"  # also read inside the fragment, by component_gap_days
    assert "from rollup_respondent_gaps as g" in default and "from rollup_respondent_gaps as g" not in selected
    assert selected.count(read) == default.count(read) + 1
    assert selected.count("respondent_component_gaps as (") == 1
    # "when one $components" (the fragment's own choice): a single component needs no regrouping, and
    # the choices apply in order, so the header's swap is swapped once more
    single = query.sql_for({"components": ["courtesy"]})
    assert read not in single and single.count("from single_component_gaps as g") == 1
    # the fragment's CTEs nothing reads any more are left out: component_gap_days, which regroups the
    # respondents, and respondent_component_gaps, which only it read
    assert "component_gap_days as (" not in single and "respondent_component_gaps as (" not in single
    assert runner.tables_read(single) == {"branches", "rollup_response_components", "rollup_settings"}
    # the component's day sums for the months the period cuts, its month sums for the whole ones
    assert {"rollup_component_days", "rollup_component_months"} <= runner.tables_read(
        store.load_query("consistency_branch_months").sql_for({"components": ["courtesy"]})
    )
    assert "rollup_component_days" not in runner.tables_read(
        store.load_query("consistency_branch_months").sql_for({"components": ["courtesy", "access"]})
    )


def test_ctes_nothing_reads_are_left_out_of_the_text():
    # Written out by hand: c reads b, b reads a, d reads a and m; the final select reads d. c is
    # unread, so it goes, then b (only c read it); a stays (d reads it). "b" in a comment and the
    # column name "a_b" are no reads. m's own `with` (a model's text, at the line's start) is not the
    # query's: its inner CTE stays. The last CTE (before the final select, no comma) always stays.
    lines = [
        "with",
        "a as (",
        "    select 1 as x",
        "),",
        "",
        "m as (",
        "with inner_rows as (select 1 as y),",
        "unread_inner as (select 2 as y)",
        "select y from inner_rows",
        "),",
        "",
        "b as (",  # line 11
        "    select x as a_b from a  -- not c",
        "),",
        "",
        "c as (",
        "    select * from b",
        "),",
        "",
        "d as (",  # line 19
        "    select x from a join m on true  -- b",
        ")",
        "",
        "select * from d",
    ]
    # b and c go with the blank line after each: lines 11-18
    assert runner._without_unread("\n".join(lines)).splitlines() == lines[:11] + lines[19:]


def test_null_tests_are_answered_by_which_parameters_are_null():
    # Written out by hand. $a is bound null, $b to a value, $c is not given (left as it is): each
    # "$x is (not) null" becomes its answer, "(true or ...)" true whatever follows (parentheses
    # nested, a quoted ")" and a comment's "(" inside), "(false or" a bare parenthesis, and a line
    # left as "and true" goes. Comments keep their text.
    text = "\n".join(
        [
            "-- ($a is null or list_contains($a, x)) is the clause",
            "select * from t",
            "where ($a is null or list_contains($a, coalesce(t.x, ')'))  -- a stray (",
            "    )",
            "    and ($b is null or list_contains($b, t.y))",
            "    and ($c is null or list_contains($c, t.z))",
            "    and $a is not null = $b is not null",
        ]
    )
    folded = runner._fold_nulls(text, frozenset({"a"}), frozenset({"b"}))
    assert folded.splitlines() == [
        "-- ($a is null or list_contains($a, x)) is the clause",
        "select * from t",
        "where true",
        "    and (list_contains($b, t.y))",
        "    and ($c is null or list_contains($c, t.z))",
        "    and false = true",
    ]


def test_a_period_of_whole_months_reads_no_day_rows():
    # Worked out by hand: a period is whole months when it starts on a 1st and ends on a month's
    # last day (29 February in a leap year, 28 in another); text or no period keeps the cut days.
    whole = ("whole", "whole")
    assert periods.cut_months(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == whole
    assert periods.cut_months(dt.date(2024, 2, 1), dt.date(2024, 2, 29)) == whole
    assert periods.cut_months(dt.date(2023, 2, 1), dt.date(2023, 2, 28)) == whole
    assert periods.cut_months(dt.date(2024, 2, 1), dt.date(2024, 2, 28)) != whole
    assert periods.cut_months(dt.date(2024, 1, 2), dt.date(2024, 12, 31)) != whole
    assert periods.cut_months(dt.date(2025, 1, 1), dt.date(2025, 12, 30)) != whole
    assert periods.cut_months("2025-01-01", "2025-12-31") == ("add", "add")
    assert periods.cut_months(None, None) == ("add", "add")
    # component_gaps under each: the day rollup only when the period cuts a month (the rows of
    # both forms equal the plain form's: tests/store/test_rollups.py, "whole months", "month edges")
    query = store.load_query("component_gaps")
    unset = dict.fromkeys(query.parameters)
    whole = query.sql_for({**unset, "start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)})
    cut = query.sql_for({**unset, "start": dt.date(2025, 1, 2), "end": dt.date(2025, 12, 31)})
    assert "rollup_component_days" in runner.tables_read(cut)
    assert not [t for t in runner.tables_read(whole) if t.endswith("_days")]
    assert "union all" not in runner._code(whole).split("_network as (")[0].split("_parts as (")[1]


def test_a_cut_month_is_read_the_shorter_way():
    # Worked out by hand, January 2024 (31 days), February 2024 (29), whole = the period holds it:
    # from 2 January, 1 day outside against 30 inside: the month less 1 January
    assert periods.cut_months(dt.date(2024, 1, 2), dt.date(2024, 12, 31)) == ("less", "whole")
    # from the 16th: 15 outside, 16 inside; from the 17th: 16 outside, 15 inside
    assert periods.cut_months(dt.date(2024, 1, 16), dt.date(2024, 12, 31)) == ("less", "whole")
    assert periods.cut_months(dt.date(2024, 1, 17), dt.date(2024, 12, 31)) == ("add", "whole")
    # to 15 February: 15 inside, 14 after; to the 14th: 14 inside, 15 after
    assert periods.cut_months(dt.date(2024, 1, 1), dt.date(2024, 2, 15)) == ("whole", "less")
    assert periods.cut_months(dt.date(2024, 1, 1), dt.date(2024, 2, 14)) == ("whole", "add")
    # a January that ends before the month does is never its month less the rest: 5 to 30 January
    # adds its 26 days (the first month's test reads them: the last has nothing left to read)
    assert periods.cut_months(dt.date(2024, 1, 5), dt.date(2024, 1, 30)) == ("add", "whole")
    assert periods.cut_months(dt.date(2024, 1, 2), dt.date(2024, 2, 28)) == ("less", "less")
    assert periods.cut_months(dt.date(2024, 3, 1), dt.date(2024, 2, 1)) == ("whole", "whole")

    # component_gaps from 2 January: the month rows of January and 1 January's day rows negated,
    # not the days added; from the 17th the other way round (rows equal to the plain form's under
    # both: tests/store/test_rollups.py, "month edges", "from a 13th", "to a month end")
    query = store.load_query("component_gaps")
    unset = dict.fromkeys(query.parameters)
    less = runner._code(query.sql_for({**unset, "start": dt.date(2024, 1, 2), "end": dt.date(2024, 12, 31)}))
    added = runner._code(query.sql_for({**unset, "start": dt.date(2024, 1, 17), "end": dt.date(2024, 12, 31)}))
    negated = "-e.n as n"
    assert negated in less and negated not in added
    assert "e.submitted_on < $start" in less and "e.submitted_on < $start" not in added
    assert "e.submitted_on >= $start and" in added and "e.submitted_on >= $start and" not in less
    assert "having sum(r._rows) > 0" in less


def test_month_rows_come_from_the_brief_twins_unless_a_channel_or_segment_is_chosen():
    # component_item_variances over a year: with branches chosen, the branch months summed over
    # channel and segment; with none, those summed over the branches too; with a channel or a
    # segment, the month twin that holds them (rows equal to the plain form's under each:
    # tests/store/test_rollups.py, "branch", "region", "channel", "segment", "all")
    query = store.load_query("component_item_variances")
    year = {**dict.fromkeys(query.parameters), "start": dt.date(2025, 1, 1), "end": dt.date(2025, 12, 31)}

    def read(params):  # the tables of the branches of generated sources that can hold rows
        code = runner._code(query.sql_for(params))
        branches = re.finditer(r"from (\w+) as \w+\n        where (.*?)(?=\n        union all|\n    \))", code, re.S)
        return {b[1] for b in branches if not re.search(r"(?m)^\s*and false$", b[2])}

    branches = read({**year, "branches": ["B01", "B02"]})
    assert {"rollup_item_brief_months", "rollup_item_total_brief_months"} <= branches
    assert not branches & {"rollup_item_months", "rollup_item_network_months", "rollup_item_days"}
    network = read(year)
    assert {"rollup_item_brief_network_months", "rollup_item_total_brief_network_months"} <= network
    assert not network & {"rollup_item_months", "rollup_item_network_months"}
    for chosen in ("channels", "segments"):
        one = read({**year, chosen: ["x"]})
        assert {"rollup_item_network_months", "rollup_item_total_network_months"} <= one
        assert not {t for t in one if "brief" in t}
        with_branch = read({**year, chosen: ["x"], "branches": ["B01"]})
        assert "rollup_item_months" in with_branch and not {t for t in with_branch if "brief" in t}


def test_a_branch_whose_guard_is_false_is_left_out():
    # A generated source of three branches, the second false once the null tests are answered, a
    # source whose only branch is false, and a hand-written union: by hand, the second branch goes
    # (from its `union all`), the lone one stays reading nothing, the hand-written one is untouched
    # but for its clause; a true guard line goes, a true `where` stays `where true`.
    text = """with
counts_parts as (
        select a from t1 as m
        where not (true and true)
            and m.x = 1
        union all
        select a from t2 as m
        where true
            and not (true and true)
            and m.x = 2
        union all
        select a from t3 as m
        where true
            and (true or false)
    ),
    counts_network as (
        select a from t4 as m
        where true
            and false and true
    ),
    hand as (
        select a from t5
        where true
            and not (true)
        union all
        select a from t6
    )
select 1"""
    folded = periods.without_dead_branches(text)
    assert "t1" not in folded and "t2" not in folded
    assert "counts_parts as (\n        select a from t3 as m\n        where true\n    )," in folded
    assert "select a from t4 as m\n        where true\n            and false\n    )" in folded
    assert (
        "select a from t5\n        where true\n            and false\n        union all\n        select a from t6"
        in folded
    )
    # SQL's precedence, by hand: not, then and, then or
    assert periods._truth("true or false and false") is True  # true or (false and false)
    assert periods._truth("(true or false) and false") is False
    assert periods._truth("not true or true") is True  # (not true) or true
    assert periods._truth("not (false and true and true)") is True
    assert periods._truth("(true") is None and periods._truth("true true") is None
    # a clause that goes on over the next line is not a constant
    split = "with x_parts as (\n        select a from t as m\n        where true\n"
    split += "            and (true\n            or m.y)\n    )"
    assert periods.without_dead_branches(split) == split


def test_a_rung_and_a_network_source_lose_their_dead_branches():
    # A rung (_by_<grain>) is generated like _parts: its false branch goes. A network source whose
    # only branch is false (a branch is selected) goes whole, with the `union all` that reads it,
    # as Request.rollup_sql writes them; written by hand, the text left is the one below.
    text = """with
x as (
    with x_parts as (
        select a from t1 as m
        where true
    ),
    x_by_channel as (
        select a from t2 as m
        where true
            and false
        union all
        select a from t3 as m
        where true
    ),
    x_network as (
        select a from t4 as m
        where true
            and false
    ),
    x_summed as (
        select sum(r.a) as a
        from (
            select r.*
            from x_parts as r
            where true
            union all
            select * from x_network
        ) as r
    )
    select a from x_summed
)
select 1"""
    folded = periods.without_dead_branches(text)
    assert "x_by_channel as (\n        select a from t3 as m\n        where true\n    )," in folded
    assert "t2" not in folded and "t4" not in folded and "x_network" not in folded
    assert "from x_parts as r\n            where true\n        ) as r" in folded
    # a network source read anywhere else stays (its lone branch reading nothing)
    also = text.replace("select a from x_summed", "select a from x_summed union all select a from x_network")
    assert "select a from t4 as m\n        where true\n            and false\n    )" in (
        periods.without_dead_branches(also)
    )


def test_a_query_binds_only_the_parameters_its_folded_text_names(fixture_con):
    # No selection: every selection's clause folds away and its parameter is not bound (DuckDB
    # refuses a named parameter the text does not use); one selection keeps its own.
    query = store.load_query("complaint_summary")
    none = P.params()
    assert set(query.bound(none)) == {"start", "end"}
    assert "list_contains" not in runner._code(query.sql_for(none))
    channel = replace(P, channels=("Phone",)).params()
    assert set(query.bound(channel)) == {"start", "end", "channels"}
    assert run(fixture_con, "complaint_summary").iloc[0]["complaints"] == 4


def test_run_query_rejects_missing_parameters(fixture_con):
    with pytest.raises(KeyError, match="needs parameters"):
        store.run_query(fixture_con, "survey_summary", {"start": P.start})


def test_hostile_filter_values_are_bound_not_pasted(fixture_con):
    evil = replace(P, regions=("North'; drop table tickets; --",), branches=("B1' or '1'='1",))
    row = run(fixture_con, "complaint_summary", evil).iloc[0]
    assert row["complaints"] == 0
    assert run(fixture_con, "complaint_summary").iloc[0]["complaints"] == 4  # table intact


def test_branch_type_category_and_component_filters_narrow_complaints(fixture_con):
    # Standard branches = B1 only: complaints T1, T2 in the period; served 100 + 200 = 300.
    row = run(fixture_con, "complaint_summary", replace(P, branch_types=("Standard",))).iloc[0]
    assert (row["complaints"], row["tickets"], row["customers_served"]) == (2, 2, 300)
    # Category Attitude: only T1 in the period (T7 is 2023); customers served stay all 1,000.
    row = run(fixture_con, "complaint_summary", replace(P, categories=("Attitude",))).iloc[0]
    assert (row["complaints"], row["tickets"], row["customers_served"]) == (1, 1, 1000)
    # Component courtesy: categories Attitude and Etiquette point at it -> T1 and T5.
    row = run(fixture_con, "complaint_summary", replace(P, components=("courtesy",))).iloc[0]
    assert (row["complaints"], row["tickets"]) == (2, 2)


def test_component_filter_narrows_survey_scores(fixture_con):
    df = run(fixture_con, "component_gaps", replace(P, components=("tangibles",))).set_index("component_key")
    assert df.loc["reliability", "n"] == 0
    # Tangibles gaps R1..R4: 6-5 = 1, 4-4 = 0, 7-6 = 1, 3-6 = -3 -> mean -0.25 over n = 4.
    assert df.loc["tangibles", "n"] == 4
    assert df.loc["tangibles", "mean_gap"] == pytest.approx(-0.25)


def test_filter_values_offer_branch_types_categories_and_components(fixture_con):
    df = run(fixture_con, "filter_values")
    assert df.loc[df["dimension"] == "branch_type", "value"].tolist() == ["Express", "Flagship", "Standard"]
    components = df[df["dimension"] == "component"]
    assert len(components) == 10  # the ten components of good service, labelled by name
    assert "Understanding the customer" in components["label"].tolist()
    # The store holds the 13 seeded categories; its tickets name four of them (Attitude twice,
    # Delivery, Function, Etiquette; a request and a compliment have none): only those four select
    # anything, so only they are offered.
    assert df.loc[df["dimension"] == "category", "value"].tolist() == ["Attitude", "Delivery", "Etiquette", "Function"]
    ((stored,),) = fixture_con.execute("select count(*) from complaint_categories").fetchall()
    assert stored == 13


def test_no_block_of_sql_is_written_twice_across_query_files():
    # Seven lines of code (comments and blank lines aside, whitespace trimmed) that appear in two
    # files of queries/ (fragments included) would be one step written twice: it belongs in a
    # fragment, a model or the generator.
    window = 7
    seen: dict[tuple[str, ...], set[str]] = {}
    for path in sorted(store.QUERIES_DIR.rglob("*.sql")):
        lines = [line.split("--", 1)[0].strip() for line in path.read_text().splitlines()]
        lines = [line for line in lines if line]
        for i in range(len(lines) - window + 1):
            seen.setdefault(tuple(lines[i : i + window]), set()).add(path.name)
    repeated = {block: files for block, files in seen.items() if len(files) > 1}
    assert not repeated, "\n".join(f"{sorted(files)}:\n" + "\n".join(block) for block, files in repeated.items())


def test_a_selected_line_writes_the_filter_clauses():
    from servicequality.store import runner

    text = "select 1 from t as h\nwhere h.x = 1\n    -- Selected on h: regions, components; on b: branch_types\n"
    expanded = runner._expand_selected(text)
    assert expanded.splitlines()[2:] == [
        "    and ($regions is null or list_contains($regions, h.region))",
        "    and ($components is null or list_contains($components, h.component_key))",
        "    and ($branch_types is null or list_contains($branch_types, b.branch_type))",
    ]
    with pytest.raises(KeyError, match="no selection named 'colour'"):
        runner._expand_selected("    -- Selected on h: colour\n")


def test_only_a_query_that_says_so_takes_its_plain_form_from_the_models():
    # A query whose oracle is generated or a view must not fall back, unnoticed, on the models.
    from servicequality.store import rollups

    with_models = []
    for name in store.query_names(plain=True):
        query = store.load_query(name, plain=True)
        uses_models = any(
            f"\n{m.name} as (" in query.sql or f"with {m.name} as (" in query.sql for m in rollups.models()
        )
        with_models += [name] if uses_models else []
        assert uses_models == ("-- Oracle: the rollups' models" in query.header), name
    # each checked against an independent reference in its tests: the customer queries against pandas
    # and hand-worked rows (tests/demo/test_customers_demo.py, tests/metrics/test_customers.py)
    assert sorted(with_models) == [
        "complaint_recovery",
        "customer_returns",
        "customer_returns_months",
        "drill_tickets",
        # hand-worked visits and days since the previous one (test_drill_visits_lists_the_filter_and_cell_in_order)
        "drill_visits",
        "explore_returns",
        "handling_summary",
        "handling_targets",
        # hand-worked rows on mixed scales (tests/store/test_queries_servqual.py)
        "performance_respondents",
    ]


def test_an_order_by_line_writes_the_sort_cases():
    from servicequality.store import runner

    text = "-- Order by $sort on r: id, branch = branch_name | score = (r.a + r.b); then id"
    # Written out by hand: per group of one type, the ascending case (null when descending) and the
    # descending one; the tie-breaker last.
    assert runner._expand_order(text).splitlines() == [
        "order by",
        "    case when $descending then null else case $sort",
        "        when 'id' then r.id",
        "        when 'branch' then r.branch_name",
        "    end end asc nulls last,",
        "    case when $descending then case $sort",
        "        when 'id' then r.id",
        "        when 'branch' then r.branch_name",
        "    end end desc nulls last,",
        "    case when $descending then null else case $sort",
        "        when 'score' then r.a + r.b",
        "    end end asc nulls last,",
        "    case when $descending then case $sort",
        "        when 'score' then r.a + r.b",
        "    end end desc nulls last,",
        "    r.id",
    ]


def test_a_known_sort_runs_on_its_key_alone():
    # The page's sort (one the line lists, and a direction) writes each order by as that key's
    # value alone and answers the tests of $sort; neither is then bound. Any other key keeps the
    # cases (tests/store/test_rollups.py sorts every key both ways, and "no such key", against pandas).
    query = store.load_query("drill_responses")
    params = {**dict.fromkeys(query.parameters), "start": P.start, "end": P.end, "limit": 50, "offset": 0}
    by_time = query.sql_for({**params, "sort": "submitted_at", "descending": True})
    assert "\n    r.submitted_at desc nulls last,\n    r.response_id" in by_time
    assert "case when $descending" not in by_time and "$sort" not in runner._code(by_time)
    assert not {"sort", "descending"} & set(query.bound({**params, "sort": "submitted_at", "descending": True}))
    # the mean_gap branch answers "$sort = 'mean_gap'", the other branch "$sort <> 'mean_gap'"
    by_gap = runner._code(query.sql_for({**params, "sort": "mean_gap", "descending": False}))
    assert "x.mean_gap asc nulls last" in by_gap and "where true\n" in by_gap and "coalesce(false, true)" in by_gap
    unknown = query.sql_for({**params, "sort": "no such key", "descending": True})
    assert unknown == query.sql_for({**params, "sort": "no such key", "descending": None})
    assert "case when $descending" in unknown and {"sort", "descending"} <= set(
        query.bound({**params, "sort": "no such key", "descending": True})
    )


def test_a_cell_keys_line_values_each_dimension_as_the_catalogue_does():
    from servicequality.store import generate

    text = "    -- Cell keys on h by opened_on: branch, region = b.region, category, month"
    assert generate.expand_cell_keys(text).splitlines() == [
        "    case $dim1",
        "        when 'branch' then h.branch_id",
        "        when 'region' then b.region",
        "        when 'category' then coalesce(h.category, 'Unmapped')",
        "        when 'month' then substring(cast(h.opened_on as varchar), 1, 7)",
        "    end as key1,",
        "    case $dim2",
        "        when 'branch' then h.branch_id",
        "        when 'region' then b.region",
        "        when 'category' then coalesce(h.category, 'Unmapped')",
        "        when 'month' then substring(cast(h.opened_on as varchar), 1, 7)",
        "    end as key2,",
    ]
    with pytest.raises(KeyError, match="no Explore dimension 'colour'"):
        generate.expand_cell_keys("-- Cell keys on h by opened_on: colour")


def test_recorded_fields_say_which_optional_fields_any_row_holds(fixture_db_path, tmp_path):
    # The fixture's tickets record every optional field (T1: first response, resolution, reopened 0,
    # escalated false, satisfaction 4; the default targets cover Phone/normal); R1 has a comment; no visits.
    con = store.connect_read_only(fixture_db_path)
    try:
        recorded = [
            "has_category",
            "has_component",
            "has_first_response",
            "has_resolution",
            "has_resolution_target",
            "has_reopened",
            "has_escalated",
            "has_handling_satisfaction",
            "has_comment",
            "has_ticket_segment",
            "has_response_segment",
            "has_region",
            "has_priority_choice",  # normal, high, urgent and low in January and February
        ]
        visits = ["has_visit_channel", "has_visit_segment", "has_visit_value", "has_referred"]
        assert run(con, "recorded_fields").iloc[0].to_dict() == dict.fromkeys(recorded, 1) | dict.fromkeys(visits, 0)
    finally:
        con.close()
    # An export like the CFPB sample's: no handling times, targets, reopenings or scores; one ticket
    # keeps a resolution (a single row is enough), and a target comes from a ticket's own deadline
    # once the channel targets are gone.
    copy = tmp_path / "fields.duckdb"
    copy.write_bytes(fixture_db_path.read_bytes())
    con = connect_read_write(copy)
    try:
        con.execute(
            "update tickets set first_response_at = null, reopened_count = null, satisfaction = null, "
            "resolved_at = case when ticket_id = 'T2' then resolved_at end"
        )
        con.execute("delete from service_targets")
        con.execute("update survey_responses set comment = null")
        row = run(con, "recorded_fields").iloc[0]
        assert (row["has_first_response"], row["has_reopened"], row["has_handling_satisfaction"]) == (0, 0, 0)
        assert (row["has_resolution"], row["has_category"], row["has_escalated"]) == (1, 1, 1)
        assert (row["has_resolution_target"], row["has_comment"]) == (0, 0)
        con.execute("update tickets set resolution_target_at = opened_at + interval 3 day where ticket_id = 'T1'")
        con.execute("update tickets set category = null, escalated = null")
        # a mapping's placeholder for a field its export lacks is no recorded value (Boston's segment)
        con.execute("update tickets set segment = 'Not recorded'")
        con.execute(
            "update branches set region = case when branch_id = 'B1' then 'North' else 'Region not recorded' end"
        )
        row = run(con, "recorded_fields").iloc[0]
        assert (row["has_ticket_segment"], row["has_response_segment"], row["has_region"]) == (0, 1, 1)
        assert (row["has_resolution_target"], row["has_category"], row["has_component"], row["has_escalated"]) == (
            1,
            0,
            0,
            0,
        )
    finally:
        con.close()


def test_recorded_fields_probe_the_period_only(fixture_db_path, tmp_path):
    # The CFPB's "consumer disputed?" (escalated) ends in 2017: its last year records none. Here the
    # January tickets lose theirs; February's T3 and T4 keep False (a recorded answer).
    copy = tmp_path / "period.duckdb"
    copy.write_bytes(fixture_db_path.read_bytes())
    con = connect_read_write(copy)
    january, february = replace(P, end=dt.date(2024, 1, 31)), replace(P, start=dt.date(2024, 2, 1))
    try:
        con.execute("update tickets set escalated = null where opened_at < timestamp '2024-02-01'")
        assert [run(con, "recorded_fields", f).iloc[0]["has_escalated"] for f in (P, january, february)] == [1, 0, 1]
        # Priorities: T1 normal, T2 high, T5 urgent, T6 low in January; T3 and T4 both normal in
        # February; T7 alone (normal) in December 2023. One priority on every ticket is no choice.
        december = replace(P, start=dt.date(2023, 12, 1), end=dt.date(2023, 12, 31))
        choice = [run(con, "recorded_fields", f).iloc[0]["has_priority_choice"] for f in (january, february, december)]
        assert choice == [1, 0, 0]
        con.execute("update tickets set priority = 'high' where ticket_id = 'T4'")
        assert run(con, "recorded_fields", february).iloc[0]["has_priority_choice"] == 1
        # A period without a row records nothing; a branch's region does not depend on the period.
        empty = run(con, "recorded_fields", replace(P, start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31)))
        assert empty.iloc[0].to_dict() == {column: 0 for column in empty.columns} | {"has_region": 1}
    finally:
        con.close()


def test_drill_visits_lists_the_filter_and_cell_in_order(fixture_db_path, tmp_path):
    from servicequality.metrics.drilldown import QUERY_DEFAULTS

    copy = tmp_path / "visits.duckdb"
    copy.write_bytes(fixture_db_path.read_bytes())
    con = connect_read_write(copy)
    try:
        con.execute(
            "insert into visits values "
            "('C1', 'B1', date '2024-01-10', 'Phone', 'Individual', 10.0, true), "
            "('C2', 'B2', date '2024-02-05', null, null, null, null), "
            "('C1', 'B3', date '2024-01-20', 'Web', 'Premium', 25.5, false), "
            "('C3', 'B2', date '2024-01-15', 'Phone', 'Premium', 7.0, false), "
            "('C3', 'B1', date '2023-12-31', 'Phone', 'Individual', 5.0, false)"  # before the period
        )
        rollups.refresh(con)  # the previous visit days come from rollup_visit_days

        def drill(**params):
            both = {**P.params(), **QUERY_DEFAULTS, "sort": "visited_on", **params}
            rows = store.run_query(con, "drill_visits", both)
            assert not [c for c in rows.columns if "customer" in c]  # no key leaves the store
            pd.testing.assert_frame_equal(rows, store.run_query(con, "drill_visits", both, plain=True))
            total = store.run_query(con, "drill_visits_count", both).iloc[0]["total_rows"]
            days = [None if pd.isna(d) else int(d) for d in rows["days_since_previous"]]
            return list(zip([str(d)[:10] for d in rows["visited_on"]], rows["branch_id"], days, strict=True)), total

        # the period's four visits, latest first; days since the same customer's previous visit: C1's
        # second 10 (10 Jan -> 20 Jan), C3's 15 (31 Dec, before the period, -> 15 Jan), first visits none
        assert drill() == (
            [
                ("2024-02-05", "B2", None),
                ("2024-01-20", "B3", 10),
                ("2024-01-15", "B2", 15),
                ("2024-01-10", "B1", None),
            ],
            4,
        )
        assert drill(descending=False)[0][0] == ("2024-01-10", "B1", None)
        # by value, largest first (25.5, 10, 7); the one with none recorded last both ways
        assert [d for d, _, _ in drill(sort="value")[0]] == ["2024-01-20", "2024-01-10", "2024-01-15", "2024-02-05"]
        assert drill(sort="value", descending=False)[0][-1][0] == "2024-02-05"
        # a region cell (North: B1 and B2), a month cell, a channel selection, a page of one from the second
        assert drill(cell_region="North")[1] == 3
        assert drill(cell_month="2024-02") == ([("2024-02-05", "B2", None)], 1)
        assert drill(channels=["Phone"])[1] == 2
        assert drill(limit=1, offset=1) == ([("2024-01-20", "B3", 10)], 4)
        # branch names sort as text: Alpha (B1), Beta (B2: two, ties by the visit), Gamma (B3)
        assert [b for _, b, _ in drill(sort="branch", descending=False)[0]] == ["B1", "B2", "B2", "B3"]
    finally:
        con.close()
