{#- Incremental: every event of each affected person (macro affected_person_events) is
    matched again and replaces its rows (delete+insert by funnel_step_event_id; an event that
    moved to another person keeps its key and is replaced too). -#}
{{ config(
    materialized='event_incremental',
    incremental_strategy='affected_persons',
    unique_key='funnel_step_event_id'
) }}

with

sessionized_events as (
    select
        event_id,
        person_id,
        session_id,
        event_name,
        page_path,
        occurred_at,
        received_at,
        loaded_at
    from {{ ref('int_events_sessionized') }}
),

events as (
    {{ affected_person_events('sessionized_events') | indent(4) }}
),

funnel_steps as (
    select
        funnel_name,
        step_number,
        step_name,
        event_name,
        page_path_pattern,
        step_order
    from {{ ref('funnel_steps') }}
),

matched as (
    select
        funnel_steps.funnel_name,
        funnel_steps.step_number,
        funnel_steps.step_name,
        funnel_steps.step_order,
        events.event_id,
        events.person_id,
        events.session_id,
        events.event_name,
        events.page_path,
        events.occurred_at,
        events.received_at,
        events.loaded_at
    from events
    inner join funnel_steps
        on events.event_name = funnel_steps.event_name
    where
        funnel_steps.page_path_pattern is null
        or funnel_steps.page_path_pattern = ''
        or coalesce(
            {{ regex_matches_column('events.page_path', 'funnel_steps.page_path_pattern') }},
            false
        )
),

final as (
    select
        {{ surrogate_key(['matched.funnel_name', 'matched.step_number', 'matched.event_id']) }}
            as funnel_step_event_id,
        matched.funnel_name,
        matched.step_number,
        matched.step_name,
        matched.step_order,
        matched.event_id,
        matched.person_id,
        matched.session_id,
        matched.event_name,
        matched.page_path,
        matched.occurred_at,
        matched.received_at,
        matched.loaded_at
    from matched
)

select * from final
