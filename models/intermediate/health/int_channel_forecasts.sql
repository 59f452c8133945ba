{#- Daily sessions and active persons per channel group (and 'all'), forecast from each of
    the last data_health_forecast_backtest_days days of the history and its last day (the
    origin) for each of the next data_health_forecast_days days: the
    median of the same weekday in the data_health_baseline_weeks most recent weeks before
    the origin, each scaled by the growth since (the 7-day total at the origin over the one
    at that day), as the hourly volume band does (macro seasonal_volume_band). The last
    origin gives the forecast; the others, whose targets are in the data, its backtest. -#}
{%- set horizon_days = var('data_health_forecast_days') -%}
{%- set weeks = var('data_health_baseline_weeks') -%}
with

daily as (
    select
        metric,
        channel_group,
        activity_date,
        day_number,
        observed
    from {{ ref('int_channel_days_counted') }}
),

-- the 7-day total ending each day: the level that scales a past week to now
levels as (
    select
        daily.*,
        sum(daily.observed) over trailing_week as week_total,
        count(*) over trailing_week = 7 as has_full_week
    from daily
    window trailing_week as (
        partition by metric, channel_group
        order by day_number
        range between 6 preceding and current row
    )
),

-- horizon h looks back to the same weekday of the weeks ending at or before the origin
horizons as (
    {%- for horizon in range(1, horizon_days + 1) %}
        select
            {{ horizon }} as horizon_days,
            {{ (horizon + 6) // 7 }} as first_week_back
        {%- if not loop.last %}
            union all
        {%- endif -%}
    {%- endfor %}
),

weeks_back as (
    {%- for week in range(weeks) %}
        select {{ week }} as week_offset
        {%- if not loop.last %}
            union all
        {%- endif -%}
    {%- endfor %}
),

scaled_weeks as (
    select
        origins.metric,
        origins.channel_group,
        origins.activity_date as origin_date,
        origins.day_number as origin_day_number,
        horizons.horizon_days,
        cast(past.observed as {{ type_double() }}) * origins.week_total / past.week_total
            as scaled_observed
    from levels as origins
    cross join horizons
    cross join weeks_back
    inner join levels as past
        on
            origins.metric = past.metric
            and origins.channel_group = past.channel_group
            and past.day_number = origins.day_number + horizons.horizon_days
            - 7 * (horizons.first_week_back + weeks_back.week_offset)
    where
        origins.day_number >= (select max(all_days.day_number) from daily as all_days)
        - {{ var('data_health_forecast_backtest_days') }}
        and origins.has_full_week
        and past.has_full_week
        and past.week_total > 0
),

forecasts as (
    select
        metric,
        channel_group,
        origin_date,
        origin_day_number,
        horizon_days,
        count(*) as n_baseline_weeks,
        {{ median('scaled_observed') }} as expected
    from scaled_weeks
    group by
        metric,
        channel_group,
        origin_date,
        origin_day_number,
        horizon_days
    having count(*) >= {{ var('data_health_min_baseline_weeks') }}
),

final as (
    select
        forecasts.metric,
        forecasts.channel_group,
        forecasts.origin_date,
        forecasts.horizon_days,
        cast({{ dbt.dateadd('day', 'forecasts.horizon_days', 'forecasts.origin_date') }} as date)
            as target_date,
        cast(forecasts.n_baseline_weeks as {{ dbt.type_int() }}) as n_baseline_weeks,
        cast(forecasts.expected as {{ type_double() }}) as expected,
        -- null beyond the data: the forecast proper
        cast(targets.observed as {{ dbt.type_bigint() }}) as observed
    from forecasts
    left join daily as targets
        on
            forecasts.metric = targets.metric
            and forecasts.channel_group = targets.channel_group
            and targets.day_number = forecasts.origin_day_number + forecasts.horizon_days
)

select * from final
