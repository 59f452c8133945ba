{#- A raw row as one text value: the columns' raw text joined by '|', a null as an empty
    field (what the quarantine shows, and what a test can rebuild from the raw file). -#}
{% macro support_raw_values(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ column ~ ", '')") -%}
        {%- if not loop.last -%}{%- do parts.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
