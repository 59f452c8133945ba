{#- Exact seconds (millisecond precision) from one timestamp to another, as a decimal.
    Built on epoch_milliseconds, so every engine agrees (dbt.datediff in seconds does not). -#}
{% macro seconds_between(start_expression, end_expression) -%}
    cast(
        {{ epoch_milliseconds(end_expression) }} - {{ epoch_milliseconds(start_expression) }}
        as {{ dbt.type_numeric() }}
    ) / 1000
{%- endmacro %}
