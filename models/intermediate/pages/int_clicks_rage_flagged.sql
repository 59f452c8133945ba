{#- Incremental: the clicks of each affected person (macro affected_person_events) are
    flagged again (a burst lies within one session, so within one person) and replace their
    rows (delete+insert by event_id; a click that moved to another person is replaced too). -#}
{{ config(
    materialized='event_incremental',
    incremental_strategy='affected_persons',
    unique_key='event_id'
) }}

with

sessionized_events as (
    select * from {{ ref('int_events_sessionized') }}
),

events as (
    {{ affected_person_events('sessionized_events') | indent(4) }}
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
        click_y,
        received_at,
        loaded_at
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
        is_rage_click,
        received_at,
        loaded_at
    from clicks_flagged
)

select * from final
