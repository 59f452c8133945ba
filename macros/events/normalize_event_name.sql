{#- Canonical event name: trimmed, lower case, spaces and dashes as underscores
    ('Page View', ' page-view ' -> 'page_view'). -#}
{% macro normalize_event_name(expression) -%}
    replace(replace(lower(trim({{ expression }})), ' ', '_'), '-', '_')
{%- endmacro %}
