{#- The relation of the daily channel forecasts that var data_health_forecast_method names:
    int_channel_forecasts (seasonal_median) or int_channel_forecasts_holt_winters
    (holt_winters). The forecast reports read it. -#}
{% macro channel_forecasts() -%}
    {%- if var('data_health_forecast_method') == 'holt_winters' -%}
        {{ return(ref('int_channel_forecasts_holt_winters')) }}
    {%- elif var('data_health_forecast_method') == 'seasonal_median' -%}
        {{ return(ref('int_channel_forecasts')) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "data_health_forecast_method must be seasonal_median or holt_winters, not "
            ~ var('data_health_forecast_method')
        ) }}
    {%- endif -%}
{%- endmacro %}
