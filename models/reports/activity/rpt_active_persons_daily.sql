{%- set week_days = var('active_persons_week_days') -%}
{%- set month_days = var('active_persons_month_days') -%}
{%- if week_days > month_days -%}
    {{ exceptions.raise_compiler_error(
        'active_persons_week_days must not exceed active_persons_month_days'
    ) }}
{%- endif -%}

with

person_days as (
    select
        person_id,
        activity_date
    from {{ ref('fct_person_days') }}
),

data_range as (
    select
        min(activity_date) as first_activity_date,
        max(activity_date) as last_activity_date
    from person_days
),

-- 0 .. 99999: enough days for 270 years of data
day_numbers as (
    select cast(generated_number - 1 as {{ dbt.type_int() }}) as day_number
    from ({{ dbt.generate_series(100000) }}) as series
),

calendar as (
    select
        cast(
            {{ dbt.dateadd('day', 'day_numbers.day_number', 'data_range.first_activity_date') }}
            as date
        ) as activity_date,
        data_range.first_activity_date
    from day_numbers
    cross join data_range
    where
        day_numbers.day_number
        <= {{ dbt.datediff(
            'data_range.first_activity_date', 'data_range.last_activity_date', 'day'
        ) }}
),

windows as (
    select
        activity_date,
        first_activity_date,
        cast({{ dbt.dateadd('day', 1 - week_days, 'activity_date') }} as date)
            as week_window_start_date,
        cast({{ dbt.dateadd('day', 1 - month_days, 'activity_date') }} as date)
            as month_window_start_date
    from calendar
),

window_activity as (
    select
        windows.activity_date,
        count(distinct case
            when person_days.activity_date = windows.activity_date
                then person_days.person_id
        end) as dau,
        count(distinct case
            when person_days.activity_date >= windows.week_window_start_date
                then person_days.person_id
        end) as wau,
        count(distinct person_days.person_id) as mau
    from windows
    left join person_days
        on
            windows.activity_date >= person_days.activity_date
            and windows.month_window_start_date <= person_days.activity_date
    group by windows.activity_date
),

final as (
    select
        windows.activity_date,
        window_activity.dau,
        window_activity.wau,
        window_activity.mau,
        {{ safe_divide('window_activity.dau', 'window_activity.mau') }} as dau_mau_ratio,
        windows.month_window_start_date >= windows.first_activity_date
            as is_month_window_complete
    from windows
    inner join window_activity
        on windows.activity_date = window_activity.activity_date
)

select * from final
