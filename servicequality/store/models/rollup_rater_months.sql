-- rollup_rater_months: rollup_rater_days by month (a year's RATER gaps read 1.6 M day rows in the
-- 10 M benchmark store; the months hold a tenth as many rows). The sums are exact integers, as the days'.
-- Grain: branch_id x month_start x channel x segment x rater_group
-- Order: month_start, branch_id, rater_group
-- Partition: month month_start
select
    cast(date_trunc('month', d.submitted_on) as date) as month_start,
    last_day(d.submitted_on) as month_end,
    d.branch_id, d.channel, d.segment, d.rater_group,
    sum(d.n) as n,
    sum(d.sum_p) as sum_p,
    sum(d.sum_e) as sum_e,
    sum(d.sum_g) as sum_g,
    sum(d.sum_gg) as sum_gg
from rollup_rater_days as d
group by cast(date_trunc('month', d.submitted_on) as date), last_day(d.submitted_on), d.branch_id, d.channel,
    d.segment, d.rater_group
