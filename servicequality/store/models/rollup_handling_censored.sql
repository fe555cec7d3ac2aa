-- rollup_handling_censored: complaints still open, censored at their age (Kaplan-Meier): one row per
-- open complaint and time measure (1, 2, 5, 6: the minutes, not the targets), with the series its
-- handled twins are in (rollup_handling_buckets). A series that has no handled value at all has no
-- percentile.
-- Grain: series x complaint
-- Order: series, age
with open_ages as (
    select cast(1 as smallint) as measure, c.*, c.first_response_open_minutes as age
    from tmp_complaints as c where c.first_response_open_minutes is not null
    union all
    select cast(2 as smallint), c.*, c.resolution_open_minutes
    from tmp_complaints as c where c.resolution_open_minutes is not null
    union all
    select cast(5 as smallint), c.*, c.first_response_open_minutes
    from tmp_complaints as c where c.first_response_open_minutes is not null
    union all
    select cast(6 as smallint), c.*, c.resolution_open_minutes
    from tmp_complaints as c where c.resolution_open_minutes is not null
)
select
    s.series, o.measure, o.opened_on, o.branch_id, o.region, o.branch_type,
    o.channel, o.segment, o.category, o.component_key, o.age
from open_ages as o
join (select distinct series, measure, channel, priority from rollup_handling_buckets) as s
    on s.measure = o.measure
    and (s.channel is null or (s.channel = o.channel and s.priority = o.priority))
