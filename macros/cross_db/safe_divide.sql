{#- numerator / denominator as a 64-bit float; null when the denominator is 0 or null
    (never an error, never integer division). Rates in this project use it. -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
