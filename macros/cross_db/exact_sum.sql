{#- Sum of a numeric expression as a 64-bit float that does not depend on the order the engine
    adds the rows in (see exact_avg): each value rounded once to decimal(38, 12), summed
    exactly, then cast. For the sums of values, squares and products the experiment readout's
    statistics start from. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 12))) as {{ type_double() }})
{%- endmacro %}
