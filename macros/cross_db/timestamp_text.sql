{#- A timestamp as text 'YYYY-MM-DD HH:MM:SS.ffffff' (microseconds), the form the models cast
    back with cast('...' as timestamp) on every engine. -#}
{% macro timestamp_text(expression) -%}
    {{ return(adapter.dispatch('timestamp_text', 'behavioral_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__timestamp_text(expression) -%}
    strftime({{ expression }}, '%Y-%m-%d %H:%M:%S.%f')
{%- endmacro %}

{% macro postgres__timestamp_text(expression) -%}
    to_char({{ expression }}, 'YYYY-MM-DD HH24:MI:SS.US')
{%- endmacro %}

{% macro spark__timestamp_text(expression) -%}
    date_format({{ expression }}, 'yyyy-MM-dd HH:mm:ss.SSSSSS')
{%- endmacro %}
