{#- Exact percentile (linear interpolation between the two nearest values) of a numeric
    expression at `fraction` (0-1), as an aggregate; a 64-bit float, null over no rows.
    Postgres and DuckDB: the ordered-set aggregate percentile_cont; Spark: percentile
    (exact, same interpolation). -#}
{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'behavioral_warehouse')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by cast({{ expression }} as {{ type_double() }}))
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    percentile(cast({{ expression }} as {{ type_double() }}), {{ fraction }})
{%- endmacro %}
