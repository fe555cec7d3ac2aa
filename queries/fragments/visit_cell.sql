-- Fragment: visit_cell (included by the visits drill-down queries, see store.runner "-- Include:").
-- Gives `cell_visits`: every visit of an identified customer in the filter and in the Explore cell the
-- $cell_<dimension> parameters name (each null for "any"), with its branch. Complaint categories and
-- components do not apply to visits (as in customer_returns): their selections are not read.
cell_visits as (
    select
        v.customer_key,
        v.visited_on,
        v.branch_id,
        b.name as branch_name,
        b.region,
        b.branch_type,
        v.channel,
        v.segment,
        v.value,
        v.referred,
        -- ties broken by the whole visit (a visits table has no id), so one page follows another: a
        -- struct of its fields, nulls as values (engines order a struct's nulls differently); as text
        -- joined it took 1.1 of a year's 1.4 s at 10 M tickets, as a struct 0.3
        struct_pack(
            customer := v.customer_key, branch := v.branch_id, channel := coalesce(v.channel, ''),
            segment := coalesce(v.segment, ''), value := coalesce(v.value, -1)
        ) as visit_key
    from visits as v
    join branches as b on b.branch_id = v.branch_id
    where
        v.visited_on between $start and $end
        -- Selected on b: regions, branch_types, branches; on v: channels, segments
        and ($cell_branch is null or v.branch_id = $cell_branch)
        and ($cell_region is null or b.region = $cell_region)
        and ($cell_branch_type is null or b.branch_type = $cell_branch_type)
        and ($cell_channel is null or v.channel = $cell_channel)
        and ($cell_segment is null or v.segment = $cell_segment)
        and ($cell_month is null or substring(cast(v.visited_on as varchar), 1, 7) = $cell_month)
        and ($cell_weekday is null or ((date_diff('day', date '2000-01-03', v.visited_on) % 7) + 7) % 7 + 1 = $cell_weekday)
)
