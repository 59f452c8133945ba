{#- A cast that yields null instead of failing when the value does not convert.
    dbt.safe_cast is a plain cast on several adapters, so the project has its own. -#}
{% macro try_cast(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'behavioral_warehouse')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
