{#- A partition spec of `row` for ALTER TABLE ... PARTITION (...): `column = 'value'` for each
    of the `columns`, whose values `row` holds in the same order. -#}
{% macro partition_spec(columns, row) -%}
    {%- set spec = [] -%}
    {%- for column in columns -%}
        {%- do spec.append(column ~ ' = ' ~ text_literal(row[loop.index0] | string)) -%}
    {%- endfor -%}
    {{ return(spec | join(', ')) }}
{%- endmacro %}
