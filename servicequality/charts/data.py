"""The Data page's chart: what the store holds."""

from __future__ import annotations

import plotly.graph_objects as go


def store_counts_chart(counts):
    """A horizontal bar per table: what the store holds (plotly Figure, no Streamlit)."""
    fig = go.Figure(
        go.Bar(
            x=counts["rows"],
            y=counts["table"].str.replace("_", " ").str.capitalize(),  # "Survey scores", not survey_scores
            orientation="h",
            text=counts["rows"],
            texttemplate="%{text:,}",
            textposition="auto",  # inside the long bars: an outside label would run off a phone
            insidetextanchor="end",
        )
    )
    fig.update_layout(
        title="What the store holds: rows per table",
        xaxis_title="Rows",
        yaxis_title=None,
        yaxis={"autorange": "reversed"},
        height=320,
        margin={"l": 10, "r": 40, "t": 50, "b": 40},
    )
    return fig
