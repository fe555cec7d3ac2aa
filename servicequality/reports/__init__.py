"""The dashboard comes to people who do not open it: snapshot reports (PDF and HTML).

- `snapshot` (pure but for the runner it is given): the period, the scope and the numbers, from
  the same metrics functions the pages call.
- `html`: the report as one self-contained HTML file (charts drawn by plotly.js, vector in print).
- `pdf`: that HTML printed to PDF by headless Chromium, the filters in every page's header.
"""
