{#- Every event name among the clean events, with its tracking-plan category and volume:
    where custom events (names in neither the tracking_plan nor the event_name_aliases seed)
    are counted and seen. -#}
with

events as (
    select
        event_name,
        event_category,
        person_id,
        occurred_at
    from {{ ref('int_events_sessionized') }}
),

final as (
    select
        event_name,
        event_category,
        event_category <> 'custom' as is_in_tracking_plan,
        count(*) as n_events,
        count(distinct person_id) as n_persons,
        min(occurred_at) as first_occurred_at,
        max(occurred_at) as last_occurred_at
    from events
    group by event_name, event_category
)

select * from final
