{#- The daily series the channel forecasts read: sessions and active persons per channel
    group and for all, every day of the data but the last (still filling), zeros included. -#}
with

sessions as (
    select
        session_date,
        channel_group,
        person_id
    from {{ ref('fct_sessions') }}
),

counted as (
    select
        session_date as activity_date,
        channel_group,
        count(*) as n_sessions,
        count(distinct person_id) as n_active_persons
    from sessions
    group by
        session_date,
        channel_group
    union all
    select
        session_date as activity_date,
        'all' as channel_group,
        count(*) as n_sessions,
        count(distinct person_id) as n_active_persons
    from sessions
    group by session_date
),

-- the days of the data but the last, which is still filling
date_range as (
    select
        min(activity_date) as first_date,
        cast({{ dbt.dateadd('day', -1, 'max(activity_date)') }} as date) as last_date
    from counted
),

days as (
    select
        calendar_dates.date_day as activity_date,
        {{ dbt.datediff('date_range.first_date', 'calendar_dates.date_day', 'day') }}
            as day_number
    from {{ ref('dim_dates') }} as calendar_dates
    cross join date_range
    where calendar_dates.date_day between date_range.first_date and date_range.last_date
),

channel_groups as (
    select distinct channel_group
    from counted
),

-- every day x channel group, zeros included
filled as (
    select
        days.activity_date,
        days.day_number,
        channel_groups.channel_group,
        coalesce(counted.n_sessions, 0) as n_sessions,
        coalesce(counted.n_active_persons, 0) as n_active_persons
    from days
    cross join channel_groups
    left join counted
        on
            days.activity_date = counted.activity_date
            and channel_groups.channel_group = counted.channel_group
),

daily as (
    select
        activity_date,
        day_number,
        channel_group,
        'sessions' as metric,
        n_sessions as observed
    from filled
    union all
    select
        activity_date,
        day_number,
        channel_group,
        'active_persons' as metric,
        n_active_persons as observed
    from filled
),

final as (
    select
        metric,
        channel_group,
        activity_date,
        cast(day_number as {{ dbt.type_int() }}) as day_number,
        cast(observed as {{ dbt.type_bigint() }}) as observed
    from daily
)

select * from final
