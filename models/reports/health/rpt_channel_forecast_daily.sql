{#- Daily sessions and active persons per channel group for the next
    data_health_forecast_days days (macro channel_forecasts, from the last complete day), with
    a band from the backtest: the forecast -/+ the 90th percentile of its absolute
    percentage error at that horizon (rpt_channel_forecast_backtest). -#}
with

forecasts as (
    select
        metric,
        channel_group,
        origin_date,
        horizon_days,
        target_date,
        n_baseline_weeks,
        expected
    from {{ channel_forecasts() }}
    where origin_date = (
        select max(origins.origin_date)
        from {{ channel_forecasts() }} as origins
    )
),

backtest as (
    select
        metric,
        channel_group,
        horizon_days,
        n_forecasts,
        p90_absolute_percentage_error
    from {{ ref('rpt_channel_forecast_backtest') }}
),

final as (
    select
        cast(forecasts.target_date as date) as forecast_date,
        forecasts.metric,
        forecasts.channel_group,
        cast(forecasts.origin_date as date) as origin_date,
        cast(forecasts.horizon_days as {{ dbt.type_int() }}) as horizon_days,
        cast(forecasts.n_baseline_weeks as {{ dbt.type_int() }}) as n_baseline_weeks,
        cast(forecasts.expected as {{ type_double() }}) as expected,
        cast(
            forecasts.expected * (1 - backtest.p90_absolute_percentage_error)
            as {{ type_double() }}
        ) as lower_bound,
        cast(
            forecasts.expected * (1 + backtest.p90_absolute_percentage_error)
            as {{ type_double() }}
        ) as upper_bound,
        cast(coalesce(backtest.n_forecasts, 0) as {{ dbt.type_bigint() }})
            as n_backtest_forecasts
    from forecasts
    left join backtest
        on
            forecasts.metric = backtest.metric
            and forecasts.channel_group = backtest.channel_group
            and forecasts.horizon_days = backtest.horizon_days
)

select * from final
