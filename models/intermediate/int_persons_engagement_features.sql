with

events as (
    select
        person_id,
        session_id,
        occurred_at,
        cast(occurred_at as date) as activity_date,
        event_name,
        feature_name,
        is_page_view,
        is_conversion
    from {{ ref('int_events_sessionized') }}
),

sessions as (
    select
        person_id,
        session_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(case when is_page_view then 1 end) as n_page_views,
        count(case when is_conversion then 1 end) as n_conversions
    from events
    group by
        person_id,
        session_id
),

sessions_classified as (
    select
        person_id,
        session_id,
        {{ is_engaged_session(
            seconds_between('started_at', 'ended_at'), 'n_conversions', 'n_page_views'
        ) }} as is_engaged
    from sessions
),

person_sessions as (
    select
        person_id,
        count(*) as n_sessions,
        count(case when is_engaged then 1 end) as n_engaged_sessions
    from sessions_classified
    group by person_id
),

person_events as (
    select
        person_id,
        count(distinct activity_date) as n_active_days,
        count(case when is_conversion then 1 end) as n_conversions,
        count(distinct case when event_name = 'feature_used' then feature_name end)
            as n_features_used,
        max(activity_date) as last_seen_date
    from events
    group by person_id
),

data_end as (
    select max(activity_date) as last_activity_date
    from events
),

final as (
    select
        person_events.person_id,
        person_sessions.n_sessions,
        person_events.n_active_days,
        person_sessions.n_engaged_sessions,
        {{ safe_divide('person_sessions.n_engaged_sessions', 'person_sessions.n_sessions') }}
            as engaged_session_rate,
        person_events.n_conversions,
        person_events.n_features_used,
        person_events.last_seen_date,
        {{ dbt.datediff('person_events.last_seen_date', 'data_end.last_activity_date', 'day') }}
            as days_since_last_seen
    from person_events
    inner join person_sessions
        on person_events.person_id = person_sessions.person_id
    cross join data_end
)

select * from final
