{#- Incremental: the whole event history of every affected person (macro
    affected_person_events: a new event, or a device login that moves history) is
    sessionized again and replaces that person's rows (delete+insert by event_id: an event
    that moved to another person is replaced too). Sessions depend only on the person's own
    events, so this equals a full rebuild; for the same reason a full build can run in
    person buckets (var person_buckets; materialization event_incremental). -#}
{{ config(
    materialized='event_incremental',
    incremental_strategy='affected_persons',
    unique_key='event_id',
    affected_persons_from='int_events_stitched'
) }}

with

events as (
    select * from {{ ref('int_events_stitched') }}
),

events_to_sessionize as (
    {{ affected_person_events('events') | indent(4) }}
),

tracking_plan as (
    select
        event_name,
        event_category,
        is_page_view,
        is_conversion
    from {{ ref('tracking_plan') }}
),

sessionized as (
    {{ sessionize('events_to_sessionize') }}
),

final as (
    select
        sessionized.event_id,
        sessionized.session_id,
        sessionized.event_index,
        sessionized.person_id,
        sessionized.anonymous_id,
        sessionized.user_id,
        sessionized.tracker_session_id,
        sessionized.event_name,
        -- an event not in the tracking plan is a custom event: neither a page view nor a
        -- conversion
        coalesce(tracking_plan.event_category, 'custom') as event_category,
        coalesce(tracking_plan.is_page_view, false) as is_page_view,
        coalesce(tracking_plan.is_conversion, false) as is_conversion,
        sessionized.occurred_at,
        sessionized.received_at,
        sessionized.loaded_at,
        {{ milliseconds_to_seconds('sessionized.ms_since_previous_event') }}
            as seconds_since_previous_event,
        sessionized.page_url,
        sessionized.page_host,
        sessionized.page_path,
        sessionized.referrer_url,
        sessionized.referrer_host,
        sessionized.utm_source,
        sessionized.utm_medium,
        sessionized.utm_campaign,
        sessionized.utm_content,
        sessionized.utm_term,
        sessionized.device_type,
        sessionized.country,
        sessionized.element,
        sessionized.click_x,
        sessionized.click_y,
        sessionized.feature_name,
        sessionized.product_id,
        sessionized.revenue,
        sessionized.properties
    from sessionized
    left join tracking_plan
        on sessionized.event_name = tracking_plan.event_name
)

select * from final
