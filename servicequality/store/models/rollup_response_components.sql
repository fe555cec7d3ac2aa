-- rollup_response_components: each respondent's scaled means per component (the view
-- response_component_means of store/rollups.py stored in date order).
-- Grain: response_id x component_key
-- Order: submitted_on, branch_id
-- Partition: day submitted_on
select * from response_component_means
