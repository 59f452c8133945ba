{#- Select list that reads `relation` (a relation or a table expression such as
    read_parquet(...)) as the raw event contract, every column as text (macro
    contract_column_as_text: nested values as JSON text). Fails the run, naming the
    relation and the columns, when a required column is missing; a missing optional column
    is read as null; extra columns are ignored. -#}
{% macro select_event_contract(relation) -%}
    {%- set contract = event_contract_columns() -%}
    {%- set present = relation_column_types(relation) if execute else {} -%}
    {%- if execute -%}
        {%- set missing = [] -%}
        {%- for column in contract -%}
            {%- if column.required and column.name not in present -%}
                {%- do missing.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "The raw event source " ~ relation ~ " is missing required column(s): "
                ~ missing | join(', ') ~ ". See the event contract in models/staging/tracking/_tracking__sources.yml."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- for column in contract %}
        {% if column.name in present -%}
            {{ contract_column_as_text(column.name, present[column.name]) }}
        {%- elif execute -%}
            cast(null as {{ dbt.type_string() }})
        {%- else -%}
            cast({{ column.name }} as {{ dbt.type_string() }})
        {%- endif %} as {{ column.name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
