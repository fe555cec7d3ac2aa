-- Schema of the service-quality store (one DuckDB file).
-- Documented column by column in README.md ("Data dictionary").
-- Standard SQL DDL; the CHECK constraints are the first line of validation.

create table if not exists components (
    component_key varchar primary key,          -- 'security', 'courtesy', ...
    name          varchar not null,             -- 'Understanding the customer'
    rater_group   varchar not null,             -- Reliability, Assurance, Tangibles, Empathy, Responsiveness
    description   varchar not null,
    sort_order    integer not null
);

create table if not exists branches (
    branch_id   varchar primary key,
    name        varchar not null,
    region      varchar not null,
    city        varchar not null,
    branch_type varchar not null,               -- e.g. 'Flagship', 'Standard', 'Express'
    size_band   varchar not null,               -- 'Small', 'Medium', 'Large'
    opened_on   date
);

-- Denominator of complaint rates: customers served per branch per day.
create table if not exists customers_served (
    branch_id varchar not null references branches (branch_id),
    served_on date    not null,
    customers integer not null check (customers >= 0),
    primary key (branch_id, served_on)
);

-- The complaint taxonomy as data: a customer's own categories map to a family and a component.
create table if not exists complaint_categories (
    category      varchar primary key,
    family        varchar not null check (family in ('product', 'service')),
    component_key varchar not null references components (component_key),
    description   varchar not null
);

-- Targets per channel and priority, in minutes.
create table if not exists service_targets (
    channel                  varchar not null,
    priority                 varchar not null,
    first_response_minutes   integer not null check (first_response_minutes > 0),
    resolution_minutes       integer not null check (resolution_minutes > 0),
    primary key (channel, priority)
);

-- The fact tables (store.FACT_TABLES: tickets, survey_responses and the tables beside them) declare
-- no primary or foreign key; the comments say which columns are unique and what they reference. The
-- import rejects a repeat or an unknown reference row by row before it writes, and checks the rows
-- of its run again after (ingest/keys.py). Their indexes were two thirds of the file
-- (medium demo: 1,212 MB, 417 MB without them), which every import copies, and every row written
-- paid four index operations (store/connection.py, _set_aside_fact_keys, drops them from old stores).
create table if not exists tickets (
    ticket_id         varchar not null,         -- unique
    branch_id         varchar not null,         -- branches.branch_id
    channel           varchar not null,
    kind              varchar not null check (kind in ('complaint', 'request', 'compliment')),
    category          varchar,                  -- complaint_categories.category for complaints
    priority          varchar not null check (priority in ('low', 'normal', 'high', 'urgent')),
    opened_at         timestamp not null,
    first_response_at timestamp,
    resolved_at       timestamp,
    status            varchar not null check (status in ('open', 'resolved', 'closed')),
    reopened_count    integer check (reopened_count >= 0),  -- null: the export does not record it
    escalated         boolean,                              -- null: not recorded
    satisfaction      smallint check (satisfaction between 1 and 5),
    segment           varchar not null,
    -- The ticket's own resolution deadline, where the export sets one per ticket (a city's 311
    -- request: its target date); null: the target of its channel and priority (service_targets), if any.
    resolution_target_at timestamp,
    check (first_response_at is null or first_response_at >= opened_at),
    check (resolved_at is null or resolved_at >= opened_at),
    check (resolution_target_at is null or resolution_target_at >= opened_at)
);

create table if not exists survey_responses (
    response_id          varchar not null,      -- unique
    branch_id            varchar not null,      -- branches.branch_id
    submitted_at         timestamp not null,
    channel              varchar not null,      -- touchpoint the survey is about
    segment              varchar not null,
    nps                  smallint check (nps between 0 and 10),
    overall_satisfaction smallint check (overall_satisfaction between 1 and 5),
    comment              varchar,
    -- Overall satisfaction and would-recommend on the survey's own scale (1-10, 0/1, ...): the raw
    -- answer and its scale, so that surveys on different scales compare as percent of maximum
    -- possible, 100 * (answer - min) / (max - min). Null: not asked, or "don't know".
    satisfaction_answer  double,
    satisfaction_min     smallint,
    satisfaction_max     smallint,
    recommend_answer     double,
    recommend_min        smallint,
    recommend_max        smallint,
    check (satisfaction_answer between satisfaction_min and satisfaction_max),
    check (recommend_answer between recommend_min and recommend_max)
);

-- One row per response, component and questionnaire item answered with a rating.
-- The rating is stored on the item's own scale, oriented so that a higher number is better: an
-- item whose export put the best answer at the bottom of the scale (reversed) is stored as
-- scale_min + scale_max - answer. Expectation is null in a performance-only survey (SERVPERF:
-- the survey asked how the service was, not what the customer expected).
create table if not exists survey_scores (
    response_id   varchar not null,             -- survey_responses.response_id
    component_key varchar not null,             -- components.component_key
    item          varchar not null,             -- questionnaire item code, e.g. 'REL1'
    expectation   smallint,                     -- null: the survey has no expectation question
    perception    smallint not null,
    adequate      smallint,                     -- minimum acceptable level, optional
    scale_min     smallint not null default 1,
    scale_max     smallint not null default 7,
    reversed      boolean not null default false,  -- the export's best answer was scale_min
    check (scale_min < scale_max),
    check (perception between scale_min and scale_max),
    check (expectation between scale_min and scale_max),
    check (adequate between scale_min and scale_max)
    -- unique: (response_id, component_key, item)
);

-- Answers to a rating item that are not ratings: "not applicable", "don't know", "not rated"
-- codes the mapping declares, and blank cells. Kept out of every mean, counted here.
create table if not exists survey_item_missing (
    response_id   varchar not null,             -- survey_responses.response_id
    component_key varchar not null,             -- components.component_key
    item          varchar not null,
    reason        varchar not null check (reason in ('not applicable', 'don''t know', 'not rated', 'blank')),
    code          varchar                       -- the cell as the export wrote it ('' for blank)
    -- unique: (response_id, component_key, item)
);

-- Optional: importance points a respondent allocates across components (e.g. 100 in all).
create table if not exists survey_importance (
    response_id   varchar not null,             -- survey_responses.response_id
    component_key varchar not null,             -- components.component_key
    points        double  not null check (points >= 0)
    -- unique: (response_id, component_key)
);

-- Optional: customers. A pseudonymous customer key links a customer's tickets, survey responses and
-- visits: a keyed hash of the export's own customer id, made at import with a key kept outside the
-- store (never the id itself), and never shown on a page, in a download or in a link.
-- One row per visit (or transaction) of an identified customer: the return rate's facts.
create table if not exists visits (
    customer_key varchar not null,
    branch_id    varchar not null,               -- branches.branch_id
    visited_on   date    not null,
    channel      varchar,                        -- null: not recorded
    segment      varchar,                        -- null: not recorded
    value        double check (value >= 0),      -- spend or value of the visit; null: not recorded
    referred     boolean                         -- the visit came on a referral; null: not recorded
);

-- The customer behind a ticket or a survey response, where the export names one.
create table if not exists ticket_customers (
    ticket_id    varchar not null,               -- unique, tickets.ticket_id
    customer_key varchar not null
);

create table if not exists response_customers (
    response_id  varchar not null,               -- unique, survey_responses.response_id
    customer_key varchar not null
);

-- Views: the joins every query needs, written once. Durations are in minutes.
-- The data's as-of time: the latest moment any ticket records (opened, answered or resolved). The
-- export was taken no earlier, so an open ticket has been open at least until then.
create or replace view ticket_as_of as
select greatest(max(opened_at), max(first_response_at), max(resolved_at)) as as_of from tickets;

create or replace view ticket_facts as
select
    t.ticket_id,
    t.branch_id,
    b.name as branch_name,
    b.region,
    b.branch_type,
    b.size_band,
    t.channel,
    t.kind,
    t.category,
    c.family,
    c.component_key,
    t.priority,
    t.segment,
    t.opened_at,
    cast(t.opened_at as date) as opened_on,
    t.status,
    t.reopened_count,
    t.escalated,
    t.satisfaction,
    date_diff('second', t.opened_at, t.first_response_at) / 60.0 as first_response_minutes,
    date_diff('second', t.opened_at, t.resolved_at) / 60.0 as resolution_minutes,
    s.first_response_minutes as first_response_target,
    -- the ticket's own deadline first, else its channel and priority's target
    coalesce(date_diff('second', t.opened_at, t.resolution_target_at) / 60.0, s.resolution_minutes)
        as resolution_target,
    -- Still open: an open ticket without a first response (or resolution) has waited from opening
    -- to the data's as-of time (ticket_as_of); its time is censored there, not unknown.
    case when t.status = 'open' and t.first_response_at is null
        then date_diff('second', t.opened_at, n.as_of) / 60.0 end as first_response_open_minutes,
    case when t.status = 'open' and t.resolved_at is null
        then date_diff('second', t.opened_at, n.as_of) / 60.0 end as resolution_open_minutes,
    -- Judged against the target: the time taken, or, for one still open past its target, its age
    -- (late as soon as the target passed). Null while undecided (open, target not yet passed) or
    -- not recorded. "Within target" counts judged <= target over judged with a target.
    coalesce(
        date_diff('second', t.opened_at, t.first_response_at) / 60.0,
        case when t.status = 'open' and t.first_response_at is null
            and date_diff('second', t.opened_at, n.as_of) / 60.0 > s.first_response_minutes
            then date_diff('second', t.opened_at, n.as_of) / 60.0 end
    ) as first_response_judged_minutes,
    coalesce(
        date_diff('second', t.opened_at, t.resolved_at) / 60.0,
        case when t.status = 'open' and t.resolved_at is null
            and date_diff('second', t.opened_at, n.as_of) / 60.0
                > coalesce(date_diff('second', t.opened_at, t.resolution_target_at) / 60.0, s.resolution_minutes)
            then date_diff('second', t.opened_at, n.as_of) / 60.0 end
    ) as resolution_judged_minutes
from tickets as t
cross join ticket_as_of as n
join branches as b on b.branch_id = t.branch_id
left join complaint_categories as c on c.category = t.category
left join service_targets as s on s.channel = t.channel and s.priority = t.priority;

-- The SERVQUAL answers: items asked with an expectation (every gap, tolerance zone, alpha and
-- stated-importance figure reads these; performance-only answers have no gap to show).
create or replace view servqual_scores as
select * from survey_scores where expectation is not null;

-- One row per response and component: the mean over the component's items.
create or replace view response_component_scores as
select
    r.response_id,
    r.branch_id,
    b.region,
    b.branch_type,
    b.size_band,
    r.channel,
    r.segment,
    r.submitted_at,
    cast(r.submitted_at as date) as submitted_on,
    sc.component_key,
    count(*) as n_items,
    avg(sc.perception) as perception,
    avg(sc.expectation) as expectation,
    avg(sc.adequate) as adequate,
    avg(sc.perception) - avg(sc.expectation) as gap,
    -- The zone of tolerance compares item by item: perception and expectation over the items
    -- that have an adequate level (all of them in a survey that asks it everywhere).
    avg(case when sc.adequate is not null then sc.perception end) as perception_paired,
    avg(case when sc.adequate is not null then sc.expectation end) as expectation_paired
from servqual_scores as sc
join survey_responses as r on r.response_id = sc.response_id
join branches as b on b.branch_id = r.branch_id
group by
    r.response_id, r.branch_id, b.region, b.branch_type, b.size_band,
    r.channel, r.segment, r.submitted_at, sc.component_key;

-- One row per response and component: performance, from every rated item (with or without an
-- expectation). Items on different scales compare as percent of maximum possible (POMP, Cohen,
-- Cohen, Aiken & West 1999): 100 * (rating - min) / (max - min), 0 = worst answer, 100 = best.
-- top2 is the share of the component's items the respondent rated in the two best scale points (the best
-- one on a scale of three points or fewer).
create or replace view response_component_performance as
select
    r.response_id,
    r.branch_id,
    b.region,
    b.branch_type,
    b.size_band,
    r.channel,
    r.segment,
    r.submitted_at,
    cast(r.submitted_at as date) as submitted_on,
    sc.component_key,
    count(*) as n_items,
    avg(100.0 * (sc.perception - sc.scale_min) / (sc.scale_max - sc.scale_min)) as performance,
    -- the two best points on a scale of 4 or more points; on 2-3 points only the best one (two of three
    -- points, or every answer of a yes/no item, would say nothing)
    avg(case when sc.perception >= sc.scale_max - (case when sc.scale_max - sc.scale_min >= 3 then 1 else 0 end)
        then 1.0 else 0.0 end) as top2,
    avg(sc.perception) as perception,
    min(sc.scale_min) as scale_min,
    max(sc.scale_max) as scale_max,
    -- the raw mean means something only when every item of the component shares one scale
    min(sc.scale_min) = max(sc.scale_min) and min(sc.scale_max) = max(sc.scale_max) as one_scale,
    -- the component has items with an expectation too (it is in response_component_scores)
    count(sc.expectation) > 0 as has_expectation
from survey_scores as sc
join survey_responses as r on r.response_id = sc.response_id
join branches as b on b.branch_id = r.branch_id
group by
    r.response_id, r.branch_id, b.region, b.branch_type, b.size_band,
    r.channel, r.segment, r.submitted_at, sc.component_key;

-- One row per response: overall satisfaction and would-recommend on the scale each was asked (the
-- any-scale answers, else the 1-5 overall_satisfaction and the 0-10 nps), and as percent of maximum
-- possible, 100 * (answer - min) / (max - min). Null where not asked or "don't know".
create or replace view response_answers as
with answers as (
    select
        r.response_id,
        r.branch_id,
        b.region,
        b.branch_type,
        r.channel,
        r.segment,
        cast(r.submitted_at as date) as submitted_on,
        coalesce(r.satisfaction_answer, r.overall_satisfaction) as s_answer,
        coalesce(r.satisfaction_min, case when r.overall_satisfaction is not null then 1 end) as s_min,
        coalesce(r.satisfaction_max, case when r.overall_satisfaction is not null then 5 end) as s_max,
        coalesce(r.recommend_answer, r.nps) as r_answer,
        coalesce(r.recommend_min, case when r.nps is not null then 0 end) as r_min,
        coalesce(r.recommend_max, case when r.nps is not null then 10 end) as r_max
    from survey_responses as r
    join branches as b on b.branch_id = r.branch_id
)
select
    *,
    100.0 * (s_answer - s_min) / (s_max - s_min) as satisfaction,
    100.0 * (r_answer - r_min) / (r_max - r_min) as recommend
from answers;

-- One row per survey response: the per-response answers and the respondent's overall gap (the mean
-- of their component gaps; null when they scored no component). The base form of the survey counts
-- (store/facts.py: responses).
create or replace view response_facts as
select
    r.response_id,
    r.branch_id,
    b.region,
    b.branch_type,
    r.channel,
    r.segment,
    cast(r.submitted_at as date) as submitted_on,
    r.overall_satisfaction,
    r.nps,
    g.gap
from survey_responses as r
join branches as b on b.branch_id = r.branch_id
left join (
    select response_id, avg(gap) as gap from response_component_scores group by response_id
) as g on g.response_id = r.response_id;

-- One row per rated respondent: their overall performance (the mean of their component performances,
-- 0-100) and their satisfaction answer (0-100, null when not asked). The base form of the survey
-- performance sums (store/facts.py: performance); rollup_respondent_performance holds the same
-- respondents from the rollups, with a column per component as well.
create or replace view respondent_performance as
with respondent as (
    select
        p.response_id,
        any_value(p.branch_id) as branch_id,
        any_value(p.region) as region,
        any_value(p.branch_type) as branch_type,
        any_value(p.channel) as channel,
        any_value(p.segment) as segment,
        any_value(p.submitted_on) as submitted_on,
        avg(p.performance) as performance
    from response_component_performance as p
    group by p.response_id
)
select r.*, a.satisfaction
from respondent as r
left join response_answers as a on a.response_id = r.response_id;

-- One row per respondent and component they gave importance points to, with the component's share of
-- the respondent's points (respondents whose points add up to more than zero). The base form of the
-- importance sums (store/facts.py: importance).
create or replace view importance_shares as
with points as (
    select i.response_id, i.component_key, i.points, r.branch_id, b.region, b.branch_type, r.channel, r.segment,
           cast(r.submitted_at as date) as submitted_on,
           sum(i.points) over (partition by i.response_id) as total_points
    from survey_importance as i
    join survey_responses as r on r.response_id = i.response_id
    join branches as b on b.branch_id = r.branch_id
)
select *, points / total_points as share
from points
where total_points > 0;

-- The importance-weighted SERVQUAL score's parts (Zeithaml, Parasuraman & Berry 1990): one row per
-- respondent and component with both a gap and importance points, the points as a share of the
-- respondent's points over those components (respondents whose points add up to more than zero).
create or replace view weighted_gaps as
with pairs as (
    select
        s.response_id, s.branch_id, s.region, s.branch_type, s.channel, s.segment, s.submitted_on,
        s.component_key, s.gap, cast(i.points as double) as points,
        sum(cast(i.points as double)) over (partition by s.response_id) as total_points
    from response_component_scores as s
    join survey_importance as i on i.response_id = s.response_id and i.component_key = s.component_key
)
select *, points / total_points as share
from pairs
where total_points > 0;

-- Each respondent's weighted gap: the sum over their components of share x gap.
create or replace view respondent_weighted_gaps as
select
    response_id,
    any_value(branch_id) as branch_id,
    any_value(submitted_on) as submitted_on,
    any_value(channel) as channel,
    any_value(segment) as segment,
    sum(share * gap) as weighted_gap
from weighted_gaps
group by response_id;

-- The complaints with their handling times: the base form of rollup_complaint_handling (which adds
-- each value's percentile bucket), the plain form of Explore's handling cells.
create or replace view complaint_facts as
select * from ticket_facts where kind = 'complaint';

-- Complaints that can be open at the end of some day: every complaint except those closed without a
-- resolution time; closes_at = when it stopped being open (null: still open). With every selection
-- column, so the backlog filters it directly (rollup_complaint_open stores it ordered by closes_at).
create or replace view open_complaints as
select
    t.branch_id, b.region, b.branch_type, t.channel, t.segment, t.category, cc.component_key,
    t.opened_at, t.resolved_at as closes_at
from tickets as t
join branches as b on b.branch_id = t.branch_id
left join complaint_categories as cc on cc.category = t.category
where t.kind = 'complaint'
    and (t.resolved_at is not null or t.status = 'open');

-- Cronbach's alpha's base forms (store/facts.py: item_scores, item_totals): every item score with how
-- many items of its component the respondent answered, and each respondent's sums over a component.
create or replace view item_scores as
select
    sc.response_id, r.branch_id, b.region, b.branch_type, r.channel, r.segment,
    cast(r.submitted_at as date) as submitted_on, sc.component_key, sc.item,
    sc.perception, sc.expectation, sc.perception - sc.expectation as gap,
    count(*) over (partition by sc.response_id, sc.component_key) as n_items
from servqual_scores as sc
join survey_responses as r on r.response_id = sc.response_id
join branches as b on b.branch_id = r.branch_id;

create or replace view item_totals as
select
    sc.response_id, any_value(r.branch_id) as branch_id, any_value(b.region) as region,
    any_value(b.branch_type) as branch_type, any_value(r.channel) as channel, any_value(r.segment) as segment,
    any_value(cast(r.submitted_at as date)) as submitted_on, sc.component_key, count(*) as n_items,
    sum(sc.perception) as perception, sum(sc.expectation) as expectation,
    sum(sc.perception - sc.expectation) as gap
from servqual_scores as sc
join survey_responses as r on r.response_id = sc.response_id
join branches as b on b.branch_id = r.branch_id
group by sc.response_id, sc.component_key;

-- The channels and segments that occur in tickets or survey responses, and the complaint categories
-- that occur in tickets (the sidebar's choices: a category the store lists but no ticket has, such
-- as the default ones a store is seeded with, would select nothing).
create or replace view dimension_values as
select distinct 'channel' as dimension, channel as value from tickets
union
select distinct 'channel' as dimension, channel as value from survey_responses
union
select distinct 'segment' as dimension, segment as value from tickets
union
select distinct 'segment' as dimension, segment as value from survey_responses
union
select distinct 'category' as dimension, category as value from tickets where category is not null;

create or replace view customers_served_facts as
select cs.branch_id, b.region, b.branch_type, b.size_band, cs.served_on, cs.customers
from customers_served as cs
join branches as b on b.branch_id = cs.branch_id;

-- Imports (servicequality/ingest/).
-- Attributes an export carries beyond the tickets columns, kept beside them (not as new tickets
-- columns, so the positional inserts of the demo generator and the test fixture stay valid).
create table if not exists ticket_sources (
    ticket_id       varchar not null,            -- unique, tickets.ticket_id
    run_id          integer not null,            -- import_runs.run_id that stored the ticket
    source          varchar not null,            -- the mapping's name, e.g. 'cfpb_complaints'
    timely_response boolean                      -- the source's own "answered in time?" flag, or null
);

create table if not exists survey_sources (
    response_id varchar not null,                -- unique, survey_responses.response_id
    run_id      integer not null,
    source      varchar not null
);

-- The key that made the store's customer keys and {hash} ids, by its fingerprint (never the key):
-- an import under another key would split every customer in two and store every row again.
create table if not exists store_keys (
    purpose     varchar primary key,        -- 'customer'
    fingerprint varchar not null,           -- HMAC-SHA256 of a fixed text under the key, 16 hex digits
    since_run   integer not null            -- the import that recorded it
);

-- One row per import: what was read, stored and rejected. Every row read is either stored or rejected.
create table if not exists import_runs (
    run_id         integer primary key,
    started_at     timestamp not null,
    finished_at    timestamp not null,
    target         varchar not null,             -- tickets, surveys, branches, customers-served, targets, categories
    file_name      varchar not null,
    file_sha256    varchar not null,
    mapping_name   varchar not null,
    mapping_sha256 varchar not null,
    rows_read      integer not null check (rows_read >= 0),
    rows_stored    integer not null check (rows_stored >= 0),
    rows_rejected  integer not null check (rows_rejected >= 0),
    branches_created integer not null default 0,
    check (rows_read = rows_stored + rows_rejected)
);

-- One row per rejected source row: where it was, which column and value, and why.
create table if not exists rejected_rows (
    run_id      integer not null references import_runs (run_id),
    file_name   varchar not null,
    line        integer not null,                -- line in the file where the row starts (spreadsheets: row number)
    column_name varchar,                         -- the source column at fault, or null for the whole row
    value       varchar,                         -- the offending value, stored as text (never evaluated)
    reason      varchar not null,
    row_json    varchar                          -- the whole source row as JSON text
);
