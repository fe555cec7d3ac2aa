-- rollup_component_months: rollup_component_days by month (month_end = the month's last day, so a
-- month lies in a period when month_start >= $start and month_end <= $end).
-- Grain: branch_id x month_start x channel x segment x component_key
-- Order: month_start, branch_id, component_key
-- Partition: month month_start
select
    branch_id,
    cast(date_trunc('month', submitted_on) as date) as month_start,
    last_day(submitted_on) as month_end,
    channel,
    segment,
    component_key,
    cast(sum(n) as bigint) as n,
    sum(sum_p) as sum_p,
    sum(sum_pp) as sum_pp,
    sum(sum_e) as sum_e,
    sum(sum_g) as sum_g,
    sum(sum_gg) as sum_gg,
    cast(sum(n_a) as bigint) as n_a,
    sum(sum_a) as sum_a,
    sum(sum_p_a) as sum_p_a,
    sum(sum_e_a) as sum_e_a,
    sum(sum_msa) as sum_msa,
    sum(sum_msa2) as sum_msa2,
    sum(sum_mss) as sum_mss,
    sum(sum_mss2) as sum_mss2
from rollup_component_days
group by all
