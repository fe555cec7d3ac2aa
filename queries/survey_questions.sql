-- survey_questions: which overall questions the store's surveys asked at all, so that a card can say
-- "not asked" where the survey had no such question and "no answers" only where the filter has none.
-- Grain: one row.
-- Parameters: none.
-- Columns (each 1 or 0; a probe of one row, not a count):
--   has_nps          any answer to the 0-10 recommendation question (NPS)
--   has_csat         any overall satisfaction on 1-5 (CSAT)
--   has_satisfaction any overall satisfaction, on the survey's own scale or on 1-5 (survey_overall
--                    reads both)
--   has_recommend    any would-recommend answer, on the survey's own scale or NPS's 0-10
-- Kept out of store_contents, which every page reads: only the pages with survey cards need these.
select
    max(case when p.probe = 1 then p.n end) as has_nps,
    max(case when p.probe = 2 then p.n end) as has_csat,
    max(case when p.probe = 3 then p.n end) as has_satisfaction,
    max(case when p.probe = 4 then p.n end) as has_recommend
from (
    select 1 as probe, count(*) as n from (select 1 from survey_responses where nps is not null limit 1) as a
    union all
    select 2, count(*) from (select 1 from survey_responses where overall_satisfaction is not null limit 1) as c
    union all
    select 3, count(*) from (
        select 1 from survey_responses where coalesce(satisfaction_answer, overall_satisfaction) is not null limit 1
    ) as s
    union all
    select 4, count(*) from (select 1 from survey_responses where coalesce(recommend_answer, nps) is not null limit 1) as r
) as p
