"""Words the pages print about SERVQUAL results (issue 14, item 8)."""

import pandas as pd

from servicequality.metrics.servqual import difference_words, is_whole_network, not_asked_words


def frame(pairs):
    return pd.DataFrame(pairs, columns=["component_name", "difference"])


def test_every_component_below_the_network_names_the_closest_not_an_above():
    words = difference_words(frame([("Communication", -0.34), ("Access", -0.02), ("Tangibles", -0.10)]))
    assert "above" not in words.lower()
    assert "furthest below **Communication** (−0.34 points)" in words
    assert "closest **Access** (−0.02 points)" in words


def test_mixed_signs_name_the_furthest_each_way():
    words = difference_words(frame([("Communication", -0.34), ("Access", 0.12), ("Tangibles", None)]))
    assert words == (
        "Furthest below the network: **Communication** (−0.34 points); furthest above: **Access** (+0.12 points)."
    )


def test_every_component_above():
    words = difference_words(frame([("Courtesy", 0.05), ("Access", 0.20)]))
    assert words.startswith("Above the network on every component: furthest above **Access** (+0.20 points)")


def test_a_selection_holding_every_respondent_is_the_network_itself():
    def compared(n_selection, n_network):
        return pd.DataFrame(
            {
                "component_name": ["Access", "Tangibles"][: len(n_network)],
                "n_selection": n_selection,
                "n_network": n_network,
            }
        )

    assert is_whole_network(compared([207, 205], [207, 205]))  # one branch: the network's own respondents
    assert not is_whole_network(compared([207, 12], [207, 205]))  # all of one component's, not of another's
    assert not is_whole_network(compared([40, 38], [207, 205]))
    assert not is_whole_network(compared([], []))


def survey_components(asked: dict[str, int]):
    """survey_components' rows: every component in canonical order, `asked` as given (0 otherwise)."""
    from servicequality.domain import COMPONENTS

    return lambda name: pd.DataFrame(
        {
            "component_key": [c.key for c in COMPONENTS],
            "component_name": [c.name for c in COMPONENTS],
            "sort_order": range(1, 11),
            "asked": [asked.get(c.key, 0) for c in COMPONENTS],
        }
    )


def test_the_components_no_question_covers_are_named_in_canonical_order():
    # the Israeli hospital survey: items for 8 components, none for credibility (2nd) or access (5th)
    eight = {k: 1 for k in ("security", "communication", "understanding", "courtesy", "competence")}
    eight |= {"responsiveness": 1, "reliability": 1, "tangibles": 1}
    assert not_asked_words(survey_components(eight)) == (
        "The survey asks about 8 of the 10 components: no question covers Credibility or Accessibility, "
        "so they do not appear on this page."
    )
    three_missing = {k: v for k, v in eight.items() if k != "tangibles"}
    words = not_asked_words(survey_components(three_missing))
    assert "7 of the 10 components: no question covers Credibility, Accessibility or Tangibles, so they" in words
    one_missing = eight | {"credibility": 1}
    assert not_asked_words(survey_components(one_missing)).endswith(
        "9 of the 10 components: no question covers Accessibility, so it does not appear on this page."
    )


def test_nothing_to_say_when_every_component_or_none_is_asked():
    from servicequality.domain import COMPONENTS

    assert not_asked_words(survey_components({c.key: 1 for c in COMPONENTS})) is None
    assert not_asked_words(survey_components({})) is None  # no survey at all: the page says so elsewhere
