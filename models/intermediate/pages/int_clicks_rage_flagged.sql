with

events as (
    select * from {{ ref('int_events_sessionized') }}
),

-- The click events of the tracking plan: a click on a page element, and a click that raised
-- a visible error; both carry element and click position.
clicks as (
    select
        event_id,
        session_id,
        person_id,
        event_name,
        occurred_at,
        page_path,
        device_type,
        element,
        click_x,
        click_y
    from events
    where event_name in ('click', 'error_click')
),

clicks_flagged as (
    {{ rage_clicks('clicks') }}
),

final as (
    select
        event_id,
        session_id,
        person_id,
        event_name,
        event_name = 'error_click' as is_error_click,
        occurred_at,
        page_path,
        device_type,
        element,
        click_x,
        click_y,
        is_rage_click
    from clicks_flagged
)

select * from final
