"""Deterministic demo data: a fictional branch network with planted, documented differences.

The demo database is what the dashboard shows before a customer imports anything, and what the
tests use to prove that the statistics find what is there. So the generator plants known
effects (recorded per branch in `demo_branch_profiles`) and keeps everything else homogeneous:

* steady branches share exactly one complaint rate, one response-time distribution and one
  survey model; they differ only by binomial/Poisson sampling noise, so a 99.8% funnel plot
  flags none of them except by rare chance;
* 'high_complaints' / 'low_complaints' branches have their complaint rate multiplied
  (x2.5 / about x0.35); the low factor is solved from the realised volumes so that the two
  pairs cancel and the pooled network rate equals the steady branches' rate (otherwise the
  funnel's centre line would move and large steady branches would fall outside the limits);
* 'survey_weak' branches have lower perceptions on every component and slower handling;
* 'improving' / 'declining' branches follow linear trends centred on their own
  customer-weighted mean date, so over the full three years they average out to the network;
* 'small' branches are new kiosks with fewer than 25 survey responses (minimum-n handling).

Regional effects exist only where they cannot bias a branch comparison: customer volumes,
request rates and survey participation.

Everything is vectorised with numpy and inserted per calendar month (bounded memory, the same
code path for every scale). Each month draws from its own `SeedSequence([seed, stream, month])`,
so the output depends on the seed alone, never on chunking, dict order or the clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy.special import ndtr

from servicequality import domain, store
from servicequality.demo import customers

START = np.datetime64("2023-01-01", "D")
END = np.datetime64("2026-01-01", "D")  # exclusive: three full years 2023-2025
AS_OF_S = int(END.astype("datetime64[s]").astype(np.int64))  # extract time: unresolved then = open
DAY_S = 86_400
N_MONTHS = int((END.astype("datetime64[M]") - START.astype("datetime64[M]")).astype(np.int64))


@dataclass(frozen=True)
class Scale:
    """Size of a generated network. `volume` multiplies customers per day for big scales so
    that rates per customer stay plausible when the ticket count grows."""

    name: str
    branches: int
    tickets: int
    responses: int
    volume: float


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 16, 20_000, 2_000, 1.0),  # for fast double builds in tests
    "default": Scale("default", 48, 400_000, 40_000, 1.0),
    "medium": Scale("medium", 120, 1_000_000, 200_000, 1.0),  # a reduced 'bench' run
    "bench": Scale("bench", 120, 10_000_000, 2_000_000, 10.0),
}

PROFILES = ("steady", "high_complaints", "low_complaints", "survey_weak", "improving", "declining", "small")

# --- network layout -------------------------------------------------------------------------

REGIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("North", ("Aldermoor", "Kettleby", "Highcross")),
    ("South", ("Southwick", "Fernhill", "Marlow Bay")),
    ("East", ("Eastbrook", "Ashford Vale", "Linton")),
    ("West", ("Redcliff", "Stonebridge", "Westerly")),
    ("Central", ("Middleton", "Kingsgate", "Elmstead")),
    ("Coastal", ("Porthaven", "Saltmere", "Seabourne")),
)
# fmt: off
SITES: tuple[str, ...] = (
    "Harbourside", "Riverside Plaza", "Market Square", "Old Town", "Station Road", "High Street",
    "Castle Gate", "Mill Lane", "Westfield Centre", "Cathedral Close", "University Campus",
    "Airport Terminal", "Retail Park", "Queens Parade", "Victoria Arcade", "Canal Wharf",
    "Park Avenue", "Bridge Street", "Northern Quarter", "Docklands", "Garden Court",
    "Merchants Row", "Chapel Street", "Abbey Walk", "Civic Centre", "Hospital Road",
    "Lakeside", "Orchard Way", "Corn Exchange", "Guildhall", "Kings Cross", "Beacon Hill",
    "Meadowbank", "Foundry Yard", "Tower Point", "Museum Quarter", "Exchange Street",
    "Waterfront", "Hillside", "Crescent Road", "Broadway", "St Mary's Square",
    "Mariners Walk", "Parkgate", "Town Hall", "Clocktower", "Greenway", "Pier Head",
)
# fmt: on
# Regional effects: only on what cannot bias a between-branch comparison of rates or gaps.
REGION_VOLUME = (0.95, 1.05, 1.0, 0.97, 1.08, 0.95)
REGION_REQUESTS = (0.92, 1.06, 1.0, 0.95, 1.1, 0.97)
REGION_SURVEY_PARTICIPATION = (1.1, 0.9, 1.0, 1.05, 0.95, 1.0)
SIZE_BASE_PER_DAY = {"Small": (45.0, 90.0), "Medium": (150.0, 300.0), "Large": (420.0, 650.0)}

# Planted effects.
HIGH_COMPLAINT_FACTOR = 2.5
LOW_COMPLAINT_TARGET = 0.35  # achieved by sizing the high branches, then solved exactly
TREND_COMPLAINT_SLOPE = 1.0  # improving: about 1.5x -> 0.5x over the three years
TREND_GAP_SLOPE = 1.0  # improving: perception about -0.5 -> +0.5
TREND_SPEED_SLOPE = 0.8  # improving: log response time about +0.4 -> -0.4
WEAK_PERCEPTION_SHIFT = -0.6
WEAK_SPEED_FACTOR = 1.8
SMALL_EXPECTED_RESPONSES = 12
SMALL_MAX_RESPONSES = 24
HIGH_FOCUS_CATEGORIES = (("Access", "Delivery"), ("Attitude", "Etiquette"))

# --- tickets --------------------------------------------------------------------------------

KIND_SHARES = (0.60, 0.32, 0.08)  # complaint, request, compliment
CHANNELS = domain.CHANNELS
CHANNEL_SHARES = (0.34, 0.28, 0.015, 0.13, 0.10, 0.08, 0.055)
# Digital channels grow and fax fades over the three years (log-odds change start -> end).
CHANNEL_TREND = (-0.3, -0.1, -0.8, 0.0, 0.3, 0.8, 0.5)
SEGMENTS = domain.SEGMENTS
SEGMENT_SHARES = (0.62, 0.18, 0.14, 0.06)  # the same mix everywhere: segment effects are real
PRIORITIES = domain.PRIORITIES
PRIORITY_SHARES = {  # per kind
    0: (0.20, 0.55, 0.20, 0.05),
    1: (0.35, 0.55, 0.09, 0.01),
    2: (0.70, 0.30, 0.0, 0.0),
}
SAFETY_PRIORITY_SHARES = (0.0, 0.2, 0.5, 0.3)
CATEGORY_WEIGHTS: dict[str, float] = {  # Pareto-like: a few categories dominate
    "Service quality": 22,
    "Access": 17,
    "Delivery": 13,
    "Information": 12,
    "Attitude": 9,
    "Transaction": 7,
    "Function": 5,
    "Quality": 4,
    "Capability": 4,
    "Etiquette": 3,
    "Premises": 2,
    "Culture": 1.2,
    "Safety": 0.8,
}
CATEGORIES = tuple(c.category for c in domain.COMPLAINT_CATEGORIES)
STATUSES = ("open", "resolved", "closed")
FIRST_RESPONSE_MEDIAN = 0.45  # of target; with sigma 0.8 about 84% are within target
FIRST_RESPONSE_SIGMA = 0.8
RESOLUTION_MEDIAN = 0.40  # with sigma 0.85 about 86% are within target
RESOLUTION_SIGMA = 0.85
AUTO_CLOSE_DAYS = 7


def _hour_profile(weights: dict[int, float]) -> np.ndarray:
    p = np.zeros(24)
    for hour, w in weights.items():
        p[hour] = w
    return p / p.sum()


_BRANCH_HOURS = _hour_profile({9: 8, 10: 12, 11: 13, 12: 12, 13: 11, 14: 11, 15: 10, 16: 9, 17: 7})
_OFFICE_HOURS = _hour_profile({8: 6, 9: 10, 10: 12, 11: 12, 12: 9, 13: 10, 14: 11, 15: 10, 16: 9, 17: 7, 18: 4, 19: 3})
# fmt: off
_ONLINE_HOURS = _hour_profile(
    {0: 1.5, 1: 1, 2: 0.6, 3: 0.4, 4: 0.4, 5: 0.6, 6: 1.5, 7: 3, 8: 5, 9: 6, 10: 6.5, 11: 6.5,
     12: 6.5, 13: 6, 14: 6, 15: 6, 16: 5.5, 17: 5.5, 18: 6, 19: 7, 20: 7.5, 21: 6.5, 22: 4.5, 23: 2.5}
)
# fmt: on
_CHAT_HOURS = _hour_profile({h: 1 + (h >= 9) * 3 + (h in (12, 13, 19, 20)) * 2 for h in range(8, 22)})
CHANNEL_HOURS = np.stack(
    [_BRANCH_HOURS, _OFFICE_HOURS, _OFFICE_HOURS, _ONLINE_HOURS, _ONLINE_HOURS, _CHAT_HOURS, _ONLINE_HOURS]
)
SURVEY_HOURS = _hour_profile({h: 2 + 3 * (18 <= h <= 21) + (12 <= h <= 13) for h in range(8, 23)})

# --- survey ---------------------------------------------------------------------------------

COMPONENT_KEYS = tuple(c.key for c in domain.COMPONENTS)
# fmt: off
ITEM_PREFIX = {
    "security": "SEC", "credibility": "CRE", "communication": "COM", "understanding": "UND",
    "access": "ACC", "courtesy": "COU", "competence": "CPT", "responsiveness": "RES",
    "reliability": "REL", "tangibles": "TAN",
}
# fmt: on
ITEMS_PER_COMPONENT = {"tangibles": 4, "reliability": 3}  # the rest have 2
ITEM_CODES: tuple[str, ...] = tuple(
    f"{ITEM_PREFIX[k]}{i + 1}" for k in COMPONENT_KEYS for i in range(ITEMS_PER_COMPONENT.get(k, 2))
)
ITEM_COMPONENT = np.array(
    [j for j, k in enumerate(COMPONENT_KEYS) for _ in range(ITEMS_PER_COMPONENT.get(k, 2))], dtype=np.int8
)
# Network gap targets P - E (spec): clear shortfalls, near-zero, and two exceeded.
# fmt: off
GAP_TARGET = {
    "security": 0.2, "credibility": 0.0, "communication": -0.6, "understanding": -0.3,
    "access": -0.5, "courtesy": -0.1, "competence": 0.05, "responsiveness": -1.0,
    "reliability": -0.8, "tangibles": 0.3,
}
# fmt: on
# fmt: off
EXPECTATION_LATENT = {
    "security": 6.1, "credibility": 5.9, "communication": 5.7, "understanding": 5.4,
    "access": 5.6, "courtesy": 5.8, "competence": 5.9, "responsiveness": 6.0,
    "reliability": 6.3, "tangibles": 5.0,
}
# fmt: on
# Latent structure: a respondent halo (sd 0.5), a respondent x component latent shared by the
# component's items, and item noise. Large shared / small item variance -> alpha 0.8-0.9;
# 'understanding' is the deliberately weak scale (alpha well below 0.7).
RESPONDENT_SD = 0.5
SHARED_SD = {k: 0.75 for k in COMPONENT_KEYS} | {"tangibles": 0.6, "reliability": 0.7, "understanding": 0.15}
ITEM_SD = {k: 0.5 for k in COMPONENT_KEYS} | {"tangibles": 0.6, "reliability": 0.55, "understanding": 1.1}
SEGMENT_EXPECTATION = (0.0, 0.3, 0.1, 0.25)
SEGMENT_PERCEPTION = (0.0, 0.15, 0.0, -0.05)
# fmt: off
IMPORTANCE_WEIGHTS = {
    "security": 0.10, "credibility": 0.09, "communication": 0.09, "understanding": 0.08,
    "access": 0.09, "courtesy": 0.09, "competence": 0.10, "responsiveness": 0.14,
    "reliability": 0.16, "tangibles": 0.06,
}
# fmt: on
IMPORTANCE_SHARE = 0.70
IMPORTANCE_CONCENTRATION = 20.0
SURVEY_CHANNEL_SHARES = (0.45, 0.22, 0.005, 0.12, 0.12, 0.06, 0.025)
NPS_MISSING = 0.05
COMMENTS: dict[str, tuple[str, ...]] = {
    "negative": (
        "Waited far too long.",
        "Nobody called me back.",
        "Staff seemed uninterested.",
        "Got different answers from different people.",
        "The phone line is always busy.",
        "Had to explain my problem three times.",
        "Promised a reply that never came.",
    ),
    "neutral": (
        "OK overall.",
        "Fine, but the queue was long.",
        "The website could be clearer.",
        "Took a while but got there.",
        "Nothing special.",
    ),
    "positive": (
        "Friendly staff, quick service.",
        "Sorted in one visit.",
        "Always a pleasure.",
        "Clear explanation, thank you.",
        "Great help from the branch team.",
        "Called back as promised.",
    ),
}
COMMENT_TEXTS: tuple[str, ...] = COMMENTS["negative"] + COMMENTS["neutral"] + COMMENTS["positive"]


# --- generation -----------------------------------------------------------------------------


@dataclass
class _Network:
    """Everything decided once for the whole period: branches and per branch-day counts."""

    branches: pd.DataFrame  # one row per branch, index = branch position
    profile: np.ndarray  # profile name per branch
    bd_branch: np.ndarray  # branch-day rows (open days only)
    bd_day: np.ndarray  # day index from START
    bd_customers: np.ndarray
    bd_complaints: np.ndarray
    bd_requests: np.ndarray
    bd_compliments: np.ndarray
    bd_responses: np.ndarray
    bd_speed_first: np.ndarray  # first-response delay factor (planted slowness / trends)
    bd_speed_res: np.ndarray  # resolution delay factor
    bd_shift: np.ndarray  # perception shift (planted weakness / trends)
    focus: dict[int, tuple[int, int]]  # high-complaint branch -> its two dominant category codes
    high_share: float  # share of a high branch's complaints that are 'excess'


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def _days() -> np.ndarray:
    return np.arange(START, END)


def _layout(rng: np.random.Generator, scale: Scale) -> tuple[pd.DataFrame, np.ndarray]:
    """Branches, regions, sizes and planted profiles (positions chosen by the rng)."""
    n = scale.branches
    per_region = [n // len(REGIONS) + (r < n % len(REGIONS)) for r in range(len(REGIONS))]
    region = np.repeat(np.arange(len(REGIONS)), per_region)
    profile = np.full(n, "steady", dtype=object)
    size = np.empty(n, dtype=object)

    # Three new kiosks in three different regions.
    small_regions = rng.choice(len(REGIONS), size=3, replace=False)
    small = np.array([rng.choice(np.flatnonzero(region == r)) for r in np.sort(small_regions)])
    profile[small] = "small"
    size[small] = "Small"
    rest = np.flatnonzero(profile == "steady")
    n_large = max(4, round(0.22 * len(rest)))
    n_medium = max(6, round(0.45 * len(rest)))
    sizes = np.array(["Large"] * n_large + ["Medium"] * n_medium + ["Small"] * (len(rest) - n_large - n_medium))
    size[rest] = rng.permutation(sizes)

    def pick(k: int, pool_sizes: tuple[str, ...], name: str) -> None:
        pool = np.flatnonzero((profile == "steady") & np.isin(size, pool_sizes))
        profile[rng.choice(pool, size=k, replace=False)] = name

    pick(2, ("Large",), "low_complaints")
    pick(2, ("Medium",), "high_complaints")
    # Small branches: a clear outlier on their own survey volume, yet too few responses to pull
    # the pooled network gap (and so the funnel's centre line) away from the steady branches.
    pick(2, ("Small",), "survey_weak")
    pick(1, ("Medium", "Large"), "improving")
    pick(1, ("Medium", "Large"), "declining")

    u = rng.random(n)
    branch_type = np.where(
        size == "Large",
        np.where(u < 0.6, "Flagship", "Standard"),
        np.where(size == "Medium", np.where(u < 0.85, "Standard", "Express"), np.where(u < 0.7, "Express", "Standard")),
    )
    branch_type[profile == "small"] = "Express"

    lo = np.array([SIZE_BASE_PER_DAY[s][0] for s in size])
    hi = np.array([SIZE_BASE_PER_DAY[s][1] for s in size])
    base = (lo + rng.random(n) * (hi - lo)) * np.array(REGION_VOLUME)[region] * scale.volume
    small_mask = profile == "small"
    base[small_mask] = 35 + 10 * rng.random(small_mask.sum())
    # Size the high branches so that x2.5 there and about x0.35 at the low branches cancel out.
    low_mean = base[profile == "low_complaints"].mean()
    high_idx = np.flatnonzero(profile == "high_complaints")
    high_base = low_mean * (1 - LOW_COMPLAINT_TARGET) / (HIGH_COMPLAINT_FACTOR - 1)
    base[high_idx] = high_base * (1 + 0.04 * rng.standard_normal(len(high_idx)))

    opened = START - 365 * 2 - rng.integers(0, 365 * 33, size=n)
    opened[small_mask] = np.datetime64("2025-07-01") + rng.integers(0, 100, size=small_mask.sum())
    if n >= 40:  # one ordinary branch that opened during the period
        newcomer = rng.choice(np.flatnonzero((profile == "steady") & (size != "Large")))
        opened[newcomer] = np.datetime64("2024-03-01") + rng.integers(0, 120)

    city = np.empty(n, dtype=object)
    for r, (_, cities) in enumerate(REGIONS):
        members = np.flatnonzero(region == r)
        city[members] = [cities[i % len(cities)] for i in range(len(members))]
    site_order = rng.permutation(len(SITES))
    names: list[str] = []
    for i in range(n):
        site = SITES[site_order[i % len(SITES)]]
        name = site if i < len(SITES) else f"{city[i]} {site}"
        while name in names:
            name += " II"
        names.append(name)

    branches = pd.DataFrame(
        {
            "branch_id": [f"B{i + 1:03d}" for i in range(n)],
            "name": names,
            "region": [REGIONS[r][0] for r in region],
            "city": city.astype(str),
            "branch_type": branch_type.astype(str),
            "size_band": size.astype(str),
            "opened_on": opened.astype("datetime64[s]"),
        }
    )
    branches["_region"] = region
    branches["_base"] = base
    return branches, profile.astype(str)


def _customers(rng: np.random.Generator, branches: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Customers served per open branch-day: weekday pattern, December peak, summer dip, growth."""
    days = _days()
    nd = len(days)
    day_num = days.astype(np.int64)
    weekday = (day_num + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    doy = (days - days.astype("datetime64[Y]")).astype(np.int64)
    month_day = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    holiday = (month == 12) & ((month_day == 25) | (month_day == 26))  # closed
    weekday_factor = np.array([1.0, 0.95, 0.95, 1.0, 1.12, 1.15, 0.5])[weekday]
    weekday_factor[(month == 1) & (month_day == 1)] = 0.5  # New Year's Day: Sunday hours
    season = 1 + 0.22 * np.exp(-(((doy - 352) / 14.0) ** 2)) - 0.12 * np.exp(-(((doy - 205) / 28.0) ** 2))
    growth = 1 + 0.025 * np.arange(nd) / 365.0
    day_factor = weekday_factor * season * growth

    opened_idx = ((branches["opened_on"].to_numpy().astype("datetime64[D]") - START).astype(np.int64)).clip(0)
    express = branches["branch_type"].to_numpy() == "Express"
    b_grid, d_grid = np.meshgrid(np.arange(len(branches)), np.arange(nd), indexing="ij")
    open_mask = (d_grid >= opened_idx[:, None]) & ~holiday[None, :] & ~(express[:, None] & (weekday[None, :] == 6))
    bd_branch = b_grid[open_mask].astype(np.int32)
    bd_day = d_grid[open_mask].astype(np.int32)
    mu = branches["_base"].to_numpy()[bd_branch] * day_factor[bd_day] * rng.lognormal(0.0, 0.07, size=len(bd_branch))
    return bd_branch, bd_day, rng.poisson(mu).astype(np.int64)


def _balancing_offset(
    log_speed: np.ndarray, weight: np.ndarray, free: np.ndarray, median: float, sigma: float
) -> float:
    """The offset x added to the log delay factor of the `free` rows that makes the weighted
    expected within-target share of the weighted rows equal that of a branch with factor 1.

    The share is Phi((-ln median - log factor) / sigma), concave near the target, so symmetric
    log trends alone would not average out; and slow branches need a fast counterweight."""
    base = ndtr(-math.log(median) / sigma)

    def excess(x: float) -> float:
        p = ndtr((-math.log(median) - (log_speed + x * free)) / sigma)
        return float((weight * (p - base)).sum())

    lo, hi = -4.0, 4.0  # excess decreases in x
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


def _network(seed: int, scale: Scale) -> _Network:
    """Layout, customers and every per branch-day count, from one rng stream. Counts are
    drawn here (not per month) so that the planted rates can be solved over the whole period."""
    rng = _rng(seed, 0)
    branches, profile = _layout(rng, scale)
    bd_branch, bd_day, customers = _customers(rng, branches)
    nb = len(branches)
    nd = len(_days())
    t = bd_day / (nd - 1)  # 0 at 2023-01-01, 1 at 2025-12-31
    bprof = profile[bd_branch]

    # Customer-weighted mean date per branch: trends are centred on it so they average out.
    cust_per_branch = np.bincount(bd_branch, weights=customers, minlength=nb)
    tbar = np.bincount(bd_branch, weights=customers * t, minlength=nb) / np.maximum(cust_per_branch, 1)
    tc = t - tbar[bd_branch]
    trend_sign = np.where(bprof == "improving", -1.0, np.where(bprof == "declining", 1.0, 0.0))

    high_c = cust_per_branch[profile == "high_complaints"].sum()
    low_c = cust_per_branch[profile == "low_complaints"].sum()
    low_factor = 1 - (HIGH_COMPLAINT_FACTOR - 1) * high_c / low_c
    mult = np.ones(len(bd_branch))
    mult[bprof == "high_complaints"] = HIGH_COMPLAINT_FACTOR
    mult[bprof == "low_complaints"] = low_factor
    mult += trend_sign * TREND_COMPLAINT_SLOPE * tc

    total = customers.sum()
    region = branches["_region"].to_numpy()[bd_branch]
    req_factor = np.array(REGION_REQUESTS)[region]
    p_complaint = KIND_SHARES[0] * scale.tickets / total
    p_request = KIND_SHARES[1] * scale.tickets / (customers * req_factor).sum()
    p_compliment = KIND_SHARES[2] * scale.tickets / total
    complaints = rng.binomial(customers, np.clip(p_complaint * mult, 0, 1))
    requests = rng.binomial(customers, min(1.0, p_request) * req_factor)
    compliments = rng.binomial(customers, p_compliment)

    # Survey responses: Poisson per branch-day; new kiosks get a handful in all.
    small = bprof == "small"
    participation = np.array(REGION_SURVEY_PARTICIPATION)[region]
    n_small = int((profile == "small").sum())
    rate = (scale.responses - n_small * SMALL_EXPECTED_RESPONSES) / (customers * participation)[~small].sum()
    responses = rng.poisson(customers * participation * rate * ~small)
    for b in np.flatnonzero(profile == "small"):
        rows = np.flatnonzero(bd_branch == b)
        k = min(int(rng.poisson(SMALL_EXPECTED_RESPONSES)), SMALL_MAX_RESPONSES)
        responses[rows] = rng.multinomial(k, customers[rows] / customers[rows].sum())

    # Handling speed (log factor on the delays): trends that average out per branch, slow
    # survey_weak branches, and fast low-complaint branches solved so that the pooled
    # within-target shares equal the steady branches' (a funnel centred on the network then
    # leaves steady branches alone).
    tickets = (complaints + requests + compliments).astype(float)
    low = bprof == "low_complaints"
    logs = []
    for median, sigma in ((FIRST_RESPONSE_MEDIAN, FIRST_RESPONSE_SIGMA), (RESOLUTION_MEDIAN, RESOLUTION_SIGMA)):
        log_speed = trend_sign * TREND_SPEED_SLOPE * tc
        for b in np.flatnonzero(np.isin(profile, ("improving", "declining"))):
            mine = bd_branch == b
            log_speed[mine] += _balancing_offset(log_speed, tickets * mine, mine, median, sigma)
        log_speed[bprof == "survey_weak"] = math.log(WEAK_SPEED_FACTOR)
        log_speed[low] = _balancing_offset(log_speed, tickets, low, median, sigma)
        logs.append(log_speed)
    log_first, log_res = logs
    shift = -trend_sign * TREND_GAP_SLOPE * tc
    shift[bprof == "survey_weak"] = WEAK_PERCEPTION_SHIFT

    cat_code = {c: i + 1 for i, c in enumerate(CATEGORIES)}
    focus = {
        int(b): (cat_code[a], cat_code[c])
        for b, (a, c) in zip(np.flatnonzero(profile == "high_complaints"), HIGH_FOCUS_CATEGORIES, strict=False)
    }
    net = _Network(
        branches=branches,
        profile=profile,
        bd_branch=bd_branch,
        bd_day=bd_day,
        bd_customers=customers,
        bd_complaints=complaints,
        bd_requests=requests,
        bd_compliments=compliments,
        bd_responses=responses,
        bd_speed_first=np.exp(log_first),
        bd_speed_res=np.exp(log_res),
        bd_shift=shift,
        focus=focus,
        high_share=(HIGH_COMPLAINT_FACTOR - 1) / HIGH_COMPLAINT_FACTOR,
    )
    net.branches["_low_factor"] = low_factor
    net.branches["_low_speed_first"] = math.exp(log_first[low][0]) if low.any() else 1.0
    net.branches["_low_speed_res"] = math.exp(log_res[low][0]) if low.any() else 1.0
    return net


def _seconds_of_day(rng: np.random.Generator, profiles: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Seconds after midnight, hour drawn from profiles[which] (one CDF row per group)."""
    cdf = np.cumsum(profiles, axis=1)
    cdf[:, -1] = 1.0
    u = rng.random(len(which))
    hour = np.empty(len(which), dtype=np.int64)
    for g in np.unique(which):
        m = which == g
        hour[m] = np.searchsorted(cdf[g], u[m], side="right")
    return hour * 3600 + rng.integers(0, 3600, size=len(which))


def _choice(rng: np.random.Generator, shares: tuple[float, ...] | np.ndarray, n: int) -> np.ndarray:
    p = np.asarray(shares, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int8)


def _targets() -> tuple[np.ndarray, np.ndarray]:
    """Target minutes indexed [channel, priority], from the same defaults the store is seeded with."""
    first = np.zeros((len(CHANNELS), len(PRIORITIES)))
    resolve = np.zeros_like(first)
    for channel, priority, f, r in domain.service_targets():
        first[CHANNELS.index(channel), PRIORITIES.index(priority)] = f
        resolve[CHANNELS.index(channel), PRIORITIES.index(priority)] = r
    return first, resolve


def _tickets_month(net: _Network, rng: np.random.Generator, month: int, sel: np.ndarray, first_id: int) -> pd.DataFrame:
    """One row per ticket opened on the branch-days `sel` (one calendar month), ids ascending in
    opening time from `first_id`. Codes are small integers, turned into labels in SQL."""
    counts = (net.bd_complaints[sel], net.bd_requests[sel], net.bd_compliments[sel])
    bd = np.concatenate([np.repeat(sel, c) for c in counts])
    kind = np.concatenate([np.full(c.sum(), k, dtype=np.int8) for k, c in enumerate(counts)])
    n = len(bd)
    branch = net.bd_branch[bd]
    day = net.bd_day[bd].astype(np.int64)

    # Channel mix drifts towards digital over the three years (same for every branch).
    t_month = month / (N_MONTHS - 1)
    channel = _choice(rng, np.array(CHANNEL_SHARES) * np.exp(np.array(CHANNEL_TREND) * (t_month - 0.5)), n)

    category = np.zeros(n, dtype=np.int8)
    is_c = kind == 0
    weights = np.array([CATEGORY_WEIGHTS[c] for c in CATEGORIES])
    category[is_c] = _choice(rng, weights, int(is_c.sum())) + 1
    u = rng.random(n)
    for b, (a, c) in net.focus.items():  # the excess complaints of a high branch have a theme
        m = is_c & (branch == b) & (u < net.high_share)
        category[m] = np.where(rng.random(int(m.sum())) < 0.6, a, c)

    priority = np.zeros(n, dtype=np.int8)
    for k, shares in PRIORITY_SHARES.items():
        m = kind == k
        priority[m] = _choice(rng, shares, int(m.sum()))
    safety = category == CATEGORIES.index("Safety") + 1
    priority[safety] = _choice(rng, SAFETY_PRIORITY_SHARES, int(safety.sum()))
    segment = _choice(rng, SEGMENT_SHARES, n)

    start_s = START.astype("datetime64[s]").astype(np.int64) + day * DAY_S
    opened = start_s + _seconds_of_day(rng, CHANNEL_HOURS, channel)

    first_target, resolve_target = _targets()
    first_noise = rng.lognormal(math.log(FIRST_RESPONSE_MEDIAN), FIRST_RESPONSE_SIGMA, n)
    res_noise = rng.lognormal(math.log(RESOLUTION_MEDIAN), RESOLUTION_SIGMA, n)
    first_min = first_target[channel, priority] * net.bd_speed_first[bd] * first_noise
    res_min = resolve_target[channel, priority] * net.bd_speed_res[bd] * res_noise
    late = res_min > resolve_target[channel, priority]
    first_s = np.maximum(np.rint(first_min * 60), 0).astype(np.int64)
    res_s = np.maximum(np.rint(res_min * 60).astype(np.int64), first_s)

    # Still open at extract time: naturally (resolution after the cut-off) or in a backlog that
    # is mostly recent (p decays with age) plus a thin stale tail.
    age_days = (AS_OF_S - opened) / DAY_S
    backlog = rng.random(n) < 0.85 * np.exp(-age_days / 30.0) + 0.004
    is_open = backlog | (opened + res_s >= AS_OF_S)
    no_first = (opened + first_s >= AS_OF_S) | (backlog & (rng.random(n) < 0.35))

    first_at = np.where(no_first, np.iinfo(np.int64).min, opened + first_s)
    resolved_at = np.where(is_open, np.iinfo(np.int64).min, opened + res_s)
    closed = ~is_open & (opened + res_s + AUTO_CLOSE_DAYS * DAY_S <= AS_OF_S) & (rng.random(n) > 0.02)
    status = np.where(is_open, 0, np.where(closed, 2, 1)).astype(np.int8)

    reopened = np.where(rng.random(n) < 0.05 + 0.06 * late, 1, 0) + (rng.random(n) < 0.01)
    escalated = rng.random(n) < 0.015 + 0.04 * (kind == 0) + 0.10 * (priority == 3) + 0.06 * late
    sat_latent = 4.1 - 1.1 * late - 0.5 * (kind == 0) + 0.5 * (kind == 2) - 0.4 * reopened + rng.normal(0, 0.9, n)
    rated = ~is_open & (rng.random(n) < 0.40)
    satisfaction = np.where(rated, np.clip(np.rint(sat_latent), 1, 5), 0).astype(np.int8)

    order = np.argsort(opened, kind="stable")
    df = pd.DataFrame(
        {
            "tid": np.arange(first_id, first_id + n, dtype=np.int64),
            "branch": branch[order],
            "channel": channel[order],
            "kind": kind[order],
            "category": category[order],
            "priority": priority[order],
            "opened_at": opened[order].astype("datetime64[s]").astype("datetime64[us]"),
            "first_response_at": first_at[order].astype("datetime64[s]").astype("datetime64[us]"),
            "resolved_at": resolved_at[order].astype("datetime64[s]").astype("datetime64[us]"),
            "status": status[order],
            "reopened_count": reopened[order].astype(np.int32),
            "escalated": escalated[order],
            "satisfaction": satisfaction[order],
            "segment": segment[order],
        }
    )
    return df


def _rounded_mean(mu: float, sd: float) -> float:
    """E[clip(round(X), 1, 7)] for X ~ N(mu, sd): the realised mean of a 7-point answer."""
    cuts = [-math.inf, *[k + 0.5 for k in range(1, 7)], math.inf]
    cdf = [0.5 * (1 + math.erf((c - mu) / (sd * math.sqrt(2)))) if math.isfinite(c) else float(c > 0) for c in cuts]
    return sum((k + 1) * (cdf[k + 1] - cdf[k]) for k in range(7))


def _perception_latents() -> np.ndarray:
    """Latent perception means solved so the network P - E gaps land on GAP_TARGET despite the
    rounding and clipping to 1..7 (which pull extreme means towards the middle)."""
    seg_w = np.array(SEGMENT_SHARES) / sum(SEGMENT_SHARES)
    out = np.zeros(len(COMPONENT_KEYS))
    for j, key in enumerate(COMPONENT_KEYS):
        sd = math.sqrt(RESPONDENT_SD**2 + SHARED_SD[key] ** 2 + ITEM_SD[key] ** 2)

        def realised(mu: float, shifts: tuple[float, ...], sd: float = sd) -> float:
            return sum(w * _rounded_mean(mu + s, sd) for w, s in zip(seg_w, shifts, strict=True))

        want = realised(EXPECTATION_LATENT[key], SEGMENT_EXPECTATION) + GAP_TARGET[key]
        lo, hi = -2.0, 10.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if realised(mid, SEGMENT_PERCEPTION) < want else (lo, mid)
        out[j] = (lo + hi) / 2
    return out


def _survey_month(
    net: _Network, rng: np.random.Generator, sel: np.ndarray, first_id: int, mu_p: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Responses, item scores and importance points for the branch-days `sel` (one month)."""
    bd = np.repeat(sel, net.bd_responses[sel])
    n = len(bd)
    day = net.bd_day[bd].astype(np.int64)
    submitted = START.astype("datetime64[s]").astype(np.int64) + day * DAY_S
    submitted += _seconds_of_day(rng, SURVEY_HOURS[None, :], np.zeros(n, dtype=np.int8))
    order = np.argsort(submitted, kind="stable")
    bd, submitted = bd[order], submitted[order]
    rid = np.arange(first_id, first_id + n, dtype=np.int64)
    channel = _choice(rng, SURVEY_CHANNEL_SHARES, n)
    segment = _choice(rng, SEGMENT_SHARES, n)

    ci = ITEM_COMPONENT.astype(np.int64)
    n_items = len(ci)
    mu_e = np.array([EXPECTATION_LATENT[k] for k in COMPONENT_KEYS])
    shared_sd = np.array([SHARED_SD[k] for k in COMPONENT_KEYS])
    item_sd = np.array([ITEM_SD[k] for k in COMPONENT_KEYS])[ci]
    ncomp = len(COMPONENT_KEYS)

    p_lat = (
        mu_p[ci][None, :]
        + (np.array(SEGMENT_PERCEPTION)[segment] + net.bd_shift[bd] + rng.normal(0, RESPONDENT_SD, n))[:, None]
        + (rng.standard_normal((n, ncomp)) * shared_sd)[:, ci]
        + rng.standard_normal((n, n_items)) * item_sd
    )
    e_lat = (
        mu_e[ci][None, :]
        + (np.array(SEGMENT_EXPECTATION)[segment] + rng.normal(0, RESPONDENT_SD, n))[:, None]
        + (rng.standard_normal((n, ncomp)) * shared_sd)[:, ci]
        + rng.standard_normal((n, n_items)) * item_sd
    )
    tolerance = 0.8 + rng.exponential(0.7, n)  # width of the zone of tolerance per respondent
    a_lat = e_lat - tolerance[:, None] - rng.normal(0, 0.4, (n, n_items))
    perception = np.clip(np.rint(p_lat), 1, 7).astype(np.int8)
    expectation = np.clip(np.rint(e_lat), 1, 7).astype(np.int8)
    adequate = np.minimum(np.clip(np.rint(a_lat), 1, 7), np.maximum(expectation - 1, 1)).astype(np.int8)

    gap = (perception.astype(float) - expectation).mean(axis=1)
    nps = np.clip(np.rint(8.0 + 1.6 * gap + rng.normal(0, 1.5, n)), 0, 10).astype(np.int8)
    nps_code = np.where(rng.random(n) < NPS_MISSING, 0, nps + 1).astype(np.int8)  # 0 = not answered
    overall = np.clip(np.rint(4.0 + 0.8 * gap + rng.normal(0, 0.7, n)), 1, 5).astype(np.int8)
    mood = np.where(nps <= 6, 0, np.where(nps <= 8, 1, 2))
    pools = [COMMENTS["negative"], COMMENTS["neutral"], COMMENTS["positive"]]
    offsets = np.cumsum([0] + [len(p) for p in pools])[:-1]
    sizes = np.array([len(p) for p in pools])
    pick = offsets[mood] + (rng.random(n) * sizes[mood]).astype(np.int64) + 1
    has_comment = rng.random(n) < np.where(mood == 0, 0.45, 0.25)
    comment = np.where(has_comment, pick, 0).astype(np.int16)

    responses = pd.DataFrame(
        {
            "rid": rid,
            "branch": net.bd_branch[bd],
            "submitted_at": submitted.astype("datetime64[s]").astype("datetime64[us]"),
            "channel": channel,
            "segment": segment,
            "nps": nps_code,
            "overall": overall,
            "comment": comment,
        }
    )
    scores = pd.DataFrame(
        {
            "rid": np.repeat(rid, n_items),
            "item": np.tile(np.arange(n_items, dtype=np.int8), n),
            "expectation": expectation.ravel(),
            "perception": perception.ravel(),
            "adequate": adequate.ravel(),
        }
    )

    # About 70% allocate 100 points; integer points by largest remainder so each sums to 100.
    who = np.flatnonzero(rng.random(n) < IMPORTANCE_SHARE)
    alpha = IMPORTANCE_CONCENTRATION * np.array([IMPORTANCE_WEIGHTS[k] for k in COMPONENT_KEYS])
    raw = 100 * rng.dirichlet(alpha, size=len(who))
    points = np.floor(raw)
    short = (100 - points.sum(axis=1)).astype(np.int64)
    rank = np.empty_like(points, dtype=np.int64)
    rank[np.arange(len(who))[:, None], np.argsort(-(raw - points), axis=1, kind="stable")] = np.arange(ncomp)
    points += rank < short[:, None]
    importance = pd.DataFrame(
        {
            "rid": np.repeat(rid[who], ncomp),
            "comp": np.tile(np.arange(ncomp, dtype=np.int8), len(who)),
            "points": points.ravel(),
        }
    )
    return responses, scores, importance


def _profile_notes(net: _Network) -> pd.DataFrame:
    b = net.branches
    low_factor = float(b["_low_factor"].iloc[0])
    focus_names = {k: (CATEGORIES[a - 1], CATEGORIES[c - 1]) for k, (a, c) in net.focus.items()}
    notes = []
    for i, prof in enumerate(net.profile):
        if prof == "high_complaints":
            a, c = focus_names[i]
            note = f"Complaint rate x{HIGH_COMPLAINT_FACTOR:g} of the network; the excess is mostly {a} and {c}."
        elif prof == "low_complaints":
            note = (
                f"Complaint rate x{low_factor:.2f} of the network and faster handling (delays "
                f"x{float(b['_low_speed_first'].iloc[0]):.2f} to first response, "
                f"x{float(b['_low_speed_res'].iloc[0]):.2f} to resolution). Both factors are solved "
                "so that the planted branches cancel: the pooled network complaint rate and "
                "within-target shares equal the steady branches'."
            )
        elif prof == "survey_weak":
            note = (
                f"Perception {WEAK_PERCEPTION_SHIFT:+g} on every component; responses and resolutions "
                f"x{WEAK_SPEED_FACTOR:g} slower (so lower NPS and ticket satisfaction). Complaint "
                "rate as the network."
            )
        elif prof == "improving":
            note = (
                "Linear trends 2023 -> 2025 centred on the branch's mean date: complaint rate about "
                "x1.5 -> x0.5, perception about -0.5 -> +0.5, response times slower -> faster. "
                "Over the full three years it averages to the network."
            )
        elif prof == "declining":
            note = (
                "Linear trends 2023 -> 2025 centred on the branch's mean date: complaint rate about "
                "x0.5 -> x1.5, perception about +0.5 -> -0.5, response times faster -> slower. "
                "Over the full three years it averages to the network."
            )
        elif prof == "small":
            note = (
                f"New express kiosk opened {str(b['opened_on'].iloc[i])[:10]}; fewer than 25 survey "
                "responses in total. Rates as the network."
            )
        else:
            note = "Network rates and survey model; differences are sampling noise only."
        notes.append(note)
    return pd.DataFrame({"branch_id": b["branch_id"], "profile": net.profile, "note": notes})


def generate(con: duckdb.DuckDBPyConnection, *, seed: int = 7, scale: str = "default") -> None:
    """Fill an empty store (schema and reference data already present) with the demo network."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    store.seed_default_targets(con)  # the demo's chain has set these targets
    net = _network(seed, SCALES[scale])
    lists = {
        "branch_ids": net.branches["branch_id"].tolist(),
        "channels": list(CHANNELS),
        "segments": list(SEGMENTS),
    }

    branches = net.branches[["branch_id", "name", "region", "city", "branch_type", "size_band", "opened_on"]]
    con.register("demo_df", branches)
    con.execute(
        "insert into branches select branch_id, name, region, city, branch_type, size_band, opened_on::date "
        "from demo_df"
    )
    con.execute(
        "create table demo_branch_profiles (branch_id varchar primary key references branches (branch_id), "
        "profile varchar not null, note varchar)"
    )
    con.register("demo_df", _profile_notes(net))
    con.execute("insert into demo_branch_profiles by name select * from demo_df")

    served = pd.DataFrame(
        {
            "branch": net.bd_branch,
            "served_on": (START + net.bd_day.astype("timedelta64[D]")).astype("datetime64[s]"),
            "customers": net.bd_customers,
        }
    )
    con.register("demo_df", served)
    con.execute(
        "insert into customers_served select ($branch_ids)[branch + 1], served_on::date, customers "
        "from demo_df order by branch, served_on",
        {"branch_ids": lists["branch_ids"]},
    )

    mu_p = _perception_latents()
    months = (START + net.bd_day.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64)
    months -= START.astype("datetime64[M]").astype(np.int64)
    next_ticket, next_response = 1, 1
    for month in range(int(months.max()) + 1):
        sel = np.flatnonzero(months == month)
        tickets = _tickets_month(net, _rng(seed, 1, month), month, sel, next_ticket)
        next_ticket += len(tickets)
        con.register("demo_df", tickets)
        con.execute(
            """
            insert into tickets
            select 'T' || lpad(tid::varchar, 8, '0'), ($branch_ids)[branch + 1], ($channels)[channel + 1],
                   ($kinds)[kind + 1], ($categories)[nullif(category, 0)], ($priorities)[priority + 1],
                   opened_at, first_response_at, resolved_at, ($statuses)[status + 1],
                   reopened_count, escalated, nullif(satisfaction, 0), ($segments)[segment + 1],
                   null  -- resolution_target_at: the demo's targets are its channels' and priorities'
            from demo_df
            """,
            lists
            | {
                "kinds": list(domain.TICKET_KINDS),
                "categories": list(CATEGORIES),
                "priorities": list(PRIORITIES),
                "statuses": list(STATUSES),
            },
        )
        responses, scores, importance = _survey_month(net, _rng(seed, 2, month), sel, next_response, mu_p)
        next_response += len(responses)
        con.register("demo_df", responses)
        con.execute(
            """
            insert into survey_responses
                (response_id, branch_id, submitted_at, channel, segment, nps, overall_satisfaction, comment)
            select 'R' || lpad(rid::varchar, 7, '0'), ($branch_ids)[branch + 1], submitted_at,
                   ($channels)[channel + 1], ($segments)[segment + 1], nullif(nps, 0) - 1, overall,
                   ($comments)[nullif(comment, 0)]
            from demo_df
            """,
            lists | {"comments": list(COMMENT_TEXTS)},
        )
        con.register("demo_df", scores)
        con.execute(
            """
            insert into survey_scores (response_id, component_key, item, expectation, perception, adequate)
            select 'R' || lpad(rid::varchar, 7, '0'), ($item_components)[item + 1], ($items)[item + 1],
                   expectation, perception, adequate
            from demo_df
            """,
            {"items": list(ITEM_CODES), "item_components": [COMPONENT_KEYS[c] for c in ITEM_COMPONENT]},
        )
        con.register("demo_df", importance)
        con.execute(
            "insert into survey_importance select 'R' || lpad(rid::varchar, 7, '0'), ($components)[comp + 1], "
            "points from demo_df",
            {"components": list(COMPONENT_KEYS)},
        )
    con.unregister("demo_df")
    customers.generate(con, seed=seed, start=START, end=END)


def build(path: Path | str, *, seed: int = 7, scale: str = "default") -> Path:
    """Build the demo database at `path` atomically (the old file stays until the rename)."""
    return store.build_atomically(path, lambda con: generate(con, seed=seed, scale=scale))
