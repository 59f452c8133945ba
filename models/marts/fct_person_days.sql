{#- Incremental: the rows of every affected person (macro incremental_affected_persons)
    are rebuilt from that person's events and replace the stored ones (delete+insert by
    person_id, materialization event_incremental), which also deletes the rows of anonymous
    persons merged into a user. A run, full or incremental, builds in var person_buckets
    statements. -#}
{{ config(
    materialized='event_incremental',
    incremental_strategy='affected_persons',
    unique_key='person_id',
    person_buckets=var('person_buckets'),
    partition_by=partition_columns(['activity_date'])
) }}

with

sessionized_events as (
    select
        person_id,
        session_id,
        cast(occurred_at as date) as activity_date,
        is_page_view,
        is_conversion,
        event_name,
        feature_name,
        revenue,
        received_at,
        loaded_at
    from {{ ref('int_events_sessionized') }}
),

events as (
    {{ affected_person_events('sessionized_events') | indent(4) }}
),

sessions as (
    select
        session_id,
        is_engaged
    from {{ ref('fct_sessions') }}
),

person_days as (
    select
        events.person_id,
        events.activity_date,
        count(*) as n_events,
        count(case when events.is_page_view then 1 end) as n_page_views,
        count(distinct events.session_id) as n_sessions,
        count(distinct case when sessions.is_engaged then events.session_id end)
            as n_engaged_sessions,
        count(case when events.is_conversion then 1 end) as n_conversions,
        count(distinct case when events.event_name = 'feature_used' then events.feature_name end)
            as n_features_used,
        -- decimal(38, 6) on every engine (Spark's sum widens by 10 digits only): the contract
        cast(coalesce(sum(events.revenue), 0) as decimal(38, 6)) as revenue,
        max(events.received_at) as last_received_at,
        max(events.loaded_at) as last_loaded_at
    from events
    inner join sessions
        on events.session_id = sessions.session_id
    group by
        events.person_id,
        events.activity_date
),

final as (
    select
        {{ surrogate_key(['person_id', 'activity_date']) }} as person_day_id,
        person_id,
        activity_date,
        n_events,
        n_page_views,
        n_sessions,
        n_engaged_sessions,
        n_conversions,
        n_features_used,
        revenue,
        last_received_at,
        last_loaded_at
    from person_days
)

select * from final
