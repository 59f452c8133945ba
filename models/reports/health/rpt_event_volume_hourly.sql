{#- Hourly volumes against their seasonal band (macro seasonal_volume_band): events per
    event name and device (and all devices) in the hour they occurred, sessions per channel
    group in the hour they started. -#}
with

profile as (
    select
        hour_at,
        event_name,
        device_type,
        n_events,
        newest_received_at
    from {{ ref('int_events_profiled_hourly') }}
),

sessions as (
    select
        started_at,
        channel_group
    from {{ ref('fct_sessions') }}
),

-- hours from here on are still filling with late arrivals: not checked
settled as (
    select
        {{ dbt.dateadd(
            'hour',
            -var('data_health_settle_hours'),
            dbt.date_trunc('hour', 'max(newest_received_at)'),
        ) }} as settled_before
    from profile
),

hour_range as (
    select
        min(hour_at) as first_hour_at,
        max(hour_at) as last_hour_at
    from profile
),

hours as (
    {{ hour_spine('hour_range') | indent(4) }}
),

counted as (
    select
        'events' as metric,
        event_name,
        device_type,
        'all' as channel_group,
        hour_at,
        n_events as n_observed
    from profile
    union all
    select
        'events' as metric,
        event_name,
        'all' as device_type,
        'all' as channel_group,
        hour_at,
        sum(n_events) as n_observed
    from profile
    group by
        hour_at,
        event_name
    union all
    select
        'sessions' as metric,
        'all' as event_name,
        'all' as device_type,
        channel_group,
        {{ dbt.date_trunc('hour', 'started_at') }} as hour_at,
        count(*) as n_observed
    from sessions
    group by
        {{ dbt.date_trunc('hour', 'started_at') }},
        channel_group
),

count_keys as (
    select distinct
        metric,
        event_name,
        device_type,
        channel_group
    from counted
),

-- every hour of the data for every key, zeros included
counts as (
    select
        count_keys.metric,
        count_keys.event_name,
        count_keys.device_type,
        count_keys.channel_group,
        hours.hour_at,
        coalesce(counted.n_observed, 0) as n_observed
    from hours
    cross join count_keys
    left join counted
        on
            hours.hour_at = counted.hour_at
            and count_keys.metric = counted.metric
            and count_keys.event_name = counted.event_name
            and count_keys.device_type = counted.device_type
            and count_keys.channel_group = counted.channel_group
),

-- an event name in var data_health_unchecked_event_names is counted, not checked
checked_counts as (
    select
        counts.*,
        counts.hour_at < settled.settled_before
        {%- for event_name in var('data_health_unchecked_event_names') %}
            and counts.event_name != {{ text_literal(event_name) }}
        {%- endfor %} as is_checked
    from counts
    cross join settled
),

banded as (
    {{ seasonal_volume_band(
        'checked_counts', ['metric', 'event_name', 'device_type', 'channel_group']
    ) | indent(4) }}
),

final as (
    select
        hour_at,
        metric,
        event_name,
        device_type,
        channel_group,
        cast(n_observed as {{ dbt.type_bigint() }}) as n_observed,
        cast(n_baseline_weeks as {{ dbt.type_int() }}) as n_baseline_weeks,
        cast(expected as {{ type_double() }}) as expected,
        cast(dispersion as {{ type_double() }}) as dispersion,
        cast(spread as {{ type_double() }}) as spread,
        cast(lower_bound as {{ type_double() }}) as lower_bound,
        cast(upper_bound as {{ type_double() }}) as upper_bound,
        cast(z_score as {{ type_double() }}) as z_score,
        cast(window_z_score as {{ type_double() }}) as window_z_score,
        anomaly_kind,
        severity
    from banded
)

select * from final
