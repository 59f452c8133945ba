{#- Lifecycle of active persons per period (PostHog's lifecycle; new, returning,
    resurrecting, dormant). A person's activity is the rows of `relation` (person_id,
    activity_date; one or many per person and day, e.g. fct_person_days). The periods are
    those of `calendar_relation` (date_day, e.g. dim_dates) from the first to the last
    activity date (macro activity_calendar), periods without activity included.
    period: 'week' (Monday start) or 'month'.
    One row per period x status; see rpt_lifecycle_weekly in the models YAML for columns. -#}
{% macro lifecycle(relation, calendar_relation, period) -%}

with

person_days as (
    select
        person_id,
        activity_date
    from {{ relation }}
),

calendar as (
    {{ activity_calendar(relation, calendar_relation) | indent(4) }}
),

calendar_periods as (
    select
        cast({{ dbt.date_trunc(period, 'activity_date') }} as date) as period_start_date
    from calendar
),

periods as (
    select distinct
        period_start_date,
        cast({{ dbt.dateadd(period, -1, 'period_start_date') }} as date)
            as previous_period_start_date
    from calendar_periods
),

person_day_periods as (
    select
        person_id,
        cast({{ dbt.date_trunc(period, 'activity_date') }} as date) as period_start_date
    from person_days
),

person_periods as (
    select distinct
        person_id,
        period_start_date
    from person_day_periods
),

first_periods as (
    select
        person_id,
        min(period_start_date) as first_period_start_date
    from person_periods
    group by person_id
),

active_statuses as (
    select
        person_periods.person_id,
        person_periods.period_start_date,
        case
            when person_periods.period_start_date = first_periods.first_period_start_date
                then 'new'
            when previous_person_periods.person_id is not null then 'returning'
            else 'resurrecting'
        end as lifecycle_status
    from person_periods
    inner join periods
        on person_periods.period_start_date = periods.period_start_date
    inner join first_periods
        on person_periods.person_id = first_periods.person_id
    left join person_periods as previous_person_periods
        on
            person_periods.person_id = previous_person_periods.person_id
            and periods.previous_period_start_date = previous_person_periods.period_start_date
),

-- active in the previous period, not in this one
dormant_statuses as (
    select
        previous_person_periods.person_id,
        periods.period_start_date,
        'dormant' as lifecycle_status
    from periods
    inner join person_periods as previous_person_periods
        on periods.previous_period_start_date = previous_person_periods.period_start_date
    left join person_periods
        on
            previous_person_periods.person_id = person_periods.person_id
            and periods.period_start_date = person_periods.period_start_date
    where person_periods.person_id is null
),

statuses as (
    select
        person_id,
        period_start_date,
        lifecycle_status
    from active_statuses
    union all
    select
        person_id,
        period_start_date,
        lifecycle_status
    from dormant_statuses
),

status_counts as (
    select
        period_start_date,
        lifecycle_status,
        count(*) as n_persons
    from statuses
    group by
        period_start_date,
        lifecycle_status
),

period_totals as (
    select
        period_start_date,
        count(*) as n_active_persons
    from person_periods
    group by period_start_date
),

status_names as (
    select 'new' as lifecycle_status
    union all
    select 'returning' as lifecycle_status
    union all
    select 'resurrecting' as lifecycle_status
    union all
    select 'dormant' as lifecycle_status
),

grid as (
    select
        periods.period_start_date,
        status_names.lifecycle_status
    from periods
    cross join status_names
),

final as (
    select
        grid.period_start_date as {{ period }}_start_date,
        grid.lifecycle_status,
        coalesce(status_counts.n_persons, 0) as n_persons,
        case
            when grid.lifecycle_status = 'dormant' then -coalesce(status_counts.n_persons, 0)
            else coalesce(status_counts.n_persons, 0)
        end as n_persons_signed,
        coalesce(period_totals.n_active_persons, 0) as n_active_persons
    from grid
    left join status_counts
        on
            grid.period_start_date = status_counts.period_start_date
            and grid.lifecycle_status = status_counts.lifecycle_status
    left join period_totals
        on grid.period_start_date = period_totals.period_start_date
)

select * from final
{%- endmacro %}
