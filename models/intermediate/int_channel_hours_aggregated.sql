with

events as (
    select
        session_id,
        person_id,
        occurred_at,
        is_page_view,
        is_conversion
    from {{ ref('int_events_sessionized') }}
),

channels as (
    select
        session_id,
        channel_group
    from {{ ref('int_sessions_channel_grouped') }}
),

-- the session measures of fct_sessions, from the same events and the same macros
session_totals as (
    select
        session_id,
        person_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as n_events,
        count(case when is_page_view then 1 end) as n_page_views,
        count(case when is_conversion then 1 end) as n_conversions
    from events
    group by
        session_id,
        person_id
),

session_durations as (
    select
        session_id,
        person_id,
        started_at,
        {{ seconds_between('started_at', 'ended_at') }} as duration_seconds,
        n_events,
        n_page_views,
        n_conversions
    from session_totals
),

sessions as (
    select
        session_durations.person_id,
        session_durations.started_at,
        session_durations.duration_seconds,
        session_durations.n_events,
        {{ is_engaged_session(
            'session_durations.duration_seconds',
            'session_durations.n_conversions',
            'session_durations.n_page_views'
        ) }} as is_engaged,
        channels.channel_group
    from session_durations
    inner join channels
        on session_durations.session_id = channels.session_id
),

session_hours as (
    select
        sessions.*,
        {{ dbt.date_trunc('hour', 'started_at') }} as hour_started_at
    from sessions
),

hour_range as (
    select
        min(hour_started_at) as first_hour_at,
        max(hour_started_at) as last_hour_at
    from session_hours
),

hours as (
    {{ hour_spine('hour_range') | indent(4) }}
),

channel_groups as (
    select distinct channel_group
    from sessions
),

-- Every hour x channel seen in the data, so an hour without sessions reports zeros.
grid as (
    select
        hours.hour_at as hour_started_at,
        channel_groups.channel_group
    from hours
    cross join channel_groups
),

hourly as (
    select
        hour_started_at,
        channel_group,
        count(distinct person_id) as users,
        count(*) as sessions,
        count(case when is_engaged then 1 end) as engaged_sessions,
        sum(duration_seconds) as duration_seconds,
        cast(sum(n_events) as {{ dbt.type_bigint() }}) as event_count
    from session_hours
    group by
        hour_started_at,
        channel_group
),

filled as (
    select
        grid.hour_started_at,
        grid.channel_group,
        cast(coalesce(hourly.users, 0) as {{ dbt.type_bigint() }}) as users,
        cast(coalesce(hourly.sessions, 0) as {{ dbt.type_bigint() }}) as sessions,
        cast(coalesce(hourly.engaged_sessions, 0) as {{ dbt.type_bigint() }})
            as engaged_sessions,
        coalesce(hourly.duration_seconds, 0) as duration_seconds,
        coalesce(hourly.event_count, 0) as event_count
    from grid
    left join hourly
        on
            grid.hour_started_at = hourly.hour_started_at
            and grid.channel_group = hourly.channel_group
),

final as (
    select
        cast(
            cast(
                extract(year from hour_started_at) * 1000000
                + extract(month from hour_started_at) * 10000
                + extract(day from hour_started_at) * 100
                + extract(hour from hour_started_at)
                as {{ dbt.type_bigint() }}
            ) as {{ dbt.type_string() }}
        ) as date_hour,
        channel_group as session_primary_channel_group,
        users,
        sessions,
        engaged_sessions,
        coalesce({{ safe_divide('duration_seconds', 'sessions') }}, 0)
            as average_engagement_time_per_session,
        coalesce({{ safe_divide('engaged_sessions', 'users') }}, 0) as engaged_sessions_per_user,
        coalesce({{ safe_divide('event_count', 'sessions') }}, 0) as events_per_session,
        coalesce({{ safe_divide('engaged_sessions', 'sessions') }}, 0) as engagement_rate,
        event_count
    from filled
)

select * from final
