-- rollup_complaint_category_months: complaints per branch, month and category.
-- Grain: branch_id x month_start x category
-- Order: month_start, branch_id, category
-- Partition: month month_start
select
    t.branch_id,
    cast(date_trunc('month', t.opened_at) as date) as month_start,
    last_day(cast(t.opened_at as date)) as month_end,
    t.category,
    count(*) as complaints
from tickets as t
where t.kind = 'complaint'
group by all
