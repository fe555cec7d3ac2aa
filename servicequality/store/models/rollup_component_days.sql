-- rollup_component_days: the SERVQUAL sums per component, of the respondents' scaled component means
-- (p and its square, e, gap = p - e, adequate a, the paired p and e of the items with an adequate
-- level), and the zone of tolerance's measures of service adequacy (msa = pa - a) and superiority
-- (mss = pa - ea).
-- Grain: branch_id x submitted_on x channel x segment x component_key
-- Order: submitted_on, branch_id, component_key
-- Partition: day submitted_on
select
    branch_id,
    submitted_on,
    channel,
    segment,
    component_key,
    count(*) as n,
    sum(p) as sum_p,
    sum(p * p) as sum_pp,
    sum(e) as sum_e,
    sum(p - e) as sum_g,
    sum((p - e) * (p - e)) as sum_gg,
    count(a) as n_a,
    sum(a) as sum_a,
    sum(pa) as sum_p_a,
    sum(ea) as sum_e_a,
    sum(pa - a) as sum_msa,
    sum((pa - a) * (pa - a)) as sum_msa2,
    sum(pa - ea) as sum_mss,
    sum((pa - ea) * (pa - ea)) as sum_mss2
from rollup_response_components
group by branch_id, submitted_on, channel, segment, component_key
