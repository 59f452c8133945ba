{#- The `when ... then '<reason>'` branches that validate one text column of a raw export:
    missing_<name> (null or blank), invalid_<name> (does not convert, or has a fraction
    when a whole number is required), <name>_out_of_range (outside valid_range, inclusive).
    Put inside a `case` of a staging model; the first failing check gives the reason. -#}
{% macro validation_reason_cases(name, raw_expression, typed_expression=none, valid_range=none, whole_number=false) -%}
    when nullif(trim({{ raw_expression }}), '') is null then 'missing_{{ name }}'
    {%- if typed_expression is not none %}
    when {{ typed_expression }} is null then 'invalid_{{ name }}'
    {%- if whole_number %}
    when {{ typed_expression }} != floor({{ typed_expression }}) then 'invalid_{{ name }}'
    {%- endif %}
    {%- if valid_range is not none %}
    when
        {{ typed_expression }} < {{ valid_range[0] }}
        or {{ typed_expression }} > {{ valid_range[1] }}
        then '{{ name }}_out_of_range'
    {%- endif %}
    {%- endif %}
{%- endmacro %}
