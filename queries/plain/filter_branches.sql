-- filter_branches: the branch list for the sidebar and for labels.
-- Grain: one row per branch.
-- Parameters: none.
-- Columns: branch_id, branch_name, region, city, branch_type, size_band
select branch_id, name as branch_name, region, city, branch_type, size_band
from branches
order by region, branch_id
