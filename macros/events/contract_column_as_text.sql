{#- A raw column as text, for the event contract (macro select_event_contract): a plain cast,
    except for a nested or JSON value (a STRUCT `properties` in Parquet, a JSON column from
    read_json), which becomes its JSON text; a cast of those would give DuckDB's own struct
    notation or keep a JSON string's quotes. `data_type` is the column's type as the engine
    names it ('' when unknown: read as scalar). -#}
{% macro contract_column_as_text(column_name, data_type) -%}
    {{ return(adapter.dispatch('contract_column_as_text', 'behavioral_warehouse')(column_name, data_type)) }}
{%- endmacro %}

{% macro default__contract_column_as_text(column_name, data_type) -%}
    {%- set type_name = data_type | upper -%}
    {%- if type_name == 'JSON' or type_name.endswith(']')
        or type_name.split('(')[0] in ('STRUCT', 'MAP', 'UNION') -%}
        json_extract_string(to_json({{ column_name }}), '$')
    {%- else -%}
        cast({{ column_name }} as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#- Spark: a struct, array or map (DESCRIBE's struct<...>, array<...>, map<...>) as JSON text. -#}
{% macro spark__contract_column_as_text(column_name, data_type) -%}
    {%- if (data_type | lower).split('<')[0] in ('struct', 'array', 'map') -%}
        to_json({{ column_name }})
    {%- else -%}
        cast({{ column_name }} as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
