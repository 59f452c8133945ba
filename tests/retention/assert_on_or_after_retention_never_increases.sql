-- In mode on_or_after a member retained on or after period N + 1 is also retained on or
-- after period N, so within a cohort n_retained_persons never rises with the period number,
-- and neither does retention_rate over the periods that have one (the complete ones), in
-- the weekly and the monthly first-time reports. Returns the periods where either rises.
with

weekly_retention as (
    select
        'week' as period_type,
        cohort_start,
        period_number,
        n_retained_persons,
        retention_rate
    from {{ ref('rpt_retention_weekly_first_time_on_or_after') }}
),

monthly_retention as (
    select
        'month' as period_type,
        cohort_start,
        period_number,
        n_retained_persons,
        retention_rate
    from {{ ref('rpt_retention_monthly_first_time_on_or_after') }}
),

retention as (
    select * from weekly_retention
    union all
    select * from monthly_retention
),

retention_with_next as (
    select
        period_type,
        cohort_start,
        period_number,
        n_retained_persons,
        retention_rate,
        lead(n_retained_persons) over (
            partition by period_type, cohort_start order by period_number
        ) as next_retained_persons,
        lead(retention_rate) over (
            partition by period_type, cohort_start order by period_number
        ) as next_retention_rate
    from retention
)

select *
from retention_with_next
where
    next_retained_persons > n_retained_persons
    or next_retention_rate > retention_rate
