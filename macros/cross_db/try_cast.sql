{#- A cast that yields null instead of failing when the value does not convert.
    dbt.safe_cast is a plain cast on several adapters, so the project has its own. -#}
{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'behavioral_warehouse')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{#- Postgres: the guard functions made by create_cast_guards (on-run-start). -#}
{% macro postgres__try_cast(expression, data_type) -%}
    {%- set base_type = data_type.split('(')[0] | trim | lower -%}
    {%- for name, sql_type in cast_guard_types().items() if base_type in (name, sql_type) -%}
        cast({{ target.schema }}.try_cast_{{ name }}(cast({{ expression }} as text)) as {{ data_type }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("try_cast has no Postgres guard for type " ~ data_type) }}
    {%- endfor -%}
{%- endmacro %}
