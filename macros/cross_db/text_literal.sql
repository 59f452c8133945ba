{#- `text` as a SQL string literal that reads back as exactly `text`: quotes doubled, and on
    Spark, whose literals take backslash escapes, backslashes and quotes escaped. -#}
{% macro text_literal(text) -%}
    {{ return(adapter.dispatch('text_literal', 'behavioral_warehouse')(text)) }}
{%- endmacro %}

{% macro default__text_literal(text) -%}
    {{ return("'" ~ text | replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__text_literal(text) -%}
    {{ return("'" ~ text | replace("\\", "\\\\") | replace("'", "\\'") ~ "'") }}
{%- endmacro %}
