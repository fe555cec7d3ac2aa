"""The Data page's chart of what the store holds."""

import pandas as pd

from servicequality.charts import data


def test_an_empty_table_reads_none_not_zero():
    # a survey store: no tickets, no customers served (the review read "Tickets 0" as a count)
    counts = pd.DataFrame({"table": ["tickets", "survey_responses", "customers_served"], "rows": [0, 2264, 0]})
    bar = data.store_counts_chart(counts).data[0]
    assert list(bar.text) == ["none", "2,264", "none"]
    assert list(bar.y) == ["Tickets", "Survey responses", "Customers served"]
