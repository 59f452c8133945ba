{#- A timestamp plus a number of hours (an SQL expression; null stays null), to the
    millisecond. dbt.dateadd on Spark goes through unix seconds, which drops the
    milliseconds, and asserts its input is not null (a lag() is null on a first row). -#}
{% macro timestamp_add_hours(hours, timestamp) -%}
    {{ return(adapter.dispatch('timestamp_add_hours', 'behavioral_warehouse')(hours, timestamp)) }}
{%- endmacro %}

{% macro default__timestamp_add_hours(hours, timestamp) -%}
    {{ dbt.dateadd('hour', hours, timestamp) }}
{%- endmacro %}

{% macro spark__timestamp_add_hours(hours, timestamp) -%}
    timestampadd(HOUR, {{ hours }}, {{ timestamp }})
{%- endmacro %}
