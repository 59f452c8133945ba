{#- How far the daily forecast (macro channel_forecasts) was from what happened, per metric,
    channel group and horizon, over every origin of the history whose target is in the data:
    the error band of rpt_channel_forecast_daily. -#}
with

forecasts as (
    select
        metric,
        channel_group,
        horizon_days,
        expected,
        observed
    from {{ channel_forecasts() }}
    where observed is not null
),

errors as (
    select
        metric,
        channel_group,
        horizon_days,
        abs(expected - observed) as absolute_error,
        case when observed > 0 then abs(expected - observed) / observed end
            as absolute_percentage_error
    from forecasts
),

final as (
    select
        metric,
        channel_group,
        cast(horizon_days as {{ dbt.type_int() }}) as horizon_days,
        count(*) as n_forecasts,
        {{ exact_avg('absolute_error') }} as mean_absolute_error,
        {{ exact_avg('absolute_percentage_error') }} as mean_absolute_percentage_error,
        cast({{ percentile('absolute_percentage_error', 0.9) }} as {{ type_double() }})
            as p90_absolute_percentage_error
    from errors
    group by
        metric,
        channel_group,
        horizon_days
)

select * from final
