"""Every page on the stores real companies have (issue 13): a performance-only survey (the Israeli
hospital export), complaints without surveys (the CFPB sample) and a SERVQUAL survey of one
branch without tickets (the kiosk). No exception, no error box, no chart without data, and no gap
where the survey asked no expectations."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from servicequality import ingest
from servicequality.ui.navigation import PAGES
from tests.conftest import ROOT, SHARED_DATA, require_or_skip

pytestmark = pytest.mark.slow

STORES = {
    "performance_only": (
        "surveys",
        SHARED_DATA / "il_hospital_survey" / "satisfaction-hosp-psychiatry-2017.xls",
        "il_hospital_survey.toml",
    ),
    "tickets_only": ("tickets", SHARED_DATA / "cfpb_complaints" / "complaints_sample.csv", "cfpb_complaints.toml"),
    "one_branch_surveys_only": ("surveys", SHARED_DATA / "kiosk_servqual" / "kiosk.csv", "kiosk_servqual.toml"),
}


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    out = {}
    for kind, (target, export, mapping) in STORES.items():
        require_or_skip(export.exists(), f"{export.name} is not in {SHARED_DATA}")
        db = tmp_path_factory.mktemp(kind) / f"{kind}.duckdb"
        ingest.run_import(target, export, ROOT / "mappings" / mapping, db)
        out[kind] = db
    return out


def _has_data(trace: dict) -> bool:
    return any(len(trace.get(axis) or []) for axis in ("x", "y", "z", "values"))


@pytest.mark.parametrize("kind", list(STORES))
@pytest.mark.parametrize("page", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_renders_on_each_kind_of_store(monkeypatch, stores, kind, page):
    monkeypatch.setenv("SQ_DATABASE", str(stores[kind]))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["period"] = ["2010-01-01", "2025-12-31"]
    at.run()
    at.switch_page(page.path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    for spec in specs:
        title = spec["layout"]["title"]["text"]
        assert any(_has_data(t) for t in spec["data"]), f"empty chart: {title}"
        if kind == "performance_only":
            assert "gap" not in title.lower() and "servqual" not in title.lower(), title
    if kind == "performance_only":
        labels = [m.label for m in at.metric]
        assert not any("SERVQUAL" in label or "gap" in label.lower() for label in labels), labels
    if kind == "one_branch_surveys_only":
        titles = " ".join(s["layout"]["title"]["text"] for s in specs)
        assert "against volume" not in titles and "ranked" not in titles.lower(), "no funnel or ranking of one branch"


def test_rows_rejected_as_a_whole_show_a_dash_for_column_and_value(monkeypatch, stores):
    # kiosk.csv (CP949) lines 25, 81, 158 and 205 answer none of the 48 SERVQUAL items: each row is
    # rejected whole, naming no column and no value (found with pandas: every item column blank)
    monkeypatch.setenv("SQ_DATABASE", str(stores["one_branch_surveys_only"]))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    rejected = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert rejected["line"].tolist() == [25, 81, 158, 205]
    assert rejected["column_name"].tolist() == ["–"] * 4
    assert rejected["value"].tolist() == ["–"] * 4
