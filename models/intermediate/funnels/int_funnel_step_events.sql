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

-- a step's page path pattern is matched once per distinct page path it is tested on, not
-- once per event (a pattern held in a column is compiled again for every row it is tested
-- on: at 10M events, half of them page views, the per-event match took most of this
-- model's 16 s)
page_path_matches as (
    select
        paths.page_path,
        paths.page_path_pattern,
        coalesce(
            {{ regex_matches_column('paths.page_path', 'paths.page_path_pattern') }}, false
        ) as is_match
    from (
        -- read from the table, not from sessionized_events: a CTE referenced twice is
        -- materialized (DuckDB, Postgres), a copy of every event
        select distinct
            path_events.page_path,
            funnel_steps.page_path_pattern
        from {{ ref('int_events_sessionized') }} as path_events
        inner join funnel_steps
            on path_events.event_name = funnel_steps.event_name
        where funnel_steps.page_path_pattern <> ''
    ) as paths
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
    left join page_path_matches
        on
            events.page_path = page_path_matches.page_path
            and funnel_steps.page_path_pattern = page_path_matches.page_path_pattern
    where
        funnel_steps.page_path_pattern is null
        or funnel_steps.page_path_pattern = ''
        or page_path_matches.is_match
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
