"""Shaping query results into what a page shows: one module per page or view.

Each function takes a query runner (the dashboard's cached queries, or a plain connection in the
tests) and filters, runs named queries and applies the statistics from `servicequality.stats`.
"""
