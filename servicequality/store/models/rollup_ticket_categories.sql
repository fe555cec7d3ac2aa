-- rollup_ticket_categories: complaints per branch, day and category.
-- Grain: branch_id x opened_on x category
-- Order: opened_on, branch_id, category
-- Partition: day opened_on
select t.branch_id, cast(t.opened_at as date) as opened_on, t.category, count(*) as complaints
from tickets as t
where t.kind = 'complaint'
group by t.branch_id, cast(t.opened_at as date), t.category
