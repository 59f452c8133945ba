{#- Incremental: the anonymous_ids with an event loaded since the last run are mapped
    again from all their events (delete+insert by anonymous_id). -#}
{{ config(materialized='event_incremental', unique_key='anonymous_id') }}

with

device_events as (
    select
        event_id,
        anonymous_id,
        user_id,
        occurred_at,
        received_at,
        loaded_at
    from {{ ref('int_events_deduplicated') }}
    where anonymous_id is not null
),
{% if is_incremental_build() %}
    -- the arrived devices are read from the table, not from device_events: a CTE
    -- referenced twice is materialized (DuckDB, Postgres), a copy of every device event
    events as (
        select * from device_events
        where anonymous_id in (
            select arrived.anonymous_id
            from {{ ref('int_events_deduplicated') }} as arrived
            where {{ loaded_since_last_run('arrived.loaded_at', 'last_loaded_at') }}
        )
    ),
{% else %}
    events as (
        select * from device_events
    ),
{% endif %}

identified_events as (
    select
        anonymous_id,
        user_id,
        row_number() over (
            partition by anonymous_id
            order by occurred_at desc, received_at desc, event_id desc
        ) as recency_rank
    from events
    where user_id is not null
),

last_known_user as (
    select
        anonymous_id,
        user_id
    from identified_events
    where recency_rank = 1
),

anonymous_ids as (
    select
        anonymous_id,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at,
        max(received_at) as last_received_at,
        max(loaded_at) as last_loaded_at
    from events
    group by anonymous_id
),

final as (
    select
        anonymous_ids.anonymous_id,
        last_known_user.user_id as stitched_user_id,
        coalesce(last_known_user.user_id, anonymous_ids.anonymous_id) as person_id,
        last_known_user.user_id is not null as is_identified,
        anonymous_ids.first_seen_at,
        anonymous_ids.last_seen_at,
        anonymous_ids.last_received_at,
        anonymous_ids.last_loaded_at
    from anonymous_ids
    left join last_known_user
        on anonymous_ids.anonymous_id = last_known_user.anonymous_id
)

select * from final
