{#- Incremental: the page views of every affected person (macro affected_person_events)
    are rebuilt from that person's events and replace the stored ones (delete+insert by
    page_view_id, the event_id: a page view that moved to another person, with a login
    or an anonymous history merged into a user, is replaced by its new row even when its
    former person has no page view left). -#}
{{ config(
    materialized='event_incremental',
    incremental_strategy='affected_persons',
    unique_key='page_view_id'
) }}

with

sessionized_events as (
    select
        event_id,
        session_id,
        person_id,
        event_index,
        is_page_view,
        occurred_at,
        page_url,
        page_host,
        page_path,
        referrer_url,
        device_type,
        country,
        received_at,
        loaded_at
    from {{ ref('int_events_sessionized') }}
),

events as (
    {{ affected_person_events('sessionized_events') | indent(4) }}
),

events_with_next as (
    select
        *,
        lead(occurred_at) over (partition by session_id order by event_index) as next_event_at
    from events
),

page_views as (
    select
        *,
        -- bigint on every engine (Spark's row_number is an int): the contract
        cast(
            row_number() over (partition by session_id order by event_index)
            as {{ dbt.type_bigint() }}
        )
            as page_view_index,
        count(*) over (partition by session_id) as n_session_page_views
    from events_with_next
    where is_page_view
),

final as (
    select
        event_id as page_view_id,
        session_id,
        person_id,
        page_view_index,
        cast(event_index as {{ dbt.type_bigint() }}) as event_index,
        occurred_at as viewed_at,
        page_url,
        page_host,
        page_path,
        referrer_url,
        device_type,
        country,
        received_at,
        loaded_at,
        {{ seconds_between('occurred_at', 'next_event_at') }} as time_on_page_seconds,
        page_view_index = 1 as is_entrance,
        page_view_index = n_session_page_views as is_exit
    from page_views
)

select * from final
