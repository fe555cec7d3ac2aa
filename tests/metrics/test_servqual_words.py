"""Words the pages print about SERVQUAL results (issue 14, item 8)."""

import pandas as pd

from servicequality.metrics.servqual import difference_words, is_whole_network


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
