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

{#- Spark: each model keeps its own state table (spark__incremental_state_relation), written
    whole by macro store_incremental_state. -#}
{% macro spark__create_incremental_state_table() -%}
{%- endmacro %}
