{#- The types try_cast supports on engines without a native try_cast (Postgres): guard
    function suffix -> SQL type. -#}
{% macro cast_guard_types() -%}
    {{ return({
        'integer': 'integer',
        'bigint': 'bigint',
        'numeric': 'numeric',
        'double': 'double precision',
        'timestamptz': 'timestamp with time zone',
        'date': 'date',
    }) }}
{%- endmacro %}
