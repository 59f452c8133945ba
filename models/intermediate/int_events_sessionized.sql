{#- Incremental: each affected person (macro incremental_affected_persons: a new event, or
    a device login that moves history) is sessionized again from the last stored activity
    block that starts at or before their earliest change (macro session_rebuild_boundaries;
    the whole history when their history moved), and the rows from there replace the stored
    ones by event_id (materialization event_incremental, rebuild_from_change): sessions
    never depend on events more than one timeout before their block's start, so this
    equals a full rebuild. A run, full or incremental, builds in var person_buckets
    statements (default 1). -#}
{{ config(
    materialized='event_incremental',
    incremental_strategy='affected_persons',
    unique_key='event_id',
    affected_persons_from='int_events_stitched',
    rebuild_from_change=true,
    person_buckets=var('person_buckets')
) }}

{#- a full build reads the stitched events themselves (macro sessionize reads its input
    twice; a CTE of every event would be stored in full) -#}
{%- set sessionize_input = 'events_to_sessionize' if builds_selected_persons()
    else ref('int_events_stitched') %}

with

{% if builds_selected_persons() %}
    events as (
        select * from {{ ref('int_events_stitched') }}
    ),
    {%- if is_incremental_build() %}

        -- the rebuilt persons' events, by a semi-join on the stored persons (an exact row
        -- count) before the join with their boundaries (at 10M events no faster; it keeps
        -- that join from hashing the events whatever the estimates)
        build_person_events as (
            select * from events
            where person_id in (
                select build_persons.person_id
                from {{ build_persons_relation() }} as build_persons
            )
        ),

        rebuild_boundaries as (
            {{ session_rebuild_boundaries(this, build_persons_relation()) | indent(12) }}
        ),

        -- each rebuilt person's events from the last one before the first rebuilt block: its
        -- gap to that block's start is part of the block's first row
        events_to_sessionize as (
            select
                events.*,
                rebuild_boundaries.rebuild_from
            from build_person_events as events
            inner join rebuild_boundaries
                on events.person_id = rebuild_boundaries.person_id
            where
                rebuild_boundaries.read_from is null
                or events.occurred_at >= rebuild_boundaries.read_from
        ),
    {%- else %}

        events_to_sessionize as (
            {{ affected_person_events('events') | indent(12) }}
        ),
    {%- endif %}
{% endif %}

tracking_plan as (
    select
        event_name,
        event_category,
        is_page_view,
        is_conversion
    from {{ ref('tracking_plan') }}
),

sessionized as (
    {{ sessionize(sessionize_input) }}
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
    {%- if is_incremental_build() %}
        -- the event before the first rebuilt block was read for its gap only
        where
            sessionized.rebuild_from is null
            or sessionized.occurred_at >= sessionized.rebuild_from
    {%- endif %}
)

select * from final
