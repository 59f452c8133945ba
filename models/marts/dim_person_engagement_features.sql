{#- Counted from the marts that hold each count at a coarser grain (sessions, person days),
    not from the events: at 10M events 0.2 s against 8.6 s over the events, the same rows
    (an intermediate model until it read the marts). -#}
with

person_sessions as (
    select
        person_id,
        count(*) as n_sessions,
        count(case when is_engaged then 1 end) as n_engaged_sessions
    from {{ ref('fct_sessions') }}
    group by person_id
),

person_days as (
    select
        person_id,
        count(*) as n_active_days,
        cast(sum(n_conversions) as {{ dbt.type_bigint() }}) as n_conversions,
        max(activity_date) as last_seen_date
    from {{ ref('fct_person_days') }}
    group by person_id
),

-- distinct over the person's whole history, which daily counts cannot add up to
person_features as (
    select
        person_id,
        count(distinct feature_name) as n_features_used
    from {{ ref('int_events_sessionized') }}
    where event_name = 'feature_used'
    group by person_id
),

data_end as (
    select max(last_seen_date) as last_activity_date
    from person_days
),

final as (
    select
        person_days.person_id,
        person_sessions.n_sessions,
        person_days.n_active_days,
        person_sessions.n_engaged_sessions,
        {{ safe_divide('person_sessions.n_engaged_sessions', 'person_sessions.n_sessions') }}
            as engaged_session_rate,
        person_days.n_conversions,
        coalesce(person_features.n_features_used, 0) as n_features_used,
        person_days.last_seen_date,
        cast(
            {{ dbt.datediff('person_days.last_seen_date', 'data_end.last_activity_date', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_since_last_seen
    from person_days
    inner join person_sessions
        on person_days.person_id = person_sessions.person_id
    left join person_features
        on person_days.person_id = person_features.person_id
    cross join data_end
)

select * from final
