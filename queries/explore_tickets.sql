-- explore_tickets: complaints and their handling per cell of one or two chosen dimensions, for
-- the Explore page (count, first response and resolution times, share resolved within target,
-- and the numerator of the complaint rate). The dimensions are bound values matched by `case`,
-- never SQL text: an unknown dimension gives a null key (one cell).
-- Oracle: rollup_complaint_handling -> complaint_facts
-- Grain: one row per (key1, key2) with complaints in the filter.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories,
--   $components, $dim1, $dim2 (dimension keys: branch, region, branch_type, channel, category,
--   family, component, segment, month, weekday; or null)
-- Columns:
--   key1, key2   the cell: the value of $dim1 and $dim2 (null when that dimension is null or does
--                not apply). branch -> branch_id, component -> component_key, month -> 'YYYY-MM',
--                weekday -> '1'..'7' (Monday = 1), others -> the value itself
--   complaints                    complaints opened in the period
--   responded_n                   of those, with a first response
--   median_first_response_minutes median minutes to first response (Kaplan-Meier, below)
--   first_response_n              the median's sample: complaints with a first response, or still
--                                 awaiting one (censored at their age)
--   resolved_n                    complaints with a resolution time
--   median_resolution_minutes     median minutes to resolution (Kaplan-Meier)
--   resolution_n                  the median's sample: resolved, or still open (censored)
--   targeted_resolution_n         complaints with a resolution target judged against it: resolved, or
--                                 still open past it (late); the share's denominator
--   resolution_within_target      of those, resolved within their target
--   still_open_n                  complaints still open
--
-- Reads the complaints with their handling times (rollup_complaint_handling, in date order: a period
-- reads only its row groups), whose columns answer every dimension and selection. The plain form
-- reads the complaints of ticket_facts (the view complaint_facts) instead.
--
-- Kaplan-Meier medians per cell (Kaplan & Meier 1958): a complaint still open is censored at its
-- age at the data's as-of time. S(t) = prod over handled times t_i <= t of (1 - d_i / n_i), d_i
-- handled at t_i, n_i at risk (time >= t_i, the censored at t_i included); the median is the
-- smallest handled time with S <= 1/2. A series is one cell's first response or resolution times.
with cells as (
    select
        -- Cell keys on h by opened_on: branch, region, branch_type, channel, category, family, component, segment, month, weekday
        h.first_response_minutes,
        h.resolution_minutes,
        h.resolution_target,
        h.first_response_open_minutes,
        h.resolution_open_minutes,
        h.resolution_judged_minutes
    from rollup_complaint_handling as h
    where h.opened_on between $start and $end
        -- Selected on h: regions, branch_types, branches, channels, segments, categories, components
),

-- The cells, each numbered (`cell`; its series 2 cell - 1 for first response, 2 cell for resolution),
-- with their counts.
cell_counts as materialized (
    select
        key1,
        key2,
        row_number() over (order by key1, key2) as cell,
        count(*) as complaints,
        count(first_response_minutes) as responded_n,
        count(first_response_minutes) + count(first_response_open_minutes) as first_total,
        count(resolution_minutes) as resolved_n,
        count(resolution_minutes) + count(resolution_open_minutes) as resolution_total,
        count(case when resolution_target is not null then resolution_judged_minutes end) as targeted_resolution_n,
        sum(case when resolution_judged_minutes <= resolution_target then 1 else 0 end) as resolution_within_target,
        count(resolution_open_minutes) as still_open_n
    from cells
    group by key1, key2
),

-- Only the times up to a bound can be the median. Counting the open complaints as never handled,
-- F(t) >= (handled <= t) / N: Kaplan-Meier hands each censored case's share to the times after it
-- (Efron's redistribution to the right), so a handled one never weighs less than 1 / N. Once
-- ceil(N / 2) are handled, S <= 1/2: the median is at most that handled time. Its bound here: the
-- largest handled time in the first part that brings the handled count to ceil(N / 2), the times cut
-- into parts by a rising function of the time (about 9 % of the time each). The times above it stay
-- at risk (`above`) but are not sorted. No bound when fewer than half are handled.
part_counts as (
    select
        key1, key2, 1 as measure,
        floor(log2(greatest(coalesce(first_response_minutes, first_response_open_minutes), 0) + 1) * 8) as part,
        count(first_response_minutes) as handled_n,
        max(first_response_minutes) as handled_max
    from cells
    where coalesce(first_response_minutes, first_response_open_minutes) is not null
    group by all
    union all
    select
        key1, key2, 2,
        floor(log2(greatest(coalesce(resolution_minutes, resolution_open_minutes), 0) + 1) * 8),
        count(resolution_minutes),
        max(resolution_minutes)
    from cells
    where coalesce(resolution_minutes, resolution_open_minutes) is not null
    group by all
),

bounds as (
    select series, arg_min(handled_max, part) as bound
    from (
        select
            2 * t.cell - 2 + p.measure as series,
            p.part,
            p.handled_max,
            case p.measure when 1 then t.first_total else t.resolution_total end as total,
            sum(p.handled_n) over (
                partition by t.cell, p.measure order by p.part rows between unbounded preceding and current row
            ) as handled_upto
        from part_counts as p
        join cell_counts as t on t.key1 is not distinct from p.key1 and t.key2 is not distinct from p.key2
    ) as parts
    where handled_upto >= ceil(total / 2)
    group by series
),

-- Each complaint's two times (handled, or censored at its age), up to their series' bound.
observations as (
    select 2 * t.cell - 1 as series, c.first_response_minutes is not null as handled,
        coalesce(c.first_response_minutes, c.first_response_open_minutes) as t
    from cells as c
    join cell_counts as t on t.key1 is not distinct from c.key1 and t.key2 is not distinct from c.key2
    union all
    select 2 * t.cell, c.resolution_minutes is not null, coalesce(c.resolution_minutes, c.resolution_open_minutes)
    from cells as c
    join cell_counts as t on t.key1 is not distinct from c.key1 and t.key2 is not distinct from c.key2
),

kept as (
    select o.series, o.t, case when o.handled then 1 else 0 end as handled
    from observations as o
    left join bounds as b on b.series = o.series
    where o.t is not null and (b.bound is null or o.t <= b.bound)
),

steps as (
    select series, t, sum(handled) as d, count(*) as leaving
    from kept
    group by series, t
),

-- At risk beyond the bound: the series' times above it.
above as (
    select s.series, s.total - coalesce(k.kept, 0) as n
    from (
        select 2 * cell - 1 as series, first_total as total from cell_counts
        union all
        select 2 * cell, resolution_total from cell_counts
    ) as s
    left join (select series, sum(leaving) as kept from steps group by series) as k on k.series = s.series
),

-- The windows partition by the series number: by the keys (strings, often null) they took twice as long.
at_risk as (
    select
        s.series,
        s.t,
        s.d,
        a.n + sum(s.leaving) over (
            partition by s.series order by s.t desc rows between unbounded preceding and current row
        ) as n
    from steps as s
    join above as a on a.series = s.series
),

survival as (
    select
        series, t, d,
        exp(sum(ln(case when n > d then 1 - d / n else 1e-300 end)) over (
            partition by series order by t rows between unbounded preceding and current row
        )) as s
    from at_risk
),

km as (
    select
        (series + 1) // 2 as cell,
        min(case when series % 2 = 1 and d > 0 and s <= 0.5 + 1e-9 then t end) as median_first,
        min(case when series % 2 = 0 and d > 0 and s <= 0.5 + 1e-9 then t end) as median_resolution
    from survival
    group by (series + 1) // 2
)

select
    c.key1,
    c.key2,
    c.complaints,
    c.responded_n,
    k.median_first as median_first_response_minutes,
    c.first_total as first_response_n,
    c.resolved_n,
    k.median_resolution as median_resolution_minutes,
    c.resolution_total as resolution_n,
    c.targeted_resolution_n,
    c.resolution_within_target,
    c.still_open_n
from cell_counts as c
left join km as k on k.cell = c.cell
order by c.key1, c.key2
