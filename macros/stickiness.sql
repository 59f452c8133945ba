{#- Stickiness per period (Amplitude/Mixpanel/PostHog): persons by exact number of
    active days in the period. A person's activity is the rows of `relation` (person_id,
    activity_date; exactly one per person and active day, e.g. fct_person_days). The periods
    are those of `calendar_relation` (date_day, e.g. dim_dates) from the first to the last
    activity date (macro activity_calendar), periods without activity included.
    period: 'week' (Monday start) or 'month'.
    One row per period x number of active days; see rpt_stickiness_weekly for columns. -#}
{% macro stickiness(relation, calendar_relation, period) -%}

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
        cast({{ dbt.date_trunc(period, 'activity_date') }} as date) as {{ period }}_start_date,
        activity_date
    from calendar
),

periods as (
    select
        {{ period }}_start_date,
        count(*) as n_days_observed
    from calendar_periods
    group by {{ period }}_start_date
),

periods_sized as (
    select
        {{ period }}_start_date,
        n_days_observed,
        {{ dbt.datediff(
            period ~ '_start_date',
            'cast(' ~ dbt.dateadd(period, 1, period ~ '_start_date') ~ ' as date)',
            'day'
        ) }} as n_days_in_period
    from periods
),

-- 1 .. 99 active days, cut to the length of each period below
buckets as (
    select cast(generated_number as {{ dbt.type_int() }}) as n_active_days
    from ({{ dbt.generate_series(99) }}) as series
),

person_day_periods as (
    select
        person_id,
        cast({{ dbt.date_trunc(period, 'activity_date') }} as date) as {{ period }}_start_date
    from person_days
),

-- one row per person and active day in relation: rows = active days
person_periods as (
    select
        person_id,
        {{ period }}_start_date,
        count(*) as n_active_days
    from person_day_periods
    group by
        person_id,
        {{ period }}_start_date
),

bucket_counts as (
    select
        {{ period }}_start_date,
        n_active_days,
        count(*) as n_persons
    from person_periods
    group by
        {{ period }}_start_date,
        n_active_days
),

period_totals as (
    select
        {{ period }}_start_date,
        count(*) as n_active_persons
    from person_periods
    group by {{ period }}_start_date
),

grid as (
    select
        periods_sized.{{ period }}_start_date,
        buckets.n_active_days,
        periods_sized.n_days_observed = periods_sized.n_days_in_period as is_complete_period
    from periods_sized
    cross join buckets
    where buckets.n_active_days <= periods_sized.n_days_in_period
),

final as (
    select
        grid.{{ period }}_start_date,
        grid.n_active_days,
        coalesce(bucket_counts.n_persons, 0) as n_persons,
        coalesce(period_totals.n_active_persons, 0) as n_active_persons,
        {{ safe_divide(
            'coalesce(bucket_counts.n_persons, 0)', 'period_totals.n_active_persons'
        ) }} as active_persons_rate,
        grid.is_complete_period
    from grid
    left join bucket_counts
        on
            grid.{{ period }}_start_date = bucket_counts.{{ period }}_start_date
            and grid.n_active_days = bucket_counts.n_active_days
    left join period_totals
        on grid.{{ period }}_start_date = period_totals.{{ period }}_start_date
)

select * from final
{%- endmacro %}
