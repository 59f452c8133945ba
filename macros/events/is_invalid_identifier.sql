{#- True when an id or event name (text, may be null) is unusable as a key: longer than var
    max_identifier_length or holding a control character (a NUL byte, a line break). -#}
{% macro is_invalid_identifier(expression) -%}
    (length({{ expression }}) > {{ var('max_identifier_length') }}
        or {{ has_control_character(expression) }})
{%- endmacro %}
