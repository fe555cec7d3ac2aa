"""The Ten components page on the Israeli hospital export (a performance-only survey whose items
cover 8 of the ten components): its numbers written as every other page writes them, and the two
components it never asks named rather than silently left out."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from servicequality import ingest
from tests.conftest import ROOT, SHARED_DATA, require_or_skip

pytestmark = pytest.mark.slow

EXPORT = SHARED_DATA / "il_hospital_survey" / "satisfaction-hosp-psychiatry-2017.xls"


@pytest.fixture(scope="module")
def hospital_db(tmp_path_factory):
    require_or_skip(EXPORT.exists(), f"{EXPORT.name} is not in {SHARED_DATA}")
    db = tmp_path_factory.mktemp("hospital") / "il_hospital_survey.duckdb"
    ingest.run_import("surveys", EXPORT, ROOT / "mappings" / "il_hospital_survey.toml", db)
    return db


@pytest.fixture()
def components_page(monkeypatch, hospital_db):
    monkeypatch.setenv("SQ_DATABASE", str(hospital_db))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["period"] = ["2010-01-01", "2025-12-31"]
    at.run()
    at.switch_page("pages/components.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_ratings_table_writes_n_with_thousands_separators(components_page):
    # 1,032 respondents (mappings/il_hospital_survey.toml); the table showed "1032", "1031"
    table = next(d for d in components_page.dataframe if "Performance (0-100)" in d.value.columns)
    assert table.value["n"].max() > 999  # the column needs the separator at all
    config = json.loads(table.proto.columns)
    assert config["n"]["type_config"]["format"] == "localized"
    assert config["Performance (0-100)"]["type_config"]["format"] == "%.1f"  # the others as they were


def test_the_components_the_survey_never_asks_are_named(components_page):
    # The mapping's [survey.items] (mappings/il_hospital_survey.toml) cover security, communication,
    # understanding, courtesy, competence, responsiveness, reliability and tangibles: none credibility or access.
    table = next(d for d in components_page.dataframe if "Performance (0-100)" in d.value.columns)
    assert len(table.value) == 8
    assert not {"Credibility", "Accessibility"} & set(table.value["Component"])
    captions = " ".join(c.value for c in components_page.caption).replace("\\", "")
    assert (
        "The survey asks about 8 of the 10 components: no question covers Credibility or Accessibility, "
        "so they do not appear on this page." in captions
    )
