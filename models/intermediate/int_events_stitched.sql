{#- Incremental: events loaded since the last run, and every event of a device seen
    with a user_id on such an event (a login may move the device's history to another
    person), are stitched again (delete+insert by event_id). -#}
{{ config(materialized=incremental_materialization(), unique_key='event_id') }}

with

deduplicated_events as (
    select * from {{ ref('int_events_deduplicated') }}
),
{% if is_incremental() %}
    -- the logged-in devices are read from the table, not from deduplicated_events: a CTE
    -- referenced twice is materialized (DuckDB, Postgres), a full copy of the events
    events as (
        select * from deduplicated_events
        where
            {{ loaded_since_last_run('loaded_at') }}
            or anonymous_id in (
                select arrived.anonymous_id
                from {{ ref('int_events_deduplicated') }} as arrived
                where
                    {{ loaded_since_last_run('arrived.loaded_at') }}
                    and arrived.user_id is not null
                    and arrived.anonymous_id is not null
            )
    ),
{% else %}
    events as (
        select * from deduplicated_events
    ),
{% endif %}

identities as (
    select
        anonymous_id,
        person_id
    from {{ ref('int_anonymous_ids_stitched') }}
),

final as (
    select
        events.event_id,
        -- the event's own user id wins; else the device's last known user; else the device
        coalesce(events.user_id, identities.person_id) as person_id,
        events.anonymous_id,
        events.user_id,
        events.tracker_session_id,
        events.event_name,
        events.occurred_at,
        events.received_at,
        events.loaded_at,
        events.page_url,
        events.page_host,
        events.page_path,
        events.referrer_url,
        events.referrer_host,
        events.utm_source,
        events.utm_medium,
        events.utm_campaign,
        events.utm_content,
        events.utm_term,
        events.device_type,
        events.country,
        events.element,
        events.click_x,
        events.click_y,
        events.feature_name,
        events.product_id,
        events.revenue,
        events.properties
    from events
    left join identities
        on events.anonymous_id = identities.anonymous_id
)

select * from final
