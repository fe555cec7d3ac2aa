-- tmp_complaints: every complaint's times and targets as ticket_facts computes them, numbered.
-- Grain: complaint_no
-- Temporary: read by the handling rollups, dropped after the refresh
select
    row_number() over (order by tf.ticket_id) as complaint_no,
    tf.opened_on,
    tf.branch_id,
    tf.region,
    tf.branch_type,
    tf.channel,
    tf.priority,
    tf.segment,
    tf.category,
    tf.family,
    tf.component_key,
    tf.first_response_minutes,
    tf.resolution_minutes,
    tf.first_response_target,
    tf.resolution_target,
    tf.first_response_open_minutes,
    tf.resolution_open_minutes,
    tf.first_response_judged_minutes,
    tf.resolution_judged_minutes
from ticket_facts as tf
where tf.kind = 'complaint'
