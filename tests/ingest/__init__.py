"""Tests of servicequality/ingest."""

# A tickets mapping several tests import through (dates with a time first, then ISO).
TICKET_MAPPING = """
target = "tickets"
[columns]
ticket_id = "id"
branch_id = "branch"
channel = "channel"
opened_at = "opened"
status = "status"
[constants]
kind = "complaint"
priority = "normal"
segment = "Individual"
[dates]
formats = ["%Y-%m-%d %H:%M"]
[new_branches]
branch_type = "Standard"
size_band = "Medium"
"""
