"""`make bench`: times every page's reads at 10 M tickets against the bare scan and pandas."""
