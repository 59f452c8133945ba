{% macro create_incremental_rules_table() -%}
    {{ return(adapter.dispatch('create_incremental_rules_table', 'behavioral_warehouse')()) }}
{%- endmacro %}

{% macro default__create_incremental_rules_table() -%}
    create schema if not exists {{ target.schema }};
    create table if not exists {{ incremental_rules_relation() }} (
        model {{ dbt.type_string() }},
        rules {{ dbt.type_string() }}
    )
{%- endmacro %}

{#- Spark rebuilds every table on every run (materialization event_incremental): no rules
    to keep. -#}
{% macro spark__create_incremental_rules_table() -%}
{%- endmacro %}
