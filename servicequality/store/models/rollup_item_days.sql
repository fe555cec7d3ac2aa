-- rollup_item_days: Cronbach's alpha's item sums, per item and split by how many items the respondent
-- answered in that component (n_items: the query keeps those with all k items seen in the filter).
-- Grain: branch_id x submitted_on x channel x segment x component_key x item x n_items
-- Order: submitted_on, branch_id, component_key, item
-- Partition: day submitted_on
select
    r.branch_id, cast(r.submitted_at as date) as submitted_on, r.channel, r.segment, sc.component_key, sc.item,
    x.n_items,
    count(*) as n,
    cast(sum(sc.perception) as bigint) as sp,
    cast(sum(sc.perception * sc.perception) as bigint) as spp,
    cast(sum(sc.expectation) as bigint) as se,
    cast(sum(sc.expectation * sc.expectation) as bigint) as see,
    cast(sum(sc.perception - sc.expectation) as bigint) as sg,
    cast(sum((sc.perception - sc.expectation) * (sc.perception - sc.expectation)) as bigint) as sgg
from servqual_scores as sc
join tmp_item_respondents as x on x.response_id = sc.response_id and x.component_key = sc.component_key
join survey_responses as r on r.response_id = sc.response_id
group by r.branch_id, cast(r.submitted_at as date), r.channel, r.segment, sc.component_key, sc.item, x.n_items
