-- recorded_fields: which of a row's optional fields the period's rows record at all, so that the
-- Rows page leaves out a column that would be blank on every page (the CFPB sample records no
-- handling time, Boston 311 no category; the CFPB's "consumer disputed?" (escalated) ends in 2017,
-- so its last year has none) and says so once, instead of 50 dashes a page. Run over the data's
-- whole span, it says what the store's exports record at all.
-- Grain: one row.
-- Parameters: $start, $end (the tickets' opening day, the responses' submission day, the visits' day)
-- Columns (each 1 or 0; a probe of one row, not a count):
--   has_category          any ticket with a category
--   has_component         any ticket whose category maps to a component of good service
--   has_first_response    any ticket with a first response time
--   has_resolution        any ticket with a resolution time
--   has_resolution_target any ticket with a resolution target: its own deadline, or a service target
--                         set for its channel and priority
--   has_reopened          any ticket that records how often it was reopened (0 included)
--   has_escalated         any ticket that records whether it was escalated
--   has_handling_satisfaction  any ticket with a satisfaction score for its handling
--   has_priority_choice   two tickets with different priorities: a store whose tickets all share one
--                         (a mapping's constant where the export records none: the CFPB, Boston 311)
--                         says nothing about any ticket with it
--   has_comment           any survey response with a comment
--   has_visit_channel, has_visit_segment, has_visit_value, has_referred
--                         any visit with a channel, a segment, a value, whether it came on a referral
--   has_ticket_segment, has_response_segment
--                         any ticket, any survey response with a customer segment
--   has_region            any branch with a region (whatever the period)
-- A value a mapping wrote for a field its export lacks ("Not recorded", "Region not recorded":
-- mappings/boston311.toml, skytrax_lounges.toml) is not a recorded value.
-- Like store_contents, the probes are rows of one `union all` turned into columns at the end. Each
-- stops at its first row: a field that is recorded costs one row read; one that is not, a scan of
-- the period's rows (10 M tickets, a year: 16 probes in 8-10 ms, 2026-12-07, before the period).
select
    max(case when p.probe = 1 then p.n end) as has_category,
    max(case when p.probe = 2 then p.n end) as has_component,
    max(case when p.probe = 3 then p.n end) as has_first_response,
    max(case when p.probe = 4 then p.n end) as has_resolution,
    max(case when p.probe = 5 then p.n end) as has_resolution_target,
    max(case when p.probe = 6 then p.n end) as has_reopened,
    max(case when p.probe = 7 then p.n end) as has_escalated,
    max(case when p.probe = 8 then p.n end) as has_handling_satisfaction,
    max(case when p.probe = 9 then p.n end) as has_comment,
    max(case when p.probe = 10 then p.n end) as has_visit_channel,
    max(case when p.probe = 11 then p.n end) as has_visit_segment,
    max(case when p.probe = 12 then p.n end) as has_visit_value,
    max(case when p.probe = 13 then p.n end) as has_referred,
    max(case when p.probe = 14 then p.n end) as has_ticket_segment,
    max(case when p.probe = 15 then p.n end) as has_response_segment,
    max(case when p.probe = 16 then p.n end) as has_region,
    max(case when p.probe = 17 then p.n end) as has_priority_choice
from (
    select 1 as probe, count(*) as n from (
        select 1 from tickets
        where category is not null and cast(opened_at as date) between $start and $end
        limit 1
    ) as c
    union all
    select 2, count(*) from (
        select 1
        from tickets as t
        join complaint_categories as k on k.category = t.category
        where k.component_key is not null and cast(t.opened_at as date) between $start and $end
        limit 1
    ) as k
    union all
    select 3, count(*) from (
        select 1 from tickets
        where first_response_at is not null and cast(opened_at as date) between $start and $end
        limit 1
    ) as f
    union all
    select 4, count(*) from (
        select 1 from tickets
        where resolved_at is not null and cast(opened_at as date) between $start and $end
        limit 1
    ) as r
    union all
    select 5, count(*) from (
        select 1
        from tickets as t
        left join service_targets as s on s.channel = t.channel and s.priority = t.priority
        where (t.resolution_target_at is not null or s.channel is not null)
            and cast(t.opened_at as date) between $start and $end
        limit 1
    ) as g
    union all
    select 6, count(*) from (
        select 1 from tickets
        where reopened_count is not null and cast(opened_at as date) between $start and $end
        limit 1
    ) as o
    union all
    select 7, count(*) from (
        select 1 from tickets
        where escalated is not null and cast(opened_at as date) between $start and $end
        limit 1
    ) as e
    union all
    select 8, count(*) from (
        select 1 from tickets
        where satisfaction is not null and cast(opened_at as date) between $start and $end
        limit 1
    ) as s
    union all
    select 9, count(*) from (
        select 1 from survey_responses
        where comment is not null and cast(submitted_at as date) between $start and $end
        limit 1
    ) as m
    union all
    select 10, count(*) from (
        select 1 from visits where channel is not null and visited_on between $start and $end limit 1
    ) as vc
    union all
    select 11, count(*) from (
        select 1 from visits
        where segment is not null and lower(segment) not like '%not recorded%'
            and visited_on between $start and $end
        limit 1
    ) as vs
    union all
    select 12, count(*) from (
        select 1 from visits where value is not null and visited_on between $start and $end limit 1
    ) as vv
    union all
    select 13, count(*) from (
        select 1 from visits where referred is not null and visited_on between $start and $end limit 1
    ) as vr
    union all
    select 14, count(*) from (
        select 1 from tickets
        where lower(segment) not like '%not recorded%' and cast(opened_at as date) between $start and $end
        limit 1
    ) as ts
    union all
    select 15, count(*) from (
        select 1 from survey_responses
        where lower(segment) not like '%not recorded%' and cast(submitted_at as date) between $start and $end
        limit 1
    ) as rs
    union all
    select 16, count(*) from (
        select 1 from branches where region is not null and lower(region) not like '%not recorded%' limit 1
    ) as br
    union all
    select 17, count(*) from (
        select 1
        from tickets as t
        where cast(t.opened_at as date) between $start and $end
            and t.priority <> (
                select min(f.priority) from (
                    select priority from tickets where cast(opened_at as date) between $start and $end limit 1
                ) as f
            )
        limit 1
    ) as pc
) as p
