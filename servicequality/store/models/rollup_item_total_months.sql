-- rollup_item_total_months: rollup_item_totals by month.
-- Grain: branch_id x month_start x channel x segment x component_key x n_items
-- Order: month_start, branch_id, channel, segment, component_key, n_items
-- Partition: month month_start
select
    branch_id,
    cast(date_trunc('month', submitted_on) as date) as month_start,
    last_day(submitted_on) as month_end,
    channel, segment, component_key, n_items,
    cast(sum(n) as bigint) as n, cast(sum(sp) as bigint) as sp, cast(sum(spp) as bigint) as spp,
    cast(sum(se) as bigint) as se, cast(sum(see) as bigint) as see,
    cast(sum(sg) as bigint) as sg, cast(sum(sgg) as bigint) as sgg
from rollup_item_totals
group by all
