"""The Data page's chart: what the store holds."""

from __future__ import annotations

import plotly.graph_objects as go

# Tables whose name, read as words, would not say what they hold ("Survey item missing": the
# answers to rating items that are not ratings, schema.sql).
TABLE_WORDS = {
    "survey_item_missing": "Survey answers not rated (n/a, don't know, blank)",
    # the taxonomy every store is seeded with (store/snapshot.py SEEDED), not categories of the data's
    # complaints: "Complaint categories 13" read as 13 in a survey store
    "complaint_categories": "Complaint categories (reference list)",
}


ROW_PX = 30  # two lines of 11 px tick text and the space between rows


def table_words(table: str) -> str:
    """'Survey scores' for survey_scores; TABLE_WORDS where the name alone would mislead."""
    return TABLE_WORDS.get(table, table.replace("_", " ").capitalize())


def store_counts_chart(counts):
    """A horizontal bar per table: what the store holds (plotly Figure, no Streamlit)."""
    words = counts["table"].map(table_words)
    fig = go.Figure(
        go.Bar(
            x=counts["rows"],
            y=words,
            orientation="h",
            # "none" for an empty table: a survey store's "Tickets 0" read as a count of zero tickets
            # recorded, where the store holds no tickets at all
            text=[f"{int(r):,}" if r else "none" for r in counts["rows"]],
            texttemplate="%{text}",
            textposition="outside",
            cliponaxis=False,
        )
    )
    # Room for the label beside the longest bar, on a phone too (inside labels hid the small counts).
    fig.update_xaxes(range=[0, max(float(counts["rows"].max()), 1.0) * 1.35])
    # A label with a parenthesis breaks before it, so that on a phone it does not squeeze the bars
    # to a sliver (the tick text, not the category: ui.widgets escapes a category's '<br>').
    fig.update_yaxes(tickvals=list(words), ticktext=[w.replace(" (", "<br>(") for w in words])
    fig.update_layout(
        title="What the store holds: rows per table",
        xaxis_title="Rows",
        yaxis_title=None,
        yaxis={"autorange": "reversed"},
        # a row per table with room for a two-line label (at 320 px for 11 tables, 20 px a row, the
        # broken label touched its neighbours)
        height=90 + ROW_PX * len(counts),
        margin={"l": 10, "r": 40, "t": 50, "b": 40},
    )
    return fig
