"""Service quality dashboard: store access, filters, statistics and chart builders.

The Streamlit frame (`app.py`) and pages (`pages/`) are layout only; everything they
compute comes from this package and from the SQL files in `queries/`.
"""
