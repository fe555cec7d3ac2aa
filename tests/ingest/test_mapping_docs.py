"""Every key a mapping file may use is documented in mappings/README.md (Datasette's habit: a test
checks that every setting is documented)."""

import re

from servicequality.ingest import limits, mapping, survey_spec
from tests.conftest import ROOT

DOC = (ROOT / "mappings" / "README.md").read_text()


def test_every_mapping_key_is_documented():
    keys = (
        mapping._TOP_KEYS
        | mapping._SOURCE_KEYS
        | mapping._NEW_BRANCH_KEYS
        | survey_spec._ANSWER_KEYS
        | set(survey_spec.SURVEY_ROLES)
        | set(survey_spec.MISSING_CODES)
        | {"items", "item", "override", *survey_spec.ANSWERS}
    )
    undocumented = sorted(k for k in keys if not re.search(rf"(^|[\s\[.]){re.escape(k)}\b", DOC, re.MULTILINE))
    assert not undocumented, f"document these mapping keys in mappings/README.md: {undocumented}"


def test_every_shipped_mapping_is_listed_and_loads():
    for path in mapping.shipped_mappings(ROOT / "mappings"):
        assert f"`{path.name}`" in DOC, path.name
        mapping.load(path)


def test_every_limit_is_documented_with_its_default():
    """Each setting of ingest.limits has its row in the "Limits" table: `VARIABLE` | default | ..."""
    section = DOC.split("## Limits", 1)[1].split("\n## ", 1)[0]
    rows = {m[1]: m[2] for m in re.finditer(r"^\| `(\w+)` \| (\d+) \|", section, re.MULTILINE)}
    assert rows == {s.env: str(s.default) for s in limits.SETTINGS}
