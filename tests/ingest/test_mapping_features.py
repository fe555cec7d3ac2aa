"""Mapping keys that real exports need (issue 13): a date built from a date and a time column, no
date at all, headers that drifted between years, a fallback for values nobody listed, and rules
that group free-text complaint categories under a shorter name. Expected rows worked out by hand."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest

from servicequality import ingest
from servicequality.ingest import mapping as mapping_file

SURVEY = """
target = "surveys"
channels = ["Web"]
[columns]
response_id = "id"
branch_id = "site"
segment = "sex"
{date}
[constants]
channel = "Web"
[new_branches]
[values.segment]
"1" = "Men"
"2" = "Women"
"*" = "Other"
[defaults]
segment = "Not recorded"
[aliases]
branch_id = ["Site name", "Branch"]
[survey]
perception = '^(?P<item>Q\\d)$'
scale = [1, 5]
[survey.items]
Q1 = "courtesy"
"""


def _import(tmp_path, mapping: str, csv: str, target: str = "surveys", name: str = "export.csv"):
    (tmp_path / "m.toml").write_text(mapping)
    (tmp_path / name).write_text(csv)
    db = tmp_path / "store.duckdb"
    result = ingest.run_import(target, tmp_path / name, tmp_path / "m.toml", db)
    return result, duckdb.connect(str(db), read_only=True)


def test_a_date_and_a_time_column_make_one_timestamp(tmp_path):
    mapping = SURVEY.format(date='submitted_at = ["Day", "Time"]')
    result, con = _import(
        tmp_path, mapping, "id,site,sex,Day,Time,Q1\nA,S1,1,2024-03-01,14:30,4\nB,S1,2,2024-03-02,,5\n"
    )
    rows = con.execute("select response_id, submitted_at from survey_responses order by 1").fetchall()
    con.close()
    assert result.rows_stored == 2
    # B has no time: the date alone, at midnight
    assert rows == [("A", dt.datetime(2024, 3, 1, 14, 30)), ("B", dt.datetime(2024, 3, 2))]


def test_an_export_without_dates_gets_the_import_date_and_a_warning(tmp_path):
    result, con = _import(tmp_path, SURVEY.format(date=""), "id,site,sex,Q1\nA,S1,1,4\n")
    (stamp,) = con.execute("select submitted_at from survey_responses").fetchone()
    con.close()
    assert stamp == dt.datetime.combine(dt.date.today(), dt.time())
    assert len(result.warnings) == 1 and "no date" in result.warnings[0]
    assert "warning: the export and the mapping give no date" in result.summary()


def test_aliases_read_a_header_that_drifted_and_unlisted_values_fall_back(tmp_path):
    mapping = SURVEY.format(date='submitted_at = "when"')
    # This year's export calls the site column "Site name"; sex 9 is listed nowhere, blank is not recorded.
    result, con = _import(tmp_path, mapping, "id,Site name,sex,when,Q1\nA,S1,9,2024-03-01,4\nB,S2,,2024-03-01,3\n")
    rows = con.execute("select response_id, branch_id, segment from survey_responses order by 1").fetchall()
    con.close()
    assert result.rows_stored == 2
    assert rows == [("A", "S1", "Other"), ("B", "S2", "Not recorded")]


TICKETS = """
target = "tickets"
[columns]
ticket_id = "id"
branch_id = "branch"
opened_at = "opened"
category = "issue"
[constants]
channel = "Web"
status = "open"
kind = "complaint"
priority = "normal"
segment = "Individual"
[new_branches]
[[category.rules]]
match = "(?i)deliver"
label = "Parcel delivery"
family = "service"
component = "responsiveness"
[[category.rules]]
match = "(?i)rude"
family = "service"
component = "courtesy"
"""


def test_category_rules_group_free_text_under_their_label(tmp_path):
    csv = (
        "id,branch,opened,issue\n"
        "T1,B1,2024-03-01 10:00,Late delivery of my parcel\n"
        "T2,B1,2024-03-01 11:00,Parcel never delivered\n"
        "T3,B1,2024-03-01 12:00,Rude driver\n"
    )
    result, con = _import(tmp_path, TICKETS, csv, target="tickets")
    categories = con.execute("select ticket_id, category from tickets order by 1").fetchall()
    created = con.execute(
        "select category, component_key from complaint_categories where category in ('Parcel delivery', 'Rude driver') "
        "order by 1"
    ).fetchall()
    con.close()
    # T1 and T2 share the label; T3's rule has no label, so its own text becomes a category.
    assert categories == [("T1", "Parcel delivery"), ("T2", "Parcel delivery"), ("T3", "Rude driver")]
    assert created == [("Parcel delivery", "responsiveness"), ("Rude driver", "courtesy")]
    assert result.categories_created == 2


PAIRS = """
target = "surveys"
channels = ["Web"]
[columns]
response_id = "id"
branch_id = "site"
submitted_at = "when"
[constants]
channel = "Web"
segment = "All"
[new_branches]
[survey]
expectation = '^E(?P<item>\\d)$'
perception = '^P(?P<item>\\d)$'
adequate = '^A(?P<item>\\d)$'
dont_know = [9]
{scale}
[survey.items]
"1" = "courtesy"
"2" = "reliability"
[survey.overall]
column = "sat"
scale = [1, 5]
"""


def test_codes_in_a_pair_and_in_the_adequate_level(tmp_path):
    csv = (
        "id,site,when,E1,P1,A1,E2,P2,A2,sat\n"
        "A,S1,2024-03-01,6,5,9,4,9,,4\n"  # A1 "don't know": the pair stands; P2 "don't know": item 2 missing
        "B,S1,2024-03-01,,,3,5,6,,2\n"  # item 1: only an adequate level -> blank, item 2 kept
    )
    result, con = _import(tmp_path, PAIRS.format(scale=""), csv)
    scores = con.execute("select response_id || item, expectation, perception, adequate from survey_scores").fetchall()
    missing = con.execute("select response_id || item, reason, code from survey_item_missing order by 1").fetchall()
    csat = con.execute("select response_id, overall_satisfaction from survey_responses order by 1").fetchall()
    con.close()
    assert (result.rows_stored, result.rows_rejected) == (2, 0)
    assert sorted(scores) == [("A1", 6, 5, None), ("B2", 5, 6, None)]
    assert missing == [("A2", "don't know", "9"), ("B1", "blank", "")]
    # [survey.overall] on 1-5 also feeds CSAT's overall_satisfaction
    assert csat == [("A", 4), ("B", 2)]


def test_an_answer_before_its_recorded_from_day_is_not_recorded(tmp_path):
    # Skytrax's 'recommended' is 0 on reviews before it was asked: a 0 there is no "no".
    # A (1 March, before the 2 March start) -> not recorded, though its cell says 0; B (2 March, the
    # first day) -> 0 kept; C (5 March) -> 1; overall satisfaction has no recorded_from: all three.
    recommend = '[survey.recommend]\ncolumn = "rec"\nscale = [0, 1]\nrecorded_from = 2024-03-02\n'
    mapping = PAIRS.format(scale="") + recommend
    csv = (
        "id,site,when,E1,P1,A1,E2,P2,A2,sat,rec\n"
        "A,S1,2024-03-01,6,5,,4,5,,4,0\n"
        "B,S1,2024-03-02,6,5,,4,5,,3,0\n"
        "C,S1,2024-03-05,6,5,,4,5,,5,1\n"
    )
    result, con = _import(tmp_path, mapping, csv)
    rows = con.execute(
        "select response_id, recommend_answer, recommend_min, recommend_max, satisfaction_answer "
        "from survey_responses order by 1"
    ).fetchall()
    con.close()
    assert (result.rows_stored, result.rows_rejected) == (3, 0)
    assert rows == [("A", None, None, None, 4), ("B", 0, 0, 1, 3), ("C", 1, 0, 1, 5)]
    (tmp_path / "bad.toml").write_text(mapping.replace("recorded_from = 2024-03-02", 'recorded_from = "soon"'))
    with pytest.raises(mapping_file.MappingError, match=r"\[survey.recommend\]: recorded_from = 'soon' must be a date"):
        mapping_file.load(tmp_path / "bad.toml")


def test_servqual_pairs_off_the_1_to_7_scale_are_refused(tmp_path):
    (tmp_path / "m.toml").write_text(PAIRS.format(scale="scale = [1, 5]"))
    with pytest.raises(mapping_file.MappingError, match="SERVQUAL pairs must be 1-7"):
        mapping_file.load(tmp_path / "m.toml")


@pytest.mark.parametrize(
    ("fmt", "words"),
    [
        ("%Y-%m-%d %d", "names a part of the date twice"),  # strptime raised re.error mid-import
        ("%Y-%q", "'q' is a bad directive"),
        ("%d/%m/%", "stray %"),
        ("  ", "is empty"),
    ],
)
def test_a_dates_format_strptime_cannot_use_is_refused_when_the_mapping_loads(tmp_path, fmt, words):
    base = 'target = "tickets"\n[columns]\nticket_id = "id"\nopened_at = "opened"\n[constants]\nbranch_id = "B1"\n'
    base += 'channel = "Web"\nkind = "request"\npriority = "low"\nstatus = "open"\nsegment = "Individual"\n'
    base += "[dates]\nformats = "
    (tmp_path / "m.toml").write_text(base + f'["%Y-%m-%d", "{fmt}"]\n')
    with pytest.raises(mapping_file.MappingError, match=f"format '{re.escape(fmt)}' .*{re.escape(words)}"):
        mapping_file.load(tmp_path / "m.toml")
    # literal text and every usual code load
    (tmp_path / "m.toml").write_text(base + '["%d.%m.%Y um %H:%M Uhr", "%Y-%m-%dT%H:%M:%S%z", "%b %d %Y %I %p"]\n')
    assert len(mapping_file.load(tmp_path / "m.toml").date_formats) == 3


TITLES = """
target = "tickets"
[columns]
ticket_id = "id"
branch_id = "site"
opened_at = "opened"
status = "state"
kind = "title"
[constants]
channel = "Phone"
priority = "normal"
segment = "Not recorded"
[new_branches]
[values.kind]
"Complaint: compliment" = "complaint"
"*" = "request"
[patterns.kind]
"(?i)compl[ie]ment" = "compliment"
"(?i)compla|complant" = "complaint"
"""


def test_patterns_map_free_text_in_order_after_the_listed_values(tmp_path):
    # By hand: an exact [values] entry first (T1, whose text the first pattern would call a
    # compliment); then the first pattern that matches (T2 a compliment though "complaint"-like
    # patterns follow; T3, T4 spelled anyhow); then [values]' "*" (T5); a blank title is not
    # recorded: rejected (T6).
    csv = (
        "id,site,opened,state,title\n"
        "T1,S1,2024-03-01,open,Complaint: compliment\n"
        "T2,S1,2024-03-01,open,PublicWorks: Complement\n"
        "T3,S1,2024-03-01,open,Contractor Complaint  D7\n"
        "T4,S1,2024-03-01,open,PublicWorks: Complant\n"
        "T5,S1,2024-03-01,open,Missed trash\n"
        "T6,S1,2024-03-01,open,\n"
    )
    result, con = _import(tmp_path, TITLES, csv, target="tickets")
    kinds = dict(con.execute("select ticket_id, kind from tickets").fetchall())
    con.close()
    assert kinds == {"T1": "complaint", "T2": "compliment", "T3": "complaint", "T4": "complaint", "T5": "request"}
    assert (result.rows_read, result.rows_stored, result.rows_rejected) == (6, 5, 1)


def test_a_pattern_re2_cannot_run_stops_the_mapping(tmp_path):
    bad = TITLES.replace('"(?i)compla|complant"', '"(?<=x)complaint"')
    (tmp_path / "m.toml").write_text(bad)
    with pytest.raises(mapping_file.MappingError, match=r"\[patterns.kind\].*RE2"):
        mapping_file.load(tmp_path / "m.toml")
