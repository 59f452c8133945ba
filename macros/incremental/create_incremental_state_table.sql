{#- On-run-start: creates incremental_state_relation() if it does not exist. -#}
{% macro create_incremental_state_table() -%}
    {{ return(adapter.dispatch('create_incremental_state_table', 'behavioral_warehouse')()) }}
{%- endmacro %}

{% macro default__create_incremental_state_table() -%}
    create schema if not exists {{ target.schema }};
    create table if not exists {{ incremental_state_relation() }} (
        model {{ dbt.type_string() }},
        rules {{ dbt.type_string() }},
        loaded_until {{ dbt.type_timestamp() }}
    )
{%- endmacro %}

{#- Spark rebuilds every table on every run (materialization event_incremental): no state
    to keep. -#}
{% macro spark__create_incremental_state_table() -%}
{%- endmacro %}
