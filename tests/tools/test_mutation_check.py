"""The statistics tests catch planted formula mistakes (tools/mutation_check.py, issue 14 item 12)."""

import pytest

from tools import mutation_check


def test_every_mutation_names_text_that_exists_once():
    for m in mutation_check.MUTATIONS:
        text = (mutation_check.ROOT / m.path).read_text()
        assert text.count(m.original) == 1, m.name
        assert m.original != m.mutated, m.name


@pytest.mark.slow
def test_the_tests_kill_at_least_15_of_the_16_mutations(capsys):
    assert len(mutation_check.MUTATIONS) == 16
    code = mutation_check.main(["--allowed", "1"])
    out = capsys.readouterr().out
    print(out)
    assert code == 0, out
