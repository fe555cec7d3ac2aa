-- handling_satisfaction: how satisfied complainants were with the handling, score by score.
-- Grain: one row per satisfaction score (1-5), zero when no complaint got that score.
-- Parameters: $start, $end, $regions, $branches, $channels, $segments, $branch_types, $categories, $components
-- Columns: satisfaction (1-5), complaints (complaints opened in the period with that score)
with scores (satisfaction) as (
    values (1), (2), (3), (4), (5)
),

scored as (
    select tf.satisfaction, count(*) as complaints
    from ticket_facts as tf
    where tf.kind = 'complaint'
        and tf.satisfaction is not null
        and tf.opened_on between $start and $end
        and ($regions is null or list_contains($regions, tf.region))
        and ($branch_types is null or list_contains($branch_types, tf.branch_type))
        and ($branches is null or list_contains($branches, tf.branch_id))
        and ($channels is null or list_contains($channels, tf.channel))
        and ($segments is null or list_contains($segments, tf.segment))
        and ($categories is null or list_contains($categories, tf.category))
        and ($components is null or list_contains($components, tf.component_key))
    group by tf.satisfaction
)

select scores.satisfaction, coalesce(scored.complaints, 0) as complaints
from scores
left join scored on scored.satisfaction = scores.satisfaction
order by scores.satisfaction
