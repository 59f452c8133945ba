with

events as (
    select * from {{ ref('int_events_stitched') }}
),

tracking_plan as (
    select
        event_name,
        is_page_view,
        is_conversion
    from {{ ref('tracking_plan') }}
),

sessionized as (
    {{ sessionize('events') }}
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
        tracking_plan.is_page_view,
        tracking_plan.is_conversion,
        sessionized.occurred_at,
        sessionized.received_at,
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
    inner join tracking_plan
        on sessionized.event_name = tracking_plan.event_name
)

select * from final
