{#- Select list that reads `relation` as the raw event contract, every column as text.
    Fails the run, naming the columns, when a required column is missing; a missing
    optional column is read as null; extra columns are ignored. -#}
{% macro select_event_contract(relation) -%}
    {%- set contract = event_contract_columns() -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- set probe = run_query('select * from ' ~ relation ~ ' where 1 = 0') -%}
        {%- for column_name in probe.column_names -%}
            {%- do present.append(column_name | lower) -%}
        {%- endfor -%}
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
        {% if column.name in present or not execute -%}
            cast({{ column.name }} as {{ dbt.type_string() }})
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as {{ column.name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
