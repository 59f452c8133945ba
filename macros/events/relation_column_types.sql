{#- The columns of a relation (or a table expression such as read_parquet(...)) as a dict
    of lower-case name to the engine's type name; '' where the engine's probe gives no type
    name (Postgres, whose cast of a json column to text is already its JSON text; only
    nested types need a name, macro contract_column_as_text). Queries the
    warehouse: call it only when `execute`. -#}
{% macro relation_column_types(relation) -%}
    {{ return(adapter.dispatch('relation_column_types', 'behavioral_warehouse')(relation)) }}
{%- endmacro %}

{% macro default__relation_column_types(relation) -%}
    {%- set types = {} -%}
    {%- for row in run_query('describe select * from ' ~ relation) -%}
        {%- do types.update({row[0] | lower: row[1]}) -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}

{% macro postgres__relation_column_types(relation) -%}
    {%- set types = {} -%}
    {%- for column_name in run_query('select * from ' ~ relation ~ ' where 1 = 0').column_names -%}
        {%- do types.update({column_name | lower: ''}) -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}

{% macro spark__relation_column_types(relation) -%}
    {%- set types = {} -%}
    {%- for row in run_query('describe query select * from ' ~ relation) -%}
        {%- do types.update({row[0] | lower: row[1]}) -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}
