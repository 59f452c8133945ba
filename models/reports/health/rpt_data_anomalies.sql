{#- Every hour and dimension whose volume or null rate fell outside its band, from the three
    hourly health reports, one row each: what `bawh monitor` alerts on. -#}
with

volumes as (
    select
        hour_at,
        metric,
        anomaly_kind,
        severity,
        event_name,
        device_type,
        channel_group,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(n_observed as {{ type_double() }}) as observed,
        expected,
        lower_bound,
        upper_bound,
        z_score
    from {{ ref('rpt_event_volume_hourly') }}
    where anomaly_kind is not null
),

deliveries as (
    select
        hour_at,
        'rows_received' as metric,
        anomaly_kind,
        severity,
        'all' as event_name,
        'all' as device_type,
        'all' as channel_group,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(n_received as {{ type_double() }}) as observed,
        expected,
        lower_bound,
        upper_bound,
        z_score
    from {{ ref('rpt_event_delivery_hourly') }}
    where anomaly_kind is not null
),

null_rates as (
    select
        hour_at,
        'null_rate' as metric,
        anomaly_kind,
        severity,
        event_name,
        device_type,
        'all' as channel_group,
        column_name,
        null_rate as observed,
        baseline_null_rate as expected,
        lower_bound,
        upper_bound,
        z_score
    from {{ ref('rpt_event_null_rates_hourly') }}
    where anomaly_kind is not null
),

anomalies as (
    select * from volumes
    union all
    select * from deliveries
    union all
    select * from null_rates
),

final as (
    select
        {{ surrogate_key([
            'metric', 'event_name', 'device_type', 'channel_group', 'column_name', 'hour_at',
        ]) }} as anomaly_id,
        hour_at,
        metric,
        anomaly_kind,
        severity,
        event_name,
        device_type,
        channel_group,
        column_name,
        observed,
        cast(expected as {{ type_double() }}) as expected,
        cast(lower_bound as {{ type_double() }}) as lower_bound,
        cast(upper_bound as {{ type_double() }}) as upper_bound,
        cast(z_score as {{ type_double() }}) as z_score
    from anomalies
)

select * from final
