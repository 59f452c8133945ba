{#- Events received per hour, their delivery lag, and the count against its seasonal band
    (macro seasonal_volume_band): a landing job that stalls shows as hours without rows,
    then a burst. -#}
with

events as (
    select
        occurred_at,
        received_at,
        {{ seconds_between('occurred_at', 'received_at') }} as lag_seconds
    from {{ ref('int_events_deduplicated') }}
),

received_hours as (
    select
        {{ dbt.date_trunc('hour', 'received_at') }} as hour_at,
        count(*) as n_received,
        {{ median('lag_seconds') }} as median_lag_seconds,
        {{ percentile('lag_seconds', 0.95) }} as p95_lag_seconds,
        max(lag_seconds) as max_lag_seconds
    from events
    group by {{ dbt.date_trunc('hour', 'received_at') }}
),

hour_range as (
    select
        min(hour_at) as first_hour_at,
        max(hour_at) as last_hour_at
    from received_hours
),

-- the hour of the newest event: what is received after it is only late arrivals
newest_event as (
    select {{ dbt.date_trunc('hour', 'max(occurred_at)') }} as newest_event_hour_at
    from events
),

hours as (
    {{ hour_spine('hour_range') | indent(4) }}
),

-- every hour, zeros included; checked up to the hour of the newest event (not included:
-- it is still receiving)
counts as (
    select
        'rows_received' as metric,
        hours.hour_at,
        coalesce(received_hours.n_received, 0) as n_observed,
        hours.hour_at < newest_event.newest_event_hour_at as is_checked
    from hours
    cross join newest_event
    left join received_hours
        on hours.hour_at = received_hours.hour_at
),

banded as (
    {{ seasonal_volume_band('counts', ['metric']) | indent(4) }}
),

final as (
    select
        banded.hour_at,
        cast(banded.n_observed as {{ dbt.type_bigint() }}) as n_received,
        cast(received_hours.median_lag_seconds as {{ type_double() }}) as median_lag_seconds,
        cast(received_hours.p95_lag_seconds as {{ type_double() }}) as p95_lag_seconds,
        cast(received_hours.max_lag_seconds as {{ type_double() }}) as max_lag_seconds,
        cast(banded.n_baseline_weeks as {{ dbt.type_int() }}) as n_baseline_weeks,
        cast(banded.expected as {{ type_double() }}) as expected,
        cast(banded.dispersion as {{ type_double() }}) as dispersion,
        cast(banded.spread as {{ type_double() }}) as spread,
        cast(banded.lower_bound as {{ type_double() }}) as lower_bound,
        cast(banded.upper_bound as {{ type_double() }}) as upper_bound,
        cast(banded.z_score as {{ type_double() }}) as z_score,
        cast(banded.window_z_score as {{ type_double() }}) as window_z_score,
        banded.anomaly_kind,
        banded.severity
    from banded
    left join received_hours
        on banded.hour_at = received_hours.hour_at
)

select * from final
