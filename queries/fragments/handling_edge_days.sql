-- Fragment: handling_edge_days (included by the handling queries, see store.runner "-- Include:").
-- Gives `edge_days`: the complaints (rollup_complaint_handling) of the period's days outside its
-- whole months, or of every day of the period when a channel, segment, category or component is
-- selected (the month tables lack those columns). The whole months are [first_full, after_full):
-- first_full = $start when it is the 1st of a month, else the 1st of the next month; after_full =
-- the 1st of the month of $end + 1 day.
edge_days as (
    select h.*
    from rollup_complaint_handling as h
    where h.opened_on >= $start
        and h.opened_on <= $end
        -- with a selection the month tables cannot filter, every day of the period
        and (h.opened_on < case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end or ($channels is not null or $segments is not null or $categories is not null or $components is not null))
        -- Selected on h: regions, branch_types, branches, channels, segments, categories, components
    union all
    select h.*
    from rollup_complaint_handling as h
    where h.opened_on >= $start
        and h.opened_on <= $end
        and h.opened_on >= cast(date_trunc('month', $end + interval 1 day) as date)
        and not ($channels is not null or $segments is not null or $categories is not null or $components is not null)
        and h.opened_on >= case
            when cast(date_trunc('month', $start) as date) = $start then $start
            else cast(date_trunc('month', $start) + interval 1 month as date)
        end
        -- Selected on h: regions, branch_types, branches, channels, segments, categories, components
)
