{#- The null rate of each watched column (macro data_health_null_columns) per hour, event
    name and device, against the pooled rate of the hours before (vars data_health_*: the
    rule is documented in _health__docs.md). -#}
{%- set baseline_hours = var('data_health_null_rate_baseline_hours') -%}
{%- set warn_z = var('data_health_warn_z') -%}
{%- set min_change = var('data_health_min_null_rate_change') -%}
with

profile as (
    select
        *,
        cast({{ epoch_milliseconds('hour_at') }} / 3600000 as {{ dbt.type_bigint() }})
            as hour_number
    from {{ ref('int_events_profiled_hourly') }}
),

checked_hours as (
    select
        min(hour_number) + {{ baseline_hours }} as first_checked_hour_number,
        cast(
            {{ epoch_milliseconds(dbt.date_trunc('hour', 'max(newest_received_at)')) }} / 3600000
            as {{ dbt.type_bigint() }}) - {{ var('data_health_settle_hours') }}
            as settled_before_hour_number
    from profile
),

column_nulls as (
    {%- for column in data_health_null_columns() %}
        select
            hour_at,
            hour_number,
            event_name,
            device_type,
            '{{ column }}' as column_name,
            n_events,
            n_devices,
            n_null_{{ column }} as n_null
        from profile
        {%- if not loop.last %}
            union all
        {%- endif -%}
    {%- endfor %}
),

baselines as (
    select
        column_nulls.*,
        sum(column_nulls.n_null) over baseline_hours as n_baseline_null,
        sum(column_nulls.n_events) over baseline_hours as n_baseline_events
    from column_nulls
    window baseline_hours as (
        partition by event_name, device_type, column_name
        order by hour_number
        range between {{ baseline_hours }} preceding and 1 preceding
    )
),

rates as (
    select
        baselines.*,
        cast(baselines.n_null as {{ type_double() }}) / baselines.n_events as null_rate,
        {{ safe_divide(
            'cast(baselines.n_baseline_null as ' ~ type_double() ~ ')', 'baselines.n_baseline_events'
        ) }}
            as baseline_null_rate,
        baselines.n_devices >= {{ var('data_health_min_expected_count') }}
        and baselines.hour_number >= checked_hours.first_checked_hour_number
        and baselines.hour_number < checked_hours.settled_before_hour_number
        and coalesce(baselines.n_baseline_events, 0) > 0 as is_checked
    from baselines
    cross join checked_hours
),

binomial_spreads as (
    select
        rates.*,
        -- the binomial standard deviation of this hour's rate (its variance at least 0.0001)
        -- over the hour's devices: the rows of one device share their nulls (a session's utm
        -- columns, a tracker without session ids), so they are not independent draws
        sqrt(
            greatest(rates.baseline_null_rate * (1 - rates.baseline_null_rate), 0.0001)
            / rates.n_devices
        ) as binomial_spread
    from rates
),

-- rates still vary more than binomially: each key's dispersion is the median squared
-- binomial z over 0.455 (the median of a chi-square with one degree of freedom) over its
-- checked hours, at least 1
dispersions as (
    select
        event_name,
        device_type,
        column_name,
        greatest(
            {{ median(
                '(null_rate - baseline_null_rate) * (null_rate - baseline_null_rate)'
                ~ ' / (binomial_spread * binomial_spread)'
            ) }} / 0.455,
            1.0
        ) as dispersion
    from binomial_spreads
    where is_checked
    group by
        event_name,
        device_type,
        column_name
),

spreads as (
    select
        binomial_spreads.*,
        coalesce(dispersions.dispersion, 1.0) as dispersion,
        binomial_spreads.binomial_spread * sqrt(coalesce(dispersions.dispersion, 1.0)) as spread
    from binomial_spreads
    left join dispersions
        on
            binomial_spreads.event_name = dispersions.event_name
            and binomial_spreads.device_type = dispersions.device_type
            and binomial_spreads.column_name = dispersions.column_name
),

kinds as (
    select
        spreads.*,
        (spreads.null_rate - spreads.baseline_null_rate) / spreads.spread as z_score,
        case
            when not spreads.is_checked then null
            when abs(spreads.null_rate - spreads.baseline_null_rate) < {{ min_change }} then null
            when
                abs(spreads.n_null - spreads.baseline_null_rate * spreads.n_events)
                < {{ var('data_health_min_deviation') }}
                then null
            when
                abs(spreads.null_rate - spreads.baseline_null_rate) <= {{ warn_z }} * spreads.spread
                then null
            when spreads.null_rate > spreads.baseline_null_rate then 'null_rate_rise'
            else 'null_rate_fall'
        end as anomaly_kind
    from spreads
),

final as (
    select
        hour_at,
        event_name,
        device_type,
        column_name,
        cast(n_events as {{ dbt.type_bigint() }}) as n_events,
        cast(n_null as {{ dbt.type_bigint() }}) as n_null,
        cast(null_rate as {{ type_double() }}) as null_rate,
        cast(baseline_null_rate as {{ type_double() }}) as baseline_null_rate,
        cast(dispersion as {{ type_double() }}) as dispersion,
        cast(greatest(
            baseline_null_rate - greatest({{ warn_z }} * spread, {{ min_change }}), 0.0
        ) as {{ type_double() }}) as lower_bound,
        cast(least(
            baseline_null_rate + greatest({{ warn_z }} * spread, {{ min_change }}), 1.0
        ) as {{ type_double() }}) as upper_bound,
        cast(z_score as {{ type_double() }}) as z_score,
        anomaly_kind,
        {{ anomaly_severity('anomaly_kind', ['z_score']) }} as severity
    from kinds
)

select * from final
