{#- First capture group of a regular expression (POSIX-style, no backslashes needed in
    the patterns this project uses); null when there is no match or it is empty. -#}
{% macro regex_extract(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_extract', 'behavioral_warehouse')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_extract(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}', 1), '')
{%- endmacro %}

{% macro postgres__regex_extract(expression, pattern) -%}
    nullif(substring({{ expression }} from '{{ pattern }}'), '')
{%- endmacro %}
