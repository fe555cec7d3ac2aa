-- rollup_complaint_open: the view open_complaints (schema.sql) stored in closing order, so a backlog
-- date reads only its row groups.
-- Grain: complaint
-- Order: closes_at nulls last, opened_at
-- Partition: day cast(opened_at as date)
select * from open_complaints
