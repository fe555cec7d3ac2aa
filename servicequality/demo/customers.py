"""The demo's identified customers: loyalty-card holders whose visits, and whose complaints, carry a
pseudonymous customer key, with one planted effect on whether they come back.

Run after the tickets are in the store (generator.generate). Every customer follows one renewal
process: after a visit they come back with probability RETURN_PROBABILITY, after a gap of
1 + Exponential(MEAN_GAP_DAYS) days, and so on until they stop or the data ends. The one planted
effect: after a complaint, the first return's probability depends on how the complaint was
handled (AFTER_COMPLAINT); every later return is the network's again. Branches and segments do
not change it, so a steady branch's return rate differs from the network's by sampling noise only
(a branch whose handling is slower loses a little through its late complaints, as in life).

With MEAN_GAP_DAYS = 30, a return within 90 days has probability q · (1 − e^(−89/30)) ≈ 0.949 q:
about 71 % for customers who had not complained (q = 0.75) and for complaints resolved within their
target, about 59 % for complaints resolved late (q = 0.62): 12 points less.

Who they are: a quarter of the complaint tickets (IDENTIFIED_SHARE) were filed by a card holder,
each a customer of their own whose first visit on record is the complaint's (visits made up before
it would have to be drawn knowing that a complaint follows, and would bias the customers who had not
complained yet); and card holders who never complained, NON_COMPLAINERS per identified complainer,
spread over the branches in proportion to the customers each serves. The keys are keyed hashes of
made-up card numbers (the way an import hashes a real one): the card numbers themselves are never
stored. Each run draws from its own
`SeedSequence([seed, 3, part])`: the tickets and surveys are the same with or without customers.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from servicequality import domain
from servicequality.ingest.customers import pseudonym

IDENTIFIED_SHARE = 0.25
NON_COMPLAINERS = 1.5
RETURN_PROBABILITY = 0.75
MEAN_GAP_DAYS = 30.0
REFERRED_SHARE = 0.12  # of non-complainers' first visits
# The first return's probability after a complaint, by how it was handled (the planted effect).
AFTER_COMPLAINT = {
    "within_target": 0.75,
    "no_target": 0.75,
    "late": 0.62,
    "open": 0.55,
    "escalated": 0.66,
    "reopened": 0.66,
}
VISIT_CHANNEL_SHARES = (0.62, 0.14, 0.0, 0.04, 0.12, 0.05, 0.03)  # domain.CHANNELS, mostly at the counter
DEMO_KEY = b"demo customer key: not a secret"

# How a complaint was handled, in this order of precedence (the Customers page's groups).
OUTCOME_SQL = """
case
    when t.status = 'open' then 'open'
    when t.escalated then 'escalated'
    when t.reopened_count > 0 then 'reopened'
    when t.resolution_judged_minutes > t.resolution_target then 'late'
    when t.resolution_judged_minutes <= t.resolution_target then 'within_target'
    else 'no_target'
end
"""


def _returns(
    rng: np.random.Generator, first: np.ndarray, q_first: np.ndarray, end: int
) -> tuple[np.ndarray, np.ndarray]:
    """The later visits of customers whose visit on day `first` is followed by a return with
    probability `q_first`, later ones RETURN_PROBABILITY: (customer index, day) of each, days < end."""
    who, days = [], []
    index = np.arange(len(first))
    day = first.astype(np.int64)
    q = q_first
    while len(index):
        back = rng.random(len(index)) < q
        gap = 1 + np.floor(rng.exponential(MEAN_GAP_DAYS, len(index))).astype(np.int64)
        day = day + gap
        keep = back & (day < end)
        index, day = index[keep], day[keep]
        who.append(index)
        days.append(day)
        q = np.full(len(index), RETURN_PROBABILITY)
    return np.concatenate(who), np.concatenate(days)


def generate(con: duckdb.DuckDBPyConnection, *, seed: int, start: np.datetime64, end: np.datetime64) -> None:
    """Add the identified customers' visits and their complaints' customer keys to a demo store
    whose tickets and customers served are in place. Days count from `start`; `end` is exclusive."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3, 0]))
    horizon = int((end - start).astype(np.int64))
    complaints = con.execute(
        f"""
        select t.ticket_id, t.branch_id, t.segment, date_diff('day', $start, t.opened_on) as day,
               {OUTCOME_SQL} as outcome
        from ticket_facts as t
        where t.kind = 'complaint'
        order by t.ticket_id
        """,
        {"start": pd.Timestamp(start).date()},
    ).df()
    complaints = complaints[rng.random(len(complaints)) < IDENTIFIED_SHARE].reset_index(drop=True)
    served = con.execute(
        "select branch_id, sum(customers) as customers from customers_served group by branch_id order by branch_id"
    ).df()
    n_other = int(round(NON_COMPLAINERS * len(complaints)))
    weights = served["customers"].to_numpy(dtype=float)
    others = pd.DataFrame(
        {
            "branch_id": served["branch_id"].to_numpy()[rng.choice(len(served), n_other, p=weights / weights.sum())],
            "segment": np.array(domain.SEGMENTS)[rng.choice(len(domain.SEGMENTS), n_other, p=[0.62, 0.18, 0.14, 0.06])],
            "day": rng.integers(0, horizon, n_other),
        }
    )

    n_c = len(complaints)
    branch = np.concatenate(
        [complaints["branch_id"].to_numpy(dtype=object), others["branch_id"].to_numpy(dtype=object)]
    )
    segment = np.concatenate([complaints["segment"].to_numpy(dtype=object), others["segment"].to_numpy(dtype=object)])
    anchor = np.concatenate([complaints["day"].to_numpy(dtype=np.int64), others["day"].to_numpy(dtype=np.int64)])
    q_first = np.concatenate(
        [complaints["outcome"].map(AFTER_COMPLAINT).to_numpy(dtype=float), np.full(n_other, RETURN_PROBABILITY)]
    )
    later_who, later_day = _returns(rng, anchor, q_first, horizon)
    who = np.concatenate([np.arange(n_c + n_other), later_who])
    day = np.concatenate([anchor, later_day])
    first_of_other = np.zeros(len(who), dtype=bool)
    first_of_other[n_c : n_c + n_other] = True
    channel = rng.choice(len(domain.CHANNELS), len(who), p=VISIT_CHANNEL_SHARES)
    value = np.round(rng.lognormal(np.log(40.0), 0.8, len(who)), 2)
    keys = np.array([pseudonym(f"CARD{seed:02d}-{i:08d}", DEMO_KEY) for i in range(n_c + n_other)], dtype=object)
    visits = pd.DataFrame(
        {
            "customer_key": keys[who],
            "branch_id": branch[who],
            "visited_on": (start + day.astype("timedelta64[D]")).astype("datetime64[s]"),
            "channel": np.array(domain.CHANNELS, dtype=object)[channel],
            "segment": segment[who],
            "value": value,
            "referred": np.where(first_of_other, rng.random(len(who)) < REFERRED_SHARE, False),
        }
    ).sort_values(["visited_on", "customer_key"], kind="stable")
    con.register("demo_visits", visits)
    con.execute(
        "insert into visits select customer_key, branch_id, visited_on::date, channel, segment, value, referred "
        "from demo_visits"
    )
    con.register("demo_links", pd.DataFrame({"ticket_id": complaints["ticket_id"], "customer_key": keys[:n_c]}))
    con.execute("insert into ticket_customers select ticket_id, customer_key from demo_links")
    con.unregister("demo_visits")
    con.unregister("demo_links")
