"""Both real exports import with the shipped mappings. The expected counts are worked out here
independently, with pandas, from the raw files."""

from __future__ import annotations

import re

import duckdb
import pandas as pd
import pytest

from servicequality import ingest
from tests.conftest import ROOT, SHARED_DATA, require_or_skip

CFPB = SHARED_DATA / "cfpb_complaints" / "complaints_sample.csv"
KIOSK = SHARED_DATA / "kiosk_servqual" / "kiosk.csv"
KIOSK_UTF8 = SHARED_DATA / "kiosk_servqual" / "kiosk_utf8_transcoded.csv"
MAPPINGS = ROOT / "mappings"


@pytest.fixture(scope="module")
def real_data():
    require_or_skip(CFPB.exists() and KIOSK.exists(), f"the real exports are not in {SHARED_DATA}")


@pytest.fixture(scope="module")
def cfpb_db(real_data, tmp_path_factory):
    db = tmp_path_factory.mktemp("cfpb") / "cfpb.duckdb"
    result = ingest.run_import("tickets", CFPB, MAPPINGS / "cfpb_complaints.toml", db)
    return db, result


@pytest.fixture(scope="module")
def kiosk_db(real_data, tmp_path_factory):
    db = tmp_path_factory.mktemp("kiosk") / "kiosk.duckdb"
    result = ingest.run_import("surveys", KIOSK, MAPPINGS / "kiosk_servqual.toml", db)
    return db, result


def test_cfpb_counts_match_an_independent_reading(cfpb_db):
    db, result = cfpb_db
    raw = pd.read_csv(CFPB, skiprows=2, dtype=str, keep_default_na=False)
    valid = raw[
        raw["Complaint ID"].str.fullmatch(r"\d+")
        & ~raw["Complaint ID"].duplicated()
        & pd.to_datetime(raw["Date received"], format="%Y-%m-%d", errors="coerce").notna()
        & raw["Submitted via"].isin(["Web", "Referral", "Phone", "Postal mail", "Fax", "Email"])
    ]
    assert result.rows_read == len(raw) == 6623
    assert result.rows_stored == len(valid)
    assert result.rows_read == result.rows_stored + result.rows_rejected
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from tickets").fetchone()[0] == len(valid)
        by_channel = dict(con.execute("select channel, count(*) from tickets group by channel").fetchall())
        timely = dict(con.execute("select timely_response, count(*) from ticket_sources group by all").fetchall())
        escalated = dict(con.execute("select escalated, count(*) from tickets group by all").fetchall())
        states = con.execute("select count(*) from branches").fetchone()[0]
        regions = dict(con.execute("select branch_id, region from branches").fetchall())
        uncategorised = con.execute(
            "select count(*) from ticket_facts where category is not null and component_key is null"
        ).fetchone()[0]
        (first, last) = con.execute("select min(opened_at)::date, max(opened_at)::date from tickets").fetchone()
    finally:
        con.close()
    assert by_channel == valid["Submitted via"].value_counts().to_dict()
    assert timely == {
        True: (valid["Timely response?"] == "Yes").sum(),
        False: (valid["Timely response?"] == "No").sum(),
    }
    # "Consumer disputed?" is N/A since the CFPB stopped asking in 2017: not recorded, not "no"
    assert escalated == {
        True: (valid["Consumer disputed?"] == "Yes").sum(),
        False: (valid["Consumer disputed?"] == "No").sum(),
        None: (valid["Consumer disputed?"] == "N/A").sum(),
    }
    assert states == valid["State"].replace("", "Unknown").nunique()
    assert regions["CA"] == "West" and regions["NY"] == "Northeast" and regions["PR"] == "Territories"
    assert uncategorised == 0  # every issue found its family and component
    assert str(first) == valid["Date received"].min() and str(last) == valid["Date received"].max()


def test_the_same_file_twice_adds_nothing(cfpb_db):
    db, result = cfpb_db
    again = ingest.run_import("tickets", CFPB, MAPPINGS / "cfpb_complaints.toml", db)
    assert again.already_imported == (result.run_id, again.already_imported[1])
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select count(*) from tickets").fetchone()[0] == result.rows_stored
        assert con.execute("select count(*) from import_runs").fetchone()[0] == 1
    finally:
        con.close()


def test_kiosk_counts_match_an_independent_reading(kiosk_db):
    db, result = kiosk_db
    raw = pd.read_csv(KIOSK, encoding="cp949", dtype=str, keep_default_na=False)
    expectation = [c for c in raw.columns if re.match(r"^\d+-1\..*\(기대 설문\)\s*$", c)]
    perception = [c for c in raw.columns if re.match(r"^\d+-2\..*\(인지 설문\)\s*$", c)]
    assert len(expectation) == len(perception) == 24
    answered = (raw[expectation + perception] != "").any(axis=1)
    assert result.rows_read == len(raw) == 211
    assert result.rows_stored == answered.sum() == 207
    assert result.rows_rejected == 4
    assert {r.reason for r in result.rejected} == {
        "no SERVQUAL item answered (every expectation and perception is blank)"
    }
    con = duckdb.connect(str(db), read_only=True)
    try:
        n_scores = con.execute("select count(*) from survey_scores").fetchone()[0]
        store_gap = dict(
            con.execute(
                "select component_key, avg(perception) - avg(expectation) from survey_scores group by all"
            ).fetchall()
        )
        components = con.execute("select count(distinct component_key) from survey_scores").fetchone()[0]
        importance = con.execute("select count(*) from survey_importance").fetchone()[0]
    finally:
        con.close()
    stored = raw[answered]
    assert n_scores == 24 * len(stored)
    assert components == 10
    assert importance == 10 * len(stored)

    # Security = items 19-21 (personal data): the gap computed straight from the raw columns.
    def mean_of(items, role):
        cols = [c for c in (expectation if role == "E" else perception) if int(c.split("-")[0]) in items]
        return stored[cols].astype(int).to_numpy().mean()

    assert store_gap["security"] == pytest.approx(mean_of({19, 20, 21}, "P") - mean_of({19, 20, 21}, "E"))
    assert store_gap["reliability"] == pytest.approx(mean_of({1, 2, 3}, "P") - mean_of({1, 2, 3}, "E"))


def test_the_utf8_copy_imports_the_same_with_the_encoding_detected(real_data, tmp_path):
    require_or_skip(KIOSK_UTF8.exists(), f"no {KIOSK_UTF8}")
    mapping = tmp_path / "kiosk_utf8.toml"
    mapping.write_text((MAPPINGS / "kiosk_servqual.toml").read_text().replace('encoding = "cp949"', ""))
    result = ingest.run_import("surveys", KIOSK_UTF8, mapping, tmp_path / "k.duckdb")
    assert (result.rows_stored, result.rows_rejected, result.encoding) == (207, 4, "utf-8")
    detected = ingest.run_import("surveys", KIOSK, mapping, tmp_path / "k2.duckdb")
    assert (detected.rows_stored, detected.encoding) == (207, "cp949")
