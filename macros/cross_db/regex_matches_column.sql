{#- regex_matches for a pattern held in a column or any text expression (regex_matches quotes
    its pattern as a literal): true when the expression matches the pattern anywhere (anchor
    with ^/$); null when either is null. Same regex dialect per engine as regex_matches. -#}
{% macro regex_matches_column(expression, pattern_expression) -%}
    {{ return(adapter.dispatch('regex_matches_column', 'behavioral_warehouse')(
        expression, pattern_expression
    )) }}
{%- endmacro %}

{% macro default__regex_matches_column(expression, pattern_expression) -%}
    regexp_matches({{ expression }}, {{ pattern_expression }})
{%- endmacro %}

{% macro postgres__regex_matches_column(expression, pattern_expression) -%}
    ({{ expression }} ~ ({{ pattern_expression }}))
{%- endmacro %}

{% macro spark__regex_matches_column(expression, pattern_expression) -%}
    ({{ expression }} rlike ({{ pattern_expression }}))
{%- endmacro %}
