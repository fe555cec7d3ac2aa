-- rollup_item_totals: Cronbach's alpha's respondent totals (a respondent's item sums in a component).
-- Grain: branch_id x submitted_on x channel x segment x component_key x n_items
-- Order: submitted_on, branch_id, component_key
-- Partition: day submitted_on
select
    r.branch_id, cast(r.submitted_at as date) as submitted_on, r.channel, r.segment, x.component_key, x.n_items,
    count(*) as n,
    cast(sum(x.p) as bigint) as sp, cast(sum(x.p * x.p) as bigint) as spp,
    cast(sum(x.e) as bigint) as se, cast(sum(x.e * x.e) as bigint) as see,
    cast(sum(x.g) as bigint) as sg, cast(sum(x.g * x.g) as bigint) as sgg
from tmp_item_respondents as x
join survey_responses as r on r.response_id = x.response_id
group by r.branch_id, cast(r.submitted_at as date), r.channel, r.segment, x.component_key, x.n_items
