{#- Where the event_incremental models' state is kept: one row per model, model
    (schema.name), rules (macro incremental_rules as JSON: the rules its stored rows were
    built under) and loaded_until (for incremental_strategy affected_persons: the newest
    loaded_at of the events the last build read, from which the next run's arrivals count).
    Written by macro store_incremental_state. -#}
{% macro incremental_state_relation() -%}
    {{ return(adapter.dispatch('incremental_state_relation', 'behavioral_warehouse')()) }}
{%- endmacro %}

{#- The table incremental_state in the target's schema, created at the start of every run
    (on-run-start: macro create_incremental_state_table), while one thread runs, so the
    models, built in parallel, only write their own rows. -#}
{% macro default__incremental_state_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema=target.schema, identifier='incremental_state',
        type='table'
    )) }}
{%- endmacro %}

{#- Spark: a table per model beside it, <model>__incremental_state (call it while building
    the model): a Parquet table cannot delete one model's row, and two models overwriting
    partitions of one table at once would share its staging folder. -#}
{% macro spark__incremental_state_relation() -%}
    {{ return(event_incremental_relation('incremental_state')) }}
{%- endmacro %}
