-- Fragment: handling_percentiles (included by the handling queries, see store.runner "-- Include:").
-- Needs the CTE `bucket_counts` (bucket, n: the handled values per bucket of rollup_handling_buckets
-- in the filter, any number of rows per bucket); gives `percentiles` (measure, channel, priority, q,
-- value): the Kaplan-Meier median and 90th percentile of each time series of {measures}, and the
-- median (percentile_cont) of each target series counted (measures 3 and 4).
-- {measures}: the time measures of rollup_handling_buckets (constants in the including file).
-- Exact percentiles in two steps (servicequality/store/rollups.py; the buckets in
-- store/models/tmp_handling_values.sql): the count of each series' values per bucket in the filter
-- gives the bucket holding each wanted rank and the rank inside it; only those buckets' values are
-- sorted.
cumulative as (
    select
        k.series,
        k.measure,
        k.channel,
        k.priority,
        c.bucket,
        c.n,
        k.low,
        k.high,
        sum(c.n) over (partition by k.series order by c.bucket rows between unbounded preceding and current row) as upto,
        sum(c.n) over (partition by k.series) as total
    from (select bucket, sum(n) as n from bucket_counts group by bucket) as c
    join rollup_handling_buckets as k on k.bucket = c.bucket
),

km_quantiles as (
    select cast(0.5 as double) as q
    union all
    select cast(0.9 as double)
),

-- Kaplan-Meier percentiles of the times (Kaplan & Meier 1958): a complaint still open is censored
-- at its age (rollup_handling_censored), so the slow cases still open are not left out. With
-- censored ages a_1 < ... < a_m of a series (m_j complaints each, a_0 before all) and E_j the
-- handled values <= a_j, segment j holds the e_j = E_(j+1) - E_j values in (a_j, a_(j+1)] with
-- R_j = N - E_j - (censored <= a_j) at risk at its start; without censoring inside a segment the
-- survival product telescopes: S(after k of them) = S_j (R_j - k) / R_j, S_(j+1) = S_j (R_j - e_j) / R_j.
-- The q-quantile, the smallest time with S <= 1 - q, is then the handled value of 0-based rank
-- E_j + ceil(R_j (1 - (1 - q) / S_j)) - 1 in the first segment that reaches 1 - q (none: not reached).
censored_all as (
    select o.series, o.age
    from rollup_handling_censored as o
    where o.measure in ({measures})
        and o.opened_on >= $start
        and o.opened_on <= $end
        -- Selected on o: regions, branch_types, branches, channels, segments, categories, components
        and o.series in (select series from cumulative)
),

series_totals as (
    select k.series, max(k.total) as total, coalesce(max(c.n), 0) as censored_n
    from cumulative as k
    left join (select series, count(*) as n from censored_all group by series) as c on c.series = k.series
    where k.measure in ({measures})
    group by k.series
),

-- Only the open complaints younger than a bound can move a percentile. Counting them as never
-- handled, F(t) >= (handled <= t) / N, the Kaplan-Meier estimate being at least that naive one
-- (it hands each censored case's share to later times), so the q-quantile is at most the handled
-- value of rank ceil(q N), and at most the high end of the bucket holding it. Ages above it come
-- after every wanted percentile: they stay in N (at risk until then) but need no place in the order.
-- (No bucket holds rank ceil(q N) when the open ones are more than 1 - q of all: keep every age.)
km_bounds as (
    select k.series, min(k.high) as bound
    from cumulative as k
    join series_totals as t on t.series = k.series
    where k.upto >= ceil((select max(q) from km_quantiles) * (t.total + t.censored_n))
    group by k.series
),

censored as (
    select c.series, c.age, count(*) as m
    from censored_all as c
    left join km_bounds as b on b.series = c.series
    where b.bound is null or c.age <= b.bound
    group by c.series, c.age
),

-- E_j: the whole buckets at or below the age (bucket highs and ages in one ordered stream) ...
censored_whole as (
    select series, age, m, coalesce(whole, 0) as whole
    from (
        select
            series, age, m, kind,
            max(upto) over (partition by series order by t, kind rows between unbounded preceding and current row)
                as whole
        from (
            select series, high as t, 0 as kind, upto, cast(null as double) as age, 0 as m from cumulative
            union all
            select series, age, 1, null, age, m from censored
        ) as stream
    ) as ends
    where kind = 1
),

-- ... and the handled values at or below it in the bucket it falls inside (low <= age < high).
censored_inside as (
    select
        c.series,
        c.age,
        k.bucket,
        k.low,
        k.high,
        k.bins,
        cast(floor((c.age - k.low) * k.bins / (k.high - k.low)) as integer) as bin
    from censored as c
    join (select *, least(256, ceil(n / 32)) as bins from cumulative) as k
        on k.series = c.series and c.age >= k.low and c.age < k.high
),

-- Counted without sorting the bucket's values (sorting them took 350 ms of 450 at 10 M tickets):
-- its range [low, high] is cut into equal bins, about 32 of its values in each (at most 256 bins);
-- the values at or below an age are those of the bins before the age's bin, and those of its own
-- bin at or below it. Values and ages go to their bin by the same arithmetic, which never decreases
-- as the time grows, so no value at or below an age lies in a later bin (a value at the high end,
-- in the bin after the last, lies above every age).
inside_values as (
    select
        v.bucket,
        v.value,
        cast(floor((v.value - b.low) * b.bins / (b.high - b.low)) as integer) as bin
    from rollup_handling_values as v
    join (select distinct bucket, low, high, bins from censored_inside) as b on b.bucket = v.bucket
    where v.opened_on >= $start
        and v.opened_on <= $end
        -- Selected on v: regions, branch_types, branches, channels, segments, categories, components
),

inside_counts as (
    select c.bucket, c.age, c.before + coalesce(same.n, 0) as below
    from (
        -- the bins before the age's: a running count over the bins, each age ordered before its
        -- own bin's values
        select bucket, age, below as before
        from (
            select
                bucket, age, is_age,
                sum(n) over (partition by bucket order by bin, is_age desc rows between unbounded preceding and current row)
                    as below
            from (
                select bucket, bin, 0 as is_age, count(*) as n, cast(null as double) as age
                from inside_values
                group by bucket, bin
                union all
                select bucket, bin, 1, 0, age from censored_inside
            ) as marks
        ) as running
        where is_age = 1
    ) as c
    left join (
        select c.bucket, c.age, count(*) as n
        from censored_inside as c
        join inside_values as v on v.bucket = c.bucket and v.bin = c.bin and v.value <= c.age
        group by c.bucket, c.age
    ) as same on same.bucket = c.bucket and same.age = c.age
),

segments as (
    select series, 0 as seg, 0 as m, cast(0 as bigint) as e_below
    from cumulative
    where measure in ({measures})
    group by series
    union all
    select
        w.series,
        row_number() over (partition by w.series order by w.age) as seg,
        w.m,
        cast(w.whole + coalesce(i.below, 0) as bigint) as e_below
    from censored_whole as w
    left join censored_inside as c on c.series = w.series and c.age = w.age
    left join inside_counts as i on i.bucket = c.bucket and i.age = w.age
),

at_risk as (
    select
        s.series,
        s.seg,
        s.e_below,
        coalesce(lead(s.e_below) over (partition by s.series order by s.seg), t.total) - s.e_below as e,
        t.total + t.censored_n - s.e_below
            - sum(s.m) over (partition by s.series order by s.seg rows between unbounded preceding and current row)
            as r
    from segments as s
    join series_totals as t on t.series = s.series
),

-- S at each segment's start: the running sum of log factors up to it, less its own (a frame that
-- ends at the current row streams; one that ends a row before does not).
factors as (
    select series, seg, e_below, e, r, ln(case when r > e then (r - e) / r else 1e-300 end) as log_factor
    from at_risk
    where r > 0
),

survival as (
    select
        series, seg, e_below, e, r,
        exp(sum(log_factor) over (
            partition by series order by seg rows between unbounded preceding and current row
        ) - log_factor) as s_start
    from factors
),

km_ranks as (
    select
        s.series,
        q.q,
        min_by(s.e_below + least(s.e, greatest(1, ceil(s.r * (1 - (1 - q.q) / s.s_start) - 1e-9))) - 1, s.seg)
            as r
    from survival as s
    cross join km_quantiles as q
    where s.e > 0 and s.s_start * (s.r - s.e) / s.r <= 1 - q.q + 1e-9
    group by s.series, q.q
),

-- The targets' median: percentile_cont(0.5) of total values: h = (total - 1) q, the values at
-- 0-based ranks floor(h) and ceil(h), and lo + (hi - lo) (h - floor(h)) between them (SQL:2003,
-- as DuckDB computes it). The times: h = the Kaplan-Meier rank.
positions as (
    select distinct series, measure, channel, priority, q, cast(total - 1 as double) * q as h
    from cumulative
    cross join (select cast(0.5 as double) as q) as quantiles
    where measure in (3, 4)
    union all
    select k.series, c.measure, c.channel, c.priority, k.q, cast(k.r as double)
    from km_ranks as k
    join (select distinct series, measure, channel, priority from cumulative) as c on c.series = k.series
),

ranks as (
    select series, floor(h) as r from positions
    union
    select series, ceil(h) from positions
),

wanted as (
    select k.series, k.r, c.bucket, k.r - (c.upto - c.n) + 1 as position, c.low, c.high
    from ranks as k
    join cumulative as c on c.series = k.series and k.r >= c.upto - c.n and k.r < c.upto
),

bucket_values as (
    select
        v.bucket,
        v.value,
        row_number() over (partition by v.bucket order by v.value) as position
    from rollup_handling_values as v
    where v.opened_on >= $start
        and v.opened_on <= $end
        -- Selected on v: regions, branch_types, branches, channels, segments, categories, components
        and v.bucket in (select bucket from wanted where low < high)
),

picked as (
    select w.series, w.r, w.low as value
    from wanted as w
    where w.low = w.high
    union all
    select w.series, w.r, v.value
    from wanted as w
    join bucket_values as v on v.bucket = w.bucket and v.position = w.position
    where w.low < w.high
),

percentiles as (
    select p.measure, p.channel, p.priority, p.q, lo.value + (hi.value - lo.value) * (p.h - floor(p.h)) as value
    from positions as p
    join picked as lo on lo.series = p.series and lo.r = floor(p.h)
    join picked as hi on hi.series = p.series and hi.r = ceil(p.h)
)
