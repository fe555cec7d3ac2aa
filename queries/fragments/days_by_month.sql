-- Fragment: days_by_month (included by the fragments respondent_gaps and rater_groups, see
-- store.runner "-- Include:"). Gives `{name}`: the rows of the CTE `{days}` (dated by submitted_on)
-- summed by branch, month and `{keys}`, each month with its first and last day: the month twin
-- store/facts.py names for a day source that is a CTE (a table's twin is a rollup model).
-- {name}, {days}: CTE names; {keys}: the grain columns on `d`; {sums}: `sum(d.x) as x`, each column.
{name} as (
    select
        d.branch_id,
        cast(date_trunc('month', d.submitted_on) as date) as month_start,
        last_day(d.submitted_on) as month_end,
        {keys},
        {sums}
    from {days} as d
    group by d.branch_id, cast(date_trunc('month', d.submitted_on) as date), last_day(d.submitted_on), {keys}
)
