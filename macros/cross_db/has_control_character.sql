{#- True when the text holds a control character (U+0000-U+001F or U+007F: NUL, tab, line
    breaks), which no id or event name may contain. -#}
{% macro has_control_character(expression) -%}
    {{ return(adapter.dispatch('has_control_character', 'behavioral_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__has_control_character(expression) -%}
    {{ regex_matches(expression, '[[:cntrl:]]') }}
{%- endmacro %}

{#- Java regular expressions have no [[:cntrl:]] bracket class; \p{Cntrl} is the same set. -#}
{% macro spark__has_control_character(expression) -%}
    ({{ expression }} rlike '\\p{Cntrl}')
{%- endmacro %}
