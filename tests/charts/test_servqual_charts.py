"""The importance-performance matrix: numbers at the points, the names in a key under the plot."""

from __future__ import annotations

import pandas as pd

from servicequality.charts import ipa as charts_ipa
from servicequality.charts import servqual as charts_servqual
from servicequality.charts.ipa import IPA_KEY_WIDTH


def _ipa() -> pd.DataFrame:
    # the Israeli hospital survey's derived matrix, rounded: Reliability and Security sit 1 point of
    # importance and 1 of performance apart, and their names printed over each other
    return pd.DataFrame(
        {
            "component_key": ["reliability", "courtesy", "security", "professionalism", "tangibles"],
            "component_name": ["Reliability", "Courtesy", "Security", "Professionalism", "<b>Tangibles</b>"],
            "importance_pct": [3.3, 12.5, 4.2, 49.8, 4.5],
            "mean_perception": [84.1, 83.2, 83.1, 75.4, 67.4],
            "quadrant": [
                "Possible overkill",
                "Keep up the good work",
                "Possible overkill",
                "Concentrate here",
                "Low priority",
            ],
            "n": [1032, 1030, 1025, 1031, 1001],
            "importance_n": [980] * 5,
        }
    )


def test_points_carry_numbers_and_the_key_names_them():
    fig = charts_ipa.importance_performance_matrix(
        _ipa(), importance_split=12.4, performance_split=76.6, title="Derived importance against performance"
    )
    trace = fig.data[0]
    assert list(trace.text) == ["1", "2", "3", "4", "5"]
    key = next(a.text for a in fig.layout.annotations if "Reliability" in a.text)
    lines = key.split("<br>")
    plain = " · ".join(lines).replace("<b>", "").replace("</b>", "")
    assert plain == "1 Reliability · 2 Courtesy · 3 Security · 4 Professionalism · 5 &lt;b&gt;Tangibles&lt;/b&gt;"
    assert all(len(line.replace("<b>", "").replace("</b>", "")) <= IPA_KEY_WIDTH + 10 for line in lines)
    # the name stays in the hover, and the component key is the last customdata item for a click
    assert [row[0] for row in trace.customdata] == list(_ipa()["component_name"])
    assert [row[-1] for row in trace.customdata] == list(_ipa()["component_key"])


def test_points_close_together_get_labels_on_different_sides():
    # Reliability (3.3, 84.1) and Security (4.2, 83.1): on a phone's plot they are 5 px apart
    fig = charts_ipa.importance_performance_matrix(_ipa(), importance_split=12.4, performance_split=76.6, title="t")
    positions = list(fig.data[0].textposition)
    assert positions[0] != positions[2]


def test_ipa_numbers_keep_off_the_split_lines():
    # Kiosk survey: "8" printed on the dotted line at the mean performance. Point 1 sits 0.13 above
    # the line (4.95 against 4.82: 21 px on a 360 px plot spanning 3.8-6.0), point 2 0.10 above it
    # (16 px: its marker covers the place above point 1). Below point 1 the number's box (6 to 25 px
    # under it) would cross the line; beside it, it does not.
    args = ([11.0, 11.0], [4.95, 5.05], ["1", "2"], [10.0, 12.0], [3.8, 6.0])
    assert charts_ipa._label_positions(*args)[0].startswith("bottom")  # blind to the line
    assert charts_ipa._label_positions(*args, splits=(11.5, 4.82))[0] == "middle right"


def test_alpha_values_short_of_the_threshold_are_written_past_its_line():
    # the kiosk survey's Communication 0.46 and Security 0.83; 0.699 rounds to 0.70 at 2 decimals
    alphas = pd.DataFrame(
        {
            "component_key": ["communication", "security", "courtesy"],
            "component_name": ["Communication", "Security", "Courtesy"],
            "alpha": [0.46, 0.83, 0.699],
            "k": [3, 4, 2],
            "n_complete": [102, 99, 101],
        }
    )
    fig = charts_servqual.alpha_bars(alphas, threshold=0.70, title="Cronbach's alpha")
    labels = {a.y: a for a in fig.layout.annotations if a.y in set(alphas["component_name"])}
    # left of 0.70 the label starts at the line (x = 0.70), not at the bar's end: the line at 0.70
    # would cross "0.46 < 0.70" written from 0.46 on; 0.83 is written at its own bar's end
    assert [(labels[n].x, labels[n].text) for n in ("Communication", "Security", "Courtesy")] == [
        (0.70, "0.46 < 0.70"),
        (0.83, "0.83"),
        (0.70, "0.699 < 0.70"),
    ]
    assert len(labels) == 3 and all(a.xanchor == "left" and a.xshift > 0 for a in labels.values())
    assert not fig.data[0].text  # no second copy at the bars' ends


def test_a_selection_against_the_network_has_one_colour_a_series():
    # Mill Lane's bars were red below 0 and blue above, under one blue swatch in the legend
    from servicequality.charts import servqual as cs
    from servicequality.charts.common import HIGHLIGHT, NEUTRAL

    df = pd.DataFrame(
        {
            "component_name": ["Courtesy", "Tangibles"],
            "component_key": ["courtesy", "tangibles"],
            **{
                f"{c}_{s}": v
                for s in ("network", "selection")
                for c, v in (
                    ("mean_gap", [-0.4, 0.3]),
                    ("ci_low", [-0.6, 0.1]),
                    ("ci_high", [-0.2, 0.5]),
                    ("n", [40, 40]),
                )
            },
        }
    )
    network, selection = cs.selection_vs_network(df, selection_label="Mill Lane (B033)", title="t").data
    assert network.marker.color == NEUTRAL and selection.marker.color == HIGHLIGHT
