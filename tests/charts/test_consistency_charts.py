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
    # the two neighbours' names do not cover each other on a desktop's plot (897 x 431 px, measured
    # in Chromium): each name's centre is its dot (in the axes' set ranges) plus its offset, and a
    # one-letter name on its box is about 14 x 15 px
    x0, x1 = fig.layout.xaxis.range
    y0, y1 = fig.layout.yaxis.range
    centres = []
    for n in ("C", "D"):
        a = next(a for a in fig.layout.annotations if a.text == n)
        i = labels.tolist().index(n)
        px = (math.log10(volume[i]) - x0) / (x1 - x0) * 897 + a.ax
        py = (y1 - value[i] * 100) / (y1 - y0) * 431 + a.ay
        centres.append((px, py))
    (cx, cy), (dx, dy) = centres
    assert abs(cx - dx) >= 14 or abs(cy - dy) >= 15, centres


def _luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0-255 channels)."""
    lin = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _rgb(colour: str) -> tuple[float, float, float, float]:
    if colour.startswith("#"):
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16), 1.0
    r, g, b, a = (float(x) for x in colour[colour.index("(") + 1 : -1].split(","))
    return r, g, b, a


def test_funnel_names_read_on_the_light_and_the_dark_theme():
    # The names' boxes are light; on the dark theme the text would be the theme's white (the bug
    # seen in a dark screenshot: white on light grey). Each name needs its own ink with a WCAG
    # contrast of at least 4.5:1 against its box laid over either theme's background.
    volume = pd.Series([5000.0, 400.0, 100.0, 105.0, 4000.0])
    value = pd.Series([4250.0, 340.0, 50.0, 55.0, 3400.0]) / volume
    funnel = CS.funnel("proportion", volume, value, adjustment="none")
    fig = cc.funnel_plot(funnel, pd.Series(list("ABCDE")), MEASURES["within_target"], title="t", highlight="B")
    names = [a for a in fig.layout.annotations if a.showarrow]
    assert names
    for a in names:
        assert a.font.color, f"{a.text}: no colour of its own, the theme's text colour is used"
        ink = _luminance(_rgb(a.font.color)[:3])
        r, g, b, alpha = _rgb(a.bgcolor)
        for background in ((255, 255, 255), (14, 17, 23)):  # Streamlit's light and dark backgrounds
            box = [alpha * c + (1 - alpha) * bg for c, bg in zip((r, g, b), background, strict=True)]
            lighter, darker = sorted((_luminance(box), ink), reverse=True)
            assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (a.text, background)


def test_funnel_limits_of_a_bounded_score_stop_at_the_scale():
    # Survey performance (0-100 points) of four branches, each with an sd of 30 points: pooled
    # θ₀ = (95 + 2·10 + 40·55 + 60·62) / 103 = 6,035 / 103 = 58.6; at n = 1 the 99.8% limits are
    # 58.6 ± 3.09 · 30 = −34 to 151, drawn at 0 and 100.
    volume = pd.Series([1.0, 2.0, 40.0, 60.0])
    value = pd.Series([95.0, 10.0, 55.0, 62.0])
    funnel = CS.funnel("mean", volume, value, sd=[30.0] * 4, adjustment="none")
    assert round(funnel.target, 1) == 58.6
    assert funnel.curve["low_99.8"].min() < -30 and funnel.curve["high_99.8"].max() > 150
    fig = cc.funnel_plot(funnel, pd.Series(list("ABCD")), MEASURES["survey_performance"], title="t")
    limits = [t for t in fig.data if t.name and "limits" in t.name]
    assert len(limits) == 4
    assert all(0 <= y <= 100 for t in limits for y in t.y)
    assert min(min(t.y) for t in limits) == 0 and max(max(t.y) for t in limits) == 100


def _ranked() -> pd.DataFrame:
    # three ranked branches of survey performance (0-100): the first's interval cut at 100 by
    # metrics.consistency.ranking, the network at 70
    return pd.DataFrame(
        {
            "branch_id": ["Z", "P", "Q"],
            "label": ["Zurich (Z)", "Porto (P)", "Quito (Q)"],
            "rank": [1, 2, 3],
            "value": [99.0, 61.0, 40.0],
            "volume": [6.0, 40.0, 30.0],
            "shrunk": [96.7, 61.2, 40.6],
            "shrunk_low": [83.0, 55.7, 34.3],
            "shrunk_high": [100.0, 66.7, 47.0],
            "shrinkage": [0.09, 0.01, 0.02],
            "network": [70.0] * 3,
        }
    )


def test_the_ranking_of_a_bounded_score_keeps_its_axis_on_the_scale():
    # values 34.3 to 100, padded by 5% of the span 65.7 (3.285): 31.015 to 103.285, the top held at
    # 100 + 2 (a hair for a marker on 100); plotly's autorange ran to 170 on a phone
    fig = cc.ranking_chart(_ranked(), MEASURES["survey_performance"], title="t")
    start, end = fig.layout.xaxis.range
    assert math.isclose(start, 31.015) and end == 102.0
    # a gap has no scale's ends: plotly's own range
    gap = cc.ranking_chart(_ranked(), MEASURES["survey_gap"], title="t")
    assert gap.layout.xaxis.range is None


def test_the_ranking_names_the_network_in_its_legend_and_keeps_rank_order():
    # 'Network 44.5' printed over the plot sat on the first branch's dot (Boston at 390 px): it is
    # the dashed line's legend entry; the network line, drawn first, must not reorder the branches.
    fig = cc.ranking_chart(_ranked(), MEASURES["survey_performance"], title="t")
    assert not fig.layout.annotations
    line = next(t for t in fig.data if t.mode == "lines")
    # the shrinkage's target, the ranked branches' mean: 'Network' beside the cards' network of every
    # branch (Skytrax: 58.0 here, 56.0 there) read as two values of one thing
    assert line.name == "Ranked branches' mean 70.0" and set(line.x) == {70.0}
    assert list(fig.layout.yaxis.categoryarray) == ["#1 Zurich (Z)", "#2 Porto (P)", "#3 Quito (Q)"]
    # a name longer than 24 characters is cut on the axis to its first 23 and an ellipsis, whole in the hover
    ranked = _ranked().assign(label=["Jerusalem Mental Health Center (המרכז הירושלמי)", "Porto (P)", "Quito (Q)"])
    fig = cc.ranking_chart(ranked, MEASURES["survey_performance"], title="t")
    assert fig.layout.yaxis.categoryarray[0] == "#1 Jerusalem Mental Health…"
    assert "Jerusalem Mental Health Center (המרכז הירושלמי)" in list(fig.data[1].customdata[0])


def test_the_funnel_names_the_network_in_its_legend():
    # 'Network 84.3' printed at the line's left end sat on the branches' dots there (the demo at
    # 1440 px): it is the line's legend entry, and the only annotations are the branches' names.
    # Pooled share 8,095 / 9,605 = 84.28 % (the first test's five branches).
    volume = pd.Series([5000.0, 400.0, 100.0, 105.0, 4000.0])
    funnel = CS.funnel("proportion", volume, pd.Series([4250.0, 340.0, 50.0, 55.0, 3400.0]) / volume)
    fig = cc.funnel_plot(funnel, pd.Series(list("ABCDE")), MEASURES["within_target"], title="t")
    assert all(a.showarrow for a in fig.layout.annotations) and not fig.layout.shapes
    line = next(t for t in fig.data if t.name.startswith("Network"))
    assert line.name == "Network 84.3" and all(math.isclose(y, 100 * 8095 / 9605) for y in line.y)
    # across the whole axis: its ends are the axis range's (log10 units)
    start, end = fig.layout.xaxis.range
    assert math.isclose(math.log10(line.x[0]), start) and math.isclose(math.log10(line.x[1]), end)
    # a negative network (a gap) with the real minus sign the cards use: −0.29, not -0.29
    gaps = CS.funnel("mean", volume, pd.Series([-0.2, -0.5, -0.9, -0.1, -0.3]), sd=pd.Series([1.0] * 5))
    fig = cc.funnel_plot(gaps, pd.Series(list("ABCDE")), MEASURES["survey_gap"], title="t")
    assert next(t for t in fig.data if t.name.startswith("Network")).name.startswith("Network −0.")


def test_a_funnel_over_few_powers_of_ten_has_ticks_at_1_2_5():
    # 11 hospitals of 30 to 300 respondents drew one volume tick, "100"; the complaint shares of the
    # first test span 100 to 5,000 (an axis of 2.04 powers of ten, padded) and show the unit of a share
    volume = pd.Series([5000.0, 400.0, 100.0, 105.0, 4000.0])
    funnel = CS.funnel("proportion", volume, pd.Series([4250.0, 340.0, 50.0, 55.0, 3400.0]) / volume)
    fig = cc.funnel_plot(funnel, pd.Series(list("ABCDE")), MEASURES["within_target"], title="t")
    # the axis: 10^1.81 = 65 to 10^3.85 = 7,120: ticks at 100, 200, 500, 1,000, 2,000, 5,000
    assert list(fig.layout.xaxis.ticktext) == ["100", "200", "500", "1,000", "2,000", "5,000"]
    assert fig.layout.yaxis.title.text == "Resolved within target (%)"
    # the hospitals' 50 to 168 respondents (an axis of half a power of ten): 50, 60 ... 100
    narrow = pd.Series([55.0, 80.0, 150.0])
    funnel = CS.funnel("proportion", narrow, pd.Series([40.0, 60.0, 120.0]) / narrow)
    ticks = cc.funnel_plot(funnel, pd.Series(list("ABC")), MEASURES["within_target"], title="t").layout.xaxis.ticktext
    assert {"60", "70", "80", "90", "100"} <= set(ticks) and all(int(t) % 10 == 0 and int(t) <= 200 for t in ticks)
    # 1 to 100,000 (five powers of ten): a tick per power
    wide = pd.Series([1.0, 100.0, 100_000.0])
    funnel = CS.funnel("proportion", wide, pd.Series([1.0, 80.0, 80_000.0]) / wide)
    assert cc.funnel_plot(funnel, pd.Series(list("ABC")), MEASURES["within_target"], title="t").layout.xaxis.dtick == 1


def test_a_funnel_over_less_than_a_doubling_has_whole_ticks_across_it():
    # The support store's products: 150 to 250 customers judged each showed one volume tick, "200".
    # The curve runs from 0.8 to 1.15 times the volumes (120 to 288), padded by 5 % of its log span:
    # 10^2.060 = 115 to 10^2.478 = 301. The 1-2-5 ticks of each power of ten give 200 alone; whole
    # steps of 50 (at most 5 ticks; 20 would give 10) give 150, 200, 250, 300.
    volume = pd.Series([150.0, 180.0, 200.0, 220.0, 250.0])
    funnel = CS.funnel("proportion", volume, pd.Series([1.0, 2.0, 0.0, 1.0, 0.0]) / volume)
    fig = cc.funnel_plot(funnel, pd.Series(list("ABCDE")), MEASURES["return_rate"], title="t")
    low, high = (10**x for x in fig.layout.xaxis.range)
    assert 114 < low < 116 and 300 < high < 302
    assert list(fig.layout.xaxis.tickvals) == [150, 200, 250, 300]
    assert cc.nice_ticks(120, 280) == [150, 200, 250]
    assert cc.nice_ticks(25, 160) == [50, 100, 150]
