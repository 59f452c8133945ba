{#- Every column of the row of `alias` (a table alias in the FROM clause) as one JSON object
    text, keyed by column name: how a tracker's table is read by the same mapping as its JSON
    files (macros/events/formats). -#}
{% macro row_as_json(alias) -%}
    {{ return(adapter.dispatch('row_as_json', 'behavioral_warehouse')(alias)) }}
{%- endmacro %}

{% macro default__row_as_json(alias) -%}
    cast(to_json({{ alias }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__row_as_json(alias) -%}
    cast(row_to_json({{ alias }}) as text)
{%- endmacro %}

{% macro spark__row_as_json(alias) -%}
    to_json(struct({{ alias }}.*))
{%- endmacro %}
