-- alert_backlog: per branch, the complaints still open at the end of $end that were opened at
-- least $older_than_days days before it (the backlog alert rule, servicequality/reports/alerts.py).
-- "Open at the end" as in handling_backlog: opened before the end of day $end and not resolved by
-- then (resolved later, or never).
-- Grain: one row per branch with at least one such complaint.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $older_than_days
-- Columns: branch_id, open_complaints, oldest_opened_at
-- Oracle: rollup_complaint_open -> open_complaints
select
    o.branch_id,
    count(*) as open_complaints,
    min(o.opened_at) as oldest_opened_at
from rollup_complaint_open as o
where (o.closes_at is null or o.closes_at >= cast($end as timestamp) + interval 1 day)
    and o.opened_at <= cast($end as timestamp) + interval 1 day - to_days(cast($older_than_days as integer))
    -- Selected on o: regions, branch_types, branches, channels, segments, categories, components
group by o.branch_id
order by o.branch_id
