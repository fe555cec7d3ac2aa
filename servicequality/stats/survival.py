"""Time-to-event statistics: the Kaplan-Meier estimate from counts per time.

Pure: numbers in, numbers out. Tested against a hand-worked example and scipy.stats.ecdf on
censored data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def kaplan_meier(times: Sequence[float], events: Sequence[float], censored: Sequence[float]) -> pd.DataFrame:
    """The Kaplan-Meier estimate of the survival function S(t) from counts per distinct time.

    At each time t_j with d_j events and c_j censored observations, n_j = the number still at risk
    just before t_j (everyone whose time is t_j or later); S(t) = prod over t_j <= t of (1 − d_j / n_j).
    An observation censored at t_j counts as at risk at t_j (events come first at a tie), as usual.
    Source: Kaplan & Meier (1958), JASA 53:457-481; Collett, "Modelling Survival Data in Medical
    Research" (3rd ed.), §2.1.2.

    `times`, `events` and `censored` are parallel: one entry per time (repeats are added up).
    Returns one row per time with an event or a censoring, ascending: time, at_risk, events,
    censored, survival (S just after the time). Empty input gives an empty frame.
    """
    frame = pd.DataFrame(
        {
            "time": np.asarray(times, dtype=float),
            "events": np.asarray(events, dtype=float),
            "censored": np.asarray(censored, dtype=float),
        }
    )
    if np.any(frame[["events", "censored"]].to_numpy() < 0):
        raise ValueError("Counts of events and censored observations cannot be negative.")
    frame = frame.groupby("time", as_index=False)[["events", "censored"]].sum().sort_values("time")
    frame = frame[(frame["events"] + frame["censored"]) > 0].reset_index(drop=True)
    total = frame["events"] + frame["censored"]
    # at risk just before t_j: everyone whose time is t_j or later
    frame["at_risk"] = total[::-1].cumsum()[::-1].to_numpy()
    frame["survival"] = np.cumprod(1.0 - frame["events"] / frame["at_risk"])
    return frame[["time", "at_risk", "events", "censored", "survival"]]


def survival_at(curve: pd.DataFrame, t: float) -> float:
    """S(t) from a kaplan_meier curve: 1 before the first time, the last step's value after."""
    before = curve[curve["time"] <= t]
    return float(before["survival"].iloc[-1]) if len(before) else 1.0


def median_time(curve: pd.DataFrame) -> float:
    """The smallest time at which S(t) <= 0.5 (Collett §2.4); NaN when the curve never gets there."""
    reached = curve[curve["survival"] <= 0.5]
    return float(reached["time"].iloc[0]) if len(reached) else float("nan")
