{#- Exact median of a numeric expression, as an aggregate: macro percentile at 0.5. -#}
{% macro median(expression) -%}
    {{ percentile(expression, 0.5) }}
{%- endmacro %}
