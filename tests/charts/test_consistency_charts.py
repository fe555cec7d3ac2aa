"""The Branch consistency charts, read back from the figure: names sit on their own points."""

import math

import pandas as pd

from servicequality.charts import consistency as cc
from servicequality.metrics.consistency import MEASURES
from servicequality.stats import consistency as CS


def named_points(fig) -> dict[str, tuple[float, float]]:
    """Branch name -> (volume, value) of the point each name annotation's arrow ends on."""
    return {
        a.text: (10**a.x, a.y)  # the x axis is log: annotation x is in log10 units
        for a in fig.layout.annotations
        if a.showarrow
    }


def test_funnel_labels_end_on_their_own_points():
    # Five complaint-handling shares; two outliers close together on the worse side (C and D at
    # 100 and 105 complaints, 50 % and 52.4 %) and my branch B. Each name must end on its own dot:
    # swapping two labels (the bug seen in the browser) moves an arrow to the other's coordinates.
    # Pooled θ₀ = 8,095 / 9,605 = 0.8428; A: (0.85 − 0.8428) / √(0.8428·0.1572/5,000) = 1.4,
    # E: 1.25, B: 0.4 (inside); C: (0.5 − 0.8428) / 0.0364 = −9.4, D: −9.0 (outside 99.8 %).
    volume = pd.Series([5000.0, 400.0, 100.0, 105.0, 4000.0])
    events = pd.Series([4250.0, 340.0, 50.0, 55.0, 3400.0])
    value = events / volume
    labels = pd.Series(["A", "B", "C", "D", "E"])
    funnel = CS.funnel("proportion", volume, value, adjustment="none")
    outside = funnel.points["outside_99.8"]
    assert outside.tolist() == [0, 0, -1, -1, 0], "C and D are the two worse outliers (hand-checked: z < −10)"
    fig = cc.funnel_plot(funnel, labels, MEASURES["within_target"], title="t", highlight="B")
    marks = named_points(fig)
    assert set(marks) == {"B", "C", "D"}
    for name, (x, y) in marks.items():
        i = labels.tolist().index(name)
        assert math.isclose(x, volume[i], rel_tol=1e-9), name
        assert math.isclose(y, value[i] * 100, rel_tol=1e-9), name
    branches = next(t for t in fig.data if t.name == "Branches")
    assert branches.mode == "markers", "no free-floating text beside the dots"
    # neighbours point from opposite sides
    c, d = (next(a for a in fig.layout.annotations if a.text == n) for n in ("C", "D"))
    assert (c.ax > 0) != (d.ax > 0)
