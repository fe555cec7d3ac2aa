"""What a page says about the data behind it: the previous period it compares with, a trend of one
period, no surveys in the filter or in the store, months the period holds only part of. Each sentence
is worded in metrics.formats (pure, tested there); this room reads the store's bounds and contents
for them and puts them on the page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from servicequality.filters import Filters
from servicequality.metrics import formats
from servicequality.ui.data import data_bounds, query


def compared_with(previous: Filters, detail: str = "") -> str:
    """The caption's words on the previous period a page compares with (metrics.formats.compared_with)."""
    bounds = data_bounds()
    return formats.compared_with(previous.start, previous.end, bounds[0] if bounds else None, detail)


def one_period_info(period, grain: str = "month") -> None:
    """An info box in place of a trend whose filter holds one month or quarter (formats.one_period)."""
    first, last = data_bounds() or (period, period)
    st.info(formats.one_period(pd.Timestamp(period), grain, first, last), icon=":material/timeline:")


def no_surveys(consequence: str) -> str:
    """Why a page shows no survey figures: none in this filter, or none in the store at all (then a
    wider filter would bring none: Boston 311 and the CFPB hold complaints only)."""
    if query("store_contents").iloc[0]["has_responses"]:
        return f"No survey responses in this filter: {consequence}."
    return f"The store holds no survey responses: {consequence}."


def stop_without_surveys(page_words: str) -> None:
    """On a survey page of a store that holds no survey at all: one sentence, and nothing else."""
    if not query("store_contents").iloc[0]["has_responses"]:
        st.info(f"The store holds no survey responses: import a survey on the Data page to see {page_words} here.")
        st.stop()


def partial_months_note(filters: Filters) -> None:
    """A caption under a monthly chart whose first or last month holds only part of its days
    (formats.partial_months, the period cut to the store's dated days)."""
    bounds = data_bounds()
    if bounds and (words := formats.partial_months(filters.start, filters.end, *bounds)):
        st.caption(words)
