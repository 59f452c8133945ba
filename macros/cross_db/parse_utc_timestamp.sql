{#- Text (or a timestamp) to a UTC timestamp without time zone; null when unparseable.
    An explicit offset in the text ('+02:00', 'Z') is honoured; text without one is read
    as UTC (the DuckDB profile sets TimeZone to UTC). -#}
{% macro parse_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'behavioral_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(expression) -%}
    ({{ try_cast(expression, 'timestamp with time zone') }} at time zone 'UTC')
{%- endmacro %}

{#- Spark has no time-zone-aware type: its timestamps are instants shown in the session
    time zone, which the profile sets to UTC; a cast honours an explicit offset. -#}
{% macro spark__parse_utc_timestamp(expression) -%}
    {{ try_cast(expression, 'timestamp') }}
{%- endmacro %}
