-- rollup_response_performance: survey performance per response and component (the view
-- response_component_performance of schema.sql: percent of maximum possible from every rated item)
-- stored in date order, so the performance queries read one row per respondent and component.
-- Grain: response_id x component_key
-- Order: submitted_on, branch_id, component_key
-- Partition: day submitted_on
select * from response_component_performance
