{#- The deduplicated events counted per hour they occurred, event name and device, with the
    null count of every watched column (macro data_health_null_columns): the one pass over
    the events that the hourly volume, null-rate and freshness reports share. -#}
with

events as (
    select
        occurred_at,
        received_at,
        coalesce(anonymous_id, user_id) as device_id,
        event_name,
        {%- for column in data_health_null_columns() %}
            {{ column }},
        {%- endfor %}
        coalesce(device_type, 'unknown') as device_type
    from {{ ref('int_events_deduplicated') }}
),

final as (
    select
        {{ dbt.date_trunc('hour', 'occurred_at') }} as hour_at,
        event_name,
        device_type,
        count(*) as n_events,
        count(distinct device_id) as n_devices,
        {%- for column in data_health_null_columns() %}
            count(*) - count({{ column }}) as n_null_{{ column }},
        {%- endfor %}
        max(occurred_at) as newest_occurred_at,
        max(received_at) as newest_received_at
    from events
    group by
        {{ dbt.date_trunc('hour', 'occurred_at') }},
        event_name,
        device_type
)

select * from final
