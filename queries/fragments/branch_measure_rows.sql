-- Fragment: branch_measure_rows (the final select of the consistency queries, see store.runner
-- "-- Include:"). Needs the CTE `report_rows` (one row per {keys}, with any label columns) and the
-- CTEs served, complaints, satisfaction and gaps (their sums by {keys}); gives every row with its
-- measures: a count with no rows is 0, a mean with no respondents null.
select
    k.*,
    coalesce(served.customers, 0) as customers_served,
    coalesce(complaints.complaints, 0) as complaints,
    coalesce(complaints.compliments, 0) as compliments,
    coalesce(complaints.compliments, 0) + coalesce(complaints.complaints, 0) as feedback_n,
    coalesce(complaints.targeted_resolution_n, 0) as targeted_resolution_n,
    coalesce(complaints.resolution_within_target, 0) as resolution_within_target,
    coalesce(satisfaction.csat_n, 0) as csat_n,
    coalesce(satisfaction.csat_satisfied, 0) as csat_satisfied,
    coalesce(gaps.gap_n, 0) as gap_n,
    gaps.mean_gap,
    gaps.sd_gap
from report_rows as k
left join served using ({keys})
left join complaints using ({keys})
left join satisfaction using ({keys})
left join gaps using ({keys})
order by {keys}
