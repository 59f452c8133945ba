{#- Exact median (50th percentile, linear interpolation between the two middle values) of a
    numeric expression, as an aggregate; a 64-bit float, null over no rows. Postgres and
    DuckDB: the ordered-set aggregate percentile_cont; Spark: percentile (exact). -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'behavioral_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by cast({{ expression }} as {{ type_double() }}))
{%- endmacro %}

{% macro spark__median(expression) -%}
    percentile(cast({{ expression }} as {{ type_double() }}), 0.5)
{%- endmacro %}
