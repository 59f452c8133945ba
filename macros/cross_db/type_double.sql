{#- 64-bit floating point type. dbt.type_float() renders 'float', which is 32-bit on
    DuckDB and Spark. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'behavioral_warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}
