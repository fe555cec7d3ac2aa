"""Shared chart builders, read back from the figure."""

import pandas as pd

from servicequality.charts import common


def test_gap_bars_colour_only_what_the_interval_tells_apart_from_zero():
    # Three differences from the network: −0.26 with interval (−0.40, −0.12) is a real shortfall;
    # −0.30 with (−0.70, 0.10) includes 0 (noise: grey, though its point is lower than the first);
    # +0.05 with (0.01, 0.09) is above. Colouring by the sign of the point alone would paint the
    # second one red.
    df = pd.DataFrame(
        {
            "label": ["Tower Point", "Kings Cross", "Greenway"],
            "difference": [-0.26, -0.30, 0.05],
            "low": [-0.40, -0.70, 0.01],
            "high": [-0.12, 0.10, 0.09],
            "n": [300, 12, 500],
        }
    )
    fig = common.gap_bars(
        df,
        label="label",
        value="difference",
        low="low",
        high="high",
        title="t",
        value_name="difference from the network",
    )
    bar = fig.data[0]
    assert list(bar.marker.color) == [common.SHORTFALL, common.NEUTRAL, common.SURPLUS]
    assert "difference from the network %{x:.2f}" in bar.hovertemplate
    assert "gap" not in bar.hovertemplate.replace("difference from the network", "")


def test_monthly_trend_axes_reach_zero_so_flat_series_look_flat():
    # A rate moving 21.2-21.6 per 1,000 and a gap around −0.3: autoscaled axes would stretch a
    # 0.4 wobble over the whole panel; each axis must reach 0.
    months = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
            "complaint_rate": [21.2, 21.6, 21.4],
            "mean_gap": [-0.31, -0.29, -0.30],
        }
    )
    panels = [("complaint_rate", "Rate", "per 1,000"), ("mean_gap", "Gap", "points")]
    fig = common.monthly_trend(months, panels, title="t")
    axes = [fig.layout[name] for name in fig.layout if name.startswith("yaxis")]
    assert len(axes) == 2
    assert all(axis.rangemode == "tozero" for axis in axes)


def test_long_titles_wrap_and_the_top_margin_makes_room():
    # A 60-character title on a 390 px phone ran off the chart: wrapped at 44 characters into two
    # lines, with 22 px more top margin and height; a short title is left alone.
    import plotly.graph_objects as go

    long = "Survey gap (P − E) against volume, with 95% and 99.8% limits"
    fig = common.layout(go.Figure(), long, 400)
    assert fig.layout.title.text == "Survey gap (P − E) against volume, with 95%<br>and 99.8% limits"
    assert (fig.layout.margin.t, fig.layout.height) == (72, 422)
    short = common.layout(go.Figure(), "Complaints by channel", 400)
    assert (short.layout.title.text, short.layout.margin.t, short.layout.height) == ("Complaints by channel", 50, 400)


def test_interval_colours_when_lower_is_better():
    # Complaint rates against a network 21.4 per 1,000 (lower is better): (23.0, 25.0) is wholly
    # worse -> red; (19.0, 22.0) includes 21.4 -> grey although its point may sit below; (15, 20)
    # is wholly better -> blue. Colouring by the point alone painted the middle one.
    colours = common.interval_colours([23.0, 19.0, 15.0], [25.0, 22.0, 20.0], 21.4, higher_is_better=False)
    assert colours == [common.SHORTFALL, common.NEUTRAL, common.SURPLUS]


def test_category_labels_are_drawn_as_their_characters():
    import plotly.graph_objects as go

    from servicequality.ui import crossfilter

    fig = go.Figure([go.Bar(x=["<b>bold</b>", "A & B", "Plain"], y=[1, 2, 3]), go.Scatter(x=[1.0, 2.0], y=[3.0, 4.0])])
    common.escape_labels(fig)
    assert list(fig.data[0].x) == ["&lt;b&gt;bold&lt;/b&gt;", "A &amp; B", "Plain"]
    assert list(fig.data[1].x) == [1.0, 2.0]  # numbers untouched
    # a click on the bar hands back the escaped label; the cross-filter reads the stored name
    assert crossfilter.point_value({"x": fig.data[0].x[0]}, "x") == "<b>bold</b>"


def test_over_long_labels_are_cut_for_display():
    import plotly.graph_objects as go

    huge = "Delivery " + "x" * 9_000_000  # issue 16: three 9 MB category names made a page push 28 MB
    fig = go.Figure([go.Bar(y=[huge, "Short <i>", "y" * 80], x=[1, 2, 3], orientation="h")])
    common.escape_labels(fig)
    # 79 characters and an ellipsis; a label of exactly 80 is kept whole
    assert list(fig.data[0].y) == ["Delivery " + "x" * 70 + "…", "Short &lt;i&gt;", "y" * 80]
    assert len(fig.to_json()) < 10_000


def test_a_stored_name_in_a_title_is_text():
    assert (
        common.stored("<a href='https://evil.example'>Clock</a>")
        == "&lt;a href='https://evil.example'&gt;Clock&lt;/a&gt;"
    )
    assert common.stored("B" * 100) == "B" * 79 + "…"


def test_names_in_customdata_are_text_in_hover_labels_and_clicks_get_them_back():
    import plotly.graph_objects as go

    from servicequality.ui import crossfilter

    fig = go.Figure(
        go.Scatter(x=[1, 2], y=[3, 4], customdata=[["<b>B</b> & co", 7, "B1"], ["Plain", 8, "B<2>"]], mode="markers")
    )
    common.escape_labels(fig)
    assert [list(r) for r in fig.data[0].customdata] == [
        ["&lt;b&gt;B&lt;/b&gt; &amp; co", 7, "B1"],
        ["Plain", 8, "B&lt;2&gt;"],
    ]
    point = {"customdata": list(fig.data[0].customdata[1])}
    assert crossfilter.point_value(point, "customdata:-1") == "B<2>"
    assert crossfilter.point_value(point, "customdata:1") == 8


def test_long_bar_labels_are_cut_on_the_axis_only_and_stay_two_bars():
    long_a = "Jerusalem Mental Health Center (המרכז הירושלמי)"
    long_b = "Jerusalem Mental Health Center & Annex (B7)"  # the same first 28 characters, and an '&'
    df = pd.DataFrame(
        {"label": [long_a, long_b, "Geha (גהה)"], "mean_gap": [-1.0, -0.5, 0.2], "ci_low": [-1.5, -1.0, -0.1]}
    ).assign(ci_high=lambda d: d["mean_gap"] + 0.4, n=[30, 20, 10])
    fig = common.escape_labels(common.gap_bars(df, label="label", title="t"))
    axis = fig.layout.yaxis
    # the categories whole (escaped), so the two long names are two bars; the ticks name each of them
    assert list(fig.data[0].y) == [long_a, "Jerusalem Mental Health Center &amp; Annex (B7)", "Geha (גהה)"]
    assert list(axis.tickvals) == list(fig.data[0].y)
    # cut to 27 characters (Jerusalem 9 + space + Mental 6 + space + Health 6 + space + Cen 3) and an
    # ellipsis, the second of two that cut alike marked (2) (it read the same as the first); a short one whole
    assert list(axis.ticktext) == ["Jerusalem Mental Health Cen…", "Jerusalem Mental Health Cen… (2)", "Geha (גהה)"]
    # nothing to cut: the axis left to plotly
    short = common.gap_bars(df.assign(label=["A", "B", "C"]), label="label", title="t")
    assert short.layout.yaxis.tickvals is None


def test_the_reference_line_writes_a_negative_value_with_the_minus_sign():
    # the dot plot's legend read "Network -0.29" beside cards and ticks that write −0.29
    df = pd.DataFrame({"label": ["A", "B"], "value": [-0.5, 0.1], "ci_low": [-0.7, -0.1], "ci_high": [-0.3, 0.3]})
    fig = common.interval_bars(
        df.assign(volume=[40, 50]), label="label", title="t", value_title="Gap", reference=-0.29, dots=True
    )
    assert [t.name for t in fig.data if t.name and t.name.startswith("Network")] == ["Network −0.29"]
    # a name of the caller's own keeps its hyphens: only the number is rewritten
    fig = common.interval_bars(
        df.assign(volume=[40, 50]),
        label="label",
        title="t",
        value_title="Gap",
        reference=-0.29,
        reference_name="Peer-group",
    )
    assert any(t.name == "Peer-group −0.29" for t in fig.data)


def test_a_cut_never_falls_inside_right_to_left_text():
    # "Ma'ale HaCarmel (מעלה הכרמל)" cut to 24 drew "(מעלה ה…" with the ellipsis beside the bracket
    # (the bidi algorithm ends the Hebrew run at the left): the cut goes back to before the bracket.
    assert common.short_labels(["Ma'ale HaCarmel (מעלה הכרמל)"], 24) == ["Ma'ale HaCarmel…"]
    # a cut in left-to-right text stays where it falls (23 characters and the ellipsis)
    assert common.short_labels(["Jerusalem Mental Health Center (המרכז הירושלמי)"], 24) == ["Jerusalem Mental Health…"]
    # a name wholly in Hebrew is cut where it falls
    assert common.short_labels(["המרכז הירושלמי לבריאות הנפש"], 10) == ["המרכז היר…"]  # 5 + 1 + 3 letters


def test_a_cut_does_not_leave_half_a_code_in_brackets():
    # Boston 311 on a phone: "Mayor's 24-hour hotline (IN…" (the code is INFO); to before the bracket
    assert common.short_labels(["Mayor's 24-hour hotline (INFO)"], 28) == ["Mayor's 24-hour hotline…"]
    # a code that fits stays whole, and a bracket early in the name is not worth losing the rest for
    assert common.short_labels(["Public Works (PWDx)"], 28) == ["Public Works (PWDx)"]
    assert common.short_labels(["Hub (Boston City Hall Plaza North)"], 28) == ["Hub (Boston City Hall Plaza…"]


def test_wrapped_labels_break_between_words_on_two_lines_at_most():
    labels = [
        "Incorrect information on your report",  # 36: 'Incorrect information on' (24) + 'your report'
        "Problem with a credit reporting company's investigation into an existing problem",
        "Fees",
        "Fees",
        "<b>bold</b> & more",
    ]
    assert common.wrapped_labels(labels, 26) == [
        "Incorrect information on<br>your report",
        # the first line's words (21 characters: 'reporting' would make 31), the rest cut to 26
        "Problem with a credit<br>reporting company's inves…",
        "Fees",
        "Fees (2)",
        "&lt;b&gt;bold&lt;/b&gt; &amp; more",  # plotly's markup is not the name's
    ]
    assert common.wrapped_labels(["Problem with a credit reporting"], 26, lines=1) == ["Problem with a credit rep…"]
