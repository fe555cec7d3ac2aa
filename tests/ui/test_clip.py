"""Long stored text is cut for the screen, never in the CSV (issue 16, item 6)."""

import pandas as pd

from servicequality.ui import export
from servicequality.ui.widgets import clip_cells


def test_cells_past_the_limit_are_cut_and_the_rest_kept():
    df = pd.DataFrame({"comment": ["short", "z" * 1001, None], "n": [1, 2, 3], "name": ["a", "b", "c"]})
    shown = clip_cells(df)
    # 1,001 characters: 999 and an ellipsis; the others and the numbers unchanged
    assert shown["comment"].tolist()[:2] == ["short", "z" * 999 + "…"]
    assert pd.isna(shown["comment"].iloc[2])
    assert shown["n"].tolist() == [1, 2, 3] and shown["name"].tolist() == ["a", "b", "c"]
    assert df["comment"].iloc[1] == "z" * 1001  # the frame itself (and so its CSV) keeps every character
    assert ("z" * 1001) in export.to_csv(df).decode("utf-8-sig")


def test_nothing_long_returns_the_same_frame():
    df = pd.DataFrame({"a": ["x" * 1000]})
    assert clip_cells(df) is df
