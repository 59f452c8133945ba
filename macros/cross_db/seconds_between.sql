{#- Exact seconds (millisecond precision) from one timestamp to another, as decimal(18, 3).
    Built on epoch_milliseconds, so every engine agrees (dbt.datediff in seconds does not). -#}
{% macro seconds_between(start_expression, end_expression) -%}
    {{ milliseconds_to_seconds(
        epoch_milliseconds(end_expression) ~ ' - ' ~ epoch_milliseconds(start_expression)
    ) }}
{%- endmacro %}
