-- rollup_component_network_months: rollup_component_months summed over the branches, read for the
-- whole months when no branch, region or branch type is selected (store/facts.py, Rollup.network):
-- a year of component scores read about 200,000 branch rows in the 10 M benchmark store.
-- Grain: month_start x channel x segment x component_key
-- Order: month_start, channel, segment, component_key
-- Partition: month month_start
select
    month_start, month_end, channel, segment, component_key,
    cast(sum(n) as bigint) as n,
    sum(sum_p) as sum_p,
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
from rollup_component_months
group by all
