-- filter_values: the channels and customer segments that occur in tickets or surveys.
-- Grain: one row per (dimension, value).
-- Parameters: none.
-- Columns: dimension ('channel' | 'segment'), value
select distinct 'channel' as dimension, channel as value from tickets
union
select distinct 'channel' as dimension, channel as value from survey_responses
union
select distinct 'segment' as dimension, segment as value from tickets
union
select distinct 'segment' as dimension, segment as value from survey_responses
order by dimension, value
