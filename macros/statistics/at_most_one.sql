{#- A probability computed by a closed form, capped at 1 (a fit's or a rounding's overshoot
    near 1), null when it is null; the expression is written once (least ignores nulls, hence
    the -1 stand-in). -#}
{% macro at_most_one(probability) -%}
    nullif(least(1.0, coalesce({{ probability }}, -1.0)), -1.0)
{%- endmacro %}
