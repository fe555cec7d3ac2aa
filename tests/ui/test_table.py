"""ui.table as the page draws it: a missing value's text on screen."""

from streamlit.testing.v1 import AppTest


def _table_app():
    import pandas as pd

    from servicequality.ui import widgets

    # a suppressed Explore cell: no value, no interval, its n
    widgets.table(
        pd.DataFrame({"CSAT": [None, 81.25], "n": [4, 40]}), key="t", download=False, formats={"CSAT": "%.1f%%"}
    )


def test_a_missing_value_shows_as_a_dash_not_none():
    at = AppTest.from_function(_table_app, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    # Streamlit draws a missing value as "None" unless told otherwise (st.dataframe's placeholder)
    assert at.dataframe[0].proto.placeholder == "–"
    assert at.dataframe[0].value["CSAT"].isna().tolist() == [True, False]  # the data itself stays missing
