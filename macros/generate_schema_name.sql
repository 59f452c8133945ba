{#- dbt's convention for shared warehouses. On a target one user owns (the local DuckDB
    file) or on production (var unprefixed_schema_targets: duckdb, prod), custom schemas are
    used as named (staging, intermediate, marts, reports, raw, reference), so BI tools and
    analysts see stable names. On every other target (a Postgres or Spark that developers
    share) they are prefixed with the target schema, <target.schema>_<custom>, so two
    developers never overwrite each other's schemas. Nodes without one go to the target
    schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.name in var('unprefixed_schema_targets') -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
