-- rollup_weighted_component_months: rollup_weighted_component_days by month (a year's weighted
-- score read 2.6 M day rows in the 10 M benchmark store; the months hold an eighth as many rows).
-- Grain: branch_id x month_start x channel x segment x component_key
-- Order: month_start, branch_id, component_key
-- Partition: month month_start
select
    cast(date_trunc('month', d.submitted_on) as date) as month_start,
    last_day(d.submitted_on) as month_end,
    d.branch_id, d.channel, d.segment, d.component_key,
    sum(d.sum_share) as sum_share,
    sum(d.sum_share_gap) as sum_share_gap
from rollup_weighted_component_days as d
group by cast(date_trunc('month', d.submitted_on) as date), last_day(d.submitted_on), d.branch_id, d.channel,
    d.segment, d.component_key
