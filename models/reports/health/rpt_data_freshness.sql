{#- How fresh the events are, per event name and for all of them: the newest occurred_at and
    received_at, hours since the newest received event at data_health_as_of (default: when
    the run started) against the thresholds, and the delivery lag of the last day. -#}
{%- set as_of = var('data_health_as_of') or run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
{%- set default_hours = var('data_health_freshness_hours') -%}
{%- set overrides = var('data_health_freshness_overrides') -%}
{%- set as_of_timestamp = "cast('" ~ as_of ~ "' as " ~ dbt.type_timestamp() ~ ")" -%}
{#- each level's threshold: the name's override, else the default -#}
{%- set after_hours = {} -%}
{%- for level in ['warn', 'error'] -%}
    {%- set whens = [] -%}
    {%- for event_name, hours in overrides.items() -%}
        {%- do whens.append(
            'when newest.event_name = ' ~ text_literal(event_name) ~ ' then ' ~ hours[level]
        ) -%}
    {%- endfor -%}
    {%- do after_hours.update({level: (
        'case ' ~ whens | join(' ') ~ ' else ' ~ default_hours[level] ~ ' end'
    ) if whens else default_hours[level]}) -%}
{%- endfor %}
with

events as (
    select
        event_name,
        occurred_at,
        received_at
    from {{ ref('int_events_deduplicated') }}
),

newest as (
    select
        event_name,
        max(occurred_at) as newest_occurred_at,
        max(received_at) as newest_received_at
    from events
    group by event_name
    union all
    select
        'all' as event_name,
        max(occurred_at) as newest_occurred_at,
        max(received_at) as newest_received_at
    from events
),

-- the delivery lag of the events received in the day before each name's newest one
last_day_events as (
    select
        events.event_name,
        {{ seconds_between('events.occurred_at', 'events.received_at') }} as lag_seconds
    from events
    inner join newest
        on events.event_name = newest.event_name
    where events.received_at > {{ dbt.dateadd('hour', -24, 'newest.newest_received_at') }}
),

last_day_lags as (
    select
        event_name,
        {{ median('lag_seconds') }} as median_lag_seconds,
        {{ percentile('lag_seconds', 0.95) }} as p95_lag_seconds
    from last_day_events
    group by event_name
    union all
    select
        'all' as event_name,
        {{ median('lag_seconds') }} as median_lag_seconds,
        {{ percentile('lag_seconds', 0.95) }} as p95_lag_seconds
    from last_day_events
),

ages as (
    select
        newest.*,
        {{ as_of_timestamp }} as as_of,
        {{ seconds_between('newest.newest_received_at', as_of_timestamp) }} / 3600.0
            as hours_since_received,
        {{ after_hours['warn'] }} as warn_after_hours,
        {{ after_hours['error'] }} as error_after_hours
    from newest
),

final as (
    select
        ages.event_name,
        ages.newest_occurred_at,
        ages.newest_received_at,
        ages.as_of,
        cast(ages.hours_since_received as {{ type_double() }}) as hours_since_received,
        cast(ages.warn_after_hours as {{ type_double() }}) as warn_after_hours,
        cast(ages.error_after_hours as {{ type_double() }}) as error_after_hours,
        last_day_lags.median_lag_seconds,
        last_day_lags.p95_lag_seconds,
        case
            when ages.hours_since_received > ages.error_after_hours then 'error'
            when ages.hours_since_received > ages.warn_after_hours then 'warn'
            else 'ok'
        end as freshness_status
    from ages
    left join last_day_lags
        on ages.event_name = last_day_lags.event_name
)

select * from final
