"""Plotly figure builders: pure functions from tables to figures, no Streamlit, no queries.

`common` holds the palette and the shared layout; one module per page family.
"""
