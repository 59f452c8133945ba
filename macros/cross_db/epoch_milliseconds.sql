{#- Whole milliseconds since 1970-01-01 UTC, as an integer. Session gaps compare these
    integers, so a gap of exactly the timeout is exact (floating-point seconds are not,
    and dbt.datediff in seconds rounds differently per engine). -#}
{% macro epoch_milliseconds(timestamp_expression) -%}
    {{ return(adapter.dispatch('epoch_milliseconds', 'behavioral_warehouse')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__epoch_milliseconds(timestamp_expression) -%}
    epoch_ms({{ timestamp_expression }})
{%- endmacro %}

{% macro postgres__epoch_milliseconds(timestamp_expression) -%}
    cast(floor(extract(epoch from {{ timestamp_expression }}) * 1000) as bigint)
{%- endmacro %}

{% macro spark__epoch_milliseconds(timestamp_expression) -%}
    unix_millis({{ timestamp_expression }})
{%- endmacro %}
