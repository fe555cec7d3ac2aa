-- rollup_respondent_performance: each rated respondent's performance per component, one column per
-- component, their overall performance and answers (the view respondent_performance of schema.sql),
-- stored in date order: the key-driver analysis reads one row per respondent in the period.
-- Grain: response_id
-- Order: submitted_on, branch_id
-- Partition: day submitted_on
select * from respondent_performance
