-- rollup_item_network_months: rollup_item_months summed over the branches, read for the whole months
-- when no branch, region or branch type is selected (store/facts.py, Rollup.network): a year of
-- Cronbach's alpha read 749,000 branch rows in the 10 M benchmark store.
-- Grain: month_start x channel x segment x component_key x item x n_items
-- Order: month_start, channel, segment, component_key, item, n_items
-- Partition: month month_start
select
    month_start, month_end, channel, segment, component_key, item, n_items,
    cast(sum(n) as bigint) as n, cast(sum(sp) as bigint) as sp, cast(sum(spp) as bigint) as spp,
    cast(sum(se) as bigint) as se, cast(sum(see) as bigint) as see,
    cast(sum(sg) as bigint) as sg, cast(sum(sgg) as bigint) as sgg
from rollup_item_months
group by all
